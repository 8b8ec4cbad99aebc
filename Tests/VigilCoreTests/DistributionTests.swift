import Foundation
import Testing
import VigilTestSupport

@testable import VigilCore

/// `MetricStore.distribution`: per-bucket latency bins against a brute-force oracle that keeps
/// every raw sample.
@Suite struct DistributionTests {
  static let t0 = Timestamp.seconds(1_795_687_200)

  /// A store fed by several series over `seconds`, and every sample it accepted.
  struct Fixture {
    var store = MetricStore()
    var raw: [(series: SeriesID, ts: Int64, value: Double, weight: UInt32)] = []
    var now = DistributionTests.t0

    mutating func add(_ s: SeriesID, _ ts: Int64, _ v: Double, weight: UInt32 = 1) {
      let sample = Sample(
        series: s, timestamp: Timestamp(nanoseconds: ts), value: v, weight: weight)
      if store.ingest(sample, now: now) == .accepted && v.isFinite {
        raw.append((s, ts, v, weight))
      }
    }

    /// Brute force: the samples of `ids` in the window, binned by `edges` (end bins open).
    func oracle(_ ids: [SeriesID], window: Int64, edges: [Double]) -> (
      counts: [[UInt64]], total: UInt64
    ) {
      let (li, n) = store.level(forWindow: window)
      let width = store.config.levels[li].bucketNanos
      let kNow = BucketIndex.bucket(now.nanoseconds, width: width)
      let bins = edges.count - 1
      var counts = [[UInt64]](repeating: [UInt64](repeating: 0, count: bins), count: n)
      var total: UInt64 = 0
      let wanted = Set(ids)
      for x in raw where wanted.contains(x.series) {
        let k = BucketIndex.bucket(x.ts, width: width)
        let j = Int(k - (kNow - Int64(n) + 1))
        guard j >= 0 && j < n else { continue }
        var bin = 0
        for i in 0..<bins where edges[i] <= x.value { bin = i }
        counts[j][bin] += UInt64(x.weight)
        total += UInt64(x.weight)
      }
      return (counts, total)
    }
  }

  /// Three series over two minutes: lognormal, bimodal and Pareto latencies in seconds, with
  /// some zeros, a negative and weights.
  static func fixture(seed: UInt64 = 7) -> Fixture {
    var f = Fixture()
    var rng = SplitMix64(seed: seed)
    let ids = [SeriesID(0), SeriesID(1), SeriesID(2)]
    for second in 0..<120 {
      f.now = t0.adding(Int64(second + 1) * Nanos.second)
      for _ in 0..<(5 + Int(rng.next() % 20)) {
        let ts = t0.nanoseconds + Int64(second) * Nanos.second + Int64(rng.next() % 1_000_000_000)
        f.add(ids[0], ts, rng.lognormal(median: 0.05, sigma: 0.8))
        f.add(
          ids[1], ts,
          rng.unit() < 0.7
            ? rng.lognormal(median: 0.002, sigma: 0.3) : rng.lognormal(median: 0.12, sigma: 0.4))
        f.add(ids[2], ts, rng.pareto(xm: 0.01, alpha: 1.5), weight: UInt32(1 + rng.next() % 3))
      }
    }
    f.add(ids[0], f.now.nanoseconds - 1, 0)
    f.add(ids[1], f.now.nanoseconds - 2, -0.5)
    f.add(ids[2], f.now.nanoseconds - 3, 500)
    return f
  }

  static func expectMatchesOracle(
    _ f: Fixture, _ ids: [SeriesID], window: Int64, bins: LatencyBins,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let d = f.store.distribution(ids, window: window, at: f.now, bins: bins)
    let (counts, total) = f.oracle(ids, window: window, edges: d.edges)
    #expect(d.bucketCount == counts.count, sourceLocation: sourceLocation)
    #expect(d.total == total, sourceLocation: sourceLocation)
    var mismatches = 0
    for j in 0..<d.bucketCount {
      for b in 0..<d.binCount where d.count(bucket: j, bin: b) != counts[j][b] { mismatches += 1 }
      #expect(d.bucketTotals[j] == counts[j].reduce(0, +), sourceLocation: sourceLocation)
    }
    #expect(mismatches == 0, "cells differing from the oracle", sourceLocation: sourceLocation)
    let hist = (0..<d.binCount).map { b in counts.reduce(0) { $0 + $1[b] } }
    #expect(d.histogram == hist, sourceLocation: sourceLocation)
    // The total is the window's sample count, as the store's own statistics give it.
    let statsCount = Set(ids).reduce(UInt64(0)) {
      $0 + f.store.stats($1, window: window, at: f.now, quantiles: false).count
    }
    #expect(d.total == statsCount, sourceLocation: sourceLocation)
  }

