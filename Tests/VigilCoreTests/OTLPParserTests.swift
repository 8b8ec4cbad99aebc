import Testing
import VigilDemo
import VigilTestSupport

@testable import VigilCore

/// One OTLP parser and its sink, as a feed keeps them; each call returns what it added.
struct OTLPHarness {
  var parser: OTLPParser
  var sink: ParseSink
  var line = 0

  init(_ encoding: OTLPParser.Encoding = .protobuf, maxSeries: Int = 10_000) {
    parser = OTLPParser(encoding: encoding)
    sink = ParseSink(interner: SeriesInterner(maxSeries: maxSeries))
  }

  struct Step {
    var samples: [Sample] = []
    var issues: [ParseIssue] = []
    var outcome = OTLPOutcome()
    var interner: SeriesInterner

    /// The samples with their series' keys, weights and times left out.
    var values: [(String, Double)] {
      samples.map { (interner.key($0.series).description, $0.value) }
    }
    /// The samples as `series value` or `series value×weight` texts.
    var texts: [String] {
      samples.map {
        "\(interner.key($0.series)) \(formatJSONNumber($0.value))"
          + ($0.weight == 1 ? "" : "×\($0.weight)")
      }
    }
  }

  mutating func parse(_ bytes: [UInt8], at arrival: Timestamp = testArrival) -> Step {
    line += 1
    let samples = sink.samples.count
    let issues = sink.issues.count
    let l = line
    bytes.withUnsafeBytes { parser.parse($0, line: l, arrival: arrival, into: &sink) }
    return Step(
      samples: Array(sink.samples[samples...]), issues: Array(sink.issues[issues...]),
      outcome: parser.lastOutcome, interner: sink.interner)
  }

  mutating func parse(_ request: OTLPRequest, at arrival: Timestamp = testArrival) -> Step {
    parse(
      parser.encoding == .protobuf
        ? OTLPEncode.request(request) : Array(OTLPJSONText.request(request).utf8), at: arrival)
  }

  mutating func parse(json: String, at arrival: Timestamp = testArrival) -> Step {
    parse(Array(json.utf8), at: arrival)
  }
}

/// Just enough OTLP/JSON writing for the harness's JSON runs (number points only).
enum OTLPJSONText {
  static func request(_ r: OTLPRequest) -> String {
    var out = "{\"resourceMetrics\":["
    for (i, rm) in r.resourceMetrics.enumerated() {
      if i > 0 { out += "," }
      out += "{\"resource\":{\"attributes\":" + attributes(rm.resource) + "},\"scopeMetrics\":["
      for (j, sm) in rm.scopeMetrics.enumerated() {
        if j > 0 { out += "," }
        out += "{\"metrics\":[" + sm.metrics.map(metric).joined(separator: ",") + "]}"
      }
      out += "]}"
    }
    return out + "]}"
  }

  static func attributes(_ list: [OTLPKeyValue]) -> String {
    "["
      + list.map { kv in
        var s = "{\"key\":"
        appendJSONString(&s, kv.key)
        switch kv.value {
        case .string(let v):
          s += ",\"value\":{\"stringValue\":"
          appendJSONString(&s, v)
          s += "}"
        case .int(let v): s += ",\"value\":{\"intValue\":\"\(v)\"}"
        default: s += ",\"value\":{}"
        }
        return s + "}"
      }.joined(separator: ",") + "]"
  }

  static func number(_ p: OTLPNumberPoint) -> String {
    var s = "{\"attributes\":" + attributes(p.attributes)
    s += ",\"startTimeUnixNano\":\"\(p.startTimeUnixNano)\",\"timeUnixNano\":\"\(p.timeUnixNano)\""
    switch p.value {
    case .none: break
    case .int(let i): s += ",\"asInt\":\"\(i)\""
    case .double(let d):
      s +=
        ",\"asDouble\":" + (d.isFinite ? formatJSONNumber(d) : d.isNaN ? "\"NaN\"" : "\"Infinity\"")
    }
    return s + ",\"flags\":\(p.flags)}"
  }

