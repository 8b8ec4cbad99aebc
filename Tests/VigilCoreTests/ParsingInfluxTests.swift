import Testing
import VigilDemo
import VigilTestSupport

@testable import VigilCore

/// A fresh InfluxDB line parser over `records`.
private func influx(_ records: String..., unit: TimeUnit? = nil) -> WeightedResult {
  var p = InfluxLineParser(timeUnit: unit)
  return run(&p, records)
}

@Suite struct InfluxVectorTests {
  @Test func f16Escapes() throws {
    let line = #"my\ Measurement,tag\ Key1=tag\ Value1 fieldKey=100"#
    let point = try #require(InfluxLineParser.point(line))
    #expect(point.measurement == "my Measurement")
    #expect(point.tags.map { [$0.0, $0.1] } == [["tag Key1", "tag Value1"]])
    #expect(point.fields.map(\.0) == ["fieldKey"])
    #expect(point.fields.map(\.1) == [.float(100)])
    #expect(point.timestamp == nil)
    #expect(
      influx(line).samples
        == [WeightedSample(key("my Measurement_fieldKey", [("tag Key1", "tag Value1")]), 100)])
  }

  @Test func f17FieldTypes() {
    #expect(InfluxLineParser.point("m f=1i")?.fields.map(\.1) == [.integer(1)])
    #expect(InfluxLineParser.point("m f=1u")?.fields.map(\.1) == [.unsigned(1)])
    #expect(InfluxLineParser.point("m f=1")?.fields.map(\.1) == [.float(1)])
    #expect(InfluxLineParser.point("m f=t")?.fields.map(\.1) == [.boolean(true)])
    #expect(InfluxLineParser.point(#"m f="t""#)?.fields.map(\.1) == [.string("t")])
    // As samples: numbers and booleans (1/0); the string is skipped, not rejected.
    let r = influx("m f=1i", "m f=1u", "m f=1", "m f=t", #"m f="t""#, "m f=FALSE")
    #expect(r.samples.map(\.value) == [1, 1, 1, 1, 0])
    #expect(r.samples.allSatisfy { $0.key == key("m_f") })
    #expect(r.issues.isEmpty)
    #expect(r.skipped == 1)
    for word in ["t", "T", "true", "True", "TRUE"] {
      #expect(InfluxLineParser.point("m f=\(word)")?.fields.map(\.1) == [.boolean(true)])
    }
    for word in ["f", "F", "false", "False", "FALSE"] {
      #expect(InfluxLineParser.point("m f=\(word)")?.fields.map(\.1) == [.boolean(false)])
    }
    #expect(influx("m f=tRUE").reasons == [.badValue])
  }

  /// F18: the same measurement, tags and time twice. Each field is its own series, so the
  /// union is natural; within the store the later value is `last` (see DECISIONS).
  @Test func f18SamePointTwice() {
    var p = InfluxLineParser()
    var sink = ParseSink()
    for (i, line) in ["m a=1 100", "m b=2,a=3 100"].enumerated() {
      Array(line.utf8).withUnsafeBytes {
        p.parse($0, line: i + 1, arrival: testArrival, into: &sink)
      }
    }
    #expect(sink.issues.isEmpty)
    #expect(sink.samples.map(\.timestamp.nanoseconds) == [100, 100, 100])
    var store = MetricStore()
    let now = Timestamp(nanoseconds: 100)
    for s in sink.samples { #expect(store.ingest(s, now: now) == .accepted) }
    let a = sink.interner.lookup(key("m_a"))!
    let b = sink.interner.lookup(key("m_b"))!
    #expect(store.stats(a, window: Nanos.minute, at: now).last == 3)
    #expect(store.stats(b, window: Nanos.minute, at: now).last == 2)
    // Within one line, a repeated field: the last wins.
    #expect(influx("m a=1,a=2 100").samples.map(\.value) == [2])
  }

  @Test func f19NoTimestampTakesTheArrivalTime() {
    #expect(influx("m f=1").samples.map(\.ns) == [testArrival.nanoseconds])
    #expect(influx("m f=1 ").samples.map(\.ns) == [testArrival.nanoseconds])
  }

  @Test func f20StringFieldEscapes() {
    let point = InfluxLineParser.point(#"m s="a \"q\" \\ b""#)
    #expect(point?.fields.map(\.1) == [.string(#"a "q" \ b"#)])
    // Other escapes in a string stay as written; commas and spaces are part of the string.
    #expect(
      InfluxLineParser.point(#"m s="a\nb, c=d",n=1"#)?.fields.map(\.1)
        == [.string(#"a\nb, c=d"#), .float(1)])
  }
}

@Suite struct InfluxGrammarTests {
  @Test func backslashRunsAndLiteralQuotes() {
    #expect(InfluxLineParser.point(#"a\b f=1"#)?.measurement == #"a\b"#)
    #expect(InfluxLineParser.point(#"a\\b f=1"#)?.measurement == #"a\b"#)
    #expect(InfluxLineParser.point(#"a\\\b f=1"#)?.measurement == #"a\\b"#)
    #expect(InfluxLineParser.point(#"a\\\\b f=1"#)?.measurement == #"a\\b"#)
    #expect(InfluxLineParser.point(#"a\\\\\b f=1"#)?.measurement == #"a\\\b"#)
    #expect(InfluxLineParser.point(#"a\,b\ c\=d f=1"#)?.measurement == #"a,b c\=d"#)
    let p = InfluxLineParser.point(#""m",k\=1=v\,2\ x,q="v" f\ x\,y\=z=1"#)
    #expect(p?.measurement == #""m""#)
    #expect(p?.tags.map { [$0.0, $0.1] } == [["k=1", "v,2 x"], ["q", #""v""#]])
    #expect(p?.fields.map(\.0) == ["f x,y=z"])
  }

  @Test func seriesNames() {
    #expect(influx("cpu value=5").samples.map(\.key) == [key("cpu")])
    #expect(
      influx("cpu,host=a usage=5,idle=3i").samples.map(\.key)
        == [key("cpu_usage", [("host", "a")]), key("cpu_idle", [("host", "a")])])
  }

  @Test func timestamps() {
    let noon: Int64 = 1_714_564_800
    #expect(influx("m f=1 \(noon)000000000").samples.map(\.ns) == [noon * Nanos.second])
    #expect(influx("m f=1 \(noon)", unit: .s).samples.map(\.ns) == [noon * Nanos.second])
    #expect(
      influx("m f=1 \(noon)123", unit: .ms).samples.map(\.ns) == [noon * Nanos.second + 123_000_000]
    )
    #expect(influx("m f=1 -5").samples.map(\.ns) == [-5])
    #expect(influx("m f=1 99999999999999999999").reasons == [.badTimestamp])
    #expect(influx("m f=1 \(noon)000", unit: .s).reasons == [.badTimestamp])
    #expect(influx("m f=1 abc").reasons == [.badTimestamp])
    #expect(influx("m f=1 1.5").reasons == [.badTimestamp])
    #expect(influx("m f=1 1 2").reasons == [.badTimestamp])
  }

  @Test func commentsBlankLinesAndCRLF() {
    let r = influx("# a comment", "", "   ", "m f=1\r", "  # indented comment")
    #expect(r.issues.isEmpty)
    #expect(r.samples.count == 1)
  }

  @Test(arguments: [
    ("m", RejectReason.malformed), ("m,t=1", .malformed), ("m ", .malformed),
    ("m f", .malformed), ("m =1", .malformed), ("m,t= f=1", .malformed), ("m,t f=1", .malformed),
    ("m,=v f=1", .malformed), (",t=1 f=1", .missingMetric), (" ,t=1 f=1", .missingMetric),
    ("_m f=1", .malformed), ("m,_t=1 f=1", .malformed), ("m _f=1", .malformed),
    ("m f=", .missingValue), ("m f=1,", .malformed), ("m f=abc", .badValue),
    ("m f=1.5i", .badValue), ("m f=-1u", .badValue), ("m f=9223372036854775808i", .badValue),
    ("m f=18446744073709551616u", .badValue), ("m f=NaN", .nonFinite), ("m f=1e400", .badValue),
    (#"m f="unterminated"#, .malformed), (#"m f="a"x"#, .malformed),
    ("http latency_ms=-5", .negativeDuration), ("m f=1,g=\u{01}x", .badValue),
  ])
  func rejectedLines(_ line: String, _ reason: RejectReason) {
    let r = influx(line)
    #expect(r.reasons == [reason], "\(line): \(r.issues.map(\.detail))")
    #expect(r.samples.isEmpty)
  }

  @Test func integerBounds() {
    #expect(
      InfluxLineParser.point("m f=-9223372036854775808i")?.fields.map(\.1) == [.integer(.min)])
    #expect(
      InfluxLineParser.point("m f=18446744073709551615u")?.fields.map(\.1) == [.unsigned(.max)])
  }

  @Test func aBadFieldRejectsTheWholeLine() {
    let r = influx("m a=1,b=x,c=2")
    #expect(r.samples.isEmpty)
    #expect(r.reasons == [.badValue])
    // A negative duration found after other fields took their series: no sample is left.
    let d = influx("m a=1,wait_ms=-1")
    #expect(d.samples.isEmpty)
    #expect(d.reasons == [.negativeDuration])
  }

  @Test func datagramsAndInvalidUTF8() {
    var p = InfluxLineParser()
    let good = Array("m f=1\nm g=2".utf8)
    let mixed = Array("m f=1\nm,t=".utf8) + [0xFF] + Array(" f=1\nm f=x\n".utf8)
    let r = run(&p, [good, mixed])
    #expect(r.samples.map(\.key) == [key("m_f"), key("m_g"), key("m_f")])
    #expect(r.reasons == [.invalidUTF8, .badValue])
    #expect(r.issues.map(\.line) == [2, 2])
  }

  @Test func labelsWithControlBytesAndSeriesLimit() {
    #expect(influx("m,t=a\u{02}b f=1").reasons == [.malformed])
    var p = InfluxLineParser()
    var sink = ParseSink(interner: SeriesInterner(maxSeries: 1))
    Array("m a=1,b=2".utf8).withUnsafeBytes {
      p.parse($0, line: 1, arrival: testArrival, into: &sink)
    }
    #expect(sink.samples.isEmpty)
    #expect(sink.issues.map(\.reason) == [.seriesLimit])
  }

  @Test func reachableThroughParsers() {
    var p = Parsers.make(.influx, mapping: FieldMapping(), timeUnit: .s)
    let r = run(&p, ["m f=1 10"])
    #expect(r.samples == [WeightedSample(key("m_f"), 1, ns: 10 * Nanos.second)])
    #expect(FeedFormat(rawValue: "influx") == .influx)
  }

  /// Random mutations never trap; every non-blank, non-comment line gives samples, a skip or
  /// one issue.
  @Test func mutatedLines() {
    let seeds = [
      #"my\ Measurement,tag\ Key1=tag\ Value1 fieldKey=100,i=3i,u=4u,b=t,s="a \"q\" \\ b" 1714564800000000000"#,
      "cpu,host=a,region=eu usage=0.5 1714564800000000000\ncpu value=1",
    ]
    var rng = SplitMix64(seed: 23)
    var p = InfluxLineParser()
    var sink = ParseSink(interner: SeriesInterner(maxSeries: 300))
    var issues = 0
    var samples = 0
    for k in 0..<8_000 {
      var bytes = Array(seeds[k % seeds.count].utf8)
      for _ in 0..<(1 + rng.next() % 4) {
        let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 4 {
        case 0 where !bytes.isEmpty: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        case 1:
          let pick: [[UInt8]] = [[0x5C], [0x2C], [0x3D], [0x20], [0x22], [0x0A], [0xFF], [0x23]]
          bytes.insert(contentsOf: pick[Int(rng.next() % 8)], at: at)
        case 2 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + 3))
        default: bytes = Array(bytes.prefix(at))
        }
      }
      let before = (sink.samples.count, sink.issues.count, sink.skipped)
      bytes.withUnsafeBytes { p.parse($0, line: k + 1, arrival: testArrival, into: &sink) }
      let lines = bytes.split(separator: 0x0A).filter {
        guard let first = $0.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else {
          return false
        }
        return first != UInt8(ascii: "#")
      }.count
      let madeIssues = sink.issues.count - before.1
      let madeOther = sink.samples.count - before.0 + sink.skipped - before.2
      #expect(madeIssues <= lines)
      #expect(madeIssues + madeOther >= lines)
      issues += madeIssues
      samples += sink.samples.count - before.0
    }
    #expect(issues > 1_000)
    #expect(samples > 1_000)
  }

  @Test func longLines() {
    let name = String(repeating: "m", count: 30_000)
    let r = influx("\(name),t=\(String(repeating: "v", count: 30_000)) f=1")
    #expect(r.samples.count == 1)
    let manyFields = (0..<5_000).map { "f\($0)=\($0)" }.joined(separator: ",")
    #expect(influx("m " + manyFields).samples.count == 5_000)
    #expect(influx(String(repeating: "\\", count: 65_536)).reasons == [.malformed])
  }
}

@Suite struct InfluxDemoTests {
  /// The demo incident written as line protocol parses to exactly the samples of its JSON
  /// lines: same series, timestamps and values.
  @Test func demoAsInfluxEqualsDemoAsJSON() {
    let scenario = DemoScenario(seed: 42, rateScale: 0.2)
    let start = Timestamp.seconds(1_795_687_200)
    var json = Parsers.make(.json, mapping: FieldMapping())
    var line = Parsers.make(.influx, mapping: FieldMapping())
    var a = ParseSink()
    var b = ParseSink()
    var count = 0
    for s in 280..<340 {
      for e in scenario.events(second: s) {
        count += 1
        for (format, parser) in [(FeedFormat.json, 0), (.influx, 1)] {
          let text = Array(DemoFormatter.line(e, start: start, format: format).utf8)
          text.withUnsafeBytes {
            if parser == 0 {
              json.parse($0, line: count, arrival: testArrival, into: &a)
            } else {
              line.parse($0, line: count, arrival: testArrival, into: &b)
            }
          }
        }
      }
    }
    #expect(count > 500)
    #expect(a.issues.isEmpty && b.issues.isEmpty)
    #expect(a.samples.count == count)
    #expect(a.samples.count == b.samples.count)
    // JSON carries milliseconds, line protocol the generator's nanoseconds.
    let mismatch = zip(a.samples, b.samples).first { x, y in
      a.interner.key(x.series) != b.interner.key(y.series) || x.value != y.value
        || abs(x.timestamp.nanoseconds - y.timestamp.nanoseconds) >= Nanos.millisecond
    }
    #expect(mismatch == nil, "\(String(describing: mismatch))")
  }
}
