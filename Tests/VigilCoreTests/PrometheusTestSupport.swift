import VigilTestSupport

@testable import VigilCore

/// A sample with its series resolved and its weight.
struct PromSample: Equatable, CustomStringConvertible {
  var key: SeriesKey
  var ns: Int64
  var value: Double
  var weight: UInt32 = 1
  var description: String { "\(key) \(value) ×\(weight) @\(ns)" }

  static func == (a: PromSample, b: PromSample) -> Bool {
    a.key == b.key && a.ns == b.ns && a.weight == b.weight
      && (a.value == b.value && a.value.sign == b.value.sign || a.value.isNaN && b.value.isNaN)
  }
}

/// What one body gave.
struct PromResult {
  var samples: [PromSample] = []
  var issues: [ParseIssue] = []
  var warnings: [ParseIssue] = []
  var lines: [Int] = []
}

/// Runs bodies through one parser (state carries over), returning each body's result.
struct PromHarness {
  var parser: PrometheusParser
  var sink: ParseSink

  init(
    _ dialect: PrometheusParser.Dialect = .prometheus, output: PrometheusParser.Output = .windows,
    maxSeries: Int = 10_000
  ) {
    parser = PrometheusParser(dialect: dialect, output: output)
    sink = ParseSink(interner: SeriesInterner(maxSeries: maxSeries))
  }

  mutating func parse(_ body: String, at arrival: Timestamp = testArrival, line: Int = 1)
    -> PromResult
  {
    parse(Array(body.utf8), at: arrival, line: line)
  }

  mutating func parse(_ body: [UInt8], at arrival: Timestamp = testArrival, line: Int = 1)
    -> PromResult
  {
    sink.samples.removeAll()
    sink.issues.removeAll()
    sink.warnings.removeAll()
    body.withUnsafeBytes { parser.parse($0, line: line, arrival: arrival, into: &sink) }
    var r = PromResult()
    r.samples = sink.samples.map {
      PromSample(
        key: sink.interner.key($0.series), ns: $0.timestamp.nanoseconds, value: $0.value,
        weight: $0.weight)
    }
    r.issues = sink.issues
    r.warnings = sink.warnings
    r.lines = parser.sampleLines
    return r
  }
}

/// Parses one body with a fresh raw parser (every sample line as written).
func raw(_ body: String, _ dialect: PrometheusParser.Dialect = .prometheus) -> PromResult {
  var h = PromHarness(dialect, output: .raw)
  return h.parse(body)
}

func key(_ metric: String, _ labels: [(String, String)] = []) -> SeriesKey {
  SeriesKey(metric, LabelSet(labels))
}

let testNs = testArrival.nanoseconds

/// `histogram_quantile(q, buckets)` as Prometheus computes it (SEMANTICS §8.6), from
/// cumulative (le, count) pairs sorted by le and ending with +Inf; nil for NoData.
func prometheusHistogramQuantile(_ q: Double, _ buckets: [(le: Double, count: Double)]) -> Double? {
  guard buckets.count >= 2, buckets.last?.le == .infinity else { return nil }
  let total = buckets[buckets.count - 1].count
  guard total > 0 else { return nil }
  let rank = q * total
  var b = buckets.count - 1
  for i in 0..<(buckets.count - 1) where buckets[i].count >= rank {
    b = i
    break
  }
  if b == buckets.count - 1 { return buckets[buckets.count - 2].le }
  if b == 0 && buckets[0].le <= 0 { return buckets[0].le }
  var start = 0.0
  var count = buckets[b].count
  var r = rank
  if b > 0 {
    start = buckets[b - 1].le
    count -= buckets[b - 1].count
    r -= buckets[b - 1].count
  }
  return start + (buckets[b].le - start) * (r / count)
}
