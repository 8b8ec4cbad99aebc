/// Decodes an `ExportMetricsServiceRequest` from OTLP/JSON: an OTLP/HTTP body with
/// `Content-Type: application/json`, or one line of the Collector's file exporter.
///
/// OTLP/JSON is protobuf's JSON mapping with OTLP's changes (opentelemetry-proto,
/// `docs/specification.md`, "JSON Protobuf Encoding"):
/// - keys are the fields' lowerCamelCase names (`resourceMetrics`); the proto names
///   (`resource_metrics`) are accepted too, as protobuf's JSON parsers accept them;
/// - 64-bit integers are decimal strings (`"1544712660300000000"`) or JSON numbers;
///   32-bit ones are numbers (strings accepted);
/// - enums are integers; their names (`"AGGREGATION_TEMPORALITY_DELTA"`) are accepted too;
/// - doubles are numbers, or the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (or a decimal
///   string);
/// - `bytes` are base64 (the `traceId`/`spanId` hex of exemplars is never read: exemplars are
///   skipped);
/// - unknown keys are ignored whatever their value; `null` is a field's default.
///
/// The request is read with the package's JSON reader (``JSONReader``) member by member, never
/// as one tree. Nesting is bounded (``OTLPLimits/maxJSONDepth``, ``OTLPLimits/maxValueDepth``),
/// as are the counts in ``OTLPLimits``; a value of the wrong JSON type for its field is an
/// error.
public enum OTLPJSONDecoder {
  /// The request in `bytes`, or why it is not one.
  public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<OTLPRequest, JSONReadError> {
    guard bytes.count <= OTLPLimits.maxRequestBytes else {
      return .failure(
        JSONReadError(
          message: "the request is over \(OTLPLimits.maxRequestBytes >> 20) MiB", offset: 0))
    }
    var r = JSONReader(bytes, maxDepth: OTLPLimits.maxJSONDepth, numbers: .text)
    var d = Decoder()
    do throws(JSONReadError) {
      let request = try d.request(&r)
      try r.expectEnd()
      return .success(request)
    } catch {
      return .failure(error)
    }
  }

  /// The same for a byte array.
  public static func decode(_ bytes: [UInt8]) -> Result<OTLPRequest, JSONReadError> {
    bytes.withUnsafeBytes { decode($0) }
  }

  private struct Decoder {
    var budget = OTLPBudget()

    func fail(_ r: JSONReader, _ message: String) -> JSONReadError {
      JSONReadError(message: message, offset: r.offset)
    }

    func check(_ problem: String?, _ r: JSONReader) throws(JSONReadError) {
      if let problem { throw fail(r, problem) }
    }

    // MARK: - JSON shapes

    /// Consumes `null` when it is next.
    func null(_ r: inout JSONReader) throws(JSONReadError) -> Bool {
      guard r.peek() == UInt8(ascii: "n") else { return false }
      try r.literal("null")
      return true
    }

    /// An object's members at nesting `depth` (of the object itself); `null` has none.
    func object(
      _ r: inout JSONReader, _ field: String, depth: Int,
      _ body: (String, inout JSONReader) throws(JSONReadError) -> Void
    ) throws(JSONReadError) {
      if try null(&r) { return }
      guard r.peek() == UInt8(ascii: "{") else { throw fail(r, "\(field) is not an object") }
      guard depth < OTLPLimits.maxJSONDepth else {
        throw fail(r, "nested deeper than \(OTLPLimits.maxJSONDepth)")
      }
      try r.members(body)
    }

    /// An array's elements at nesting `depth` (of the array itself); `null` has none.
    func array(
      _ r: inout JSONReader, _ field: String, depth: Int,
      _ body: (inout JSONReader) throws(JSONReadError) -> Void
    ) throws(JSONReadError) {
      if try null(&r) { return }
      guard r.peek() == UInt8(ascii: "[") else { throw fail(r, "\(field) is not an array") }
      guard depth < OTLPLimits.maxJSONDepth else {
        throw fail(r, "nested deeper than \(OTLPLimits.maxJSONDepth)")
      }
      try r.elements(body)
    }

    /// An unknown member's value, whatever it is (nesting still bounded).
    func skip(_ r: inout JSONReader, depth: Int) throws(JSONReadError) {
      _ = try r.value(depth: depth)
    }

