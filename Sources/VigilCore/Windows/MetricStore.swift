/// A ring level: `slots` buckets of `bucketNanos` each.
public struct WindowLevel: Sendable, Equatable {
  public var bucketNanos: Int64
  public var slots: Int
  public init(bucketNanos: Int64, slots: Int) {
    self.bucketNanos = bucketNanos
    self.slots = slots
  }
  public var horizon: Int64 { bucketNanos * Int64(slots) }
}

/// Which windows exist and how they are stored.
public struct WindowsConfig: Sendable, Equatable {
  /// Finest first. Default: 60 x 1 s (L0) and 90 x 10 s (L1).
  public var levels: [WindowLevel]
  /// Window lengths offered to the UI. Default: 1m, 5m, 15m.
  public var windows: [Int64]
  /// Samples further ahead of the clock than this are rejected. Default 5 s.
  public var maxFutureSkew: Int64
  public init(
    levels: [WindowLevel] = [
      WindowLevel(bucketNanos: Nanos.second, slots: 60),
      WindowLevel(bucketNanos: 10 * Nanos.second, slots: 90),
    ],
    windows: [Int64] = [Nanos.minute, 5 * Nanos.minute, 15 * Nanos.minute],
    maxFutureSkew: Int64 = 5 * Nanos.second
  ) {
    self.levels = levels
    self.windows = windows
    self.maxFutureSkew = maxFutureSkew
  }
}

/// What happened to a sample offered to the store.
public enum IngestOutcome: Sendable, Equatable {
  case accepted
  /// Older than every level keeps.
  case tooOld
  /// Further ahead of `now` than `maxFutureSkew`.
  case future
}

/// Per-bucket statistic for sparklines.
public enum BucketStatistic: Sendable, Equatable {
  case count, sum, mean, min, max, last
  case quantile(Double)
}

/// Statistics of one series over one window.
public struct WindowStats: Sendable, Equatable {
  public var count: UInt64 = 0
  public var sum: Double = 0
  public var min: Double? = nil
  public var max: Double? = nil
  public var last: Double? = nil
  public var lastTimestamp: Timestamp? = nil
  /// Seconds the rates divide by: the window, or the covered span while warming up.
  public var seconds: Double = 0
  public var warmingUp: Bool = false
  public var p50: Double? = nil
  public var p90: Double? = nil
  public var p95: Double? = nil
  public var p99: Double? = nil
  public init() {}
  public var mean: Double? { count > 0 ? sum / Double(count) : nil }
  public var eventRate: Double { seconds > 0 ? Double(count) / seconds : 0 }
  public var sumRate: Double { seconds > 0 ? sum / seconds : 0 }
}

/// Every series' rolling windows. Owned by the loop; memory per series is bounded.
///
/// Each level is a ring of epoch-aligned buckets per series (see ``BucketIndex`` and
/// SEMANTICS §8.1). A sample goes to every level whose ring still holds its bucket at `now`; a
/// window of length W is read from the finest level whose horizon is at least W and whose bucket
/// length divides W, as the `W/Δ` buckets ending with bucket `⌈now/Δ⌉` (the open, partial bucket
/// included). Per bucket the store keeps count (sum of weights), sum, min, max, last and a
/// ``QuantileSketch``; windows merge their buckets on read.
public struct MetricStore: Sendable {
  /// The configuration the store was built with.
  public let config: WindowsConfig
  private var levels: [LevelRing]
  /// Per series: the earliest accepted timestamp, `Int64.max` for a series never seen.
  private var firstTimestamp: [Int64] = []
  /// Series with at least one accepted sample.
  public private(set) var seriesCount: Int = 0
  /// Samples older than every level keeps (`late_dropped_total`, E14).
  public private(set) var lateDroppedTotal: UInt64 = 0
  /// Samples more than `maxFutureSkew` ahead of the clock (`future_dropped_total`).
  public private(set) var futureDroppedTotal: UInt64 = 0
  /// Samples too old for a finer level that a coarser level still took (`late_to_l1_total`, E13).
  public private(set) var lateToCoarserTotal: UInt64 = 0
  /// NaN or infinite values (parsers reject these; the store drops any that slip through).
  public private(set) var nonFiniteDroppedTotal: UInt64 = 0
  /// Long-window sums (6 h, 3 d) of the series rules asked for (``trackLongWindows(_:)``).
  public private(set) var longCounters: CounterHistory

