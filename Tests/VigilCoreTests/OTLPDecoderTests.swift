import Testing

@testable import VigilCore

/// opentelemetry-proto's `examples/metrics.json` (commit ac2c4b5), the request its README
/// sends to a Collector, with its values as published; whitespace compacted.
let otlpExampleMetricsJSON = """
  {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"my.service"}}]},
  "scopeMetrics":[{"scope":{"name":"my.library","version":"1.0.0","attributes":[{"key":"my.scope.attribute",
  "value":{"stringValue":"some scope attribute"}}]},"metrics":[
  {"name":"my.counter","unit":"1","description":"I am a Counter","sum":{"aggregationTemporality":1,
  "isMonotonic":true,"dataPoints":[{"asDouble":5,"startTimeUnixNano":"1544712660300000000",
  "timeUnixNano":"1544712660300000000","attributes":[{"key":"my.counter.attr","value":{"stringValue":"some value"}}]}]}},
  {"name":"my.gauge","unit":"1","description":"I am a Gauge","gauge":{"dataPoints":[{"asDouble":10,
  "timeUnixNano":"1544712660300000000","attributes":[{"key":"my.gauge.attr","value":{"stringValue":"some value"}}]}]}},
  {"name":"my.histogram","unit":"1","description":"I am a Histogram","histogram":{"aggregationTemporality":1,
  "dataPoints":[{"startTimeUnixNano":"1544712660300000000","timeUnixNano":"1544712660300000000","count":"2",
  "sum":2,"bucketCounts":["1","1"],"explicitBounds":[1],"min":0,"max":2,"attributes":[{"key":"my.histogram.attr",
  "value":{"stringValue":"some value"}}]}]}},
  {"name":"my.exponential.histogram","unit":"1","description":"I am an Exponential Histogram",
  "exponentialHistogram":{"aggregationTemporality":1,"dataPoints":[{"startTimeUnixNano":"1544712660300000000",
  "timeUnixNano":"1544712660300000000","count":"3","sum":10,"scale":0,"zeroCount":"1",
  "positive":{"offset":1,"bucketCounts":["0","2"]},"min":0,"max":5,"zeroThreshold":0,
  "attributes":[{"key":"my.exponential.histogram.attr","value":{"stringValue":"some value"}}]}]}}]}]}]}
  """

/// The request `otlpExampleMetricsJSON` holds, written out as the model.
let otlpExampleMetrics: OTLPRequest = {
  let t: UInt64 = 1_544_712_660_300_000_000
  func attr(_ k: String) -> [OTLPKeyValue] { [OTLPKeyValue(k, .string("some value"))] }
  return OTLPRequest(resourceMetrics: [
    OTLPResourceMetrics(
      resource: [OTLPKeyValue("service.name", .string("my.service"))],
      scopeMetrics: [
        OTLPScopeMetrics(
          scope: OTLPScope(
            name: "my.library", version: "1.0.0",
            attributes: [OTLPKeyValue("my.scope.attribute", .string("some scope attribute"))]),
          metrics: [
            OTLPMetric(
              name: "my.counter", description: "I am a Counter", unit: "1",
              data: .sum(
                OTLPSum(
                  points: [
                    OTLPNumberPoint(
                      attributes: attr("my.counter.attr"), startTimeUnixNano: t,
                      timeUnixNano: t, value: .double(5))
                  ], temporality: .delta, isMonotonic: true))),
            OTLPMetric(
              name: "my.gauge", description: "I am a Gauge", unit: "1",
              data: .gauge([
                OTLPNumberPoint(
                  attributes: attr("my.gauge.attr"), timeUnixNano: t, value: .double(10))
              ])),
            OTLPMetric(
              name: "my.histogram", description: "I am a Histogram", unit: "1",
              data: .histogram(
                OTLPHistogram(
                  points: [
                    OTLPHistogramPoint(
                      attributes: attr("my.histogram.attr"), startTimeUnixNano: t,
                      timeUnixNano: t, count: 2, sum: 2, bucketCounts: [1, 1],
                      explicitBounds: [1], min: 0, max: 2)
                  ], temporality: .delta))),
            OTLPMetric(
              name: "my.exponential.histogram", description: "I am an Exponential Histogram",
              unit: "1",
              data: .exponentialHistogram(
                OTLPExponentialHistogram(
                  points: [
                    OTLPExponentialHistogramPoint(
                      attributes: attr("my.exponential.histogram.attr"), startTimeUnixNano: t,
                      timeUnixNano: t, count: 3, sum: 10, scale: 0, zeroCount: 1,
                      positive: OTLPBuckets(offset: 1, counts: [0, 2]), min: 0, max: 5)
                  ], temporality: .delta))),
          ])
      ])
  ])
}()

