/// OpenTelemetry metrics as OTLP sends them: an `ExportMetricsServiceRequest`
/// (opentelemetry-proto, `collector/metrics/v1/metrics_service.proto` and `metrics/v1`), decoded
/// from protobuf (``OTLPProtobufDecoder``) or from OTLP/JSON (``OTLPJSONDecoder``) and mapped
/// into samples by ``OTLPParser`` (DECISIONS D46).
///
/// Only what Vigil reads is kept: exemplars, schema URLs, entity refs, dropped-attribute counts
/// and the profiling-only `*_strindex` fields are skipped as unknown fields are. Times are the
/// wire's unsigned nanoseconds since the epoch (0: not set).
public struct OTLPRequest: Sendable, Equatable {
  public var resourceMetrics: [OTLPResourceMetrics] = []
  public init(resourceMetrics: [OTLPResourceMetrics] = []) {
    self.resourceMetrics = resourceMetrics
  }

  /// Every data point of every metric.
  public var dataPointCount: Int {
    resourceMetrics.reduce(0) { r, rm in
      r + rm.scopeMetrics.reduce(0) { s, sm in s + sm.metrics.reduce(0) { $0 + $1.data.count } }
    }
  }
}

/// The metrics of one resource (a process, a host, a pod...).
public struct OTLPResourceMetrics: Sendable, Equatable {
  /// `Resource.attributes`.
  public var resource: [OTLPKeyValue] = []
  public var scopeMetrics: [OTLPScopeMetrics] = []
  public init(resource: [OTLPKeyValue] = [], scopeMetrics: [OTLPScopeMetrics] = []) {
    self.resource = resource
    self.scopeMetrics = scopeMetrics
  }
}

extension OTLPResourceMetrics {
  /// The resource attributes that become labels of every series of the resource, and the
  /// label each becomes (D46). The others (host, process, SDK...) are dropped.
  public static let labelAttributes: [String: String] = [
    "service.name": "service", "service.instance.id": "instance",
  ]
}

/// The metrics of one instrumentation scope (a library).
public struct OTLPScopeMetrics: Sendable, Equatable {
  public var scope = OTLPScope()
  public var metrics: [OTLPMetric] = []
  public init(scope: OTLPScope = OTLPScope(), metrics: [OTLPMetric] = []) {
    self.scope = scope
    self.metrics = metrics
  }
}

/// `InstrumentationScope`.
public struct OTLPScope: Sendable, Equatable {
  public var name = ""
  public var version = ""
  public var attributes: [OTLPKeyValue] = []
  public init(name: String = "", version: String = "", attributes: [OTLPKeyValue] = []) {
    self.name = name
    self.version = version
    self.attributes = attributes
  }
}

/// One metric: its name, unit, description and data.
public struct OTLPMetric: Sendable, Equatable {
  public var name = ""
  public var description = ""
  public var unit = ""
  public var data = OTLPMetricData.none
  public init(
    name: String = "", description: String = "", unit: String = "", data: OTLPMetricData = .none
  ) {
    self.name = name
    self.description = description
    self.unit = unit
    self.data = data
  }
}

/// `AggregationTemporality`. A number the protocol does not define reads as ``unspecified``.
public enum OTLPTemporality: Int32, Sendable, Equatable {
  case unspecified = 0
  /// Each point covers the time since the previous one: its counts are increments.
  case delta = 1
  /// Each point covers the time since its start time: its counts only grow until a reset.
  case cumulative = 2

  init(wire: Int32) { self = OTLPTemporality(rawValue: wire) ?? .unspecified }
}

/// The `oneof data` of a metric.
public enum OTLPMetricData: Sendable, Equatable {
  /// A metric without data (nothing to take).
  case none
  case gauge([OTLPNumberPoint])
  case sum(OTLPSum)
  case histogram(OTLPHistogram)
  case exponentialHistogram(OTLPExponentialHistogram)
  case summary([OTLPSummaryPoint])

  /// How many data points the metric has.
  public var count: Int {
    switch self {
    case .none: 0
    case .gauge(let p): p.count
    case .sum(let s): s.points.count
    case .histogram(let h): h.points.count
    case .exponentialHistogram(let h): h.points.count
    case .summary(let p): p.count
    }
  }
}