  public init(config: WindowsConfig = WindowsConfig()) {
    precondition(!config.levels.isEmpty, "at least one window level")
    self.config = config
    levels = config.levels.map { LevelRing(level: $0, maxFutureSkew: config.maxFutureSkew) }
    longCounters = CounterHistory(maxFutureSkew: config.maxFutureSkew)
  }

  /// Keeps long-window sums for `series` from now on (SLO burn rates). False when refused
  /// because too many series are tracked already.
  @discardableResult
  public mutating func trackLongWindows(_ series: SeriesID) -> Bool {
    longCounters.track(series)
  }

  /// Adds a sample observed by the clock at `now`.
  ///
  /// `.future` when `timestamp > now + maxFutureSkew`; `.tooOld` when no level still holds the
  /// sample's bucket. A non-finite value is dropped and counted in ``nonFiniteDroppedTotal``
  /// (reported as `.accepted`: it was not late or early, just unusable).
  public mutating func ingest(_ sample: Sample, now: Timestamp) -> IngestOutcome {
    let ts = sample.timestamp.nanoseconds
    let n = now.nanoseconds
    let (ahead, o) = ts.subtractingReportingOverflow(n)
    if o ? ts > n : ahead > config.maxFutureSkew {
      futureDroppedTotal &+= 1
      return .future
    }
    guard sample.value.isFinite else {
      nonFiniteDroppedTotal &+= 1
      return .accepted
    }
    let series = sample.series.index
    if series >= firstTimestamp.count { grow(to: series + 1) }
    var accepted = false
    var skipped = false
    for l in levels.indices {
      if levels[l].record(series: series, ts, sample.value, sample.weight, now: n) {
        accepted = true
      } else {
        skipped = true
      }
    }
    let kept =
      !longCounters.isEmpty
      && longCounters.record(
        sample.series, at: ts, amount: sample.value * Double(sample.weight))
    guard accepted || kept else {
      lateDroppedTotal &+= 1
      return .tooOld
    }
    if skipped { lateToCoarserTotal &+= 1 }
    let first = firstTimestamp[series]
    if ts < first {
      if first == .max { seriesCount += 1 }
      firstTimestamp[series] = ts
    }
    return .accepted
  }

  @inline(never)
  private mutating func grow(to count: Int) {
    firstTimestamp.append(contentsOf: repeatElement(.max, count: count - firstTimestamp.count))
    for l in levels.indices { levels[l].addSeries(upTo: count) }
  }

  /// The level a window of `window` nanoseconds is read from, and its number of buckets: the
  /// finest level whose horizon covers the window and whose bucket length divides it. A window no
  /// level fits exactly is read from the finest level that covers it (rounded up to whole
  /// buckets), or else from the coarsest level's whole horizon.
  public func level(forWindow window: Int64) -> (level: Int, buckets: Int) {
    let w = Swift.max(window, 1)
    for (i, l) in levels.enumerated() {
      let horizon = l.width * Int64(l.logicalSlots)
      if horizon >= w && w % l.width == 0 { return (i, Int(w / l.width)) }
    }
    for (i, l) in levels.enumerated() {
      let n = BucketIndex.bucket(w, width: l.width)
      if n <= Int64(l.logicalSlots) { return (i, Int(n)) }
    }
    return (levels.count - 1, levels[levels.count - 1].logicalSlots)
  }

  /// Calls `body` with each bucket of the window, oldest first (nil for a bucket with no data).
  func forEachBucket(
    _ series: SeriesID, window: Int64, at now: Timestamp, level forced: Int? = nil,
    _ body: (BucketSlot?) -> Void
  ) {
    var (li, n) = level(forWindow: window)
    if let forced, forced >= 0, forced < levels.count {
      li = forced
      n = Int(
        Swift.min(Swift.max(window / levels[forced].width, 1), Int64(levels[forced].logicalSlots)))
    }
    let ring = levels[li]
    let kNow = BucketIndex.bucket(now.nanoseconds, width: ring.width)
    let known = series.index < firstTimestamp.count
    for j in 0..<n {
      let k = kNow &- Int64(n - 1 - j)
      body(known ? ring.slot(series: series.index, bucket: k) : nil)
    }
  }