    func string(_ r: inout JSONReader, _ field: String) throws(JSONReadError) -> String {
      if try null(&r) { return "" }
      guard r.peek() == UInt8(ascii: "\"") else { throw fail(r, "\(field) is not a string") }
      return try r.string()
    }

    func bool(_ r: inout JSONReader, _ field: String) throws(JSONReadError) -> Bool {
      switch r.peek() {
      case UInt8(ascii: "t"):
        try r.literal("true")
        return true
      case UInt8(ascii: "f"):
        try r.literal("false")
        return false
      case UInt8(ascii: "n"):
        try r.literal("null")
        return false
      default: throw fail(r, "\(field) is not a boolean")
      }
    }

    /// A number's or a string's text, for integer and double fields.
    func numberText(_ r: inout JSONReader, _ field: String, _ what: String)
      throws(JSONReadError) -> String?
    {
      switch r.peek() {
      case UInt8(ascii: "\""): return try r.string()
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try r.number()
      case UInt8(ascii: "n"):
        try r.literal("null")
        return nil
      default: throw fail(r, "\(field) is not \(what)")
      }
    }

    func uint64(_ r: inout JSONReader, _ field: String) throws(JSONReadError) -> UInt64 {
      let at = r.offset
      guard let text = try numberText(&r, field, "an unsigned integer") else { return 0 }
      guard let v = UInt64(text) else {
        throw JSONReadError(message: "\(field) is \"\(text)\", not an unsigned integer", offset: at)
      }
      return v
    }

    func int64(_ r: inout JSONReader, _ field: String) throws(JSONReadError) -> Int64 {
      let at = r.offset
      guard let text = try numberText(&r, field, "an integer") else { return 0 }
      guard let v = Int64(text) else {
        throw JSONReadError(message: "\(field) is \"\(text)\", not a 64-bit integer", offset: at)
      }
      return v
    }

    func int32(_ r: inout JSONReader, _ field: String) throws(JSONReadError) -> Int32 {
      let at = r.offset
      let v = try int64(&r, field)
      guard let small = Int32(exactly: v) else {
        throw JSONReadError(message: "\(field) is \(v), not a 32-bit integer", offset: at)
      }
      return small
    }

    func uint32(_ r: inout JSONReader, _ field: String) throws(JSONReadError) -> UInt32 {
      let at = r.offset
      let v = try uint64(&r, field)
      guard let small = UInt32(exactly: v) else {
        throw JSONReadError(message: "\(field) is \(v), not a 32-bit unsigned integer", offset: at)
      }
      return small
    }

    func double(_ r: inout JSONReader, _ field: String) throws(JSONReadError) -> Double {
      let at = r.offset
      guard let text = try numberText(&r, field, "a number") else { return 0 }
      switch text {
      case "NaN": return .nan
      case "Infinity": return .infinity
      case "-Infinity": return -.infinity
      default:
        // JSON's number grammar (Swift's own parser would take `0x1p3`, `inf` or ` 1`).
        var copy = text
        let isNumber = copy.withUTF8 {
          scanDecimal(UnsafeRawBufferPointer($0), 0, $0.count, json: true) != nil
        }
        guard isNumber, let v = Double(text) else {
          throw JSONReadError(message: "\(field) is \"\(text)\", not a number", offset: at)
        }
        return v
      }
    }

    /// `AggregationTemporality`, as its number or its name.
    func temporality(_ r: inout JSONReader, _ field: String) throws(JSONReadError)
      -> OTLPTemporality
    {
      let at = r.offset
      if r.peek() == UInt8(ascii: "\"") {
        let name = try r.string()
        switch name {
        case "AGGREGATION_TEMPORALITY_UNSPECIFIED": return .unspecified
        case "AGGREGATION_TEMPORALITY_DELTA": return .delta
        case "AGGREGATION_TEMPORALITY_CUMULATIVE": return .cumulative
        default:
          if let n = Int32(name) { return OTLPTemporality(wire: n) }
          throw JSONReadError(
            message: "\(field) is \"\(printableExcerpt(name, limit: 60))\", not a temporality",
            offset: at)
        }
      }
      return OTLPTemporality(wire: try int32(&r, field))
    }

    // MARK: - Messages

