/// What a baseline is computed over: one series' measure, or a ratio group (the numerator and
/// denominator series of one instance of a ratio rule, `Σnum / Σden` per minute).
///
/// Baseline rules and suspects read the same per-minute values through this, so "x3.1 over its
/// baseline" means the same thing in an alert and in a suspect ranking.
public enum BaselineSubject: Hashable, Sendable {
  case series(SeriesID, SeriesMeasure)
  case ratio(num: [SeriesID], den: [SeriesID])

  /// The per-minute values of this subject from `minutes(id)` (the summaries of one series,
  /// oldest first, all of the same length `count`): nil for a minute that is not usable.
  ///
  /// - A series measure: the minute's value (``MinuteSummary/value(_:)``) where the minute
  ///   has at least `minCount` samples; for `rate`, `sum` and `count` every recorded minute
  ///   counts (a quiet minute is a true 0).
  /// - A ratio: `Σnum / Σden` over the group's series where `Σden ≥ max(minCount, 1)`; a
  ///   numerator series without a summary that minute counts 0.
  public func minuteValues(
    count: Int, minCount: UInt64, minutes: (SeriesID) -> [MinuteSummary?]
  ) -> [Double?] {
    let n = Swift.max(0, count)
    switch self {
    case .series(let id, let measure):
      let rows = minutes(id)
      let anyCount = measure == .rate || measure == .sum || measure == .count
      return (0..<n).map { k -> Double? in
        guard k < rows.count, let s = rows[k], anyCount || s.count >= minCount else { return nil }
        return s.value(measure)
      }
    case .ratio:
      return minuteCounts(count: n, minCount: minCount, minutes: minutes).map {
        $0.map { $0.num / $0.den }
      }
    }
  }

  /// What a count test judges, per minute: for a ratio `(Σnum, Σden)` over its series where
  /// `Σden ≥ max(minCount, 1)` (nil elsewhere; a numerator series without a summary that minute
  /// counts 0); for a `rate`, `(events, 60)` for every recorded minute (events per second);
  /// `[]` for any other measure.
  public func minuteCounts(
    count: Int, minCount: UInt64, minutes: (SeriesID) -> [MinuteSummary?]
  ) -> [(num: Double, den: Double)?] {
    let n = Swift.max(0, count)
    if case .series(let id, .rate) = self {
      let rows = minutes(id)
      return (0..<n).map { k in k < rows.count ? rows[k].map { ($0.sum, 60) } : nil }
    }
    guard case .ratio(let num, let den) = self else { return [] }
    var dens = [Double](repeating: 0, count: n)
    var seen = [Bool](repeating: false, count: n)
    for id in den {
      for (k, s) in minutes(id).prefix(n).enumerated() {
        guard let s else { continue }
        dens[k] += s.sum
        seen[k] = true
      }
    }
    var nums = [Double](repeating: 0, count: n)
    for id in num {
      for (k, s) in minutes(id).prefix(n).enumerated() { nums[k] += s?.sum ?? 0 }
    }
    let least = Double(Swift.max(minCount, 1))
    return (0..<n).map { k in seen[k] && dens[k] >= least ? (nums[k], dens[k]) : nil }
  }

  /// Whether a count test can judge it: a ratio, or a series' `rate`.
  public var isCounted: Bool {
    switch self {
    case .ratio, .series(_, .rate): true
    case .series: false
    }
  }

  /// The baseline of this subject over `count` minutes and how many were usable: the median and
  /// MAD of the per-minute values, or with `pooled` for a ratio or a rate,
  /// ``Baseline/pooled(_:)`` of its counts (what `baseline.significance` judges a window's counts
  /// against).
  public func baseline(
    count: Int, minCount: UInt64, pooled: Bool, minutes: (SeriesID) -> [MinuteSummary?]
  ) -> (baseline: Baseline?, usable: Int) {
    if pooled, isCounted {
      let rows = minuteCounts(count: count, minCount: minCount, minutes: minutes).compactMap { $0 }
      return (Baseline.pooled(rows), rows.count)
    }
    let values = minuteValues(count: count, minCount: minCount, minutes: minutes).compactMap { $0 }
    return (Baseline.of(values), values.count)
  }
}

extension MinuteHistory {
  /// The per-minute values of `subject` for the `count` minutes ending with minute `last`
  /// (oldest first; nil where a minute is missing or has too few samples).
  public func minuteValues(
    _ subject: BaselineSubject, last: Int64, count: Int, minCount: UInt64
  ) -> [Double?] {
    subject.minuteValues(count: count, minCount: minCount) {
      summaries($0, last: last, count: count)
    }
  }

  /// The baseline of `subject` at minute `last`: the usable minutes of
  /// `(last − over − gap, last − gap]` (see ``BaselineSubject/minuteValues(count:minCount:minutes:)``),
  /// their median and MAD × 1.4826; nil when none is usable. The same numbers a baseline rule
  /// compares with (before it freezes them while its instance is pending or firing).
  public func baseline(
    _ subject: BaselineSubject, last: Int64, over: Int, gap: Int = 2, minCount: UInt64 = 20
  ) -> Baseline? {
    Baseline.of(
      minuteValues(subject, last: last - Int64(gap), count: over, minCount: minCount)
        .compactMap { $0 })
  }
}
