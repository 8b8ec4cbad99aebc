/// A rule's `baseline:`: compare the window's value with the same series' own recent past
/// instead of (only) a fixed line.
///
/// With `op: ">"` (or `>=`) an instance's condition holds when its value is above
/// `factor × median` of its baseline AND above `floor` (in the signal's unit), and, with
/// `sigmas`, also above `median + sigmas × scale`. With `op: "<"` (or `<=`: a drop, e.g. a rate
/// that collapses) it holds when the value is below `median / factor` while the median itself is
/// above `floor` (a quiet series cannot "drop"). The baseline is the median (and MAD × 1.4826) of
/// the per-minute values of the same measure over `over`, leaving out the newest `gap` minutes
/// and minutes with fewer than `minCount` samples (for a ratio: the group's per-minute
/// `Σnum / Σden`, minutes with `Σden ≥ minCount`). Until `minMinutes` such minutes exist the
/// instance is warming up: it is not evaluated (its condition is false) and says so.
///
/// With `significance` (ratios and rates) the window is also judged by its counts, so a rare event
/// (two or three a minute) neither pages on a chance cluster nor waits for a high floor: see
/// ``breached(counts:baseline:op:)``.
public struct BaselineSpec: Hashable, Sendable {
  /// How far back the baseline reaches (whole minutes, at most the history's hour).
  public var over: Int64
  /// How many times the median the value must exceed (or fall below, for `<`).
  public var factor: Rational
  /// The absolute floor, in the signal's unit.
  public var floor: Rational
  /// Usable minutes needed before the instance is evaluated.
  public var minMinutes: Int
  /// Samples (for a ratio: Σden) a minute needs to count.
  public var minCount: UInt64
  /// The newest minutes left out of the baseline (the change being judged).
  public var gap: Int64
  /// Optional robust-z condition: the value must also lie `sigmas` scales beyond the median.
  public var sigmas: Rational?
  /// Optional count test for a ratio or a rate: the window's count (a ratio's numerator, a
  /// rate's events) must be less likely than this under the baseline (a Poisson tail; e.g.
  /// 1e-6, one minute in a million).
  public var significance: Double?

  public init(
    over: Int64 = Nanos.hour, factor: Rational = Rational(2), floor: Rational = .zero,
    minMinutes: Int = 10, minCount: UInt64 = 20, gap: Int64 = 2 * Nanos.minute,
    sigmas: Rational? = nil, significance: Double? = nil
  ) {
    self.over = over
    self.factor = factor
    self.floor = floor
    self.minMinutes = minMinutes
    self.minCount = minCount
    self.gap = gap
    self.sigmas = sigmas
    self.significance = significance
  }

  /// `over` in whole minutes.
  public var overMinutes: Int { Int(clamping: over / Nanos.minute) }
  /// `gap` in whole minutes.
  public var gapMinutes: Int { Int(clamping: gap / Nanos.minute) }

  /// The aggregates a baseline applies to (those a minute summary can give).
  public static let aggregates = ["p50", "p90", "p95", "p99", "mean", "avg", "rate", "ratio"]

  /// Whether `value` breaches `baseline` for `op` (`>`/`>=` up, `<`/`<=` down).
  public func breached(_ value: Double, baseline b: Baseline, op: AlertOp) -> Bool {
    guard value.isFinite else { return false }
    let f = factor.doubleValue
    let fl = floor.doubleValue
    if op.isDownward {
      guard b.median > fl else { return false }
      let limit = b.median / f
      var cond = op == .less ? value < limit : value <= limit
      if let s = sigmas { cond = cond && value < b.median - s.doubleValue * b.scale }
      return cond
    }
    let limit = f * b.median
    var cond = op == .greater ? value > limit && value > fl : value >= limit && value >= fl
    if let s = sigmas { cond = cond && value > b.median + s.doubleValue * b.scale }
    return cond
  }

  /// How many times the rule's window the count test also looks back (1, 2 and 3 windows, as
  /// far as `window + gap` reaches, so the longest stays out of the baseline): a change too
  /// small to prove in one window is proved over two or three as the events add up.
  public func countWindows(window: Int64) -> [Int64] {
    guard significance != nil, window > 0 else { return [window] }
    return (1...3).map { Int64($0) * window }.filter { $0 == window || $0 <= window + gap }
  }

  /// Whether a ratio breaches `b` judged by its counts: in some window of ``countWindows``
  /// (`counts`, the rule's window first), the ratio `num / den` breaches as in
  /// ``breached(_:baseline:op:)`` AND the count is that unlikely under the baseline: for `>`,
  /// P(X ≥ num) below `significance / windows` with X ~ Poisson(`den × b.median`); for `<`,
  /// P(X ≤ num). Counts that come in bursts (`b.dispersion` φ > 1) are judged as quasi-Poisson
  /// (`num / φ` against a mean of `den × b.median / φ`). False without `significance` (the
  /// evaluator only gathers counts for a spec that has one).
  public func breached(counts: [(num: UInt64, den: UInt64)], baseline b: Baseline, op: AlertOp)
    -> Bool
  {
    guard let alpha = significance, !counts.isEmpty else { return false }
    let each = alpha / Double(counts.count)
    let phi = Swift.max(1, b.dispersion.isFinite ? b.dispersion : 1)
    return counts.contains { c in
      guard c.den > 0 else { return false }
      let n = Double(c.num)
      let d = Double(c.den)
      guard breached(n / d, baseline: b, op: op) else { return false }
      let mean = d * b.median / phi
      let p =
        op.isDownward
        ? PoissonTail.atMost(n / phi, mean: mean)
        : PoissonTail.atLeast(n / phi, mean: mean)
      return p < each
    }
  }
}

/// One baseline instance that is not evaluated yet: its usable minutes so far and the minutes it
/// needs (`min_minutes`).
public struct BaselineWarmUp: Sendable, Equatable {
  public var minutes: Int
  public var needed: Int
  public init(minutes: Int, needed: Int) {
    self.minutes = minutes
    self.needed = needed
  }

  /// `warming up 4 of 10 minutes`.
  public var text: String { "warming up \(minutes) of \(needed) minutes" }
}
