/// What a series normally looks like: the median and a robust scale of its per-minute values.
///
/// The scale is the MAD (median absolute deviation) × 1.4826, a normal-consistent sigma that a
/// few outlying minutes do not move; mean and standard deviation are pulled by the very anomaly
/// they should reveal (DIAGNOSIS.md §2).
public struct Baseline: Sendable, Equatable {
  public var median: Double
  /// MAD × 1.4826.
  public var scale: Double
  /// Minutes with data it was computed from.
  public var minutes: Int
  /// For a ratio or rate judged by its counts (``pooled(_:)``): how much more its per-minute
  /// counts vary than Poisson counts would (1 when not more than chance); else 1.
  public var dispersion: Double

  public init(median: Double, scale: Double, minutes: Int, dispersion: Double = 1) {
    self.median = median
    self.scale = scale
    self.minutes = minutes
    self.dispersion = dispersion
  }

  /// The baseline of `values` (non-finite ones skipped); nil when none is left.
  public static func of<S: Sequence<Double>>(_ values: S) -> Baseline? {
    var v = values.filter(\.isFinite)
    guard !v.isEmpty else { return nil }
    let med = median(&v)
    var dev = v.map { abs($0 - med) }
    return Baseline(median: med, scale: median(&dev) * 1.4826, minutes: v.count)
  }

  /// The baseline of a ratio (or rate) from its per-minute counts (`num` events out of `den`,
  /// for a rate out of 60 seconds), for judging
  /// a window by its counts (`baseline.significance`): its centre is the pooled ratio
  /// `(Σnum + 1) / Σden`, not the median of per-minute ratios, which for a rare event (2 or 3 a
  /// minute) is a coarse step (0 or 2/den or 3/den) and far below the rate. Minutes that are
  /// themselves anomalous (a count the median minute's ratio, or the pooled one when that is 0,
  /// gives less than once in 1000 minutes) are left out, so an earlier incident in the hour
  /// does not raise the baseline; the `+ 1` keeps a
  /// spotless hour from making the first event infinitely surprising. `scale` is still the
  /// MAD × 1.4826 of the per-minute ratios. `dispersion` is the Pearson statistic of the kept
  /// minutes (1 for Poisson counts) where it exceeds 1 by more than twice its own noise
  /// (√(2/(k−1))): counts that come in bursts are judged as that much less surprising.
  public static func pooled(_ counts: [(num: Double, den: Double)]) -> Baseline? {
    let usable = counts.filter { $0.num.isFinite && $0.den.isFinite && $0.num >= 0 && $0.den > 0 }
    guard var b = Baseline.of(usable.map { $0.num / $0.den }) else { return nil }
    func rate(_ rows: [(num: Double, den: Double)]) -> Double {
      (rows.reduce(0) { $0 + $1.num } + 1) / Swift.max(1, rows.reduce(0) { $0 + $1.den })
    }
    // Anomalous minutes are judged against the median minute (robust to up to half of them),
    // or, when the median minute has no event at all, the pooled ratio.
    let first = b.median > 0 ? b.median : rate(usable)
    let kept = usable.filter { PoissonTail.atLeast($0.num, mean: $0.den * first) >= 1e-3 }
    let p = rate(kept)
    b.median = p
    if kept.count >= 2 {
      let pearson =
        kept.reduce(0) { $0 + ($1.num - $1.den * p) * ($1.num - $1.den * p) / ($1.den * p) }
        / Double(kept.count - 1)
      b.dispersion = Swift.max(1, pearson - 2 * (2 / Double(kept.count - 1)).squareRoot())
    }
    return b
  }

  /// The median of `v` (sorted in place; not empty).
  static func median(_ v: inout [Double]) -> Double {
    v.sort()
    let n = v.count
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
  }

  /// How many robust sigmas `x` lies from the median (the scale floored at `minScale`, so a
  /// flat baseline does not make every wiggle infinite).
  public func score(_ x: Double, minScale: Double) -> Double {
    (x - median) / Swift.max(scale, minScale, .leastNormalMagnitude)
  }

  /// `x / median`, the change a suspect shows (`x7.1`); nil for a zero median.
  public func ratio(_ x: Double) -> Double? { median > 0 ? x / median : nil }
}

extension MinuteHistory {
  /// The baseline of `measure` for one series at minute `last`: the minutes
  /// `(last − over − gap, last − gap]` that had at least `minCount` samples, so the newest `gap`
  /// minutes (the anomaly being judged) are left out.
  public func baseline(
    _ id: SeriesID, measure: SeriesMeasure, last: Int64, over: Int, gap: Int = 2,
    minCount: UInt64 = 1
  ) -> Baseline? {
    let values = summaries(id, last: last - Int64(gap), count: over).compactMap { s -> Double? in
      guard let s, s.count >= minCount || measure == .sum || measure == .rate || measure == .count
      else { return nil }
      return s.value(measure)
    }
    return Baseline.of(values)
  }
}
