import Testing

@testable import VigilCore

// One case per rule of the OpenMetrics 1.0 specification (specification/OpenMetrics.md), named
// by its section; each rule has a valid and an invalid side where it has both. Bodies get
// `# EOF` appended.

private func ok(_ id: String, _ lines: [String], samples: Int) -> ExpositionCase {
  ExpositionCase(
    id: id, dialect: .openMetrics, body: (lines + ["# EOF", ""]).joined(separator: "\n"),
    samples: samples)
}

private func bad(_ id: String, _ lines: [String], _ reason: RejectReason = .malformed, line: Int)
  -> ExpositionCase
{
  ExpositionCase(
    id: id, dialect: .openMetrics, body: (lines + ["# EOF", ""]).joined(separator: "\n"),
    rejected: (reason, line))
}

private let rules: [ExpositionCase] = [
  // ABNF / Escaping: escaped-char = BS ("n" / DQUOTE / BS) / BS normal-char.
  ok("Escaping: HELP \\\\, \\n, \\\" and \\t", ["# HELP a x\\\\y\\nz\\\"\\t", "a 1"], samples: 1),
  bad("Escaping: HELP ends in a lone backslash", ["# HELP a x\\", "a 1"], line: 1),
  ok("Escaping: label value \\z kept as written", ["a{b=\"x\\zy\"} 1"], samples: 1),
  // ABNF: metric-descriptor needs SP after the name.
  bad("ABNF: # HELP without a space after the name", ["# HELP a"], line: 1),
  bad("ABNF: # UNIT without a space after the name", ["# UNIT a_s"], line: 1),
  ok("ABNF: empty HELP and UNIT (MetricFamily metadata)", ["# HELP a ", "# UNIT a "], samples: 0),
  // ABNF: number, timestamp = realnumber.
  ok(
    "Numbers: +Inf, -inf, Infinity, nan spellings",
    [
      "# TYPE a gauge", "a{x=\"1\"} +Inf", "a{x=\"2\"} -inf", "a{x=\"3\"} Infinity",
      "a{x=\"4\"} nan",
    ],
    samples: 4),
  bad("Numbers: +nan is not a number", ["a +nan"], .badValue, line: 1),
  bad("Numbers: hex is not a realnumber", ["a 0x1p3"], .badValue, line: 1),
  ok("Timestamps: fractions and many digits", ["a 1 1520879607.123456789"], samples: 1),
  ok("Timestamps: leading zeros and exponents", ["a 1 0001.5e3"], samples: 1),
  bad("Timestamps: NaN is no timestamp", ["a 1 NaN"], .badTimestamp, line: 1),
  // Metric: several MetricPoints with increasing timestamps.
  ok("Metric: one series at several timestamps", ["a 1 10", "a 2 11", "a 3 11"], samples: 3),
  bad("Metric: a repeated series without timestamps", ["a 1", "a 2"], .duplicateSeries, line: 2),
  bad("Metric: timestamps go back", ["a 1 10", "a 2 9"], .badTimestamp, line: 2),
  bad(
    "Metric: Metrics must not be interleaved",
    ["a{x=\"1\"} 1 10", "a{x=\"2\"} 1 10", "a{x=\"1\"} 2 11"], line: 3),
  // MetricPoint: the spec's interleaved example.
  bad(
    "MetricPoint: MetricPoints must not be interleaved",
    [
      "# TYPE foo_seconds summary", "foo_seconds_count{a=\"bb\"} 0 123",
      "foo_seconds_count{a=\"bb\"} 0 456", "foo_seconds_sum{a=\"bb\"} 0 123",
    ], line: 4),
  ok(
    "MetricPoint: the spec's correct example",
    [
      "# TYPE foo_seconds summary", "foo_seconds_count{a=\"bb\"} 0 123",
      "foo_seconds_sum{a=\"bb\"} 0 123", "foo_seconds_count{a=\"bb\"} 0 456",
      "foo_seconds_sum{a=\"bb\"} 0 456",
    ], samples: 4),
  // Counter.
  bad("Counter: _total is not negative", ["# TYPE a counter", "a_total -1"], .badValue, line: 2),
  bad("Counter: _total is not NaN", ["# TYPE a counter", "a_total NaN"], .badValue, line: 2),
  bad("Counter: a MetricPoint has a _total", ["# TYPE a counter", "a_created 1"], line: 2),
  bad("Counter: the _total suffix", ["# TYPE a counter", "a 1"], line: 2),
  // StateSet.
  ok("StateSet: 0 and 1", ["# TYPE a stateset", "a{a=\"x\"} 0", "a{a=\"y\"} 1.0"], samples: 2),
  bad("StateSet: values are 0 or 1", ["# TYPE a stateset", "a{a=\"x\"} 2"], .badValue, line: 2),
  bad("StateSet: the state label", ["# TYPE a stateset", "a{b=\"x\"} 1"], line: 2),
  // Info.
  bad("Info: the value is 1", ["# TYPE a info", "a_info{v=\"1\"} 2"], .badValue, line: 2),
  // Histogram.
  ok(
    "Histogram: buckets, +Inf, _count equal to it, _sum",
    [
      "# TYPE a histogram", "a_bucket{le=\"1\"} 1", "a_bucket{le=\"+Inf\"} 2", "a_count 2",
      "a_sum 3",
    ], samples: 4),
  bad("Histogram: needs +Inf", ["# TYPE a histogram", "a_bucket{le=\"1\"} 1"], line: 2),
  bad(
    "Histogram: +Inf is written +Inf", ["# TYPE a histogram", "a_bucket{le=\"inf\"} 1"],
    line: 2),
  bad("Histogram: at least one bucket", ["# TYPE a histogram", "a_sum 1", "a_count 0"], line: 2),
  bad(
    "Histogram: buckets in increasing le order",
    [
      "# TYPE a histogram", "a_bucket{le=\"2\"} 0", "a_bucket{le=\"1\"} 0",
      "a_bucket{le=\"+Inf\"} 0",
    ],
    line: 3),
  bad(
    "Histogram: bucket counts cumulative",
    ["# TYPE a histogram", "a_bucket{le=\"1\"} 2", "a_bucket{le=\"+Inf\"} 1"], .badValue, line: 3),
  bad(
    "Histogram: _count equals the +Inf bucket",
    ["# TYPE a histogram", "a_bucket{le=\"+Inf\"} 1", "a_count 2", "a_sum 1"], line: 2),
  bad(
    "Histogram: _count if and only if _sum",
    ["# TYPE a histogram", "a_bucket{le=\"+Inf\"} 1", "a_count 1"], line: 2),
  bad(
    "Histogram: no _sum with negative buckets",
    [
      "# TYPE a histogram", "a_bucket{le=\"-1\"} 0", "a_bucket{le=\"+Inf\"} 1", "a_count 1",
      "a_sum 0",
    ], line: 2),
  bad(
    "Histogram: bucket values are integers",
    ["# TYPE a histogram", "a_bucket{le=\"+Inf\"} 1.5"], .badValue, line: 2),
  bad(
    "Histogram: no le label outside _bucket",
    ["# TYPE a histogram", "a_bucket{le=\"+Inf\"} 1", "a_count{le=\"1\"} 1"], line: 3),
  // GaugeHistogram.
  ok(
    "GaugeHistogram: negative _gsum with negative buckets",
    [
      "# TYPE a gaugehistogram", "a_bucket{le=\"-1\"} 1", "a_bucket{le=\"+Inf\"} 2", "a_gcount 2",
      "a_gsum -3",
    ], samples: 4),
  bad(
    "GaugeHistogram: _gcount if and only if _gsum",
    ["# TYPE a gaugehistogram", "a_bucket{le=\"+Inf\"} 1", "a_gsum 1"], line: 2),
  bad(
    "GaugeHistogram: bucket values not negative",
    ["# TYPE a gaugehistogram", "a_bucket{le=\"+Inf\"} -1"], .badValue, line: 2),
  bad(
    "GaugeHistogram: needs +Inf",
    ["# TYPE a gaugehistogram", "a_bucket{le=\"1\"} 1", "a_gcount 1", "a_gsum 1"], line: 2),
  // Summary.
  ok(
    "Summary: quantiles in any order, NaN values",
    [
      "# TYPE a summary", "a{quantile=\"0.9\"} NaN", "a{quantile=\"0.5\"} 1", "a_count 1",
      "a_sum 1",
    ],
    samples: 4),
  bad("Summary: quantile in [0, 1]", ["# TYPE a summary", "a{quantile=\"1.5\"} 1"], line: 2),
  bad(
    "Summary: quantile values not negative", ["# TYPE a summary", "a{quantile=\"0.5\"} -1"],
    .badValue, line: 2),
  bad("Summary: _count is not NaN", ["# TYPE a summary", "a_count NaN"], .badValue, line: 2),
  bad("Summary: _sum is not negative", ["# TYPE a summary", "a_sum -1"], .badValue, line: 2),
  // Exemplars.
  ok(
    "Exemplars: on _total and buckets, 128 code points",
    [
      "# TYPE a counter", "a_total 1 # {t=\"\(String(repeating: "é", count: 127))\"} 1",
      "# TYPE b histogram", "b_bucket{le=\"1\"} 1 # {} 0.5 123", "b_bucket{le=\"+Inf\"} 1",
    ], samples: 3),
  bad(
    "Exemplars: more than 128 code points",
    ["# TYPE a counter", "a_total 1 # {t=\"\(String(repeating: "é", count: 128))\"} 1"], line: 2),
  bad("Exemplars: not on a gauge", ["# TYPE a gauge", "a 1 # {} 1"], line: 2),
  bad(
    "Exemplars: not on _created", ["# TYPE a counter", "a_total 1", "a_created 1 # {} 1"], line: 3),
  bad(
    "Exemplars: not on histogram _sum",
    [
      "# TYPE a histogram", "a_bucket{le=\"+Inf\"} 1", "a_count 1", "a_sum 1 # {} 1",
    ], line: 4),
  bad(
    "Exemplars: within the bucket", ["# TYPE a histogram", "a_bucket{le=\"1\"} 1 # {} 2"],
    .badValue, line: 2),
  // MetricFamily metadata / Unit.
  bad("Unit: suffixes the name", ["# TYPE a counter", "# UNIT a seconds"], line: 2),
  bad("StateSet: no unit", ["# UNIT a_u u", "# TYPE a_u stateset"], line: 2),
  bad("Info: no unit", ["# TYPE a_u info", "# UNIT a_u u"], line: 2),
  bad("MetricFamily metadata: after samples", ["# TYPE a gauge", "a 1", "# HELP a x"], line: 3),
  bad("MetricFamily metadata: one TYPE", ["# TYPE a gauge", "# TYPE a counter"], line: 2),
  bad("MetricFamily metadata: untyped is no type", ["# TYPE a untyped"], line: 1),
  // Suffixes: names that could clash.
  bad(
    "Suffixes: gauge a_created then counter a", ["# TYPE a_created gauge", "# TYPE a counter"],
    line: 2),
  bad(
    "Suffixes: counter a then gauge a_total",
    ["# TYPE a counter", "a_total 1", "# TYPE a_total gauge", "a_total 1"], line: 3),
  bad(
    "Suffixes: histogram a then gauge a_count",
    [
      "# TYPE a histogram", "a_bucket{le=\"+Inf\"} 1", "# TYPE a_count gauge", "a_count 1",
    ], line: 3),
  bad("MetricFamily: families must not be interleaved", ["a 1", "b 1", "a{x=\"1\"} 1"], line: 3),
  // Overall Structure.
  bad("Overall Structure: # EOF is last", ["a 1", "# EOF", "b 1"], line: 3),
  bad("Overall Structure: no other # lines", ["# comment", "a 1"], line: 1),
]