    mutating func request(_ r: inout JSONReader) throws(JSONReadError) -> OTLPRequest {
      var out = OTLPRequest()
      guard r.peek() == UInt8(ascii: "{") else { throw fail(r, "expected a JSON object") }
      try r.members { (key: String, r: inout JSONReader) throws(JSONReadError) in
        switch key {
        case "resourceMetrics", "resource_metrics":
          try array(&r, key, depth: 1) { (r: inout JSONReader) throws(JSONReadError) in
            out.resourceMetrics.append(try resourceMetrics(&r, depth: 2))
          }
        default: try skip(&r, depth: 1)
        }
      }
      return out
    }

    mutating func resourceMetrics(_ r: inout JSONReader, depth: Int) throws(JSONReadError)
      -> OTLPResourceMetrics
    {
      var out = OTLPResourceMetrics()
      try object(&r, "resourceMetrics", depth: depth) {
        (key: String, r: inout JSONReader) throws(JSONReadError) in
        switch key {
        case "resource":
          try object(&r, key, depth: depth + 1) {
            (key: String, r: inout JSONReader) throws(JSONReadError) in
            if key == "attributes" {
              try keyValues(&r, key, depth: depth + 2, into: &out.resource)
            } else {
              try skip(&r, depth: depth + 2)
            }
          }
        case "scopeMetrics", "scope_metrics":
          try array(&r, key, depth: depth + 1) { (r: inout JSONReader) throws(JSONReadError) in
            out.scopeMetrics.append(try scopeMetrics(&r, depth: depth + 2))
          }
        default: try skip(&r, depth: depth + 1)
        }
      }
      try check(OTLPChecks.resourceAttributes(out.resource), r)
      return out
    }

    mutating func scopeMetrics(_ r: inout JSONReader, depth: Int) throws(JSONReadError)
      -> OTLPScopeMetrics
    {
      var out = OTLPScopeMetrics()
      try object(&r, "scopeMetrics", depth: depth) {
        (key: String, r: inout JSONReader) throws(JSONReadError) in
        switch key {
        case "scope":
          try object(&r, key, depth: depth + 1) {
            (key: String, r: inout JSONReader) throws(JSONReadError) in
            switch key {
            case "name": out.scope.name = try string(&r, key)
            case "version": out.scope.version = try string(&r, key)
            case "attributes":
              try keyValues(&r, key, depth: depth + 2, into: &out.scope.attributes)
            default: try skip(&r, depth: depth + 2)
            }
          }
        case "metrics":
          try array(&r, key, depth: depth + 1) { (r: inout JSONReader) throws(JSONReadError) in
            out.metrics.append(try metric(&r, depth: depth + 2))
          }
        default: try skip(&r, depth: depth + 1)
        }
      }
      return out
    }

    mutating func metric(_ r: inout JSONReader, depth: Int) throws(JSONReadError) -> OTLPMetric {
      var out = OTLPMetric()
      try object(&r, "metric", depth: depth) {
        (key: String, r: inout JSONReader) throws(JSONReadError) in
        switch key {
        case "name": out.name = try string(&r, key)
        case "description": out.description = try string(&r, key)
        case "unit": out.unit = try string(&r, key)
        case "gauge", "sum", "histogram", "exponentialHistogram", "exponential_histogram",
          "summary":
          try data(&r, key, depth: depth + 1, into: &out.data)
        default: try skip(&r, depth: depth + 1)
        }
      }
      try check(OTLPChecks.metricName(out.name), r)
      return out
    }