func decodeJSON(_ text: String) -> Result<OTLPRequest, JSONReadError> {
  OTLPJSONDecoder.decode(Array(text.utf8))
}

@Suite struct OTLPDecoderTests {
  @Test func theOfficialExampleDecodes() {
    #expect(decodeJSON(otlpExampleMetricsJSON) == .success(otlpExampleMetrics))
  }

  @Test func protobufAndJSONDecodeToTheSameModel() {
    let bytes = OTLPEncode.request(otlpExampleMetrics)
    #expect(OTLPProtobufDecoder.decode(bytes) == .success(otlpExampleMetrics))
  }

  @Test func everyKindOfPointRoundTripsThroughProtobuf() {
    let request = OTLPRequest(resourceMetrics: [
      OTLPResourceMetrics(
        resource: [
          OTLPKeyValue("service.name", .string("checkout")),
          OTLPKeyValue(
            "list",
            .array([
              .int(-3), .bool(true), .double(0.5), .bytes([0, 255]), .empty,
              .kvlist([OTLPKeyValue("k", .string("v"))]),
            ])),
        ],
        scopeMetrics: [
          OTLPScopeMetrics(metrics: [
            OTLPMetric(
              name: "s",
              data: .sum(
                OTLPSum(
                  points: [
                    OTLPNumberPoint(startTimeUnixNano: 1, timeUnixNano: 2, value: .int(-7)),
                    OTLPNumberPoint(timeUnixNano: 3, value: .double(.nan), flags: 1),
                  ], temporality: .cumulative, isMonotonic: true))),
            OTLPMetric(
              name: "e",
              data: .exponentialHistogram(
                OTLPExponentialHistogram(
                  points: [
                    OTLPExponentialHistogramPoint(
                      count: 9, sum: -1.5, scale: -3, zeroCount: 2,
                      positive: OTLPBuckets(offset: -5, counts: [1, 0, 3]),
                      negative: OTLPBuckets(offset: 7, counts: [3]), min: -20, max: 4,
                      zeroThreshold: 1e-9)
                  ], temporality: .cumulative))),
            OTLPMetric(
              name: "q",
              data: .summary([
                OTLPSummaryPoint(
                  count: 4, sum: 8,
                  quantileValues: [
                    OTLPQuantileValue(quantile: 0.5, value: 1),
                    OTLPQuantileValue(quantile: 1, value: 3),
                  ])
              ])),
          ])
        ])
    ])
    #expect(OTLPProtobufDecoder.decode(OTLPEncode.request(request)) == .success(request))
  }

  @Test func jsonAcceptsTheProtoNamesAndEnumNamesAndNumbersEitherWay() {
    let json = """
      {"resource_metrics":[{"scope_metrics":[{"metrics":[{"name":"c","sum":{
      "aggregation_temporality":"AGGREGATION_TEMPORALITY_CUMULATIVE","is_monotonic":true,
      "data_points":[{"as_int":"12","time_unix_nano":1000,"start_time_unix_nano":"5"},
      {"asInt":-4,"timeUnixNano":"2000","asDouble":"NaN"}]}}]}]}]}
      """
    let expected = OTLPRequest(resourceMetrics: [
      OTLPResourceMetrics(scopeMetrics: [
        OTLPScopeMetrics(metrics: [
          OTLPMetric(
            name: "c",
            data: .sum(
              OTLPSum(
                points: [
                  OTLPNumberPoint(startTimeUnixNano: 5, timeUnixNano: 1000, value: .int(12)),
                  // Of a oneof, the last member sent wins.
                  OTLPNumberPoint(timeUnixNano: 2000, value: .double(.nan)),
                ], temporality: .cumulative, isMonotonic: true)))
        ])
      ])
    ])
    #expect(decodeJSON(json) == .success(expected))
  }

