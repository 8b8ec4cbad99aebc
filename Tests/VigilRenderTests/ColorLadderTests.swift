import Testing

@testable import VigilRender

/// The colour ladder: how a theme colour looks at every capability, how the capability is
/// chosen, and the contrast guard that keeps mapped pairs readable.
@Suite struct ColorLadderTests {
  /// A colour and what it becomes at 256, 16 and 8 colours (monochrome is always `.default`,
  /// truecolor always the colour itself).
  struct Rung: CustomTestStringConvertible {
    var color: Color
    var at256: Color
    var at16: Color
    var at8: Color
    var testDescription: String { color.snapshotDescription }
  }

  static let ladder: [Rung] = [
    // ANSI colours stay themselves until 8 colours fold the bright ones.
    Rung(color: .ansi(1), at256: .ansi(1), at16: .ansi(1), at8: .ansi(1)),
    Rung(color: .ansi(9), at256: .ansi(9), at16: .ansi(9), at8: .ansi(1)),
    Rung(color: .ansi(8), at256: .ansi(8), at16: .ansi(8), at8: .ansi(7)),
    Rung(color: .ansi(15), at256: .ansi(15), at16: .ansi(15), at8: .ansi(7)),
    // Palette indices: cube and grey ramp by hue and brightness.
    Rung(color: .indexed(208), at256: .indexed(208), at16: .ansi(11), at8: .ansi(3)),
    Rung(color: .indexed(236), at256: .indexed(236), at16: .ansi(0), at8: .ansi(0)),
    Rung(color: .indexed(250), at256: .indexed(250), at16: .ansi(7), at8: .ansi(7)),
    // The shipped themes' signature colours.
    Rung(color: .rgb(0x26, 0x8b, 0xd2), at256: .indexed(32), at16: .ansi(6), at8: .ansi(6)),
    Rung(color: .rgb(0xdc, 0x32, 0x2f), at256: .indexed(166), at16: .ansi(1), at8: .ansi(1)),
    Rung(color: .rgb(0xb5, 0x89, 0x00), at256: .indexed(136), at16: .ansi(3), at8: .ansi(3)),
    Rung(color: .rgb(0x85, 0x99, 0x00), at256: .indexed(100), at16: .ansi(3), at8: .ansi(3)),
    Rung(color: .rgb(0x88, 0xc0, 0xd0), at256: .indexed(110), at16: .ansi(6), at8: .ansi(6)),
    Rung(color: .rgb(0xfa, 0xbd, 0x2f), at256: .indexed(214), at16: .ansi(11), at8: .ansi(3)),
    // Dark screen backgrounds become black, never a bright hue (#002b36 is solarized's).
    Rung(color: .rgb(0x00, 0x2b, 0x36), at256: .indexed(234), at16: .ansi(0), at8: .ansi(0)),
    Rung(color: .rgb(0x2e, 0x34, 0x40), at256: .indexed(237), at16: .ansi(0), at8: .ansi(0)),
    Rung(color: .rgb(0x28, 0x28, 0x28), at256: .indexed(235), at16: .ansi(0), at8: .ansi(0)),
    Rung(color: .rgb(0, 0, 70), at256: .indexed(17), at16: .ansi(0), at8: .ansi(0)),
    // Navy is bright enough (95) to stay blue.
    Rung(color: .rgb(0, 0, 95), at256: .indexed(17), at16: .ansi(4), at8: .ansi(4)),
    // Light backgrounds and greys.
    Rung(color: .rgb(0xfa, 0xfa, 0xfa), at256: .indexed(231), at16: .ansi(15), at8: .ansi(7)),
    Rung(color: .rgb(0xa0, 0xa1, 0xa7), at256: .indexed(247), at16: .ansi(8), at8: .ansi(7)),
    Rung(color: .rgb(0x38, 0x3a, 0x42), at256: .indexed(237), at16: .ansi(0), at8: .ansi(0)),
    // Pure colours keep their hue, bright at full intensity.
    Rung(color: .rgb(255, 255, 0), at256: .indexed(226), at16: .ansi(11), at8: .ansi(3)),
    Rung(color: .rgb(0, 255, 255), at256: .indexed(51), at16: .ansi(14), at8: .ansi(6)),
    Rung(color: .default, at256: .default, at16: .default, at8: .default),
  ]

  @Test(arguments: ladder)
  func everyRungOfTheLadder(rung: Rung) {
    #expect(rung.color.mapped(to: .truecolor) == rung.color)
    #expect(rung.color.mapped(to: .indexed256) == rung.at256)
    #expect(rung.color.mapped(to: .ansi16) == rung.at16)
    #expect(rung.color.mapped(to: .ansi8) == rung.at8)
    #expect(rung.color.mapped(to: .monochrome) == .default)
    // 16 to 8 colours only folds the bright half.
    #expect(rung.at16.mapped(to: .ansi8) == rung.at8)
  }

