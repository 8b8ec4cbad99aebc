/// How many colours a terminal can show, from none to 24-bit, in increasing order.
///
/// Views and themes speak in ``Color`` values of any kind; a backend maps every colour down to
/// its capability with ``Color/mapped(to:)`` (or a foreground/background pair with
/// ``ColorCapability/map(foreground:background:)``, which also keeps the two apart).
///
/// ```swift
/// let cap = ColorCapability.detect(term: "xterm-256color", colorterm: nil, noColor: false, colors: 256)
/// // cap == .indexed256
/// Color.rgb(255, 135, 0).mapped(to: cap)  // .indexed(208)
/// ```
public enum ColorCapability: Int, Comparable, Hashable, Sendable, CaseIterable,
  CustomStringConvertible
{
  /// No colour: styles are carried by attributes only (bold, reverse, underline).
  case monochrome
  /// The 8 basic ANSI colours.
  case ansi8
  /// The 8 basic colours and their 8 bright variants.
  case ansi16
  /// The xterm 256-colour palette: 16 ANSI colours, a 6×6×6 cube, and a 24-step grey ramp.
  case indexed256
  /// Any 24-bit colour.
  case truecolor

  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

  public var description: String {
    switch self {
    case .monochrome: "monochrome"
    case .ansi8: "8"
    case .ansi16: "16"
    case .indexed256: "256"
    case .truecolor: "truecolor"
    }
  }

  /// Decides the capability from environment values the caller read (nothing is read here).
  ///
  /// In order: `NO_COLOR` set (to anything non-empty, per no-color.org) → monochrome;
  /// `COLORTERM` of `truecolor` or `24bit` → truecolor; otherwise the terminfo colour count:
  /// ≥ 2²⁴ (a direct-colour entry such as `xterm-direct`) → truecolor, ≥ 256 → indexed256,
  /// ≥ 16 → ansi16, ≥ 8 → ansi8, else monochrome. `term` is accepted for
  /// the record and for a `dumb` terminal, which is always monochrome.
  ///
  /// - Parameters:
  ///   - term: `TERM`, or nil when unset.
  ///   - colorterm: `COLORTERM`, or nil when unset.
  ///   - noColor: whether `NO_COLOR` is set to a non-empty value.
  ///   - colors: the terminal's colour count (terminfo `colors`, ncurses `COLORS`; −1 or 0 for
  ///     none).
  public static func detect(term: String?, colorterm: String?, noColor: Bool, colors: Int)
    -> ColorCapability
  {
    if noColor || term == "dumb" { return .monochrome }
    switch colorterm?.lowercased() {
    case "truecolor", "24bit": return .truecolor
    default: break
    }
    if colors >= 1 << 24 { return .truecolor }
    if colors >= 256 { return .indexed256 }
    if colors >= 16 { return .ansi16 }
    if colors >= 8 { return .ansi8 }
    return .monochrome
  }

  /// The most a terminal with `colors` colours can show (`colors` ≥ 2²⁴ means direct colour).
  public static func maximum(forColorCount colors: Int) -> ColorCapability {
    detect(term: nil, colorterm: nil, noColor: false, colors: colors)
  }

  /// Decides the capability from the user's choice (`--color`, `--colors`) and the terminal.
  ///
  /// `never` is monochrome whatever else is set; a forced capability (`--colors`) beats
  /// `NO_COLOR` and `COLORTERM`; `always` ignores `NO_COLOR`; `auto` honours it. The result is
  /// still capped by the backend at what the terminfo entry can show.
  public static func choose(
    _ choice: ColorChoice, forced: ColorCapability?, term: String?, colorterm: String?,
    noColor: Bool, colors: Int
  ) -> ColorCapability {
    switch choice {
    case .never: return .monochrome
    case .always, .auto:
      if let forced { return forced }
      return detect(
        term: term, colorterm: colorterm, noColor: choice == .auto && noColor, colors: colors)
    }
  }

  /// The contrast a mapped pair must keep: 80 % of the smaller of its original contrast and
  /// 3:1 (WCAG's floor for large and secondary text). A theme's own low-contrast pair (a faint
  /// border) may stay faint; mapping never makes a pair much fainter than the theme drew it.
  public static func requiredContrast(original: Double) -> Double {
    min(3, original) * 0.8
  }

  /// Maps a foreground/background pair down to this capability, keeping text readable.
  ///
  /// Each colour is mapped with ``Color/mapped(to:)``. When both colours are known (neither is
  /// `.default`) and differ, the mapped pair must stay readable: if the two collapse onto the
  /// same colour (dark blue text on a black-ish background in 8 colours, say), or their
  /// contrast falls below ``requiredContrast(original:)``, the foreground is replaced by black
  /// or white of this capability's palette, whichever contrasts more with the background (at
  /// least 4.5:1 against any background; 4:1 with the 8 colours' silver white). Deliberately equal colours (a solid bar) are kept.
  public func map(foreground: Color, background: Color) -> (foreground: Color, background: Color) {
    let fg = foreground.mapped(to: self)
    let bg = background.mapped(to: self)
    guard self != .monochrome, fg != .default, bg != .default, foreground != background else {
      return (fg, bg)
    }
    if fg != bg {
      let before = foreground.contrastRatio(with: background)
      if fg.contrastRatio(with: bg) >= Self.requiredContrast(original: before) { return (fg, bg) }
    }
    return (readableForeground(on: bg), bg)
  }

  /// Black or white in this capability's palette, whichever contrasts more with `background`.
  public func readableForeground(on background: Color) -> Color {
    let (black, white): (Color, Color)
    switch self {
    case .monochrome: return .default
    case .ansi8: (black, white) = (.ansi(0), .ansi(7))
    case .ansi16: (black, white) = (.ansi(0), .ansi(15))
    case .indexed256: (black, white) = (.indexed(16), .indexed(231))
    case .truecolor: (black, white) = (.rgb(0, 0, 0), .rgb(255, 255, 255))
    }
    return black.contrastRatio(with: background) >= white.contrastRatio(with: background)
      ? black : white
  }
}