  @Test func jsonDoublesAndAttributeValues() throws {
    let json = """
      {"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[
      {"asDouble":"Infinity","attributes":[
       {"key":"a","value":{"intValue":"9007199254740993"}},
       {"key":"b","value":{"bytesValue":"AP8="}},
       {"key":"c","value":{"arrayValue":{"values":[{"doubleValue":"-Infinity"},{"boolValue":false}]}}},
       {"key":"d","value":{"kvlistValue":{"values":[{"key":"x","value":{"stringValue":"y"}}]}}},
       {"key":"e","value":{}},{"key":"f","value":null}]},
      {"asDouble":-1.5e-3}]}}]}]}]}
      """
    let request = try decodeJSON(json).get()
    guard
      case .gauge(let points)? = request.resourceMetrics.first?.scopeMetrics.first?.metrics
        .first?.data
    else {
      Issue.record("no gauge")
      return
    }
    #expect(points.map(\.value) == [.double(.infinity), .double(-0.0015)])
    #expect(
      points.first?.attributes == [
        OTLPKeyValue("a", .int(9_007_199_254_740_993)), OTLPKeyValue("b", .bytes([0, 255])),
        OTLPKeyValue("c", .array([.double(-.infinity), .bool(false)])),
        OTLPKeyValue("d", .kvlist([OTLPKeyValue("x", .string("y"))])),
        OTLPKeyValue("e", .empty), OTLPKeyValue("f", .empty),
      ])
  }

  @Test func unknownMembersAndFieldsAreIgnored() {
    let json = """
      {"futureField":{"deep":[1,2,{"x":null}]},"resourceMetrics":[{"schemaUrl":"u","resource":
      {"droppedAttributesCount":3,"entityRefs":[]},"scopeMetrics":[{"metrics":[{"name":"g",
      "metadata":[{"key":"k","value":{"stringValue":"v"}}],"gauge":{"dataPoints":[{"asDouble":1,
      "exemplars":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
      "asDouble":2}]}]}}]}]}]}
      """
    let expected = OTLPRequest(resourceMetrics: [
      OTLPResourceMetrics(scopeMetrics: [
        OTLPScopeMetrics(metrics: [
          OTLPMetric(name: "g", data: .gauge([OTLPNumberPoint(value: .double(1))]))
        ])
      ])
    ])
    #expect(decodeJSON(json) == .success(expected))
    // The same in protobuf: unknown fields 99 (varint), 98 (string), and exemplars.
    var point = OTLPEncode.numberPoint(OTLPNumberPoint(value: .double(1)))
    point.varint(99, 1)
    var exemplar = PB()
    exemplar.bytesField(5, Array(repeating: 0xAB, count: 16))
    point.message(5, exemplar)
    var gauge = PB()
    gauge.message(1, point)
    var metric = PB()
    metric.string(1, "g")
    metric.string(98, "unknown")
    metric.message(5, gauge)
    var scope = PB()
    scope.message(2, metric)
    var rm = PB()
    rm.message(2, scope)
    var req = PB()
    req.message(1, rm)
    #expect(OTLPProtobufDecoder.decode(req.bytes) == .success(expected))
  }

  @Test func labelTextOfEveryValueKind() {
    #expect(OTLPAnyValue.string("a b").labelText() == "a b")
    #expect(OTLPAnyValue.bool(true).labelText() == "true")
    #expect(OTLPAnyValue.int(-42).labelText() == "-42")
    #expect(OTLPAnyValue.double(1).labelText() == "1")
    #expect(OTLPAnyValue.double(0.25).labelText() == "0.25")
    #expect(OTLPAnyValue.double(.nan).labelText() == "NaN")
    #expect(OTLPAnyValue.double(-.infinity).labelText() == "-Inf")
    #expect(OTLPAnyValue.bytes([0, 255, 1]).labelText() == "AP8B")
    #expect(OTLPAnyValue.bytes([0xFB]).labelText() == "+w==")
    #expect(OTLPAnyValue.empty.labelText() == "")
    #expect(
      OTLPAnyValue.array([.string("a\"b"), .int(1), .double(.nan), .empty, .bytes([1])])
        .labelText() == #"["a\"b",1,"NaN",null,"AQ=="]"#)
    #expect(
      OTLPAnyValue.kvlist([
        OTLPKeyValue("k", .bool(false)), OTLPKeyValue("n", .kvlist([])),
      ]).labelText() == #"{"k":false,"n":{}}"#)
    // Past the limit: nil, for every kind that can grow.
    #expect(OTLPAnyValue.string("abcdef").labelText(limit: 5) == nil)
    #expect(OTLPAnyValue.array([.string("abcdef")]).labelText(limit: 5) == nil)
    #expect(OTLPAnyValue.bytes(Array(repeating: 1, count: 4)).labelText(limit: 7) == nil)
    #expect(OTLPAnyValue.kvlist([OTLPKeyValue("abcdef", .empty)]).labelText(limit: 5) == nil)
  }

  @Test func base64BothAlphabets() {
    #expect(base64Decode("AP8=") == [0, 255])
    #expect(base64Decode("AP8") == [0, 255])
    #expect(base64Decode("-_8") == [0xFB, 0xFF])
    #expect(base64Decode("+/8=") == [0xFB, 0xFF])
    #expect(base64Decode("") == [])
    #expect(base64Decode("A") == nil, "a lone sixth of a byte")
    #expect(base64Decode("AP8=A") == nil, "data after padding")
    #expect(base64Decode("A*") == nil)
    for n in 0..<8 {
      let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 37 + 5) }
      #expect(base64Decode(base64Encode(bytes)) == bytes)
    }
  }
}
