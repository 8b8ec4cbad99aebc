/// A UTC calendar breakdown of a ``Timestamp`` (proleptic Gregorian, no leap seconds).
///
/// Uses Howard Hinnant's `days_from_civil` / `civil_from_days`, so it needs no Foundation.
public struct CivilTime: Equatable, Sendable {
  public var year: Int
  public var month: Int
  public var day: Int
  public var hour: Int
  public var minute: Int
  public var second: Int
  public var nanosecond: Int

  /// Breaks `t` down in UTC.
  public init(_ t: Timestamp) {
    let ns = t.nanoseconds
    var secs = ns / Nanos.second
    var frac = ns % Nanos.second
    if frac < 0 {
      frac += Nanos.second
      secs -= 1
    }
    var days = secs / 86_400
    var rem = secs % 86_400
    if rem < 0 {
      rem += 86_400
      days -= 1
    }
    let (y, m, d) = CivilTime.civil(fromDays: days)
    year = y
    month = m
    day = d
    hour = Int(rem / 3600)
    minute = Int(rem % 3600 / 60)
    second = Int(rem % 60)
    nanosecond = Int(frac)
  }

  /// Creates a civil time from its fields (not validated).
  public init(
    year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
    nanosecond: Int = 0
  ) {
    self.year = year
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
    self.nanosecond = nanosecond
  }

  /// The timestamp of these fields taken as UTC; nil on overflow.
  public var timestamp: Timestamp? {
    let days = CivilTime.days(fromCivil: year, month, day)
    let secs = days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    let (ns, o1) = secs.multipliedReportingOverflow(by: Nanos.second)
    let (total, o2) = ns.addingReportingOverflow(Int64(nanosecond))
    if o1 || o2 { return nil }
    return Timestamp(nanoseconds: total)
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date.
  public static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int64 {
    let y = Int64(m <= 2 ? y0 - 1 : y0)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = Int64((m + 9) % 12)
    let doy = (153 * mp + 2) / 5 + Int64(d) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The proleptic Gregorian date of a day count since 1970-01-01.
  public static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
  }

  /// `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
  public func rfc3339(fractionDigits: Int) -> String {
    var s = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
    s += "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
    if fractionDigits > 0 {
      var f = nanosecond
      for _ in 0..<(9 - min(9, fractionDigits)) { f /= 10 }
      s += "." + pad(f, min(9, fractionDigits))
    }
    return s + "Z"
  }

  /// `HH:MM:SS`.
  public var clock: String { "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))" }
}

private func pad(_ v: Int, _ width: Int) -> String {
  let s = String(v < 0 ? -v : v)
  let body = s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
  return v < 0 ? "-" + body : body
}