  static func metric(_ m: OTLPMetric) -> String {
    var s = "{\"name\":"
    appendJSONString(&s, m.name)
    switch m.data {
    case .gauge(let points):
      s += ",\"gauge\":{\"dataPoints\":[" + points.map(number).joined(separator: ",") + "]}"
    case .sum(let sum):
      s += ",\"sum\":{\"aggregationTemporality\":\(sum.temporality.rawValue),"
      s += "\"isMonotonic\":\(sum.isMonotonic),\"dataPoints\":["
      s += sum.points.map(number).joined(separator: ",") + "]}"
    default: break
    }
    return s + "}"
  }
}

/// A request of `metrics` from one resource with `resource` attributes.
func otlpRequest(_ metrics: [OTLPMetric], resource: [OTLPKeyValue] = []) -> OTLPRequest {
  OTLPRequest(resourceMetrics: [
    OTLPResourceMetrics(resource: resource, scopeMetrics: [OTLPScopeMetrics(metrics: metrics)])
  ])
}

/// A request with one sum metric `name` of one point.
func otlpSum(
  _ value: Double, name: String = "requests", time: UInt64, start: UInt64 = 0,
  temporality: OTLPTemporality = .cumulative, monotonic: Bool = true,
  attributes: [OTLPKeyValue] = []
) -> OTLPRequest {
  otlpRequest([
    OTLPMetric(
      name: name,
      data: .sum(
        OTLPSum(
          points: [
            OTLPNumberPoint(
              attributes: attributes, startTimeUnixNano: start, timeUnixNano: time,
              value: .double(value))
          ], temporality: temporality, isMonotonic: monotonic)))
  ])
}

/// Seconds after `testArrival`, as OTLP nanoseconds.
func otlpTime(_ seconds: Int64) -> UInt64 {
  UInt64(testArrival.nanoseconds + seconds * Nanos.second)
}

