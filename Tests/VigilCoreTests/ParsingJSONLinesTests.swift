import Testing
import VigilTestSupport

@testable import VigilCore

private let t0 = Timestamp(nanoseconds: 1_795_687_200_000_000_000)  // 2026-11-26T10:00:00Z

private func json(_ line: String, mapping: FieldMapping = FieldMapping(), timeUnit: TimeUnit? = nil)
  -> ParseResult
{
  parseOne(.json, line, mapping: mapping, timeUnit: timeUnit)
}

@Suite struct ParsingJSONLinesTests {
  @Test func documentedShape() {
    let r = json(
      #"{"ts":"2026-11-26T10:00:00.123Z","metric":"api_latency_ms","value":123.4,"labels":{"service":"checkout"}}"#
    )
    #expect(r.issues.isEmpty)
    #expect(
      r.samples == [
        ParsedSample(
          SeriesKey("api_latency_ms", ["service": "checkout"]), t0.adding(123_000_000), 123.4)
      ])
  }

  /// Good lines: every alias and shape that must produce one sample.
  @Test(
    arguments: [
      (#"{"time":"2026-11-26T10:00:00Z","name":"m","val":1}"#, "m", 1.0, t0),
      (#"{"timestamp":"2026-11-26T10:00:00Z","metric":"m","v":2}"#, "m", 2.0, t0),
      (#"{"@timestamp":"2026-11-26T10:00:00Z","metric":"m","value":3}"#, "m", 3.0, t0),
      (#"{"metric":"m","value":4}"#, "m", 4.0, testArrival),  // no timestamp: arrival
      (#"{"ts":null,"metric":"m","value":4}"#, "m", 4.0, testArrival),
      (#"{"ts_s":1795687200,"metric":"m","value":5}"#, "m", 5.0, t0),
      (#"{"ts_ms":1795687200000,"metric":"m","value":5}"#, "m", 5.0, t0),
      (#"{"ts_us":1795687200000000,"metric":"m","value":5}"#, "m", 5.0, t0),
      (#"{"ts_ns":1795687200000000000,"metric":"m","value":5}"#, "m", 5.0, t0),
      (#"{"ts":1795687200,"metric":"m","value":6}"#, "m", 6.0, t0),  // guessed s
      (#"{"ts":1795687200000,"metric":"m","value":6}"#, "m", 6.0, t0),  // guessed ms
      (#"{"ts":1795687200000000,"metric":"m","value":6}"#, "m", 6.0, t0),  // guessed µs
      (#"{"ts":1795687200000000000,"metric":"m","value":6}"#, "m", 6.0, t0),  // guessed ns
      (#"{"ts":1795687200.5,"metric":"m","value":6}"#, "m", 6.0, t0.adding(500_000_000)),
      (#"{"ts":"1795687200000","metric":"m","value":6}"#, "m", 6.0, t0),  // numeric string
      (#"{"metric":"m","value":"12.5"}"#, "m", 12.5, testArrival),  // numeric string value
      (#"{"metric":"m","value":-0.0}"#, "m", 0.0, testArrival),
      (#"{"metric":"m","value":1e3}"#, "m", 1000.0, testArrival),
      (#"{"metric":"m","type":"counter","value":7}"#, "m", 7.0, testArrival),
      (#"{"metric":"m","type":{"nested":[1,2,{"x":null}]},"value":7}"#, "m", 7.0, testArrival),
      ("  {\"metric\" : \"m\" ,\t\"value\" :\t8 }  \r", "m", 8.0, testArrival),  // F27
      (#"{"metric":"m","value":9}"# + "\r", "m", 9.0, testArrival),  // F27
      (#"{"metric":"a\u00e9\/b","value":1}"#, "aé/b", 1.0, testArrival),
      (#"{"m\u0065tric":"escaped_key","value":1}"#, "escaped_key", 1.0, testArrival),
      (#"{"metric":"m","value":1,"metric":"last_wins"}"#, "last_wins", 1.0, testArrival),
      (#"{"name":"alias","metric":"primary","value":1}"#, "primary", 1.0, testArrival),
      (#"{"metric":"m","v":1,"value":2,"val":3}"#, "m", 2.0, testArrival),
      (
        #"{"ts_ms":1795687200000,"ts":"2026-11-26T10:00:01Z","metric":"m","value":1}"#, "m", 1.0,
        t0.adding(Nanos.second)
      ),
    ] as [(String, String, Double, Timestamp)])
  func goodLines(_ line: String, _ metric: String, _ value: Double, _ ts: Timestamp) {
    let r = json(line)
    #expect(r.issues.isEmpty, "\(line): \(r.issues)")
    #expect(r.samples.map(\.key.metric) == [metric], "\(line)")
    #expect(r.samples.map(\.value) == [value], "\(line)")
    #expect(r.samples.map(\.timestamp) == [ts], "\(line)")
  }

  /// Bad lines: each is rejected once with the given reason.
  @Test(
    arguments: [
      (#"{"metric":"m","value": NaN}"#, RejectReason.malformed),  // F26
      (#"{"metric":"m","value":Infinity}"#, .malformed),
      (#"{"metric":"m","value":"NaN"}"#, .nonFinite),  // F26
      (#"{"metric":"m","value":"Inf"}"#, .nonFinite),
      (#"{"metric":"m","value":"-Infinity"}"#, .nonFinite),
      (#"{"metric":"m","value":"abc"}"#, .badValue),
      (#"{"metric":"m","value":" 12 "}"#, .badValue),
      (#"{"metric":"m","value":"0x10"}"#, .badValue),
      (#"{"metric":"m","value":1e400}"#, .badValue),
      (#"{"metric":"m","value":true}"#, .badValue),
      (#"{"metric":"m","value":[1]}"#, .badValue),
      (#"{"metric":"m","value":{"a":1}}"#, .badValue),
      (#"{"metric":"m","value":null}"#, .missingValue),
      (#"{"metric":"m"}"#, .missingValue),
      (#"{"metric":"m","value":""}"#, .missingValue),
      (#"{"value":1}"#, .missingMetric),
      (#"{"metric":"","value":1}"#, .missingMetric),
      (#"{"metric":42,"value":1}"#, .missingMetric),
      (#"{"ts":"2024-05-01T12:00:00","metric":"m","value":1}"#, .badTimestamp),  // F24
      (#"{"ts":"yesterday","metric":"m","value":1}"#, .badTimestamp),
      (#"{"ts":"2024-13-01T12:00:00Z","metric":"m","value":1}"#, .badTimestamp),
      (#"{"ts":true,"metric":"m","value":1}"#, .badTimestamp),
      (#"{"ts":1e400,"metric":"m","value":1}"#, .badTimestamp),
      (#"{"ts_ns":99999999999999999999999,"metric":"m","value":1}"#, .badTimestamp),
      (#"{"ts":"9999-12-31T23:59:59Z","metric":"m","value":1}"#, .badTimestamp),
      (#"{"metric":"api_latency_ms","value":-1}"#, .negativeDuration),
      (#"{"metric":"checkout_duration","value":"-0.5"}"#, .negativeDuration),
      (#"{"metric":"m","value":1"#, .malformed),  // unterminated object
      (#"{"metric":"m","value":1}}"#, .malformed),  // trailing garbage
      (#"{"metric":"m","value":1} x"#, .malformed),
      (#"{"metric":"m","value":1,}"#, .malformed),  // trailing comma
      (#"{"metric":"m" "value":1}"#, .malformed),
      (#"{metric:"m","value":1}"#, .malformed),
      (#"{'metric':'m','value':1}"#, .malformed),
      (#"{"metric":"m","value":01}"#, .malformed),
      (#"{"metric":"m","value":1.}"#, .malformed),
      (#"{"metric":"m","value":-}"#, .malformed),
      (#"{"metric":"a\x","value":1}"#, .malformed),  // bad escape
      (#"{"metric":"a\u12","value":1}"#, .malformed),
      (#"{"metric":"a\ud800","value":1}"#, .malformed),  // lone high surrogate
      (#"{"metric":"a\udc00","value":1}"#, .malformed),  // lone low surrogate
      (#"{"metric":"a\ud800\u0041","value":1}"#, .malformed),
      ("{\"metric\":\"a\tb\",\"value\":1}", .malformed),  // raw control character
      (#"{"metric":"m","value":1,"x":tru}"#, .malformed),
      (#"{"metric":"m","value":1,"x":[1,2}"#, .malformed),
      (#"{"metric":"m","value":1,"x":{"a"}}"#, .malformed),
      (#"{"metric":"m","value":1,"x":[1 2]}"#, .malformed),
      (#"[{"metric":"m","value":1}]"#, .malformed),  // not an object
      (#""just a string""#, .malformed),
      ("42", .malformed),
      (#"{"metric":"a\u0001b","value":1}"#, .malformed),  // interner separator byte
    ] as [(String, RejectReason)])
  func badLines(_ line: String, _ reason: RejectReason) {
    let r = json(line)
    #expect(r.samples.isEmpty, "\(line)")
    #expect(r.reasons == [reason], "\(line): \(r.issues)")
    #expect(r.issues.first?.line == 1)
    #expect(r.issues.first?.excerpt == printableExcerpt(line))
    #expect(r.issues.first?.detail.isEmpty == false)
  }

  @Test func detailsArePrecise() {
    #expect(
      json(#"{"metric":"m","value":"abc"}"#).issues.first?.detail
        == #""value" is "abc", not a number"#)
    #expect(
      json(#"{"metric":"m","val":"NaN"}"#).issues.first?.detail == #""val" is "NaN", not finite"#)
    #expect(
      json(#"{"metric":"m","value":1e400}"#).issues.first?.detail
        == #""value" is "1e400", out of range for a double"#)
    #expect(
      json(#"{"ts":"2024-05-01T12:00:00","metric":"m","value":1}"#).issues.first?.detail
        == #""ts" is "2024-05-01T12:00:00", which has no UTC offset"#)
    #expect(
      json(#"{"metric":"m","value":1"#).issues.first?.detail
        == "invalid JSON at byte 24: expected , or } in an object")
    #expect(json(#"{"metric":"m"}"#).issues.first?.detail == #"no "value" field"#)
  }

  @Test func flatLabelsAndLabelObjects() {
    let r = json(
      #"{"metric":"m","value":1,"service":"checkout","code":500,"ok":true,"n":null,"o":{"a":"b"},"arr":["x"],"labels":{"stage":"tax","retry":2,"flag":false,"skip":null,"deep":{"x":"y"}},"tags":{"psp":"adyen"}}"#
    )
    #expect(r.issues.isEmpty)
    #expect(
      r.samples.map(\.key) == [
        SeriesKey(
          "m",
          [
            "service": "checkout", "stage": "tax", "retry": "2", "flag": "false", "psp": "adyen",
          ])
      ])
  }

  @Test func labelValuesDecodeEscapesAndSurrogatePairs() {
    let r = json(
      #"{"metric":"m","value":1,"labels":{"emoji":"\ud83d\ude00","quote":"a\"b\\c\nd","\u00e9":"x"}}"#
    )
    #expect(r.issues.isEmpty)
    #expect(
      r.samples.first?.key.labels
        == LabelSet([("emoji", "😀"), ("quote", "a\"b\\c\nd"), ("\u{e9}", "x")]))
  }

  /// Byte order and `String` order disagree for names that are not NFC; such a record is
  /// rejected instead of reaching `LabelSet`'s ordering assertion.
  @Test func nonNFCLabelNamesAreRejectedNotTrapped() {
    let r = json(#"{"metric":"m","value":1,"labels":{"quote":"a","e\u0301":"x"}}"#)
    #expect(r.reasons == [.malformed])
    let twins = json(#"{"metric":"m","value":1,"labels":{"\u00e9":"a","e\u0301":"x"}}"#)
    #expect(twins.reasons == [.malformed])
    let alone = json(#"{"metric":"m","value":1,"labels":{"e\u0301":"x"}}"#)
    #expect(alone.samples.count == 1)
  }

  @Test func emptyLabelValuesAreAbsent() {
    let r = json(#"{"metric":"m","value":1,"service":"","labels":{"stage":""}}"#)
    #expect(r.samples.map(\.key) == [SeriesKey("m")])
  }

  /// F25: a declared unit and a feed `time_unit` agree.
  @Test func f25DeclaredAndFeedUnits() {
    let a = json(#"{"ts_ms":1714564800123,"metric":"m","value":1}"#)
    let b = json(#"{"ts":1714564800123,"metric":"m","value":1}"#, timeUnit: .ms)
    let expected = Timestamp(nanoseconds: 1_714_564_800_123_000_000)
    #expect(a.samples.map(\.timestamp) == [expected])
    #expect(b.samples.map(\.timestamp) == [expected])
    #expect(expected.description == "2024-05-01T12:00:00.123Z")
    // A feed unit overrides the guess; a declared unit overrides the feed unit.
    let c = json(#"{"ts":1714564800,"metric":"m","value":1}"#, timeUnit: .ms)
    #expect(c.samples.map(\.timestamp) == [Timestamp(nanoseconds: 1_714_564_800_000_000)])
    let d = json(#"{"ts_s":1714564800,"metric":"m","value":1}"#, timeUnit: .ms)
    #expect(d.samples.map(\.timestamp) == [Timestamp(nanoseconds: 1_714_564_800_000_000_000)])
  }

  @Test func mappingFromTheIssue() throws {
    let line =
      #"{"time":"2026-11-26T10:00:00Z","duration_ms":231,"service":"checkout","msg":"ok","user_id":"u1"}"#
    let m = try FieldMapping.parse("ts=time,value=duration_ms,metric=const:api_latency_ms")
    #expect(json(line, mapping: m).samples == [ParsedSample(SeriesKey("api_latency_ms"), t0, 231)])
    let withService = try FieldMapping.parse(
      "ts=time,value=duration_ms,metric=const:api_latency_ms,label.service")
    #expect(
      json(line, mapping: withService).samples == [
        ParsedSample(SeriesKey("api_latency_ms", ["service": "checkout"]), t0, 231)
      ])
    let renamed = try FieldMapping.parse(
      "value=duration_ms,metric=const:lat_ms,label.svc=service,label.code=status")
    let r = json(
      #"{"ts":"2026-11-26T10:00:00Z","duration_ms":"7","service":"cart","status":404,"labels":{"x":"y"}}"#,
      mapping: renamed)
    #expect(
      r.samples == [ParsedSample(SeriesKey("lat_ms", ["svc": "cart", "code": "404"]), t0, 7)])
  }

  @Test func mappedFieldsShadowDefaultAliases() throws {
    let m = try FieldMapping.parse("value=latency,metric=svc_metric")
    let r = json(#"{"value":1,"latency":2,"metric":"ignored","svc_metric":"real"}"#, mapping: m)
    #expect(r.samples.map(\.key.metric) == ["real"])
    #expect(r.samples.map(\.value) == [2])
    let missing = json(#"{"value":1,"svc_metric":"real"}"#, mapping: m)
    #expect(missing.reasons == [.missingValue])
    #expect(missing.issues.first?.detail == #"no "latency" field"#)
  }

  @Test func mappingTimeUnit() throws {
    let m = try FieldMapping.parse("time_unit=ms")
    let r = json(#"{"ts":1714564800,"metric":"m","value":1,"service":"a"}"#, mapping: m)
    #expect(r.samples.map(\.timestamp) == [Timestamp(nanoseconds: 1_714_564_800_000_000)])
    #expect(r.samples.map(\.key) == [SeriesKey("m", ["service": "a"])])  // labels unrestricted
  }

  @Test func invalidUTF8AnywhereIsRejected() {
    let cases: [[UInt8]] = [
      Array(#"{"metric":"m","value":1,"s":""#.utf8) + [0xFF] + Array(#""}"#.utf8),
      Array(#"{"metric":"m","#.utf8) + [0xC3] + Array(#""value":1}"#.utf8),
      Array(#"{"metric":"m\#u{e9}","value":1}"#.utf8).map { $0 == 0xA9 ? 0x29 : $0 },
      Array(#"{"metric":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#"","value":1}"#.utf8),  // surrogate
      Array(#"{"metric":""#.utf8) + [0xC0, 0xAF] + Array(#"","value":1}"#.utf8),  // overlong
    ]
    for bytes in cases {
      var parser = JSONLinesParser()
      let r = parse(&parser, [bytes])
      #expect(r.reasons == [.invalidUTF8], "\(printableExcerpt(bytes))")
    }
  }

  @Test func seriesLimit() {
    var parser = JSONLinesParser()
    let lines = (0..<4).map { #"{"metric":"m","value":1,"labels":{"id":"\#($0)"}}"# }
    let r = parse(&parser, lines + [lines[0]], interner: SeriesInterner(maxSeries: 2))
    #expect(r.samples.count == 3)
    #expect(r.reasons == [.seriesLimit, .seriesLimit])
    #expect(r.issues.map(\.line) == [3, 4])
  }

  @Test func blankLinesAreSkipped() {
    var parser = JSONLinesParser()
    let r = parse(&parser, ["", "   ", "\r", "\t \r"])
    #expect(r.samples.isEmpty && r.issues.isEmpty)
  }

  @Test func hostileNestingIsMalformedNotACrash() {
    let deep = String(repeating: "[", count: 100_000)
    #expect(json(deep).reasons == [.malformed])
    let inValue = #"{"metric":"m","value":1,"x":"# + deep + "}"
    #expect(json(inValue).reasons == [.malformed])
    let balanced =
      #"{"metric":"m","value":1,"x":"# + String(repeating: "[", count: 50_000)
      + String(repeating: "]", count: 50_000) + "}"
    #expect(json(balanced).samples.count == 1)
    let objects =
      #"{"metric":"m","value":1,"x":"# + String(repeating: #"{"a":"#, count: 20_000) + "1"
      + String(repeating: "}", count: 20_000) + "}"
    #expect(json(objects).samples.count == 1)
  }

  @Test func hugeNumbersAreRejectedNotTrapped() {
    let digits = String(repeating: "9", count: 5_000)
    #expect(json(#"{"metric":"m","value":\#(digits)}"#).reasons == [.badValue])
    #expect(json(#"{"ts":\#(digits),"metric":"m","value":1}"#).reasons == [.badTimestamp])
    #expect(json(#"{"ts_ms":-\#(digits),"metric":"m","value":1}"#).reasons == [.badTimestamp])
    #expect(json(#"{"metric":"m","value":1e\#(digits)}"#).reasons == [.badValue])
    #expect(json(#"{"metric":"m","value":1e-\#(digits)}"#).samples.map(\.value) == [0])
  }

  @Test func seventyKilobyteLineThroughTheFramer() {
    let big = #"{"metric":"m","value":1,"pad":""# + String(repeating: "x", count: 70_000) + "\"}"
    let text =
      #"{"metric":"a","value":1}"# + "\n" + big + "\n" + #"{"metric":"b","value":2}"# + "\n"
    var framer = LineFramer()
    var batch = RecordBatch()
    Array(text.utf8).withUnsafeBytes { framer.push($0, into: &batch) }
    #expect(batch.oversized == [2])
    var parser = JSONLinesParser()
    var sink = ParseSink()
    for i in 0..<batch.count {
      batch.withRecord(i) { parser.parse($0, line: $1, arrival: testArrival, into: &sink) }
    }
    #expect(sink.samples.map { sink.interner.key($0.series).metric } == ["a", "b"])
  }

  @Test func isDurationMetricPredicate() {
    for name in [
      "api_latency_ms", "x_us", "x_ns", "checkout_completion_seconds", "x_secs", "dns_latency",
      "order_confirmation_delay", "job_duration_total",
    ] {
      #expect(isDurationMetric(name), "\(name)")
    }
    for name in ["payment_retries_total", "ms", "items", "x_msec", "seconds_total", "LATENCY"] {
      #expect(!isDurationMetric(name), "\(name)")
    }
    // Negative values are fine for other metrics.
    #expect(json(#"{"metric":"balance_delta","value":-5}"#).samples.map(\.value) == [-5])
  }

  @Test func steadyStateReusesSeriesIDs() {
    var parser = JSONLinesParser()
    var sink = ParseSink()
    let lines = [
      #"{"metric":"m","value":1,"labels":{"b":"2","a":"1"}}"#,
      #"{"metric":"m","value":2,"a":"1","b":"2"}"#,
      #"{"metric":"m","value":3,"tags":{"a":"1"},"b":"2"}"#,
    ]
    for (k, l) in lines.enumerated() {
      Array(l.utf8).withUnsafeBytes {
        parser.parse($0, line: k + 1, arrival: testArrival, into: &sink)
      }
    }
    #expect(sink.interner.count == 1)
    #expect(Set(sink.samples.map(\.series)).count == 1)
  }
}
