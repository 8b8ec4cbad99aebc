/// One field value of an InfluxDB line (SEMANTICS F17).
public enum InfluxFieldValue: Sendable, Equatable {
  case float(Double)
  case integer(Int64)
  case unsigned(UInt64)
  case boolean(Bool)
  case string(String)
}

/// One decoded InfluxDB line, for tests and tools (``InfluxLineParser/point(_:)``).
public struct InfluxPoint: Sendable, Equatable {
  public var measurement: String
  public var tags: [(String, String)]
  public var fields: [(String, InfluxFieldValue)]
  /// As written, in the line's precision; nil when the line has none.
  public var timestamp: Int64?

  public static func == (a: InfluxPoint, b: InfluxPoint) -> Bool {
    a.measurement == b.measurement && a.timestamp == b.timestamp
      && a.tags.elementsEqual(b.tags, by: { $0 == $1 })
      && a.fields.elementsEqual(b.fields, by: { $0.0 == $1.0 && $0.1 == $1.1 })
  }
}

/// Parses InfluxDB line protocol (SEMANTICS §9.5): `measurement[,tag=v…] field=v[,…] [ts]`.
///
/// - One line per record from a file or stdin; a UDP datagram is split on `\n`. Blank lines and
///   lines starting with `#` are skipped; CR and spaces around a line are trimmed.
/// - Escapes: `\,` and `\ ` in the measurement; `\,`, `\=` and `\ ` in tag keys, tag values
///   and field keys; `\"` in string fields; `\\` everywhere. Any other backslash is literal
///   (`\\\` reads as `\\`), and quotes inside names are literal (F16, F20).
/// - Field values: float (`1`, `-1.5e3`), integer `1i`, unsigned `1u`, boolean
///   (`t T true True TRUE f F false False FALSE`, as 1 or 0), string `"…"` (F17). A string
///   field is skipped on purpose and counted in ``ParseSink/skipped``; it is not an error.
/// - Each numeric field is a sample of the series `measurement_field`, or `measurement` when
///   the field is called `value`, with the tags as labels. When a field repeats in a line, the
///   last one wins.
/// - The timestamp is an integer in nanoseconds, or in `timeUnit` when the feed declares one
///   (`--time-unit`; no guessing by magnitude); without one the sample takes its arrival time
///   (F19).
/// - Rejected as a whole line: syntax errors, an empty tag value, a name starting with `_`,
///   no field (``RejectReason/malformed``); an empty measurement
///   (``RejectReason/missingMetric``); an unparseable value (``RejectReason/badValue``); a bad
///   timestamp (``RejectReason/badTimestamp``); a negative value for a duration series.
public struct InfluxLineParser: FeedParser {
  enum Value {
    case float(Double)
    case integer(Int64)
    case unsigned(UInt64)
    case boolean(Bool)
    case string(Ref)

    var number: Double? {
      switch self {
      case .float(let v): v
      case .integer(let v): Double(v)
      case .unsigned(let v): Double(v)
      case .boolean(let b): b ? 1 : 0
      case .string: nil
      }
    }
  }

  private let unitNanos: Int64
  private var scratch: [UInt8] = []
  private var names: [UInt8] = []
  private var measurement = Ref(0, 0, .record)
  private var tags: [(Ref, Ref)] = []
  private var fields: [(Ref, Value)] = []
  private var timestamp: Int64?
  /// Per field: a later field of the same name wins over it.
  private var shadowed: [Bool] = []

  /// Creates a parser; `timeUnit` is the precision of timestamps (nil: nanoseconds).
  public init(timeUnit: TimeUnit? = nil) {
    unitNanos = (timeUnit ?? .ns).nanoseconds
  }

  public mutating func parse(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink
  ) {
    var lines = ByteCursor(record, 0, record.count)
    repeat {
      let start = lines.take(until: 0x0A)
      if let l = Self.trimmed(record, start, lines.i) {
        if let bad = firstInvalidUTF8(l) {
          sink.issues.append(
            FieldRejection(.invalidUTF8, "invalid UTF-8 at byte \(bad + 1)").issue(line: line, l))
        } else if let problem = scan(l) ?? emit(l, arrival: arrival, into: &sink) {
          sink.issues.append(problem.issue(line: line, l))
        }
      }
    } while lines.consume(0x0A)
  }

