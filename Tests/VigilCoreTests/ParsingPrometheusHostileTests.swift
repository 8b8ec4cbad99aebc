import Testing
import VigilTestSupport

@testable import VigilCore

private let seedBodies: [(PrometheusParser.Dialect, String)] = [
  (
    .prometheus,
    """
    # HELP http_requests_total Requests.
    # TYPE http_requests_total counter
    http_requests_total{code="200",path="/a \\"b\\"\\n"} 1027 1395066363000
    http_requests_total{code="500"} 3
    # TYPE lat histogram
    lat_bucket{le="0.1"} 5
    lat_bucket{le="1"} 9
    lat_bucket{le="+Inf"} 10
    lat_sum 4.5
    lat_count 10
    # TYPE rpc summary
    rpc{quantile="0.5"} 0.2
    rpc_sum 9
    rpc_count 40
    temp{room="é🎉"} -3.5e2

    """
  ),
  (
    .openMetrics,
    """
    # TYPE c counter
    # HELP c Things.
    c_total{a="x"} 3 1520879607.789 # {trace_id="1"} 1 1520879607.7
    c_created{a="x"} 1520879600
    # TYPE h_seconds histogram
    # UNIT h_seconds seconds
    h_seconds_bucket{le="0.5"} 1
    h_seconds_bucket{le="+Inf"} 2
    h_seconds_count 2
    h_seconds_sum 0.7
    # TYPE s stateset
    s{s="on"} 1
    # EOF

    """
  ),
]

private let fragments: [[UInt8]] = [
  [0x22], [0x5C], [0x7B], [0x7D], [0x2C], [0x3D], [0x20], [0x09], [0x0D], [0x0A], [0x23], [0x00],
  [0x7F], [0xFF], [0xC3], [0xED, 0xA0, 0x80], Array("# EOF\n".utf8), Array("# TYPE ".utf8),
  Array("_bucket".utf8), Array("le=\"+Inf\"".utf8), Array("NaN".utf8), Array("1e400".utf8),
  Array("-Inf".utf8), Array("0x1p4".utf8), Array("99999999999999999999".utf8), Array(" # {".utf8),
  Array("quantile".utf8), Array("_total".utf8), Array("_created".utf8), Array("counter".utf8),
  Array("histogram".utf8),
]

private func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
  var b = bytes
  for _ in 0..<(1 + rng.next() % 6) {
    let at = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
    switch rng.next() % 6 {
    case 0 where !b.isEmpty: b[at] = UInt8(truncatingIfNeeded: rng.next())
    case 1: b.insert(contentsOf: fragments[Int(rng.next() % UInt64(fragments.count))], at: at)
    case 2 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + 1 + Int(rng.next() % 12)))
    case 3: b = Array(b.prefix(at))
    case 4:
      // Swap two lines.
      let lines = b.split(separator: 0x0A, omittingEmptySubsequences: false)
      guard lines.count > 2 else { continue }
      var l = lines.map(Array.init)
      let i = Int(rng.next() % UInt64(l.count))
      let j = Int(rng.next() % UInt64(l.count))
      l.swapAt(i, j)
      b = Array(l.joined(separator: [0x0A]))
    default:
      let n = min(b.count - at, 1 + Int(rng.next() % 40))
      b.insert(contentsOf: b[at..<(at + n)], at: at)
    }
  }
  return b
}

@Suite struct ParsingPrometheusHostileTests {
  /// Random mutations of valid bodies never trap; each is accepted (samples, maybe warnings and
  /// duplicates) or rejected as a whole (one issue, no sample), with the line inside the body.
  @Test(arguments: [PrometheusParser.Output.windows, .raw])
  func mutatedBodiesAreAcceptedOrRejectedWhole(_ output: PrometheusParser.Output) {
    var rng = SplitMix64(seed: output == .raw ? 7 : 8)
    for (dialect, seed) in seedBodies {
      var h = PromHarness(dialect, output: output, maxSeries: 300)
      let base = Array(seed.utf8)
      var accepted = 0
      var rejected = 0
      for k in 0..<3_000 {
        let body = k % 10 == 0 ? base : mutate(base, &rng)
        let lineCount = body.split(separator: 0x0A, omittingEmptySubsequences: false).count
        let r = h.parse(body, at: testArrival.adding(Int64(k) * Nanos.second), line: 100)
        let whole = r.issues.filter { $0.detail.contains("whole exposition") }
        if whole.isEmpty {
          accepted += 1
          #expect(
            r.issues.allSatisfy {
              $0.reason == .duplicateSeries || $0.reason == .seriesLimit || $0.reason == .outOfOrder
                || ($0.reason == .badTimestamp && $0.detail.hasSuffix("sample dropped"))
            }, "\(r.issues)")
        } else {
          rejected += 1
          #expect(r.issues.count == 1, "\(r.issues)")
          #expect(r.samples.isEmpty && r.warnings.isEmpty)
        }
        for issue in r.issues + r.warnings {
          #expect(issue.line >= 100 && issue.line <= 100 + lineCount, "\(issue)")
          #expect(!issue.detail.isEmpty)
          #expect(!issue.excerpt.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        }
        if output == .raw { #expect(r.lines.count == r.samples.count) }
      }
      #expect(
        accepted > 300 && rejected > 300, "\(dialect): \(accepted) accepted, \(rejected) rejected")
    }
  }

