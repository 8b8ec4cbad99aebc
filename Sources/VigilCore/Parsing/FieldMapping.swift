/// How a feed's fields become a sample: `--map ts=time,value=duration_ms,metric=const:api_latency_ms,label.service=svc`.
///
/// Items are comma-separated `key=value` pairs (spaces around items are ignored):
/// - `ts=FIELD`: the timestamp field (JSON key, CSV column or logfmt key);
/// - `value=FIELD`: the value field;
/// - `metric=FIELD`, or `metric=const:NAME` for a fixed metric name;
/// - `label.NAME=FIELD`, or just `label.NAME` for the field called `NAME`;
/// - `time_unit=s|ms|us|ns`: the unit of numeric timestamps.
///
/// Once any of `ts`, `value`, `metric` or a `label.` entry is given, labels come **only** from
/// the `label.` entries, so a log line's `user_id` or `msg` cannot explode cardinality; roles
/// that are not mapped keep their default aliases. `time_unit` alone changes nothing else.
///
/// ```swift
/// let m = try FieldMapping.parse("ts=time,value=duration_ms,metric=const:api_latency_ms")
/// // {"time":"2026-11-26T10:00:00Z","duration_ms":231,"service":"checkout","msg":"ok"}
/// // → api_latency_ms 231 (add label.service to keep the service)
/// ```
public struct FieldMapping: Sendable, Equatable, CustomStringConvertible {
  /// Where the metric name comes from.
  public enum Metric: Sendable, Equatable {
    case field(String)
    case constant(String)
  }

  /// A label taken from a field.
  public struct MappedLabel: Sendable, Equatable {
    public var name: String
    public var field: String
    public init(name: String, field: String) {
      self.name = name
      self.field = field
    }
  }

  public var ts: String?
  public var value: String?
  public var metric: Metric?
  public var labels: [MappedLabel]
  public var timeUnit: TimeUnit?

  /// The empty mapping: default aliases and flat labels.
  public init() {
    labels = []
  }

  public init(
    ts: String? = nil, value: String? = nil, metric: Metric? = nil, labels: [MappedLabel] = [],
    timeUnit: TimeUnit? = nil
  ) {
    self.ts = ts
    self.value = value
    self.metric = metric
    self.labels = labels
    self.timeUnit = timeUnit
  }

  /// Whether any field is mapped, which restricts labels to the `label.` entries.
  public var selectsFields: Bool {
    ts != nil || value != nil || metric != nil || !labels.isEmpty
  }

  /// The mapping as a `--map` specification (parses back to an equal mapping).
  public var description: String {
    var items: [String] = []
    if let ts { items.append("ts=\(ts)") }
    if let value { items.append("value=\(value)") }
    switch metric {
    case .field(let f): items.append("metric=\(f)")
    case .constant(let c): items.append("metric=const:\(c)")
    case nil: break
    }
    for l in labels {
      items.append(l.name == l.field ? "label.\(l.name)" : "label.\(l.name)=\(l.field)")
    }
    if let timeUnit { items.append("time_unit=\(timeUnit.rawValue)") }
    return items.joined(separator: ",")
  }

