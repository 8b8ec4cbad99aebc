import Testing
import VigilCore
import VigilTestSupport

@Suite struct PrometheusAPIDecoderTests {
  func decode(_ body: String, status: Int = 200) -> (Result<String, PromAPIError>, [PromSeries]) {
    var series: [PromSeries] = []
    let r = PromAPIDecoder.decode(status: status, body: Array(body.utf8)) { series.append($0) }
    return (r, series)
  }

  @Test func vectorWithLabelsAndNameDropped() throws {
    let (r, series) = decode(
      #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a\"b","instance":"h:1"},"value":[1795709741.369,"1"]},{"metric":{},"value":[1795709741,"0.25"]}]}}"#
    )
    #expect(try r.get() == "vector")
    #expect(series.count == 2)
    #expect(series[0].labels == ["instance": "h:1", "job": "a\"b"])
    #expect(
      series[0].points == [
        PromPoint(time: Timestamp(nanoseconds: 1_795_709_741_369_000_000), value: 1)
      ])
    #expect(series[1].labels.isEmpty)
    #expect(series[1].points[0].value == 0.25)
  }

  /// F34: values are strings, including NaN and the infinities.
  @Test func valuesAreStringsIncludingNaNAndInfinities() {
    #expect(PromAPIDecoder.parseValue("NaN")?.isNaN == true)
    #expect(PromAPIDecoder.parseValue("+Inf") == .infinity)
    #expect(PromAPIDecoder.parseValue("-Inf") == -.infinity)
    #expect(PromAPIDecoder.parseValue("1e-7") == 1e-7)
    #expect(PromAPIDecoder.parseValue("-0.5") == -0.5)
    #expect(PromAPIDecoder.parseValue("0x10") == nil)
    #expect(PromAPIDecoder.parseValue("") == nil)
    let (r, series) = decode(
      #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"q":"a"},"value":[10,"NaN"]},{"metric":{"q":"b"},"value":[10,"+Inf"]},{"metric":{"q":"c"},"value":[10,"-Inf"]}]}}"#
    )
    #expect((try? r.get()) == "vector")
    #expect(series.map { $0.points[0].value.isNaN } == [true, false, false])
    #expect(series[1].points[0].value == .infinity)
    #expect(series[2].points[0].value == -.infinity)
    // A JSON number where the API writes a string is not the API's shape.
    let (bad, _) = decode(
      #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[10,1]}]}}"#
    )
    guard case .failure(let e) = bad else {
      Issue.record("a number value must be refused")
      return
    }
    #expect(e.description.contains("bad value"))
  }

  @Test func matrixAndScalar() throws {
    let (r, series) = decode(
      #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"le":"0.5"},"values":[[100,"1"],[115,"2"],[130,"3.5"]]}]},"warnings":["w"]}"#
    )
    #expect(try r.get() == "matrix")
    #expect(series.count == 1)
    #expect(series[0].points.map(\.value) == [1, 2, 3.5])
    #expect(series[0].points.map { $0.time.nanoseconds / Nanos.second } == [100, 115, 130])
    let (s, scalar) = decode(
      #"{"status":"success","data":{"resultType":"scalar","result":[1795722101.633,"+Inf"]}}"#)
    #expect(try s.get() == "scalar")
    #expect(
      scalar == [
        PromSeries(
          labels: LabelSet(),
          points: [
            PromPoint(time: Timestamp(nanoseconds: 1_795_722_101_633_000_000), value: .infinity)
          ])
      ])
  }

  @Test func errorsSayWhy() {
    let cases: [(String, Int, String)] = [
      (
        #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"}"#,
        400,
        #"HTTP 400: bad_data: invalid parameter "query": 1:5: parse error: unclosed left parenthesis"#
      ),
      (
        #"{"status":"error","errorType":"execution","error":"many-to-many matching not allowed"}"#,
        422, "HTTP 422: execution: many-to-many matching not allowed"
      ),
      (
        #"{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"#,
        503, "HTTP 503: timeout: query timed out in expression evaluation"
      ),
      ("<html>Service Unavailable</html>", 503, "HTTP 503"),
      (
        #"{"status":"error","errorType":"bad_data","error":"line\u001bbreak"}"#, 200,
        #"bad_data: line\x1bbreak"#
      ),
      (
        #"{"status":"success","data":{"resultType":"vector","result":[}"#, 200,
        "unexpected response: bad JSON at byte"
      ),
      (
        #"{"status":"success","data":{"resultType":"vector"}}"#, 200,
        "unexpected response: no data.resultType and data.result"
      ),
      (
        #"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#, 200,
        "a string, not numbers"
      ),
      (
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{}]}]}}"#,
        200, "native histograms"
      ),
      (
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"1"]}]}}"#,
        200, "label a is not a string"
      ),
      (
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1","1"]}]}}"#,
        200, "bad value"
      ),
      (#"{"data":{"resultType":"vector","result":[]}}"#, 200, "no \"status\":\"success\""),
      (
        #"{"status":"success","data":{"resultType":"vector","result":[]}} trailing"#, 200,
        "after the value"
      ),
      (#"[1,2]"#, 200, "expected an object"),
      (
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"\ud800"},"value":[1,"1"]}]}}"#,
        200, "surrogate"
      ),
    ]
    for (body, status, expected) in cases {
      let (r, _) = decode(body, status: status)
      guard case .failure(let e) = r else {
        Issue.record("should fail: \(body)")
        continue
      }
      #expect(e.description.contains(expected), "\(e.description)")
    }
  }

  @Test func resolutionLimitIsRecognised() {
    let (r, _) = decode(
      #"{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}"#,
      status: 400)
    guard case .failure(let e) = r else {
      Issue.record("an error body is an error")
      return
    }
    #expect(e.isResolutionLimit)
    #expect(
      !PromAPIError.api(httpStatus: 422, errorType: "execution", message: "x").isResolutionLimit)
  }

  @Test func timesAreExactAndStepsKeepTheServerLimit() {
    #expect(
      PromAPIDecoder.parseTime("1795709741.369")
        == Timestamp(nanoseconds: 1_795_709_741_369_000_000))
    #expect(PromAPIDecoder.parseTime("1795709741") == Timestamp.seconds(1_795_709_741))
    #expect(PromAPIDecoder.parseTime("0.000000001") == Timestamp(nanoseconds: 1))
    #expect(PromAPIDecoder.parseTime("-1.5") == Timestamp(nanoseconds: -1_500_000_000))
    for bad in ["", ".5", "1.", "1e9", "abc", "1.2.3", "99999999999999"] {
      #expect(PromAPIDecoder.parseTime(bad) == nil, "\(bad)")
    }
    #expect(PromAPIDecoder.formatSeconds(15 * Nanos.second) == "15")
    #expect(PromAPIDecoder.formatSeconds(500 * Nanos.millisecond) == "0.5")
    #expect(PromAPIDecoder.formatSeconds(1_795_709_741_369_000_000) == "1795709741.369")
    #expect(PromAPIDecoder.formatSeconds(1_000_000_007) == "1.000000007")
    for span in [Int64(0), Nanos.minute, 15 * Nanos.minute, Nanos.day, 400 * Nanos.day] {
      let step = PrometheusClient.minimumStep(span: span)
      #expect(step >= Nanos.millisecond && step % Nanos.millisecond == 0)
      #expect(span / step + 1 <= PrometheusClient.maxPointsPerSeries, "span \(span) step \(step)")
      if step > Nanos.millisecond {
        #expect(span / (step - Nanos.millisecond) + 1 > PrometheusClient.maxPointsPerSeries - 1)
      }
    }
  }

  /// Results become JSON lines the ordinary JSON parser turns back into the same samples.
  @Test func sampleLinesRoundTripThroughTheJSONParser() throws {
    let labels = LabelSet([
      ("path", #"C:\DIR\"x""#), ("msg", "a\nb\tc"), ("ü", "ß€"), ("ctl", "\u{7}"),
    ])
    let t = Timestamp(nanoseconds: 1_795_709_741_369_000_000)
    let values: [Double] = [0, -0.5, 1e-300, 12345.678, 1e21, .nan, .infinity, -.infinity]
    var parser = Parsers.make(.json, mapping: FieldMapping())
    var sink = ParseSink()
    for (i, v) in values.enumerated() {
      let line = PromSampleLines.line(
        metric: "fleet_value", labels: labels,
        point: PromPoint(time: t.adding(Int64(i)), value: v))
      line.withUnsafeBytes { parser.parse($0, line: i + 1, arrival: t, into: &sink) }
    }
    #expect(sink.samples.count == 5)
    for (s, v) in zip(sink.samples, values) {
      #expect(s.value == v)
      #expect(sink.interner.key(s.series) == SeriesKey("fleet_value", labels))
    }
    #expect(sink.samples.map(\.timestamp) == (0..<5).map { t.adding(Int64($0)) })
    #expect(sink.issues.map(\.reason) == [.nonFinite, .nonFinite, .nonFinite])
    #expect(sink.issues.map(\.line) == [6, 7, 8])
  }

  /// Hostile bodies: deep nesting, random bytes, cut-off and mutated responses end in an
  /// error or a result, never a crash.
  @Test func hostileBodiesNeverCrash() {
    let deep = String(repeating: "[", count: 100_000)
    guard
      case .failure(let e) = Result(catching: { () throws(JSONValue.ParseError) in
        try JSONValue.parse(deep)
      })
    else {
      Issue.record("deep nesting must fail")
      return
    }
    #expect(e.message.contains("nested deeper than 64"))
    let valid = Array(
      #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b\u00e9"},"values":[[1,"1"],[2,"NaN"]]}]}}"#
        .utf8)
    var rng = SplitMix64(seed: 11)
    var failures = 0
    for round in 0..<4000 {
      var body = valid
      switch round % 3 {
      case 0: body = Array(body.prefix(Int(rng.next() % UInt64(body.count))))
      case 1:
        for _ in 0..<(1 + Int(rng.next() % 3)) {
          body[Int(rng.next() % UInt64(body.count))] = UInt8(truncatingIfNeeded: rng.next())
        }
      default: body = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      }
      if case .failure = PromAPIDecoder.decode(status: 200, body: body, onSeries: { _ in }) {
        failures += 1
      }
    }
    #expect(failures > 2000)
  }
}
