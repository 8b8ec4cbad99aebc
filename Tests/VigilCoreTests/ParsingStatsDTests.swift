import Testing
import VigilTestSupport

@testable import VigilCore

/// A parsed sample with its weight (StatsD sample rates).
struct WeightedSample: Equatable, CustomStringConvertible {
  var key: SeriesKey
  var ns: Int64
  var value: Double
  var weight: UInt32
  init(_ key: SeriesKey, _ value: Double, weight: UInt32 = 1, ns: Int64 = testArrival.nanoseconds) {
    self.key = key
    self.ns = ns
    self.value = value
    self.weight = weight
  }
  var description: String { "\(key) \(value) w\(weight) @\(ns)" }
}

/// What some records made: samples with weights, issues, skipped values.
struct WeightedResult {
  var samples: [WeightedSample] = []
  var issues: [ParseIssue] = []
  var skipped = 0
  var reasons: [RejectReason] { issues.map(\.reason) }
}

/// Runs `records` (one per datagram or line, numbered from 1) through `parser`.
func run(
  _ parser: inout some FeedParser, _ records: [[UInt8]], arrival: Timestamp = testArrival,
  interner: SeriesInterner = SeriesInterner()
) -> WeightedResult {
  var sink = ParseSink(interner: interner)
  for (k, r) in records.enumerated() {
    r.withUnsafeBytes { parser.parse($0, line: k + 1, arrival: arrival, into: &sink) }
  }
  var out = WeightedResult()
  out.samples = sink.samples.map {
    WeightedSample(
      sink.interner.key($0.series), $0.value, weight: $0.weight, ns: $0.timestamp.nanoseconds)
  }
  out.issues = sink.issues
  out.skipped = sink.skipped
  return out
}

func run(_ parser: inout some FeedParser, _ records: [String], arrival: Timestamp = testArrival)
  -> WeightedResult
{
  run(&parser, records.map { Array($0.utf8) }, arrival: arrival)
}

/// A fresh StatsD parser over `records`.
func statsd(_ records: String..., arrival: Timestamp = testArrival) -> WeightedResult {
  var p = StatsDParser()
  return run(&p, records, arrival: arrival)
}