  @Test(arguments: [Nanos.minute, 5 * Nanos.minute, 15 * Nanos.minute])
  func countsEqualTheBruteForceOracle(window: Int64) {
    let f = Self.fixture()
    let ids = [SeriesID(0), SeriesID(1), SeriesID(2)]
    Self.expectMatchesOracle(
      f, ids, window: window, bins: .logarithmic(from: 0.001, to: 60, count: 20))
    Self.expectMatchesOracle(f, ids, window: window, bins: .fromData(count: 13))
    Self.expectMatchesOracle(f, [SeriesID(1)], window: window, bins: .fromData(count: 40))
    // A narrow fixed range: most samples land in the open end bins.
    Self.expectMatchesOracle(
      f, ids, window: window, bins: .logarithmic(from: 0.01, to: 0.02, count: 4))
  }

  @Test func edgesAreWithinTheSketchErrorOfTheRequestedOnes() {
    let bins = LatencyBins.logarithmic(from: 0.001, to: 60, count: 24)
    let edges = bins.edges(dataLow: nil, dataHigh: nil)
    #expect(edges.count == 25)
    for (i, e) in edges.enumerated() {
      let wanted = 0.001 * pow(60_000, Double(i) / 24)
      #expect(abs(e - wanted) / wanted <= 0x1p-8 * (1 + 1e-9), "edge \(i): \(e) vs \(wanted)")
      // A sketch bucket boundary: snapping again changes nothing.
      #expect(LatencyBins.snap(e) == e)
    }
    #expect(zip(edges, edges.dropFirst()).allSatisfy { $0 < $1 })
  }

  @Test func binsFromDataCoverTheDataOnNiceSteps() {
    let f = Self.fixture()
    let ids = [SeriesID(0), SeriesID(1)]
    let d = f.store.distribution(ids, window: Nanos.minute, at: f.now, bins: .fromData(count: 10))
    // Series 1 has one negative sample: only that lies below the first edge.
    #expect(d.below == 2)  // the 0 of series 0 and the -0.5 of series 1
    #expect(d.above == 0)
    #expect(d.binCount == 10)
    let low = d.edges[0]
    let high = d.edges[d.binCount]
    // 1-2-5 steps, snapped.
    let steps = (-6...3).flatMap { p in [1.0, 2, 5].map { $0 * pow(10, Double(p)) } }
    #expect(steps.contains { abs($0 - low) / $0 <= 0x1p-8 }, "\(low)")
    #expect(steps.contains { abs($0 - high) / $0 <= 0x1p-8 }, "\(high)")
  }

  @Test func repeatedIdsCountOnceAndSeriesAdd() {
    let f = Self.fixture()
    let bins = LatencyBins.logarithmic(from: 0.001, to: 10, count: 8)
    let a = f.store.distribution([SeriesID(0)], window: Nanos.minute, at: f.now, bins: bins)
    let b = f.store.distribution([SeriesID(2)], window: Nanos.minute, at: f.now, bins: bins)
    let ab = f.store.distribution(
      [SeriesID(0), SeriesID(2), SeriesID(0)], window: Nanos.minute, at: f.now, bins: bins)
    #expect(ab.counts == zip(a.counts, b.counts).map { $0 + $1 })
    #expect(ab.total == a.total + b.total)
  }

