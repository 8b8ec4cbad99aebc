/// Decodes an `ExportMetricsServiceRequest` from protobuf bytes (an OTLP/HTTP body with
/// `Content-Type: application/x-protobuf`, or an OTLP/gRPC message).
///
/// The field numbers are those of opentelemetry-proto's `metrics/v1/metrics.proto`,
/// `common/v1/common.proto`, `resource/v1/resource.proto` and
/// `collector/metrics/v1/metrics_service.proto`. Unknown fields of any wire type are skipped;
/// a known field with a wire type its type cannot have is an error, as are groups and
/// malformed wire data (``ProtoReader``). A singular message field sent twice is merged, as
/// protobuf does (the resource's attributes, a metric's data of the same kind, an exponential
/// histogram's bucket ranges); a scalar field sent twice keeps the last value; of a oneof the
/// last member sent wins. Limits: ``OTLPLimits``; past one, decoding stops with
/// ``ProtoWireError/Reason/limit(_:)``.
public enum OTLPProtobufDecoder {
  /// The request in `bytes`, or why it is not one.
  public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<OTLPRequest, ProtoWireError>
  {
    guard bytes.count <= OTLPLimits.maxRequestBytes else {
      return .failure(
        ProtoWireError(
          .limit("the request is over \(OTLPLimits.maxRequestBytes >> 20) MiB"), at: 0))
    }
    var d = Decoder()
    var r = ProtoReader(bytes)
    do throws(ProtoWireError) {
      return .success(try d.request(&r))
    } catch {
      return .failure(error)
    }
  }

  /// The same for a byte array.
  public static func decode(_ bytes: [UInt8]) -> Result<OTLPRequest, ProtoWireError> {
    bytes.withUnsafeBytes { decode($0) }
  }

  private struct Decoder {
    var budget = OTLPBudget()

    func check(_ problem: String?, _ r: ProtoReader) throws(ProtoWireError) {
      if let problem { throw ProtoWireError(.limit(problem), at: r.offset) }
    }

    mutating func request(_ r: inout ProtoReader) throws(ProtoWireError) -> OTLPRequest {
      var out = OTLPRequest()
      while let (field, wire) = try r.nextTag() {
        if field == 1 {
          try r.expect(wire, .lengthDelimited, field)
          var m = try r.message()
          out.resourceMetrics.append(try resourceMetrics(&m))
        } else {
          try r.skip(wire)
        }
      }
      return out
    }

    mutating func resourceMetrics(_ r: inout ProtoReader) throws(ProtoWireError)
      -> OTLPResourceMetrics
    {
      var out = OTLPResourceMetrics()
      while let (field, wire) = try r.nextTag() {
        switch field {
        case 1:
          try r.expect(wire, .lengthDelimited, field)
          var m = try r.message()
          while let (f, w) = try m.nextTag() {
            if f == 1 {
              out.resource.append(try keyValue(&m, wire: w, field: f, depth: 0))
            } else {
              try m.skip(w)
            }
          }
        case 2:
          try r.expect(wire, .lengthDelimited, field)
          var m = try r.message()
          out.scopeMetrics.append(try scopeMetrics(&m))
        default: try r.skip(wire)
        }
      }
      try check(OTLPChecks.resourceAttributes(out.resource), r)
      return out
    }

    mutating func scopeMetrics(_ r: inout ProtoReader) throws(ProtoWireError) -> OTLPScopeMetrics {
      var out = OTLPScopeMetrics()
      while let (field, wire) = try r.nextTag() {
        switch field {
        case 1:
          try r.expect(wire, .lengthDelimited, field)
          var m = try r.message()
          while let (f, w) = try m.nextTag() {
            switch f {
            case 1: out.scope.name = try m.string(w, field: f)
            case 2: out.scope.version = try m.string(w, field: f)
            case 3: out.scope.attributes.append(try keyValue(&m, wire: w, field: f, depth: 0))
            default: try m.skip(w)
            }
          }
        case 2:
          try r.expect(wire, .lengthDelimited, field)
          var m = try r.message()
          out.metrics.append(try metric(&m))
        default: try r.skip(wire)
        }
      }
      return out
    }