@Suite struct ParsingOpenMetricsRulesTests {
  @Test(arguments: rules)
  func rule(_ c: ExpositionCase) {
    let r = raw(c.body, c.dialect)
    if let (reason, line) = c.rejected {
      #expect(r.samples.isEmpty, "nothing from a rejected body")
      #expect(r.issues.count == 1)
      #expect(r.issues.first?.reason == reason, "\(r.issues)")
      #expect(r.issues.first?.line == line, "\(r.issues)")
    } else {
      #expect(r.issues.isEmpty, "\(r.issues)")
      #expect(r.samples.count == c.samples)
    }
  }

  /// Escaping: `\n`, `\"`, `\\` unescape; any other escape stands for itself.
  @Test func labelEscapes() {
    let r = raw("a{b=\"1\\n2\\\"3\\\\4\\z\"} 1\n# EOF\n", .openMetrics)
    #expect(r.samples.map(\.key) == [key("a", [("b", "1\n2\"3\\4\\z")])])
  }

  /// Timestamps: seconds with fractions, to the nanosecond; one beyond what Vigil stores is
  /// dropped alone, with an issue, and the rest of the exposition is kept.
  @Test func timestampsToTheNanosecond() {
    let r = raw("a 1 1520879607.123456789\nb 1 12345678901234567890.5\n# EOF\n", .openMetrics)
    #expect(r.samples.map(\.ns) == [1_520_879_607_123_456_789])
    #expect(r.issues.map(\.reason) == [.badTimestamp])
    #expect(r.issues.first?.line == 2)
  }

  /// Metric: a counter exposed at two timestamps in one body gives its increase between them,
  /// and a histogram's two MetricPoints are two scrapes' worth of buckets.
  @Test func severalMetricPointsInOneBody() {
    var h = PromHarness(.openMetrics)
    let r = h.parse(
      """
      # TYPE c counter
      c_total 5 100
      c_total 8 101
      # TYPE h histogram
      h_bucket{le="1"} 1 100
      h_bucket{le="+Inf"} 1 100
      h_bucket{le="1"} 3 101
      h_bucket{le="+Inf"} 3 101
      # EOF

      """)
    #expect(r.issues.isEmpty, "\(r.issues)")
    #expect(r.warnings.isEmpty, "\(r.warnings)")
    let counter = r.samples.filter { $0.key.metric == "c_total" }
    #expect(counter.map(\.value) == [3])
    #expect(counter.map(\.ns) == [101 * Nanos.second])
    let histogram = r.samples.filter { $0.key.metric == "h" }
    #expect(histogram.map(\.weight).reduce(0, +) == 2)
    #expect(histogram.allSatisfy { $0.ns == 101 * Nanos.second })
  }
}
