import VigilApp
import VigilCore

/// Escaping for the report's HTML and SVG, and its content security policy hash.
///
/// Every string that comes from a recording (labels, notes, marker text, rule names, titles,
/// feed names) goes through ``Markup/escape(_:)`` before it is written: the five markup
/// characters become character references, and characters that could corrupt or disguise the
/// page (C0 and C1 controls, bidi overrides, noncharacters) are shown as visible `\xNN` or
/// `\u{...}` text. The output is well-formed as XML as well as HTML.
public enum Markup {
  /// `s` as text or an attribute value (quoted with `"`).
  public static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for u in s.unicodeScalars {
      switch u {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case "\t", "\n": out += " "
      default:
        if let shown = visibleEscape(u) {
          out += shown
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out
  }

  /// How a character that must not appear raw is shown, or nil when it may.
  static func visibleEscape(_ u: Unicode.Scalar) -> String? {
    let v = u.value
    if v < 0x20 || v == 0x7F { return "\\x" + hex(v, digits: 2) }
    if (0x80...0x9F).contains(v) || isBidiControl(v) || isNoncharacter(v) {
      return "\\u{" + hex(v, digits: 4) + "}"
    }
    return nil
  }

  static func isBidiControl(_ v: UInt32) -> Bool {
    v == 0x061C || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v)
      || (0x2066...0x2069).contains(v)
  }

  static func isNoncharacter(_ v: UInt32) -> Bool {
    (0xFDD0...0xFDEF).contains(v) || v & 0xFFFE == 0xFFFE
  }

  static func hex(_ v: UInt32, digits: Int) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
  }

  /// `s` cut to `limit` characters (with `…`), then escaped: for chart labels.
  public static func escape(_ s: String, limit: Int) -> String {
    escape(s.count > limit ? String(s.prefix(max(1, limit - 1))) + "…" : s)
  }

  /// The CSP source for an inline script: `'sha256-…'` of its exact text.
  static func scriptHash(_ script: String) -> String {
    "'sha256-" + Base64.encode(SHA256.hash(Array(script.utf8))) + "'"
  }
}
