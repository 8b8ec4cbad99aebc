import Testing
import VigilTestSupport

@testable import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Explicit and exponential histograms: increments, resets, and quantile accuracy.
@Suite struct OTLPHistogramTests {
  static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

  func histogram(
    _ points: [OTLPHistogramPoint], _ temporality: OTLPTemporality, name: String = "latency"
  ) -> OTLPRequest {
    otlpRequest([
      OTLPMetric(
        name: name, data: .histogram(OTLPHistogram(points: points, temporality: temporality)))
    ])
  }

  func exponential(
    _ points: [OTLPExponentialHistogramPoint], _ temporality: OTLPTemporality,
    name: String = "latency"
  ) -> OTLPRequest {
    otlpRequest([
      OTLPMetric(
        name: name,
        data: .exponentialHistogram(
          OTLPExponentialHistogram(points: points, temporality: temporality)))
    ])
  }

  /// Random per-interval bucket counts for `intervals` intervals.
  func randomIncrements(_ rng: inout SplitMix64, intervals: Int) -> [[UInt64]] {
    (0..<intervals).map { _ in
      (0...Self.bounds.count).map { _ in rng.next() % 4 == 0 ? 0 : rng.next() % 40 }
    }
  }

  @Test func cumulativeDifferencingGivesTheSameSamplesAsDelta() {
    var rng = SplitMix64(seed: 7)
    for _ in 0..<20 {
      let increments = randomIncrements(&rng, intervals: 6)
      var delta = OTLPHarness()
      var cumulative = OTLPHarness()
      var running = [UInt64](repeating: 0, count: Self.bounds.count + 1)
      var runningSum = 0.0
      for (k, inc) in increments.enumerated() {
        let t = otlpTime(Int64(k + 1) * 10)
        let sum = Double(inc.reduce(0, +)) * 0.125
        for i in running.indices { running[i] += inc[i] }
        runningSum += sum
        let d = delta.parse(
          histogram(
            [
              OTLPHistogramPoint(
                startTimeUnixNano: otlpTime(Int64(k) * 10), timeUnixNano: t,
                count: inc.reduce(0, +), sum: sum, bucketCounts: inc,
                explicitBounds: Self.bounds)
            ], .delta))
        let c = cumulative.parse(
          histogram(
            [
              OTLPHistogramPoint(
                startTimeUnixNano: otlpTime(0), timeUnixNano: t, count: running.reduce(0, +),
                sum: runningSum, bucketCounts: running, explicitBounds: Self.bounds)
            ], .cumulative))
        #expect(c.issues.isEmpty)
        #expect(c.texts == d.texts)
        #expect(c.samples.map(\.weight) == d.samples.map(\.weight))
        #expect(c.samples.map(\.timestamp) == d.samples.map(\.timestamp))
      }
    }
  }

  @Test func explicitBucketsBecomePrometheusStylePoints() {
    // The same increments through the Prometheus parser give the same weighted points.
    var h = OTLPHarness()
    let step = h.parse(
      histogram(
        [
          OTLPHistogramPoint(
            timeUnixNano: otlpTime(1), count: 13, sum: 3, bucketCounts: [3, 10, 0],
            explicitBounds: [0.1, 0.5])
        ], .delta))
    var prom = PrometheusParser(dialect: .prometheus)
    var sink = ParseSink()
    let body = { (a: Int, b: Int, c: Int, s: Double) in
      "# TYPE latency histogram\nlatency_bucket{le=\"0.1\"} \(a)\nlatency_bucket{le=\"0.5\"} \(b)\n"
        + "latency_bucket{le=\"+Inf\"} \(c)\nlatency_sum \(s)\nlatency_count \(c)\n"
    }
    Array(body(0, 0, 0, 0).utf8).withUnsafeBytes {
      prom.parse($0, line: 1, arrival: testArrival, into: &sink)
    }
    Array(body(3, 13, 13, 3).utf8).withUnsafeBytes {
      prom.parse($0, line: 1, arrival: testArrival.adding(Nanos.second), into: &sink)
    }
    let promTexts = sink.samples.map {
      "\(sink.interner.key($0.series)) \(formatJSONNumber($0.value))"
        + ($0.weight == 1 ? "" : "×\($0.weight)")
    }
    #expect(promTexts.sorted() == step.texts.sorted())
    #expect(step.texts.count == 3 + 8 + 2, "3 points for (0, 0.1], 8 for (0.1, 0.5], sum, count")
  }

