import CNCurses
import Testing
import VigilRender

@testable import VigilCurses

extension CursesSuite {
  /// Draws buffers through ``CursesBackend/draw(_:)`` on a headless screen and reads every cell
  /// back from ncurses.
  @Suite struct CursesBackendTests {
    static let size = Size(width: 24, height: 7)

    /// A style, and the colour numbers its pair must hold on a 256-colour and an 8-colour
    /// terminal (computed by hand from the xterm palette).
    struct Sample {
      var style: Style
      var colors256: (Int32, Int32)
      var colors8: (Int32, Int32)
    }

    static let samples: [Sample] = [
      Sample(style: .plain, colors256: (-1, -1), colors8: (-1, -1)),
      Sample(
        style: Style(foreground: .ansi(1), attributes: .bold), colors256: (1, -1), colors8: (1, -1)),
      Sample(
        // Bright red on blue is 2.35:1; folded to red (205, 0, 0) in 8 colours it would be
        // 1.61:1, below the contrast guard's 80 %, so the text turns white.
        style: Style(foreground: .ansi(9), background: .ansi(4), attributes: .underline),
        colors256: (9, 4), colors8: (7, 4)),
      Sample(
        style: Style(foreground: .rgb(255, 135, 0), background: .indexed(236)),
        colors256: (208, 236), colors8: (3, 0)),
      Sample(
        style: Style(foreground: .indexed(244), attributes: [.dim, .italic]),
        colors256: (244, -1), colors8: (7, -1)),
      Sample(
        // (0,95,135) is nearer cyan (0,205,205) than blue (0,0,238) in RGB distance.
        style: Style(background: .rgb(0, 95, 135), attributes: .reverse), colors256: (-1, 24),
        colors8: (-1, 6)),
    ]

    static func sampleBuffer() -> ScreenBuffer {
      var b = ScreenBuffer(size: size)
      for (y, s) in samples.enumerated() {
        b.put("row \(y) ok", x: 0, y: y, style: s.style)
      }
      b.put("a界b日本", x: 12, y: 0, style: samples[1].style)
      b.put("Z", x: size.width - 1, y: size.height - 1, style: samples[3].style)
      return b
    }

