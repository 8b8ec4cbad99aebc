/// One minute of one series, as baselines and suspects read it: `(end − 1m, end]`.
public struct MinuteSummary: Sendable, Equatable {
  /// The minute's end, in minutes since the epoch (the slot's owner in the ring).
  public var minute: Int64
  /// Samples in the minute.
  public var count: UInt64
  /// Σ values (for counters, the events in the minute).
  public var sum: Double
  public var p50: Double?
  public var p99: Double?
  public var max: Double?
  /// p90 and p95 (what `baseline:` rules on those aggregates compare with).
  public var p90: Double?
  public var p95: Double?

  public init(
    minute: Int64, count: UInt64, sum: Double, p50: Double? = nil, p99: Double? = nil,
    max: Double? = nil, p90: Double? = nil, p95: Double? = nil
  ) {
    self.minute = minute
    self.count = count
    self.sum = sum
    self.p50 = p50
    self.p99 = p99
    self.max = max
    self.p90 = p90
    self.p95 = p95
  }

  /// The minute's value of `measure`, where a minute can give it: p50, p90, p95, p99 (p999
  /// reads p99, the nearest kept; p90/p95 too when not recorded), max, mean, count, sum, and
  /// rate (per second).
  public func value(_ measure: SeriesMeasure) -> Double? {
    guard count > 0 else {
      return measure == .count || measure == .sum || measure == .rate ? 0 : nil
    }
    switch measure {
    case .p50: return p50
    case .p90: return p90 ?? p99
    case .p95: return p95 ?? p99
    case .p99, .p999: return p99
    case .max: return max
    case .min, .last, .mean: return sum / Double(count)
    case .count: return Double(count)
    case .sum: return sum
    case .rate: return sum / 60
    }
  }
}

/// A ring of per-minute summaries per series (the last hour by default): the long history
/// baselines and suspects read, where the windows keep only 15 minutes.
///
/// Filled by the ``Engine`` before each evaluation tick that starts a new minute, from the
/// windows (``MetricStore/stats(_:window:at:quantiles:)`` over the minute that just ended), so
/// the dashboard, `vigil check`, replay and reports record the same minutes. Memory: at most
/// ``capacity`` × 72 bytes per series (4.3 KB for an hour), for at most ``maxSeries`` series.
public struct MinuteHistory: Sendable {
  /// Minutes kept per series.
  public let capacity: Int
  /// Series recorded (the interner's overall limit by default); later series are not.
  public let maxSeries: Int
  /// The newest recorded minute's end, in minutes since the epoch.
  public private(set) var newestMinute: Int64?
  private var rings: [[MinuteSummary]] = []

  public init(capacity: Int = 60, maxSeries: Int = 2_000) {
    self.capacity = Swift.max(1, capacity)
    self.maxSeries = Swift.max(0, maxSeries)
  }

  /// The minute (since the epoch) whose end is at or before `t`.
  public static func minute(endingAtOrBefore t: Timestamp) -> Int64 {
    let n = t.nanoseconds
    return n >= 0 ? n / Nanos.minute : (n - Nanos.minute + 1) / Nanos.minute
  }

  /// Records every minute that ended at or before `t` and is not recorded yet (at most
  /// ``capacity`` of them, and none the windows no longer hold), for every series the store has.
  public mutating func record(through t: Timestamp, store: MetricStore) {
    let last = MinuteHistory.minute(endingAtOrBefore: t)
    let level = MinuteHistory.level(store.config)
    let horizonMinutes = store.config.levels[level].horizon / Nanos.minute
    // The first recording catches up on whatever the windows hold (a file's history).
    let first = Swift.max(
      newestMinute.map { $0 &+ 1 } ?? .min, last &- Int64(capacity) &+ 1,
      last &- horizonMinutes &+ 1)
    guard first <= last else { return }
    let count = Swift.min(store.seriesCount, maxSeries)
    if rings.count < count {
      rings.append(contentsOf: repeatElement([], count: count - rings.count))
    }
    var m = first
    while m <= last {
      let end = Timestamp(nanoseconds: m &* Nanos.minute)
      for i in 0..<count {
        put(i, summary(SeriesID(UInt32(i)), minute: m, end: end, store: store, level: level))
      }
      m += 1
    }
    newestMinute = last
  }

  /// The level minutes are read from: of those whose buckets divide a minute, the one that
  /// reaches furthest back (10 s × 90 by default), so a late first tick still finds them.
  static func level(_ config: WindowsConfig) -> Int {
    var best = 0
    for (i, l) in config.levels.enumerated()
    where Nanos.minute % l.bucketNanos == 0 && l.horizon > config.levels[best].horizon {
      best = i
    }
    return best
  }

  private func summary(
    _ id: SeriesID, minute: Int64, end: Timestamp, store: MetricStore, level: Int
  ) -> MinuteSummary {
    let st = store.stats(id, window: Nanos.minute, at: end, quantiles: true, level: level)
    return MinuteSummary(
      minute: minute, count: st.count, sum: st.sum, p50: st.p50, p99: st.p99, max: st.max,
      p90: st.p90, p95: st.p95)
  }

  private mutating func put(_ i: Int, _ s: MinuteSummary) {
    if rings[i].isEmpty {
      guard s.count > 0 else { return }  // a series not seen yet costs nothing
      rings[i] = Array(repeating: MinuteSummary(minute: .min, count: 0, sum: 0), count: capacity)
    }
    rings[i][Int(((s.minute % Int64(capacity)) + Int64(capacity)) % Int64(capacity))] = s
  }

  /// The recorded summary of minute `minute` (its end in minutes since the epoch), or nil.
  public func summary(_ id: SeriesID, minute: Int64) -> MinuteSummary? {
    guard id.index < rings.count, !rings[id.index].isEmpty else { return nil }
    let s = rings[id.index][Int(((minute % Int64(capacity)) + Int64(capacity)) % Int64(capacity))]
    return s.minute == minute ? s : nil
  }

  /// The `n` minutes ending with minute `last` (oldest first), nil where none was recorded.
  public func summaries(_ id: SeriesID, last: Int64, count n: Int) -> [MinuteSummary?] {
    let n = Swift.min(Swift.max(n, 0), capacity)
    return (0..<n).map { k in summary(id, minute: last - Int64(n - 1 - k)) }
  }

  /// Approximate bytes held.
  public var memoryBytes: Int {
    rings.reduce(rings.count * MemoryLayout<[MinuteSummary]>.stride) {
      $0 + $1.count * MemoryLayout<MinuteSummary>.stride
    }
  }
}