@Suite struct StatsDVectorTests {
  @Test func f11FourTypesInOnePacket() {
    let r = statsd("a:1|c\nb:320|ms\ng:333|g\nu:765|s")
    #expect(r.issues.isEmpty)
    #expect(
      r.samples == [
        WeightedSample(key("a"), 1), WeightedSample(key("b"), 320), WeightedSample(key("g"), 333),
        WeightedSample(key("u"), 1),
      ])
  }

  @Test func f12GaugeDeltas() {
    let r = statsd("g:333|g", "g:-10|g", "g:+4|g")
    #expect(r.samples.map(\.value) == [333, 323, 327])
  }

  @Test func f13SettingAGaugeNegative() {
    #expect(statsd("g:0|g", "g:-5|g").samples.map(\.value) == [0, -5])
    #expect(statsd("g:-5|g").samples.map(\.value) == [-5])
    #expect(statsd("g:327|g", "g:-5|g").samples.map(\.value) == [327, 322])
    // Gauges are per series: a tag makes another gauge.
    #expect(statsd("g:10|g", "g:+1|g|#a:b").samples.map(\.value) == [10, 1])
  }

  @Test(arguments: [
    "x:1|c|@0", "x:1|c|@1.5", "x:1|c|@-0.5", "x:1|c|@", "x:1|c|@abc", "x:1|ms|@0x1",
  ])
  func f14BadSampleRateRejectsTheLine(_ line: String) {
    let r = statsd(line)
    #expect(r.samples.isEmpty)
    #expect(r.reasons == [.badSampleRate])
    #expect(r.issues.first?.line == 1)
    #expect(r.issues.first?.excerpt == line)
  }

  @Test func f15DogStatsDCounterWithRateAndTags() {
    let r = statsd("users.online:1|c|@0.5|#country:china,env:prod")
    #expect(r.issues.isEmpty)
    let k = key("users.online", [("country", "china"), ("env", "prod")])
    #expect(r.samples == [WeightedSample(k, 1, weight: 2)])
  }

  /// E17 through the windows: count += 10, the sketch holds 250 with weight 10.
  @Test func e17TimerWithRateScalesTheCountAndTheSketch() {
    let r = statsd("lat:250|ms|@0.1")
    #expect(r.samples == [WeightedSample(key("lat"), 250, weight: 10)])
    var p = StatsDParser()
    var sink = ParseSink()
    Array("lat:250|ms|@0.1\nlat:100|ms".utf8).withUnsafeBytes {
      p.parse($0, line: 1, arrival: testArrival, into: &sink)
    }
    var store = MetricStore()
    for s in sink.samples { #expect(store.ingest(s, now: testArrival) == .accepted) }
    let st = store.stats(sink.samples[0].series, window: Nanos.minute, at: testArrival)
    #expect(st.count == 11)
    #expect(st.sum == 2_600)
    // Ten of eleven events are 250 ms: p50 and p90 are 250 (within the sketch's 0.39 %); the
    // minimum is 100. Without the weight, p50 would be 100.
    #expect(abs((st.p50 ?? 0) - 250) <= 250 * 0.004)
    #expect(abs((st.p90 ?? 0) - 250) <= 250 * 0.004)
    #expect(st.min == 100)
  }

  /// A counter sent at rate r adds v/r to the sum, so `rate` (Σ/s) is v/r per second.
  @Test func counterRateComesOutAsValueOverRatePerSecond() {
    var p = StatsDParser()
    var sink = ParseSink()
    var store = MetricStore()
    // One `hits:3|c|@0.25` every second for a minute: 12 per second.
    for s in 0..<60 {
      let t = testArrival.adding(Int64(s) * Nanos.second)
      Array("hits:3|c|@0.25".utf8).withUnsafeBytes {
        p.parse($0, line: s + 1, arrival: t, into: &sink)
      }
      for sample in sink.samples { _ = store.ingest(sample, now: t) }
      sink.samples.removeAll()
    }
    let end = testArrival.adding(59 * Nanos.second)
    let id = sink.interner.lookup(key("hits"))!
    let st = store.stats(id, window: Nanos.minute, at: end)
    #expect(st.sum == 720)
    #expect(st.sumRate == 12)
    #expect(st.count == 240)
  }

  @Test func counterWithARateWhoseInverseIsNotWhole() throws {
    let r = statsd("c:1|c|@0.3")
    let s = try #require(r.samples.first)
    #expect(s.weight == 3)
    #expect(abs(s.value * Double(s.weight) - 1 / 0.3) < 1e-12)
    // Timers keep their value; the weight is round(1/r).
    #expect(statsd("t:5|ms|@0.3").samples == [WeightedSample(key("t"), 5, weight: 3)])
    // A tiny rate is capped, and a counter's sum stays v/r.
    let tiny = try #require(statsd("c:2|c|@0.000000001").samples.first)
    #expect(tiny.weight == StatsDParser.maxWeight)
    #expect(abs(tiny.value * Double(tiny.weight) - 2e9) < 1e-3)
    #expect(statsd("c:1|c|@1").samples == [WeightedSample(key("c"), 1)])
  }
}

@Suite struct StatsDGrammarTests {
  @Test func nameCleanup() {
    #expect(StatsDParser.cleanName("my metric/name!") == "my_metric-name")
    #expect(StatsDParser.cleanName("a \t b") == "a_b")
    #expect(StatsDParser.cleanName("café.latency") == "caf.latency")
    #expect(StatsDParser.cleanName("a_b-c.D9") == "a_b-c.D9")
    #expect(statsd("api /checkout:1|c").samples.map(\.key) == [key("api_-checkout")])
    #expect(statsd("!!!:1|c").reasons == [.missingMetric])
    #expect(statsd(":1|c").reasons == [.missingMetric])
  }

  @Test func aColonInTheNameSplitsAtTheFirst() {
    #expect(statsd("a:b:1|c").reasons == [.badValue])
    #expect(statsd("users:alice:bob|s").samples == [WeightedSample(key("users"), 1)])
  }

  @Test func packedValues() {
    #expect(statsd("n:1:2:3|d").samples.map(\.value) == [1, 2, 3])
    #expect(statsd("n:1:2|ms|@0.5").samples.map(\.weight) == [2, 2])
    #expect(statsd("g:5:+1:-2|g").samples.map(\.value) == [5, 6, 4])
    #expect(statsd("n:1::3|d").reasons == [.missingValue])
    #expect(statsd("n:1:x:3|d").reasons == [.badValue])
  }