    /// Compares every cell of `buffer` with what ncurses stores, and (for ``sampleBuffer()``)
    /// the colours of each sample row's pair.
    static func expectMatches(
      _ buffer: ScreenBuffer, capability: ColorCapability, checkSamplePairs: Bool = true,
      sourceLocation: SourceLocation = #_sourceLocation
    ) {
      for y in 0..<buffer.height {
        for x in 0..<buffer.width {
          let cell = buffer[x, y]
          guard let stored = Headless.read(x: x, y: y) else {
            Issue.record("no cell at \(x),\(y)", sourceLocation: sourceLocation)
            continue
          }
          let expectedText = cell.isContinuation ? buffer[x - 1, y].text : cell.text
          #expect(stored.text == expectedText, "text at \(x),\(y)", sourceLocation: sourceLocation)
          var attrs = Headless.attributes(cell.style.attributes)
          if capability == .monochrome {
            if cell.style.background != .default { attrs |= vigil_a_reverse() }
            #expect(stored.pair == 0, "pair at \(x),\(y)", sourceLocation: sourceLocation)
          }
          #expect(
            stored.attributes == attrs, "attributes at \(x),\(y): \(stored)",
            sourceLocation: sourceLocation)
        }
      }
      guard capability != .monochrome, checkSamplePairs else { return }
      for (y, s) in samples.enumerated() {
        guard let stored = Headless.read(x: 0, y: y) else { continue }
        let (f, b) = Headless.colors(ofPair: stored.pair)
        let want = capability == .indexed256 ? s.colors256 : s.colors8
        #expect(
          f == want.0 && b == want.1, "row \(y): pair \(stored.pair) = (\(f), \(b))",
          sourceLocation: sourceLocation)
      }
    }

    @Test(arguments: [
      ("xterm-256color", ColorCapability.indexed256), ("screen", .ansi8), ("vt100", .monochrome),
      ("linux", .ansi8),
    ])
    func drawsEveryCellAsTheBufferSays(term: String, capability: ColorCapability) throws {
      Headless.useUTF8Locale()
      let backend = try CursesBackend.headless(term: term, size: Self.size)
      defer { backend.shutdown() }
      #expect(backend.capability == capability)
      #expect(backend.size == Self.size)
      #expect(backend.isUTF8)
      let buffer = Self.sampleBuffer()
      backend.draw(Headless.rows(buffer))
      backend.flush()
      Self.expectMatches(buffer, capability: capability)
      #expect(Headless.read(x: Self.size.width - 1, y: Self.size.height - 1)?.text == "Z")
    }

    @Test func monochromeOverrideOnAColourTerminal() throws {
      Headless.useUTF8Locale()
      let backend = try CursesBackend.headless(
        term: "xterm-256color", size: Self.size, colorOverride: .monochrome)
      defer { backend.shutdown() }
      #expect(backend.capability == .monochrome)
      let buffer = Self.sampleBuffer()
      backend.draw(Headless.rows(buffer))
      backend.flush()
      Self.expectMatches(buffer, capability: .monochrome)
    }

    @Test func overridesAreCappedAtTheTerminal() throws {
      Headless.useUTF8Locale()
      for (term, override, want) in [
        ("xterm-256color", ColorCapability.truecolor, ColorCapability.indexed256),
        ("xterm-256color", .ansi16, .ansi16), ("screen", .indexed256, .ansi8),
        ("vt100", .indexed256, .monochrome),
      ] {
        let backend = try CursesBackend.headless(
          term: term, size: Self.size, colorOverride: override)
        #expect(backend.capability == want, "\(term) with \(override)")
        backend.shutdown()
      }
    }

    @Test func styleOnlyChangeKeepsTheText() throws {
      Headless.useUTF8Locale()
      let backend = try CursesBackend.headless(term: "xterm-256color", size: Self.size)
      defer { backend.shutdown() }
      var before = Self.sampleBuffer()
      backend.draw(Headless.rows(before))
      backend.flush()
      // Restyle "a界b" (row 0, columns 12..<16) without changing its text.
      let hot = Style(foreground: .ansi(15), background: .ansi(1), attributes: .bold)
      var changed: [Cell] = []
      for x in 12..<16 {
        before[x, 0].style = hot
        changed.append(before[x, 0])
      }
      backend.draw([ChangeRun(x: 12, y: 0, cells: changed)])
      backend.flush()
      Self.expectMatches(before, capability: .indexed256)
      let stored = try #require(Headless.read(x: 13, y: 0))
      #expect(stored.text == "界")
      #expect(Headless.colors(ofPair: stored.pair) == (15, 1))
    }

    @Test func wideCharactersTakeTwoCells() throws {
      Headless.useUTF8Locale()
      let backend = try CursesBackend.headless(term: "xterm-256color", size: Self.size)
      defer { backend.shutdown() }
      var b = ScreenBuffer(size: Self.size)
      b.put("日本語テキスト", x: 0, y: 2)
      b.put("é", x: 20, y: 2)
      b[21, 2] = Cell("e\u{301}")  // a combining sequence in one cell
      backend.draw(Headless.rows(b))
      backend.flush()
      Self.expectMatches(b, capability: .indexed256, checkSamplePairs: false)
      #expect(Headless.read(x: 0, y: 2)?.text == "日")
      #expect(Headless.read(x: 2, y: 2)?.text == "本")
      #expect(Headless.read(x: 21, y: 2)?.text == "e\u{301}")
    }

    @Test func asciiOnlyDrawsQuestionMarks() throws {
      Headless.useUTF8Locale()
      let backend = try CursesBackend.headless(
        term: "xterm-256color", size: Self.size, isUTF8: false)
      defer { backend.shutdown() }
      #expect(!backend.isUTF8)
      var b = ScreenBuffer(size: Self.size)
      b.put("a界b", x: 0, y: 0)
      b[5, 0] = Cell("\t")
      backend.draw(Headless.rows(b))
      let row = (0..<6).compactMap { Headless.read(x: $0, y: 0)?.text }.joined()
      #expect(row == "a? b ?")
    }

    @Test func exhaustedPairsDegradeWithoutTrapping() throws {
      Headless.useUTF8Locale()
      let backend = try CursesBackend.headless(term: "screen", size: Size(width: 20, height: 10))
      defer { backend.shutdown() }
      var b = ScreenBuffer(size: Size(width: 20, height: 10))
      let colors: [Color] = [.default] + (0..<8).map { Color.ansi(UInt8($0)) }
      for (y, bg) in colors.enumerated() {
        for (x, fg) in colors.enumerated() {
          b[x, y] = Cell("x", style: Style(foreground: fg, background: bg))
        }
      }
      backend.draw(Headless.rows(b))
      backend.flush()
      for y in 0..<9 {
        for x in 0..<9 {
          let stored = try #require(Headless.read(x: x, y: y))
          #expect(stored.text == "x")
          #expect((0..<64).contains(stored.pair))
        }
      }
    }

    @Test func unknownTermThrowsAClearError() {
      #expect(throws: CursesError.unusableTerminal(term: "no-such-term-xyz")) {
        _ = try CursesBackend.headless(term: "no-such-term-xyz", size: Self.size)
      }
      #expect(
        CursesError.unusableTerminal(term: "xyz").description.hasPrefix("unusable TERM \"xyz\""))
    }

    @Test func shutdownIsIdempotentAndStopsDrawing() throws {
      Headless.useUTF8Locale()
      let backend = try CursesBackend.headless(term: "vt100", size: Self.size)
      backend.shutdown()
      backend.shutdown()
      backend.draw(Headless.rows(Self.sampleBuffer()))
      backend.flush()
      backend.invalidate()
      backend.bell()
      #expect(backend.pollInput(timeoutMilliseconds: 0) == nil)
      #expect(backend.terminal.isShutDown)
      #expect(backend.endedBySignal == nil)
    }
  }
}