public struct OTLPSum: Sendable, Equatable {
  public var points: [OTLPNumberPoint] = []
  public var temporality = OTLPTemporality.unspecified
  public var isMonotonic = false
  public init(
    points: [OTLPNumberPoint] = [], temporality: OTLPTemporality = .unspecified,
    isMonotonic: Bool = false
  ) {
    self.points = points
    self.temporality = temporality
    self.isMonotonic = isMonotonic
  }
}

public struct OTLPHistogram: Sendable, Equatable {
  public var points: [OTLPHistogramPoint] = []
  public var temporality = OTLPTemporality.unspecified
  public init(points: [OTLPHistogramPoint] = [], temporality: OTLPTemporality = .unspecified) {
    self.points = points
    self.temporality = temporality
  }
}

public struct OTLPExponentialHistogram: Sendable, Equatable {
  public var points: [OTLPExponentialHistogramPoint] = []
  public var temporality = OTLPTemporality.unspecified
  public init(
    points: [OTLPExponentialHistogramPoint] = [], temporality: OTLPTemporality = .unspecified
  ) {
    self.points = points
    self.temporality = temporality
  }
}

/// `DataPointFlags`.
public enum OTLPFlags {
  /// Bit 0: the point stands for a gap (no value was recorded, e.g. a target that went away).
  public static let noRecordedValue: UInt32 = 1
}

/// The `oneof value` of a number point. Two NaNs compare equal here (and in
/// ``OTLPAnyValue``), so decodings can be compared; plain `Double` fields follow `Double`.
public enum OTLPNumber: Sendable, Equatable {
  case none
  case double(Double)
  case int(Int64)

  /// The value as a double (nil when none was sent).
  public var doubleValue: Double? {
    switch self {
    case .none: nil
    case .double(let d): d
    case .int(let i): Double(i)
    }
  }

  public static func == (a: OTLPNumber, b: OTLPNumber) -> Bool {
    switch (a, b) {
    case (.none, .none): true
    case (.double(let x), .double(let y)): x == y || (x.isNaN && y.isNaN)
    case (.int(let x), .int(let y)): x == y
    default: false
    }
  }
}

/// `NumberDataPoint` (gauges and sums).
public struct OTLPNumberPoint: Sendable, Equatable {
  public var attributes: [OTLPKeyValue] = []
  public var startTimeUnixNano: UInt64 = 0
  public var timeUnixNano: UInt64 = 0
  public var value = OTLPNumber.none
  public var flags: UInt32 = 0
  public init(
    attributes: [OTLPKeyValue] = [], startTimeUnixNano: UInt64 = 0, timeUnixNano: UInt64 = 0,
    value: OTLPNumber = .none, flags: UInt32 = 0
  ) {
    self.attributes = attributes
    self.startTimeUnixNano = startTimeUnixNano
    self.timeUnixNano = timeUnixNano
    self.value = value
    self.flags = flags
  }
}

/// `HistogramDataPoint`: explicit bucket bounds. `bucketCounts[i]` counts the observations in
/// `(explicitBounds[i-1], explicitBounds[i]]`, the last one those above the last bound.
public struct OTLPHistogramPoint: Sendable, Equatable {
  public var attributes: [OTLPKeyValue] = []
  public var startTimeUnixNano: UInt64 = 0
  public var timeUnixNano: UInt64 = 0
  public var count: UInt64 = 0
  public var sum: Double?
  public var bucketCounts: [UInt64] = []
  public var explicitBounds: [Double] = []
  public var flags: UInt32 = 0
  public var min: Double?
  public var max: Double?
  public init(
    attributes: [OTLPKeyValue] = [], startTimeUnixNano: UInt64 = 0, timeUnixNano: UInt64 = 0,
    count: UInt64 = 0, sum: Double? = nil, bucketCounts: [UInt64] = [],
    explicitBounds: [Double] = [], flags: UInt32 = 0, min: Double? = nil, max: Double? = nil
  ) {
    self.attributes = attributes
    self.startTimeUnixNano = startTimeUnixNano
    self.timeUnixNano = timeUnixNano
    self.count = count
    self.sum = sum
    self.bucketCounts = bucketCounts
    self.explicitBounds = explicitBounds
    self.flags = flags
    self.min = min
    self.max = max
  }
}

