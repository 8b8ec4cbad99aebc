#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exact quantile oracle: keeps every (value, weight) and answers nearest-rank quantiles by
/// sorting. Written independently of the sketch so tests can compare the two.
public struct ExactQuantiles: Sendable {
  public private(set) var values: [(value: Double, weight: UInt64)] = []
  private var sorted = true

  public init() {}

  public init<S: Sequence>(_ values: S) where S.Element == Double {
    for v in values { add(v) }
  }

  public mutating func add(_ value: Double, weight: UInt64 = 1) {
    guard weight > 0 else { return }
    if let last = values.last, last.value > value { sorted = false }
    values.append((value, weight))
  }

  /// Total weight.
  public var count: UInt64 { values.reduce(0) { $0 + $1.weight } }

  /// `⌈q·n⌉` clamped to `1...n`, treating a product within a few ulps above an integer as that
  /// integer (so 0.7 × 10 is rank 7, not 8).
  public static func rank(_ q: Double, of n: UInt64) -> UInt64 {
    precondition(n > 0)
    if q <= 0 { return 1 }
    if q >= 1 { return n }
    let x = q * Double(n)
    let nearest = x.rounded()
    if abs(x - nearest) <= 4 * Double.ulpOfOne * x {
      return Swift.min(n, Swift.max(1, UInt64(nearest)))
    }
    return Swift.min(n, Swift.max(1, UInt64(x.rounded(.up))))
  }

  /// The exact nearest-rank quantile `sorted[⌈q·N⌉ − 1]` (weights expanded); nil when empty.
  public func quantile(_ q: Double) -> Double? {
    let n = count
    guard n > 0 else { return nil }
    let r = Self.rank(q, of: n)
    let ordered = sorted ? values : values.sorted { $0.value < $1.value }
    var seen: UInt64 = 0
    for (v, w) in ordered {
      seen += w
      if seen >= r { return v }
    }
    return ordered.last?.value
  }

  /// Several quantiles with one sort.
  public func quantiles(_ qs: [Double]) -> [Double?] {
    let n = count
    guard n > 0 else { return qs.map { _ in nil } }
    let ordered = sorted ? values : values.sorted { $0.value < $1.value }
    var cumulative: [UInt64] = []
    cumulative.reserveCapacity(ordered.count)
    var seen: UInt64 = 0
    for (_, w) in ordered {
      seen += w
      cumulative.append(seen)
    }
    return qs.map { q in
      let r = Self.rank(q, of: n)
      // First index with cumulative ≥ r (binary search).
      var lo = 0
      var hi = cumulative.count - 1
      while lo < hi {
        let mid = (lo + hi) / 2
        if cumulative[mid] >= r { hi = mid } else { lo = mid + 1 }
      }
      return ordered[lo].value
    }
  }

  /// `|estimate − exact| / |exact|` (absolute error when exact is 0).
  public static func relativeError(_ estimate: Double, _ exact: Double) -> Double {
    exact == 0 ? abs(estimate) : abs(estimate - exact) / abs(exact)
  }
}

/// Seeded test distributions (SEMANTICS §8.5, "How to test").
extension SplitMix64 {
  /// A standard normal deviate (Box–Muller).
  public mutating func normal() -> Double {
    let u1 = Swift.max(unit(), 0x1p-60)
    let u2 = unit()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// Lognormal with the given median and σ of the underlying normal.
  public mutating func lognormal(median: Double, sigma: Double) -> Double {
    median * exp(sigma * normal())
  }

  /// Pareto with scale `xm` and shape `alpha` (heavy tail for small alpha).
  public mutating func pareto(xm: Double, alpha: Double) -> Double {
    xm / pow(1 - unit(), 1 / alpha)
  }
}