    mutating func metric(_ r: inout ProtoReader) throws(ProtoWireError) -> OTLPMetric {
      var out = OTLPMetric()
      while let (field, wire) = try r.nextTag() {
        switch field {
        case 1: out.name = try r.string(wire, field: field)
        case 2: out.description = try r.string(wire, field: field)
        case 3: out.unit = try r.string(wire, field: field)
        case 5, 7, 9, 10, 11:
          try r.expect(wire, .lengthDelimited, field)
          var m = try r.message()
          try data(&m, field: field, into: &out.data)
        default: try r.skip(wire)
        }
      }
      try check(OTLPChecks.metricName(out.name), r)
      return out
    }

    /// One of the `data` oneof's members; merged into `data` when it is the same kind.
    mutating func data(_ r: inout ProtoReader, field: UInt32, into data: inout OTLPMetricData)
      throws(ProtoWireError)
    {
      switch field {
      case 5:
        var points: [OTLPNumberPoint] = []
        if case .gauge(let p) = data { points = p }
        data = .none
        while let (f, w) = try r.nextTag() {
          if f == 1 {
            points.append(try numberPoint(&r, wire: w, field: f))
          } else {
            try r.skip(w)
          }
        }
        data = .gauge(points)
      case 7:
        var sum = OTLPSum()
        if case .sum(let s) = data { sum = s }
        data = .none
        while let (f, w) = try r.nextTag() {
          switch f {
          case 1: sum.points.append(try numberPoint(&r, wire: w, field: f))
          case 2: sum.temporality = OTLPTemporality(wire: try enumValue(&r, w, f))
          case 3: sum.isMonotonic = try r.varint(w, field: f) != 0
          default: try r.skip(w)
          }
        }
        data = .sum(sum)
      case 9:
        var h = OTLPHistogram()
        if case .histogram(let old) = data { h = old }
        data = .none
        while let (f, w) = try r.nextTag() {
          switch f {
          case 1: h.points.append(try histogramPoint(&r, wire: w, field: f))
          case 2: h.temporality = OTLPTemporality(wire: try enumValue(&r, w, f))
          default: try r.skip(w)
          }
        }
        data = .histogram(h)
      case 10:
        var h = OTLPExponentialHistogram()
        if case .exponentialHistogram(let old) = data { h = old }
        data = .none
        while let (f, w) = try r.nextTag() {
          switch f {
          case 1: h.points.append(try exponentialPoint(&r, wire: w, field: f))
          case 2: h.temporality = OTLPTemporality(wire: try enumValue(&r, w, f))
          default: try r.skip(w)
          }
        }
        data = .exponentialHistogram(h)
      default:
        var points: [OTLPSummaryPoint] = []
        if case .summary(let p) = data { points = p }
        data = .none
        while let (f, w) = try r.nextTag() {
          if f == 1 {
            points.append(try summaryPoint(&r, wire: w, field: f))
          } else {
            try r.skip(w)
          }
        }
        data = .summary(points)
      }
    }

    /// An `int32` enum: the low 32 bits of the varint.
    func enumValue(_ r: inout ProtoReader, _ w: ProtoWireType, _ f: UInt32) throws(ProtoWireError)
      -> Int32
    {
      Int32(truncatingIfNeeded: try r.varint(w, field: f))
    }

    /// A point attribute, counted against the point's limit.
    mutating func pointAttribute(
      _ r: inout ProtoReader, _ w: ProtoWireType, _ f: UInt32, into list: inout [OTLPKeyValue]
    ) throws(ProtoWireError) {
      list.append(try keyValue(&r, wire: w, field: f, depth: 0))
      if list.count > OTLPLimits.maxPointAttributes {
        try check(OTLPChecks.pointAttributes(list), r)
      }
    }

    /// Opens a data point's message (checking the wire type) and counts it.
    mutating func point(_ r: inout ProtoReader, wire: ProtoWireType, field: UInt32)
      throws(ProtoWireError) -> ProtoReader
    {
      try r.expect(wire, .lengthDelimited, field)
      let m = try r.message()
      try check(budget.addPoint(), r)
      return m
    }

