import Testing
import VigilTestSupport

@testable import VigilCore

/// Bad and hostile requests: each is refused whole with exactly one issue, makes no sample,
/// and leaves the parser's state and the interner as they were.
@Suite struct OTLPHostileTests {
  /// A harness that already holds one counter's baseline (so a touched state would show).
  func primed(_ encoding: OTLPParser.Encoding) -> OTLPHarness {
    var h = OTLPHarness(encoding)
    _ = h.parse(otlpSum(10, time: otlpTime(1)))
    return h
  }

  /// Parses `bytes` and checks the request was refused whole, untouched.
  func expectRefused(
    _ bytes: [UInt8], _ encoding: OTLPParser.Encoding, _ what: String,
    reason: RejectReason = .malformed, containing text: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var h = primed(encoding)
    let series = h.sink.interner.count
    let tracked = h.parser.trackedSeries
    let step = h.parse(bytes)
    #expect(step.issues.count == 1, "\(what)", sourceLocation: sourceLocation)
    #expect(step.issues.first?.reason == reason, "\(what)", sourceLocation: sourceLocation)
    #expect(step.samples.isEmpty, "\(what)", sourceLocation: sourceLocation)
    #expect(step.outcome.requestRejected, "\(what)", sourceLocation: sourceLocation)
    #expect(step.outcome.acceptedDataPoints == 0, sourceLocation: sourceLocation)
    #expect(step.outcome.errorMessage == step.issues.first?.detail, sourceLocation: sourceLocation)
    if let text {
      #expect(
        step.outcome.errorMessage.contains(text), "\(what): \(step.outcome.errorMessage)",
        sourceLocation: sourceLocation)
    }
    #expect(h.sink.interner.count == series, "\(what)", sourceLocation: sourceLocation)
    #expect(h.parser.trackedSeries == tracked, "\(what)", sourceLocation: sourceLocation)
    // The baseline is still the one from before: the next point differences against it.
    let next = h.parse(otlpSum(15, time: otlpTime(2)))
    #expect(next.values.map(\.1) == [5], "\(what)", sourceLocation: sourceLocation)
  }

  /// A valid request (gauge with attributes, a histogram) to cut and mutate.
  static let valid: [UInt8] = OTLPEncode.request(
    otlpRequest(
      [
        OTLPMetric(
          name: "g",
          data: .gauge([
            OTLPNumberPoint(
              attributes: [OTLPKeyValue("k", .array([.int(1), .string("x")]))],
              timeUnixNano: 5, value: .double(1))
          ])),
        OTLPMetric(
          name: "h",
          data: .histogram(
            OTLPHistogram(
              points: [
                OTLPHistogramPoint(
                  count: 3, sum: 1, bucketCounts: [1, 2], explicitBounds: [0.5])
              ], temporality: .delta))),
      ], resource: [OTLPKeyValue("service.name", .string("svc"))]))

  /// `ResourceMetrics { ScopeMetrics { Metric { name "m", gauge { point } } } }` around a
  /// data point's raw bytes.
  static func wrapPoint(_ point: [UInt8], kind: UInt32 = 5) -> [UInt8] {
    var data = PB()
    data.bytesField(1, point)
    if kind == 7 || kind == 9 { data.varint(2, 1) }
    var metric = PB()
    metric.string(1, "m")
    metric.message(kind, data)
    var scope = PB()
    scope.message(2, metric)
    var rm = PB()
    rm.message(2, scope)
    var req = PB()
    req.message(1, rm)
    return req.bytes
  }

  @Test func truncatedProtobufAtEveryLength() {
    // Every proper prefix that ends inside a field is refused; none traps.
    var refused = 0
    for n in 0..<Self.valid.count {
      var h = OTLPHarness()
      let step = h.parse(Array(Self.valid[0..<n]))
      #expect(step.issues.count <= 1)
      if step.outcome.requestRejected {
        refused += 1
        #expect(step.samples.isEmpty)
      }
    }
    #expect(refused > Self.valid.count / 2)
  }

  @Test func malformedWireData() {
    let cases: [(String, [UInt8], String)] = [
      ("a truncated varint tag", [0x80], "ends inside"),
      // Field 2 is unknown in the request: its varint is read to be skipped.
      ("a truncated varint value", [0x10, 0xFF, 0xFF], "ends inside"),
      ("an 11-byte varint", [0x10] + Array(repeating: 0xFF, count: 10) + [0x01], "64 bits"),
      (
        "a 10-byte varint past 64 bits", [0x10] + Array(repeating: 0xFF, count: 9) + [0x7F],
        "64 bits"
      ),
      (
        "an 11-byte varint flags", Self.wrapPoint([0x40] + Array(repeating: 0x80, count: 10) + [0]),
        "64 bits"
      ),
      ("a length past the end", [0x0A, 0x05, 0x00], "ends inside"),
      ("a huge declared length", [0x0A] + PB.varint(UInt64.max), "ends inside"),
      ("a length just past 2^31", [0x0A] + PB.varint(1 << 31), "ends inside"),
      ("a start group", [0x0B, 0x0C], "group"),
      ("an end group", [0x0C], "group"),
      ("wire type 6", [0x0E], "wire type 6"),
      ("wire type 7", [0x0F, 0x00], "wire type 7"),
      ("field number 0", [0x00, 0x00], "field number"),
      ("resource_metrics as a varint", [0x08, 0x01], "field 1 has wire type 0"),
      ("resource_metrics as fixed64", [0x09] + Array(repeating: 0, count: 8), "wire type 1"),
      ("resource_metrics as fixed32", [0x0D, 0, 0, 0, 0], "wire type 5"),
      ("a group inside a data point", Self.wrapPoint([0x53, 0x54]), "group"),
      (
        "a metric name as a varint", [0x0A, 0x06, 0x12, 0x04, 0x12, 0x02, 0x08, 0x01],
        "field 1 has wire type 0"
      ),
      (
        "a metric name that is not UTF-8", [0x0A, 0x07, 0x12, 0x05, 0x12, 0x03, 0x0A, 0x01, 0xFF],
        "UTF-8"
      ),
      ("a time_unix_nano as a varint", Self.wrapPoint([0x18, 0x01]), "field 3 has wire type 0"),
      ("a double cut short", Self.wrapPoint([0x21, 0, 0, 0]), "ends inside"),
      (
        "packed fixed64 bucket counts of 12 bytes",
        Self.wrapPoint([0x32, 12] + Array(repeating: 1, count: 12), kind: 9), "packed"
      ),
      (
        "packed explicit bounds of 7 bytes",
        Self.wrapPoint([0x3A, 7] + Array(repeating: 0, count: 7), kind: 9), "packed"
      ),
      (
        "a packed varint cut by its run",
        Self.wrapPoint([0x42, 0x04, 0x12, 0x02, 0x01, 0x80], kind: 10), "packed"
      ),
      ("a key-value as a fixed32", Self.wrapPoint([0x3D, 0, 0, 0, 0]), "field 7 has wire type 5"),
    ]
    for (what, bytes, text) in cases {
      expectRefused(bytes, .protobuf, what, containing: text)
    }
  }

  @Test func deepNestingIsRefused() {
    // AnyValue arrays nested 17 deep in protobuf.
    var value = PB()
    value.string(1, "leaf")
    for _ in 0...OTLPLimits.maxValueDepth {
      var array = PB()
      array.message(1, value)
      var outer = PB()
      outer.message(5, array)
      value = outer
    }
    var kv = PB()
    kv.string(1, "k")
    kv.message(2, value)
    var point = PB()
    point.message(7, kv)
    expectRefused(Self.wrapPoint(point.bytes), .protobuf, "deep AnyValue", containing: "deeper")
    // 16 deep is fine.
    var ok = PB()
    ok.string(1, "leaf")
    for _ in 0..<OTLPLimits.maxValueDepth {
      var array = PB()
      array.message(1, ok)
      var outer = PB()
      outer.message(5, array)
      ok = outer
    }
    var kv2 = PB()
    kv2.string(1, "k")
    kv2.message(2, ok)
    var point2 = PB()
    point2.message(7, kv2)
    point2.double(4, 1)
    var h = OTLPHarness()
    #expect(h.parse(Self.wrapPoint(point2.bytes)).issues.isEmpty)

    // JSON: the same value nesting, and plain deep JSON in an unknown member.
    var json = "{\"stringValue\":\"leaf\"}"
    for _ in 0...OTLPLimits.maxValueDepth { json = "{\"arrayValue\":{\"values\":[\(json)]}}" }
    let request =
      "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"m\",\"gauge\":"
      + "{\"dataPoints\":[{\"asDouble\":1,\"attributes\":[{\"key\":\"k\",\"value\":\(json)}]}]}}]}]}]}"
    expectRefused(Array(request.utf8), .json, "deep JSON AnyValue", containing: "deeper")
    // 16 deep is fine in JSON too (the JSON depth limit leaves room for it).
    var okJSON = "{\"stringValue\":\"leaf\"}"
    for _ in 0..<OTLPLimits.maxValueDepth {
      okJSON = "{\"arrayValue\":{\"values\":[\(okJSON)]}}"
    }
    let okRequest =
      "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"m\",\"gauge\":"
      + "{\"dataPoints\":[{\"asDouble\":1,\"attributes\":[{\"key\":\"k\",\"value\":\(okJSON)}]}]}}]}]}]}"
    var j = OTLPHarness(.json)
    #expect(j.parse(json: okRequest).issues.isEmpty)
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    expectRefused(
      Array("{\"unknown\":\(deep),\"resourceMetrics\":[]}".utf8), .json, "deep unknown JSON",
      containing: "deeper")
  }

  @Test func limitsRefuseTheWholeRequest() {
    // More attributes than a point may have.
    var point = PB()
    for k in 0...OTLPLimits.maxPointAttributes {
      point.message(7, OTLPEncode.keyValue(OTLPKeyValue("a\(k)", .int(1))))
    }
    expectRefused(Self.wrapPoint(point.bytes), .protobuf, "129 attributes", containing: "128")
    // A key and a label value over their lengths.
    let longKey = OTLPNumberPoint(
      attributes: [OTLPKeyValue(String(repeating: "k", count: 1_025), .int(1))])
    expectRefused(
      Self.wrapPoint(OTLPEncode.numberPoint(longKey).bytes), .protobuf, "long key",
      containing: "key is longer")
    let longValue = OTLPNumberPoint(
      attributes: [OTLPKeyValue("k", .array(Array(repeating: .int(12345), count: 1_000)))])
    expectRefused(
      Self.wrapPoint(OTLPEncode.numberPoint(longValue).bytes), .protobuf, "long value",
      containing: "label text")
    let longName = OTLPRequest(resourceMetrics: [
      OTLPResourceMetrics(scopeMetrics: [
        OTLPScopeMetrics(metrics: [
          OTLPMetric(
            name: String(repeating: "n", count: 1_025),
            data: .gauge([OTLPNumberPoint(value: .double(1))]))
        ])
      ])
    ])
    expectRefused(OTLPEncode.request(longName), .protobuf, "long name", containing: "name")
    // A service.name too long to be a label; a long resource attribute that is dropped is fine.
    let longService = otlpRequest(
      [OTLPMetric(name: "g", data: .gauge([OTLPNumberPoint(value: .double(1))]))],
      resource: [OTLPKeyValue("service.name", .string(String(repeating: "s", count: 5_000)))])
    expectRefused(OTLPEncode.request(longService), .protobuf, "long service.name")
    var h = OTLPHarness()
    let longDropped = otlpRequest(
      [OTLPMetric(name: "g", data: .gauge([OTLPNumberPoint(value: .double(1))]))],
      resource: [
        OTLPKeyValue("process.command_line", .string(String(repeating: "c", count: 9_000)))
      ])
    #expect(h.parse(OTLPEncode.request(longDropped)).issues.isEmpty)
    // Too many buckets in one histogram, packed (one length check) and in JSON.
    var buckets = PB()
    buckets.packedVarints(2, Array(repeating: 1, count: OTLPLimits.maxBucketsPerHistogram + 1))
    var exp = PB()
    exp.message(8, buckets)
    expectRefused(
      Self.wrapPoint(exp.bytes, kind: 10), .protobuf, "4097 buckets", containing: "4096")
    let counts = Array(repeating: "1", count: OTLPLimits.maxBucketsPerHistogram + 1)
      .joined(separator: ",")
    let json =
      "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"h\",\"histogram\":"
      + "{\"dataPoints\":[{\"bucketCounts\":[\(counts)]}]}}]}]}]}"
    expectRefused(Array(json.utf8), .json, "4097 JSON buckets", containing: "4096")
    // Bounds count apart from buckets: 4,097 of them, and 200,001 over one request.
    var bounds = PB()
    bounds.packedFixed64(7, Array(repeating: 0, count: OTLPLimits.maxBucketsPerHistogram + 1))
    expectRefused(
      Self.wrapPoint(bounds.bytes, kind: 9), .protobuf, "4097 bounds", containing: "4096")
    var many = PB()
    for _ in 0..<50 {
      var point = PB()
      point.packedFixed64(7, Array(repeating: 0, count: 4_001))
      many.bytesField(1, point.bytes)
    }
    many.varint(2, 2)
    var metric = PB()
    metric.string(1, "h")
    metric.message(9, many)
    var scope = PB()
    scope.message(2, metric)
    var rm = PB()
    rm.message(2, scope)
    var req = PB()
    req.message(1, rm)
    expectRefused(req.bytes, .protobuf, "200,050 bounds", containing: "200000 bounds")
  }

  @Test func tooManyDataPointsOrValues() {
    // 200,001 empty data points: 2 bytes each in protobuf.
    var gauge = PB()
    for _ in 0...OTLPLimits.maxDataPoints { gauge.bytesField(1, []) }
    var metric = PB()
    metric.string(1, "m")
    metric.message(5, gauge)
    var scope = PB()
    scope.message(2, metric)
    var rm = PB()
    rm.message(2, scope)
    var req = PB()
    req.message(1, rm)
    expectRefused(req.bytes, .protobuf, "200,001 points", containing: "200000 data points")
    // A million and one empty array elements inside a dropped resource attribute.
    var array = PB()
    for _ in 0...OTLPLimits.maxValuesPerRequest { array.bytesField(1, []) }
    var value = PB()
    value.message(5, array)
    var kv = PB()
    kv.string(1, "x")
    kv.message(2, value)
    var resource = PB()
    resource.message(1, kv)
    var rm2 = PB()
    rm2.message(1, resource)
    var req2 = PB()
    req2.message(1, rm2)
    expectRefused(req2.bytes, .protobuf, "a million values", containing: "1000000")
  }

  @Test func jsonWithWrongTypes() {
    func request(point: String, kind: String = "gauge") -> [UInt8] {
      Array(
        ("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"m\",\"\(kind)\":"
          + "{\"dataPoints\":[\(point)]}}]}]}]}").utf8)
    }
    let cases: [(String, [UInt8], String)] = [
      ("not JSON", Array("{\"resourceMetrics\":[".utf8), "not an object"),
      ("an array at the top", Array("[]".utf8), "JSON object"),
      ("resourceMetrics an object", Array("{\"resourceMetrics\":{}}".utf8), "not an array"),
      (
        "scopeMetrics a string", Array("{\"resourceMetrics\":[{\"scopeMetrics\":\"x\"}]}".utf8),
        "not an array"
      ),
      (
        "a metric name a number",
        Array("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":1}]}]}]}".utf8),
        "not a string"
      ),
      ("asDouble an object", request(point: "{\"asDouble\":{}}"), "not a number"),
      ("asDouble a word", request(point: "{\"asDouble\":\"lots\"}"), "not a number"),
      ("asInt with a fraction", request(point: "{\"asInt\":\"1.5\"}"), "64-bit integer"),
      ("asInt past 64 bits", request(point: "{\"asInt\":\"9223372036854775808\"}"), "64-bit"),
      ("a negative time", request(point: "{\"timeUnixNano\":\"-1\"}"), "unsigned"),
      ("flags past 32 bits", request(point: "{\"flags\":4294967296}"), "32-bit"),
      ("attributes an object", request(point: "{\"attributes\":{}}"), "not an array"),
      (
        "an attribute value a string",
        request(point: "{\"attributes\":[{\"key\":\"k\",\"value\":\"v\"}]}"), "not an object"
      ),
      (
        "bytes not base64",
        request(point: "{\"attributes\":[{\"key\":\"k\",\"value\":{\"bytesValue\":\"*\"}}]}"),
        "base64"
      ),
      (
        "a temporality name unknown",
        request(point: "{}", kind: "sum\":{\"aggregationTemporality\":\"SOMETIMES\",\"x"),
        "temporality"
      ),
      (
        "isMonotonic a string",
        request(point: "{}", kind: "sum\":{\"isMonotonic\":\"yes\",\"x"), "boolean"
      ),
      (
        "bucketCounts of strings that are not numbers",
        request(point: "{\"bucketCounts\":[\"a\"]}", kind: "histogram"), "unsigned"
      ),
      (
        "a scale past 32 bits",
        request(point: "{\"scale\":2147483648}", kind: "exponentialHistogram"), "32-bit"
      ),
      ("trailing data", Array("{} {}".utf8), "after the value"),
      ("invalid UTF-8 in a string", [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], "UTF-8"),
    ]
    for (what, bytes, text) in cases {
      expectRefused(bytes, .json, what, containing: text)
    }
  }

  @Test func oversizedRequestsAreRefusedBeforeDecoding() {
    let big = [UInt8](repeating: 0x20, count: OTLPLimits.maxRequestBytes + 1)
    expectRefused(big + Array("{}".utf8), .json, "17 MiB of JSON", reason: .lineTooLong)
    expectRefused(big, .protobuf, "17 MiB of protobuf", reason: .lineTooLong)
  }

  @Test func randomMutationsNeverTrapAndGiveOneOutcome() {
    var rng = SplitMix64(seed: 99)
    let json = Array(otlpExampleMetricsJSON.utf8)
    let proto = OTLPEncode.request(otlpExampleMetrics)
    for round in 0..<2_000 {
      let encoding: OTLPParser.Encoding = round % 2 == 0 ? .json : .protobuf
      var bytes = encoding == .json ? json : proto
      for _ in 0..<(1 + Int(rng.next() % 4)) {
        let at = Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 3 {
        case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        case 1: bytes.remove(at: at)
        default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
        }
      }
      var h = OTLPHarness(encoding)
      let step = h.parse(bytes)
      let o = step.outcome
      if o.requestRejected {
        #expect(step.issues.count == 1 && step.samples.isEmpty)
      } else {
        #expect(step.issues.count == o.rejectedDataPoints)
        #expect(step.samples.allSatisfy { $0.value.isFinite && $0.weight >= 1 })
      }
    }
  }
}