  /// The merged quantile sketch of a window (the sketch a fresh build from the window's samples
  /// would give). With `level`, read from that level in whole buckets, as ``stats``.
  public func sketch(
    _ series: SeriesID, window: Int64, at now: Timestamp, level forced: Int? = nil
  ) -> QuantileSketch {
    var merged = QuantileSketch.mergeTarget()
    forEachBucket(series, window: window, at: now, level: forced) { slot in
      if let slot { merged.merge(slot.sketch) }
    }
    return merged
  }

  /// The nearest-rank quantile `q` of a window; nil when the window has no data (E9).
  public func quantile(_ series: SeriesID, window: Int64, at now: Timestamp, q: Double) -> Double? {
    sketch(series, window: window, at: now).quantile(q)
  }

  /// Statistics of `series` over the window of length `window` ending at `now`.
  ///
  /// With `quantiles: false` the window's sketches are not merged (p50…p99 stay nil): count,
  /// sum, min, max, last and rates cost one pass over the buckets' summaries.
  ///
  /// With `level`, the window is read from that level (in whole buckets) instead of the finest
  /// that fits: the minute history reads each minute from the level that keeps the most of them.
  public func stats(
    _ series: SeriesID, window: Int64, at now: Timestamp, quantiles: Bool = true,
    level forced: Int? = nil
  ) -> WindowStats {
    stats(of: CollectionOfOne(series), window: window, at: now, quantiles: quantiles, level: forced)
  }

  /// Statistics of a group of series over one window as if they were one series: their
  /// buckets' sketches merged, sums added, the newest sample as `last`, and rates over the span
  /// since the group's first sample while that is shorter than the window (a table row per
  /// service over series that differ only in other labels).
  public func stats(
    of group: some Collection<SeriesID>, window: Int64, at now: Timestamp, quantiles: Bool = true,
    level forced: Int? = nil
  ) -> WindowStats {
    var st = WindowStats()
    var first = Int64.max
    for series in group where series.index < firstTimestamp.count {
      first = Swift.min(first, firstTimestamp[series.index])
    }
    guard first != .max else { return st }
    var merged = QuantileSketch.mergeTarget()
    var sum = CompensatedSum()
    var lastTs = Int64.min
    var count: UInt64 = 0
    var low: Double?
    var high: Double?
    for series in group {
      forEachBucket(series, window: window, at: now, level: forced) { slot in
        guard let slot else { return }
        if quantiles {
          merged.merge(slot.sketch)
        } else if slot.sketch.count > 0 {
          count += slot.sketch.count
          low = Swift.min(low ?? .infinity, slot.sketch.min ?? .infinity)
          high = Swift.max(high ?? -.infinity, slot.sketch.max ?? -.infinity)
        }
        sum.add(slot.sum)
        if slot.lastTimestamp >= lastTs {
          lastTs = slot.lastTimestamp
          st.last = slot.last
          st.lastTimestamp = Timestamp(nanoseconds: slot.lastTimestamp)
        }
      }
    }
    st.sum = sum.value
    if quantiles {
      st.count = merged.count
      st.min = merged.min
      st.max = merged.max
      let q = merged.quantiles([0.5, 0.9, 0.95, 0.99])
      st.p50 = q[0]
      st.p90 = q[1]
      st.p95 = q[2]
      st.p99 = q[3]
    } else {
      st.count = count
      st.min = low
      st.max = high
    }
    // Warm-up: divide by the span from the start of the first sample's bucket to now while that
    // span is shorter than the window.
    let (li, n) = level(forWindow: window)
    let width = levels[li].width
    let covered = width * Int64(n)
    let firstStart = BucketIndex.start(BucketIndex.bucket(first, width: width), width: width)
    let (span, o) = now.nanoseconds.subtractingReportingOverflow(firstStart)
    if !o && span < covered {
      st.warmingUp = true
      st.seconds = Double(Swift.max(span, 0)) / Double(Nanos.second)
    } else {
      st.seconds = Double(covered) / Double(Nanos.second)
    }
    return st
  }

