/// A JSON syntax error: what was expected, and where.
struct JSONSyntaxError: Error {
  var message: StaticString
  var offset: Int
}

/// A byte cursor over one JSON text, validating as it goes (RFC 8259).
///
/// Strings are returned as refs into the record when they have no escapes; otherwise they are
/// decoded into the caller's scratch buffer. Nested values are skipped iteratively with an
/// explicit stack, so hostile nesting cannot overflow the call stack.
struct JSONCursor {
  let p: UnsafeRawBufferPointer
  let n: Int
  var i = 0
  /// A decoded escape produced a byte ≤ 0x02.
  var sawSeparatorByte = false

  init(_ p: UnsafeRawBufferPointer) {
    self.p = p
    self.n = p.count
  }

  @inline(__always)
  func fail(_ m: StaticString) -> JSONSyntaxError { JSONSyntaxError(message: m, offset: i) }

  @inline(__always)
  mutating func skipWhitespace() {
    while i < n {
      let b = p[i]
      if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
        i &+= 1
      } else {
        return
      }
    }
  }

  @inline(__always)
  var peek: UInt8 { i < n ? p[i] : 0 }

  @inline(__always)
  mutating func expect(_ c: UInt8, _ m: StaticString) throws(JSONSyntaxError) {
    guard i < n && p[i] == c else { throw fail(m) }
    i &+= 1
  }

  /// Scans a string whose opening quote is at `i`. With `decode`, an escaped string is
  /// decoded into `scratch`; without it, escapes are only validated (the ref is then raw).
  @inline(__always)
  mutating func string(decode: Bool, scratch: inout [UInt8]) throws(JSONSyntaxError) -> Ref {
    i &+= 1  // opening quote
    let start = i
    while i < n {
      let b = p[i]
      if b == UInt8(ascii: "\"") {
        let r = Ref(start, i, .record)
        i &+= 1
        return r
      }
      if b == UInt8(ascii: "\\") { break }
      if b < 0x20 { throw fail("control character in a string") }
      i &+= 1
    }
    guard i < n else { throw fail("unterminated string") }
    return try escapedString(from: start, decode: decode, scratch: &scratch)
  }

  /// The slow part of ``string(decode:scratch:)``: `i` is at the first backslash.
  mutating func escapedString(from start: Int, decode: Bool, scratch: inout [UInt8])
    throws(JSONSyntaxError) -> Ref
  {
    let out = scratch.count
    if decode { scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[start..<i])) }
    while i < n {
      let b = p[i]
      if b == UInt8(ascii: "\"") {
        i &+= 1
        return decode ? Ref(out, scratch.count, .scratch) : Ref(start, i - 1, .record)
      }
      if b < 0x20 { throw fail("control character in a string") }
      if b != UInt8(ascii: "\\") {
        if decode { scratch.append(b) }
        i &+= 1
        continue
      }
      i &+= 1
      guard i < n else { break }
      let e = p[i]
      i &+= 1
      var decoded: UInt8 = 0
      switch e {
      case UInt8(ascii: "\""): decoded = e
      case UInt8(ascii: "\\"): decoded = e
      case UInt8(ascii: "/"): decoded = e
      case UInt8(ascii: "b"): decoded = 0x08
      case UInt8(ascii: "f"): decoded = 0x0C
      case UInt8(ascii: "n"): decoded = 0x0A
      case UInt8(ascii: "r"): decoded = 0x0D
      case UInt8(ascii: "t"): decoded = 0x09
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if scalar >= 0xD800 && scalar <= 0xDBFF {
          guard i + 1 < n, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else {
            throw fail("unpaired surrogate in \\u escape")
          }
          i &+= 2
          let low = try hex4()
          guard low >= 0xDC00 && low <= 0xDFFF else {
            throw fail("unpaired surrogate in \\u escape")
          }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
          throw fail("unpaired surrogate in \\u escape")
        }
        if scalar <= 2 { sawSeparatorByte = true }
        if decode { appendUTF8(scalar, to: &scratch) }
        continue
      default:
        throw fail("invalid escape in a string")
      }
      if decode { scratch.append(decoded) }
    }
    throw fail("unterminated string")
  }

  mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    guard i + 4 <= n else { throw fail("truncated \\u escape") }
    guard let v = jsonHex4(p, at: i) else { throw fail("invalid hex digit in \\u escape") }
    i += 4
    return v
  }

  /// Scans a number token at `i`, validated against the JSON grammar.
  @inline(__always)
  mutating func number() throws(JSONSyntaxError) -> Ref {
    let start = i
    while i < n {
      let b = p[i]
      if isDigit(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
        || b | 0x20 == UInt8(ascii: "e")
      {
        i &+= 1
      } else {
        break
      }
    }
    guard scanDecimal(p, start, i, json: true) != nil else {
      i = start
      throw fail("invalid number")
    }
    return Ref(start, i, .record)
  }

  /// Scans `true`, `false` or `null` at `i`.
  mutating func literal() throws(JSONSyntaxError) -> Ref {
    let start = i
    let len: Int
    switch peek {
    case UInt8(ascii: "t"): len = i + 4 <= n && equals(p, i, i + 4, "true") ? 4 : 0
    case UInt8(ascii: "f"): len = i + 5 <= n && equals(p, i, i + 5, "false") ? 5 : 0
    case UInt8(ascii: "n"): len = i + 4 <= n && equals(p, i, i + 4, "null") ? 4 : 0
    default: len = 0
    }
    guard len > 0 else { throw fail("invalid literal") }
    i += len
    return Ref(start, i, .record)
  }

  /// Skips one complete value at `i` (after whitespace).
  mutating func skipValue(stack: inout [UInt8]) throws(JSONSyntaxError) {
    stack.removeAll(keepingCapacity: true)
    var unused: [UInt8] = []
    while true {
      // A value starts here.
      skipWhitespace()
      switch peek {
      case UInt8(ascii: "\""):
        _ = try string(decode: false, scratch: &unused)
      case UInt8(ascii: "-"), 0x30...0x39:
        _ = try number()
      case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
        _ = try literal()
      case UInt8(ascii: "{"):
        i &+= 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
          i &+= 1
        } else {
          stack.append(1)
          try memberKey(scratch: &unused)
          continue
        }
      case UInt8(ascii: "["):
        i &+= 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
          i &+= 1
        } else {
          stack.append(2)
          continue
        }
      default:
        throw fail("expected a value")
      }
      // A value ended: close containers or move to the next element.
      while let top = stack.last {
        skipWhitespace()
        let b = peek
        if b == UInt8(ascii: ",") {
          i &+= 1
          if top == 1 { try memberKey(scratch: &unused) }
          break
        } else if b == UInt8(ascii: "}") && top == 1 {
          i &+= 1
          stack.removeLast()
        } else if b == UInt8(ascii: "]") && top == 2 {
          i &+= 1
          stack.removeLast()
        } else {
          throw fail(top == 1 ? "expected , or } in an object" : "expected , or ] in an array")
        }
      }
      if stack.isEmpty { return }
    }
  }

  /// `"key" :` inside a skipped object.
  private mutating func memberKey(scratch: inout [UInt8]) throws(JSONSyntaxError) {
    skipWhitespace()
    guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
    _ = try string(decode: false, scratch: &scratch)
    skipWhitespace()
    try expect(UInt8(ascii: ":"), "expected : after a key")
  }
}

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

