/// Nanoseconds since the Unix epoch: the only time representation in VigilCore.
///
/// Durations are plain `Int64` nanoseconds (see ``Nanos``), so arithmetic on times never goes
/// through floating point.
public struct Timestamp: Comparable, Hashable, Sendable, Codable, CustomStringConvertible {
  /// Nanoseconds since 1970-01-01T00:00:00Z.
  public var nanoseconds: Int64

  /// Creates a timestamp from nanoseconds since the epoch.
  public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

  /// Creates a timestamp from whole seconds since the epoch.
  public static func seconds(_ s: Int64) -> Timestamp { Timestamp(nanoseconds: s * Nanos.second) }

  /// Creates a timestamp from milliseconds since the epoch.
  public static func milliseconds(_ ms: Int64) -> Timestamp {
    Timestamp(nanoseconds: ms * Nanos.millisecond)
  }

  /// This time moved by `ns` nanoseconds.
  public func adding(_ ns: Int64) -> Timestamp { Timestamp(nanoseconds: nanoseconds &+ ns) }

  /// Nanoseconds from `other` to `self`.
  public func since(_ other: Timestamp) -> Int64 { nanoseconds &- other.nanoseconds }

  /// Seconds since the epoch as a Double (for display and rates only).
  public var secondsDouble: Double { Double(nanoseconds) / 1e9 }

  public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }

  /// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-26T10:00:00.123Z`.
  public var description: String { CivilTime(self).rfc3339(fractionDigits: 3) }
}

/// Duration constants in nanoseconds.
public enum Nanos {
  public static let microsecond: Int64 = 1_000
  public static let millisecond: Int64 = 1_000_000
  public static let second: Int64 = 1_000_000_000
  public static let minute: Int64 = 60 * second
  public static let hour: Int64 = 60 * minute
  public static let day: Int64 = 24 * hour

  /// A short human form: `250ms`, `10s`, `5m`, `1h30m`.
  public static func format(_ ns: Int64) -> String {
    if ns == 0 { return "0s" }
    if ns == .min { return "-" + format(.max) }  // -Int64.min traps; a nanosecond apart
    if ns < 0 { return "-" + format(-ns) }
    if ns < second {
      if ns % millisecond == 0 { return "\(ns / millisecond)ms" }
      return "\(ns / microsecond)us"
    }
    var rest = ns / second
    var out = ""
    let h = rest / 3600
    if h > 0 { out += "\(h)h"; rest -= h * 3600 }
    let m = rest / 60
    if m > 0 { out += "\(m)m"; rest -= m * 60 }
    if rest > 0 || out.isEmpty { out += "\(rest)s" }
    return out
  }

  /// Parses a duration such as `500ms`, `10s`, `5m`, `1h30m`, `2d`; nil when malformed.
  public static func parse(_ text: String) -> Int64? {
    var total: Int64 = 0
    var digits: Int64 = 0
    var sawDigit = false
    var unit = ""
    var any = false
    func flush() -> Bool {
      guard sawDigit else { return false }
      let mult: Int64
      switch unit {
      case "ns": mult = 1
      case "us", "µs": mult = microsecond
      case "ms": mult = millisecond
      case "s": mult = second
      case "m": mult = minute
      case "h": mult = hour
      case "d": mult = day
      default: return false
      }
      let (p, o) = digits.multipliedReportingOverflow(by: mult)
      if o { return false }
      total += p
      digits = 0
      sawDigit = false
      unit = ""
      any = true
      return true
    }
    for ch in text {
      if let d = ch.wholeNumberValue, ch.isASCII {
        if !unit.isEmpty { guard flush() else { return nil } }
        let (m, o1) = digits.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(Int64(d))
        if o1 || o2 { return nil }
        digits = a
        sawDigit = true
      } else {
        unit.append(ch)
      }
    }
    guard flush(), any else { return nil }
    return total
  }
}
