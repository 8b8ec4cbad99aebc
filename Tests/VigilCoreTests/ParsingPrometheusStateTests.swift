import Testing
import VigilTestSupport

@testable import VigilCore

/// What the per-feed parser makes of successive scrapes: counter deltas, histogram points,
/// summary quantiles (SEMANTICS §8.2, §8.6, E1–E4).
@Suite struct ParsingPrometheusStateTests {
  let minute = Nanos.minute

  func at(_ m: Int) -> Timestamp { testArrival.adding(Int64(m) * Nanos.minute) }

  @Test func e1CounterDeltasWithAReset() {
    var h = PromHarness()
    var store = MetricStore()
    var emitted: [Double] = []
    for (m, v) in [0, 10, 20, 5, 15].enumerated() {
      let r = h.parse("# TYPE c_total counter\nc_total \(v)\n", at: at(m))
      #expect(r.issues.isEmpty)
      emitted += r.samples.map(\.value)
      for s in h.sink.samples { _ = store.ingest(s, now: at(m)) }
    }
    #expect(emitted == [10, 10, 5, 10], "the first scrape is only a baseline")
    let id = h.sink.interner.lookup(key("c_total"))!
    // (0, 4m]: every delta, no extrapolation (E1: 35).
    #expect(store.stats(id, window: 4 * minute, at: at(4)).sum == 35)
    // E2: the last 150 s hold the deltas at 2m, 3m and 4m.
    #expect(store.stats(id, window: 150 * Nanos.second, at: at(4)).sum == 25)
  }

  @Test func zeroIncreaseIsEmitted() {
    var h = PromHarness()
    _ = h.parse("# TYPE c counter\nc 7\n", at: at(0))
    #expect(h.parse("# TYPE c counter\nc 7\n", at: at(1)).samples.map(\.value) == [0])
  }

