import Testing
import VigilTestSupport

@testable import VigilCore

/// The oracle sweep of SEMANTICS §8.5: every window, several slide positions, seeded
/// distributions, compared with an exact nearest-rank oracle.
@Suite struct MetricStoreOracleTests {
  enum Distribution: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case lognormal, bimodal, pareto, constant, bucketEdges
    var testDescription: String { rawValue }

    func draw(_ rng: inout SplitMix64) -> Double {
      switch self {
      case .lognormal: return rng.lognormal(median: 50, sigma: 0.8)
      case .bimodal:
        // Cache hits around 2 ms, slow database calls around 120 ms.
        return rng.unit() < 0.7
          ? rng.lognormal(median: 2, sigma: 0.3) : rng.lognormal(median: 120, sigma: 0.4)
      case .pareto: return rng.pareto(xm: 10, alpha: 1.5)
      case .constant: return 42
      case .bucketEdges:
        // Exact bucket lower bounds and the largest value just below one, 1 ... 2^10.
        let k = Int32(1023 << 7) + Int32(rng.next() % (10 << 7))
        let lo = QuantileSketch.lowerBound(ofKey: k)
        return rng.next() % 2 == 0 ? lo : lo.nextDown
      }
    }
  }

  static let windows = [minute, 5 * minute, 15 * minute]
  static let qs = [0.5, 0.9, 0.95, 0.99, 0.999]

  struct Worst {
    var error = 0.0
    var checks = 0
  }

  /// Compares every window at `now` with the oracle built from `ingested`.
  static func check(
    _ store: MetricStore, _ series: SeriesID, _ ingested: [(ts: Int64, value: Double)],
    at now: Timestamp, worst: inout Worst, label: String
  ) {
    for w in windows {
      let (li, n) = store.level(forWindow: w)
      let width = store.config.levels[li].bucketNanos
      let end = BucketIndex.bucket(now.nanoseconds, width: width) * width
      let start = end - Int64(n) * width
      var oracle = ExactQuantiles()
      var fresh = QuantileSketch()
      for x in ingested where x.ts > start && x.ts <= end {
        oracle.add(x.value)
        fresh.record(x.value)
      }
      let merged = store.sketch(series, window: w, at: now)
      // Sliding and re-merging equals a fresh build from the window's samples (E7 analogue).
      #expect(merged == fresh, "\(label) window \(w / second)s at \(now)")
      let st = store.stats(series, window: w, at: now)
      #expect(st.count == oracle.count)
      guard oracle.count > 0 else {
        #expect(st.p50 == nil && st.p99 == nil)
        continue
      }
      #expect(st.min == oracle.quantile(0) && st.max == oracle.quantile(1))
      #expect([st.p50, st.p90, st.p95, st.p99] == merged.quantiles([0.5, 0.9, 0.95, 0.99]))
      let exact = oracle.quantiles(qs)
      let got = merged.quantiles(qs)
      for (i, q) in qs.enumerated() where Double(oracle.count) * (1 - q) >= 1 {
        guard let e = exact[i], let g = got[i] else {
          Issue.record("missing quantile \(q)")
          continue
        }
        let err = ExactQuantiles.relativeError(g, e)
        #expect(err <= 0.01, "\(label) p\(q * 100) window \(w / second)s: \(g) vs \(e)")
        #expect(err <= QuantileSketch.relativeErrorBound * (1 + 1e-9))
        worst.error = Swift.max(worst.error, err)
        worst.checks += 1
      }
    }
  }

  /// Read positions in seconds after noon (nanosecond offsets included): consecutive buckets
  /// of both levels, exact ticks and mid-bucket ("live") positions.
  static let readPositions: [Int64] = [
    1 * second, 30 * second + 500_000_000, 60 * second, 61 * second, 62 * second - 1,
    300 * second, 310 * second, 455 * second + 250_000_000, 899 * second, 900 * second,
    901 * second, 910 * second, 920 * second, 1000 * second + 1, 1019 * second,
  ]

  @Test(arguments: Distribution.allCases)
  func sweep(_ dist: Distribution) {
    var rng = SplitMix64(seed: 0xC0FFEE ^ UInt64(dist.rawValue.utf8.count))
    // 20 samples per second for 1020 s: one exactly on each second (a bucket's closing edge),
    // one a nanosecond after the previous edge, the rest uniform.
    var samples: [(ts: Int64, value: Double)] = []
    for s in 1...1020 {
      let end = noon.nanoseconds + Int64(s) * second
      samples.append((end, dist.draw(&rng)))
      samples.append((end - second + 1, dist.draw(&rng)))
      for _ in 0..<18 {
        samples.append((end - Int64(rng.next() % UInt64(second)), dist.draw(&rng)))
      }
    }
    samples.sort { $0.ts < $1.ts }
    let series = SeriesID(3)
    // Half the runs stream in time order (now = ts); the others arrive in bursts just before
    // each read (now = the read time), so many samples are late.
    let streaming = dist.rawValue.utf8.count % 2 == 0
    var store = MetricStore()
    var next = 0
    var worst = Worst()
    for p in Self.readPositions {
      let now = at(noon, p)
      while next < samples.count && samples[next].ts <= now.nanoseconds {
        let x = samples[next]
        let clock = streaming ? Timestamp(nanoseconds: x.ts) : now
        let outcome = store.ingest(
          Sample(series: series, timestamp: Timestamp(nanoseconds: x.ts), value: x.value),
          now: clock)
        #expect(outcome == .accepted || (!streaming && outcome == .tooOld))
        next += 1
      }
      Self.check(
        store, series, Array(samples[..<next]), at: now, worst: &worst, label: dist.rawValue)
    }
    #expect(worst.checks > 100)
    print(
      "oracle sweep \(dist.rawValue): worst relative error \(worst.error) over \(worst.checks) checks"
    )
  }

  // E5: 60 × 1 s buckets × 1000 lognormal samples (median 50 ms in µs, σ 0.8).
  @Test func e5LognormalSixtyThousand() {
    var rng = SplitMix64(seed: 5)
    var store = MetricStore()
    var samples: [(ts: Int64, value: Double)] = []
    let series = SeriesID(0)
    for s in 1...60 {
      for i in 0..<1000 {
        let ts = noon.nanoseconds + Int64(s - 1) * second + Int64(i + 1) * 1_000_000
        let v = rng.lognormal(median: 50_000, sigma: 0.8)
        samples.append((ts, v))
        _ = store.ingest(
          Sample(series: series, timestamp: Timestamp(nanoseconds: ts), value: v),
          now: Timestamp(nanoseconds: ts))
      }
    }
    var worst = Worst()
    Self.check(store, series, samples, at: at(noon, minute), worst: &worst, label: "E5")
    #expect(store.stats(series, window: minute, at: at(noon, minute)).count == 60_000)
    print("E5: worst relative error \(worst.error) over \(worst.checks) checks")
  }

  // Large N: 200 samples/s for 16 minutes, read at slide positions one bucket apart.
  @Test func largeNLognormal() {
    var rng = SplitMix64(seed: 500)
    var store = MetricStore()
    var samples: [(ts: Int64, value: Double)] = []
    let series = SeriesID(1)
    var worst = Worst()
    for s in 1...960 {
      for _ in 0..<200 {
        let ts = noon.nanoseconds + Int64(s) * second - Int64(rng.next() % UInt64(second))
        let v = rng.lognormal(median: 50, sigma: 0.8)
        samples.append((ts, v))
        _ = store.ingest(
          Sample(series: series, timestamp: Timestamp(nanoseconds: ts), value: v),
          now: at(noon, Int64(s) * second))
      }
      if s == 900 || s == 910 || s == 960 {
        Self.check(
          store, series, samples, at: at(noon, Int64(s) * second), worst: &worst, label: "largeN")
      }
    }
    print("large N: worst relative error \(worst.error) over \(worst.checks) checks")
  }
}