/// One range of an exponential histogram: `counts[k]` is the count of bucket index
/// `offset + k`, `(base^(offset+k), base^(offset+k+1)]` in absolute value.
public struct OTLPBuckets: Sendable, Equatable {
  public var offset: Int32 = 0
  public var counts: [UInt64] = []
  public init(offset: Int32 = 0, counts: [UInt64] = []) {
    self.offset = offset
    self.counts = counts
  }
}

/// `ExponentialHistogramDataPoint`: buckets at powers of `base = 2^(2^-scale)`.
public struct OTLPExponentialHistogramPoint: Sendable, Equatable {
  public var attributes: [OTLPKeyValue] = []
  public var startTimeUnixNano: UInt64 = 0
  public var timeUnixNano: UInt64 = 0
  public var count: UInt64 = 0
  public var sum: Double?
  public var scale: Int32 = 0
  public var zeroCount: UInt64 = 0
  public var positive = OTLPBuckets()
  public var negative = OTLPBuckets()
  public var flags: UInt32 = 0
  public var min: Double?
  public var max: Double?
  public var zeroThreshold: Double = 0
  public init(
    attributes: [OTLPKeyValue] = [], startTimeUnixNano: UInt64 = 0, timeUnixNano: UInt64 = 0,
    count: UInt64 = 0, sum: Double? = nil, scale: Int32 = 0, zeroCount: UInt64 = 0,
    positive: OTLPBuckets = OTLPBuckets(), negative: OTLPBuckets = OTLPBuckets(),
    flags: UInt32 = 0, min: Double? = nil, max: Double? = nil, zeroThreshold: Double = 0
  ) {
    self.attributes = attributes
    self.startTimeUnixNano = startTimeUnixNano
    self.timeUnixNano = timeUnixNano
    self.count = count
    self.sum = sum
    self.scale = scale
    self.zeroCount = zeroCount
    self.positive = positive
    self.negative = negative
    self.flags = flags
    self.min = min
    self.max = max
    self.zeroThreshold = zeroThreshold
  }
}

/// `SummaryDataPoint.ValueAtQuantile`.
public struct OTLPQuantileValue: Sendable, Equatable {
  public var quantile: Double
  public var value: Double
  public init(quantile: Double, value: Double) {
    self.quantile = quantile
    self.value = value
  }
}

/// `SummaryDataPoint`: quantiles over the sender's own window; count and sum cumulative.
public struct OTLPSummaryPoint: Sendable, Equatable {
  public var attributes: [OTLPKeyValue] = []
  public var startTimeUnixNano: UInt64 = 0
  public var timeUnixNano: UInt64 = 0
  public var count: UInt64 = 0
  public var sum: Double = 0
  public var quantileValues: [OTLPQuantileValue] = []
  public var flags: UInt32 = 0
  public init(
    attributes: [OTLPKeyValue] = [], startTimeUnixNano: UInt64 = 0, timeUnixNano: UInt64 = 0,
    count: UInt64 = 0, sum: Double = 0, quantileValues: [OTLPQuantileValue] = [],
    flags: UInt32 = 0
  ) {
    self.attributes = attributes
    self.startTimeUnixNano = startTimeUnixNano
    self.timeUnixNano = timeUnixNano
    self.count = count
    self.sum = sum
    self.quantileValues = quantileValues
    self.flags = flags
  }
}

/// `KeyValue`: an attribute.
public struct OTLPKeyValue: Sendable, Equatable {
  public var key: String
  public var value: OTLPAnyValue
  public init(_ key: String, _ value: OTLPAnyValue) {
    self.key = key
    self.value = value
  }
}