    /// One member of the `data` oneof (an object at `depth`), merged into `data` when it is
    /// the same kind.
    mutating func data(
      _ r: inout JSONReader, _ kind: String, depth: Int, into data: inout OTLPMetricData
    ) throws(JSONReadError) {
      let inner = depth + 1
      let points = ["dataPoints", "data_points"]
      let temporality = ["aggregationTemporality", "aggregation_temporality"]
      switch kind {
      case "gauge":
        var list: [OTLPNumberPoint] = []
        if case .gauge(let p) = data { list = p }
        data = .none
        try object(&r, kind, depth: depth) {
          (key: String, r: inout JSONReader) throws(JSONReadError) in
          if points.contains(key) {
            try array(&r, key, depth: inner) { (r: inout JSONReader) throws(JSONReadError) in
              list.append(try numberPoint(&r, depth: inner + 1))
            }
          } else {
            try skip(&r, depth: inner)
          }
        }
        data = .gauge(list)
      case "sum":
        var sum = OTLPSum()
        if case .sum(let s) = data { sum = s }
        data = .none
        try object(&r, kind, depth: depth) {
          (key: String, r: inout JSONReader) throws(JSONReadError) in
          if points.contains(key) {
            try array(&r, key, depth: inner) { (r: inout JSONReader) throws(JSONReadError) in
              sum.points.append(try numberPoint(&r, depth: inner + 1))
            }
          } else if temporality.contains(key) {
            sum.temporality = try self.temporality(&r, key)
          } else if key == "isMonotonic" || key == "is_monotonic" {
            sum.isMonotonic = try bool(&r, key)
          } else {
            try skip(&r, depth: inner)
          }
        }
        data = .sum(sum)
      case "histogram":
        var h = OTLPHistogram()
        if case .histogram(let old) = data { h = old }
        data = .none
        try object(&r, kind, depth: depth) {
          (key: String, r: inout JSONReader) throws(JSONReadError) in
          if points.contains(key) {
            try array(&r, key, depth: inner) { (r: inout JSONReader) throws(JSONReadError) in
              h.points.append(try histogramPoint(&r, depth: inner + 1))
            }
          } else if temporality.contains(key) {
            h.temporality = try self.temporality(&r, key)
          } else {
            try skip(&r, depth: inner)
          }
        }
        data = .histogram(h)
      case "summary":
        var list: [OTLPSummaryPoint] = []
        if case .summary(let p) = data { list = p }
        data = .none
        try object(&r, kind, depth: depth) {
          (key: String, r: inout JSONReader) throws(JSONReadError) in
          if points.contains(key) {
            try array(&r, key, depth: inner) { (r: inout JSONReader) throws(JSONReadError) in
              list.append(try summaryPoint(&r, depth: inner + 1))
            }
          } else {
            try skip(&r, depth: inner)
          }
        }
        data = .summary(list)
      default:
        var h = OTLPExponentialHistogram()
        if case .exponentialHistogram(let old) = data { h = old }
        data = .none
        try object(&r, kind, depth: depth) {
          (key: String, r: inout JSONReader) throws(JSONReadError) in
          if points.contains(key) {
            try array(&r, key, depth: inner) { (r: inout JSONReader) throws(JSONReadError) in
              h.points.append(try exponentialPoint(&r, depth: inner + 1))
            }
          } else if temporality.contains(key) {
            h.temporality = try self.temporality(&r, key)
          } else {
            try skip(&r, depth: inner)
          }
        }
        data = .exponentialHistogram(h)
      }
    }

    /// The members every point kind shares; true when `key` was one of them.
    mutating func commonPointMember(
      _ key: String, _ r: inout JSONReader, depth: Int, attributes: inout [OTLPKeyValue],
      start: inout UInt64, time: inout UInt64, flags: inout UInt32
    ) throws(JSONReadError) -> Bool {
      switch key {
      case "attributes":
        try keyValues(
          &r, key, depth: depth, into: &attributes, limit: OTLPLimits.maxPointAttributes)
      case "startTimeUnixNano", "start_time_unix_nano": start = try uint64(&r, key)
      case "timeUnixNano", "time_unix_nano": time = try uint64(&r, key)
      case "flags": flags = try uint32(&r, key)
      default: return false
      }
      return true
    }

    /// Counts a point that starts at `r`.
    mutating func countPoint(_ r: JSONReader) throws(JSONReadError) {
      try check(budget.addPoint(), r)
    }

    mutating func numberPoint(_ r: inout JSONReader, depth: Int) throws(JSONReadError)
      -> OTLPNumberPoint
    {
      try countPoint(r)
      var out = OTLPNumberPoint()
      try object(&r, "dataPoint", depth: depth) {
        (key: String, r: inout JSONReader) throws(JSONReadError) in
        if try commonPointMember(
          key, &r, depth: depth + 1, attributes: &out.attributes,
          start: &out.startTimeUnixNano, time: &out.timeUnixNano, flags: &out.flags)
        {
          return
        }
        switch key {
        case "asDouble", "as_double": out.value = .double(try double(&r, key))
        case "asInt", "as_int": out.value = .int(try int64(&r, key))
        default: try skip(&r, depth: depth + 1)
        }
      }
      try check(OTLPChecks.pointAttributes(out.attributes), r)
      return out
    }

