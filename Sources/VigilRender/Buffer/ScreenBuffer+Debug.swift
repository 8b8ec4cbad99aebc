// The golden snapshot format: cell text plus a style legend, never escape bytes (ratatui's
// Buffer Debug output is the model).

extension ScreenBuffer: CustomDebugStringConvertible {
  /// The same text as ``snapshot()``, so failing `#expect(a == b)` shows both grids.
  public var debugDescription: String { snapshot() }

  /// A plain-text picture of the buffer for golden files and test failures.
  ///
  /// The first line gives the size. Then each row's text follows in double quotes (a wide
  /// character appears once and covers two columns). If any cell is styled, a legend follows
  /// that gives each distinct style a letter (`a`–`z`, `A`–`Z`, `0`–`9`, in order of first
  /// appearance, row by row), then a grid of the same size with each cell's letter, `.` for
  /// the plain style. An unstyled buffer ends with `styles: plain`.
  ///
  /// ```text
  /// ScreenBuffer 8x2
  /// "┌ db ──┐"
  /// "└──────┘"
  /// styles:
  ///   a: fg=cyan bold
  ///   b: fg=cyan
  /// "abbbbbba"
  /// "aaaaaaaa"
  /// ```
  public func snapshot() -> String {
    var out = "ScreenBuffer \(width)x\(height)\n"
    for line in lines() { out += "\"\(line)\"\n" }
    var letters: [Style: Character] = [.plain: "."]
    var legend: [(Character, Style)] = []
    for cell in cells where letters[cell.style] == nil {
      let letter = styleLetter(legend.count)
      letters[cell.style] = letter
      legend.append((letter, cell.style))
    }
    if legend.isEmpty { return out + "styles: plain\n" }
    out += "styles:\n"
    for (letter, style) in legend { out += "  \(letter): \(style.snapshotDescription)\n" }
    for y in 0..<height {
      var row = "\""
      for x in 0..<width { row.append(letters[cells[y * width + x].style] ?? "?") }
      out += row + "\"\n"
    }
    return out
  }
}

private let styleLetters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

private func styleLetter(_ index: Int) -> Character {
  index < styleLetters.count ? styleLetters[index] : "?"
}

extension Style {
  /// A short, stable description: `fg=red bg=#1e1e1e bold underline`, or `plain`.
  public var snapshotDescription: String {
    var parts: [String] = []
    if foreground != .default { parts.append("fg=\(foreground.snapshotDescription)") }
    if background != .default { parts.append("bg=\(background.snapshotDescription)") }
    let names: [(Attributes, String)] = [
      (.bold, "bold"), (.dim, "dim"), (.reverse, "reverse"), (.underline, "underline"),
      (.italic, "italic"),
    ]
    for (attribute, name) in names where attributes.contains(attribute) { parts.append(name) }
    return parts.isEmpty ? "plain" : parts.joined(separator: " ")
  }
}

extension Color {
  /// `default`, an ANSI name (`red`, `bright-blue`), `idx(236)` or `#1e90ff`.
  public var snapshotDescription: String {
    switch self {
    case .default: return "default"
    case .ansi(let n):
      let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
      if n < 8 { return names[Int(n)] }
      if n < 16 { return "bright-" + names[Int(n) - 8] }
      return "ansi(\(n))"
    case .indexed(let n): return "idx(\(n))"
    case .rgb(let r, let g, let b): return "#" + hex(r) + hex(g) + hex(b)
    }
  }
}

private func hex(_ v: UInt8) -> String {
  let digits = Array("0123456789abcdef")
  return String([digits[Int(v >> 4)], digits[Int(v & 15)]])
}
