// The roles of a record's keys: default aliases per format, and a compiled field mapping.

/// The role of a top-level key.
enum FieldRole {
  case timestamp(rank: Int, unit: DeclaredUnit)
  case metric(rank: Int)
  case value(rank: Int)
  case labels
  case ignored
  case other
}

/// Default aliases (SEMANTICS §9.6): `ts|time|timestamp|@timestamp`, `ts_s|ts_ms|ts_us|ts_ns`,
/// `metric|name`, `value|val|v`, `labels|tags`, and `type` (accepted, ignored).
@inline(__always)
func defaultRole(_ k: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> FieldRole {
  switch e - s {
  case 1:
    if k[s] == UInt8(ascii: "v") { return .value(rank: 2) }
  case 2:
    if equals(k, s, e, "ts") { return .timestamp(rank: 0, unit: .none) }
  case 3:
    if equals(k, s, e, "val") { return .value(rank: 1) }
  case 4:
    if equals(k, s, e, "time") { return .timestamp(rank: 1, unit: .none) }
    if equals(k, s, e, "name") { return .metric(rank: 1) }
    if equals(k, s, e, "tags") { return .labels }
    if equals(k, s, e, "type") { return .ignored }
    if equals(k, s, e, "ts_s") { return .timestamp(rank: 4, unit: .unit(.s)) }
  case 5:
    if equals(k, s, e, "value") { return .value(rank: 0) }
    if equals(k, s, e, "ts_ms") { return .timestamp(rank: 4, unit: .unit(.ms)) }
    if equals(k, s, e, "ts_us") { return .timestamp(rank: 4, unit: .unit(.us)) }
    if equals(k, s, e, "ts_ns") { return .timestamp(rank: 4, unit: .unit(.ns)) }
  case 6:
    if equals(k, s, e, "metric") { return .metric(rank: 0) }
    if equals(k, s, e, "labels") { return .labels }
  case 9:
    if equals(k, s, e, "timestamp") { return .timestamp(rank: 2, unit: .none) }
  case 10:
    if equals(k, s, e, "@timestamp") { return .timestamp(rank: 3, unit: .none) }
  default:
    break
  }
  return .other
}

/// Which default aliases a format uses.
enum AliasTable {
  /// JSON and CSV: the full alias list of ``defaultRole(_:_:_:)``.
  case json
  /// logfmt: only `ts|time|timestamp`, `ts_s|ts_ms|ts_us|ts_ns`, `metric` and `value`, since
  /// log lines are full of free-form keys such as `name` or `v`.
  case logfmt
}

/// Default roles for logfmt keys (see ``AliasTable/logfmt``): the JSON aliases less `@timestamp`
/// (timestamp rank 3), `val`/`v`, `name`, `labels`/`tags` and `type`.
@inline(__always)
func logfmtRole(_ k: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> FieldRole {
  switch defaultRole(k, s, e) {
  case .timestamp(let rank, let unit) where rank != 3: .timestamp(rank: rank, unit: unit)
  case .value(rank: 0): .value(rank: 0)
  case .metric(rank: 0): .metric(rank: 0)
  default: .other
  }
}

/// A mapping compiled to byte ranges over one buffer, shared by the parsers.
///
/// Plain ranges rather than nested arrays, so consulting it per key costs no reference
/// counting.
struct CompiledMapping: Sendable {
  /// Whether the mapping selects fields; when false the parsers use their defaults only.
  var enabled = false
  /// Every mapped field name, back to back.
  private var bytes: [UInt8] = []
  private var ts: Range<Int>?
  private var value: Range<Int>?
  private var metric: Range<Int>?
  /// (field range in `bytes`, label name in the assembler's `names`).
  private(set) var labels: [(field: Range<Int>, name: Ref)] = []

  init() {}

  init(_ m: FieldMapping, assembler: inout RecordAssembler) {
    func add(_ s: String) -> Range<Int> {
      let start = bytes.count
      bytes.append(contentsOf: s.utf8)
      return start..<bytes.count
    }
    enabled = m.selectsFields
    ts = m.ts.map(add)
    value = m.value.map(add)
    switch m.metric {
    case .field(let f): metric = add(f)
    case .constant(let c): assembler.constantMetric = assembler.addName(c)
    case nil: break
    }
    for l in m.labels { labels.append((add(l.field), assembler.addName(l.name))) }
    if let v = m.value { assembler.defaultValueName = v }
    if let t = m.ts { assembler.defaultTimestampName = t }
  }

  /// Whether `k[s..<e]` equals the field at `r`.
  @inline(__always)
  func matches(_ k: UnsafeRawBufferPointer, _ s: Int, _ e: Int, _ r: Range<Int>) -> Bool {
    guard e - s == r.count else { return false }
    return bytes.withUnsafeBytes { b in
      var i = 0
      while i < r.count {
        if k[s + i] != b[r.lowerBound + i] { return false }
        i += 1
      }
      return true
    }
  }

  /// The role of key `k[s..<e]` under this mapping; `.other` for a mapped label or unknown key.
  @inline(__always)
  func role(_ k: UnsafeRawBufferPointer, _ s: Int, _ e: Int, table: AliasTable = .json)
    -> FieldRole
  {
    if let r = ts, matches(k, s, e, r) { return .timestamp(rank: -1, unit: .none) }
    if let r = value, matches(k, s, e, r) { return .value(rank: -1) }
    if let r = metric, matches(k, s, e, r) { return .metric(rank: -1) }
    let d = table == .json ? defaultRole(k, s, e) : logfmtRole(k, s, e)
    switch d {
    case .timestamp: return ts == nil ? d : .other
    case .value: return value == nil ? d : .other
    case .metric: return metric == nil ? d : .other
    case .labels, .ignored: return .ignored
    case .other: return .other
    }
  }
}
