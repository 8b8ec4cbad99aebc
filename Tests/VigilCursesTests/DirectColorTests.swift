import CNCurses
import Testing
import VigilRender
import VigilTestSupport

@testable import VigilCurses

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension CursesSuite {
  @Suite struct DirectColorTests {
    @Test func truecolorReachesADirectColourTerminal() throws {
      let dir = try #require(DirectColorTerminfo.directory, "tic could not build the entry")
      setenv("TERMINFO", dir, 1)
      defer { unsetenv("TERMINFO") }
      Headless.useUTF8Locale()
      let size = Size(width: 8, height: 5)
      let backend = try CursesBackend.headless(term: DirectColorTerminfo.name, size: size)
      defer { backend.shutdown() }
      #expect(backend.terminal.colorCount == 1 << 24)
      #expect(backend.capability == .truecolor)
      let styles: [(Style, (Int32, Int32))] = [
        (
          Style(foreground: .rgb(0x26, 0x8b, 0xd2), background: .rgb(0, 0x2b, 0x36)),
          (0x268bd2, 0x2b36)
        ),
        (Style(foreground: .ansi(1), background: .default), (1, -1)),
        // Bright ANSI and palette colours are sent as their xterm RGB values.
        (Style(foreground: .ansi(9), background: .indexed(236)), (0xff0000, 0x303030)),
        // A near-black that would read as an ANSI number moves up to 8.
        (Style(foreground: .rgb(0, 0, 3), background: .rgb(255, 255, 255)), (8, 0xffffff)),
      ]
      var buffer = ScreenBuffer(size: size)
      for (y, (style, _)) in styles.enumerated() { buffer.put("rgb", x: 0, y: y, style: style) }
      backend.draw(Headless.rows(buffer))
      backend.flush()
      for (y, (_, want)) in styles.enumerated() {
        let stored = try #require(Headless.read(x: 0, y: y))
        let (f, b) = Headless.colors(ofPair: stored.pair)
        #expect(f == want.0 && b == want.1, "row \(y): (\(f), \(b))")
      }
      // --colors 256 on the same terminal goes back to palette indices.
      backend.shutdown()
      let capped = try CursesBackend.headless(
        term: DirectColorTerminfo.name, size: size, colorOverride: .indexed256)
      defer { capped.shutdown() }
      #expect(capped.capability == .indexed256)
    }
  }
}
