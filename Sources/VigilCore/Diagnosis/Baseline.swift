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

  public init(median: Double, scale: Double, minutes: Int) {
    self.median = median
    self.scale = scale
    self.minutes = minutes
  }

  /// The baseline of `values` (non-finite ones skipped); nil when none is left.
  public static func of<S: Sequence<Double>>(_ values: S) -> Baseline? {
    var v = values.filter(\.isFinite)
    guard !v.isEmpty else { return nil }
    let med = median(&v)
    var dev = v.map { abs($0 - med) }
    return Baseline(median: med, scale: median(&dev) * 1.4826, minutes: v.count)
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