@Suite struct OTLPParserTests {
  @Test func theOfficialExampleMapsToSamples() {
    var h = OTLPHarness(.json)
    let step = h.parse(json: otlpExampleMetricsJSON)
    #expect(step.issues.isEmpty)
    let svc = "service=\"my.service\""
    #expect(
      step.texts == [
        // A delta counter's point is its increase.
        "my.counter{my.counter.attr=\"some value\",\(svc)} 5",
        "my.gauge{my.gauge.attr=\"some value\",\(svc)} 10",
        // (0, 1] holds 1 (its point at the bound), (1, +Inf) 1 (at the last finite bound).
        "my.histogram{my.histogram.attr=\"some value\",\(svc)} 1",
        "my.histogram{my.histogram.attr=\"some value\",\(svc)} 1",
        "my.histogram_sum{my.histogram.attr=\"some value\",\(svc)} 2",
        "my.histogram_count{my.histogram.attr=\"some value\",\(svc)} 2",
        // The zero bucket, then bucket 2 at scale 0, (4, 8], at 2·4·8/12.
        "my.exponential.histogram{my.exponential.histogram.attr=\"some value\",\(svc)} 0",
        "my.exponential.histogram{my.exponential.histogram.attr=\"some value\",\(svc)} "
          + "\(formatJSONNumber(64.0 / 12))×2",
        "my.exponential.histogram_sum{my.exponential.histogram.attr=\"some value\",\(svc)} 10",
        "my.exponential.histogram_count{my.exponential.histogram.attr=\"some value\",\(svc)} 3",
      ])
    #expect(step.samples.allSatisfy { $0.timestamp.nanoseconds == 1_544_712_660_300_000_000 })
    #expect(
      step.outcome
        == {
          var o = OTLPOutcome()
          o.acceptedDataPoints = 4
          return o
        }())
    // The same request in protobuf makes the same samples.
    var p = OTLPHarness(.protobuf)
    #expect(p.parse(OTLPEncode.request(otlpExampleMetrics)).texts == step.texts)
  }

  @Test func gaugesTakeDoublesAndIntsAndRefuseNonFiniteValues() {
    var h = OTLPHarness()
    let request = otlpRequest([
      OTLPMetric(
        name: "queue.depth",
        data: .gauge([
          OTLPNumberPoint(timeUnixNano: otlpTime(1), value: .double(2.5)),
          OTLPNumberPoint(timeUnixNano: otlpTime(2), value: .int(-7)),
          OTLPNumberPoint(timeUnixNano: otlpTime(3), value: .double(.nan)),
          OTLPNumberPoint(timeUnixNano: otlpTime(4), value: .double(-.infinity)),
          OTLPNumberPoint(timeUnixNano: otlpTime(5)),
          OTLPNumberPoint(value: .double(1)),
        ]))
    ])
    let step = h.parse(request)
    #expect(step.values.map(\.1) == [2.5, -7, 1])
    #expect(
      step.samples.map(\.timestamp) == [
        testArrival.adding(Nanos.second), testArrival.adding(2 * Nanos.second),
        testArrival,  // time_unix_nano 0: the arrival time
      ])
    #expect(step.issues.map(\.reason) == [.nonFinite, .nonFinite, .missingValue])
    #expect(step.outcome.acceptedDataPoints == 3)
    #expect(step.outcome.rejectedDataPoints == 3)
    #expect(step.outcome.errorMessage == "metric \"queue.depth\": the value is nan, not finite")
    #expect(!step.outcome.requestRejected)
  }

  @Test func cumulativeCounterWithAStartTimeEmitsItsValue() {
    var h = OTLPHarness()
    #expect(h.parse(otlpSum(10, time: otlpTime(10), start: otlpTime(0))).values.map(\.1) == [10])
    #expect(h.parse(otlpSum(15, time: otlpTime(20), start: otlpTime(0))).values.map(\.1) == [5])
    #expect(h.parse(otlpSum(15, time: otlpTime(30), start: otlpTime(0))).values.map(\.1) == [0])
  }

  @Test func cumulativeCounterWithoutAStartTimeIsABaseline() {
    var h = OTLPHarness()
    let first = h.parse(otlpSum(10, time: otlpTime(10)))
    #expect(first.samples.isEmpty)
    #expect(first.outcome.acceptedDataPoints == 1, "a baseline is taken, not refused")
    #expect(h.parse(otlpSum(12, time: otlpTime(20))).values.map(\.1) == [2])
    // A start time equal to the time is no evidence of counting from 0 either.
    var g = OTLPHarness()
    #expect(g.parse(otlpSum(10, time: otlpTime(10), start: otlpTime(10))).samples.isEmpty)
  }

  @Test func aChangedStartTimeOrADecreaseIsAReset() {
    var h = OTLPHarness()
    _ = h.parse(otlpSum(100, time: otlpTime(10), start: otlpTime(0)))
    // Restarted at 15 s: counted 120 since then, although 120 > 100.
    #expect(h.parse(otlpSum(120, time: otlpTime(20), start: otlpTime(15))).values.map(\.1) == [120])
    #expect(h.parse(otlpSum(130, time: otlpTime(30), start: otlpTime(15))).values.map(\.1) == [10])
    // No start times at all: a decrease is the reset.
    var g = OTLPHarness()
    _ = g.parse(otlpSum(100, time: otlpTime(10)))
    #expect(g.parse(otlpSum(7, time: otlpTime(20))).values.map(\.1) == [7])
  }

  @Test func anOlderCumulativePointIsOutOfOrder() {
    var h = OTLPHarness()
    _ = h.parse(otlpSum(10, time: otlpTime(20)))
    let late = h.parse(otlpSum(5, time: otlpTime(10)))
    #expect(late.samples.isEmpty)
    #expect(late.issues.map(\.reason) == [.outOfOrder])
    #expect(late.outcome.rejectedDataPoints == 1)
    // The state was not touched: the next point is compared with 10, not 5.
    #expect(h.parse(otlpSum(14, time: otlpTime(30))).values.map(\.1) == [4])
  }

  @Test func deltaSumsAreIncreases() {
    var h = OTLPHarness()
    for (k, v) in [3.0, 0, 4].enumerated() {
      let step = h.parse(otlpSum(v, time: otlpTime(Int64(k)), temporality: .delta))
      #expect(step.values.map(\.1) == [v])
    }
    #expect(h.parser.trackedSeries == 0, "delta counters keep no state")
    let negative = h.parse(otlpSum(-1, time: otlpTime(9), temporality: .delta))
    #expect(negative.samples.isEmpty)
    #expect(negative.issues.map(\.reason) == [.badValue])
    let unspecified = h.parse(otlpSum(1, time: otlpTime(9), temporality: .unspecified))
    #expect(unspecified.issues.map(\.reason) == [.malformed])
  }

  @Test func upDownCountersAreLevels() {
    var h = OTLPHarness()
    // Cumulative: the value is the level, whatever it did before.
    for (k, v) in [5.0, 3, 8].enumerated() {
      let step = h.parse(otlpSum(v, time: otlpTime(Int64(k)), monotonic: false))
      #expect(step.values.map(\.1) == [v])
    }
    // Delta: a running total per series.
    var levels: [Double] = []
    for (k, v) in [5.0, -2, 4].enumerated() {
      let step = h.parse(
        otlpSum(
          v, name: "connections", time: otlpTime(Int64(k)), temporality: .delta, monotonic: false))
      levels += step.values.map(\.1)
    }
    #expect(levels == [5, 3, 7])
  }

  @Test func jsonAndProtobufAgreeOnNumberPoints() {
    var json = OTLPHarness(.json)
    var proto = OTLPHarness(.protobuf)
    let requests = [
      otlpSum(1, time: otlpTime(1), start: otlpTime(0), attributes: [OTLPKeyValue("a", .int(3))]),
      otlpSum(4, time: otlpTime(2), start: otlpTime(0), attributes: [OTLPKeyValue("a", .int(3))]),
      otlpSum(.nan, name: "x", time: otlpTime(2)),
      otlpSum(-3, name: "up", time: 0, temporality: .delta, monotonic: false),
    ]
    for r in requests {
      let a = json.parse(r)
      let b = proto.parse(r)
      #expect(a.texts == b.texts)
      #expect(a.issues.map(\.reason) == b.issues.map(\.reason))
      #expect(a.outcome == b.outcome)
    }
  }

  @Test func summariesGiveQuantileGaugesAndCounterIncreases() {
    var h = OTLPHarness()
    func summary(_ count: UInt64, _ sum: Double, _ t: Int64, start: UInt64 = 0) -> OTLPRequest {
      otlpRequest([
        OTLPMetric(
          name: "rpc.duration",
          data: .summary([
            OTLPSummaryPoint(
              attributes: [OTLPKeyValue("quantile", .string("attribute loses"))],
              startTimeUnixNano: start, timeUnixNano: otlpTime(t), count: count, sum: sum,
              quantileValues: [
                OTLPQuantileValue(quantile: 0.50, value: 0.2),
                OTLPQuantileValue(quantile: 0.99, value: 1.5),
              ])
          ]))
      ])
    }
    let first = h.parse(summary(10, 4, 10))
    #expect(
      first.texts == ["rpc.duration{quantile=\"0.5\"} 0.2", "rpc.duration{quantile=\"0.99\"} 1.5"],
      "quantiles are gauges; _sum and _count start with a baseline")
    let second = h.parse(summary(14, 5.5, 20))
    #expect(
      second.texts == [
        "rpc.duration{quantile=\"0.5\"} 0.2", "rpc.duration{quantile=\"0.99\"} 1.5",
        // The quantile label is the quantile's alone; _sum and _count keep the attribute.
        "rpc.duration_sum{quantile=\"attribute loses\"} 1.5",
        "rpc.duration_count{quantile=\"attribute loses\"} 4",
      ])
    // With a start time, the first point counts from 0.
    var g = OTLPHarness()
    #expect(
      g.parse(summary(3, 0.75, 10, start: otlpTime(1))).values.suffix(2).map(\.1) == [0.75, 3])
    // A NaN quantile refuses the point.
    var n = OTLPHarness()
    let nan = otlpRequest([
      OTLPMetric(
        name: "s",
        data: .summary([
          OTLPSummaryPoint(quantileValues: [OTLPQuantileValue(quantile: 0.5, value: .nan)])
        ]))
    ])
    #expect(n.parse(nan).issues.map(\.reason) == [.nonFinite])
  }

  @Test func pointsWithNoRecordedValueAreSkipped() {
    var h = OTLPHarness()
    _ = h.parse(otlpSum(10, time: otlpTime(10)))
    var request = otlpSum(.nan, time: otlpTime(20))
    if case .sum(var s) = request.resourceMetrics[0].scopeMetrics[0].metrics[0].data {
      s.points[0].flags = OTLPFlags.noRecordedValue
      request.resourceMetrics[0].scopeMetrics[0].metrics[0].data = .sum(s)
    }
    let step = h.parse(request)
    #expect(step.samples.isEmpty)
    #expect(step.issues.isEmpty)
    #expect(step.outcome.skippedDataPoints == 1)
    #expect(step.outcome.acceptedDataPoints == 0)
    #expect(h.sink.skipped == 1)
    // The gap did not disturb the counter.
    #expect(h.parse(otlpSum(13, time: otlpTime(30))).values.map(\.1) == [3])
  }

  @Test func attributesAndResourceLabels() {
    var h = OTLPHarness()
    let resource = [
      OTLPKeyValue("service.name", .string("checkout")),
      OTLPKeyValue("service.instance.id", .string("pod-7")),
      OTLPKeyValue("host.name", .string("node-1")),
      OTLPKeyValue("telemetry.sdk.language", .string("swift")),
    ]
    let request = otlpRequest(
      [
        OTLPMetric(
          name: "http.server.request.duration",
          data: .gauge([
            OTLPNumberPoint(
              attributes: [
                OTLPKeyValue("http.request.method", .string("POST")),
                OTLPKeyValue("http.response.status_code", .int(200)),
                OTLPKeyValue("retry", .bool(false)),
                OTLPKeyValue("ratio", .double(0.5)),
                OTLPKeyValue("tags", .array([.string("a"), .int(1)])),
                OTLPKeyValue("", .string("no key")),
                OTLPKeyValue("empty", .string("")),
              ], value: .double(1)),
            // A point attribute wins over the resource's.
            OTLPNumberPoint(
              attributes: [OTLPKeyValue("service", .string("override"))], value: .double(2)),
          ]))
      ], resource: resource)
    let step = h.parse(request)
    #expect(step.issues.isEmpty)
    #expect(
      step.texts == [
        "http.server.request.duration{http.request.method=\"POST\","
          + "http.response.status_code=\"200\",instance=\"pod-7\",ratio=\"0.5\",retry=\"false\","
          + "service=\"checkout\",tags=\"[\\\"a\\\",1]\"} 1",
        "http.server.request.duration{instance=\"pod-7\",service=\"override\"} 2",
      ])
  }

  @Test func seriesPastTheInternerCapAreRefusedAndKeepNoState() {
    var h = OTLPHarness(maxSeries: 3)
    var points: [OTLPNumberPoint] = []
    for k in 0..<10 {
      points.append(
        OTLPNumberPoint(
          attributes: [OTLPKeyValue("k", .int(Int64(k)))], timeUnixNano: otlpTime(1),
          value: .double(1)))
    }
    let request = otlpRequest([
      OTLPMetric(
        name: "c", data: .sum(OTLPSum(points: points, temporality: .cumulative, isMonotonic: true)))
    ])
    let step = h.parse(request)
    #expect(step.outcome.acceptedDataPoints == 3)
    #expect(step.outcome.rejectedDataPoints == 7)
    #expect(step.issues.allSatisfy { $0.reason == .seriesLimit })
    #expect(h.parser.trackedSeries == 3)
    #expect(h.sink.interner.count == 3)
  }

  @Test func theFeedFormatBuildsTheParserAndFramesLongLines() {
    #expect(FeedFormat(rawValue: "otlp") == .otlp)
    #expect(Parsers.make(.otlp, mapping: FieldMapping()) is OTLPParser)
    // A request line past the default 64 KiB record limit is one record.
    let big = otlpRequest([
      OTLPMetric(
        name: "g",
        data: .gauge([
          OTLPNumberPoint(
            attributes: [OTLPKeyValue("pad", .string(String(repeating: "x", count: 4_000)))],
            value: .double(1))
        ]))
    ])
    var metrics: [OTLPMetric] = []
    for k in 0..<20 {
      var m = big.resourceMetrics[0].scopeMetrics[0].metrics[0]
      m.name = "g\(k)"
      metrics.append(m)
    }
    let text = OTLPJSONText.request(otlpRequest(metrics)) + "\n"
    #expect(text.utf8.count > 65_536)
    var pump = RecordPump(format: .otlp)
    var batch = RecordBatch()
    Array(text.utf8).withUnsafeBytes { pump.push($0, into: &batch) }
    #expect(batch.count == 1)
    #expect(batch.oversized.isEmpty)
    var parser = Parsers.make(.otlp, mapping: FieldMapping())
    var sink = ParseSink()
    batch.record(0).withUnsafeBytes {
      parser.parse($0, line: 1, arrival: testArrival, into: &sink)
    }
    #expect(sink.samples.count == 20)
    #expect(sink.issues.isEmpty)
  }

  /// The demo incident written as OTLP/JSON lines parses to the samples of its JSON lines.
  @Test func demoAsOTLPEqualsDemoAsJSON() {
    let scenario = DemoScenario(seed: 42, rateScale: 0.2)
    let start = Timestamp.seconds(1_795_687_200)
    var json = Parsers.make(.json, mapping: FieldMapping())
    var otlp = Parsers.make(.otlp, mapping: FieldMapping())
    var a = ParseSink()
    var b = ParseSink()
    var count = 0
    for s in 280..<340 {
      for e in scenario.events(second: s) {
        count += 1
        Array(DemoFormatter.line(e, start: start, format: .json).utf8).withUnsafeBytes {
          json.parse($0, line: count, arrival: testArrival, into: &a)
        }
        Array(DemoFormatter.line(e, start: start, format: .otlp).utf8).withUnsafeBytes {
          otlp.parse($0, line: count, arrival: testArrival, into: &b)
        }
      }
    }
    #expect(count > 500)
    #expect(a.issues.isEmpty && b.issues.isEmpty)
    #expect(a.samples.count == count && b.samples.count == count)
    // JSON carries milliseconds, OTLP the generator's nanoseconds.
    let mismatch = zip(a.samples, b.samples).first { x, y in
      a.interner.key(x.series) != b.interner.key(y.series) || x.value != y.value
        || abs(x.timestamp.nanoseconds - y.timestamp.nanoseconds) >= Nanos.millisecond
    }
    #expect(mismatch == nil, "\(String(describing: mismatch))")
  }

  @Test func detectionKnowsOTLPLinesBeforeTheyEnd() {
    func detect(_ s: String) -> FeedFormat? { Array(s.utf8).withUnsafeBytes { Parsers.detect($0) } }
    #expect(detect("{\"resourceMetrics\":[{\"resource\":") == .otlp)
    #expect(detect("\n \n{ \"resource_metrics\" : []}\n") == .otlp)
    #expect(detect("{\"ts\":1,\"metric\":\"m\",\"value\":1}\n") == .json)
    #expect(detect("{\"resourceMe") == nil, "not enough to tell yet")
    #expect(detect("{\"resource\":1}\n") == .json)
    // A file of long request lines, read without --format, is framed and parsed as OTLP.
    var metrics: [OTLPMetric] = []
    for k in 0..<30 {
      metrics.append(
        OTLPMetric(
          name: "g\(k)",
          data: .gauge([
            OTLPNumberPoint(
              attributes: [OTLPKeyValue("pad", .string(String(repeating: "x", count: 3_000)))],
              value: .double(1))
          ])))
    }
    let line = OTLPJSONText.request(otlpRequest(metrics))
    var pump = RecordPump(format: nil)
    var batch = RecordBatch()
    Array((line + "\n" + line + "\n").utf8).withUnsafeBytes { pump.push($0, into: &batch) }
    #expect(pump.format == .otlp)
    #expect(batch.count == 2 && batch.oversized.isEmpty)
  }

  @Test func oneParserReadsBothEncodingsWithOneState() {
    var parser = OTLPParser(encoding: .protobuf)
    var sink = ParseSink()
    let json = Array(OTLPJSONText.request(otlpSum(10, time: otlpTime(1))).utf8)
    let proto = OTLPEncode.request(otlpSum(25, time: otlpTime(2)))
    json.withUnsafeBytes {
      parser.parse($0, encoding: .json, line: 1, arrival: testArrival, into: &sink)
    }
    proto.withUnsafeBytes {
      parser.parse($0, encoding: .protobuf, line: 1, arrival: testArrival, into: &sink)
    }
    #expect(sink.samples.map(\.value) == [15], "the JSON point is the protobuf point's baseline")
    #expect(parser.lastOutcome.acceptedDataPoints == 1)
  }

  @Test func blankJSONLinesAreNothing() {
    var h = OTLPHarness(.json)
    let step = h.parse(json: "  \r")
    #expect(step.samples.isEmpty && step.issues.isEmpty)
    #expect(step.outcome == OTLPOutcome())
  }
}