  @Test func valuesAndTypes() {
    #expect(statsd("foo:|c").reasons == [.missingValue])
    #expect(statsd("foo").reasons == [.malformed])
    #expect(statsd("foo:1").reasons == [.malformed])
    #expect(statsd("foo:1|").reasons == [.malformed])
    #expect(statsd("foo:1|x").reasons == [.malformed])
    #expect(statsd("foo:1|cc").reasons == [.malformed])
    #expect(statsd("foo:abc|c").reasons == [.badValue])
    #expect(statsd("foo:0x10|c").reasons == [.badValue])
    #expect(statsd("foo:1e400|c").reasons == [.badValue])
    #expect(statsd("foo:NaN|g").reasons == [.nonFinite])
    #expect(statsd("foo:inf|h").reasons == [.nonFinite])
    #expect(statsd("foo:1e3|c").samples.map(\.value) == [1000])
    #expect(statsd("foo:-3|c").samples.map(\.value) == [-3])
    #expect(statsd("foo:-3|h").samples.map(\.value) == [-3])
    #expect(statsd("foo:-3|d").samples.map(\.value) == [-3])
    #expect(statsd("foo:-3|ms").reasons == [.negativeDuration])
    #expect(statsd("foo:.5|ms").samples.map(\.value) == [0.5])
    #expect(statsd("foo:1|s").samples.map(\.value) == [1])
    #expect(statsd("foo:|s").reasons == [.missingValue])
  }

  @Test func sectionsInAnyOrderAndUnknownOnesSkipped() {
    let expected = [WeightedSample(key("a", [("env", "prod")]), 1, weight: 2)]
    #expect(statsd("a:1|c|@0.5|#env:prod").samples == expected)
    #expect(statsd("a:1|c|#env:prod|@0.5").samples == expected)
    #expect(
      statsd("a:1|c|c:83c0a99c0a54c0c187f461c7980e9b57f3f6a8b0|#env:prod|@0.5").samples == expected)
    #expect(statsd("a:1|c||x|#env:prod|@0.5|").samples == expected)
  }

  @Test func tags() {
    #expect(statsd("a:1|c|#canary").samples.map(\.key) == [key("a", [("canary", "true")])])
    #expect(statsd("a:1|c|#k:,:v,,x:1").samples.map(\.key) == [key("a", [("x", "1")])])
    #expect(
      statsd("a:1|c|#url:http://x.test/a").samples.map(\.key)
        == [key("a", [("url", "http://x.test/a")])])
    #expect(statsd("a:1|c|#k:1,k:2").samples.map(\.key) == [key("a", [("k", "2")])])
    #expect(statsd("a:1|c|#k:é").samples.map(\.key) == [key("a", [("k", "é")])])
    // Tag order does not make another series.
    #expect(
      statsd("a:1|c|#x:1,y:2").samples.map(\.key) == statsd("a:1|c|#y:2,x:1").samples.map(\.key))
    #expect(statsd("a:1|c|#k:\u{01}").reasons == [.malformed])
  }

  @Test func framingOfDatagrams() {
    let r = statsd("a:1|c\r\nb:2|c\r\n", "\n", "", "  c:3|c  \n\nd:4|c\n")
    #expect(r.issues.isEmpty)
    #expect(r.samples.map(\.key) == [key("a"), key("b"), key("c"), key("d")])
  }

  @Test func aBadLineRejectsOnlyItself() {
    let r = statsd("ok:1|c\nbad:x|c\nalso.ok:2|g")
    #expect(r.samples.map(\.key) == [key("ok"), key("also.ok")])
    #expect(r.reasons == [.badValue])
    #expect(r.issues.first?.excerpt == "bad:x|c")
    #expect(r.issues.first?.line == 1)
    let bytes = Array("ok:1|c\nbad\u{FF}:1|c\n".utf8) + [0xFF] + Array(":1|c\nz:1|c".utf8)
    var p = StatsDParser()
    let u = run(&p, [Array("ok:1|c\n".utf8) + [0xC3, 0x28] + Array(":1|c\nz:1|c".utf8), bytes])
    #expect(u.reasons == [.invalidUTF8, .invalidUTF8])
    #expect(u.samples.map(\.key) == [key("ok"), key("z"), key("ok"), key("bad"), key("z")])
    #expect(u.issues.map(\.line) == [1, 2])
  }

  @Test func sets() {
    let t0 = Timestamp(nanoseconds: 1_795_694_400 * Nanos.second)
    var p = StatsDParser()
    let first = run(&p, ["u:alice|s", "u:bob|s", "u:alice|s", "v:alice|s"], arrival: t0)
    #expect(first.samples.map(\.value) == [1, 1, 0, 1])
    // The next 10 s interval starts afresh.
    let later = run(&p, ["u:alice|s"], arrival: t0.adding(9 * Nanos.second))
    #expect(later.samples.map(\.value) == [0])
    let next = run(&p, ["u:alice|s", "u:alice|s"], arrival: t0.adding(10 * Nanos.second))
    #expect(next.samples.map(\.value) == [1, 0])
  }

  @Test func dogStatsDTimestampsEventsAndServiceChecks() {
    let noon: Int64 = 1_714_564_800
    #expect(
      statsd("a:1|c|T\(noon)").samples == [WeightedSample(key("a"), 1, ns: noon * Nanos.second)])
    #expect(statsd("a:1|c|Tsoon").reasons == [.badTimestamp])
    #expect(statsd("a:1|c|T").reasons == [.badTimestamp])
    #expect(statsd("_e{5,4}:title|text|#env:prod").reasons == [.malformed])
    #expect(statsd("_sc|redis.can_connect|0").reasons == [.malformed])
  }

  @Test func seriesLimit() {
    var p = StatsDParser()
    var sink = ParseSink(interner: SeriesInterner(maxSeries: 1))
    Array("a:1|c\nb:1|g\na:2|c".utf8).withUnsafeBytes {
      p.parse($0, line: 7, arrival: testArrival, into: &sink)
    }
    #expect(sink.samples.map(\.value) == [1, 2])
    #expect(sink.issues.map(\.reason) == [.seriesLimit])
    #expect(sink.issues.map(\.line) == [7])
  }

  @Test func reachableThroughParsers() {
    var p = Parsers.make(.statsd, mapping: FieldMapping())
    let r = run(&p, ["a:1|c|@0.5"])
    #expect(r.samples == [WeightedSample(key("a"), 1, weight: 2)])
    #expect(FeedFormat(rawValue: "statsd") == .statsd)
  }
}

