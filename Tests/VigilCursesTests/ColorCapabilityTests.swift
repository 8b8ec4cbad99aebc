import Testing
import VigilRender

@Suite struct ColorCapabilityTests {
  @Test func detectFollowsNoColorThenColortermThenColorCount() {
    typealias C = ColorCapability
    #expect(
      C.detect(term: "xterm-256color", colorterm: nil, noColor: false, colors: 256) == .indexed256)
    #expect(
      C.detect(term: "xterm-256color", colorterm: "truecolor", noColor: false, colors: 256)
        == .truecolor)
    #expect(C.detect(term: "xterm", colorterm: "24bit", noColor: false, colors: 8) == .truecolor)
    #expect(
      C.detect(term: "xterm", colorterm: "TrueColor", noColor: false, colors: 8) == .truecolor)
    #expect(
      C.detect(term: "xterm-256color", colorterm: "truecolor", noColor: true, colors: 256)
        == .monochrome)
    #expect(C.detect(term: "xterm-16color", colorterm: nil, noColor: false, colors: 16) == .ansi16)
    #expect(C.detect(term: "screen", colorterm: "", noColor: false, colors: 8) == .ansi8)
    #expect(C.detect(term: "linux", colorterm: "rxvt", noColor: false, colors: 8) == .ansi8)
    #expect(C.detect(term: "vt100", colorterm: nil, noColor: false, colors: -1) == .monochrome)
    #expect(
      C.detect(term: "dumb", colorterm: "truecolor", noColor: false, colors: 8) == .monochrome)
    #expect(C.detect(term: nil, colorterm: nil, noColor: false, colors: 0) == .monochrome)
  }

  @Test func maximumForColorCount() {
    #expect(ColorCapability.maximum(forColorCount: 1 << 24) == .truecolor)
    #expect(ColorCapability.maximum(forColorCount: 256) == .indexed256)
    #expect(ColorCapability.maximum(forColorCount: 88) == .ansi16)
    #expect(ColorCapability.maximum(forColorCount: 8) == .ansi8)
    #expect(ColorCapability.maximum(forColorCount: -1) == .monochrome)
    #expect(ColorCapability.monochrome < .ansi8 && .indexed256 < .truecolor)
  }

  @Test func rgbToXterm256() {
    let cap = ColorCapability.indexed256
    #expect(Color.rgb(255, 135, 0).mapped(to: cap) == .indexed(208))  // exact cube colour
    #expect(Color.rgb(95, 135, 175).mapped(to: cap) == .indexed(67))  // exact cube colour
    #expect(Color.rgb(0, 0, 0).mapped(to: cap) == .indexed(16))
    #expect(Color.rgb(255, 255, 255).mapped(to: cap) == .indexed(231))
    #expect(Color.rgb(128, 128, 128).mapped(to: cap) == .indexed(244))  // grey ramp beats cube 102
    #expect(Color.rgb(8, 8, 8).mapped(to: cap) == .indexed(232))
    #expect(Color.rgb(250, 250, 250).mapped(to: cap) == .indexed(231))  // cube white is closer
    #expect(Color.rgb(250, 10, 10).mapped(to: cap) == .indexed(196))
    // Palette colours pass through.
    #expect(Color.ansi(9).mapped(to: cap) == .ansi(9))
    #expect(Color.indexed(42).mapped(to: cap) == .indexed(42))
    #expect(Color.default.mapped(to: cap) == .default)
  }

  @Test func everyCubeAndGreyIndexMapsToItself() {
    for i in 16...255 {
      let (r, g, b) = XtermPalette.xterm256RGB(UInt8(i))
      #expect(Color.rgb(r, g, b).mapped(to: .indexed256) == .indexed(UInt8(i)), "index \(i)")
    }
  }

  @Test func toSixteen() {
    let cap = ColorCapability.ansi16
    #expect(Color.rgb(255, 0, 0).mapped(to: cap) == .ansi(9))
    #expect(Color.rgb(200, 0, 0).mapped(to: cap) == .ansi(1))
    #expect(Color.rgb(128, 128, 128).mapped(to: cap) == .ansi(8))
    #expect(Color.rgb(255, 165, 0).mapped(to: cap) == .ansi(11))  // orange → bright yellow
    #expect(Color.rgb(80, 200, 120).mapped(to: cap) == .ansi(2))  // "OK" green stays green
    #expect(Color.rgb(0, 95, 135).mapped(to: cap) == .ansi(6))
    #expect(Color.rgb(92, 92, 255).mapped(to: cap) == .ansi(12))
    #expect(Color.rgb(200, 0, 200).mapped(to: cap) == .ansi(5))
    #expect(Color.rgb(150, 100, 100).mapped(to: cap) == .ansi(1))
    #expect(Color.rgb(200, 180, 180).mapped(to: cap) == .ansi(7))  // pinkish grey is a grey
    #expect(Color.rgb(250, 250, 250).mapped(to: cap) == .ansi(15))
    // Each ANSI colour's own xterm value maps back to it.
    for i: UInt8 in 0...15 {
      let (r, g, b) = XtermPalette.xterm256RGB(i)
      #expect(Color.rgb(r, g, b).mapped(to: cap) == .ansi(i), "ANSI \(i)")
    }
    #expect(Color.indexed(196).mapped(to: cap) == .ansi(9))
    #expect(Color.indexed(3).mapped(to: cap) == .ansi(3))
    #expect(Color.indexed(236).mapped(to: cap) == .ansi(0))
    #expect(Color.ansi(12).mapped(to: cap) == .ansi(12))
  }

  @Test func toEight() {
    let cap = ColorCapability.ansi8
    #expect(Color.rgb(255, 0, 0).mapped(to: cap) == .ansi(1))
    #expect(Color.ansi(12).mapped(to: cap) == .ansi(4))
    #expect(Color.ansi(15).mapped(to: cap) == .ansi(7))
    // Grey never becomes black: dim text stays visible on a dark terminal.
    #expect(Color.ansi(8).mapped(to: cap) == .ansi(7))
    #expect(Color.rgb(128, 128, 128).mapped(to: cap) == .ansi(7))
    #expect(Color.indexed(244).mapped(to: cap) == .ansi(7))
    #expect(Color.rgb(20, 20, 60).mapped(to: cap) == .ansi(0))
    #expect(Color.indexed(208).mapped(to: cap) == .ansi(3))
    for i in 0...255 {
      guard case .ansi(let n) = Color.indexed(UInt8(i)).mapped(to: cap) else {
        Issue.record("index \(i) did not map to an ANSI colour")
        continue
      }
      #expect(n < 8)
    }
  }

  @Test func monochromeAndTruecolor() {
    for c in [Color.ansi(1), .indexed(200), .rgb(1, 2, 3), .default] {
      #expect(c.mapped(to: .monochrome) == .default)
      #expect(c.mapped(to: .truecolor) == c)
    }
  }

  @Test func pairsThatCollapseKeepReadableText() {
    // Near-black text on black: both become 0, so the text turns white.
    let a = ColorCapability.ansi8.map(foreground: .rgb(30, 30, 30), background: .ansi(0))
    #expect(a.foreground == .ansi(7) && a.background == .ansi(0))
    // White on mid grey in 8 colours: both fold onto 7, so the text turns black.
    let b = ColorCapability.ansi8.map(foreground: .ansi(15), background: .rgb(150, 150, 150))
    #expect(b.foreground == .ansi(0) && b.background == .ansi(7))
    let c = ColorCapability.indexed256.map(foreground: .rgb(1, 1, 1), background: .rgb(2, 2, 2))
    #expect(c.foreground == .indexed(231) && c.background == .indexed(16))
    // Deliberately equal colours (a solid bar) are left alone, and distinct ones untouched.
    let d = ColorCapability.ansi8.map(foreground: .ansi(1), background: .ansi(1))
    #expect(d.foreground == .ansi(1) && d.background == .ansi(1))
    let e = ColorCapability.ansi8.map(foreground: .ansi(2), background: .default)
    #expect(e.foreground == .ansi(2) && e.background == .default)
    let f = ColorCapability.monochrome.map(foreground: .ansi(2), background: .ansi(4))
    #expect(f.foreground == .default && f.background == .default)
  }
}
