#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Tails of the Poisson distribution, for judging counts: is `n` events in a window, where the
/// baseline expects `mean`, more (or fewer) than chance gives? A rare-event ratio (2 or 3
/// mismatches a minute) cannot be judged by its ratio alone: 7 instead of 2.5 is a 3x ratio and
/// happens by chance in one minute in 200.
///
/// Counts may be fractional (a count divided by an over-dispersion factor): the tails are the
/// regularized incomplete gamma functions, which extend them to real `x`.
public enum PoissonTail {
  /// P(X ≥ x) for X ~ Poisson(`mean`): 1 for `x ≤ 0`, 0 for a zero mean and `x > 0`.
  public static func atLeast(_ x: Double, mean: Double) -> Double {
    if x.isNaN || mean.isNaN || x <= 0 || mean == .infinity { return 1 }
    if mean <= 0 || x == .infinity { return 0 }
    // P(X ≥ x) = P(a = x, mean): the lower regularized gamma.
    return regularized(a: x, x: mean).lower
  }

  /// P(X ≤ x) for X ~ Poisson(`mean`): 0 for `x < 0`, 1 for a zero mean.
  public static func atMost(_ x: Double, mean: Double) -> Double {
    if x.isNaN || mean.isNaN || mean <= 0 || x == .infinity { return 1 }
    if x < 0 || mean == .infinity { return 0 }
    // P(X ≤ x) = Q(x + 1, mean) = 1 − P(x + 1, mean).
    return regularized(a: x + 1, x: mean).upper
  }

  /// P(a, x) and Q(a, x) = 1 − P(a, x), the regularized incomplete gamma functions (a > 0,
  /// x > 0), each computed directly where it is the small one: a series below
  /// `a + 1`, a continued fraction above (Numerical Recipes §6.2), and the Wilson-Hilferty
  /// normal approximation where `a` is so large (over a million) that either would take long.
  static func regularized(a: Double, x: Double) -> (lower: Double, upper: Double) {
    if a > 1e6 {
      let v = 1 / (9 * a)
      let z = (cbrt(x / a) - (1 - v)) / v.squareRoot()
      return (0.5 * erfc(-z / 2.0.squareRoot()), 0.5 * erfc(z / 2.0.squareRoot()))
    }
    let logPrefix = -x + a * log(x) - lgamma(a)
    if x < a + 1 {
      var term = 1 / a
      var sum = term
      var ap = a
      for _ in 0..<100_000 {
        ap += 1
        term *= x / ap
        sum += term
        if abs(term) < abs(sum) * 1e-15 { break }
      }
      let p = min(1, max(0, sum * exp(logPrefix)))
      return (p, 1 - p)
    }
    // Modified Lentz for the continued fraction of Q(a, x).
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var h = d
    for i in 1...100_000 {
      let an = -Double(i) * (Double(i) - a)
      b += 2
      d = an * d + b
      if abs(d) < tiny { d = tiny }
      c = b + an / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-15 { break }
    }
    let q = min(1, max(0, exp(logPrefix) * h))
    return (1 - q, q)
  }
}
