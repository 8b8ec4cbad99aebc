import VigilCore

/// Renders samples as feed text, for round-trip tests and generators.
public enum FeedRendering {
  /// A JSON string literal; non-ASCII is written as `\u` escapes when `escapeUnicode`.
  public static func jsonString(_ s: String, escapeUnicode: Bool = false) -> String {
    var out = ""
    appendJSONString(&out, s) { $0.value < 0x20 || (escapeUnicode && $0.value >= 0x80) }
    return out
  }

  /// A CSV field, quoted when it holds the delimiter, a quote, CR or LF.
  public static func csvField(_ s: String) -> String {
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
      return "\"" + s.replacingAll("\"", with: "\"\"") + "\""
    }
    return s
  }

  /// A logfmt value: bare when it can be, otherwise quoted with escapes.
  public static func logfmtValue(_ s: String) -> String {
    let needsQuotes =
      s.isEmpty
      || s.unicodeScalars.contains {
        $0.value <= 0x20 || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.value == 0x7F
      }
    guard needsQuotes else { return s }
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default: out.unicodeScalars.append(u)
      }
    }
    return out + "\""
  }

  private static func hex4(_ v: UInt16) -> String {
    let digits = Array("0123456789abcdef")
    return String([
      digits[Int(v >> 12)], digits[Int(v >> 8 & 15)], digits[Int(v >> 4 & 15)], digits[Int(v & 15)],
    ])
  }
}

extension String {
  /// Replaces every occurrence of `target` (no Foundation).
  public func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for c in self { if c == target { out += replacement } else { out.append(c) } }
    return out
  }
}
