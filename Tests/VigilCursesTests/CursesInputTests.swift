import CNCurses
import CVigilSignals
import Testing
import VigilRender

@testable import VigilCurses

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension CursesSuite {
  /// ``CursesBackend/pollInput(timeoutMilliseconds:)`` on a headless screen, fed through
  /// ncurses' own input queue (`ungetch`/`unget_wch`).
  @Suite struct CursesInputTests {
    static func drain(_ backend: CursesBackend) {
      while backend.pollInput(timeoutMilliseconds: 0) != nil {}
    }

    @Test func keysComeThroughWgetWch() throws {
      Headless.useUTF8Locale()
      let backend = try CursesBackend.headless(
        term: "xterm-256color", size: Size(width: 20, height: 5))
      defer { backend.shutdown() }
      Self.drain(backend)
      let codes: [(Int32, Key)] = [
        (KEY_UP, .up), (KEY_NPAGE, .pageDown), (KEY_BTAB, .backTab), (KEY_F0 + 5, .function(5)),
        (KEY_DC, .delete),
      ]
      for (code, key) in codes {
        _ = ungetch(code)
        #expect(backend.pollInput(timeoutMilliseconds: 0) == .key(key))
      }
      let chars: [(UInt32, Key)] = [
        (0x71, .character("q")), (0x754C, .character("界")), (13, .enter), (9, .tab),
        (27, .escape), (3, .control("c")), (127, .backspace),
      ]
      for (code, key) in chars {
        _ = unget_wch(wchar_t(bitPattern: code))
        #expect(backend.pollInput(timeoutMilliseconds: 0) == .key(key))
      }
      #expect(backend.pollInput(timeoutMilliseconds: 0) == nil)
      #expect(backend.pollInput(timeoutMilliseconds: -5) == nil)
    }

    @Test func resizeReportsTheNewSizeAndBlanksTheScreen() throws {
      Headless.useUTF8Locale()
      let backend = try CursesBackend.headless(term: "screen", size: Size(width: 20, height: 5))
      defer { backend.shutdown() }
      Self.drain(backend)
      var b = ScreenBuffer(size: Size(width: 20, height: 5))
      b.put("before resize", x: 0, y: 0)
      backend.draw(Headless.rows(b))
      backend.flush()
      _ = resizeterm(12, 40)  // what ncurses' SIGWINCH handling does, then KEY_RESIZE
      _ = ungetch(KEY_RESIZE)
      #expect(backend.pollInput(timeoutMilliseconds: 0) == .resize(Size(width: 40, height: 12)))
      #expect(backend.size == Size(width: 40, height: 12))
      #expect(Headless.read(x: 0, y: 0)?.text == " ")
      // Drawing at the new size reaches the new bottom-right corner.
      backend.draw([ChangeRun(x: 39, y: 11, cells: [Cell("Z")])])
      backend.flush()
      #expect(Headless.read(x: 39, y: 11)?.text == "Z")
    }

    @Test func terminationSignalEndsThePoll() throws {
      Headless.useUTF8Locale()
      #expect(vigil_signals_install() == 0)
      defer {
        vigil_signals_clear_pending()
        vigil_signals_uninstall()
      }
      let backend = try CursesBackend.headless(
        term: "xterm-256color", size: Size(width: 20, height: 5), watchSignals: true)
      defer { backend.shutdown() }
      Self.drain(backend)
      #expect(backend.endedBySignal == nil)
      raiseUnblocked(SIGHUP)
      #expect(vigil_signals_pending() == SIGHUP)
      var byte: UInt8 = 0
      #expect(read(vigil_signals_fd(), &byte, 1) == 1 && Int32(byte) == SIGHUP)
      // The signal wins over queued input.
      _ = ungetch(KEY_UP)
      #expect(backend.pollInput(timeoutMilliseconds: 50) == .terminate(signal: SIGHUP))
      #expect(backend.endedBySignal == SIGHUP)
      backend.shutdown()
      #expect(backend.endedBySignal == SIGHUP)
    }

    @Test func signalPendingAtShutdownIsRecorded() throws {
      Headless.useUTF8Locale()
      #expect(vigil_signals_install() == 0)
      defer {
        vigil_signals_clear_pending()
        vigil_signals_uninstall()
      }
      let backend = try CursesBackend.headless(
        term: "vt100", size: Size(width: 20, height: 5), watchSignals: true)
      raiseUnblocked(SIGTERM)
      backend.shutdown()
      #expect(backend.endedBySignal == SIGTERM)
    }
  }
}
