#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Ranks suspects (DIAGNOSIS.md §4): every series in the history (bounded, the signals' metrics
/// first) and every ratio the components declare, compared with its own baseline.
///
/// 1. **Magnitude.** The current value (the 1-minute window at `t`) against the baseline
///    (median and MAD×1.4826 of the same measure's per-minute values over the last hour, the
///    newest ``SuspectTuning/gapMinutes`` left out): robust z and the change ×. A probe deviates
///    when both pass the high thresholds and the change is more than the measure's floor.
///    Score = |log2 change| × min(z, zCap) / zCap × 10, the change taken with the floor added
///    on both sides (so a zero median is not an infinite change).
/// 2. **Onset.** For each deviating probe, walking back from `t` over 1-minute windows ending
///    at each 10 s boundary the windows hold, then over the history's minutes: the end of the
///    newest quiet window (below the lower thresholds). Earlier onsets earn a bonus.
/// 3. **Explanation.** Grouped by component (its score: its best probe's); a component fed
///    (directly or not) by another deviating component that moved no later (within
///    ``SuspectTuning/onsetTolerance``) is `explainedBy` it and ranks below it.
public struct SuspectTuning: Sendable, Equatable {
  public var baselineMinutes = 60
  /// One more than the baseline rules' `gap` default: a ramp that began a minute before a rule
  /// fired stays out of the ranking's baseline (a ratio's pooled location is not robust to it).
  public var gapMinutes = 3
  /// One less than the rules' `min_minutes`, so the ranker is warm when they are: both need
  /// ``dataMinutes`` (12) minutes of data.
  public var minBaselineMinutes = 9
  /// Minutes of data before the first ranking: the baseline's minimum and the minutes left out.
  public var dataMinutes: Int { minBaselineMinutes + gapMinutes }
  /// Series probed at most (the signals' metrics first).
  public var maxSeries = 1_000
  /// Deviating probes whose onset is looked for (the largest first).
  public var maxOnsets = 40
  public var maxSuspects = 5
  public var zHigh = 3.0
  public var changeHigh = 1.5
  public var zLow = 2.0
  public var changeLow = 1.2
  public var zCap = 20.0
  public var onsetTolerance: Int64 = 90 * Nanos.second
  /// Score bonus per minute an onset leads the latest one (at most ``maxLeadMinutes``).
  public var leadBonus = 0.1
  public var maxLeadMinutes = 5.0

  public init() {}
}

/// One probe's verdict.
struct ProbeResult: Sendable {
  var probe: SuspectProbe
  var current: Double
  var baseline: Baseline
  var z: Double
  var change: Double?
  var magnitude: Double
  /// The least scale its z was taken with (the onset walk uses the same).
  var minScale: Double
  var onset: Timestamp?
}

public struct SuspectRanker: Sendable {
  public var tuning: SuspectTuning
  public var components: ComponentMap
  public var signals: Set<String>

  public init(
    components: ComponentMap, signals: Set<String> = SignalNames().all,
    tuning: SuspectTuning = SuspectTuning()
  ) {
    self.components = components
    self.signals = signals
    self.tuning = tuning
  }

  /// The suspects at `t`, best first (at most ``SuspectTuning/maxSuspects``).
  public func rank(
    at t: Timestamp, history: MinuteHistory, store: MetricStore, interner: SeriesInterner
  ) -> [Suspect] {
    let level = MinuteHistory.level(store.config)
    let step = store.config.levels[level].bucketNanos
    let end = Timestamp(nanoseconds: floorToMultiple(t.nanoseconds, of: step))
    let probes = SuspectProbe.all(
      interner: interner, components: components, signals: signals, limit: tuning.maxSeries)
    var results = probes.compactMap {
      judge($0, at: end, history: history, store: store, level: level)
    }
    results.sort { $0.magnitude > $1.magnitude }
    for i in results.indices.prefix(tuning.maxOnsets) {
      results[i].onset = onset(
        of: results[i], at: end, history: history, store: store, level: level)
    }
    return order(results)
  }

