/// Number grammars for feeds, parsed from bytes without Foundation.
///
/// `Double(String)` accepts far more than feeds should (`0x10`, `1e400` as +inf, `nan`; see
/// SEMANTICS §9.9), so each token is validated against its format's grammar first and only
/// then converted:
///
/// - ``NumberSyntax/json``: RFC 8259 `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
/// - ``NumberSyntax/decimal`` (CSV, logfmt, numeric strings):
///   `[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?`. No hex, no `_`, no spaces
///   (SEMANTICS F30); `nan`, `inf` and `infinity` (any case, signed) are recognised only to be
///   reported as ``NumberParse/nonFinite``.
///
/// Conversion uses Clinger's exact fast path (a mantissa of at most 2^53 and a power of ten of
/// at most 22, where one IEEE multiplication or division is correctly rounded); anything else
/// goes through the standard library's correctly rounded conversion of a canonical
/// `digitsEexp` string. Magnitudes beyond `Double` are ``NumberParse/outOfRange``; tiny ones
/// round to zero, as `strtod` does.
public enum NumberSyntax: Sendable {
  case json
  case decimal
}

/// The outcome of ``parseNumber(_:syntax:)``.
public enum NumberParse: Equatable, Sendable {
  /// A finite number.
  case number(Double)
  /// Not a number in the grammar.
  case invalid
  /// Well-formed, but too large for a `Double` (e.g. `1e400`).
  case outOfRange
  /// `NaN`, `Inf`, `Infinity` (decimal syntax only).
  case nonFinite
}

/// A validated decimal token: sign, up to 19 significant digits and a power of ten.
struct DecimalToken {
  var negative = false
  /// The first 19 significant digits.
  var mantissa: UInt64 = 0
  var significantDigits = 0
  /// value ≈ mantissa × 10^exponent (exact unless `truncated`).
  var exponent = 0
  /// Non-zero digits were dropped past the 19th.
  var truncated = false
  /// Where the integer and fraction digits are, for the slow path.
  var intRange = 0..<0
  var fracRange = 0..<0
  /// The explicit exponent (saturated to ±10^7).
  var explicitExponent = 0

  /// A rough magnitude: the decimal exponent of the leading digit (0 for 1…9).
  var magnitude: Int { significantDigits + exponent - 1 }
}

private let exactPowersOfTen: [Double] = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
  1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

/// Validates `p[start..<end]` as a number token; nil when it is not in the grammar.
@inline(__always)
func scanDecimal(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, json: Bool)
  -> DecimalToken?
{
  var t = DecimalToken()
  var i = start
  guard i < end else { return nil }
  let first = p[i]
  if first == UInt8(ascii: "-") {
    t.negative = true
    i += 1
  } else if first == UInt8(ascii: "+") && !json {
    i += 1
  }
  // Integer digits.
  let intStart = i
  while i < end {
    let d = p[i] &- 0x30
    if d >= 10 { break }
    if t.mantissa == 0 && d == 0 {
      // leading zero: not significant
    } else if t.significantDigits < 19 {
      t.mantissa = t.mantissa &* 10 &+ UInt64(d)
      t.significantDigits += 1
    } else {
      t.exponent += 1
      if d != 0 { t.truncated = true }
    }
    i += 1
  }
  t.intRange = intStart..<i
  let intDigits = i - intStart
  if json {
    if intDigits == 0 { return nil }
    if intDigits > 1 && p[intStart] == UInt8(ascii: "0") { return nil }
  }
  // Fraction.
  var fracDigits = 0
  if i < end && p[i] == UInt8(ascii: ".") {
    i += 1
    let fracStart = i
    while i < end {
      let d = p[i] &- 0x30
      if d >= 10 { break }
      if t.mantissa == 0 && d == 0 {
        t.exponent -= 1
      } else if t.significantDigits < 19 {
        t.mantissa = t.mantissa &* 10 &+ UInt64(d)
        t.significantDigits += 1
        t.exponent -= 1
      } else if d != 0 {
        t.truncated = true
      }
      i += 1
    }
    fracDigits = i - fracStart
    t.fracRange = fracStart..<i
    if json && fracDigits == 0 { return nil }
  } else {
    t.fracRange = i..<i
  }
  if intDigits + fracDigits == 0 { return nil }
  // Exponent.
  if i < end && (p[i] | 0x20) == UInt8(ascii: "e") {
    i += 1
    var expNegative = false
    if i < end && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) {
      expNegative = p[i] == UInt8(ascii: "-")
      i += 1
    }
    let expStart = i
    var e = 0
    while i < end {
      let d = p[i] &- 0x30
      if d >= 10 { break }
      if e < 10_000_000 { e = e * 10 + Int(d) }
      i += 1
    }
    if i == expStart { return nil }
    t.explicitExponent = expNegative ? -e : e
    t.exponent += t.explicitExponent
  }
  return i == end ? t : nil
}

