import Testing
import VigilTestSupport

@testable import VigilCore

/// One SEMANTICS §13 F vector run through a parser.
struct FeedVector: Sendable, CustomTestStringConvertible {
  enum Expected: Sendable {
    case sample(SeriesKey, Int64, Double)  // key, ns, value
    case rejected(RejectReason)
  }
  var id: String
  var format: FeedFormat
  var records: [String]
  var map: String = ""
  var timeUnit: TimeUnit? = nil
  var expected: [Expected]
  var testDescription: String { id }
}

private let vectorNoon = 1_714_564_800_000_000_000 as Int64  // 2024-05-01T12:00:00Z

private let vectors: [FeedVector] = [
  FeedVector(
    id: "F21 fraction", format: .json,
    records: [#"{"ts":"2024-05-01T12:00:00.123Z","metric":"m","value":1}"#],
    expected: [.sample(SeriesKey("m"), vectorNoon + 123_000_000, 1)]),
  FeedVector(
    id: "F21 no fraction", format: .json,
    records: [#"{"ts":"2024-05-01T12:00:00Z","metric":"m","value":1}"#],
    expected: [.sample(SeriesKey("m"), vectorNoon, 1)]),
  FeedVector(
    id: "F22 space", format: .json,
    records: [#"{"ts":"2024-05-01 12:00:00Z","metric":"m","value":1}"#],
    expected: [.sample(SeriesKey("m"), vectorNoon, 1)]),
  FeedVector(
    id: "F22 lower case", format: .json,
    records: [#"{"ts":"2024-05-01t12:00:00z","metric":"m","value":1}"#],
    expected: [.sample(SeriesKey("m"), vectorNoon, 1)]),
  FeedVector(
    id: "F23 leap second", format: .json,
    records: [#"{"ts":"2016-12-31T23:59:60Z","metric":"m","value":1}"#],
    expected: [.sample(SeriesKey("m"), 1_483_228_800_000_000_000, 1)]),
  FeedVector(
    id: "F24 no offset", format: .json,
    records: [#"{"ts":"2024-05-01T12:00:00","metric":"m","value":1}"#],
    expected: [.rejected(.badTimestamp)]),
  FeedVector(
    id: "F25 ts_ms", format: .json,
    records: [#"{"ts_ms":1714564800123,"metric":"m","value":1}"#],
    expected: [.sample(SeriesKey("m"), vectorNoon + 123_000_000, 1)]),
  FeedVector(
    id: "F25 time_unit ms", format: .json,
    records: [#"{"ts":1714564800123,"metric":"m","value":1}"#], timeUnit: .ms,
    expected: [.sample(SeriesKey("m"), vectorNoon + 123_000_000, 1)]),
  FeedVector(
    id: "F26 bare NaN", format: .json, records: [#"{"metric":"m","value": NaN}"#],
    expected: [.rejected(.malformed)]),
  FeedVector(
    id: "F26 string NaN", format: .json, records: [#"{"metric":"m","value":"NaN"}"#],
    expected: [.rejected(.nonFinite)]),
  FeedVector(
    id: "F27 trailing CR", format: .json,
    records: [#"{"ts":"2024-05-01T12:00:00Z","metric":"m","value":1}"# + "\r"],
    expected: [.sample(SeriesKey("m"), vectorNoon, 1)]),
  FeedVector(
    id: "F28 quoted newline", format: .csv,
    records: ["ts,service,msg,metric,value", "1714564800,checkout,\"a, \"\"b\"\"\nc\",m,1"],
    expected: [
      .sample(SeriesKey("m", ["service": "checkout", "msg": "a, \"b\"\nc"]), vectorNoon, 1)
    ]),
  FeedVector(
    id: "F29 too few fields", format: .csv, records: ["ts,metric,value", "1714564800,m"],
    expected: [.rejected(.fieldCount)]),
  FeedVector(
    id: "F30 spaces in a number", format: .csv, records: ["metric,value", "m,\" 12 \""],
    expected: [.rejected(.badValue)]),
  FeedVector(
    id: "F31 escapes and bare key", format: .logfmt,
    records: [
      #"ts=2024-05-01T12:00:00Z svc=checkout dur_ms=231 msg="order \"42\" placed" cached"#
    ],
    map: "value=dur_ms,metric=const:checkout_ms,label.svc,label.msg,label.cached",
    expected: [
      .sample(
        SeriesKey(
          "checkout_ms", ["svc": "checkout", "msg": #"order "42" placed"#, "cached": "true"]),
        vectorNoon, 231)
    ]),
  FeedVector(
    id: "F32 unterminated quote", format: .logfmt, records: [#"msg="unterminated"#],
    expected: [.rejected(.malformed)]),
  FeedVector(
    id: "F33 dur", format: .logfmt, records: ["dur=8ms connect=4ms"],
    map: "value=dur,metric=const:dur_seconds",
    expected: [.sample(SeriesKey("dur_seconds"), testArrival.nanoseconds, 0.008)]),
  FeedVector(
    id: "F33 connect", format: .logfmt, records: ["dur=8ms connect=4ms"],
    map: "value=connect,metric=const:connect_seconds",
    expected: [.sample(SeriesKey("connect_seconds"), testArrival.nanoseconds, 0.004)]),
]

@Suite struct ParsingVectorTests {
  @Test(arguments: vectors)
  func semanticsVector(_ v: FeedVector) throws {
    var parser = Parsers.make(
      v.format, mapping: try FieldMapping.parse(v.map), timeUnit: v.timeUnit)
    let r = parse(&parser, v.records)
    var samples = r.samples[...]
    var issues = r.issues[...]
    for e in v.expected {
      switch e {
      case .sample(let key, let ns, let value):
        let next = samples.popFirst()
        let s = try #require(next, "\(v.id): no sample; issues \(r.issues)")
        #expect(s == ParsedSample(key, Timestamp(nanoseconds: ns), value), "\(v.id)")
      case .rejected(let reason):
        let next = issues.popFirst()
        let i = try #require(next, "\(v.id): not rejected; samples \(r.samples)")
        #expect(i.reason == reason, "\(v.id): \(i.detail)")
        #expect(i.line == v.records.count)
      }
    }
    #expect(samples.isEmpty && issues.isEmpty, "\(v.id): extra output \(samples) \(issues)")
  }
}