/// What `--color` asks for: colour when the terminal has it (honouring `NO_COLOR`), colour
/// even with `NO_COLOR` set, or none.
public enum ColorChoice: String, Hashable, Sendable, CaseIterable {
  case auto, always, never
}

extension Color {
  /// This colour as a terminal with `capability` can show it.
  ///
  /// The ladder goes down one step at a time:
  /// - **truecolor**: unchanged.
  /// - **indexed256**: `.rgb` becomes the nearest xterm-256 colour among the 6×6×6 cube and the
  ///   grey ramp (indices 16–255; the 16 ANSI colours are skipped because users retheme them).
  ///   The cube level and grey step closest to each channel are found by thresholds (as tmux
  ///   does), and of the two candidates the one at the smaller squared RGB distance wins.
  /// - **ansi16**: `.indexed` and `.rgb` become the closest of the 16 ANSI colours: greys by
  ///   brightness, other colours by hue (see ``XtermPalette/nearestANSI16(_:_:_:)``), because
  ///   RGB distance turns many greens and blues grey; `.indexed(0...15)` is the ANSI colour
  ///   itself.
  /// - **ansi8**: as ansi16, then bright colours 9–15 fold onto 1–7. Bright black (8, dark
  ///   grey) folds onto 7, not 0: a grey must not turn into black, or dim text on a dark
  ///   terminal disappears.
  /// - **monochrome**: `.default` (the backend shows emphasis with attributes instead).
  ///
  /// `.default` is never changed. Complexity: O(1) (at most 16 distance computations).
  public func mapped(to capability: ColorCapability) -> Color {
    if case .default = self { return self }
    switch capability {
    case .truecolor:
      return self
    case .indexed256:
      switch self {
      case .rgb(let r, let g, let b): return .indexed(XtermPalette.nearestXterm256(r, g, b))
      default: return self
      }
    case .ansi16:
      return .ansi(ansi16Index)
    case .ansi8:
      let i = ansi16Index
      if i == 8 { return .ansi(7) }
      return .ansi(i & 7)
    case .monochrome:
      return .default
    }
  }

  /// The nearest of the 16 ANSI colours (0–15).
  private var ansi16Index: UInt8 {
    switch self {
    case .default: return 7
    case .ansi(let n): return n & 15
    case .indexed(let n) where n < 16: return n
    case .indexed, .rgb:
      let (r, g, b) = approximateRGB
      return XtermPalette.nearestANSI16(r, g, b)
    }
  }

  /// The colour's RGB value in xterm's default palette (`.default` counts as mid grey).
  package var approximateRGB: (UInt8, UInt8, UInt8) {
    switch self {
    case .default: return (128, 128, 128)
    case .ansi(let n): return XtermPalette.xterm256RGB(n & 15)
    case .indexed(let n): return XtermPalette.xterm256RGB(n)
    case .rgb(let r, let g, let b): return (r, g, b)
    }
  }
}