  struct Choice: CustomTestStringConvertible {
    var choice: ColorChoice
    var forced: ColorCapability?
    var colorterm: String?
    var noColor: Bool
    var colors: Int
    var want: ColorCapability
    var testDescription: String {
      "--color \(choice) --colors \(forced.map { "\($0)" } ?? "-") COLORTERM=\(colorterm ?? "-") NO_COLOR=\(noColor) colors=\(colors)"
    }
  }

  static let choices: [Choice] = [
    Choice(choice: .auto, colorterm: "truecolor", noColor: false, colors: 256, want: .truecolor),
    Choice(choice: .auto, colorterm: "24bit", noColor: false, colors: 8, want: .truecolor),
    Choice(choice: .auto, colorterm: nil, noColor: false, colors: 1 << 24, want: .truecolor),
    Choice(choice: .auto, colorterm: nil, noColor: false, colors: 256, want: .indexed256),
    Choice(choice: .auto, colorterm: nil, noColor: false, colors: 16, want: .ansi16),
    Choice(choice: .auto, colorterm: nil, noColor: false, colors: 8, want: .ansi8),
    Choice(choice: .auto, colorterm: nil, noColor: false, colors: -1, want: .monochrome),
    // NO_COLOR wins in auto, is ignored by always, and loses to an explicit --colors.
    Choice(choice: .auto, colorterm: "truecolor", noColor: true, colors: 256, want: .monochrome),
    Choice(choice: .always, colorterm: nil, noColor: true, colors: 256, want: .indexed256),
    Choice(
      choice: .auto, forced: .ansi16, colorterm: nil, noColor: true, colors: 256, want: .ansi16),
    Choice(
      choice: .auto, forced: .ansi8, colorterm: "truecolor", noColor: false, colors: 256,
      want: .ansi8),
    // never beats everything.
    Choice(
      choice: .never, forced: .truecolor, colorterm: "truecolor", noColor: false, colors: 256,
      want: .monochrome),
  ]

  @Test(arguments: choices)
  func capabilityFromFlagsAndEnvironment(c: Choice) {
    let got = ColorCapability.choose(
      c.choice, forced: c.forced, term: "xterm-256color", colorterm: c.colorterm,
      noColor: c.noColor, colors: c.colors)
    #expect(got == c.want)
  }