  /// Parses a `--map` specification; an empty specification is the empty mapping.
  public static func parse(_ spec: String) throws(FieldMappingError) -> FieldMapping {
    var m = FieldMapping()
    if spec.allSatisfy({ $0 == " " }) { return m }
    for rawItem in spec.split(separator: ",", omittingEmptySubsequences: false) {
      let item = trimSpaces(rawItem)
      guard !item.isEmpty else {
        throw FieldMappingError(
          "empty item in --map \"\(spec)\" (check for a doubled or trailing comma)")
      }
      let key: Substring
      let value: Substring?
      if let eq = item.firstIndex(of: "=") {
        key = trimSpaces(item[..<eq])
        value = trimSpaces(item[item.index(after: eq)...])
      } else {
        key = item
        value = nil
      }
      func field() throws(FieldMappingError) -> String {
        guard let value, !value.isEmpty else {
          throw FieldMappingError("\"\(item)\": \(key) needs a field name, as in \(key)=FIELD")
        }
        return String(value)
      }
      func once<T>(_ existing: T?) throws(FieldMappingError) {
        if existing != nil { throw FieldMappingError("\"\(item)\": \(key) is given twice") }
      }
      switch key {
      case "ts":
        try once(m.ts)
        m.ts = try field()
      case "value":
        try once(m.value)
        m.value = try field()
      case "metric":
        try once(m.metric)
        let f = try field()
        if f.hasPrefix("const:") {
          let name = String(f.dropFirst("const:".count))
          guard !name.isEmpty else {
            throw FieldMappingError("\"\(item)\": metric=const: needs a metric name")
          }
          m.metric = .constant(name)
        } else {
          m.metric = .field(f)
        }
      case "time_unit":
        try once(m.timeUnit)
        let f = try field()
        guard let u = TimeUnit(rawValue: f) else {
          throw FieldMappingError("\"\(item)\": time_unit must be s, ms, us or ns")
        }
        m.timeUnit = u
      default:
        guard key.hasPrefix("label.") else {
          throw FieldMappingError(
            "\"\(item)\": unknown key \"\(key)\" (expected ts, value, metric, label.NAME or time_unit)"
          )
        }
        let name = String(key.dropFirst("label.".count))
        guard !name.isEmpty else {
          throw FieldMappingError("\"\(item)\": label. needs a name, as in label.service=svc")
        }
        if m.labels.contains(where: { $0.name == name }) {
          throw FieldMappingError("\"\(item)\": label \(name) is given twice")
        }
        if let value, value.isEmpty {
          throw FieldMappingError("\"\(item)\": label.\(name) needs a field name after =")
        }
        m.labels.append(MappedLabel(name: name, field: value.map(String.init) ?? name))
      }
    }
    return m
  }
}

private func trimSpaces(_ s: Substring) -> Substring {
  var t = s
  while t.first == " " { t = t.dropFirst() }
  while t.last == " " { t = t.dropLast() }
  return t
}

/// Why a `--map` specification is invalid.
public struct FieldMappingError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Builds parsers and guesses formats.
public enum Parsers {
  /// A parser for `format` with `mapping`; numeric timestamps without a declared unit use `timeUnit`
  /// (nil: guess by magnitude). A mapping's `time_unit` takes precedence over `timeUnit`.
  public static func make(_ format: FeedFormat, mapping: FieldMapping, timeUnit: TimeUnit? = nil)
    -> any FeedParser
  {
    switch format {
    case .json: JSONLinesParser(mapping: mapping, timeUnit: timeUnit)
    case .csv: CSVParser(mapping: mapping, timeUnit: timeUnit)
    case .logfmt: LogfmtParser(mapping: mapping, timeUnit: timeUnit)
    case .prometheus: PrometheusParser(dialect: .prometheus)
    case .openmetrics: PrometheusParser(dialect: .openMetrics)
    case .statsd: StatsDParser()
    case .influx: InfluxLineParser(timeUnit: timeUnit)
    case .otlp: OTLPParser(encoding: .auto)
    }
  }