  /// One value per bucket of the window's level, oldest first and the current (open) bucket
  /// last; nil for a bucket with no data. `.quantile(q)` is computed per bucket.
  public func buckets(
    _ series: SeriesID, window: Int64, at now: Timestamp, statistic: BucketStatistic
  ) -> [Double?] {
    var out: [Double?] = []
    forEachBucket(series, window: window, at: now) { slot in
      out.append(slot.flatMap { Self.value($0, statistic) })
    }
    return out
  }

  /// ``buckets(_:window:at:statistic:)`` of a group of series read as one: each bucket's slots
  /// merged (sketches merged, sums added, the newest `last`) before the statistic.
  public func buckets(
    of group: some Collection<SeriesID>, window: Int64, at now: Timestamp,
    statistic: BucketStatistic
  ) -> [Double?] {
    if group.count == 1, let only = group.first {
      return buckets(only, window: window, at: now, statistic: statistic)
    }
    var slots: [BucketSlot?] = []
    for series in group {
      var j = 0
      forEachBucket(series, window: window, at: now) { slot in
        if j == slots.count { slots.append(nil) }
        if let slot {
          var into = slots[j] ?? BucketSlot(sketch: .mergeTarget())
          into.sketch.merge(slot.sketch)
          into.sum += slot.sum
          if slot.lastTimestamp >= into.lastTimestamp {
            into.last = slot.last
            into.lastTimestamp = slot.lastTimestamp
          }
          slots[j] = into
        }
        j += 1
      }
    }
    return slots.map { $0.flatMap { Self.value($0, statistic) } }
  }

  private static func value(_ slot: BucketSlot, _ statistic: BucketStatistic) -> Double? {
    switch statistic {
    case .count: Double(slot.count)
    case .sum: slot.sum
    case .mean: slot.sum / Double(slot.count)
    case .min: slot.sketch.min
    case .max: slot.sketch.max
    case .last: slot.last
    case .quantile(let q): slot.sketch.quantile(q)
    }
  }

  /// Approximate bytes held for one series (slot structs plus sketch arrays).
  public func memoryBytes(of series: SeriesID) -> Int {
    guard series.index < firstTimestamp.count else { return 0 }
    return levels.reduce(MemoryLayout<Int64>.stride) { $0 + $1.heapBytes(series: series.index) }
  }

  /// The most buckets any slot sketch holds, over every level and series.
  var maxSketchBuckets: Int { levels.reduce(0) { Swift.max($0, $1.maxSketchBuckets) } }

  /// The worst-case bytes of one series: every slot at both stores' cap.
  public var maxBytesPerSeries: Int {
    let perSketch = 2 * (32 + 4 * QuantileSketch.maxBucketsPerStore)
    return levels.reduce(MemoryLayout<Int64>.stride) {
      $0 + $1.physicalSlots * (MemoryLayout<BucketSlot>.stride + perSketch)
    }
  }

  /// Approximate bytes held by the whole store.
  public var memoryBytes: Int {
    var total = firstTimestamp.capacity * MemoryLayout<Int64>.stride
    for i in 0..<firstTimestamp.count { total += memoryBytes(of: SeriesID(UInt32(i))) }
    return total
  }
}

/// Neumaier's compensated summation, for window sums over many buckets.
struct CompensatedSum {
  private var s: Double = 0
  private var c: Double = 0
  mutating func add(_ x: Double) {
    let t = s + x
    if abs(s) >= abs(x) { c += (s - t) + x } else { c += (x - t) + s }
    s = t
  }
  var value: Double { s + c }
}

extension WindowsConfig {
  /// Why `window` cannot be offered, or nil when a level holds it as whole buckets.
  public func problem(withWindow window: Int64) -> String? {
    if window <= 0 { return "a window must be longer than 0s" }
    if levels.contains(where: { $0.horizon >= window && window % $0.bucketNanos == 0 }) {
      return nil
    }
    let steps = levels.map {
      "\(Nanos.format($0.bucketNanos)) steps up to \(Nanos.format($0.horizon))"
    }
    return "\(Nanos.format(window)) is not a whole number of buckets (use "
      + steps.joined(separator: ", ") + ")"
  }
}
