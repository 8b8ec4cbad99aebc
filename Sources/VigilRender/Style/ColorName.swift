#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Colours by name, as theme files write them, and their contrast.
extension Color {
  /// The names of the 16 ANSI colours, index 0–15 (`bright-black` is also `grey`).
  public static let ansiNames = [
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
    "bright-black", "bright-red", "bright-green", "bright-yellow", "bright-blue",
    "bright-magenta", "bright-cyan", "bright-white",
  ]

  /// Parses a colour as a theme file writes it, or nil.
  ///
  /// Accepted (case-insensitive, surrounding spaces ignored):
  /// - `default`: the terminal's own colour;
  /// - an ANSI name: `red`, `bright-red` (or `bright_red`), `grey`/`gray` for `bright-black`;
  /// - a palette index `0`–`255` (0–15 are the ANSI colours);
  /// - `#RRGGBB` or `#RGB`.
  ///
  /// ```swift
  /// Color(themeValue: "#268bd2")   // .rgb(38, 139, 210)
  /// Color(themeValue: "bright-red") // .ansi(9)
  /// Color(themeValue: "236")       // .indexed(236)
  /// ```
  public init?(themeValue text: String) {
    let s = text.trimmingSpaces().lowercased().replacingUnderscores()
    if s == "default" {
      self = .default
      return
    }
    if s == "grey" || s == "gray" {
      self = .ansi(8)
      return
    }
    if let i = Color.ansiNames.firstIndex(of: s) {
      self = .ansi(UInt8(i))
      return
    }
    if s.hasPrefix("#") {
      let digits = Array(s.utf8.dropFirst())
      guard digits.count == 6 || digits.count == 3 else { return nil }
      var values: [UInt8] = []
      for d in digits {
        guard let v = hexValue(d) else { return nil }
        values.append(v)
      }
      if values.count == 3 {
        self = .rgb(values[0] * 17, values[1] * 17, values[2] * 17)
      } else {
        self = .rgb(
          values[0] * 16 + values[1], values[2] * 16 + values[3], values[4] * 16 + values[5])
      }
      return
    }
    guard !s.isEmpty, s.utf8.count <= 3, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
      let n = Int(s), n <= 255
    else { return nil }
    self = n < 16 ? .ansi(UInt8(n)) : .indexed(UInt8(n))
  }

  /// The colour as a theme file writes it: `default`, an ANSI name, an index or `#rrggbb`.
  public var themeValue: String {
    switch self {
    case .default: return "default"
    case .ansi(let n): return n < 16 ? Color.ansiNames[Int(n)] : "\(n)"
    case .indexed(let n): return n < 16 ? Color.ansiNames[Int(n)] : "\(n)"
    case .rgb: return snapshotDescription
    }
  }

  /// WCAG 2 relative luminance (0 black … 1 white) of ``approximateRGB``.
  public var relativeLuminance: Double {
    let (r, g, b) = approximateRGB
    func linear(_ c: UInt8) -> Double {
      let v = Double(c) / 255
      return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
  }

  /// The WCAG 2 contrast ratio between this colour and `other`: 1 (none) to 21 (black on
  /// white). Body text wants at least 4.5, large or secondary text 3.
  public func contrastRatio(with other: Color) -> Double {
    let a = relativeLuminance
    let b = other.relativeLuminance
    return (Swift.max(a, b) + 0.05) / (Swift.min(a, b) + 0.05)
  }
}

private func hexValue(_ c: UInt8) -> UInt8? {
  switch c {
  case 0x30...0x39: return c - 0x30
  case 0x61...0x66: return c - 0x61 + 10
  default: return nil
  }
}

extension String {
  fileprivate func trimmingSpaces() -> String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" { s.removeLast() }
    return String(s)
  }

  fileprivate func replacingUnderscores() -> String {
    String(map { $0 == "_" ? "-" : $0 })
  }
}
