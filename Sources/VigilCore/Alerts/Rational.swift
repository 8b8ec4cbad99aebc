/// An exact rational number for thresholds, factors and objectives: `±num/den`, `den > 0`,
/// always reduced.
///
/// Decimal text (`14.4`, `0.999`, `2`, `-3.5`, `1e-3`) is parsed straight into a rational, never
/// through `Double` (SEMANTICS §3.4, §5): `14.4` is 72/5 and `14.4 × 0.001` is exactly 9/625.
public struct Rational: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// True for a negative number (never for zero).
  public private(set) var negative: Bool
  public private(set) var num: UInt64
  public private(set) var den: UInt64

  /// `±num/den`, reduced; nil when `den == 0`.
  public init?(negative: Bool = false, _ num: UInt64, _ den: UInt64) {
    guard den > 0 else { return nil }
    let g = gcd(num, den)
    self.num = num / g
    self.den = den / g
    self.negative = negative && num != 0
  }

  /// An integer.
  public init(_ value: Int64) {
    negative = value < 0
    num = value.magnitude
    den = 1
  }

  public static let zero = Rational(0)
  public static let one = Rational(1)

  /// Parses decimal text: `[+-]digits[.digits][(e|E)[+-]digits]`, or `.5`. Nil when malformed
  /// or when the exact value does not fit in 64-bit numerator and denominator.
  public init?(parsing text: String) {
    var bytes = Substring(text).utf8[...]
    var neg = false
    if let f = bytes.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
      neg = f == UInt8(ascii: "-")
      bytes = bytes.dropFirst()
    }
    var mantissa: UInt64 = 0
    var scale = 0  // digits after the point
    var digits = 0
    var seenPoint = false
    var pendingZeros = 0
    var exponent = 0
    while let c = bytes.first {
      if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
        digits += 1
        if seenPoint && c == UInt8(ascii: "0") {
          // Trailing fraction zeros change nothing; apply them only if a digit follows.
          pendingZeros += 1
        } else {
          for _ in 0..<(pendingZeros + 1) {
            let (m, o) = mantissa.multipliedReportingOverflow(by: 10)
            if o { return nil }
            mantissa = m
          }
          let (a, o) = mantissa.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
          if o { return nil }
          mantissa = a
          if seenPoint { scale += pendingZeros + 1 }
          pendingZeros = 0
        }
      } else if c == UInt8(ascii: ".") && !seenPoint {
        seenPoint = true
      } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
        bytes = bytes.dropFirst()
        var expNeg = false
        if let f = bytes.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
          expNeg = f == UInt8(ascii: "-")
          bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty, bytes.count <= 3 else { return nil }
        for d in bytes {
          guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") else { return nil }
          exponent = exponent * 10 + Int(d - UInt8(ascii: "0"))
        }
        if expNeg { exponent = -exponent }
        bytes = bytes[bytes.endIndex...]
        break
      } else {
        return nil
      }
      bytes = bytes.dropFirst()
    }
    guard digits > 0 else { return nil }
    // value = mantissa × 10^(exponent − scale)
    let power = exponent - scale
    var n = mantissa
    var d: UInt64 = 1
    if power >= 0 {
      for _ in 0..<power {
        let (m, o) = n.multipliedReportingOverflow(by: 10)
        if o { return nil }
        n = m
      }
    } else {
      for _ in 0..<(-power) {
        // Reduce as we go so 0.50000000000000000000 still fits.
        if n % 10 == 0 && n > 0 {
          n /= 10
          continue
        }
        let (m, o) = d.multipliedReportingOverflow(by: 10)
        if o { return nil }
        d = m
      }
    }
    self.init(negative: neg, n, d)
  }

  /// The nearest `Double` (for display and for comparing Double-valued aggregates).
  public var doubleValue: Double { (negative ? -1 : 1) * (Double(num) / Double(den)) }

  /// The exact product; nil when it does not fit in 64 bits after reduction.
  public func multiplied(by other: Rational) -> Rational? {
    // Cross-reduce first so 144/10 × 1/1000 stays small.
    let g1 = gcd(num, other.den)
    let g2 = gcd(other.num, den)
    let (n, o1) = (num / g1).multipliedReportingOverflow(by: other.num / g2)
    let (d, o2) = (den / g2).multipliedReportingOverflow(by: other.den / g1)
    if o1 || o2 { return nil }
    return Rational(negative: negative != other.negative, n, d)
  }

  /// `1 − self`; nil when negative or above 1.
  public var complementOfOne: Rational? {
    guard !negative, num <= den else { return nil }
    return Rational(den - num, den)
  }

  public static func < (a: Rational, b: Rational) -> Bool { compare(a, b) < 0 }

  /// Exact three-way comparison using 128-bit cross products.
  public static func compare(_ a: Rational, _ b: Rational) -> Int {
    if a.negative != b.negative { return a.negative ? -1 : 1 }
    let m = compareMagnitudes(a.num, a.den, b.num, b.den)
    return a.negative ? -m : m
  }

  /// The shortest decimal form when one exists with up to 18 fraction digits, else `num/den`.
  public var description: String {
    var d = den
    var twos = 0
    var fives = 0
    while d % 2 == 0 {
      d /= 2
      twos += 1
    }
    while d % 5 == 0 {
      d /= 5
      fives += 1
    }
    let sign = negative ? "-" : ""
    let places = max(twos, fives)
    if d != 1 || places > 18 { return "\(sign)\(num)/\(den)" }
    if places == 0 { return "\(sign)\(num)" }
    var scale: UInt64 = 1
    for _ in 0..<places { scale *= 10 }
    let mult = scale / den
    let full = num.multipliedFullWidth(by: mult)
    guard full.high == 0 else { return "\(sign)\(num)/\(den)" }
    let whole = full.low / scale
    var frac = String(full.low % scale)
    frac = String(repeating: "0", count: places - frac.count) + frac
    while frac.hasSuffix("0") { frac.removeLast() }
    return "\(sign)\(whole)." + frac
  }
}

/// Exact `a/b` vs `c/d` for non-negative integers (`b, d > 0`): -1, 0 or 1. Uses 128-bit cross
/// products, so no input overflows (SEMANTICS §5).
public func compareMagnitudes(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> Int {
  let l = a.multipliedFullWidth(by: d)
  let r = c.multipliedFullWidth(by: b)
  if l.high != r.high { return l.high < r.high ? -1 : 1 }
  if l.low != r.low { return l.low < r.low ? -1 : 1 }
  return 0
}

private func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
  var x = a
  var y = b
  while y != 0 { (x, y) = (y, x % y) }
  return x == 0 ? 1 : x
}
