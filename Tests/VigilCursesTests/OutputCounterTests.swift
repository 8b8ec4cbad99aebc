import Testing
import VigilRender

@testable import VigilCurses

extension CursesSuite {
  /// `--debug`'s bytes/s: the backend counts what each frame sends to the terminal.
  @Suite struct OutputCounterTests {
    @Test func parsesTheWcharLine() {
      let io = "rchar: 6976\nwchar: 123456\nsyscr: 10\nsyscw: 0\n"
      #expect(OutputCounter.parseWchar(Array(io.utf8)) == 123_456)
      #expect(OutputCounter.parseWchar(Array("rchar: 1\nsyscw: 2\n".utf8)) == nil)
      #expect(OutputCounter.parseWchar(Array("xwchar: 5\n".utf8)) == nil)
      #expect(OutputCounter.parseWchar(Array("wchar: \n".utf8)) == nil)
      #expect(OutputCounter.parseWchar(Array("wchar: 99999999999999999999999\n".utf8)) == nil)
    }

    #if os(Linux)
      @Test func framesAreCountedOnlyWhenAskedAndOnlyWhatChanged() throws {
        let backend = try CursesBackend.headless(
          term: "xterm-256color", size: Size(width: 40, height: 10))
        defer { backend.shutdown() }
        #expect(backend.bytesWritten == nil)
        backend.countsBytes = true
        #expect(backend.bytesWritten == 0)
        var frame = Frame(size: backend.size)
        // Distinct letters: ncurses sends a run of one letter with `rep`, in a few bytes.
        let line = "abcdefghijklmnopqrstuvwxyz0123"
        frame.next.put(line, x: 0, y: 2, style: .plain)
        _ = frame.render(to: backend)
        let first = backend.bytesWritten ?? 0
        // At least the 30 characters, and not the whole 40x10 screen several times over.
        #expect(first >= 30)
        #expect(first < 2_000)
        // An unchanged frame sends (almost) nothing; one changed cell sends a few bytes.
        frame.next.put(line, x: 0, y: 2, style: .plain)
        _ = frame.render(to: backend)
        let second = (backend.bytesWritten ?? 0) - first
        #expect(second < 16)
        frame.next.put(line, x: 0, y: 2, style: .plain)
        frame.next.put("y", x: 5, y: 5, style: .plain)
        _ = frame.render(to: backend)
        let third = (backend.bytesWritten ?? 0) - first - second
        #expect(third >= 1 && third < 64)
      }
    #endif
  }
}
