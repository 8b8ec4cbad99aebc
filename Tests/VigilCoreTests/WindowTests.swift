import Testing
import VigilTestSupport

@testable import VigilCore

/// 2026-11-26T12:00:00Z, a multiple of every bucket length.
let noon = Timestamp.seconds(1_795_694_400)
let second = Nanos.second
let minute = Nanos.minute

func at(_ base: Timestamp, _ offset: Int64) -> Timestamp { base.adding(offset) }

@Suite struct BucketIndexTests {
  @Test func exactMultiplesCloseTheirBucket() {
    let d: Int64 = 10
    #expect(BucketIndex.bucket(0, width: d) == 0)
    #expect(BucketIndex.bucket(1, width: d) == 1)
    #expect(BucketIndex.bucket(9, width: d) == 1)
    #expect(BucketIndex.bucket(10, width: d) == 1)  // right-closed
    #expect(BucketIndex.bucket(11, width: d) == 2)
    #expect(BucketIndex.bucket(20, width: d) == 2)
  }

  @Test func negativeTimestamps() {
    let d: Int64 = 10
    #expect(BucketIndex.bucket(-1, width: d) == 0)  // (-10, 0]
    #expect(BucketIndex.bucket(-9, width: d) == 0)
    #expect(BucketIndex.bucket(-10, width: d) == -1)  // (-20, -10]
    #expect(BucketIndex.bucket(-11, width: d) == -1)
    #expect(BucketIndex.bucket(-20, width: d) == -2)
    #expect(BucketIndex.bucket(-21, width: d) == -2)
    #expect(BucketIndex.slot(-1, slots: 60) == 59)
    #expect(BucketIndex.slot(-60, slots: 60) == 0)
    #expect(BucketIndex.slot(-61, slots: 60) == 59)
    #expect(BucketIndex.slot(125, slots: 60) == 5)
    #expect(BucketIndex.bucket(.min, width: second) == Int64.min / second)
    #expect(BucketIndex.bucket(.max, width: second) == Int64.max / second + 1)
    #expect(BucketIndex.start(-1, width: d) == -20)
  }

  @Test func everyTimestampFallsInsideItsBucket() {
    var rng = SplitMix64(seed: 3)
    for _ in 0..<10_000 {
      let d = Int64(1 + rng.next() % 1000)
      let ts = Int64(bitPattern: rng.next()) / 4
      let k = BucketIndex.bucket(ts, width: d)
      #expect((k - 1) * d < ts && ts <= k * d)
    }
  }

  @Test func storeHandlesNegativeTimestamps() {
    var store = MetricStore()
    let s = SeriesID(0)
    let now = Timestamp(nanoseconds: -5 * second)
    // -5 s exactly closes bucket -5 of L0, and -5.5 s lies in it too.
    #expect(store.ingest(Sample(series: s, timestamp: now, value: 1), now: now) == .accepted)
    #expect(
      store.ingest(Sample(series: s, timestamp: at(now, -second / 2), value: 2), now: now)
        == .accepted)
    #expect(
      store.ingest(Sample(series: s, timestamp: at(now, -second), value: 4), now: now)
        == .accepted)
    let b = store.buckets(s, window: minute, at: now, statistic: .sum)
    #expect(b.count == 60)
    #expect(b[59] == 3)
    #expect(b[58] == 4)
    #expect(store.stats(s, window: minute, at: now).count == 3)
  }
}

@Suite struct WindowTests {
  let s = SeriesID(0)

