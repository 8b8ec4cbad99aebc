import Testing
import VigilTestSupport

@testable import VigilCore

private let t0 = Timestamp(nanoseconds: 1_795_687_200_000_000_000)  // 2026-11-26T10:00:00Z

/// Frames `text` with ``CSVRecordFramer`` in `chunkSize` pieces, then parses every record.
private func csv(
  _ text: String, mapping: FieldMapping = FieldMapping(), chunkSize: Int = 7,
  interner: SeriesInterner = SeriesInterner()
) -> ParseResult {
  var framer = CSVRecordFramer()
  let framed = frame(&framer, Array(text.utf8), chunkSize: chunkSize)
  var parser = CSVParser(mapping: mapping)
  var sink = ParseSink(interner: interner)
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

@Suite struct ParsingCSVTests {
  @Test func longLayout() {
    let r = csv(
      "ts,metric,value,service,stage\r\n"
        + "2026-11-26T10:00:00Z,checkout_seconds,1.5,checkout,tax\r\n"
        + "2026-11-26T10:00:01Z,checkout_seconds,2,checkout,\r\n")
    #expect(r.issues.isEmpty)
    #expect(
      r.samples == [
        ParsedSample(
          SeriesKey("checkout_seconds", ["service": "checkout", "stage": "tax"]), t0, 1.5),
        ParsedSample(
          SeriesKey("checkout_seconds", ["service": "checkout"]), t0.adding(Nanos.second), 2),
      ])
  }

  /// F28 end to end: a quoted label value with `,`, `""` and a newline.
  @Test func f28QuotedNewlineInALabel() {
    for size in [1, 3, 1000] {
      let r = csv(
        "ts,metric,value,msg\n1795687200,m,1,\"a, \"\"b\"\"\nc\"\n1795687200,m,2,plain\n",
        chunkSize: size)
      #expect(r.issues.isEmpty)
      #expect(r.samples.map(\.key.labels["msg"]) == ["a, \"b\"\nc", "plain"])
      #expect(r.samples.map(\.timestamp) == [t0, t0])
    }
  }

  /// F29: fewer (or more) fields than the header.
  @Test func f29FieldCount() {
    let r = csv("ts,metric,value\n1795687200,m\n1795687200,m,1,extra\n1795687200,m,3\n")
    #expect(r.reasons == [.fieldCount, .fieldCount])
    #expect(r.issues.map(\.line) == [2, 3])
    #expect(r.issues.first?.detail == "2 fields, but the header has 3")
    #expect(r.samples.map(\.value) == [3])
  }

  /// F30: spaces belong to the field.
  @Test func f30SpacesBelongToTheField() {
    let r = csv("metric,value\nm,\" 12 \"\nm, 12\nm,12 \nm,12\n")
    #expect(r.reasons == [.badValue, .badValue, .badValue])
    #expect(r.issues.first?.detail == #""value" is " 12 ", not a number"#)
    #expect(r.samples.map(\.value) == [12])
  }

  @Test func bomIsSkippedAndBlankLinesIgnored() {
    let r = csv("\u{FEFF}metric,value\n\nm,1\n\n\nm,2")
    #expect(r.issues.isEmpty)
    #expect(r.samples.map(\.value) == [1, 2])
  }

  @Test func emptyFieldsAreMissing() {
    let r = csv("ts,metric,value,service\n,m,1,\n,,1,a\n,m,,a\n")
    #expect(r.samples == [ParsedSample(SeriesKey("m"), testArrival, 1)])
    #expect(r.reasons == [.missingMetric, .missingValue])
  }

  @Test func wideLayoutThroughTheMapping() throws {
    let text = "ts,service,p99_ms,error_rate\n2026-11-26T10:00:00Z,checkout,812.5,0.01\n"
    let latency = try FieldMapping.parse("value=p99_ms,metric=const:api_p99_ms,label.service")
    #expect(
      csv(text, mapping: latency).samples == [
        ParsedSample(SeriesKey("api_p99_ms", ["service": "checkout"]), t0, 812.5)
      ])
    let errors = try FieldMapping.parse(
      "value=error_rate,metric=const:error_ratio,label.svc=service")
    #expect(
      csv(text, mapping: errors).samples == [
        ParsedSample(SeriesKey("error_ratio", ["svc": "checkout"]), t0, 0.01)
      ])
    // A mapped column missing from the header: every record is missing its value.
    let missing = try FieldMapping.parse("value=p50_ms,metric=const:x")
    let r = csv(text, mapping: missing)
    #expect(r.reasons == [.missingValue])
    #expect(r.issues.first?.detail == #"no "p50_ms" field"#)
  }

  @Test func aliasesAndDeclaredUnits() {
    let r = csv("ts_ms,name,val,host\n1795687200000,m,4,a\n")
    #expect(r.samples == [ParsedSample(SeriesKey("m", ["host": "a"]), t0, 4)])
  }

  @Test(
    arguments: [
      ("m,\"unterminated", RejectReason.malformed),
      ("m,\"1\"x", .malformed),
      ("m,1\"2\"", .malformed),
      ("m,abc", .badValue),
      ("m,NaN", .nonFinite),
      ("m,1e400", .badValue),
      ("m,0x10", .badValue),
      ("m,\"1,234\"", .badValue),
      ("m,1_000", .badValue),
      ("api_latency_ms,-3", .negativeDuration),
    ] as [(String, RejectReason)])
  func badRecords(_ record: String, _ reason: RejectReason) {
    var parser = CSVParser()
    let r = parse(&parser, ["metric,value", record])
    #expect(r.reasons == [reason], "\(record): \(r.issues)")
    #expect(r.samples.isEmpty)
  }

  @Test func quotedNumbersAndQuotedHeaders() {
    var parser = CSVParser()
    let r = parse(&parser, ["\"metric\",\" value \"", "\"m\",\"2.5\""])
    #expect(r.samples == [ParsedSample(SeriesKey("m"), testArrival, 2.5)])
  }

  @Test func invalidUTF8() {
    var parser = CSVParser()
    let r = parse(
      &parser,
      [Array("metric,value".utf8), Array("m\u{e9},1".utf8).dropLast(3) + [0xE9, 0x2C, 0x31]])
    #expect(r.reasons == [.invalidUTF8])
  }

  @Test func lineOneIsAlwaysAHeader() {
    var parser = CSVParser()
    var r = parse(&parser, ["metric,value", "m,1"])
    #expect(r.samples.map(\.value) == [1])
    // After a truncation the framer restarts at line 1 with a new header.
    r = parse(&parser, ["value,metric,zone", "2,n,eu"])
    #expect(r.samples == [ParsedSample(SeriesKey("n", ["zone": "eu"]), testArrival, 2)])
    // Any other header change is data.
    r = parse(&parser, ["value,metric,zone"], firstLine: 5)
    #expect(r.reasons == [.badValue])
  }

  @Test func semicolonDelimiter() {
    var framer = CSVRecordFramer(delimiter: UInt8(ascii: ";"))
    let framed = frame(
      &framer, Array("metric;value;note\nm;1,5;\"a;b\"\nm;2;x\n".utf8), chunkSize: 4)
    var parser = CSVParser(delimiter: UInt8(ascii: ";"))
    var sink = ParseSink()
    for rec in framed.records {
      rec.bytes.withUnsafeBytes {
        parser.parse($0, line: rec.line, arrival: testArrival, into: &sink)
      }
    }
    #expect(sink.issues.map(\.reason) == [.badValue])  // "1,5" needs a locale
    #expect(sink.samples.map(\.value) == [2])
  }

  @Test func malformedHeaderIsReported() {
    var parser = CSVParser()
    let r = parse(&parser, ["metric,\"value", "m,1"])
    #expect(r.reasons == [.malformed])
    #expect(r.issues.first?.detail.hasPrefix("header:") == true)
  }
}
