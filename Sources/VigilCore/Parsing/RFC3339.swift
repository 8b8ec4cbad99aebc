/// RFC 3339 §5.6 timestamps, parsed from bytes into integer nanoseconds (SEMANTICS §9.6).
///
/// Accepted: `YYYY-MM-DD` then `T`, `t` or a space, then `HH:MM:SS`, an optional fraction of
/// any length (the first 9 digits are kept, the rest truncated), then `Z`, `z` or `±hh:mm`.
/// `-00:00` (offset unknown) is taken as UTC. A `:60` leap second rolls over into the next
/// minute (F23: `2016-12-31T23:59:60Z` is `2017-01-01T00:00:00Z`). A time without an offset
/// is ``RFC3339Result/noOffset`` (F24). Dates are checked (month lengths, leap years); times
/// outside what `Int64` nanoseconds hold (years before 1677 or after 2262) are
/// ``RFC3339Result/outOfRange``.
public enum RFC3339Result: Equatable, Sendable {
  case timestamp(Timestamp)
  /// A well-formed local time with no `Z` or offset.
  case noOffset
  /// Not RFC 3339; the string says what is wrong.
  case invalid(String)
  /// A valid time that `Timestamp` cannot hold.
  case outOfRange
}

public enum RFC3339 {
  /// Parses `text` (the whole buffer).
  public static func parse(_ text: UnsafeRawBufferPointer) -> RFC3339Result {
    parse(text, 0, text.count)
  }

  /// Parses `text` (tests and slow paths).
  public static func parse(_ text: String) -> RFC3339Result {
    Array(text.utf8).withUnsafeBytes { parse($0) }
  }

  /// Whether `p[start..<end]` looks like an attempt at a date (`DDDD-`), so that errors can
  /// be reported as timestamp errors rather than number errors.
  static func looksLikeDate(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
    end - start >= 5 && isDigit(p[start]) && isDigit(p[start + 1]) && isDigit(p[start + 2])
      && isDigit(p[start + 3]) && p[start + 4] == UInt8(ascii: "-")
  }

  static func parse(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> RFC3339Result {
    var i = start
    @inline(__always) func digits(_ n: Int) -> Int? {
      guard i + n <= end else { return nil }
      var v = 0
      for k in 0..<n {
        let d = p[i + k] &- 0x30
        guard d < 10 else { return nil }
        v = v * 10 + Int(d)
      }
      i += n
      return v
    }
    @inline(__always) func expect(_ c: UInt8) -> Bool {
      guard i < end && p[i] == c else { return false }
      i += 1
      return true
    }
    guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2),
      expect(UInt8(ascii: "-")), let day = digits(2)
    else { return .invalid("expected a date as YYYY-MM-DD") }
    guard month >= 1 && month <= 12 else { return .invalid("month \(month) is out of range") }
    guard day >= 1 && day <= daysIn(month: month, year: year) else {
      return .invalid("day \(day) is out of range for the month")
    }
    guard i < end, p[i] == UInt8(ascii: "T") || p[i] == UInt8(ascii: "t") || p[i] == 0x20 else {
      return .invalid("expected T or a space after the date")
    }
    i += 1
    guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2),
      expect(UInt8(ascii: ":")), let second = digits(2)
    else { return .invalid("expected a time as HH:MM:SS") }
    guard hour <= 23, minute <= 59, second <= 60 else {
      return .invalid("time \(hour):\(minute):\(second) is out of range")
    }
    var nanos = 0
    if i < end && p[i] == UInt8(ascii: ".") {
      i += 1
      let fracStart = i
      var scale = 100_000_000
      while i < end, isDigit(p[i]) {
        nanos += Int(p[i] &- 0x30) * scale
        scale /= 10
        i += 1
      }
      guard i > fracStart else { return .invalid("expected digits after the decimal point") }
    }
    guard i < end else { return .noOffset }
    var offsetSeconds = 0
    let z = p[i]
    if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
      i += 1
    } else if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
      i += 1
      guard let oh = digits(2), expect(UInt8(ascii: ":")), let om = digits(2), oh <= 23, om <= 59
      else { return .invalid("expected an offset as ±hh:mm") }
      offsetSeconds = (oh * 3600 + om * 60) * (z == UInt8(ascii: "-") ? -1 : 1)
    } else {
      return .invalid("expected Z or an offset after the time")
    }
    guard i == end else { return .invalid("unexpected characters after the offset") }
    let days = CivilTime.days(fromCivil: year, month, day)
    let seconds =
      days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
    let (ns, o1) = seconds.multipliedReportingOverflow(by: Nanos.second)
    let (total, o2) = ns.addingReportingOverflow(Int64(nanos))
    if o1 || o2 { return .outOfRange }
    return .timestamp(Timestamp(nanoseconds: total))
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2:
      let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
      return leap ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}
