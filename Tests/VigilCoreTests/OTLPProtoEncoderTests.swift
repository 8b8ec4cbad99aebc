import Testing

@testable import VigilCore

/// A tiny protobuf writer for the OTLP tests: fields by number and wire type, nothing else.
/// It is written from the protobuf encoding guide, not from the decoder, and checked below
/// against bytes written out by hand from the `.proto` field numbers.
struct PB {
  var bytes: [UInt8] = []

  static func varint(_ v: UInt64) -> [UInt8] {
    var out: [UInt8] = []
    var n = v
    while n >= 0x80 {
      out.append(UInt8(n & 0x7F) | 0x80)
      n >>= 7
    }
    out.append(UInt8(n))
    return out
  }

  static func zigzag(_ v: Int32) -> UInt64 {
    UInt64(UInt32(bitPattern: (v << 1) ^ (v >> 31)))
  }

  mutating func tag(_ field: UInt32, _ wire: UInt8) {
    bytes += Self.varint(UInt64(field) << 3 | UInt64(wire))
  }

  mutating func varint(_ field: UInt32, _ v: UInt64) {
    tag(field, 0)
    bytes += Self.varint(v)
  }

  mutating func sint32(_ field: UInt32, _ v: Int32) { varint(field, Self.zigzag(v)) }

  mutating func fixed64(_ field: UInt32, _ v: UInt64) {
    tag(field, 1)
    for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
  }

  mutating func double(_ field: UInt32, _ v: Double) { fixed64(field, v.bitPattern) }

  mutating func fixed32(_ field: UInt32, _ v: UInt32) {
    tag(field, 5)
    for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
  }

  mutating func bytesField(_ field: UInt32, _ payload: [UInt8]) {
    tag(field, 2)
    bytes += Self.varint(UInt64(payload.count))
    bytes += payload
  }

  mutating func string(_ field: UInt32, _ s: String) { bytesField(field, Array(s.utf8)) }

  mutating func message(_ field: UInt32, _ m: PB) { bytesField(field, m.bytes) }

  mutating func packedFixed64(_ field: UInt32, _ values: [UInt64]) {
    var body = PB()
    for v in values {
      for k in 0..<8 { body.bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }
    bytesField(field, body.bytes)
  }

  mutating func packedVarints(_ field: UInt32, _ values: [UInt64]) {
    bytesField(field, values.flatMap { Self.varint($0) })
  }
}

/// Encodes the OTLP model as protobuf, field numbers as in opentelemetry-proto.
enum OTLPEncode {
  static func request(_ r: OTLPRequest) -> [UInt8] {
    var pb = PB()
    for rm in r.resourceMetrics { pb.message(1, resourceMetrics(rm)) }
    return pb.bytes
  }

  static func resourceMetrics(_ rm: OTLPResourceMetrics) -> PB {
    var pb = PB()
    var resource = PB()
    for a in rm.resource { resource.message(1, keyValue(a)) }
    pb.message(1, resource)
    for sm in rm.scopeMetrics {
      var s = PB()
      var scope = PB()
      if !sm.scope.name.isEmpty { scope.string(1, sm.scope.name) }
      if !sm.scope.version.isEmpty { scope.string(2, sm.scope.version) }
      for a in sm.scope.attributes { scope.message(3, keyValue(a)) }
      s.message(1, scope)
      for m in sm.metrics { s.message(2, metric(m)) }
      pb.message(2, s)
    }
    return pb
  }

  static func metric(_ m: OTLPMetric) -> PB {
    var pb = PB()
    pb.string(1, m.name)
    if !m.description.isEmpty { pb.string(2, m.description) }
    if !m.unit.isEmpty { pb.string(3, m.unit) }
    switch m.data {
    case .none: break
    case .gauge(let points):
      var g = PB()
      for p in points { g.message(1, numberPoint(p)) }
      pb.message(5, g)
    case .sum(let s):
      var g = PB()
      for p in s.points { g.message(1, numberPoint(p)) }
      g.varint(2, UInt64(s.temporality.rawValue))
      if s.isMonotonic { g.varint(3, 1) }
      pb.message(7, g)
    case .histogram(let h):
      var g = PB()
      for p in h.points { g.message(1, histogramPoint(p)) }
      g.varint(2, UInt64(h.temporality.rawValue))
      pb.message(9, g)
    case .exponentialHistogram(let h):
      var g = PB()
      for p in h.points { g.message(1, exponentialPoint(p)) }
      g.varint(2, UInt64(h.temporality.rawValue))
      pb.message(10, g)
    case .summary(let points):
      var g = PB()
      for p in points { g.message(1, summaryPoint(p)) }
      pb.message(11, g)
    }
    return pb
  }