    mutating func numberPoint(_ outer: inout ProtoReader, wire: ProtoWireType, field: UInt32)
      throws(ProtoWireError) -> OTLPNumberPoint
    {
      var r = try point(&outer, wire: wire, field: field)
      var out = OTLPNumberPoint()
      while let (f, w) = try r.nextTag() {
        switch f {
        case 7: try pointAttribute(&r, w, f, into: &out.attributes)
        case 2: out.startTimeUnixNano = try r.fixed64(w, field: f)
        case 3: out.timeUnixNano = try r.fixed64(w, field: f)
        case 4: out.value = .double(try r.double(w, field: f))
        case 6: out.value = .int(Int64(bitPattern: try r.fixed64(w, field: f)))
        case 8: out.flags = UInt32(truncatingIfNeeded: try r.varint(w, field: f))
        default: try r.skip(w)
        }
      }
      try check(OTLPChecks.pointAttributes(out.attributes), r)
      return out
    }

    mutating func histogramPoint(_ outer: inout ProtoReader, wire: ProtoWireType, field: UInt32)
      throws(ProtoWireError) -> OTLPHistogramPoint
    {
      var r = try point(&outer, wire: wire, field: field)
      var out = OTLPHistogramPoint()
      let limit = OTLPLimits.maxBucketsPerHistogram
      while let (f, w) = try r.nextTag() {
        switch f {
        case 9: try pointAttribute(&r, w, f, into: &out.attributes)
        case 2: out.startTimeUnixNano = try r.fixed64(w, field: f)
        case 3: out.timeUnixNano = try r.fixed64(w, field: f)
        case 4: out.count = try r.fixed64(w, field: f)
        case 5: out.sum = try r.double(w, field: f)
        case 6:
          let before = out.bucketCounts.count
          try r.appendFixed64s(w, field: f, into: &out.bucketCounts, limit: limit) { $0 }
          try check(
            budget.addBuckets(out.bucketCounts.count - before, total: out.bucketCounts.count), r)
        case 7:
          let before = out.explicitBounds.count
          try r.appendFixed64s(w, field: f, into: &out.explicitBounds, limit: limit) {
            Double(bitPattern: $0)
          }
          try check(
            budget.addBounds(
              out.explicitBounds.count - before, total: out.explicitBounds.count), r)
        case 10: out.flags = UInt32(truncatingIfNeeded: try r.varint(w, field: f))
        case 11: out.min = try r.double(w, field: f)
        case 12: out.max = try r.double(w, field: f)
        default: try r.skip(w)
        }
      }
      try check(OTLPChecks.pointAttributes(out.attributes), r)
      return out
    }

    mutating func exponentialPoint(
      _ outer: inout ProtoReader, wire: ProtoWireType, field: UInt32
    ) throws(ProtoWireError) -> OTLPExponentialHistogramPoint {
      var r = try point(&outer, wire: wire, field: field)
      var out = OTLPExponentialHistogramPoint()
      while let (f, w) = try r.nextTag() {
        switch f {
        case 1: try pointAttribute(&r, w, f, into: &out.attributes)
        case 2: out.startTimeUnixNano = try r.fixed64(w, field: f)
        case 3: out.timeUnixNano = try r.fixed64(w, field: f)
        case 4: out.count = try r.fixed64(w, field: f)
        case 5: out.sum = try r.double(w, field: f)
        case 6: out.scale = try r.sint32(w, field: f)
        case 7: out.zeroCount = try r.fixed64(w, field: f)
        case 8: try buckets(&r, w, f, into: &out.positive)
        case 9: try buckets(&r, w, f, into: &out.negative)
        case 10: out.flags = UInt32(truncatingIfNeeded: try r.varint(w, field: f))
        case 12: out.min = try r.double(w, field: f)
        case 13: out.max = try r.double(w, field: f)
        case 14: out.zeroThreshold = try r.double(w, field: f)
        default: try r.skip(w)
        }
      }
      try check(OTLPChecks.pointAttributes(out.attributes), r)
      return out
    }

    mutating func buckets(
      _ outer: inout ProtoReader, _ wire: ProtoWireType, _ field: UInt32,
      into out: inout OTLPBuckets
    ) throws(ProtoWireError) {
      try outer.expect(wire, .lengthDelimited, field)
      var r = try outer.message()
      while let (f, w) = try r.nextTag() {
        switch f {
        case 1: out.offset = try r.sint32(w, field: f)
        case 2:
          let before = out.counts.count
          try r.appendVarints(
            w, field: f, into: &out.counts, limit: OTLPLimits.maxBucketsPerHistogram)
          try check(budget.addBuckets(out.counts.count - before, total: out.counts.count), r)
        default: try r.skip(w)
        }
      }
    }

