import Testing
import VigilTestSupport

@testable import VigilCore

/// One body and what the grammar says of it.
struct ExpositionCase: Sendable, CustomTestStringConvertible {
  var id: String
  var dialect: PrometheusParser.Dialect
  var body: String
  /// Nil: accepted. Otherwise the whole body is rejected for this reason at this line.
  var rejected: (RejectReason, Int)? = nil
  /// Warnings expected when accepted.
  var warnings = 0
  var samples = 0
  var testDescription: String { id }
}

private let text = PrometheusParser.Dialect.prometheus
private let om = PrometheusParser.Dialect.openMetrics

private let cases: [ExpositionCase] = [
  // Names.
  ExpositionCase(id: "name with colon", dialect: text, body: "a:b_c9 1\n", samples: 1),
  ExpositionCase(
    id: "name starts with a digit", dialect: text, body: "9a 1\n", rejected: (.malformed, 1)),
  ExpositionCase(id: "name with a dash", dialect: text, body: "a-b 1\n", rejected: (.malformed, 1)),
  ExpositionCase(
    id: "quoted metric name", dialect: text, body: "{\"a.b\"} 1\n", rejected: (.malformed, 1)),
  // Labels.
  ExpositionCase(id: "empty label set", dialect: text, body: "a{} 1\n", samples: 1),
  ExpositionCase(id: "trailing comma (0.0.4)", dialect: text, body: "a{b=\"1\",} 1\n", samples: 1),
  ExpositionCase(
    id: "trailing comma (OpenMetrics)", dialect: om, body: "a{b=\"1\",} 1\n# EOF\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "blanks inside braces (0.0.4)", dialect: text, body: "a { b = \"1\" , c=\"2\" } 1\n",
    samples: 1),
  ExpositionCase(
    id: "blanks inside braces (OpenMetrics)", dialect: om, body: "a{b=\"1\", c=\"2\"} 1\n# EOF\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "unquoted label value", dialect: text, body: "a{b=1} 1\n", rejected: (.malformed, 1)),
  ExpositionCase(
    id: "unterminated label value", dialect: text, body: "ok 1\na{b=\"1} 1\n",
    rejected: (.malformed, 2)),
  ExpositionCase(
    id: "labels not closed", dialect: text, body: "a{b=\"1\" 1\n", rejected: (.malformed, 1)),
  ExpositionCase(
    id: "repeated label name", dialect: text, body: "a{b=\"1\",b=\"2\"} 1\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "label name with a colon", dialect: text, body: "a{b:c=\"1\"} 1\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "label name starts with a digit", dialect: text, body: "a{1b=\"1\"} 1\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "missing =", dialect: text, body: "a{b\"1\"} 1\n", rejected: (.malformed, 1)),
  ExpositionCase(
    id: "unknown escape (0.0.4)", dialect: text, body: "a{b=\"x\\ty\"} 1\n", warnings: 1,
    samples: 1),
  ExpositionCase(
    id: "unknown escape kept as written (OpenMetrics, Escaping)", dialect: om,
    body: "a{b=\"x\\ty\"} 1\n# EOF\n", samples: 1),
  ExpositionCase(
    id: "129 labels", dialect: text,
    body: "a{" + (0..<129).map { "l\($0)=\"v\"" }.joined(separator: ",") + "} 1\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "128 labels", dialect: text,
    body: "a{" + (0..<128).map { "l\($0)=\"v\"" }.joined(separator: ",") + "} 1\n", samples: 1),
  // Values and timestamps.
  ExpositionCase(id: "missing value", dialect: text, body: "a\n", rejected: (.malformed, 1)),
  ExpositionCase(
    id: "missing value after labels", dialect: text, body: "a{b=\"1\"}\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "value glued to labels", dialect: text, body: "a{b=\"1\"}1\n", rejected: (.malformed, 1)),
  ExpositionCase(id: "tabs separate (0.0.4)", dialect: text, body: "a\t1\t1000\n", samples: 1),
  ExpositionCase(id: "negative timestamp", dialect: text, body: "a 1 -5\n", samples: 1),
  ExpositionCase(
    id: "timestamp overflows", dialect: text, body: "a 1 9223372036854775807\n",
    rejected: (.badTimestamp, 1)),
  ExpositionCase(
    id: "text after the timestamp", dialect: text, body: "a 1 5 6\n", rejected: (.malformed, 1)),
  ExpositionCase(
    id: "carriage return (0.0.4)", dialect: text, body: "a 1\r\n", rejected: (.badValue, 1)),
  ExpositionCase(
    id: "two spaces (OpenMetrics)", dialect: om, body: "a  1\n# EOF\n", rejected: (.malformed, 1)),
  ExpositionCase(
    id: "trailing space (OpenMetrics)", dialect: om, body: "a 1 \n# EOF\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "NaN timestamp (OpenMetrics)", dialect: om, body: "a 1 NaN\n# EOF\n",
    rejected: (.badTimestamp, 1)),
  ExpositionCase(
    id: "last line without newline (0.0.4)", dialect: text, body: "a 1", warnings: 1, samples: 1),
  ExpositionCase(id: "blank lines (0.0.4)", dialect: text, body: "\n  \na 1\n\n", samples: 1),
  ExpositionCase(
    id: "blank line (OpenMetrics)", dialect: om, body: "a 1\n\n# EOF\n", rejected: (.malformed, 2)),
  // Comments and metadata (0.0.4).
  ExpositionCase(
    id: "comments", dialect: text, body: "# hello\n#HELP is a comment too\n# EOF\na 1\n",
    samples: 1),
  ExpositionCase(
    id: "HELP with escapes", dialect: text,
    body: "# HELP a doc \\\\ with \\n\n# TYPE a gauge\na 1\n",
    samples: 1),
  ExpositionCase(
    id: "unknown type", dialect: text, body: "# TYPE a bogus\na 1\n", rejected: (.malformed, 1)),
  ExpositionCase(
    id: "OpenMetrics type in 0.0.4", dialect: text, body: "# TYPE a stateset\na 1\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "TYPE without type", dialect: text, body: "# TYPE a\na 1\n", rejected: (.malformed, 1)),
  ExpositionCase(
    id: "text after the type", dialect: text, body: "# TYPE a gauge x\na 1\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "TYPE with a bad name", dialect: text, body: "# TYPE 1a gauge\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "second TYPE (0.0.4)", dialect: text, body: "# TYPE a gauge\n# TYPE a counter\na 1\n",
    warnings: 1, samples: 1),
  ExpositionCase(
    id: "second HELP (0.0.4)", dialect: text, body: "# HELP a x\n# HELP a y\na 1\n", warnings: 1,
    samples: 1),
  ExpositionCase(
    id: "untyped", dialect: text, body: "# TYPE a untyped\na 1\n", samples: 1),
  // OpenMetrics structure.
  ExpositionCase(
    id: "text after EOF", dialect: om, body: "a 1\n# EOF\nb 2\n", rejected: (.malformed, 3)),
  ExpositionCase(
    id: "ordinary comment (OpenMetrics)", dialect: om, body: "# hello\na 1\n# EOF\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "metadata after samples", dialect: om, body: "a 1\n# TYPE a gauge\n# EOF\n",
    rejected: (.malformed, 2)),
  ExpositionCase(
    id: "second TYPE (OpenMetrics)", dialect: om,
    body: "# TYPE a gauge\n# TYPE a gauge\na 1\n# EOF\n", rejected: (.malformed, 2)),
  ExpositionCase(
    id: "interleaved families", dialect: om, body: "a 1\nb 1\na{x=\"1\"} 2\n# EOF\n",
    rejected: (.malformed, 3)),
  ExpositionCase(
    id: "counter without _total", dialect: om, body: "# TYPE c counter\nc 1\n# EOF\n",
    rejected: (.malformed, 2)),
  ExpositionCase(
    id: "negative counter", dialect: om, body: "# TYPE c counter\nc_total -1\n# EOF\n",
    rejected: (.badValue, 2)),
  ExpositionCase(
    id: "NaN counter", dialect: om, body: "# TYPE c counter\nc_total NaN\n# EOF\n",
    rejected: (.badValue, 2)),
  ExpositionCase(
    id: "counter with created and exemplar", dialect: om,
    body:
      "# TYPE c counter\n# HELP c Requests.\nc_total 3 # {trace_id=\"abc\"} 0.5 1520879607.7\nc_created 1520879600\n# EOF\n",
    samples: 2),
  ExpositionCase(
    id: "exemplar labels over 128 characters", dialect: om,
    body: "# TYPE c counter\nc_total 3 # {t=\"\(String(repeating: "x", count: 128))\"} 1\n# EOF\n",
    rejected: (.malformed, 2)),
  ExpositionCase(
    id: "exemplar without value", dialect: om,
    body: "# TYPE c counter\nc_total 3 # {t=\"x\"}\n# EOF\n", rejected: (.malformed, 2)),
  ExpositionCase(
    id: "unit matches the name", dialect: om,
    body: "# TYPE d_seconds gauge\n# UNIT d_seconds seconds\nd_seconds 1\n# EOF\n", samples: 1),
  ExpositionCase(
    id: "unit does not match the name", dialect: om,
    body: "# TYPE d gauge\n# UNIT d seconds\nd 1\n# EOF\n", rejected: (.malformed, 2)),
  ExpositionCase(
    id: "unknown type (OpenMetrics)", dialect: om, body: "# TYPE a untyped\na 1\n# EOF\n",
    rejected: (.malformed, 1)),
  ExpositionCase(
    id: "duplicate series (OpenMetrics)", dialect: om, body: "a 1\na 2\n# EOF\n",
    rejected: (.duplicateSeries, 2)),
  ExpositionCase(
    id: "info and stateset", dialect: om,
    body:
      "# TYPE b info\nb_info{v=\"1\"} 1\n# TYPE s stateset\ns{s=\"a\"} 1\ns{s=\"b\"} 0\n# EOF\n",
    samples: 3),
  ExpositionCase(
    id: "gauge histogram", dialect: om,
    body:
      "# TYPE g gaugehistogram\ng_bucket{le=\"1\"} 2\ng_bucket{le=\"+Inf\"} 3\ng_gcount 3\ng_gsum 2\n# EOF\n",
    samples: 4),
  // Histograms.
  ExpositionCase(
    id: "histogram", dialect: om,
    body:
      "# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 0.3\nh_created 1\n# EOF\n",
    samples: 5),
  ExpositionCase(
    id: "histogram without +Inf (OpenMetrics)", dialect: om,
    body: "# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_count 1\n# EOF\n",
    rejected: (.malformed, 2)),
  ExpositionCase(
    id: "buckets out of order (OpenMetrics)", dialect: om,
    body:
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 1\n# EOF\n",
    rejected: (.malformed, 3)),
  ExpositionCase(
    id: "bucket counts decrease (OpenMetrics)", dialect: om,
    body: "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n# EOF\n",
    rejected: (.badValue, 3)),
  ExpositionCase(
    id: "bucket without le (OpenMetrics)", dialect: om,
    body: "# TYPE h histogram\nh_bucket 2\n# EOF\n", rejected: (.malformed, 2)),
  ExpositionCase(
    id: "bucket without le (0.0.4)", dialect: text, body: "# TYPE h histogram\nh_bucket 2\n",
    warnings: 1, samples: 1),
  ExpositionCase(
    id: "summary quantile not a number (0.0.4)", dialect: text,
    body: "# TYPE s summary\ns{quantile=\"high\"} 2\n", warnings: 1, samples: 1),
  ExpositionCase(
    id: "summary", dialect: om,
    body:
      "# TYPE s summary\ns{quantile=\"0.5\"} 2\ns{quantile=\"0.9\"} NaN\ns_count 4\ns_sum 9\n# EOF\n",
    samples: 4),
  ExpositionCase(
    id: "summary without quantile (OpenMetrics)", dialect: om,
    body: "# TYPE s summary\ns 2\n# EOF\n", rejected: (.malformed, 2)),
]

@Suite struct ParsingPrometheusGrammarTests {
  @Test(arguments: cases)
  func grammar(_ c: ExpositionCase) {
    let r = raw(c.body, c.dialect)
    if let (reason, line) = c.rejected {
      #expect(r.samples.isEmpty, "nothing from a rejected body")
      #expect(r.issues.count == 1)
      #expect(r.issues.first?.reason == reason, "\(r.issues)")
      #expect(r.issues.first?.line == line, "\(r.issues)")
      #expect(r.warnings.isEmpty)
    } else {
      #expect(r.issues.isEmpty, "\(r.issues)")
      #expect(r.samples.count == c.samples)
      #expect(r.warnings.count == c.warnings, "\(r.warnings)")
    }
  }

  @Test func emptyLabelValueIsAbsent() {
    let r = raw("a{b=\"\",c=\"1\"} 1\n")
    #expect(r.samples.map(\.key) == [key("a", [("c", "1")])])
  }

  @Test func rawKeepsCumulativeValuesAndLines() {
    let r = raw(
      "# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\n\nh_bucket{le=\"+Inf\"} 2\nh_sum 0.3\nh_count 2\n"
    )
    #expect(r.lines == [2, 4, 5, 6])
    #expect(
      r.samples.map(\.key) == [
        key("h_bucket", [("le", "0.1")]), key("h_bucket", [("le", "+Inf")]), key("h_sum"),
        key("h_count"),
      ])
    #expect(r.samples.map(\.value) == [1, 2, 0.3, 2])
  }

  @Test func invalidUTF8RejectsTheBodyAtItsLine() {
    var h = PromHarness()
    let r = h.parse(Array("ok 1\nb{x=\"".utf8) + [0xC3, 0x28] + Array("\"} 1\n".utf8))
    #expect(r.samples.isEmpty)
    #expect(r.issues.map(\.reason) == [.invalidUTF8])
    #expect(r.issues.first?.line == 2)
    #expect(r.issues.first?.excerpt == "b{x=\"\\xc3(\"} 1")
  }

  @Test func bodyOverTheLimitIsRejected() {
    var body = [UInt8](repeating: UInt8(ascii: "#"), count: PrometheusParser.maxBodyBytes + 1)
    body[1] = 0x20
    var h = PromHarness()
    let r = h.parse(body)
    #expect(r.samples.isEmpty)
    #expect(r.issues.map(\.reason) == [.lineTooLong])
  }

  @Test func sampleLimitRejectsTheBody() {
    var h = PromHarness()
    h.parser = PrometheusParser(dialect: .prometheus, output: .raw, maxSamples: 3)
    #expect(h.parse("a 1\nb 1\nc 1\n").samples.count == 3)
    let r = h.parse("a 1\nb 1\nc 1\nd 1\n")
    #expect(r.samples.isEmpty)
    #expect(r.issues.map(\.reason) == [.seriesLimit])
  }

  @Test func seriesCapRejectsOnlyTheNewSeries() {
    var h = PromHarness(output: .raw, maxSeries: 2)
    let r = h.parse("a 1\nb 2\nc 3\na{x=\"1\"} 4\n")
    #expect(r.samples.map(\.value) == [1, 2])
    #expect(r.issues.map(\.reason) == [.seriesLimit, .seriesLimit])
    #expect(r.issues.map(\.line) == [3, 4])
  }

  @Test func exemplarsAreDropped() {
    let r = raw(
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1 # {id=\"x\"} 0.4\nh_bucket{le=\"+Inf\"} 1\n# EOF\n",
      .openMetrics)
    #expect(r.issues.isEmpty)
    #expect(
      r.samples.map(\.key) == [key("h_bucket", [("le", "1")]), key("h_bucket", [("le", "+Inf")])])
  }

  @Test func detectRecognisesExpositions() {
    func detect(_ s: String) -> FeedFormat? { Array(s.utf8).withUnsafeBytes { Parsers.detect($0) } }
    #expect(detect("# HELP http_requests_total Requests.\n") == .prometheus)
    #expect(detect("# TYPE up gauge\nup 1\n") == .prometheus)
    #expect(detect("up 1\n") == .prometheus)
    #expect(
      detect("http_requests_total{code=\"200\",path=\"/a b\"} 1027 1395066363000\n") == .prometheus)
    #expect(detect("ts=1 metric=a value=2\n") == .logfmt)
    #expect(detect("ts,metric,value\n") == .csv)
    #expect(detect("{\"metric\":\"a\"}\n") == .json)
    #expect(detect("# a comment\n") == nil)
    #expect(detect("hello world\n") == nil)
  }
}