  static func numberPoint(_ p: OTLPNumberPoint) -> PB {
    var pb = PB()
    for a in p.attributes { pb.message(7, keyValue(a)) }
    if p.startTimeUnixNano != 0 { pb.fixed64(2, p.startTimeUnixNano) }
    if p.timeUnixNano != 0 { pb.fixed64(3, p.timeUnixNano) }
    switch p.value {
    case .none: break
    case .double(let d): pb.double(4, d)
    case .int(let i): pb.fixed64(6, UInt64(bitPattern: i))
    }
    if p.flags != 0 { pb.varint(8, UInt64(p.flags)) }
    return pb
  }

  static func histogramPoint(_ p: OTLPHistogramPoint) -> PB {
    var pb = PB()
    for a in p.attributes { pb.message(9, keyValue(a)) }
    if p.startTimeUnixNano != 0 { pb.fixed64(2, p.startTimeUnixNano) }
    if p.timeUnixNano != 0 { pb.fixed64(3, p.timeUnixNano) }
    pb.fixed64(4, p.count)
    if let s = p.sum { pb.double(5, s) }
    if !p.bucketCounts.isEmpty { pb.packedFixed64(6, p.bucketCounts) }
    if !p.explicitBounds.isEmpty { pb.packedFixed64(7, p.explicitBounds.map(\.bitPattern)) }
    if p.flags != 0 { pb.varint(10, UInt64(p.flags)) }
    if let m = p.min { pb.double(11, m) }
    if let m = p.max { pb.double(12, m) }
    return pb
  }

  static func buckets(_ b: OTLPBuckets) -> PB {
    var pb = PB()
    if b.offset != 0 { pb.sint32(1, b.offset) }
    if !b.counts.isEmpty { pb.packedVarints(2, b.counts) }
    return pb
  }

  static func exponentialPoint(_ p: OTLPExponentialHistogramPoint) -> PB {
    var pb = PB()
    for a in p.attributes { pb.message(1, keyValue(a)) }
    if p.startTimeUnixNano != 0 { pb.fixed64(2, p.startTimeUnixNano) }
    if p.timeUnixNano != 0 { pb.fixed64(3, p.timeUnixNano) }
    pb.fixed64(4, p.count)
    if let s = p.sum { pb.double(5, s) }
    if p.scale != 0 { pb.sint32(6, p.scale) }
    if p.zeroCount != 0 { pb.fixed64(7, p.zeroCount) }
    if !p.positive.counts.isEmpty || p.positive.offset != 0 {
      pb.message(8, buckets(p.positive))
    }
    if !p.negative.counts.isEmpty || p.negative.offset != 0 {
      pb.message(9, buckets(p.negative))
    }
    if p.flags != 0 { pb.varint(10, UInt64(p.flags)) }
    if let m = p.min { pb.double(12, m) }
    if let m = p.max { pb.double(13, m) }
    if p.zeroThreshold != 0 { pb.double(14, p.zeroThreshold) }
    return pb
  }

  static func summaryPoint(_ p: OTLPSummaryPoint) -> PB {
    var pb = PB()
    for a in p.attributes { pb.message(7, keyValue(a)) }
    if p.startTimeUnixNano != 0 { pb.fixed64(2, p.startTimeUnixNano) }
    if p.timeUnixNano != 0 { pb.fixed64(3, p.timeUnixNano) }
    pb.fixed64(4, p.count)
    pb.double(5, p.sum)
    for q in p.quantileValues {
      var v = PB()
      v.double(1, q.quantile)
      v.double(2, q.value)
      pb.message(6, v)
    }
    if p.flags != 0 { pb.varint(8, UInt64(p.flags)) }
    return pb
  }

  static func keyValue(_ kv: OTLPKeyValue) -> PB {
    var pb = PB()
    pb.string(1, kv.key)
    pb.message(2, anyValue(kv.value))
    return pb
  }

  static func anyValue(_ v: OTLPAnyValue) -> PB {
    var pb = PB()
    switch v {
    case .empty: break
    case .string(let s): pb.string(1, s)
    case .bool(let b): pb.varint(2, b ? 1 : 0)
    case .int(let i): pb.varint(3, UInt64(bitPattern: i))
    case .double(let d): pb.double(4, d)
    case .array(let items):
      var a = PB()
      for item in items { a.message(1, anyValue(item)) }
      pb.message(5, a)
    case .kvlist(let members):
      var l = PB()
      for m in members { l.message(1, keyValue(m)) }
      pb.message(6, l)
    case .bytes(let b): pb.bytesField(7, b)
    }
    return pb
  }
}

@Suite struct OTLPProtoEncoderTests {
  /// A gauge `g` = 2.5 at t = 1, written byte by byte from metrics.proto:
  /// ExportMetricsServiceRequest.resource_metrics = 1, ResourceMetrics.scope_metrics = 2,
  /// ScopeMetrics.metrics = 2, Metric.name = 1, Metric.gauge = 5, Gauge.data_points = 1,
  /// NumberDataPoint.time_unix_nano = 3 (fixed64), as_double = 4 (double).
  static let gaugeBytes: [UInt8] = [
    0x0A, 0x1D,  // field 1, length-delimited, 29 bytes: ResourceMetrics
    0x12, 0x1B,  // field 2, 27 bytes: ScopeMetrics
    0x12, 0x19,  // field 2, 25 bytes: Metric
    0x0A, 0x01, 0x67,  // field 1 (name): "g"
    0x2A, 0x14,  // field 5 (gauge), 20 bytes
    0x0A, 0x12,  // field 1 (data_points), 18 bytes
    0x19, 1, 0, 0, 0, 0, 0, 0, 0,  // field 3, fixed64: time_unix_nano = 1
    0x21, 0, 0, 0, 0, 0, 0, 0x04, 0x40,  // field 4, double: 2.5 = 0x4004000000000000
  ]