    mutating func summaryPoint(_ outer: inout ProtoReader, wire: ProtoWireType, field: UInt32)
      throws(ProtoWireError) -> OTLPSummaryPoint
    {
      var r = try point(&outer, wire: wire, field: field)
      var out = OTLPSummaryPoint()
      while let (f, w) = try r.nextTag() {
        switch f {
        case 7: try pointAttribute(&r, w, f, into: &out.attributes)
        case 2: out.startTimeUnixNano = try r.fixed64(w, field: f)
        case 3: out.timeUnixNano = try r.fixed64(w, field: f)
        case 4: out.count = try r.fixed64(w, field: f)
        case 5: out.sum = try r.double(w, field: f)
        case 6:
          try r.expect(w, .lengthDelimited, f)
          var m = try r.message()
          var q = OTLPQuantileValue(quantile: 0, value: 0)
          while let (g, v) = try m.nextTag() {
            switch g {
            case 1: q.quantile = try m.double(v, field: g)
            case 2: q.value = try m.double(v, field: g)
            default: try m.skip(v)
            }
          }
          out.quantileValues.append(q)
          try check(budget.addBuckets(1, total: out.quantileValues.count), r)
        case 8: out.flags = UInt32(truncatingIfNeeded: try r.varint(w, field: f))
        default: try r.skip(w)
        }
      }
      try check(OTLPChecks.pointAttributes(out.attributes), r)
      return out
    }

    /// A `KeyValue` message at `depth` (0 for an attribute list, more inside kvlist values).
    mutating func keyValue(
      _ outer: inout ProtoReader, wire: ProtoWireType, field: UInt32, depth: Int
    ) throws(ProtoWireError) -> OTLPKeyValue {
      try outer.expect(wire, .lengthDelimited, field)
      var r = try outer.message()
      try check(budget.addValue(), r)
      var out = OTLPKeyValue("", .empty)
      while let (f, w) = try r.nextTag() {
        switch f {
        case 1: out.key = try r.string(w, field: f)
        case 2: out.value = try anyValue(&r, wire: w, field: f, depth: depth)
        default: try r.skip(w)
        }
      }
      return out
    }

    /// An `AnyValue` message; arrays and kvlists nest at most ``OTLPLimits/maxValueDepth``.
    mutating func anyValue(
      _ outer: inout ProtoReader, wire: ProtoWireType, field: UInt32, depth: Int
    ) throws(ProtoWireError) -> OTLPAnyValue {
      try outer.expect(wire, .lengthDelimited, field)
      var r = try outer.message()
      var out = OTLPAnyValue.empty
      while let (f, w) = try r.nextTag() {
        switch f {
        case 1: out = .string(try r.string(w, field: f))
        case 2: out = .bool(try r.varint(w, field: f) != 0)
        case 3: out = .int(Int64(bitPattern: try r.varint(w, field: f)))
        case 4: out = .double(try r.double(w, field: f))
        case 7: out = .bytes(try r.bytes(w, field: f))
        case 5, 6:
          guard depth < OTLPLimits.maxValueDepth else {
            throw ProtoWireError(
              .limit("attribute values nest deeper than \(OTLPLimits.maxValueDepth)"),
              at: r.offset)
          }
          try r.expect(w, .lengthDelimited, f)
          var m = try r.message()
          if f == 5 {
            var items: [OTLPAnyValue] = []
            while let (g, v) = try m.nextTag() {
              if g == 1 {
                try check(budget.addValue(), m)
                items.append(try anyValue(&m, wire: v, field: g, depth: depth + 1))
              } else {
                try m.skip(v)
              }
            }
            out = .array(items)
          } else {
            var members: [OTLPKeyValue] = []
            while let (g, v) = try m.nextTag() {
              if g == 1 {
                members.append(try keyValue(&m, wire: v, field: g, depth: depth + 1))
              } else {
                try m.skip(v)
              }
            }
            out = .kvlist(members)
          }
        default: try r.skip(w)
        }
      }
      return out
    }
  }
}
