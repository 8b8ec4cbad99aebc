extension AlertTransition {
  /// One headless output line (issue 3), without a trailing newline:
  ///
  /// `{"t":"2026-11-26T10:05:00Z","rule":"CheckoutP99High","labels":{"severity":"page"},`
  /// `"from":"pending","to":"firing","value":2.5}`
  ///
  /// Keys in that fixed order; labels sorted by name (UTF-8 order); `t` in RFC 3339 UTC with the
  /// shortest of 0, 3, 6 or 9 fraction digits that is exact; `value` the shortest round-trip
  /// number (`2`, `0.1`, `1e-05`) or `null` when there is none (or it is not finite). A
  /// `"reason"` key follows only when the transition has one (`MissingSeries`, `NoData`,
  /// `Error`), so ordinary lines are exactly the shape.
  public var jsonLine: String { jsonLine(series: nil) }

  /// ``jsonLine`` with `"series":"<key>"` last (``AlertRule/watchedSeries(labels:)``): what
  /// `vigil check` prints. Every other key keeps its place.
  public func jsonLine(series: String?) -> String {
    var s = "{\"t\":\"" + rfc3339Shortest(t) + "\",\"rule\":"
    appendJSONString(&s, rule)
    s += ",\"labels\":{"
    for (i, l) in labels.labels.enumerated() {
      if i > 0 { s += "," }
      appendJSONString(&s, l.name)
      s += ":"
      appendJSONString(&s, l.value)
    }
    s += "},\"from\":\"" + from.rawValue + "\",\"to\":\"" + to.rawValue + "\",\"value\":"
    s += value.map(formatJSONNumber) ?? "null"
    if let reason {
      s += ",\"reason\":"
      appendJSONString(&s, reason.rawValue)
    }
    if let series {
      s += ",\"series\":"
      appendJSONString(&s, series)
    }
    return s + "}"
  }
}

/// RFC 3339 in UTC with the fewest fraction digits (none, 3, 6 or 9) that keep `t` exact.
public func rfc3339Shortest(_ t: Timestamp) -> String {
  let c = CivilTime(t)
  let digits: Int
  if c.nanosecond == 0 {
    digits = 0
  } else if c.nanosecond % 1_000_000 == 0 {
    digits = 3
  } else if c.nanosecond % 1_000 == 0 {
    digits = 6
  } else {
    digits = 9
  }
  return c.rfc3339(fractionDigits: digits)
}

/// The shortest text that reads back as the same Double, as a JSON number (`2`, not `2.0`);
/// `null` for NaN and infinities, which JSON cannot carry.
public func formatJSONNumber(_ v: Double) -> String {
  guard v.isFinite else { return "null" }
  if v == 0 { return "0" }  // also -0
  var s = v.description  // Swift prints the shortest round-trip form
  if s.hasSuffix(".0") { s.removeLast(2) }
  return s
}

/// Appends `s` as a JSON string: `"` and `\` escaped, `\n`, `\r`, `\t`, `\b`, `\f` short,
/// every scalar `escape` selects as `\uXXXX` (UTF-16 units, so any scalar works), everything
/// else as is. The one JSON string writer: transitions, recordings, `lint-feed`, tests.
public func appendJSONString(
  _ out: inout String, _ s: String, escape: (Unicode.Scalar) -> Bool = isJSONControl
) {
  out += "\""
  for u in s.unicodeScalars {
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case "\u{08}": out += "\\b"
    case "\u{0C}": out += "\\f"
    default:
      if escape(u) {
        for unit in String(u).utf16 {
          let hex = String(unit, radix: 16, uppercase: false)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
      } else {
        out.unicodeScalars.append(u)
      }
    }
  }
  out += "\""
}

/// Control characters (C0, DEL, C1) and the JavaScript line separators: escaped in JSON text.
public func isJSONControl(_ u: Unicode.Scalar) -> Bool {
  u.value < 0x20 || (0x7F..<0xA0).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
}
