import CNCurses
import Testing
import VigilRender

@testable import VigilCurses

extension CursesSuite {
  /// Theme colours through ncurses on each terminal type: what the pairs really hold after
  /// the ladder maps them down, read back from `stdscr`.
  @Suite struct ThemeReadBackTests {
    /// Pairs from the shipped themes (light, solarized-dark, nord, high-contrast) and two
    /// that mapping makes hard to read.
    static let styles: [Style] = [
      Style(foreground: .rgb(0x38, 0x3a, 0x42), background: .rgb(0xfa, 0xfa, 0xfa)),
      Style(
        foreground: .rgb(0xff, 0xff, 0xff), background: .rgb(0x2a, 0x5b, 0xd7), attributes: .bold),
      Style(foreground: .rgb(0x69, 0x6c, 0x77), background: .rgb(0xfa, 0xfa, 0xfa)),
      Style(foreground: .rgb(0x83, 0x94, 0x96), background: .rgb(0x00, 0x2b, 0x36)),
      Style(
        foreground: .rgb(0xfd, 0xf6, 0xe3), background: .rgb(0xdc, 0x32, 0x2f), attributes: .bold),
      Style(foreground: .rgb(0x2e, 0x34, 0x40), background: .rgb(0x88, 0xc0, 0xd0)),
      Style(foreground: .rgb(0x00, 0x00, 0x00), background: .rgb(0xff, 0xff, 0x00)),
      Style(foreground: .rgb(255, 60, 60), background: .rgb(30, 30, 200)),
      Style(foreground: .rgb(30, 30, 30), background: .rgb(0, 0, 0)),
      Style(foreground: .ansi(6), attributes: .dim),
    ]

    /// The colour a curses colour number shows (xterm's palette; -1 is unknown).
    static func color(_ n: Int32) -> Color? { n < 0 || n > 255 ? nil : .indexed(UInt8(n)) }

    @Test(arguments: [
      ("xterm-256color", ColorCapability.indexed256), ("screen-256color", .indexed256),
      ("screen", .ansi8), ("linux", .ansi8), ("vt100", .monochrome),
    ])
    func themePairsStayReadableOnEveryTerminal(term: String, capability: ColorCapability) throws {
      Headless.useUTF8Locale()
      let size = Size(width: 12, height: Self.styles.count)
      let backend = try CursesBackend.headless(term: term, size: size)
      defer { backend.shutdown() }
      #expect(backend.capability == capability)
      var buffer = ScreenBuffer(size: size)
      for (y, style) in Self.styles.enumerated() {
        buffer.put("Text \(y)", x: 0, y: y, style: style)
      }
      backend.draw(Headless.rows(buffer))
      backend.flush()
      for (y, style) in Self.styles.enumerated() {
        let stored = try #require(Headless.read(x: 0, y: y))
        #expect(stored.text == "T")
        if capability == .monochrome {
          // No colour: a coloured background is reverse video, the rest attributes only.
          #expect(stored.pair == 0)
          var want = Headless.attributes(style.attributes)
          if style.background != .default { want |= vigil_a_reverse() }
          #expect(stored.attributes == want, "row \(y)")
          continue
        }
        let (f, b) = Headless.colors(ofPair: stored.pair)
        let mapped = capability.map(foreground: style.foreground, background: style.background)
        #expect(
          Self.color(f) == numbered(mapped.foreground)
            && Self.color(b) == numbered(mapped.background),
          "row \(y): pair (\(f), \(b))")
        guard let fg = Self.color(f), let bg = Self.color(b) else { continue }
        #expect(f != b, "row \(y): text and background are one colour")
        let before = style.foreground.contrastRatio(with: style.background)
        let after = fg.contrastRatio(with: bg)
        #expect(
          after >= ColorCapability.requiredContrast(original: before) || after >= 4,
          "row \(y) on \(term): \(before) became \(after)")
      }
    }

    /// A mapped colour as the colour number's palette entry (`.ansi(n)` is index n).
    func numbered(_ c: Color) -> Color? {
      switch c {
      case .default: nil
      case .ansi(let n): .indexed(n)
      case .indexed: c
      case .rgb(let r, let g, let b): .indexed(XtermPalette.nearestXterm256(r, g, b))
      }
    }

    @Test func colorChoiceAndDepthReachTheBackend() throws {
      Headless.useUTF8Locale()
      // --colors 16 on a 256-colour terminal, NO_COLOR-like monochrome, and a cap.
      for (term, forced, want) in [
        ("xterm-256color", ColorCapability.ansi16, ColorCapability.ansi16),
        ("screen-256color", .monochrome, .monochrome), ("linux", .truecolor, .ansi8),
      ] {
        let backend = try CursesBackend.headless(
          term: term, size: Size(width: 4, height: 2), colorOverride: forced)
        #expect(backend.capability == want, "\(term) --colors \(forced)")
        #expect(backend.colorCapability == want)
        backend.shutdown()
      }
    }
  }
}