@Suite struct StatsDHostileTests {
  private static let seeds = [
    "users.online:1|c|@0.5|#country:china,env:prod",
    "a:1|c\nb:320|ms|@0.1\ng:-3|g\nu:765|s",
    "n:1:2:3|d|#k:v|T1714564800",
  ]

  /// Random mutations never trap; every non-blank line gives samples or one issue, and every
  /// issue names the datagram and has a detail.
  @Test func mutatedDatagrams() {
    var rng = SplitMix64(seed: 17)
    var p = StatsDParser()
    var sink = ParseSink(interner: SeriesInterner(maxSeries: 300))
    var samples = 0
    var issues = 0
    for k in 0..<8_000 {
      var bytes = Array(Self.seeds[k % Self.seeds.count].utf8)
      for _ in 0..<(1 + rng.next() % 4) {
        let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 4 {
        case 0 where !bytes.isEmpty: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        case 1:
          let pick: [[UInt8]] = [[0x7C], [0x3A], [0x40], [0x23], [0x2C], [0x0A], [0xFF], [0x00]]
          bytes.insert(contentsOf: pick[Int(rng.next() % 8)], at: at)
        case 2 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + 3))
        default: bytes = Array(bytes.prefix(at))
        }
      }
      let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).filter {
        $0.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
      }.count
      let before = (sink.samples.count, sink.issues.count)
      bytes.withUnsafeBytes { p.parse($0, line: k + 1, arrival: testArrival, into: &sink) }
      let madeIssues = sink.issues.count - before.1
      let madeSamples = sink.samples.count - before.0
      #expect(madeIssues <= lines)
      #expect(madeIssues + madeSamples >= lines)
      for issue in sink.issues[before.1...] {
        #expect(issue.line == k + 1)
        #expect(!issue.detail.isEmpty)
      }
      samples += madeSamples
      issues += madeIssues
    }
    #expect(samples > 1_000)
    #expect(issues > 1_000)
  }

  @Test func largeAndRandomDatagrams() {
    var p = StatsDParser()
    // 64 KiB of small lines: every one counts.
    let line = "k.a:1|c|#t:v\n"
    let count = 65_536 / line.utf8.count
    let big = statsd(String(repeating: line, count: count))
    #expect(big.samples.count == count)
    #expect(big.issues.isEmpty)
    // One 64 KiB line: a long name and a long tag are fine; garbage is one issue.
    let name = String(repeating: "n", count: 40_000)
    #expect(statsd("\(name):1|c|#t:\(String(repeating: "v", count: 25_000))").samples.count == 1)
    #expect(statsd(String(repeating: "|", count: 65_536)).reasons == [.malformed])
    var rng = SplitMix64(seed: 3)
    var sink = ParseSink()
    for k in 0..<2_000 {
      let n = Int(rng.next() % 600)
      let bytes = (0..<n).map { _ in
        UInt8(truncatingIfNeeded: rng.next() % 4 == 0 ? 0x0A : rng.next())
      }
      bytes.withUnsafeBytes { p.parse($0, line: k + 1, arrival: testArrival, into: &sink) }
    }
    #expect(sink.issues.allSatisfy { !$0.detail.isEmpty && $0.excerpt.count <= 121 })
  }
}
