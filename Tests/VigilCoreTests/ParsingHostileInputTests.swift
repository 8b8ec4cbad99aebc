import Testing
import VigilTestSupport

@testable import VigilCore

private let seeds: [FeedFormat: [String]] = [
  .json: [
    #"{"ts":"2026-11-26T10:00:00.123Z","metric":"api_latency_ms","value":123.4,"labels":{"service":"checkout"}}"#,
    #"{"ts_ms":1795709741988,"metric":"payment_retries_total","type":"counter","value":17,"labels":{"psp":"adyen"}}"#,
    #"{"time":1795709741.988,"name":"x","v":"1e3","svc":"a\u00e9\ud83d\ude00","deep":[[{"a":[true,false,null]}]]}"#,
  ],
  .csv: [
    #"2026-11-26T10:00:00Z,api_latency_ms,12.5,checkout,"a, ""b""""#,
    "1795709741988,m,-0,,x",
  ],
  .logfmt: [
    #"ts=2026-11-26T10:00:00Z metric=api_latency_ms value=231 svc=checkout msg="order \"42\" placed" cached"#,
    "ts=1795709741 metric=connect_seconds value=8ms",
  ],
]

private let interesting: [[UInt8]] = [
  [0x22], [0x5C], [0x7B], [0x7D], [0x5B], [0x5D], [0x2C], [0x3A], [0x3D], [0x20], [0x0D], [0x0A],
  [0x00], [0x01], [0x02], [0x7F], [0xFF], [0xC3], [0xC3, 0xA9], [0xED, 0xA0, 0x80],
  [0xF0, 0x9F, 0x8E, 0x89], Array("\\u".utf8), Array("\\ud800".utf8), Array("e999999".utf8),
  Array("-".utf8), Array("NaN".utf8), Array("1e400".utf8), Array("9999999999999999999999".utf8),
  Array(":60Z".utf8), Array("+99:99".utf8), Array("ms".utf8),
]

private func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
  var b = bytes
  for _ in 0..<(1 + rng.next() % 4) {
    let at = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
    switch rng.next() % 5 {
    case 0 where !b.isEmpty: b[at] = UInt8(truncatingIfNeeded: rng.next())
    case 1: b.insert(contentsOf: interesting[Int(rng.next() % UInt64(interesting.count))], at: at)
    case 2 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + 1 + Int(rng.next() % 8)))
    case 3: b = Array(b.prefix(at))
    default:
      let n = min(b.count - at, 1 + Int(rng.next() % 16))
      b.insert(contentsOf: b[at..<(at + n)], at: at)
    }
  }
  return b
}

private func isBlank(_ b: [UInt8], _ format: FeedFormat) -> Bool {
  switch format {
  case .json: b.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
  case .csv: b.isEmpty
  case .logfmt: b.allSatisfy { $0 == 0x20 || $0 == 0x09 }
  default: false  // whole expositions have their own hostile tests
  }
}

@Suite struct ParsingHostileInputTests {
  /// Random mutations of good lines never trap, and every non-blank record yields exactly one
  /// sample or one issue carrying its line number and excerpt.
  @Test(arguments: [FeedFormat.json, .csv, .logfmt])
  func mutatedRecordsYieldOneOutcomeEach(_ format: FeedFormat) {
    var rng = SplitMix64(seed: 99)
    var parser = Parsers.make(format, mapping: FieldMapping())
    var sink = ParseSink(interner: SeriesInterner(maxSeries: 500))
    if format == .csv {
      Array("ts,metric,value,service,msg".utf8).withUnsafeBytes {
        parser.parse($0, line: 1, arrival: testArrival, into: &sink)
      }
    }
    let base = seeds[format] ?? []
    for k in 0..<6_000 {
      let record = mutate(Array(base[k % base.count].utf8), &rng)
      let line = k + 2
      let before = (sink.samples.count, sink.issues.count)
      record.withUnsafeBytes { parser.parse($0, line: line, arrival: testArrival, into: &sink) }
      let made = (sink.samples.count - before.0) + (sink.issues.count - before.1)
      #expect(made == (isBlank(record, format) ? 0 : 1), "\(printableExcerpt(record))")
      if sink.issues.count > before.1, let issue = sink.issues.last {
        #expect(issue.line == line)
        #expect(issue.excerpt == printableExcerpt(record))
        #expect(!issue.detail.isEmpty)
      }
    }
    #expect(sink.samples.count > 100)
    #expect(sink.issues.count > 100)
  }

  @Test(arguments: [FeedFormat.json, .csv, .logfmt])
  func randomBytesNeverTrap(_ format: FeedFormat) {
    var rng = SplitMix64(seed: 5)
    var parser = Parsers.make(format, mapping: FieldMapping())
    var sink = ParseSink()
    for k in 0..<3_000 {
      let n = Int(rng.next() % 200)
      let record = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      record.withUnsafeBytes { parser.parse($0, line: k + 1, arrival: testArrival, into: &sink) }
    }
    #expect(sink.issues.count + sink.samples.count <= 3_000)
  }

  @Test func seventyKilobyteRecordsParseWithoutTrouble() {
    let pad = String(repeating: "x", count: 70_000)
    #expect(parseOne(.json, #"{"metric":"m","value":1,"pad":"\#(pad)"}"#).samples.count == 1)
    #expect(parseOne(.logfmt, "metric=m value=1 pad=\(pad)").samples.count == 1)
    #expect(parseOne(.csv, "m,1,\(pad)", header: "metric,value,pad").samples.count == 1)
    #expect(parseOne(.json, String(repeating: "{\"a\":", count: 14_000)).reasons == [.malformed])
  }
}