  @Test func quantilesPerBucketMatchTheStore() {
    let f = Self.fixture()
    let id = SeriesID(0)
    let d = f.store.distribution(
      [id], window: 5 * Nanos.minute, at: f.now, bins: .fromData(count: 8),
      quantiles: [0.5, 0.99])
    let p99 = f.store.buckets(id, window: 5 * Nanos.minute, at: f.now, statistic: .quantile(0.99))
    #expect(d.bucketQuantiles[1] == p99)
    #expect(
      d.windowQuantiles[0] == f.store.quantile(id, window: 5 * Nanos.minute, at: f.now, q: 0.5))
    // Merged over series: the merged sketch's quantile.
    let ids = [SeriesID(0), SeriesID(1)]
    let m = f.store.distribution(
      ids, window: Nanos.minute, at: f.now, bins: .fromData(count: 8), quantiles: [0.99])
    var whole = f.store.sketch(SeriesID(0), window: Nanos.minute, at: f.now)
    whole.merge(f.store.sketch(SeriesID(1), window: Nanos.minute, at: f.now))
    #expect(m.windowQuantiles == [whole.quantile(0.99)])
  }

  @Test func quantileBinsFromCountsAreTheBinsOfTheSketchQuantiles() {
    let f = Self.fixture()
    let ids = [SeriesID(0), SeriesID(1), SeriesID(2)]
    let qs = [0.0, 0.5, 0.9, 0.99, 0.999, 1]
    for window in [Nanos.minute, 15 * Nanos.minute] {
      let d = f.store.distribution(
        ids, window: window, at: f.now, bins: .fromData(count: 16), quantiles: qs)
      var checked = 0
      for (i, q) in qs.enumerated() {
        for j in 0..<d.bucketCount {
          #expect(d.quantileBin(q, bucket: j) == d.bucketQuantiles[i][j].flatMap { d.bin(of: $0) })
          checked += d.bucketQuantiles[i][j] == nil ? 0 : 1
        }
        #expect(d.windowQuantileBin(q) == d.windowQuantiles[i].flatMap { d.bin(of: $0) })
      }
      #expect(checked >= 6 * 12)  // every bucket with data, for each quantile
    }
    let empty = MetricStore().distribution(
      [SeriesID(0)], window: Nanos.minute, at: Self.t0, bins: .fromData(count: 4))
    #expect(empty.quantileBin(0.99, bucket: 0) == nil && empty.windowQuantileBin(0.5) == nil)
    #expect(
      empty.quantileBin(0.99, bucket: -1) == nil && empty.quantileBin(0.99, bucket: 60) == nil)
  }

  @Test func positiveCountSumsKeyRanges() {
    var s = QuantileSketch()
    for v in [0.5, 1, 1, 2, 3, 1000, -4, 0] { s.record(v) }
    let k = { (v: Double) in Int(QuantileSketch.key(ofPositive: v)) }
    #expect(s.positiveCount(keys: .min, .max) == 6)
    #expect(s.nonPositiveCount == 2)
    #expect(s.positiveCount(keys: k(1), k(2)) == 2)
    #expect(s.positiveCount(keys: k(1), k(2) + 1) == 3)
    #expect(s.positiveCount(keys: .min, k(0.5)) == 0)
    #expect(s.positiveCount(keys: k(1000), .max) == 1)
    #expect(s.positiveCount(keys: k(2000), .max) == 0)
    #expect(s.positiveCount(keys: 5, 3) == 0)
    #expect(QuantileSketch().positiveCount(keys: .min, .max) == 0)
  }

  @Test func emptyAndUnknownSeries() {
    let store = MetricStore()
    let d = store.distribution(
      [SeriesID(5)], window: Nanos.minute, at: Self.t0, bins: .fromData(count: 6),
      quantiles: [0.99])
    #expect(d.total == 0)
    #expect(d.bucketCount == 60)
    #expect(d.bucketTotals.allSatisfy { $0 == 0 })
    #expect((0..<60).allSatisfy { d.column($0) == nil })
    #expect(d.bucketQuantiles == [[Double?](repeating: nil, count: 60)])
    #expect(d.windowQuantiles == [nil])
    // The fallback range, 1 ms to 1 (the caller's unit).
    #expect(abs(d.edges[0] - 0.001) / 0.001 < 0.01 && abs(d.edges[6] - 1) < 0.01)
    let none = store.distribution([], window: Nanos.minute, at: Self.t0, bins: .fromData(count: 6))
    #expect(none.total == 0)
  }

  @Test func oneSample() {
    var f = Fixture()
    f.now = Self.t0
    f.add(SeriesID(0), Self.t0.nanoseconds, 0.25)
    let d = f.store.distribution(
      [SeriesID(0)], window: Nanos.minute, at: f.now, bins: .fromData(count: 5))
    #expect(d.total == 1)
    #expect(d.bucketTotals.last == 1)
    let bin = d.bin(of: 0.25)
    #expect(bin.map { d.count(bucket: 59, bin: $0) } == 1)
    #expect(d.edges[0] <= 0.25 && 0.25 < d.edges[d.binCount])
    Self.expectMatchesOracle(f, [SeriesID(0)], window: Nanos.minute, bins: .fromData(count: 5))
  }

  @Test func hostileRangesAndCountsNeverBreak() {
    let weird: [LatencyBins] = [
      .logarithmic(from: 0, to: 0, count: 0),
      .logarithmic(from: -5, to: .nan, count: 3),
      .logarithmic(from: .infinity, to: 1, count: 1_000_000),
      .logarithmic(from: 1, to: 1.000001, count: 50),
      .logarithmic(from: Double.leastNonzeroMagnitude, to: .greatestFiniteMagnitude, count: 7),
      .fromData(count: -1, fallback: 5...5),
    ]
    for bins in weird {
      for (lo, hi) in [(nil, nil), (1e-300, 1e300), (2.0, 2.0)] as [(Double?, Double?)] {
        let e = bins.edges(dataLow: lo, dataHigh: hi)
        #expect(e.count >= 2 && e.count <= LatencyBins.maxCount + 1)
        #expect(e.allSatisfy { $0 > 0 && $0.isFinite })
        #expect(zip(e, e.dropFirst()).allSatisfy { $0 < $1 })
      }
    }
    // Extreme values (non-finite ones never reach the store), at either end of the doubles.
    for values in [
      [Double.greatestFiniteMagnitude, 1e300, 1e305, .infinity, .nan],
      [Double.leastNonzeroMagnitude, .leastNormalMagnitude / 16, 1e-300, 2e-300, -.infinity],
    ] {
      var f = Fixture()
      f.now = Self.t0
      for v in values { f.add(SeriesID(0), Self.t0.nanoseconds, v) }
      for bins in weird {
        Self.expectMatchesOracle(f, [SeriesID(0)], window: Nanos.minute, bins: bins)
      }
    }
    // Both ends in one bucket: the sketch collapses its lowest buckets (more than 2^32 apart),
    // which moves the tiny values up a bin or more, but every sample is still counted.
    var f = Fixture()
    f.now = Self.t0
    for v in [Double.greatestFiniteMagnitude, .leastNonzeroMagnitude, 1e-300, 1e300] {
      f.add(SeriesID(0), Self.t0.nanoseconds, v)
    }
    let d = f.store.distribution(
      [SeriesID(0)], window: Nanos.minute, at: f.now, bins: .fromData(count: 8))
    #expect(d.total == 4 && d.histogram.reduce(0, +) == 4)
  }

  @Test func bucketGridMatchesBuckets() {
    let f = Self.fixture()
    let d = f.store.distribution(
      [SeriesID(0)], window: 15 * Nanos.minute, at: f.now, bins: .fromData(count: 4))
    let counts = f.store.buckets(
      SeriesID(0), window: 15 * Nanos.minute, at: f.now, statistic: .count)
    #expect(d.bucketNanos == 10 * Nanos.second)
    #expect(d.bucketCount == counts.count)
    #expect(d.bucketTotals.map { $0 == 0 ? nil : Double($0) } == counts)
    #expect(d.newestBucketEnd.nanoseconds % d.bucketNanos == 0)
    #expect(d.newestBucketEnd >= f.now && d.newestBucketEnd.since(f.now) < d.bucketNanos)
  }
}