    mutating func histogramPoint(_ r: inout JSONReader, depth: Int) throws(JSONReadError)
      -> OTLPHistogramPoint
    {
      try countPoint(r)
      var out = OTLPHistogramPoint()
      try object(&r, "dataPoint", depth: depth) {
        (key: String, r: inout JSONReader) throws(JSONReadError) in
        if try commonPointMember(
          key, &r, depth: depth + 1, attributes: &out.attributes,
          start: &out.startTimeUnixNano, time: &out.timeUnixNano, flags: &out.flags)
        {
          return
        }
        switch key {
        case "count": out.count = try uint64(&r, key)
        case "sum": out.sum = try double(&r, key)
        case "min": out.min = try double(&r, key)
        case "max": out.max = try double(&r, key)
        case "bucketCounts", "bucket_counts":
          try counts(&r, key, depth: depth + 1, into: &out.bucketCounts)
        case "explicitBounds", "explicit_bounds":
          try array(&r, key, depth: depth + 1) { (r: inout JSONReader) throws(JSONReadError) in
            out.explicitBounds.append(try double(&r, key))
            try check(budget.addBounds(1, total: out.explicitBounds.count), r)
          }
        default: try skip(&r, depth: depth + 1)
        }
      }
      try check(OTLPChecks.pointAttributes(out.attributes), r)
      return out
    }

    /// A repeated `uint64`/`fixed64` bucket count list, counted against the bucket limits.
    mutating func counts(
      _ r: inout JSONReader, _ key: String, depth: Int, into list: inout [UInt64]
    ) throws(JSONReadError) {
      try array(&r, key, depth: depth) { (r: inout JSONReader) throws(JSONReadError) in
        list.append(try uint64(&r, key))
        try check(budget.addBuckets(1, total: list.count), r)
      }
    }

    mutating func exponentialPoint(_ r: inout JSONReader, depth: Int) throws(JSONReadError)
      -> OTLPExponentialHistogramPoint
    {
      try countPoint(r)
      var out = OTLPExponentialHistogramPoint()
      try object(&r, "dataPoint", depth: depth) {
        (key: String, r: inout JSONReader) throws(JSONReadError) in
        if try commonPointMember(
          key, &r, depth: depth + 1, attributes: &out.attributes,
          start: &out.startTimeUnixNano, time: &out.timeUnixNano, flags: &out.flags)
        {
          return
        }
        switch key {
        case "count": out.count = try uint64(&r, key)
        case "sum": out.sum = try double(&r, key)
        case "min": out.min = try double(&r, key)
        case "max": out.max = try double(&r, key)
        case "scale": out.scale = try int32(&r, key)
        case "zeroCount", "zero_count": out.zeroCount = try uint64(&r, key)
        case "zeroThreshold", "zero_threshold": out.zeroThreshold = try double(&r, key)
        case "positive": try buckets(&r, key, depth: depth + 1, into: &out.positive)
        case "negative": try buckets(&r, key, depth: depth + 1, into: &out.negative)
        default: try skip(&r, depth: depth + 1)
        }
      }
      try check(OTLPChecks.pointAttributes(out.attributes), r)
      return out
    }

    mutating func buckets(
      _ r: inout JSONReader, _ field: String, depth: Int, into out: inout OTLPBuckets
    ) throws(JSONReadError) {
      try object(&r, field, depth: depth) {
        (key: String, r: inout JSONReader) throws(JSONReadError) in
        switch key {
        case "offset": out.offset = try int32(&r, key)
        case "bucketCounts", "bucket_counts":
          try counts(&r, key, depth: depth + 1, into: &out.counts)
        default: try skip(&r, depth: depth + 1)
        }
      }
    }