/// The xterm palette and nearest-colour searches behind ``Color/mapped(to:)``.
package enum XtermPalette {
  /// xterm's default values for the 16 ANSI colours.
  static let ansi: [(UInt8, UInt8, UInt8)] = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
    (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
    (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
  ]
  /// The six channel levels of the 6×6×6 cube.
  static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

  /// The RGB value of an xterm-256 palette index.
  package static func xterm256RGB(_ index: UInt8) -> (UInt8, UInt8, UInt8) {
    let i = Int(index)
    if i < 16 { return ansi[i] }
    if i < 232 {
      let c = i - 16
      return (
        UInt8(cubeLevels[c / 36]), UInt8(cubeLevels[(c / 6) % 6]), UInt8(cubeLevels[c % 6])
      )
    }
    let v = UInt8(8 + 10 * (i - 232))
    return (v, v, v)
  }

  /// The index (16–255) of the nearest cube or grey-ramp colour.
  package static func nearestXterm256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
    func cubeStep(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
    let (ri, gi, bi) = (Int(r), Int(g), Int(b))
    let qr = cubeStep(ri)
    let qg = cubeStep(gi)
    let qb = cubeStep(bi)
    let cr = cubeLevels[qr]
    let cg = cubeLevels[qg]
    let cb = cubeLevels[qb]
    let cubeIndex = 16 + 36 * qr + 6 * qg + qb
    if cr == ri && cg == gi && cb == bi { return UInt8(cubeIndex) }
    let average = (ri + gi + bi) / 3
    let greyStep = average > 238 ? 23 : max(0, (average - 3) / 10)
    let grey = 8 + 10 * greyStep
    let cubeDistance = distance(ri, gi, bi, cr, cg, cb)
    let greyDistance = distance(ri, gi, bi, grey, grey, grey)
    return greyDistance < cubeDistance ? UInt8(232 + greyStep) : UInt8(cubeIndex)
  }

  /// The closest of the 16 ANSI colours, by hue rather than by RGB distance.
  ///
  /// Plain RGB distance sends many status colours to grey: (80, 200, 120), a typical "OK"
  /// green, is closer to grey 8 than to green 2 in xterm's palette. So a colour whose chroma
  /// (max − min channel) is below 48 or below a quarter of its brightest channel, or whose
  /// brightest channel is below 80 (too dark to show a hue), counts as a grey and becomes
  /// black, grey, silver or white by its average (cut at the midpoints of 0, 127, 229 and
  /// 255); any other colour keeps its hue: the nearest of red, yellow, green,
  /// cyan, blue and magenta (60° apart), bright when its brightest channel is at least 240
  /// (xterm's normal colours top out at 205, or 238 for blue; the bright ones at 255).
  package static func nearestANSI16(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
    let (ri, gi, bi) = (Int(r), Int(g), Int(b))
    let hi = max(ri, gi, bi)
    let lo = min(ri, gi, bi)
    let chroma = hi - lo
    // A dark teal screen background (#002b36) must become black, not xterm's bright cyan.
    if chroma < 48 || chroma * 4 < hi || hi < 80 {
      let average = (ri + gi + bi) / 3
      return average < 64 ? 0 : average < 178 ? 8 : average < 242 ? 7 : 15
    }
    // Hue in sixths of a turn, times `chroma` to stay in integers: 0 red, 1 yellow, 2 green,
    // 3 cyan, 4 blue, 5 magenta.
    let scaled: Int
    if hi == ri {
      scaled = (gi - bi + 6 * chroma) % (6 * chroma)
    } else if hi == gi {
      scaled = 2 * chroma + (bi - ri)
    } else {
      scaled = 4 * chroma + (ri - gi)
    }
    let sector = ((2 * scaled + chroma) / (2 * chroma)) % 6  // rounded to the nearest sixth
    let ansiForSector: [UInt8] = [1, 3, 2, 6, 4, 5]
    return ansiForSector[sector] + (hi >= 240 ? 8 : 0)
  }

  /// Perceived brightness, 0–255 (ITU-R BT.601 weights).
  package static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
    (299 * Int(r) + 587 * Int(g) + 114 * Int(b)) / 1000
  }

  static func distance(_ r1: Int, _ g1: Int, _ b1: Int, _ r2: Int, _ g2: Int, _ b2: Int) -> Int {
    let dr = r1 - r2
    let dg = g1 - g2
    let db = b1 - b2
    return dr * dr + dg * dg + db * db
  }
}