/// `AnyValue`.
public indirect enum OTLPAnyValue: Sendable, Equatable {
  /// No value set (an empty `AnyValue`).
  case empty
  case string(String)
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case bytes([UInt8])
  case array([OTLPAnyValue])
  case kvlist([OTLPKeyValue])

  public static func == (a: OTLPAnyValue, b: OTLPAnyValue) -> Bool {
    switch (a, b) {
    case (.empty, .empty): true
    case (.string(let x), .string(let y)): x == y
    case (.bool(let x), .bool(let y)): x == y
    case (.int(let x), .int(let y)): x == y
    case (.double(let x), .double(let y)): x == y || (x.isNaN && y.isNaN)
    case (.bytes(let x), .bytes(let y)): x == y
    case (.array(let x), .array(let y)): x == y
    case (.kvlist(let x), .kvlist(let y)): x == y
    default: false
    }
  }

  /// The value as label text (DECISIONS D46), or nil when it would be longer than `limit`
  /// bytes:
  /// - a string as it is; an empty value as the empty string (the label is then absent);
  /// - a bool as `true`/`false`, an int in decimal;
  /// - a double in its shortest round-trip form without a trailing `.0` (`1`, `0.25`,
  ///   `1e-07`), `NaN`, `+Inf`, `-Inf`;
  /// - bytes in standard base64 with padding (what OTLP/JSON carries, and what the Collector's
  ///   `AsString` gives);
  /// - arrays and kvlists as compact JSON (`["a",1,true]`, `{"k":"v"}`; members in the order
  ///   sent; non-finite doubles as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` as
  ///   OTLP/JSON writes them; an empty value as `null`).
  public func labelText(limit: Int = OTLPLimits.maxLabelValueBytes) -> String? {
    switch self {
    case .string(let s): return s.utf8.count <= limit ? s : nil
    case .empty: return ""
    default:
      var out = ""
      guard appendLabelText(&out, limit: limit, json: false) else { return nil }
      return out
    }
  }

  /// Appends the value's text; false when `out` grew past `limit` bytes.
  private func appendLabelText(_ out: inout String, limit: Int, json: Bool) -> Bool {
    switch self {
    case .empty: out += json ? "null" : ""
    case .string(let s):
      if json { appendJSONString(&out, s) } else { out += s }
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .double(let d):
      if d.isFinite {
        out += formatJSONNumber(d)
      } else if json {
        out += d.isNaN ? "\"NaN\"" : (d > 0 ? "\"Infinity\"" : "\"-Infinity\"")
      } else {
        out += d.isNaN ? "NaN" : (d > 0 ? "+Inf" : "-Inf")
      }
    case .bytes(let b):
      guard base64Length(b.count) + 2 <= limit - out.utf8.count else { return false }
      if json { out += "\"" }
      out += base64Encode(b)
      if json { out += "\"" }
    case .array(let items):
      out += "["
      for (k, item) in items.enumerated() {
        if k > 0 { out += "," }
        guard item.appendLabelText(&out, limit: limit, json: true) else { return false }
      }
      out += "]"
    case .kvlist(let members):
      out += "{"
      for (k, m) in members.enumerated() {
        if k > 0 { out += "," }
        guard out.utf8.count + m.key.utf8.count <= limit else { return false }
        appendJSONString(&out, m.key)
        out += ":"
        guard m.value.appendLabelText(&out, limit: limit, json: true) else { return false }
      }
      out += "}"
    }
    return out.utf8.count <= limit
  }
}

/// The length of the padded base64 text of `n` bytes.
func base64Length(_ n: Int) -> Int { (n + 2) / 3 * 4 }

/// Standard base64 (RFC 4648 §4) with padding: attribute bytes, basic auth, recordings.
public func base64Encode(_ bytes: [UInt8]) -> String {
  let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  var out: [UInt8] = []
  out.reserveCapacity(base64Length(bytes.count))
  var i = 0
  while i < bytes.count {
    let b0 = UInt32(bytes[i])
    let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
    let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
    let n = b0 << 16 | b1 << 8 | b2
    out.append(alphabet[Int(n >> 18 & 63)])
    out.append(alphabet[Int(n >> 12 & 63)])
    out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
    out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
    i += 3
  }
  return String(decoding: out, as: UTF8.self)
}

/// Base64 text (standard or URL-safe alphabet, padding optional, as protobuf's JSON mapping
/// accepts) to bytes; nil when it is not base64.
func base64Decode(_ text: String) -> [UInt8]? {
  var out: [UInt8] = []
  var acc: UInt32 = 0
  var bits = 0
  var padding = 0
  for c in text.utf8 {
    let v: UInt32
    switch c {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
    case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
    case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
    case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
    case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
    case UInt8(ascii: "="):
      padding += 1
      continue
    default: return nil
    }
    guard padding == 0 else { return nil }  // data after padding
    acc = acc << 6 | v
    bits += 6
    if bits >= 8 {
      bits -= 8
      out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
    }
  }
  // A lone sixth of a byte, or padding that does not complete a quantum, is not base64.
  guard bits < 6, padding <= 2 else { return nil }
  return out
}