  /// Guesses the format from the first bytes of a feed; nil when there is not enough to tell.
  ///
  /// Looks at the first non-blank complete line (a UTF-8 BOM is skipped): a line starting
  /// `{"resourceMetrics"` → otlp (told before the line is complete); other `{` → json;
  /// `# HELP name` or `# TYPE name`, or a Prometheus sample line (`name{labels} value`) →
  /// prometheus (text 0.0.4: OpenMetrics is chosen only by `--format`); `key=value` pairs
  /// separated by spaces → logfmt; a comma-separated header of at least two identifier-like
  /// names (optionally quoted) → csv. Nil when no line is complete yet, or when the line
  /// matches none of these.
  public static func detect(_ prefix: UnsafeRawBufferPointer) -> FeedFormat? {
    var start = 0
    if prefix.count >= 3 && prefix[0] == 0xEF && prefix[1] == 0xBB && prefix[2] == 0xBF {
      start = 3
    }
    while start < prefix.count {
      let nl = firstIndex(of: 0x0A, in: prefix, from: start, to: prefix.count)
      // An OTLP/JSON request line (the Collector's file exporter) is told by its first key,
      // before its end: such lines are often longer than detection looks.
      if looksLikeOTLPJSON(prefix, start, nl) { return .otlp }
      if nl == prefix.count { return nil }  // no complete line yet
      var s = start
      var e = nl
      while s < e && (prefix[s] == 0x20 || prefix[s] == 0x09) { s += 1 }
      while e > s && (prefix[e - 1] == 0x20 || prefix[e - 1] == 0x09 || prefix[e - 1] == 0x0D) {
        e -= 1
      }
      if s == e {
        start = nl + 1
        continue
      }
      if prefix[s] == UInt8(ascii: "{") { return .json }
      if looksLikeExposition(prefix, s, e) { return .prometheus }
      if looksLikeLogfmt(prefix, s, e) { return .logfmt }
      if looksLikeCSVHeader(prefix, s, e) { return .csv }
      return nil
    }
    return nil
  }

  /// A line starting `{"resourceMetrics"` or `{"resource_metrics"` (blanks allowed).
  static func looksLikeOTLPJSON(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
    var i = start
    func blanks() { while i < end && (p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0D) { i += 1 } }
    blanks()
    guard i < end && p[i] == UInt8(ascii: "{") else { return false }
    i += 1
    blanks()
    return equals(p, i, min(end, i + 17), "\"resourceMetrics\"")
      || equals(p, i, min(end, i + 18), "\"resource_metrics\"")
  }

  private static func isIdentifierByte(_ b: UInt8, first: Bool) -> Bool {
    switch b {
    case 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "_"), UInt8(ascii: "@"): true
    case 0x30...0x39, UInt8(ascii: "."), UInt8(ascii: "-"): !first
    default: false
    }
  }

  /// `key=value` tokens separated by spaces; the first token must have `=`.
  private static func looksLikeLogfmt(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
    var i = s
    var k = i
    while k < e && isIdentifierByte(p[k], first: k == i) { k += 1 }
    guard k > i, k < e, p[k] == UInt8(ascii: "=") else { return false }
    // The rest must split into tokens whose keys are identifiers.
    var fields = 0
    while i < e {
      while i < e && p[i] == 0x20 { i += 1 }
      if i == e { break }
      let keyStart = i
      while i < e && isIdentifierByte(p[i], first: i == keyStart) { i += 1 }
      guard i > keyStart else { return false }
      fields += 1
      if i < e && p[i] == UInt8(ascii: "=") {
        i += 1
        if i < e && p[i] == UInt8(ascii: "\"") {
          i += 1
          while i < e && p[i] != UInt8(ascii: "\"") {
            if p[i] == UInt8(ascii: "\\") { i += 1 }
            i += 1
          }
          guard i < e else { return false }
          i += 1
        } else {
          while i < e && p[i] != 0x20 { i += 1 }
        }
      }
      guard i == e || p[i] == 0x20 else { return false }
    }
    return fields > 0
  }

  private static func looksLikeCSVHeader(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
    var fields = 0
    var i = s
    while true {
      var fs = i
      var fe = i
      while fe < e && p[fe] != UInt8(ascii: ",") { fe += 1 }
      i = fe
      while fs < fe && p[fs] == 0x20 { fs += 1 }
      while fe > fs && p[fe - 1] == 0x20 { fe -= 1 }
      if fe - fs >= 2 && p[fs] == UInt8(ascii: "\"") && p[fe - 1] == UInt8(ascii: "\"") {
        fs += 1
        fe -= 1
      }
      guard fe > fs else { return false }
      for k in fs..<fe where !isIdentifierByte(p[k], first: k == fs) { return false }
      fields += 1
      if i == e { break }
      i += 1
    }
    return fields >= 2
  }
}