  @Test func contrastRatios() {
    #expect(abs(Color.rgb(0, 0, 0).contrastRatio(with: .rgb(255, 255, 255)) - 21) < 0.01)
    #expect(Color.rgb(9, 9, 9).contrastRatio(with: .rgb(9, 9, 9)) == 1)
    // WCAG's own example values: #767676 on white is the lightest grey at 4.5:1.
    #expect(abs(Color.rgb(0x76, 0x76, 0x76).contrastRatio(with: .rgb(255, 255, 255)) - 4.54) < 0.01)
    // Symmetric, and ANSI colours use xterm's palette.
    #expect(
      Color.ansi(4).contrastRatio(with: .ansi(0)) == Color.ansi(0).contrastRatio(with: .ansi(4)))
    #expect(abs(Color.ansi(15).contrastRatio(with: .rgb(255, 255, 255)) - 1) < 0.001)
  }

  /// Pairs a theme might use, for the guard's properties below.
  static let sampleColors: [Color] =
    (0..<16).map { Color.ansi(UInt8($0)) }
    + [17, 52, 88, 130, 196, 208, 226, 236, 244, 250].map {
      Color.indexed(UInt8($0))
    } + [
      .rgb(0x00, 0x2b, 0x36), .rgb(0x07, 0x36, 0x42), .rgb(0x58, 0x6e, 0x75),
      .rgb(0x83, 0x94, 0x96),
      .rgb(0xfd, 0xf6, 0xe3), .rgb(0x26, 0x8b, 0xd2), .rgb(0xdc, 0x32, 0x2f),
      .rgb(0xfa, 0xfa, 0xfa),
      .rgb(0x38, 0x3a, 0x42), .rgb(0xa0, 0xa1, 0xa7), .rgb(0x2e, 0x34, 0x40),
      .rgb(0x88, 0xc0, 0xd0),
      .rgb(0xbf, 0x61, 0x6a), .rgb(0x28, 0x28, 0x28), .rgb(0xfa, 0xbd, 0x2f), .rgb(0, 0, 238),
      .rgb(30, 30, 30), .rgb(120, 0, 0), .rgb(0, 90, 0), .rgb(200, 200, 200),
    ]

  @Test(arguments: [ColorCapability.ansi8, .ansi16, .indexed256])
  func mappedPairsAreNeverUnreadable(capability: ColorCapability) {
    for fg in Self.sampleColors {
      for bg in Self.sampleColors where fg != bg {
        let (f, b) = capability.map(foreground: fg, background: bg)
        #expect(b == bg.mapped(to: capability), "the background is only mapped")
        #expect(f != b, "\(fg.snapshotDescription) on \(bg.snapshotDescription)")
        let before = fg.contrastRatio(with: bg)
        let after = f.contrastRatio(with: b)
        let kept = f == fg.mapped(to: capability)
        // Either the mapped pair keeps enough contrast, or the text became black or white
        // with at least 4.5:1 (4:1 with the 8 colours' silver white).
        let floor = capability == .ansi8 ? 4.0 : 4.5
        #expect(
          (kept && after >= ColorCapability.requiredContrast(original: before))
            || (!kept && after >= floor && f == capability.readableForeground(on: b)),
          "\(fg.snapshotDescription) on \(bg.snapshotDescription) at \(capability): \(after)")
      }
    }
  }

  @Test func guardCases() {
    // Solarized blue text on its own background keeps its hue at 16 colours (cyan on black).
    let a = ColorCapability.ansi16.map(
      foreground: .rgb(0x26, 0x8b, 0xd2), background: .rgb(0, 0x2b, 0x36))
    #expect(a.foreground == .ansi(6) && a.background == .ansi(0))
    // Light red on blue is 2.87:1; folded to red on blue in 8 colours it is 1.61:1, below
    // 80 %: the text turns white.
    let b = ColorCapability.ansi8.map(foreground: .rgb(255, 60, 60), background: .rgb(30, 30, 200))
    #expect(b.foreground == .ansi(7) && b.background == .ansi(4))
    // A theme's own faint pair (dark blue on black, 2.2:1) stays as faint, not fainter.
    let f = ColorCapability.ansi8.map(foreground: .rgb(40, 40, 200), background: .rgb(0, 0, 0))
    #expect(f.foreground == .ansi(4) && f.background == .ansi(0))
    // Light theme: grey label on paper folds onto silver in 8 colours: black text.
    let c = ColorCapability.ansi8.map(
      foreground: .rgb(0x69, 0x6c, 0x77), background: .rgb(0xfa, 0xfa, 0xfa))
    #expect(c.foreground == .ansi(0) && c.background == .ansi(7))
    // Unknown terminal colours (default) are never second-guessed; truecolor is untouched.
    let d = ColorCapability.ansi8.map(foreground: .ansi(4), background: .default)
    #expect(d.foreground == .ansi(4) && d.background == .default)
    let e = ColorCapability.truecolor.map(foreground: .rgb(10, 10, 10), background: .rgb(0, 0, 0))
    #expect(e.foreground == .rgb(10, 10, 10))
    #expect(ColorCapability.ansi16.readableForeground(on: .ansi(4)) == .ansi(15))
    #expect(ColorCapability.indexed256.readableForeground(on: .indexed(226)) == .indexed(16))
  }

  struct Parse: CustomTestStringConvertible {
    var text: String
    var want: Color?
    var testDescription: String { "\"\(text)\"" }
  }

  static let parses: [Parse] = [
    Parse(text: "#268bd2", want: .rgb(0x26, 0x8b, 0xd2)),
    Parse(text: "#268BD2", want: .rgb(0x26, 0x8b, 0xd2)),
    Parse(text: "#fff", want: .rgb(255, 255, 255)),
    Parse(text: " #0a0 ", want: .rgb(0, 0xaa, 0)),
    Parse(text: "red", want: .ansi(1)),
    Parse(text: "Bright-Red", want: .ansi(9)),
    Parse(text: "bright_white", want: .ansi(15)),
    Parse(text: "grey", want: .ansi(8)),
    Parse(text: "gray", want: .ansi(8)),
    Parse(text: "default", want: .default),
    Parse(text: "0", want: .ansi(0)),
    Parse(text: "15", want: .ansi(15)),
    Parse(text: "16", want: .indexed(16)),
    Parse(text: "255", want: .indexed(255)),
    Parse(text: "256", want: nil),
    Parse(text: "-1", want: nil),
    Parse(text: "#12345", want: nil),
    Parse(text: "#1234567", want: nil),
    Parse(text: "#gg0000", want: nil),
    Parse(text: "", want: nil),
    Parse(text: "#", want: nil),
    Parse(text: "rgb(1,2,3)", want: nil),
    Parse(text: "bright-", want: nil),
    Parse(text: "0x10", want: nil),
    Parse(text: "١٢", want: nil),
  ]

  @Test(arguments: parses)
  func themeValues(p: Parse) {
    #expect(Color(themeValue: p.text) == p.want)
  }

  @Test func themeValuesRoundTrip() {
    var colors: [Color] = [.default, .rgb(1, 2, 3), .rgb(255, 0, 128)]
    colors += (0..<256).map { $0 < 16 ? Color.ansi(UInt8($0)) : Color.indexed(UInt8($0)) }
    for c in colors { #expect(Color(themeValue: c.themeValue) == c, "\(c.themeValue)") }
  }
}