    mutating func summaryPoint(_ r: inout JSONReader, depth: Int) throws(JSONReadError)
      -> OTLPSummaryPoint
    {
      try countPoint(r)
      var out = OTLPSummaryPoint()
      try object(&r, "dataPoint", depth: depth) {
        (key: String, r: inout JSONReader) throws(JSONReadError) in
        if try commonPointMember(
          key, &r, depth: depth + 1, attributes: &out.attributes,
          start: &out.startTimeUnixNano, time: &out.timeUnixNano, flags: &out.flags)
        {
          return
        }
        switch key {
        case "count": out.count = try uint64(&r, key)
        case "sum": out.sum = try double(&r, key)
        case "quantileValues", "quantile_values":
          try array(&r, key, depth: depth + 1) { (r: inout JSONReader) throws(JSONReadError) in
            var q = OTLPQuantileValue(quantile: 0, value: 0)
            try object(&r, key, depth: depth + 2) {
              (key: String, r: inout JSONReader) throws(JSONReadError) in
              switch key {
              case "quantile": q.quantile = try double(&r, key)
              case "value": q.value = try double(&r, key)
              default: try skip(&r, depth: depth + 3)
              }
            }
            out.quantileValues.append(q)
            try check(budget.addBuckets(1, total: out.quantileValues.count), r)
          }
        default: try skip(&r, depth: depth + 1)
        }
      }
      try check(OTLPChecks.pointAttributes(out.attributes), r)
      return out
    }

    /// A `repeated KeyValue` (an array at `depth`), appended to `list`, at most `limit`.
    mutating func keyValues(
      _ r: inout JSONReader, _ field: String, depth: Int, into list: inout [OTLPKeyValue],
      limit: Int = .max, valueDepth: Int = 0
    ) throws(JSONReadError) {
      try array(&r, field, depth: depth) { (r: inout JSONReader) throws(JSONReadError) in
        try check(budget.addValue(), r)
        guard list.count < limit else {
          throw fail(r, "a data point has more than \(limit) attributes")
        }
        var kv = OTLPKeyValue("", .empty)
        try object(&r, field, depth: depth + 1) {
          (key: String, r: inout JSONReader) throws(JSONReadError) in
          switch key {
          case "key": kv.key = try string(&r, key)
          case "value":
            kv.value = try anyValue(&r, depth: depth + 2, valueDepth: valueDepth)
          default: try skip(&r, depth: depth + 2)
          }
        }
        list.append(kv)
      }
    }

    /// An `AnyValue` object at JSON nesting `depth`, itself nested `valueDepth` values deep.
    mutating func anyValue(_ r: inout JSONReader, depth: Int, valueDepth: Int)
      throws(JSONReadError) -> OTLPAnyValue
    {
      var out = OTLPAnyValue.empty
      try object(&r, "value", depth: depth) {
        (key: String, r: inout JSONReader) throws(JSONReadError) in
        switch key {
        case "stringValue", "string_value": out = .string(try string(&r, key))
        case "boolValue", "bool_value": out = .bool(try bool(&r, key))
        case "intValue", "int_value": out = .int(try int64(&r, key))
        case "doubleValue", "double_value": out = .double(try double(&r, key))
        case "bytesValue", "bytes_value":
          let at = r.offset
          guard let bytes = base64Decode(try string(&r, key)) else {
            throw JSONReadError(message: "\(key) is not base64", offset: at)
          }
          out = .bytes(bytes)
        case "arrayValue", "array_value", "kvlistValue", "kvlist_value":
          guard valueDepth < OTLPLimits.maxValueDepth else {
            throw fail(r, "attribute values nest deeper than \(OTLPLimits.maxValueDepth)")
          }
          let isArray = key.hasPrefix("array")
          var items: [OTLPAnyValue] = []
          var members: [OTLPKeyValue] = []
          try object(&r, key, depth: depth + 1) {
            (key: String, r: inout JSONReader) throws(JSONReadError) in
            guard key == "values" else { return try skip(&r, depth: depth + 2) }
            if isArray {
              try array(&r, key, depth: depth + 2) { (r: inout JSONReader) throws(JSONReadError) in
                try check(budget.addValue(), r)
                items.append(try anyValue(&r, depth: depth + 3, valueDepth: valueDepth + 1))
              }
            } else {
              try keyValues(
                &r, key, depth: depth + 2, into: &members, valueDepth: valueDepth + 1)
            }
          }
          out = isArray ? .array(items) : .kvlist(members)
        default: try skip(&r, depth: depth + 1)
        }
      }
      return out
    }
  }
}
