import Testing
import VigilTestSupport

@testable import VigilCore

@Suite struct ParsingFieldMappingTests {
  @Test(
    arguments: [
      ("", FieldMapping()),
      ("  ", FieldMapping()),
      (
        "ts=time,value=duration_ms,metric=const:api_latency_ms",
        FieldMapping(ts: "time", value: "duration_ms", metric: .constant("api_latency_ms"))
      ),
      ("metric=event", FieldMapping(metric: .field("event"))),
      (
        " label.service , label.svc=service_name ,time_unit=ms ",
        FieldMapping(
          labels: [
            .init(name: "service", field: "service"), .init(name: "svc", field: "service_name"),
          ],
          timeUnit: .ms)
      ),
      ("value=a=b", FieldMapping(value: "a=b")),
      ("metric=const:a:b", FieldMapping(metric: .constant("a:b"))),
      ("time_unit=ns", FieldMapping(timeUnit: .ns)),
    ] as [(String, FieldMapping)])
  func parses(_ spec: String, _ expected: FieldMapping) throws {
    let m = try FieldMapping.parse(spec)
    #expect(m == expected)
    #expect(try FieldMapping.parse(m.description) == m)
  }

  @Test(arguments: [
    (
      "foo=bar",
      #""foo=bar": unknown key "foo" (expected ts, value, metric, label.NAME or time_unit)"#
    ),
    ("ts", #""ts": ts needs a field name, as in ts=FIELD"#),
    ("value=", #""value=": value needs a field name, as in value=FIELD"#),
    ("metric=const:", #""metric=const:": metric=const: needs a metric name"#),
    ("label.=x", #""label.=x": label. needs a name, as in label.service=svc"#),
    ("label.a=", #""label.a=": label.a needs a field name after ="#),
    ("time_unit=minutes", #""time_unit=minutes": time_unit must be s, ms, us or ns"#),
    ("ts=a,ts=b", #""ts=b": ts is given twice"#),
    ("label.a,label.a=b", #""label.a=b": label a is given twice"#),
    (
      "ts=a,,value=b",
      #"empty item in --map "ts=a,,value=b" (check for a doubled or trailing comma)"#
    ),
    ("ts=a,", #"empty item in --map "ts=a," (check for a doubled or trailing comma)"#),
    ("=x", #""=x": unknown key "" (expected ts, value, metric, label.NAME or time_unit)"#),
  ])
  func errorsNameTheItem(_ spec: String, _ message: String) {
    #expect(throws: FieldMappingError(message)) { try FieldMapping.parse(spec) }
  }

  @Test func selectsFields() throws {
    #expect(!FieldMapping().selectsFields)
    #expect(try !FieldMapping.parse("time_unit=s").selectsFields)
    #expect(try FieldMapping.parse("label.a").selectsFields)
    #expect(try FieldMapping.parse("ts=t").selectsFields)
  }

  @Test(
    arguments: [
      (#"{"ts":"2026-11-26T10:00:00Z","metric":"m","value":1}"# + "\n", FeedFormat?.some(.json)),
      ("\n\n   \r\n  {\"a\":1}\n", .json),
      ("\u{FEFF}{\"a\":1}\n", .json),
      ("ts=2026-11-26T10:00:00Z metric=m value=1\n", .logfmt),
      ("level=info msg=\"hello world\" cached\n", .logfmt),
      ("ts,metric,value\n1,m,2\n", .csv),
      ("\u{FEFF}\"ts\", \"service\",p99_ms\r\n", .csv),
      ("time,@timestamp,svc.name,x-y\n", .csv),
      (#"{"ts":"2026-11-26T10:00:00Z""#, nil),  // no complete line yet
      ("", nil),
      ("\n\n", nil),
      ("just some words\n", nil),
      ("single_column\n", nil),
      ("1,2,3\n", nil),
      ("a=\"open\n", nil),
    ] as [(String, FeedFormat?)])
  func detection(_ prefix: String, _ expected: FeedFormat?) {
    let got = Array(prefix.utf8).withUnsafeBytes { Parsers.detect($0) }
    #expect(got == expected, "\(prefix.debugDescription)")
  }

  @Test func makeBuildsTheRightParser() {
    #expect(Parsers.make(.json, mapping: FieldMapping()) is JSONLinesParser)
    #expect(Parsers.make(.csv, mapping: FieldMapping()) is CSVParser)
    #expect(Parsers.make(.logfmt, mapping: FieldMapping()) is LogfmtParser)
  }

  @Test func feedTimeUnitAndMappingTimeUnit() throws {
    let line = #"{"ts":1795687200,"metric":"m","value":1}"#
    let feedUnit = parseOne(.json, line, timeUnit: .ms)
    #expect(
      feedUnit.samples.map(\.timestamp) == [Timestamp(nanoseconds: 1_795_687_200 * 1_000_000)])
    let both = parseOne(.json, line, mapping: try FieldMapping.parse("time_unit=s"), timeUnit: .ms)
    #expect(both.samples.map(\.timestamp) == [Timestamp.seconds(1_795_687_200)])
  }
}
