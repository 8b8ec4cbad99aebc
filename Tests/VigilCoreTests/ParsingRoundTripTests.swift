import Testing
import VigilTestSupport

@testable import VigilCore

private let labelNames = ["service", "stage", "psp", "zone"]
private let metrics = [
  "api_latency_ms", "payment_retries_total", "inventory_mismatch", "cart_value",
]
private let pieces = [
  "a", "Z", "0", " ", ",", "\"", "\\", "=", "\n", "\r\n", "\t", "é", "日本", "🎉", "{", "}", ":",
  "checkout",
]

private struct Generated {
  var metric: String
  var labels: [(String, String)]
  var timestamp: Timestamp
  var value: Double
  var key: SeriesKey { SeriesKey(metric, LabelSet(labels)) }
}

private func generate(_ rng: inout SplitMix64, count: Int) -> [Generated] {
  (0..<count).map { _ in
    let metric = metrics[Int(rng.next() % UInt64(metrics.count))]
    var labels: [(String, String)] = []
    for name in labelNames where rng.next() % 2 == 0 {
      var v = ""
      for _ in 0..<(1 + rng.next() % 4) { v += pieces[Int(rng.next() % UInt64(pieces.count))] }
      labels.append((name, v))
    }
    // 2000-01-01 … 2100-01-01, nanosecond precision.
    let ns = 946_684_800_000_000_000 + Int64(rng.next() % 3_155_760_000_000_000_000)
    var value: Double
    switch rng.next() % 4 {
    case 0: value = Double(rng.next() % 100_000) / 10
    case 1: value = rng.unit() * 1e-6
    case 2: value = Double(bitPattern: rng.next() >> 2)  // wide exponent range, positive
    default: value = (rng.unit() - 0.5) * 1e12
    }
    if !value.isFinite { value = 1 }
    if isDurationMetric(metric) { value = abs(value) }
    return Generated(
      metric: metric, labels: labels, timestamp: Timestamp(nanoseconds: ns), value: value)
  }
}

private func rfc3339(_ t: Timestamp) -> String { CivilTime(t).rfc3339(fractionDigits: 9) }

/// Frames `text` with `framer` in random chunk sizes and parses every record.
private func run<F: RecordFramer>(
  _ text: String, framer: F, parser: some FeedParser, rng: inout SplitMix64
) -> ParseResult {
  var framer = framer
  var parser = parser
  let framed = frame(&framer, Array(text.utf8), chunkSize: Int(rng.next() % 97) + 1)
  var sink = ParseSink()
  for r in framed.records {
    r.bytes.withUnsafeBytes { parser.parse($0, line: r.line, arrival: testArrival, into: &sink) }
  }
  var out = ParseResult()
  out.samples = sink.samples.map {
    ParsedSample(sink.interner.key($0.series), $0.timestamp, $0.value)
  }
  out.issues = sink.issues
  return out
}

private func expectSame(_ got: ParseResult, _ expected: [Generated], _ format: String) {
  #expect(got.issues.isEmpty, "\(format): \(got.issues.prefix(3))")
  #expect(got.samples.count == expected.count, "\(format)")
  for (g, e) in zip(got.samples, expected) {
    #expect(g.key == e.key, "\(format)")
    #expect(g.timestamp == e.timestamp, "\(format)")
    #expect(g.value.bitPattern == e.value.bitPattern, "\(format): \(g.value) vs \(e.value)")
  }
}

@Suite struct ParsingRoundTripTests {
  @Test(arguments: [1, 2, 3, 4])
  func json(_ seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let samples = generate(&rng, count: 300)
    var text = ""
    for s in samples {
      let unicode = rng.next() % 2 == 0
      var fields: [String] = []
      if rng.next() % 2 == 0 {
        fields.append("\"ts\":" + FeedRendering.jsonString(rfc3339(s.timestamp)))
      } else {
        fields.append("\"ts_ns\":\(s.timestamp.nanoseconds)")
      }
      fields.append("\"metric\":" + FeedRendering.jsonString(s.metric))
      fields.append(rng.next() % 4 == 0 ? "\"value\":\"\(s.value)\"" : "\"value\":\(s.value)")
      let rendered = s.labels.map {
        FeedRendering.jsonString($0.0) + ":"
          + FeedRendering.jsonString($0.1, escapeUnicode: unicode)
      }
      if rng.next() % 2 == 0 {
        fields.append("\"labels\":{" + rendered.joined(separator: ",") + "}")
      } else {
        fields += rendered
      }
      fields.append("\"type\":[1,{\"x\":null}]")
      text += "{" + fields.joined(separator: rng.next() % 2 == 0 ? "," : " , ") + "}"
      text += rng.next() % 3 == 0 ? "\r\n" : "\n"
    }
    let got = run(text, framer: LineFramer(), parser: JSONLinesParser(), rng: &rng)
    expectSame(got, samples, "json")
  }

  @Test(arguments: [5, 6, 7])
  func csv(_ seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let samples = generate(&rng, count: 300)
    var text = "ts,metric,value," + labelNames.joined(separator: ",") + "\r\n"
    for s in samples {
      var row = [rfc3339(s.timestamp), s.metric, "\(s.value)"]
      for name in labelNames {
        row.append(FeedRendering.csvField(s.labels.last(where: { $0.0 == name })?.1 ?? ""))
      }
      text += row.joined(separator: ",") + (rng.next() % 2 == 0 ? "\r\n" : "\n")
    }
    let got = run(text, framer: CSVRecordFramer(), parser: CSVParser(), rng: &rng)
    expectSame(got, samples, "csv")
  }

  @Test(arguments: [8, 9, 10])
  func logfmt(_ seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let samples = generate(&rng, count: 300)
    var text = ""
    for s in samples {
      var pairs = [
        "ts=" + rfc3339(s.timestamp), "metric=" + s.metric,
        "value=" + FeedRendering.logfmtValue("\(s.value)"),
      ]
      for (n, v) in s.labels { pairs.append(n + "=" + FeedRendering.logfmtValue(v)) }
      text += pairs.joined(separator: rng.next() % 2 == 0 ? " " : "  \t") + "\n"
    }
    let got = run(text, framer: LineFramer(), parser: LogfmtParser(), rng: &rng)
    expectSame(got, samples, "logfmt")
  }
}
