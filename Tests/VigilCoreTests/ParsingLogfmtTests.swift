import Testing
import VigilTestSupport

@testable import VigilCore

private let t0 = Timestamp(nanoseconds: 1_795_687_200_000_000_000)  // 2026-11-26T10:00:00Z

private func logfmt(_ line: String, mapping: FieldMapping = FieldMapping()) -> ParseResult {
  parseOne(.logfmt, line, mapping: mapping)
}

@Suite struct ParsingLogfmtTests {
  /// F31: escapes in quoted values and a bare key meaning true.
  @Test func f31QuotedValuesAndBareKeys() throws {
    let line =
      #"ts=2026-11-26T10:00:00Z svc=checkout dur_ms=231 msg="order \"42\" placed" cached"#
    let fields = try #require(LogfmtParser.fields(line))
    #expect(fields.map(\.0) == ["ts", "svc", "dur_ms", "msg", "cached"])
    #expect(
      fields.map(\.1) == ["2026-11-26T10:00:00Z", "checkout", "231", #"order "42" placed"#, "true"])
    let m = try FieldMapping.parse(
      "value=dur_ms,metric=const:checkout_latency_ms,label.svc,label.msg,label.cached")
    #expect(
      logfmt(line, mapping: m).samples == [
        ParsedSample(
          SeriesKey(
            "checkout_latency_ms",
            ["svc": "checkout", "msg": #"order "42" placed"#, "cached": "true"]),
          t0, 231)
      ])
    // Without a metric the line is rejected, not guessed.
    #expect(logfmt(line).reasons == [.missingMetric])
  }

  /// F32: an unterminated quote rejects the line.
  @Test func f32UnterminatedQuote() {
    let r = logfmt(#"metric=m value=1 msg="unterminated"#)
    #expect(r.reasons == [.malformed])
    #expect(r.issues.first?.detail == #"unterminated quoted value for "msg""#)
    #expect(LogfmtParser.fields(#"msg="unterminated"#) == nil)
    #expect(LogfmtParser.fields(#"msg="ends in backslash\"#) == nil)
  }

  /// F33: durations converted to the metric's unit.
  @Test(
    arguments: [
      ("connect_seconds", "8ms", 0.008),
      ("connect_seconds", "4ms", 0.004),
      ("connect_seconds", "1.5s", 1.5),
      ("connect_seconds", "2m", 120.0),
      ("connect_seconds", "250us", 0.00025),
      ("connect_seconds", "250µs", 0.00025),
      ("connect_seconds", "1h", 3600.0),
      ("connect_ms", "8ms", 8.0),
      ("connect_ms", "1.5s", 1500.0),
      ("connect_ms", "500ns", 0.0005),
      ("connect_ms", "7", 7.0),
    ] as [(String, String, Double)])
  func f33Durations(_ metric: String, _ value: String, _ expected: Double) {
    let r = logfmt("metric=\(metric) value=\(value)")
    #expect(r.issues.isEmpty, "\(value): \(r.issues)")
    #expect(r.samples.map(\.value) == [expected], "\(metric) \(value)")
  }

  @Test func f33DurationMappedFields() throws {
    let m = try FieldMapping.parse("value=dur,metric=const:connect_seconds")
    let r = logfmt("dur=8ms connect=4ms", mapping: m)
    #expect(r.samples.map(\.value) == [0.008])
    let other = try FieldMapping.parse("value=connect,metric=const:connect_seconds")
    #expect(logfmt("dur=8ms connect=4ms", mapping: other).samples.map(\.value) == [0.004])
  }

  @Test func durationForAnotherMetricIsABadValue() {
    let r = logfmt("metric=queue_depth value=8ms")
    #expect(r.reasons == [.badValue])
    #expect(
      r.issues.first?.detail
        == #""value" is the duration "8ms", but the metric name ends in neither _ms nor _seconds"#)
    #expect(logfmt("metric=x_ms value=8parsecs").reasons == [.badValue])
    #expect(logfmt("metric=x_ms value=ms").reasons == [.badValue])
    #expect(logfmt("metric=x_ms value=1h30m").reasons == [.badValue])
    #expect(logfmt("metric=x_ms value=-8ms").reasons == [.negativeDuration])
  }

  @Test func labelsWithoutAMapping() {
    let r = logfmt("ts=1795687200 metric=m value=3 service=checkout empty= flag host=\"a b\"")
    #expect(r.issues.isEmpty)
    #expect(
      r.samples == [
        ParsedSample(SeriesKey("m", ["service": "checkout", "flag": "true", "host": "a b"]), t0, 3)
      ])
  }

  @Test func lastRepeatWins() {
    let r = logfmt("metric=a metric=b value=1 value=2 zone=x zone=y")
    #expect(r.samples == [ParsedSample(SeriesKey("b", ["zone": "y"]), testArrival, 2)])
  }

  @Test func timestampKeysAndPriority() {
    #expect(logfmt("time=2026-11-26T10:00:00Z metric=m value=1").samples.map(\.timestamp) == [t0])
    #expect(logfmt("timestamp=1795687200000 metric=m value=1").samples.map(\.timestamp) == [t0])
    #expect(logfmt("ts_ms=1795687200000 metric=m value=1").samples.map(\.timestamp) == [t0])
    // `name`, `v`, `labels` are ordinary labels in logfmt.
    #expect(
      logfmt("metric=m value=1 name=bob v=2").samples.map(\.key)
        == [SeriesKey("m", ["name": "bob", "v": "2"])])
    #expect(logfmt("ts=2024-05-01T12:00:00 metric=m value=1").reasons == [.badTimestamp])
  }

  @Test(arguments: [
    #"metric=m value=1 ="#,
    #"metric=m value=1 "key"=x"#,
    #"metric=m value=1 ke"y=x"#,
    #"metric=m value=a"b"#,
    #"metric=m value=1 msg="x"y"#,
    "metric=m value=1 \u{1}x=1",
    "metric=m value=1 x=a\u{7f}",
  ])
  func malformed(_ line: String) {
    #expect(logfmt(line).reasons == [.malformed], "\(line)")
  }

  @Test(
    arguments: [
      ("metric=m value=abc", RejectReason.badValue),
      ("metric=m value=NaN", .nonFinite),
      ("metric=m value=+Inf", .nonFinite),
      ("metric=m value=", .missingValue),
      ("metric=m", .missingValue),
      ("value=1", .missingMetric),
      ("metric= value=1", .missingMetric),
      ("metric=m value=1e400", .badValue),
      ("metric=m value=0x10", .badValue),
      ("metric=req_latency value=-1", .negativeDuration),
      ("ts=yesterday metric=m value=1", .badTimestamp),
    ] as [(String, RejectReason)])
  func rejected(_ line: String, _ reason: RejectReason) {
    let r = logfmt(line)
    #expect(r.reasons == [reason], "\(line): \(r.issues)")
  }

  @Test func blankAndWhitespaceLinesAreSkipped() {
    var parser = LogfmtParser()
    let r = parse(&parser, ["", "   ", "\t"])
    #expect(r.samples.isEmpty && r.issues.isEmpty)
  }

  @Test func mappingRestrictsLabels() throws {
    let m = try FieldMapping.parse("metric=event,label.svc")
    let r = logfmt(
      "event=login value=1 svc=auth user_id=u123 msg=\"hello world\" request_id=r1", mapping: m)
    #expect(r.samples.map(\.key) == [SeriesKey("login", ["svc": "auth"])])
  }

  @Test func invalidUTF8() {
    var parser = LogfmtParser()
    let r = parse(&parser, [Array("metric=m value=1 x=".utf8) + [0xF5, 0x80]])
    #expect(r.reasons == [.invalidUTF8])
  }

  @Test func escapesInQuotedValues() {
    #expect(
      LogfmtParser.fields(#"a="x\\y" b="tab\there" c="new\nline" d="keep\q" e="""#).map {
        $0.map(\.1)
      } == ["x\\y", "tab\there", "new\nline", "keep\\q", ""])
  }
}