  @Test func histogramResetsAndBaselines() {
    var h = OTLPHarness()
    func point(_ counts: [UInt64], _ t: Int64, start: UInt64 = 0, bounds: [Double] = [1])
      -> OTLPRequest
    {
      histogram(
        [
          OTLPHistogramPoint(
            startTimeUnixNano: start, timeUnixNano: otlpTime(t), count: counts.reduce(0, +),
            bucketCounts: counts, explicitBounds: bounds)
        ], .cumulative)
    }
    #expect(h.parse(point([2, 1], 10)).samples.isEmpty, "no start time: a baseline")
    #expect(h.parse(point([3, 1], 20)).texts == ["latency 1", "latency_count 1"])
    // A bucket fell: a reset, all counts are new.
    #expect(h.parse(point([1, 1], 30)).texts == ["latency 1", "latency 1", "latency_count 2"])
    // New bounds: a reset too.
    #expect(
      h.parse(point([0, 0, 1], 40, bounds: [1, 2])).texts == ["latency 2", "latency_count 1"])
    // Older than the previous point: refused, state kept.
    let late = h.parse(point([9, 9, 9], 35, bounds: [1, 2]))
    #expect(late.issues.map(\.reason) == [.outOfOrder])
    #expect(
      h.parse(point([0, 0, 2], 50, bounds: [1, 2])).texts == ["latency 2", "latency_count 1"])
    // Malformed layouts are refused per point.
    for bad in [
      point([1, 1, 1], 60, bounds: [1]), point([1, 1], 60, bounds: [.infinity]),
      point([1, 1, 1], 60, bounds: [2, 1]),
    ] {
      #expect(h.parse(bad).issues.map(\.reason) == [.malformed])
    }
  }

  @Test func manyBucketsGiveNoPercentilesButCountAndSum() {
    var h = OTLPHarness()
    let bounds = (1...300).map(Double.init)
    let step = h.parse(
      histogram(
        [
          OTLPHistogramPoint(
            count: 1, sum: 2, bucketCounts: [1] + Array(repeating: 0, count: 300),
            explicitBounds: bounds)
        ], .delta))
    #expect(step.texts == ["latency_sum 2", "latency_count 1"])
    #expect(h.sink.warnings.map(\.reason) == [.malformed])
  }

  // MARK: - Exponential

  /// The bucket of `v > 0` at `scale`, by the parser's own bucket bounds.
  static func index(_ v: Double, scale: Int32) -> Int64 {
    let width = Double(sign: .plus, exponent: -Int(scale), significand: 1)
    var i = Int64(clamping: (log2(v) / width).rounded(.up)) - 1
    while exp2(Double(i) * width) >= v { i -= 1 }
    while exp2(Double(i + 1) * width) < v { i += 1 }
    return i
  }

  /// An exponential histogram point of `values` at `scale` (zeros in the zero bucket).
  static func point(_ values: [Double], scale: Int32, t: Int64 = 1)
    -> OTLPExponentialHistogramPoint
  {
    var positive: [Int64: UInt64] = [:]
    var negative: [Int64: UInt64] = [:]
    var zero: UInt64 = 0
    for v in values {
      if v > 0 {
        positive[index(v, scale: scale), default: 0] += 1
      } else if v < 0 {
        negative[index(-v, scale: scale), default: 0] += 1
      } else {
        zero += 1
      }
    }
    func buckets(_ map: [Int64: UInt64]) -> OTLPBuckets {
      guard let lo = map.keys.min(), let hi = map.keys.max() else { return OTLPBuckets() }
      return OTLPBuckets(
        offset: Int32(lo), counts: (lo...hi).map { map[$0] ?? 0 })
    }
    return OTLPExponentialHistogramPoint(
      timeUnixNano: otlpTime(t), count: UInt64(values.count), sum: values.reduce(0, +),
      scale: scale, zeroCount: zero, positive: buckets(positive), negative: buckets(negative))
  }

  @Test(arguments: [-1, 0, 1, 3, 5, 8] as [Int32])
  func exponentialQuantilesStayWithinTheStatedBound(_ scale: Int32) throws {
    var rng = SplitMix64(seed: 42 &+ UInt64(bitPattern: Int64(scale)))
    let values = (0..<20_000).map { _ in rng.lognormal(median: 0.2, sigma: 1) }
    var h = OTLPHarness()
    let step = h.parse(exponential([Self.point(values, scale: scale)], .delta))
    #expect(step.issues.isEmpty)
    let id = try #require(h.sink.interner.lookup(SeriesKey("latency")))
    var sketch = QuantileSketch()
    for s in step.samples where s.series == id { sketch.record(s.value, weight: s.weight) }
    #expect(sketch.count == 20_000)
    let exact = ExactQuantiles(values)
    let otel = OTLPParser.exponentialBucketError(scale: scale)
    let es = QuantileSketch.relativeErrorBound
    let bound = es + otel + es * otel + 1e-12
    var worst = 0.0
    for q in [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999] {
      let got = try #require(sketch.quantile(q))
      let want = try #require(exact.quantile(q))
      let error = ExactQuantiles.relativeError(got, want)
      worst = max(worst, error)
      #expect(error <= bound, "q\(q) at scale \(scale): \(got) vs \(want)")
    }
    // The bound is not slack: the bucket's own half width shows at coarse scales.
    if scale <= 1 { #expect(worst > otel / 4) }
  }

  @Test func theStatedBucketErrors() {
    #expect(abs(OTLPParser.exponentialBucketError(scale: 0) - 1.0 / 3) < 1e-15)
    #expect(abs(OTLPParser.exponentialBucketError(scale: 8) - 0.001353) < 1e-6)
    // At scale 8 and above the OTel bucket is narrower than every sketch bucket.
    let narrowestSketchBucket = 1 + 1.0 / 255
    #expect(exp2(1.0 / 256) < narrowestSketchBucket)
    #expect(exp2(1.0 / 128) > narrowestSketchBucket)
  }

  @Test func negativeValuesAndTheZeroBucket() {
    var h = OTLPHarness()
    let step = h.parse(exponential([Self.point([-3, 0, 0, 3, 3], scale: 0)], .delta))
    // Bucket 1 at scale 0 is (2, 4]: its point 2·2·4/6.
    let r = formatJSONNumber(16.0 / 6)
    #expect(
      step.texts == [
        "latency 0×2", "latency -\(r)", "latency \(r)×2", "latency_sum 3", "latency_count 5",
      ])
  }

  @Test func cumulativeExponentialDifferencingAndDownscaling() {
    var rng = SplitMix64(seed: 3)
    let first = (0..<500).map { _ in rng.lognormal(median: 1, sigma: 0.5) }
    let second = (0..<500).map { _ in rng.lognormal(median: 1, sigma: 2) }
    // Cumulative: the SDK saw `first` at scale 4, then widened to scale 2 with `second`.
    var p1 = Self.point(first, scale: 4, t: 10)
    var p2 = Self.point(first + second, scale: 2, t: 20)
    p1.startTimeUnixNano = otlpTime(0)
    p2.startTimeUnixNano = otlpTime(0)
    var cumulative = OTLPHarness()
    _ = cumulative.parse(exponential([p1], .cumulative))
    let c = cumulative.parse(exponential([p2], .cumulative))
    // Delta: the second interval's values alone, at scale 2.
    var delta = OTLPHarness()
    let d = delta.parse(exponential([Self.point(second, scale: 2, t: 20)], .delta))
    #expect(c.issues.isEmpty)
    #expect(
      c.texts.filter { !$0.hasPrefix("latency_sum") }
        == d.texts.filter { !$0.hasPrefix("latency_sum") })
    // A higher scale than before is a restarted SDK: everything is new.
    let p3 = Self.point([5, 6], scale: 6, t: 30)
    let reset = cumulative.parse(exponential([p3], .cumulative))
    #expect(reset.texts.last == "latency_count 2")
  }

  @Test func exponentialPointsOutsideTheModelAreRefused() {
    var h = OTLPHarness()
    let bad = [
      OTLPExponentialHistogramPoint(scale: 21),
      OTLPExponentialHistogramPoint(scale: -11),
      OTLPExponentialHistogramPoint(zeroThreshold: .nan),
      OTLPExponentialHistogramPoint(scale: 0, positive: OTLPBuckets(offset: 1100, counts: [1])),
      OTLPExponentialHistogramPoint(scale: -10, positive: OTLPBuckets(offset: 1, counts: [1])),
      OTLPExponentialHistogramPoint(sum: .infinity),
    ]
    let step = h.parse(exponential(bad, .delta))
    #expect(
      step.issues.map(\.reason) == [
        .malformed, .malformed, .malformed, .malformed, .malformed, .nonFinite,
      ])
    #expect(step.outcome.rejectedDataPoints == 6)
    // The coarsest scale's first buckets are fine: bucket 0 is (1, 2^1024], its point 2.
    let coarse = h.parse(
      exponential(
        [
          OTLPExponentialHistogramPoint(
            count: 1, scale: -10, positive: OTLPBuckets(offset: 0, counts: [1]))
        ], .delta))
    #expect(coarse.texts == ["latency 2", "latency_count 1"])
  }
}