  @Test func hugeLabelValueWithinTheLimit() {
    let big = String(repeating: "x", count: 1 << 20)
    let r = raw("a{v=\"\(big)\"} 1\nb 2\n")
    #expect(r.issues.isEmpty)
    #expect(r.samples.count == 2)
    #expect(r.samples.first?.key.labels["v"]?.utf8.count == 1 << 20)
  }

  @Test func hugeLineOfGarbageIsOneIssueWithABoundedExcerpt() {
    let r = raw("ok 1\n" + String(repeating: "{", count: 1 << 20) + "\n")
    #expect(r.samples.isEmpty)
    #expect(r.issues.count == 1)
    #expect(r.issues.first?.line == 2)
    #expect((r.issues.first?.excerpt.count ?? 0) <= 121)
  }

  @Test func manyLabelsAreRejectedWithoutQuadraticWork() {
    let labels = (0..<100_000).map { "l\($0)=\"v\"" }.joined(separator: ",")
    let r = raw("a{\(labels)} 1\n")
    #expect(r.issues.map(\.reason) == [.malformed])
    #expect(r.issues.first?.detail.contains("128 labels") == true)
  }

  @Test func extremeNumbers() {
    let r = raw(
      "a 1e-99999999999\nb 0.\(String(repeating: "0", count: 400))1\nc \(String(repeating: "9", count: 300))\n"
    )
    #expect(r.issues.isEmpty)
    #expect(
      r.samples.map(\.value) == [0, 0, 1e300 * 0 + Double(String(repeating: "9", count: 300))!])
    #expect(raw("d 1e99999999999\n").issues.map(\.reason) == [.badValue])
    #expect(raw("d \(String(repeating: "9", count: 400))\n").issues.map(\.reason) == [.badValue])
  }

  @Test func hostileHistogramCountsDoNotHang() {
    var h = PromHarness()
    let body = { (c: String) in
      "# TYPE h histogram\nh_bucket{le=\"1\"} \(c)\nh_bucket{le=\"+Inf\"} \(c)\n"
    }
    _ = h.parse(body("0"), at: testArrival)
    let r = h.parse(body("1e300"), at: testArrival.adding(Nanos.second))
    #expect(r.issues.isEmpty)
    #expect(r.samples.allSatisfy { $0.weight > 0 })
    #expect(r.samples.count <= PrometheusParser.pointsPerBucket)
    let nan = h.parse(body("NaN"), at: testArrival.adding(2 * Nanos.second))
    #expect(nan.samples.count == 1 && nan.samples[0].value.isNaN)
    let inf = h.parse(body("+Inf"), at: testArrival.adding(3 * Nanos.second))
    #expect(inf.samples.count == 1 && inf.samples[0].value.isNaN)
  }

  @Test func manyBucketsGiveNoPercentiles() {
    var h = PromHarness()
    let body = { (c: Int) in
      "# TYPE h histogram\n" + (1...300).map { "h_bucket{le=\"\($0)\"} \(c)\n" }.joined()
        + "h_bucket{le=\"+Inf\"} \(c)\n"
    }
    _ = h.parse(body(0), at: testArrival)
    let r = h.parse(body(5), at: testArrival.adding(Nanos.second))
    #expect(r.samples.isEmpty)
    #expect(r.warnings.contains { $0.detail.contains("buckets") })
  }

  @Test func stateStaysBoundedByTheSeriesCap() {
    var h = PromHarness(maxSeries: 50)
    for k in 0..<200 {
      _ = h.parse(
        "# TYPE c counter\nc{pod=\"p\(k)\"} 1\n", at: testArrival.adding(Int64(k) * Nanos.second))
    }
    #expect(h.parser.trackedSeries == 50)
    #expect(h.sink.interner.count == 50)
  }

  @Test func warningsInTheSinkAreBounded() {
    var sink = ParseSink()
    var parser = PrometheusParser(dialect: .prometheus)
    for _ in 0..<(ParseSink.maxWarnings + 10) {
      Array("a 1".utf8).withUnsafeBytes {
        parser.parse($0, line: 1, arrival: testArrival, into: &sink)
      }
    }
    #expect(sink.warnings.count == ParseSink.maxWarnings)
    #expect(sink.warningCount == ParseSink.maxWarnings + 10)
  }
}
