/// Number formatting for panels: short, fixed-width-friendly, no Foundation.
public enum Format {
  /// `v` with exactly `decimals` digits after the point (half away from zero; `decimals` is
  /// taken within 0...15). A billion or more (or a value too large to scale) is written as
  /// ``scientific(_:)``, so no finite value makes a run of twenty digits.
  public static func fixed(_ v: Double, _ decimals: Int) -> String {
    guard v.isFinite else { return v.isNaN ? "NaN" : (v < 0 ? "-Inf" : "Inf") }
    let decimals = min(max(0, decimals), 15)
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(v) * scale).rounded()
    guard scaled < 9.0e18, abs(v) < 1e9 else { return scientific(v) }
    let n = UInt64(clamping: scaled)
    let s = UInt64(clamping: scale)
    var out = String(n / s)
    if decimals > 0 {
      let frac = String(n % s)
      out += "." + String(repeating: "0", count: decimals - frac.count) + frac
    }
    return (v < 0 && n > 0 ? "-" : "") + out
  }

  /// `v` as a mantissa with one decimal and a power of ten: `1.2e29`, `-1.0e300`, `5.0e-324`;
  /// at most nine characters for any finite double (``fixed(_:_:)`` for non-finite values).
  public static func scientific(_ v: Double) -> String {
    guard v.isFinite else { return fixed(v, 0) }
    var m = abs(v)
    var e = 0
    if m != 0 {
      // Powers of ten are exact up to 1e22, so each step costs at most an ulp.
      while m >= 1e16 {
        m /= 1e16
        e += 16
      }
      while m >= 10 {
        m /= 10
        e += 1
      }
      while m < 1e-16 {
        m *= 1e16
        e -= 16
      }
      while m < 1 {
        m *= 10
        e -= 1
      }
    }
    var tenths = Int(clamping: (m * 10).rounded())
    if tenths >= 100 {
      tenths /= 10
      e += 1
    }
    return (v < 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)e\(e)"
  }

  /// A latency given in milliseconds: `0.42ms`, `4.2ms`, `231ms`, `1.23s`, `12.3s`, `2m05s`.
  public static func millis(_ ms: Double?) -> String {
    guard let ms, ms.isFinite else { return "—" }
    let a = abs(ms)
    if a < 1 { return fixed(ms, 2) + "ms" }
    if a < 10 { return fixed(ms, 1) + "ms" }
    if a < 1000 { return fixed(ms, 0) + "ms" }
    if a < 10_000 { return fixed(ms / 1000, 2) + "s" }
    if a < 60_000 { return fixed(ms / 1000, 1) + "s" }
    // Beyond 100,000 minutes (69 days) minutes stop being readable, and beyond about 1.5e20
    // they would not fit an Int: seconds in powers of ten.
    if a >= 5_999_999_999.5 { return scientific(ms / 1000) + "s" }
    let total = Int(clamping: (a / 1000).rounded())
    let sec = total % 60
    return (ms < 0 ? "-" : "") + "\(total / 60)m" + (sec < 10 ? "0" : "") + "\(sec)s"
  }

  /// Events per second: `1234/s`, `12.3/s`, `4.5/m` below one per second, `0/s`.
  public static func rate(_ perSecond: Double?) -> String {
    guard let r = perSecond, r.isFinite else { return "—" }
    if r == 0 { return "0/s" }
    if r >= 100 { return fixed(r, 0) + "/s" }
    if r >= 1 { return fixed(r, 1) + "/s" }
    if r * 60 >= 1 { return fixed(r * 60, 1) + "/m" }
    return fixed(r * 3600, 1) + "/h"
  }

  /// The rates of one table column, all in the unit of the largest (`/s`, `/m` or `/h`), so
  /// a column never mixes `2.4/s` with `30/m`.
  public static func rates(_ values: [Double?]) -> [String] {
    let top = values.compactMap { $0 }.filter(\.isFinite).max() ?? 0
    let (scale, unit) = top >= 1 ? (1.0, "/s") : top * 60 >= 1 ? (60.0, "/m") : (3600.0, "/h")
    return values.map { v in
      guard let r = v, r.isFinite else { return "—" }
      if r == 0 { return "0" + unit }
      let x = r * scale
      if x >= 100 { return fixed(x, 0) + unit }
      if x >= 1 { return fixed(x, 1) + unit }
      // Small rows of a column in a larger unit keep two digits (0.13/s, 0.12/s).
      if x >= 0.005 { return fixed(x, 2) + unit }
      return "<0.01" + unit
    }
  }

  /// Puts `rates` into column `column` of `rows` in one unit (``rates(_:)``).
  public static func rateColumn(_ rows: inout [[String]], _ column: Int, _ rates: [Double?]) {
    for (i, text) in Self.rates(rates).enumerated() where i < rows.count && column < rows[i].count {
      rows[i][column] = text
    }
  }

  /// A ratio as a percentage: `0.05%`, `1.2%`, `14%`.
  public static func percent(_ ratio: Double?) -> String {
    guard let r = ratio, r.isFinite else { return "—" }
    let p = r * 100
    if p == 0 { return "0%" }
    if abs(p) < 1 { return fixed(p, 2) + "%" }
    if abs(p) < 10 { return fixed(p, 1) + "%" }
    return fixed(p, 0) + "%"
  }

  /// A count: `987`, `12.3k`, `4.5M`.
  public static func count(_ v: Double?) -> String {
    guard let v, v.isFinite else { return "—" }
    let a = abs(v)
    if a < 10_000 { return a == a.rounded() ? fixed(v, 0) : fixed(v, 1) }
    if a < 1_000_000 { return fixed(v / 1000, 1) + "k" }
    if a < 1_000_000_000 { return fixed(v / 1_000_000, 1) + "M" }
    if a < 999_950_000_000 { return fixed(v / 1_000_000_000, 1) + "G" }
    return scientific(v)
  }

  /// A generic value: like `count`, but keeps two decimals for small magnitudes.
  public static func value(_ v: Double?) -> String {
    guard let v, v.isFinite else { return "—" }
    let a = abs(v)
    if a != 0 && a < 10 { return fixed(v, 2) }
    if a < 100 && a != a.rounded() { return fixed(v, 1) }
    return count(v)
  }
}
