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
    if c.enterObject() {
      repeat {
        let key = try c.key(scratch: &assembler.scratch)
        try member(key, &c)
      } while try c.nextMember()
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
    guard c.enterObject() else { return }
    repeat {
      let key = try c.key(scratch: &assembler.scratch)
      if let v = try scalarLabelValue(&c), key.end > key.start {
        assembler.labels.append((key, v))
      }
    } while try c.nextMember()
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