  @Test func counterSeriesAreIndependent() {
    var h = PromHarness()
    let body = { (a: Int, b: Int) in
      "# TYPE r_total counter\nr_total{code=\"200\"} \(a)\nr_total{code=\"500\"} \(b)\n"
    }
    _ = h.parse(body(100, 1), at: at(0))
    let r = h.parse(body(150, 4), at: at(1))
    #expect(
      r.samples == [
        PromSample(key: key("r_total", [("code", "200")]), ns: at(1).nanoseconds, value: 50),
        PromSample(key: key("r_total", [("code", "500")]), ns: at(1).nanoseconds, value: 3),
      ])
    // A series seen for the first time later starts with a baseline of its own.
    let r2 = h.parse(body(160, 4) + "r_total{code=\"404\"} 9\n", at: at(2))
    #expect(r2.samples.map(\.value) == [10, 0])
  }

  @Test func openMetricsCreatedMarksAReset() {
    var h = PromHarness(.openMetrics)
    let body = { (v: Int, created: Int) in
      "# TYPE r counter\nr_total \(v)\nr_created \(created)\n# EOF\n"
    }
    _ = h.parse(body(100, 1000), at: at(0))
    #expect(h.parse(body(120, 1000), at: at(1)).samples.map(\.value) == [20])
    // Restarted: the counter is higher than before but was created anew.
    #expect(h.parse(body(130, 2000), at: at(2)).samples.map(\.value) == [130])
    #expect(h.parse(body(131, 2000), at: at(3)).samples.map(\.value) == [1])
  }

  @Test func createdBeforeTotalStillResets() {
    var h = PromHarness(.openMetrics)
    _ = h.parse("# TYPE r counter\nr_created 1\nr_total 100\n# EOF\n", at: at(0))
    #expect(
      h.parse("# TYPE r counter\nr_created 2\nr_total 150\n# EOF\n", at: at(1)).samples.map(
        \.value) == [150])
  }

  @Test func explicitTimestampsOrderCounterSamples() {
    var h = PromHarness()
    let ms = testNs / Nanos.millisecond
    _ = h.parse("c_total 10 \(ms)\n# TYPE c_total counter\n")
    let older = h.parse("c_total 12 \(ms - 1000)\n# TYPE c_total counter\n")
    #expect(older.samples.isEmpty)
    #expect(older.issues.map(\.reason) == [.outOfOrder])
    let newer = h.parse("c_total 15 \(ms + 5000)\n# TYPE c_total counter\n")
    #expect(
      newer.samples == [PromSample(key: key("c_total"), ns: testNs + 5 * Nanos.second, value: 5)])
  }

  @Test func nonFiniteCounterKeepsTheBaseline() {
    var h = PromHarness()
    _ = h.parse("# TYPE c counter\nc 10\n", at: at(0))
    let r = h.parse("# TYPE c counter\nc NaN\n", at: at(1))
    #expect(r.samples.count == 1 && r.samples[0].value.isNaN)
    var store = MetricStore()
    #expect(store.ingest(h.sink.samples[0], now: at(1)) == .accepted)
    #expect(store.nonFiniteDroppedTotal == 1, "the windows drop it and count it")
    #expect(h.parse("# TYPE c counter\nc 12\n", at: at(2)).samples.map(\.value) == [2])
  }

  @Test func gaugesAndUntypedAreValues() {
    var h = PromHarness()
    let r = h.parse("# TYPE g gauge\ng 3.5\nu{a=\"b\"} -2\n")
    #expect(
      r.samples == [
        PromSample(key: key("g"), ns: testNs, value: 3.5),
        PromSample(key: key("u", [("a", "b")]), ns: testNs, value: -2),
      ])
  }

  @Test func summaryQuantilesAreGaugesAndSumCountCounters() {
    var h = PromHarness()
    let body = { (q: Double, n: Int, sum: Double) in
      """
      # TYPE rpc_seconds summary
      rpc_seconds{quantile="0.50"} \(q)
      rpc_seconds{quantile="0.99"} \(q * 3)
      rpc_seconds_sum \(sum)
      rpc_seconds_count \(n)

      """
    }
    let first = h.parse(body(0.2, 10, 2.5), at: at(0))
    #expect(
      first.samples == [
        PromSample(
          key: key("rpc_seconds", [("quantile", "0.5")]), ns: at(0).nanoseconds, value: 0.2),
        PromSample(
          key: key("rpc_seconds", [("quantile", "0.99")]), ns: at(0).nanoseconds,
          value: 0.2 * 3),
      ])
    let second = h.parse(body(0.25, 14, 3.5), at: at(1))
    #expect(
      second.samples.map(\.key.metric) == [
        "rpc_seconds", "rpc_seconds", "rpc_seconds_sum", "rpc_seconds_count",
      ])
    #expect(second.samples.suffix(2).map(\.value) == [1, 4])
  }

  // MARK: - Histograms

  static func histogramBody(
    _ name: String, _ buckets: [(String, Double)], sum: Double, labels: String = ""
  )
    -> String
  {
    var s = "# TYPE \(name) histogram\n"
    let sep = labels.isEmpty ? "" : ","
    for (le, c) in buckets { s += "\(name)_bucket{\(labels)\(sep)le=\"\(le)\"} \(c)\n" }
    s += "\(name)_sum\(labels.isEmpty ? "" : "{\(labels)}") \(sum)\n"
    s += "\(name)_count\(labels.isEmpty ? "" : "{\(labels)}") \(buckets.last?.1 ?? 0)\n"
    return s
  }

  @Test func e3HistogramPercentilesFromBucketDeltas() {
    var h = PromHarness()
    let zero: [(String, Double)] = [("0.1", 0), ("0.5", 0), ("1", 0), ("+Inf", 0)]
    let later: [(String, Double)] = [("0.1", 50), ("0.5", 90), ("1", 99), ("+Inf", 100)]
    #expect(h.parse(Self.histogramBody("lat", zero, sum: 0), at: at(0)).samples.isEmpty)
    let r = h.parse(Self.histogramBody("lat", later, sum: 40), at: at(1))
    #expect(r.issues.isEmpty && r.warnings.isEmpty)
    let points = r.samples.filter { $0.key == key("lat") }
    #expect(points.reduce(0) { $0 + Int($1.weight) } == 100)
    #expect(points.allSatisfy { $0.ns == at(1).nanoseconds })
    var store = MetricStore()
    for s in h.sink.samples { _ = store.ingest(s, now: at(1)) }
    let id = h.sink.interner.lookup(key("lat"))!
    let sketch = store.sketch(id, window: 5 * minute, at: at(1))
    let tolerance = QuantileSketch.relativeErrorBound * 1.01
    #expect(abs(sketch.quantile(0.95)! - 0.7778) / 0.7778 <= tolerance + 1e-4)
    #expect(abs(sketch.quantile(0.99)! - 1.0) <= tolerance)
    #expect(abs(sketch.quantile(0.999)! - 1.0) <= tolerance, "+Inf → the highest finite bound")
    // _sum and _count as their own counter series give the exact mean.
    #expect(r.samples.first { $0.key == key("lat_sum") }?.value == 40)
    #expect(r.samples.first { $0.key == key("lat_count") }?.value == 100)
  }

  @Test func e4HistogramWithoutInfGivesNoPercentiles() {
    var h = PromHarness()
    _ = h.parse(Self.histogramBody("lat", [("0.1", 1), ("1", 2)], sum: 1), at: at(0))
    let r = h.parse(Self.histogramBody("lat", [("0.1", 5), ("1", 9)], sum: 4), at: at(1))
    #expect(r.issues.isEmpty)
    #expect(r.samples.allSatisfy { $0.key.metric != "lat" })
    #expect(r.warnings.contains { $0.detail.contains("+Inf") })
  }

  @Test func histogramResetUsesTheNewCounts() {
    var h = PromHarness()
    _ = h.parse(Self.histogramBody("d", [("1", 80), ("+Inf", 100)], sum: 50), at: at(0))
    // The process restarted: counts went down, so they are the increase.
    let r = h.parse(Self.histogramBody("d", [("1", 3), ("+Inf", 4)], sum: 2), at: at(1))
    let points = r.samples.filter { $0.key == key("d") }
    #expect(points.reduce(0) { $0 + Int($1.weight) } == 4)
    // (0, 1] holds 3 (points at 1/3, 2/3 and 1), +Inf holds 1 (at the highest bound, 1).
    #expect(points.filter { $0.value == 1 }.reduce(0) { $0 + Int($1.weight) } == 2)
    // A changed le set is a reset too.
    let r2 = h.parse(Self.histogramBody("d", [("1", 5), ("2", 6), ("+Inf", 7)], sum: 9), at: at(2))
    #expect(r2.samples.filter { $0.key == key("d") }.reduce(0) { $0 + Int($1.weight) } == 7)
  }

  @Test func openMetricsHistogramCreatedMarksAReset() {
    var h = PromHarness(.openMetrics)
    let body = { (c: Int, created: Int) in
      """
      # TYPE d_seconds histogram
      d_seconds_bucket{le="1"} \(c)
      d_seconds_bucket{le="+Inf"} \(c)
      d_seconds_count \(c)
      d_seconds_sum \(c)
      d_seconds_created \(created)
      # EOF

      """
    }
    _ = h.parse(body(10, 100), at: at(0))
    let same = h.parse(body(15, 100), at: at(1))
    #expect(same.issues.isEmpty)
    #expect(
      same.samples.filter { $0.key == key("d_seconds") }.reduce(0) { $0 + Int($1.weight) } == 5)
    #expect(same.samples.first { $0.key == key("d_seconds_count") }?.value == 5)
    // Re-created with more observations than before: every one of them is new.
    let restarted = h.parse(body(20, 200), at: at(2))
    #expect(
      restarted.samples.filter { $0.key == key("d_seconds") }.reduce(0) { $0 + Int($1.weight) }
        == 20)
    #expect(restarted.samples.first { $0.key == key("d_seconds_count") }?.value == 20)
    #expect(restarted.samples.first { $0.key == key("d_seconds_sum") }?.value == 20)
  }

  @Test func histogramSeriesPerLabelSet() {
    var h = PromHarness()
    let body = { (a: Double, b: Double) in
      Self.histogramBody("q", [("1", a), ("+Inf", a)], sum: a, labels: "svc=\"a\"")
        .replacingOccurrences(of: "# TYPE q histogram\n", with: "")
        + Self.histogramBody("q", [("1", b), ("+Inf", b)], sum: b, labels: "svc=\"b\"")
    }
    _ = h.parse("# TYPE q histogram\n" + body(1, 1), at: at(0))
    let r = h.parse("# TYPE q histogram\n" + body(3, 11), at: at(1))
    let weights = Dictionary(grouping: r.samples.filter { $0.key.metric == "q" }, by: \.key)
      .mapValues { $0.reduce(0) { $0 + Int($1.weight) } }
    #expect(weights == [key("q", [("svc", "a")]): 2, key("q", [("svc", "b")]): 10])
  }

  @Test func textHistogramRepairsWithWarnings() {
    var h = PromHarness()
    let unordered = "# TYPE u histogram\nu_bucket{le=\"+Inf\"} 4\nu_bucket{le=\"1\"} 3\n"
    _ = h.parse(unordered, at: at(0))
    let r = h.parse(
      "# TYPE u histogram\nu_bucket{le=\"+Inf\"} 9\nu_bucket{le=\"1\"} 5\n", at: at(1))
    #expect(r.issues.isEmpty)
    #expect(r.warnings.contains { $0.detail.contains("order") })
    let points = r.samples.filter { $0.key == key("u") }
    #expect(points.reduce(0) { $0 + Int($1.weight) } == 5)
  }

  @Test func bucketPointsInterpolateLikeHistogramQuantile() {
    var points: [(Double, UInt64)] = []
    PrometheusParser.bucketPoints(lower: 0.5, upper: 1, count: 9, maxPoints: 8) {
      points.append(($0, $1))
    }
    #expect(points.map(\.1) == [1, 1, 1, 1, 1, 1, 1, 2])
    #expect(points.map(\.1).reduce(0, +) == 9)
    #expect(abs(points[4].0 - (0.5 + 0.5 * 5 / 9)) < 1e-12)
    #expect(points.last?.0 == 1)
    var few: [(Double, UInt64)] = []
    PrometheusParser.bucketPoints(lower: nil, upper: -1, count: 3, maxPoints: 8) {
      few.append(($0, $1))
    }
    #expect(few.count == 1 && few[0].0 == -1 && few[0].1 == 3)
    var huge: UInt64 = 0
    PrometheusParser.bucketPoints(lower: 0, upper: 1, count: 1 << 50, maxPoints: 8) {
      huge += $1
      #expect($0 > 0 && $0 <= 1)
    }
    #expect(huge == 1 << 50)
  }

  /// Random histograms: the windows' percentiles of the emitted points agree with Prometheus's
  /// `histogram_quantile` over the same bucket increases, within the sketch's error plus the
  /// spacing of the points.
  @Test func histogramPercentilesMatchHistogramQuantile() {
    var rng = SplitMix64(seed: 2024)
    for round in 0..<200 {
      var bounds: [Double] = []
      var b = round % 3 == 0 ? -1.0 : rng.unit() * 0.01
      for _ in 0..<(1 + Int(rng.next() % 12)) {
        b += rng.unit() * 2 + 0.001
        bounds.append(b)
      }
      var cumulative: [Double] = []
      var total = 0.0
      for _ in bounds {
        total += Double(rng.next() % (round % 2 == 0 ? 12 : 5000))
        cumulative.append(total)
      }
      total += Double(rng.next() % 3)
      let les = bounds.map { boundText($0) } + ["+Inf"]
      let counts = cumulative + [total]
      var h = PromHarness()
      let zero = Self.histogramBody("x", les.map { ($0, 0) }, sum: 0)
      _ = h.parse(zero, at: at(0))
      let body = Self.histogramBody("x", Array(zip(les, counts)), sum: 1)
      let r = h.parse(body, at: at(1))
      #expect(r.issues.isEmpty && r.warnings.isEmpty)
      var sketch = QuantileSketch()
      for s in r.samples where s.key == key("x") { sketch.record(s.value, weight: s.weight) }
      guard total > 0 else {
        #expect(sketch.isEmpty)
        continue
      }
      #expect(sketch.count == UInt64(clamping: total))
      let buckets = zip(bounds + [.infinity], counts).map { (le: $0, count: $1) }
      for q in [0.5, 0.9, 0.95, 0.99] {
        guard let expected = prometheusHistogramQuantile(q, buckets), let got = sketch.quantile(q)
        else {
          Issue.record("no quantile")
          continue
        }
        // The bucket holding the rank, and how far apart its points are.
        let rank = q * total
        let i = buckets.firstIndex { $0.count >= rank } ?? buckets.count - 1
        let lower = i == 0 ? min(0, buckets[0].le) : buckets[i - 1].le
        let width = buckets[i].le.isFinite ? buckets[i].le - lower : 0
        let n = buckets[i].count - (i == 0 ? 0 : buckets[i - 1].count)
        // Nearest rank ⌈q·N⌉ against Prometheus's q·N: one observation's share of the bucket,
        // plus the spacing of the points when the bucket has more observations than points.
        let k = Double(PrometheusParser.pointsPerBucket)
        let spacing = n > 0 ? width / n + (n > k ? width / k : 0) : 0
        let tolerance = spacing + abs(expected) * 0.005 + 1e-9
        #expect(
          abs(got - expected) <= tolerance,
          "round \(round) q=\(q): \(got) vs \(expected) (±\(tolerance)) \(buckets)")
      }
    }
  }
}
