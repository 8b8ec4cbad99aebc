/// One series a data source offers a rule.
public struct SeriesRef: Hashable, Sendable {
  public var id: SeriesID
  public var labels: LabelSet
  public init(id: SeriesID, labels: LabelSet) {
    self.id = id
    self.labels = labels
  }
}

/// What a data source read for one series over `(t − window, t]`.
public struct SeriesReading: Sendable, Equatable {
  /// The measure; nil when the window holds no samples.
  public var value: Double?
  /// The newest sample in the window.
  public var newest: Timestamp?
  /// The series ended with an explicit staleness marker: no data from then on, whatever the
  /// window still holds (A10).
  public var ended: Bool
  /// The series' data covers less than the window (it started, or was first tracked, inside
  /// it): the value stands for a shorter span than asked.
  public var warmingUp: Bool

  public init(value: Double?, newest: Timestamp?, ended: Bool = false, warmingUp: Bool = false) {
    self.value = value
    self.newest = newest
    self.ended = ended
    self.warmingUp = warmingUp
  }

  public static let empty = SeriesReading(value: nil, newest: nil)
}

/// Everything the alert engine reads: evaluation depends only on the rules, this, and the tick.
public protocol AlertDataSource {
  /// Series of `selector.metric` whose labels match every matcher, in label order.
  func series(_ selector: SeriesSelector) -> [SeriesRef]
  /// The measure of one series over `(t − window, t]`.
  func reading(_ measure: SeriesMeasure, series: SeriesID, window: Int64, at t: Timestamp)
    -> SeriesReading
  /// The newest sample of one series in `[t − lookback, t]`, both ends included (Prometheus's
  /// instant-vector selector; `window_start: inclusive`).
  func latest(series: SeriesID, lookback: Int64, at t: Timestamp) -> SeriesReading
  /// Why `measure` over a window cannot be read exactly (the rule's health becomes Error), or
  /// nil.
  func problem(window: Int64, measure: SeriesMeasure) -> String?
  /// The per-minute summaries of one series for the `count` minutes ending with minute `last`
  /// (minutes since the epoch; oldest first, nil where none was recorded): what baseline rules
  /// compare with. A source without a history returns `[]` (baseline instances stay warming up).
  func minutes(series: SeriesID, last: Int64, count: Int) -> [MinuteSummary?]
}

extension AlertDataSource {
  public func minutes(series: SeriesID, last: Int64, count: Int) -> [MinuteSummary?] { [] }
}

/// The alert engine's view of the live ``MetricStore``.
///
/// Cheap to build per tick (the store and interner are copy-on-write values, and the metric
/// index is built once in `init`, O(series)). Counters are Vigil's event counters (each sample's
/// value is a count), so `.sum` is the increase over the window; ratios and burn rates round it
/// to the nearest integer for the exact comparison. Windows must be whole buckets of a store
/// level (1 s steps up to 1 m, 10 s steps up to 15 m by default). Longer `sum` and `rate`
/// windows (an SLO's 1h, 6h, 3d) come from the store's ``CounterHistory`` for the series a
/// ``LongWindowTracker`` registered; any other long window is an Error for the rule.
public struct MetricStoreAlertSource: AlertDataSource {
  public let store: MetricStore
  /// The per-minute history baseline rules read (nil: every baseline instance warms up).
  public let history: MinuteHistory?
  private let keys: [SeriesKey]
  private let byMetric: [String: [SeriesID]]

  public init(store: MetricStore, interner: SeriesInterner, history: MinuteHistory? = nil) {
    self.store = store
    self.history = history
    keys = interner.allKeys
    var index: [String: [SeriesID]] = [:]
    for (i, k) in keys.enumerated() { index[k.metric, default: []].append(SeriesID(UInt32(i))) }
    byMetric = index
  }

  public func series(_ selector: SeriesSelector) -> [SeriesRef] {
    guard let ids = byMetric[selector.metric] else { return [] }
    var out: [SeriesRef] = []
    for id in ids {
      let labels = keys[id.index].labels
      if selector.matchers.allSatisfy({ $0.matches(labels) }) {
        out.append(SeriesRef(id: id, labels: labels))
      }
    }
    out.sort { $0.labels < $1.labels }
    return out
  }

  public func reading(_ measure: SeriesMeasure, series: SeriesID, window: Int64, at t: Timestamp)
    -> SeriesReading
  {
    if store.config.problem(withWindow: window) != nil {
      guard measure == .sum || measure == .rate,
        let long = store.longCounters.sum(series, window: window, at: t), let newest = long.newest
      else { return .empty }
      let value = measure == .sum ? long.sum : long.sum * Double(Nanos.second) / Double(window)
      return SeriesReading(value: value, newest: newest, warmingUp: long.warmingUp)
    }
    let needsQuantiles: Bool
    switch measure {
    case .p50, .p90, .p95, .p99: needsQuantiles = true
    default: needsQuantiles = false
    }
    var st = store.stats(series, window: window, at: t, quantiles: needsQuantiles)
    if st.count == 0, let coarser = coarserLevel(window: window) {
      // A past tick (a file's history evaluated at once) whose fine buckets are overwritten: the
      // same whole-bucket window from a coarser level that still holds it.
      st = store.stats(series, window: window, at: t, quantiles: needsQuantiles, level: coarser)
    }
    guard st.count > 0 else { return .empty }
    let value: Double?
    switch measure {
    case .p50: value = st.p50
    case .p90: value = st.p90
    case .p95: value = st.p95
    case .p99: value = st.p99
    case .p999: value = store.quantile(series, window: window, at: t, q: 0.999)
    case .max: value = st.max
    case .min: value = st.min
    case .mean: value = st.mean
    case .last: value = st.last
    case .count: value = Double(st.count)
    case .rate: value = st.sumRate
    case .sum: value = st.sum
    }
    return SeriesReading(value: value, newest: st.lastTimestamp, warmingUp: st.warmingUp)
  }

  /// The next level after the one serving `window` whose buckets divide it and whose horizon
  /// covers it (a 1m window: the 10 s level), or nil.
  private func coarserLevel(window: Int64) -> Int? {
    let levels = store.config.levels
    let (finest, _) = store.level(forWindow: window)
    return levels.indices.first { i in
      i > finest && window % levels[i].bucketNanos == 0 && levels[i].horizon >= window
    }
  }

  /// Read from the buckets of the level serving `lookback` plus the one before them, whose
  /// newest sample counts only when it is exactly `lookback` old. Exact while no sample newer
  /// than `t` has landed (a tick runs before any: `eval_delay` of 1ns on event time).
  public func latest(series: SeriesID, lookback: Int64, at t: Timestamp) -> SeriesReading {
    let (level, _) = store.level(forWindow: lookback)
    let width = store.config.levels[level].bucketNanos
    let st = store.stats(series, window: lookback &+ width, at: t, quantiles: false)
    guard let v = st.last, let newest = st.lastTimestamp, newest <= t,
      t.since(newest) <= lookback
    else { return .empty }
    return SeriesReading(value: v, newest: newest, warmingUp: st.warmingUp)
  }

  public func minutes(series: SeriesID, last: Int64, count: Int) -> [MinuteSummary?] {
    history?.summaries(series, last: last, count: count) ?? []
  }

  public func problem(window: Int64, measure: SeriesMeasure) -> String? {
    guard let p = store.config.problem(withWindow: window) else { return nil }
    if measure == .sum || measure == .rate {
      return store.longCounters.covers(window: window)
        ? nil
        : p + "; sums and rates also take 10s steps up to 6h and 5m steps up to 3d"
    }
    return p
  }
}