  // E12: tick 12:05:00, W = 5m, Δ = 10 s.
  @Test func e12TickBoundaries() {
    var store = MetricStore()
    let tick = at(noon, 5 * minute)
    let late = at(tick, 1_000_000)  // 12:05:00.001
    for (offset, value) in [
      (0, 1.0), (1_000_000, 2.0), (5 * minute, 4.0), (5 * minute + 1_000_000, 8.0),
    ] {
      #expect(
        store.ingest(Sample(series: s, timestamp: at(noon, offset), value: value), now: late)
          == .accepted)
    }
    let st = store.stats(s, window: 5 * minute, at: tick)
    #expect(st.count == 2)
    #expect(st.sum == 6)  // 12:00:00.001 and 12:05:00.000
    let b = store.buckets(s, window: 5 * minute, at: tick, statistic: .sum)
    #expect(b.count == 30)
    #expect(b.first == 2)  // the bucket ending 12:00:10
    #expect(b.last == 4)  // the bucket ending 12:05:00
    #expect(b.dropFirst().dropLast().allSatisfy { $0 == nil })
    // The 12:05:00.001 sample belongs to the 12:05:10 tick, whose window no longer holds the
    // bucket ending 12:00:10.
    let next = store.stats(s, window: 5 * minute, at: at(tick, 10 * second))
    #expect(next.sum == 12)
    #expect(store.level(forWindow: 5 * minute) == (1, 30))
    #expect(store.level(forWindow: minute) == (0, 60))
    #expect(store.level(forWindow: 15 * minute) == (1, 90))
  }

  // E13: 70 s late goes to L1 only.
  @Test func e13LateSampleGoesToCoarserLevelOnly() {
    var store = MetricStore()
    let now = at(noon, 10 * minute)
    #expect(store.ingest(Sample(series: s, timestamp: now, value: 1), now: now) == .accepted)
    #expect(
      store.ingest(Sample(series: s, timestamp: at(now, -70 * second), value: 100), now: now)
        == .accepted)
    #expect(store.lateToCoarserTotal == 1)
    #expect(store.lateDroppedTotal == 0)
    let oneMinute = store.stats(s, window: minute, at: now)
    #expect(oneMinute.count == 1)
    #expect(oneMinute.max == 1)
    let fiveMinutes = store.stats(s, window: 5 * minute, at: now)
    #expect(fiveMinutes.count == 2)
    #expect(fiveMinutes.max == 100)
    // 59.999 s late still fits L0.
    _ = store.ingest(Sample(series: s, timestamp: at(now, -59 * second - 999), value: 7), now: now)
    #expect(store.lateToCoarserTotal == 1)
    #expect(store.stats(s, window: minute, at: now).count == 2)
  }

  // E14: older than every horizon is dropped.
  @Test func e14TooOldIsDropped() {
    var store = MetricStore()
    let now = at(noon, 30 * minute)
    _ = store.ingest(Sample(series: s, timestamp: now, value: 1), now: now)
    let before = store.stats(s, window: 15 * minute, at: now)
    #expect(
      store.ingest(Sample(series: s, timestamp: at(now, -20 * minute), value: 9), now: now)
        == .tooOld)
    #expect(store.lateDroppedTotal == 1)
    #expect(store.stats(s, window: 15 * minute, at: now) == before)
    // The L1 horizon is exactly 15 minutes: (now − 15m, now].
    #expect(
      store.ingest(Sample(series: s, timestamp: at(now, -15 * minute), value: 9), now: now)
        == .tooOld)
    #expect(
      store.ingest(Sample(series: s, timestamp: at(now, -15 * minute + 1), value: 9), now: now)
        == .accepted)
    #expect(store.stats(s, window: 15 * minute, at: now).count == 2)
    #expect(store.lateDroppedTotal == 2)
  }

  @Test func futureSamplesBeyondTheSkewAreRejected() {
    var store = MetricStore()
    let now = at(noon, 0)
    for i in 0..<60 {
      _ = store.ingest(
        Sample(series: s, timestamp: at(now, -Int64(i) * second), value: 1), now: now)
    }
    #expect(
      store.ingest(Sample(series: s, timestamp: at(now, 5 * second + 1), value: 1), now: now)
        == .future)
    #expect(store.futureDroppedTotal == 1)
    #expect(
      store.ingest(Sample(series: s, timestamp: at(now, 5 * second), value: 2), now: now)
        == .accepted)
    // A future sample is not in the current window and evicts nothing from it.
    let st = store.stats(s, window: minute, at: now)
    #expect(st.count == 60)
    #expect(st.max == 1)
    // Once the clock catches up it is there.
    let later = store.stats(s, window: minute, at: at(now, 5 * second))
    #expect(later.count == 56)
    #expect(later.max == 2)
    #expect(store.futureDroppedTotal == 1)
  }

  @Test func idleSeriesDoesNotLeakOldBuckets() {
    for gap in [20 * minute, 66 * second, 60 * second, 15 * minute, 16 * minute + 10 * second] {
      var store = MetricStore()
      var t = noon
      for _ in 0..<(16 * 60) {
        _ = store.ingest(Sample(series: s, timestamp: t, value: 5), now: t)
        t = at(t, second)
      }
      t = at(t, gap)
      #expect(store.ingest(Sample(series: s, timestamp: t, value: 7), now: t) == .accepted)
      let lastOld = at(t, -gap - second)
      for w in [minute, 5 * minute, 15 * minute] {
        let st = store.stats(s, window: w, at: t)
        // Old samples (one per second up to lastOld) still inside the bucket-aligned window.
        let width = w == minute ? second : 10 * second
        let windowStart = (BucketIndex.bucket(t.nanoseconds, width: width) - w / width) * width
        let old = Swift.max(0, lastOld.nanoseconds - windowStart) / second
        #expect(st.count == UInt64(old) + 1, "gap \(gap) window \(w)")
        #expect(st.last == 7)
      }
    }
  }

  // E9: an empty window has no quantiles (not 0).
  @Test func e9EmptyWindowHasNoData() {
    var store = MetricStore()
    _ = store.ingest(Sample(series: s, timestamp: noon, value: 12), now: noon)
    let later = at(noon, 30 * minute)
    for w in [minute, 5 * minute, 15 * minute] {
      let st = store.stats(s, window: w, at: later)
      #expect(st.count == 0 && st.sum == 0)
      #expect(st.p50 == nil && st.p90 == nil && st.p95 == nil && st.p99 == nil)
      #expect(st.min == nil && st.max == nil && st.last == nil && st.lastTimestamp == nil)
      #expect(st.mean == nil)
      #expect(!st.warmingUp && st.seconds == Double(w / second))
      #expect(store.quantile(s, window: w, at: later, q: 0.99) == nil)
      #expect(
        store.buckets(s, window: w, at: later, statistic: .quantile(0.99)).allSatisfy { $0 == nil })
    }
  }

  @Test func outOfOrderSamplesEqualInOrder() {
    var rng = SplitMix64(seed: 17)
    var samples: [Sample] = []
    for i in 0..<5000 {
      let ts = at(noon, Int64(i) * 100_000_000 + Int64(rng.next() % 1000))
      samples.append(Sample(series: s, timestamp: ts, value: rng.lognormal(median: 50, sigma: 0.8)))
    }
    let now = at(noon, 500 * second)
    var inOrder = MetricStore()
    for x in samples { #expect(inOrder.ingest(x, now: now) == .accepted) }
    var shuffled = MetricStore()
    var copy = samples
    copy.shuffle(using: &rng)
    for x in copy { #expect(shuffled.ingest(x, now: now) == .accepted) }
    for w in [minute, 5 * minute, 15 * minute] {
      let a = inOrder.stats(s, window: w, at: now)
      let b = shuffled.stats(s, window: w, at: now)
      #expect(a.count == b.count && a.min == b.min && a.max == b.max && a.last == b.last)
      #expect(a.p50 == b.p50 && a.p99 == b.p99)
      #expect(abs(a.sum - b.sum) <= 1e-9 * a.sum)
      #expect(inOrder.sketch(s, window: w, at: now) == shuffled.sketch(s, window: w, at: now))
    }
  }

  @Test func warmUpRatesUseTheCoveredSpan() {
    var store = MetricStore()
    let start = at(noon, second / 2)  // the first bucket (L0 and L1) starts at noon
    for i in 0..<31 {
      let t = at(start, Int64(i) * second)
      _ = store.ingest(Sample(series: s, timestamp: t, value: 2), now: t)
    }
    let now = at(start, 30 * second)  // 12:00:30.5
    let one = store.stats(s, window: minute, at: now)
    #expect(one.warmingUp)
    #expect(one.seconds == 30.5)
    #expect(one.count == 31)
    #expect(one.eventRate == 31 / 30.5)
    #expect(one.sumRate == 62 / 30.5)
    let five = store.stats(s, window: 5 * minute, at: now)
    #expect(five.warmingUp && five.seconds == 30.5)
    let full = store.stats(s, window: minute, at: at(noon, minute))
    #expect(!full.warmingUp && full.seconds == 60)
    #expect(store.stats(s, window: 5 * minute, at: at(noon, 4 * minute)).seconds == 240)
    let done = store.stats(s, window: 5 * minute, at: at(noon, 5 * minute))
    #expect(!done.warmingUp && done.seconds == 300)
    #expect(done.eventRate == 31.0 / 300)
    // Unknown series: empty stats.
    #expect(store.stats(SeriesID(9), window: minute, at: now) == WindowStats())
  }

  @Test func weightsMinMaxLast() {
    var store = MetricStore()
    let now = at(noon, 10 * second)
    _ = store.ingest(
      Sample(series: s, timestamp: at(noon, 2 * second), value: 250, weight: 10), now: now)
    _ = store.ingest(Sample(series: s, timestamp: at(noon, 5 * second), value: -3), now: now)
    // Same timestamp: the later ingest wins `last`.
    _ = store.ingest(Sample(series: s, timestamp: at(noon, 5 * second), value: 8), now: now)
    // Older timestamp: not `last`.
    _ = store.ingest(Sample(series: s, timestamp: at(noon, 4 * second), value: 1000), now: now)
    let st = store.stats(s, window: minute, at: now)
    #expect(st.count == 13)
    #expect(st.sum == 2500 - 3 + 8 + 1000)
    #expect(st.min == -3)
    #expect(st.max == 1000)
    #expect(st.last == 8)
    #expect(st.lastTimestamp == at(noon, 5 * second))
    #expect(st.mean == 3505.0 / 13)
    // Ranks 2...11 are the weighted 250.
    #expect(
      st.p50.map { ExactQuantiles.relativeError($0, 250) <= QuantileSketch.relativeErrorBound }
        == true)
    let counts = store.buckets(s, window: minute, at: now, statistic: .count)
    #expect(counts.count == 60)
    #expect(counts[59 - 8] == 10)  // bucket ending noon+2 s
    #expect(counts[59 - 5] == 2)
    #expect(counts[59 - 6] == 1)
    #expect(counts.compactMap { $0 }.count == 3)
    let lasts = store.buckets(s, window: minute, at: now, statistic: .last)
    #expect(lasts[59 - 5] == 8)
    #expect(store.buckets(s, window: minute, at: now, statistic: .mean)[59 - 5] == 2.5)
    #expect(store.buckets(s, window: minute, at: now, statistic: .min)[59 - 5] == -3)
    #expect(store.buckets(s, window: minute, at: now, statistic: .max)[59 - 5] == 8)
    // A bucket holding one distinct value reports it exactly.
    #expect(store.buckets(s, window: minute, at: now, statistic: .quantile(0.5))[59 - 8] == 250)
    // Weight 0 counts for nothing.
    _ = store.ingest(
      Sample(series: s, timestamp: at(noon, 9 * second), value: 1e9, weight: 0), now: now)
    #expect(store.stats(s, window: minute, at: now).max == 1000)
  }

  // E15: ratios are Σnum/Σden over the buckets, not the mean of bucket ratios.
  @Test func e15RatioOfSums() throws {
    var store = MetricStore()
    let num = SeriesID(0)
    let den = SeriesID(1)
    let now = at(noon, 20 * second)
    _ = store.ingest(Sample(series: num, timestamp: at(noon, 5 * second), value: 1), now: now)
    _ = store.ingest(Sample(series: den, timestamp: at(noon, 5 * second), value: 10), now: now)
    _ = store.ingest(Sample(series: num, timestamp: at(noon, 15 * second), value: 0), now: now)
    _ = store.ingest(Sample(series: den, timestamp: at(noon, 15 * second), value: 990), now: now)
    for w in [minute, 5 * minute] {
      let ratio =
        store.stats(num, window: w, at: now).sum / store.stats(den, window: w, at: now).sum
      #expect(ratio == 0.001)
    }
    #expect(store.seriesCount == 2)
    // A denominator of zero is no data, which callers see as a zero sum with count > 0 or no
    // buckets at all.
    #expect(store.stats(SeriesID(5), window: minute, at: now).count == 0)
  }

  @Test func integerSumsAreExact() {
    var store = MetricStore()
    let now = at(noon, 15 * minute)
    var expected: Int64 = 0
    var rng = SplitMix64(seed: 8)
    for i in 0..<9000 {
      let v = Int64(rng.next() % 1_000_000_000_000)
      expected += v
      _ = store.ingest(
        Sample(series: s, timestamp: at(noon, Int64(i) * 100_000_000 + 1), value: Double(v)),
        now: now)
    }
    #expect(store.stats(s, window: 15 * minute, at: now).sum == Double(expected))
  }

  @Test func nonFiniteValuesAreDroppedAndCounted() {
    var store = MetricStore()
    #expect(store.ingest(Sample(series: s, timestamp: noon, value: .nan), now: noon) == .accepted)
    #expect(
      store.ingest(Sample(series: s, timestamp: noon, value: .infinity), now: noon) == .accepted)
    #expect(store.nonFiniteDroppedTotal == 2)
    #expect(store.seriesCount == 0)
    #expect(store.stats(s, window: minute, at: noon).count == 0)
  }

  @Test func customLevelsAndWindows() {
    let config = WindowsConfig(
      levels: [WindowLevel(bucketNanos: 100_000_000, slots: 10)], windows: [second],
      maxFutureSkew: 0)
    var store = MetricStore(config: config)
    #expect(store.level(forWindow: second) == (0, 10))
    #expect(store.level(forWindow: 5 * second) == (0, 10))  // beyond the horizon: all of it
    for i in 1...20 {
      let t = at(noon, Int64(i) * 100_000_000)
      #expect(store.ingest(Sample(series: s, timestamp: t, value: Double(i)), now: t) == .accepted)
    }
    let st = store.stats(s, window: second, at: at(noon, 2 * second))
    #expect(st.count == 10 && st.min == 11 && st.max == 20)
    #expect(
      store.ingest(
        Sample(series: s, timestamp: at(noon, 2 * second + 1), value: 1), now: at(noon, 2 * second))
        == .future)
  }
}