  /// The line without surrounding spaces and CR; nil for a blank line or a comment.
  private static func trimmed(_ p: UnsafeRawBufferPointer, _ s0: Int, _ e0: Int)
    -> UnsafeRawBufferPointer?
  {
    var s = s0
    var e = e0
    while e > s && (p[e - 1] == 0x0D || p[e - 1] == 0x20 || p[e - 1] == 0x09) { e -= 1 }
    while s < e && (p[s] == 0x20 || p[s] == 0x09) { s += 1 }
    if s == e || p[s] == UInt8(ascii: "#") { return nil }
    return UnsafeRawBufferPointer(rebasing: p[s..<e])
  }

  /// Decodes one line into `measurement`, `tags`, `fields` and `timestamp`.
  mutating func scan(_ p: UnsafeRawBufferPointer) -> FieldRejection? {
    scratch.removeAll(keepingCapacity: true)
    tags.removeAll(keepingCapacity: true)
    fields.removeAll(keepingCapacity: true)
    timestamp = nil
    let e = p.count
    var i = 0
    measurement = token(p, &i, e, equalsStops: false, escapeEquals: false)
    if measurement.start == measurement.end {
      return FieldRejection(.missingMetric, "no measurement before \(i < e ? "\",\"" : "the end")")
    }
    if first(measurement, p) == UInt8(ascii: "_") {
      return FieldRejection(.malformed, "the measurement starts with \"_\" (reserved)")
    }
    // Tags.
    while i < e && p[i] == UInt8(ascii: ",") {
      i += 1
      let key = token(p, &i, e, equalsStops: true, escapeEquals: true)
      guard i < e && p[i] == UInt8(ascii: "=") else {
        return FieldRejection(.malformed, "a tag without \"=\" at byte \(i + 1)")
      }
      if key.start == key.end { return FieldRejection(.malformed, "an empty tag key") }
      if first(key, p) == UInt8(ascii: "_") {
        return FieldRejection(.malformed, "a tag key starts with \"_\" (reserved)")
      }
      i += 1
      let value = token(p, &i, e, equalsStops: false, escapeEquals: true)
      if value.start == value.end {
        return FieldRejection(.malformed, "an empty tag value at byte \(i + 1)")
      }
      tags.append((key, value))
    }
    guard i < e && p[i] == 0x20 else {
      return FieldRejection(.malformed, "no fields (a space and field=value after the tags)")
    }
    while i < e && p[i] == 0x20 { i += 1 }
    // Fields.
    while true {
      let key = token(p, &i, e, equalsStops: true, escapeEquals: true)
      guard i < e && p[i] == UInt8(ascii: "=") else {
        return FieldRejection(
          .malformed, key.start == key.end ? "no fields" : "a field without \"=\" at byte \(i + 1)")
      }
      if key.start == key.end { return FieldRejection(.malformed, "an empty field key") }
      if first(key, p) == UInt8(ascii: "_") {
        return FieldRejection(.malformed, "a field key starts with \"_\" (reserved)")
      }
      i += 1
      switch fieldValue(p, &i, e) {
      case .success(let v): fields.append((key, v))
      case .failure(let why): return why
      }
      if i < e && p[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      break
    }
    // Timestamp.
    while i < e && p[i] == 0x20 { i += 1 }
    if i < e {
      guard let t = Self.integer(p, i, e) else {
        return FieldRejection(
          .badTimestamp, "timestamp \(quoted(p, i, e)) is not an integer")
      }
      timestamp = t
    }
    return nil
  }

  /// Turns the scanned line into samples (all or none).
  private mutating func emit(
    _ p: UnsafeRawBufferPointer, arrival: Timestamp, into sink: inout ParseSink
  ) -> FieldRejection? {
    var time = arrival
    if let t = timestamp {
      let (ns, overflow) = t.multipliedReportingOverflow(by: unitNanos)
      if overflow {
        return FieldRejection(.badTimestamp, "timestamp \(t) is out of range")
      }
      time = Timestamp(nanoseconds: ns)
    }
    markShadowed(p)
    let before = sink.samples.count
    let tagCount = tags.count
    let fieldCount = fields.count
    for k in 0..<fieldCount {
      let (key, value) = fields[k]
      guard let v = value.number else {
        sink.skipped += 1
        continue
      }
      if shadowed[k] { continue }
      names.removeAll(keepingCapacity: true)
      appendName(measurement, p)
      if !withBytes(key, p, { equals($0, 0, $0.count, "value") }) {
        names.append(UInt8(ascii: "_"))
        appendName(key, p)
      }
      let problem: FieldRejection? = names.withUnsafeBytes { metric in
        if v < 0 && isDurationMetric(metric, 0, metric.count) {
          return FieldRejection(
            .negativeDuration,
            "field \(quoted(metric, 0, metric.count)) is \(v) for a duration series")
        }
        return scratch.withUnsafeBytes { sb in
          withUnsafeTemporaryAllocation(of: LabelSpan.self, capacity: tagCount) { spans in
            for j in 0..<tagCount {
              spans.initializeElement(
                at: j,
                to: LabelSpan(
                  name: Self.buffer(tags[j].0, p, sb), value: Self.buffer(tags[j].1, p, sb)))
            }
            switch SeriesCheck.intern(metric: metric, labels: spans, into: &sink) {
            case .success(let id):
              sink.samples.append(Sample(series: id, timestamp: time, value: v))
              return nil
            case .failure(let why):
              return why
            }
          }
        }
      }
      if let problem {
        sink.samples.removeSubrange(before...)
        return problem
      }
    }
    return nil
  }

  /// Marks every field that a later one of the same name replaces (O(n) for long lines).
  private mutating func markShadowed(_ p: UnsafeRawBufferPointer) {
    let n = fields.count
    shadowed.removeAll(keepingCapacity: true)
    shadowed.append(contentsOf: repeatElement(false, count: n))
    if n <= 16 {
      for k in 0..<n {
        shadowed[k] = (k + 1..<n).contains { bytesEqual(fields[$0].0, fields[k].0, p) }
      }
      return
    }
    var later: [UInt64: [Int]] = [:]
    for k in stride(from: n - 1, through: 0, by: -1) {
      let h = withBytes(fields[k].0, p) { byteHash($0) }
      if let list = later[h] {
        shadowed[k] = list.contains { bytesEqual(fields[$0].0, fields[k].0, p) }
      }
      later[h, default: []].append(k)
    }
  }

  // MARK: - Tokens

  /// Scans a name from `i` to the first unescaped space or comma (and `=` with
  /// `equalsStops`). `\` before a space, a comma, a backslash (or `=` with `escapeEquals`)
  /// stands for that byte; any other backslash is literal.
  private mutating func token(
    _ p: UnsafeRawBufferPointer, _ i: inout Int, _ e: Int, equalsStops: Bool, escapeEquals: Bool
  ) -> Ref {
    let start = i
    var out: Int? = nil
    while i < e {
      let b = p[i]
      if b == UInt8(ascii: "\\") && i + 1 < e {
        let c = p[i + 1]
        if c == 0x20 || c == UInt8(ascii: ",") || c == UInt8(ascii: "\\")
          || (escapeEquals && c == UInt8(ascii: "="))
        {
          if out == nil {
            out = scratch.count
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[start..<i]))
          }
          scratch.append(c)
          i += 2
          continue
        }
      }
      if b == 0x20 || b == UInt8(ascii: ",") || (equalsStops && b == UInt8(ascii: "=")) { break }
      if out != nil { scratch.append(b) }
      i += 1
    }
    if let out { return Ref(out, scratch.count, .scratch) }
    return Ref(start, i, .record)
  }

  /// Scans a field value at `i` (after the `=`).
  private mutating func fieldValue(_ p: UnsafeRawBufferPointer, _ i: inout Int, _ e: Int)
    -> Result<Value, FieldRejection>
  {
    if i < e && p[i] == UInt8(ascii: "\"") {
      i += 1
      let out = scratch.count
      while i < e && p[i] != UInt8(ascii: "\"") {
        if p[i] == UInt8(ascii: "\\") && i + 1 < e
          && (p[i + 1] == UInt8(ascii: "\"") || p[i + 1] == UInt8(ascii: "\\"))
        {
          i += 1
        }
        scratch.append(p[i])
        i += 1
      }
      guard i < e else {
        return .failure(FieldRejection(.malformed, "an unterminated string field"))
      }
      i += 1
      guard i == e || p[i] == 0x20 || p[i] == UInt8(ascii: ",") else {
        return .failure(
          FieldRejection(.malformed, "text after the closing quote at byte \(i + 1)"))
      }
      return .success(.string(Ref(out, scratch.count, .scratch)))
    }
    let s = i
    while i < e && p[i] != 0x20 && p[i] != UInt8(ascii: ",") { i += 1 }
    if i == s { return .failure(FieldRejection(.missingValue, "a field without a value")) }
    let last = p[i - 1]
    if last == UInt8(ascii: "i") {
      guard let v = Self.integer(p, s, i - 1) else {
        return .failure(
          FieldRejection(.badValue, "integer \(quoted(p, s, i)) is not an int64"))
      }
      return .success(.integer(v))
    }
    if last == UInt8(ascii: "u") {
      guard let v = Self.unsigned(p, s, i - 1) else {
        return .failure(
          FieldRejection(.badValue, "unsigned \(quoted(p, s, i)) is not a uint64"))
      }
      return .success(.unsigned(v))
    }
    if equals(p, s, i, "t") || equals(p, s, i, "T") || equals(p, s, i, "true")
      || equals(p, s, i, "True") || equals(p, s, i, "TRUE")
    {
      return .success(.boolean(true))
    }
    if equals(p, s, i, "f") || equals(p, s, i, "F") || equals(p, s, i, "false")
      || equals(p, s, i, "False") || equals(p, s, i, "FALSE")
    {
      return .success(.boolean(false))
    }
    switch parseNumber(p, s, i, syntax: .decimal) {
    case .number(let v): return .success(.float(v))
    case .nonFinite:
      return .failure(FieldRejection(.nonFinite, "value \(quoted(p, s, i)) is not finite"))
    case .outOfRange:
      return .failure(FieldRejection(.badValue, "value \(quoted(p, s, i)) is out of range"))
    case .invalid:
      return .failure(FieldRejection(.badValue, "value \(quoted(p, s, i)) is not a number"))
    }
  }

  /// `[-+]?[0-9]+` as an Int64; nil when malformed or out of range.
  private static func integer(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int64? {
    var i = s
    var negative = false
    if i < e && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
      negative = p[i] == UInt8(ascii: "-")
      i += 1
    }
    guard let magnitude = unsigned(p, i, e) else { return nil }
    if negative {
      guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
      return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
    }
    guard magnitude <= UInt64(Int64.max) else { return nil }
    return Int64(magnitude)
  }

  /// `[0-9]+` as a UInt64; nil when malformed or out of range.
  private static func unsigned(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> UInt64? {
    guard e > s else { return nil }
    var v: UInt64 = 0
    for i in s..<e {
      guard isDigit(p[i]) else { return nil }
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(UInt64(p[i] - 0x30))
      if o1 || o2 { return nil }
      v = a
    }
    return v
  }

  // MARK: - Refs

  private static func buffer(
    _ r: Ref, _ p: UnsafeRawBufferPointer, _ scratch: UnsafeRawBufferPointer
  ) -> UnsafeRawBufferPointer {
    r.region == .record
      ? UnsafeRawBufferPointer(rebasing: p[r.start..<r.end])
      : UnsafeRawBufferPointer(rebasing: scratch[r.start..<r.end])
  }

  private func withBytes<R>(
    _ r: Ref, _ p: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R
  ) -> R {
    scratch.withUnsafeBytes { body(Self.buffer(r, p, $0)) }
  }

  private mutating func appendName(_ r: Ref, _ p: UnsafeRawBufferPointer) {
    if r.region == .record {
      names.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[r.start..<r.end]))
    } else {
      names.append(contentsOf: scratch[r.start..<r.end])
    }
  }

  private func first(_ r: Ref, _ p: UnsafeRawBufferPointer) -> UInt8 {
    withBytes(r, p) { $0.first ?? 0 }
  }

  private func bytesEqual(_ a: Ref, _ b: Ref, _ p: UnsafeRawBufferPointer) -> Bool {
    scratch.withUnsafeBytes { s in
      compareBytes(Self.buffer(a, p, s), Self.buffer(b, p, s)) == 0
    }
  }

  private func string(_ r: Ref, _ p: UnsafeRawBufferPointer) -> String {
    withBytes(r, p) { text($0, 0, $0.count) }
  }

  /// Decodes one line (no newline) without interning it; nil when the parser would reject
  /// it. For tests and tools.
  public static func point(_ line: String) -> InfluxPoint? {
    var parser = InfluxLineParser()
    return Array(line.utf8).withUnsafeBytes { p -> InfluxPoint? in
      guard firstInvalidUTF8(p) == nil, parser.scan(p) == nil else { return nil }
      return InfluxPoint(
        measurement: parser.string(parser.measurement, p),
        tags: parser.tags.map { (parser.string($0.0, p), parser.string($0.1, p)) },
        fields: parser.fields.map { key, value in
          let v: InfluxFieldValue =
            switch value {
            case .float(let x): .float(x)
            case .integer(let x): .integer(x)
            case .unsigned(let x): .unsigned(x)
            case .boolean(let x): .boolean(x)
            case .string(let r): .string(parser.string(r, p))
            }
          return (parser.string(key, p), v)
        },
        timestamp: parser.timestamp)
    }
  }
}