  /// The probe's current value against its baseline; nil unless it deviates. Counts (ratios,
  /// rates) are judged over the newest minute and the newest two (their per-minute noise is
  /// large; two minutes halve its variance, the baseline's scale taken ÷√2), the stronger
  /// verdict kept.
  func judge(
    _ p: SuspectProbe, at t: Timestamp, history: MinuteHistory, store: MetricStore, level: Int
  ) -> ProbeResult? {
    guard let b = baseline(p, at: t, history: history), b.minutes >= tuning.minBaselineMinutes
    else { return nil }
    let one = verdict(p, b, window: p.window(store, at: t, level: level), minutes: 1)
    guard p.kind != .p99,
      let two = verdict(p, b, window: p.window(store, at: t, level: level, minutes: 2), minutes: 2),
      two.z > one?.z ?? 0
    else { return one }
    return two
  }

  /// The verdict on one window's value (`minutes` long) against the per-minute baseline `b`.
  func verdict(
    _ p: SuspectProbe, _ b: Baseline, window: (value: Double, weight: Double)?, minutes: Int
  ) -> ProbeResult? {
    guard let (current, weight) = window, current.isFinite, p.direction.allows(current, b.median)
    else { return nil }
    let scale = p.minScale(median: b.median, weight: weight)
    var spread = b
    spread.scale = b.scale / Double(minutes).squareRoot()
    let z = abs(spread.score(current, minScale: scale))
    let change = b.ratio(current)
    let floored = (current + p.floor) / (b.median + p.floor)
    let shift = abs(current - b.median)
    let strong = floored >= tuning.changeHigh || floored <= 1 / tuning.changeHigh
    guard z >= tuning.zHigh, strong, shift >= p.floor else { return nil }
    let magnitude = abs(log2(floored)) * min(z, tuning.zCap) / tuning.zCap * 10
    return ProbeResult(
      probe: p, current: current, baseline: b, z: z, change: change, magnitude: magnitude,
      minScale: scale)
  }

  /// The per-minute values of the hour before `t`, the newest ``SuspectTuning/gapMinutes``
  /// left out (for a ratio of rare events, located at the hour's pooled ratio).
  func baseline(_ p: SuspectProbe, at t: Timestamp, history: MinuteHistory) -> Baseline? {
    let last = MinuteHistory.minute(endingAtOrBefore: t) - Int64(tuning.gapMinutes)
    let n = min(tuning.baselineMinutes, history.capacity)
    var values: [Double] = []
    values.reserveCapacity(n)
    for k in 0..<n {
      if let v = p.minuteValue(history, minute: last - Int64(k)) { values.append(v) }
    }
    guard var b = Baseline.of(values) else { return nil }
    // A ratio of rare events (a few a minute): the median of per-minute ratios sits below the
    // true ratio (mostly-zero minutes); the pooled Σnum/Σden of the hour is its location then.
    if p.kind == .ratio {
      var num = 0.0
      var den = 0.0
      for k in 0..<n {
        if let c = p.minuteCounts(history, minute: last - Int64(k)) {
          (num, den) = (num + c.num, den + c.den)
        }
      }
      let minutes = Double(max(1, b.minutes))
      if den > 0, num / den > b.median, b.median * den / minutes < 5 { b.median = num / den }
    }
    return b
  }

  /// Past the lower thresholds (in the probe's direction).
  func raised(_ v: Double?, _ r: ProbeResult) -> Bool {
    guard let v, r.probe.direction.allows(v, r.baseline.median) else { return false }
    let z = abs(r.baseline.score(v, minScale: r.minScale))
    let floored = (v + r.probe.floor) / (r.baseline.median + r.probe.floor)
    let strong = floored >= tuning.changeLow || floored <= 1 / tuning.changeLow
    return z >= tuning.zLow && strong && abs(v - r.baseline.median) >= r.probe.floor / 2
  }

  /// The end of the newest quiet window before `t`: 1-minute windows at each bucket boundary
  /// the windows hold, then the history's minutes; nil when none was quiet.
  func onset(
    of r: ProbeResult, at t: Timestamp, history: MinuteHistory, store: MetricStore, level: Int
  ) -> Timestamp? {
    let l = store.config.levels[level]
    let steps = max(0, Int((l.horizon - Nanos.minute) / l.bucketNanos))
    var oldest = t
    for k in 0...steps {
      let end = t.adding(-Int64(k) * l.bucketNanos)
      if !raised(r.probe.windowValue(store, at: end, level: level), r) { return end }
      oldest = end
    }
    var m = MinuteHistory.minute(endingAtOrBefore: oldest) - 1
    let stop = m - Int64(history.capacity)
    while m > stop {
      if !raised(r.probe.minuteValue(history, minute: m), r) {
        return Timestamp(nanoseconds: m * Nanos.minute)
      }
      m -= 1
    }
    return nil
  }
}