/// Default roles for logfmt keys (see ``AliasTable/logfmt``).
@inline(__always)
func logfmtRole(_ k: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> FieldRole {
  switch e - s {
  case 2:
    if equals(k, s, e, "ts") { return .timestamp(rank: 0, unit: .none) }
  case 4:
    if equals(k, s, e, "time") { return .timestamp(rank: 1, unit: .none) }
    if equals(k, s, e, "ts_s") { return .timestamp(rank: 4, unit: .unit(.s)) }
  case 5:
    if equals(k, s, e, "value") { return .value(rank: 0) }
    if equals(k, s, e, "ts_ms") { return .timestamp(rank: 4, unit: .unit(.ms)) }
    if equals(k, s, e, "ts_us") { return .timestamp(rank: 4, unit: .unit(.us)) }
    if equals(k, s, e, "ts_ns") { return .timestamp(rank: 4, unit: .unit(.ns)) }
  case 6:
    if equals(k, s, e, "metric") { return .metric(rank: 0) }
  case 9:
    if equals(k, s, e, "timestamp") { return .timestamp(rank: 2, unit: .none) }
  default:
    break
  }
  return .other
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

/// Parses JSON Lines feeds (SEMANTICS §9.6): one JSON object per line.
///
/// The documented shape is
/// `{"ts":"2026-11-26T10:00:00.123Z","metric":"api_latency_ms","value":123.4,"labels":{"service":"checkout"}}`.
/// - Keys (default aliases): `ts|time|timestamp|@timestamp` (RFC 3339 string, or a number in the
///   feed's unit, guessed by magnitude when none is set), `ts_s|ts_ms|ts_us|ts_ns` (numbers in
///   that unit, F25), `metric|name`, `value|val|v` (a JSON number, or a string holding a
///   decimal number; `"NaN"`/`"Inf"` are rejected as non-finite, F26), `labels|tags` (an
///   object; string, number and boolean members become labels), `type` (ignored). When several
///   aliases are present the first in that list wins; a repeated key's last value wins.
/// - Any other top-level key with a string value is a label; other value types are ignored.
/// - With a mapping that selects fields, the mapped names are used (unmapped roles keep their
///   default aliases) and labels come **only** from `label.` entries.
/// - The whole line is validated: UTF-8, string escapes (with surrogate pairs), nested values,
///   nothing but whitespace after the object. A line with no timestamp gets the arrival time.
///   Blank lines are skipped.
///
/// Steady state is allocation-free: refs point into the line or into scratch buffers the
/// parser keeps, and series are interned from byte spans.
public struct JSONLinesParser: FeedParser {
  private var assembler: RecordAssembler
  private let mapping: CompiledMapping
  private var stack: [UInt8] = []

  /// Creates a parser; `timeUnit` applies to numeric timestamps without a declared unit.
  public init(mapping: FieldMapping = FieldMapping(), timeUnit: TimeUnit? = nil) {
    var a = RecordAssembler(timeUnit: mapping.timeUnit ?? timeUnit)
    self.mapping = CompiledMapping(mapping, assembler: &a)
    assembler = a
    stack.reserveCapacity(64)
  }

  public mutating func parse(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink
  ) {
    if rejectInvalidUTF8(record, line: line, into: &sink) { return }
    var cursor = JSONCursor(record)
    cursor.skipWhitespace()
    if cursor.i == cursor.n { return }  // blank line
    assembler.begin(capacity: record.count)
    do {
      try scanObject(&cursor)
    } catch {
      sink.issues.append(
        ParseIssue(
          line: line, reason: .malformed,
          detail: "invalid JSON at byte \(error.offset + 1): \(error.message)",
          excerpt: printableExcerpt(record)))
      return
    }
    assembler.sawSeparatorByte = cursor.sawSeparatorByte
    assembler.finish(record, line: line, arrival: arrival, into: &sink)
  }

  private mutating func scanObject(_ c: inout JSONCursor) throws(JSONSyntaxError) {
    guard c.peek == UInt8(ascii: "{") else { throw c.fail("expected a JSON object") }
    c.i &+= 1
    c.skipWhitespace()
    if c.peek == UInt8(ascii: "}") {
      c.i &+= 1
    } else {
      while true {
        guard c.peek == UInt8(ascii: "\"") else { throw c.fail("expected a string key") }
        let key = try c.string(decode: true, scratch: &assembler.scratch)
        c.skipWhitespace()
        try c.expect(UInt8(ascii: ":"), "expected : after a key")
        c.skipWhitespace()
        try member(key, &c)
        c.skipWhitespace()
        let b = c.peek
        if b == UInt8(ascii: ",") {
          c.i &+= 1
          c.skipWhitespace()
          continue
        }
        if b == UInt8(ascii: "}") {
          c.i &+= 1
          break
        }
        throw c.fail("expected , or } in an object")
      }
    }
    c.skipWhitespace()
    if c.i != c.n { throw c.fail("unexpected characters after the JSON object") }
  }

  /// Handles one top-level member whose value starts at `c.i`.
  @inline(__always)
  private mutating func member(_ key: Ref, _ c: inout JSONCursor) throws(JSONSyntaxError) {
    let role: FieldRole
    if key.region == .record {
      if mapping.enabled {
        role = mapping.role(c.p, key.start, key.end)
      } else {
        role = defaultRole(c.p, key.start, key.end)
      }
    } else {
      // An escaped key: classify a copy (rare).
      let bytes = Array(assembler.scratch[key.start..<key.end])
      role = bytes.withUnsafeBytes { k in
        if mapping.enabled { return mapping.role(k, 0, k.count) }
        return defaultRole(k, 0, k.count)
      }
    }
    switch role {
    case .timestamp(let rank, let unit):
      switch c.peek {
      case UInt8(ascii: "\""):
        let r = try c.string(decode: true, scratch: &assembler.scratch)
        assembler.setTimestamp(r, syntax: .text, unit: unit, rank: rank, name: key)
      case UInt8(ascii: "-"), 0x30...0x39:
        let r = try c.number()
        assembler.setTimestamp(r, syntax: .jsonNumber, unit: unit, rank: rank, name: key)
      case UInt8(ascii: "n"):
        _ = try c.literal()
        assembler.setTimestamp(nil, syntax: .text, unit: unit, rank: rank, name: key)
      default:
        let start = c.i
        try c.skipValue(stack: &stack)
        if rank <= assembler.tsRank {
          assembler.setTimestamp(nil, syntax: .text, unit: unit, rank: rank, name: key)
          assembler.tsProblem =
            "\(fieldName(key, c.p)) is \(quoted(c.p, start, c.i)), not a time string or number"
        }
      }
    case .metric(let rank):
      if c.peek == UInt8(ascii: "\"") {
        let r = try c.string(decode: true, scratch: &assembler.scratch)
        assembler.setMetric(r, rank: rank)
      } else {
        let start = c.i
        try c.skipValue(stack: &stack)
        if rank <= assembler.metricRank {
          assembler.metric = nil
          assembler.metricRank = rank
          assembler.metricProblem =
            "\(fieldName(key, c.p)) is \(quoted(c.p, start, c.i)), not a string"
        }
      }
    case .value(let rank):
      switch c.peek {
      case UInt8(ascii: "-"), 0x30...0x39:
        let r = try c.number()
        assembler.setValue(r, syntax: .jsonNumber, rank: rank, name: key)
      case UInt8(ascii: "\""):
        let r = try c.string(decode: true, scratch: &assembler.scratch)
        assembler.setValue(r, syntax: .text, rank: rank, name: key)
      case UInt8(ascii: "n"):
        _ = try c.literal()
        assembler.setValue(nil, syntax: .text, rank: rank, name: key)
      default:
        let start = c.i
        try c.skipValue(stack: &stack)
        if rank <= assembler.valueRank {
          assembler.setValue(nil, syntax: .text, rank: rank, name: key)
          assembler.valueProblem =
            "\(fieldName(key, c.p)) is \(quoted(c.p, start, c.i)), not a number"
        }
      }
    case .labels:
      if c.peek == UInt8(ascii: "{") {
        try labelObject(&c)
      } else {
        try c.skipValue(stack: &stack)
      }
    case .ignored:
      try c.skipValue(stack: &stack)
    case .other:
      if mapping.enabled {
        try mappedLabel(key, &c)
      } else if c.peek == UInt8(ascii: "\"") {
        let v = try c.string(decode: true, scratch: &assembler.scratch)
        if key.end > key.start { assembler.labels.append((key, v)) }
      } else {
        try c.skipValue(stack: &stack)
      }
    }
  }

  /// A top-level member under a mapping: a label when a `label.` entry names its key.
  private mutating func mappedLabel(_ key: Ref, _ c: inout JSONCursor) throws(JSONSyntaxError) {
    guard let v = try scalarLabelValue(&c) else { return }
    if key.region == .record {
      for k in mapping.labels.indices
      where mapping.matches(c.p, key.start, key.end, mapping.labels[k].field) {
        assembler.labels.append((mapping.labels[k].name, v))
      }
      return
    }
    // An escaped key: compare a copy (rare).
    let keyBytes = Array(assembler.scratch[key.start..<key.end])
    keyBytes.withUnsafeBytes { kb in
      for k in mapping.labels.indices
      where mapping.matches(kb, 0, kb.count, mapping.labels[k].field) {
        assembler.labels.append((mapping.labels[k].name, v))
      }
    }
  }

  /// A string, number or boolean as label text; nil (skipped) for null, objects and arrays.
  @inline(__always)
  private mutating func scalarLabelValue(_ c: inout JSONCursor) throws(JSONSyntaxError) -> Ref? {
    switch c.peek {
    case UInt8(ascii: "\""):
      return try c.string(decode: true, scratch: &assembler.scratch)
    case UInt8(ascii: "-"), 0x30...0x39:
      return try c.number()
    case UInt8(ascii: "t"), UInt8(ascii: "f"):
      return try c.literal()
    default:
      try c.skipValue(stack: &stack)
      return nil
    }
  }

  /// The members of a `labels` object.
  private mutating func labelObject(_ c: inout JSONCursor) throws(JSONSyntaxError) {
    c.i &+= 1
    c.skipWhitespace()
    if c.peek == UInt8(ascii: "}") {
      c.i &+= 1
      return
    }
    while true {
      guard c.peek == UInt8(ascii: "\"") else { throw c.fail("expected a string key") }
      let key = try c.string(decode: true, scratch: &assembler.scratch)
      c.skipWhitespace()
      try c.expect(UInt8(ascii: ":"), "expected : after a key")
      c.skipWhitespace()
      if let v = try scalarLabelValue(&c), key.end > key.start {
        assembler.labels.append((key, v))
      }
      c.skipWhitespace()
      let b = c.peek
      if b == UInt8(ascii: ",") {
        c.i &+= 1
        c.skipWhitespace()
        continue
      }
      if b == UInt8(ascii: "}") {
        c.i &+= 1
        return
      }
      throw c.fail("expected , or } in an object")
    }
  }

  private func fieldName(_ key: Ref, _ p: UnsafeRawBufferPointer) -> String {
    if key.region == .record { return "\"" + text(p, key.start, key.end) + "\"" }
    return "\"" + String(decoding: assembler.scratch[key.start..<key.end], as: UTF8.self) + "\""
  }
}

/// Appends the UTF-8 encoding of scalar value `v` (not a surrogate, at most U+10FFFF).
@inline(__always)
func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
  if v < 0x80 {
    out.append(UInt8(truncatingIfNeeded: v))
  } else if v < 0x800 {
    out.append(UInt8(truncatingIfNeeded: 0xC0 | v >> 6))
    out.append(UInt8(truncatingIfNeeded: 0x80 | v & 0x3F))
  } else if v < 0x10000 {
    out.append(UInt8(truncatingIfNeeded: 0xE0 | v >> 12))
    out.append(UInt8(truncatingIfNeeded: 0x80 | v >> 6 & 0x3F))
    out.append(UInt8(truncatingIfNeeded: 0x80 | v & 0x3F))
  } else {
    out.append(UInt8(truncatingIfNeeded: 0xF0 | v >> 18))
    out.append(UInt8(truncatingIfNeeded: 0x80 | v >> 12 & 0x3F))
    out.append(UInt8(truncatingIfNeeded: 0x80 | v >> 6 & 0x3F))
    out.append(UInt8(truncatingIfNeeded: 0x80 | v & 0x3F))
  }
}
