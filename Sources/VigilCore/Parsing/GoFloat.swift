/// The number grammar of Prometheus text 0.0.4 and OpenMetrics values (SEMANTICS §9.1, §9.2,
/// §9.9; F2, F3).
///
/// Prometheus parses values with Go's `strconv.ParseFloat` after refusing any `p`, `P` or `_`
/// (so no hex floats and no digit separators), which leaves:
///
/// - decimals `[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?` (`.5`, `5.`, `-0`, `+1e3`);
/// - `inf` and `infinity` in any case, optionally signed (`+Inf`, `-inf`, `Infinity`);
/// - `nan` in any case, unsigned (Go refuses `+nan` and `-nan`).
///
/// A decimal beyond `Double`'s range (`1e400`) is an error, as `ParseFloat` reports `ErrRange`;
/// one too small rounds to zero. Built on ``scanDecimal(_:_:_:json:)`` and
/// ``convert(_:_:)`` (FloatGrammar).
enum GoFloat {
  /// The value of `p[start..<end]`, or nil when it is not in the grammar or overflows.
  static func parse(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Double? {
    if let t = scanDecimal(p, start, end, json: false) {
      if case .number(let v) = convert(t, p) { return v }
      return nil
    }
    guard start < end else { return nil }
    var i = start
    var negative = false
    if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
      negative = p[i] == UInt8(ascii: "-")
      i += 1
    }
    if equalsIgnoringCase(p, i, end, "inf") || equalsIgnoringCase(p, i, end, "infinity") {
      return negative ? -.infinity : .infinity
    }
    if i == start && equalsIgnoringCase(p, i, end, "nan") { return .nan }
    return nil
  }

  /// The same for a string (tests).
  static func parse(_ text: String) -> Double? {
    Array(text.utf8).withUnsafeBytes { parse($0, 0, $0.count) }
  }

  /// Text 0.0.4 timestamps: `[+-]?[0-9]+` milliseconds (Go's `strconv.ParseInt`), as
  /// nanoseconds; nil when malformed or beyond what `Int64` nanoseconds hold.
  static func milliseconds(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int64? {
    var i = start
    var negative = false
    if i < end && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) {
      negative = p[i] == UInt8(ascii: "-")
      i += 1
    }
    guard i < end else { return nil }
    var ms: Int64 = 0
    while i < end {
      let d = p[i] &- 0x30
      guard d < 10 else { return nil }
      let (m, o1) = ms.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(Int64(d))
      if o1 || o2 { return nil }
      ms = a
      i += 1
    }
    let (ns, o) = ms.multipliedReportingOverflow(by: Nanos.millisecond)
    if o { return nil }
    return negative ? -ns : ns
  }

  /// OpenMetrics timestamps: a decimal number of seconds (F9), as nanoseconds truncated toward
  /// zero; nil when malformed, not finite, or out of range.
  static func seconds(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int64? {
    guard let t = scanDecimal(p, start, end, json: false) else { return nil }
    return scaled(t, by: 9)
  }
}