/// Converts a validated token to a `Double`.
func convert(_ t: DecimalToken, _ p: UnsafeRawBufferPointer) -> NumberParse {
  if t.mantissa == 0 { return .number(t.negative ? -0.0 : 0.0) }
  // Clinger's fast path: exact mantissa and an exactly representable power of ten.
  if !t.truncated && t.mantissa <= 1 << 53 && t.exponent >= -22 && t.exponent <= 22 {
    var v = Double(t.mantissa)
    if t.exponent >= 0 {
      v *= exactPowersOfTen[t.exponent]
    } else {
      v /= exactPowersOfTen[-t.exponent]
    }
    return .number(t.negative ? -v : v)
  }
  if t.magnitude > 309 { return .outOfRange }
  if t.magnitude < -400 { return .number(t.negative ? -0.0 : 0.0) }
  // Slow path: a canonical digits-and-exponent string, which the standard library converts
  // with correct rounding.
  var s = t.negative ? "-" : ""
  s.reserveCapacity(t.intRange.count + t.fracRange.count + 12)
  for k in t.intRange { s.unicodeScalars.append(Unicode.Scalar(p[k])) }
  for k in t.fracRange { s.unicodeScalars.append(Unicode.Scalar(p[k])) }
  s += "e\(t.explicitExponent - t.fracRange.count)"
  guard let v = Double(s) else { return .invalid }
  return v.isFinite ? .number(v) : .outOfRange
}

/// Parses `text` as a number in `syntax`.
///
/// ```swift
/// parseNumber("123.4", syntax: .json)    // .number(123.4)
/// parseNumber("0x10", syntax: .decimal)  // .invalid
/// parseNumber("1e400", syntax: .decimal) // .outOfRange
/// parseNumber("-Inf", syntax: .decimal)  // .nonFinite
/// ```
/// - Complexity: O(n); allocation-free except on the rare slow path.
public func parseNumber(_ text: UnsafeRawBufferPointer, syntax: NumberSyntax) -> NumberParse {
  parseNumber(text, 0, text.count, syntax: syntax)
}

/// Parses `text` as a number in `syntax` (tests and slow paths).
public func parseNumber(_ text: String, syntax: NumberSyntax) -> NumberParse {
  Array(text.utf8).withUnsafeBytes { parseNumber($0, syntax: syntax) }
}

@inline(__always)
func parseNumber(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, syntax: NumberSyntax)
  -> NumberParse
{
  if let t = scanDecimal(p, start, end, json: syntax == .json) { return convert(t, p) }
  if syntax == .decimal && isNonFiniteWord(p, start, end) { return .nonFinite }
  return .invalid
}

/// `nan`, `inf`, `infinity`, any case, optionally signed.
func isNonFiniteWord(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
  var i = start
  if i < end && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
  return equalsIgnoringCase(p, i, end, "nan") || equalsIgnoringCase(p, i, end, "inf")
    || equalsIgnoringCase(p, i, end, "infinity")
}

/// Parses a number token exactly into `value × 10^scale` as an integer, truncating toward
/// zero (numeric timestamps: `1714564800.123` s with scale 9 → ns). Nil on overflow or bad
/// syntax. `approximate` is the value as a `Double`, for guessing a unit by magnitude.
func parseScaledInteger(
  _ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, json: Bool
) -> (token: DecimalToken, approximate: Double)? {
  guard let t = scanDecimal(p, start, end, json: json) else { return nil }
  let approx: Double
  switch convert(t, p) {
  case .number(let v): approx = v
  default: approx = t.negative ? -.infinity : .infinity
  }
  return (t, approx)
}

/// `token × 10^scale`, truncated toward zero; nil on overflow.
func scaled(_ t: DecimalToken, by scale: Int) -> Int64? {
  if t.mantissa == 0 { return 0 }
  let e = t.exponent + scale
  var m = t.mantissa
  if e >= 0 {
    if e > 19 { return nil }
    for _ in 0..<e {
      let (r, o) = m.multipliedReportingOverflow(by: 10)
      if o { return nil }
      m = r
    }
  } else {
    if -e > 19 { return 0 }
    for _ in 0..<(-e) { m /= 10 }
  }
  if t.negative {
    guard m <= UInt64(Int64.max) + 1 else { return nil }
    return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
  }
  guard m <= UInt64(Int64.max) else { return nil }
  return Int64(m)
}