  /// An exponential histogram point written by hand: scale = -1 (sint32 zigzag 1), positive
  /// buckets offset = -2 (zigzag 3) with packed uint64 counts [1, 300] (300 = 0xAC 0x02).
  static let exponentialBytes: [UInt8] = [
    0x0A, 0x1A,  // ResourceMetrics, 26 bytes
    0x12, 0x18,  // ScopeMetrics, 24
    0x12, 0x16,  // Metric, 22
    0x0A, 0x01, 0x65,  // name "e"
    0x52, 0x11,  // field 10 (exponential_histogram) = (10 << 3) | 2 = 0x52, 17 bytes
    0x10, 0x01,  // field 2 (aggregation_temporality) varint = 1 (delta)
    0x0A, 0x0D,  // field 1 (data_points), 13 bytes
    0x30, 0x01,  // field 6 (scale), sint32 -1 → 1
    0x42, 0x07,  // field 8 (positive), 7 bytes
    0x08, 0x03,  // field 1 (offset), sint32 -2 → 3
    0x12, 0x03, 0x01, 0xAC, 0x02,  // field 2 (bucket_counts), packed: 1, 300
    0x50, 0x00,  // field 10 (flags) = 0, written although it is the default
  ]

  @Test func encoderWritesTheHandWrittenGauge() {
    let request = OTLPRequest(resourceMetrics: [
      OTLPResourceMetrics(scopeMetrics: [
        OTLPScopeMetrics(metrics: [
          OTLPMetric(
            name: "g", data: .gauge([OTLPNumberPoint(timeUnixNano: 1, value: .double(2.5))]))
        ])
      ])
    ])
    // The hand-written bytes have no empty resource and scope messages; the encoder writes
    // them, so compare the decodings and the metric's own bytes.
    let metric = OTLPEncode.metric(request.resourceMetrics[0].scopeMetrics[0].metrics[0]).bytes
    #expect(metric == Array(Self.gaugeBytes[6...]))
    #expect(OTLPProtobufDecoder.decode(Self.gaugeBytes) == .success(request))
    #expect(OTLPProtobufDecoder.decode(OTLPEncode.request(request)) == .success(request))
  }

  @Test func handWrittenExponentialHistogramDecodes() throws {
    let decoded = try OTLPProtobufDecoder.decode(Self.exponentialBytes).get()
    let metric = try #require(decoded.resourceMetrics.first?.scopeMetrics.first?.metrics.first)
    #expect(metric.name == "e")
    guard case .exponentialHistogram(let h) = metric.data else {
      Issue.record("not an exponential histogram: \(metric.data)")
      return
    }
    #expect(h.temporality == .delta)
    #expect(h.points.count == 1)
    #expect(h.points.first?.scale == -1)
    #expect(h.points.first?.positive == OTLPBuckets(offset: -2, counts: [1, 300]))
    // The encoder writes the same point with the same bytes.
    let point = OTLPExponentialHistogramPoint(
      scale: -1, positive: OTLPBuckets(offset: -2, counts: [1, 300]))
    var expected = OTLPEncode.exponentialPoint(point).bytes
    expected.removeSubrange(0..<9)  // the encoder always writes count (field 4): drop it
    #expect(expected == [0x30, 0x01, 0x42, 0x07, 0x08, 0x03, 0x12, 0x03, 0x01, 0xAC, 0x02])
  }

  @Test func varintsAndZigzagMatchTheEncodingGuide() {
    // https://protobuf.dev/programming-guides/encoding/: 150 is 96 01; 1 is 01.
    #expect(PB.varint(150) == [0x96, 0x01])
    #expect(PB.varint(1) == [0x01])
    #expect(PB.varint(UInt64.max) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    #expect(
      [0, -1, 1, -2, 2147483647, -2147483648].map { PB.zigzag($0) } == [
        0, 1, 2, 3, 4_294_967_294, 4_294_967_295,
      ])
    for v: Int32 in [0, -1, 1, -2, .max, .min] {
      #expect(zigzag32(UInt32(PB.zigzag(v))) == v)
    }
    #expect(zigzag64(3) == -2)
    #expect(zigzag64(UInt64.max) == Int64.min)
  }
}
