/// Whether a metric name denotes a duration, for which a negative value is rejected
/// (``RejectReason/negativeDuration``).
///
/// True when the name ends in `_ms`, `_us`, `_ns`, `_seconds` or `_secs`, or contains
/// `latency`, `delay` or `duration` (case-sensitive, as metric names are lower case).
///
/// ```swift
/// isDurationMetric("api_latency_ms")           // true
/// isDurationMetric("order_confirmation_delay") // true
/// isDurationMetric("payment_retries_total")    // false
/// ```
public func isDurationMetric(_ name: String) -> Bool {
  Array(name.utf8).withUnsafeBytes { isDurationMetric($0, 0, $0.count) }
}

/// The byte version of ``isDurationMetric(_:)`` used per record.
func isDurationMetric(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
  hasSuffix(p, s, e, "_ms") || hasSuffix(p, s, e, "_us") || hasSuffix(p, s, e, "_ns")
    || hasSuffix(p, s, e, "_seconds") || hasSuffix(p, s, e, "_secs")
    || contains(p, s, e, "latency") || contains(p, s, e, "delay") || contains(p, s, e, "duration")
}

/// Where a byte range lives while a record is parsed.
enum Region: UInt8 {
  /// The record itself.
  case record
  /// The parser's scratch buffer (decoded escapes, constant metric).
  case scratch
  /// The parser's fixed names (CSV header names, mapped label names).
  case names
}

/// A byte range in one of the ``Region``s; offsets, so buffers may grow while parsing.
struct Ref {
  var start: Int
  var end: Int
  var region: Region

  init(_ start: Int, _ end: Int, _ region: Region) {
    self.start = start
    self.end = end
    self.region = region
  }
}

/// How a value or timestamp token was written.
enum TokenSyntax {
  /// A JSON number token.
  case jsonNumber
  /// Text (a JSON string, a CSV field, a logfmt value): decimal grammar or RFC 3339.
  case text
}

/// The unit implied by the field a timestamp came from (`ts_ms`), if any.
enum DeclaredUnit {
  case none
  case unit(TimeUnit)
}

/// Collects one record's fields and turns them into a sample or an issue.
///
/// Shared by the line parsers: they scan their syntax and fill in refs; ``finish`` applies
/// the cross-format rules (SEMANTICS §9.10) in a fixed order: metric, value, negative
/// duration, timestamp, control characters, series cap. Owns reusable buffers, so a
/// steady-state record allocates nothing.
struct RecordAssembler: Sendable {
  /// Decoded escapes and other bytes built per record.
  var scratch: [UInt8] = []
  /// Fixed names: label names that are not in the record, and the constant metric.
  var names: [UInt8] = []
  /// Labels of the current record (name, value).
  var labels: [(Ref, Ref)] = []

  /// The feed's unit for numeric timestamps without a declared unit (nil: guess).
  var timeUnit: TimeUnit?
  /// A `metric=const:` name, in `names`.
  var constantMetric: Ref?
  /// Accept a duration suffix on the value (`8ms`; logfmt, SEMANTICS F33).
  var durationValues = false

  // Per record.
  var metric: Ref?
  var metricRank = Int.max
  /// Why the metric field was unusable, when it was present but not a string.
  var metricProblem: String?
  var value: Ref?
  var valueRank = Int.max
  var valueSyntax = TokenSyntax.text
  var valueProblem: String?
  var valueName: Ref?
  var ts: Ref?
  var tsRank = Int.max
  var tsSyntax = TokenSyntax.text
  var tsUnit = DeclaredUnit.none
  var tsProblem: String?
  var tsName: Ref?
  /// Some byte ≤ 0x02 appeared (the interner's separators); checked at the end.
  var sawSeparatorByte = false

  /// Fallback field names for details when no name ref is set.
  var defaultValueName = "value"
  var defaultTimestampName = "ts"

  init(timeUnit: TimeUnit?) {
    self.timeUnit = timeUnit
  }

  /// Adds a fixed name; returns its ref.
  mutating func addName(_ s: String) -> Ref {
    let start = names.count
    names.append(contentsOf: s.utf8)
    return Ref(start, names.count, .names)
  }

  /// Clears the per-record state.
  @inline(__always)
  mutating func begin(capacity: Int) {
    scratch.removeAll(keepingCapacity: true)
    if scratch.capacity < capacity { scratch.reserveCapacity(capacity) }
    labels.removeAll(keepingCapacity: true)
    metric = constantMetric
    metricRank = constantMetric == nil ? Int.max : Int.min
    metricProblem = nil
    value = nil
    valueRank = Int.max
    valueProblem = nil
    valueName = nil
    ts = nil
    tsRank = Int.max
    tsUnit = .none
    tsProblem = nil
    tsName = nil
    sawSeparatorByte = false
  }

  @inline(__always)
  mutating func setMetric(_ r: Ref, rank: Int) {
    if rank <= metricRank {
      metric = r
      metricRank = rank
      metricProblem = nil
    }
  }

  @inline(__always)
  mutating func setValue(_ r: Ref?, syntax: TokenSyntax, rank: Int, name: Ref?) {
    if rank <= valueRank {
      value = r
      valueSyntax = syntax
      valueRank = rank
      valueName = name
      valueProblem = nil
    }
  }

  @inline(__always)
  mutating func setTimestamp(
    _ r: Ref?, syntax: TokenSyntax, unit: DeclaredUnit, rank: Int, name: Ref?
  ) {
    if rank <= tsRank {
      ts = r
      tsSyntax = syntax
      tsUnit = unit
      tsRank = rank
      tsName = name
      tsProblem = nil
    }
  }

  /// Applies the rules and appends a sample or an issue to `sink`.
  mutating func finish(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink
  ) {
    scratch.withUnsafeBytes { scratchBytes in
      names.withUnsafeBytes { nameBytes in
        let b = RefBuffers(record: record, scratch: scratchBytes, names: nameBytes)
        do throws(FieldRejection) {
          sink.samples.append(try sample(b, arrival: arrival, into: &sink))
        } catch {
          sink.issues.append(error.issue(line: line, record))
        }
      }
    }
  }

  /// The record's sample, or the first rule it breaks, in the order of SEMANTICS §9.10.
  @inline(__always)
  private func sample(_ b: RefBuffers, arrival: Timestamp, into sink: inout ParseSink)
    throws(FieldRejection) -> Sample
  {
    guard let metricRef = metric, metricRef.end > metricRef.start else {
      throw FieldRejection(
        .missingMetric, metricProblem ?? "no metric name (and no metric=const: mapping)")
    }
    let metricBytes = b[metricRef]
    let number = try number(b, metric: metricBytes)
    let timestamp = try timestamp(b, arrival: arrival)
    try checkNames(b, metric: metricBytes)
    let id = withUnsafeTemporaryAllocation(of: LabelSpan.self, capacity: labels.count) {
      spans -> SeriesID? in
      for k in 0..<labels.count {
        let (n, v) = labels[k]
        spans.initializeElement(at: k, to: LabelSpan(name: b[n], value: b[v]))
      }
      return sink.intern(metric: metricBytes, labels: spans)
    }
    guard let id else {
      throw FieldRejection(
        sink.interner.lastRefusal.reason, sink.interner.refusalDetail(metricBytes))
    }
    return Sample(series: id, timestamp: timestamp, value: number)
  }

  /// The value: a number (or, with `durationValues`, a duration), not negative for a duration
  /// metric.
  @inline(__always)
  private func number(_ b: RefBuffers, metric metricBytes: UnsafeRawBufferPointer)
    throws(FieldRejection) -> Double
  {
    if let problem = valueProblem { throw FieldRejection(.badValue, problem) }
    func field() -> String { "\"\(b.name(valueName, defaultValueName))\"" }  // for messages only
    guard let valueRef = value else { throw FieldRejection(.missingValue, "no \(field()) field") }
    let vb = b[valueRef]
    if vb.isEmpty { throw FieldRejection(.missingValue, "\(field()) is empty") }
    let number: Double
    switch parseNumber(vb, 0, vb.count, syntax: valueSyntax == .jsonNumber ? .json : .decimal) {
    case .number(let v):
      number = v
    case .nonFinite:
      throw FieldRejection(.nonFinite, "\(field()) is \(quoted(vb, 0, vb.count)), not finite")
    case .outOfRange:
      throw FieldRejection(
        .badValue, "\(field()) is \(quoted(vb, 0, vb.count)), out of range for a double")
    case .invalid:
      guard durationValues, let converted = durationValue(vb, metric: metricBytes) else {
        throw FieldRejection(.badValue, "\(field()) is \(quoted(vb, 0, vb.count)), not a number")
      }
      switch converted {
      case .success(let v): number = v
      case .failure(let why): throw FieldRejection(.badValue, "\(field()) \(why.message)")
      }
    }
    if number < 0 && isDurationMetric(metricBytes, 0, metricBytes.count) {
      throw FieldRejection(
        .negativeDuration,
        "\(field()) is \(number) for duration metric \(quoted(metricBytes, 0, metricBytes.count))")
    }
    return number
  }

  /// The timestamp field's time, or `arrival` when there is none (or it is empty).
  @inline(__always)
  private func timestamp(_ b: RefBuffers, arrival: Timestamp) throws(FieldRejection) -> Timestamp {
    if let problem = tsProblem { throw FieldRejection(.badTimestamp, problem) }
    guard let tsRef = ts else { return arrival }
    let tb = b[tsRef]
    if tb.isEmpty { return arrival }
    let unit: TimeUnit?
    switch tsUnit {
    case .none: unit = timeUnit
    case .unit(let u): unit = u
    }
    switch parseTimestamp(tb, syntax: tsSyntax, unit: unit) {
    case .success(let t):
      return t
    case .failure(let why):
      throw FieldRejection(
        .badTimestamp, "\"\(b.name(tsName, defaultTimestampName))\" \(why.message)")
    }
  }

  /// Names the interner could get wrong: separator bytes (distinct series would collide) and
  /// non-NFC label names (the interner orders by bytes, `LabelSet` by `String`; the two agree
  /// for NFC text only).
  @inline(__always)
  private func checkNames(_ b: RefBuffers, metric metricBytes: UnsafeRawBufferPointer)
    throws(FieldRejection)
  {
    if sawSeparatorByte {
      if hasSeparatorByte(metricBytes) {
        throw FieldRejection(.malformed, "the metric name contains a control character")
      }
      for (n, v) in labels where hasSeparatorByte(b[n]) || hasSeparatorByte(b[v]) {
        throw FieldRejection(
          .malformed, "label \(quoted(b[n], 0, b[n].count)) has a control character")
      }
    }
    if labels.count > 1 && labels.contains(where: { hasNonASCII(b[$0.0]) }) {
      var names = labels.map { text(b[$0.0], 0, b[$0.0].count) }
      names.sort { compareUTF8($0, $1) < 0 }
      for (x, y) in zip(names, names.dropFirst()) where compareUTF8(x, y) != 0 && !(x < y) {
        throw FieldRejection(
          .malformed,
          "label names \"\(printableExcerpt(x))\" and \"\(printableExcerpt(y))\" are not in "
            + "Unicode normalization form C")
      }
    }
  }
}

/// The buffers a ``Ref`` points into while ``RecordAssembler/finish`` runs.
struct RefBuffers {
  let record: UnsafeRawBufferPointer
  let scratch: UnsafeRawBufferPointer
  let names: UnsafeRawBufferPointer

  @inline(__always)
  subscript(_ r: Ref) -> UnsafeRawBufferPointer {
    switch r.region {
    case .record: UnsafeRawBufferPointer(rebasing: record[r.start..<r.end])
    case .scratch: UnsafeRawBufferPointer(rebasing: scratch[r.start..<r.end])
    case .names: UnsafeRawBufferPointer(rebasing: names[r.start..<r.end])
    }
  }

  /// The text of a field name `r`, or `fallback` without one.
  func name(_ r: Ref?, _ fallback: String) -> String {
    guard let r else { return fallback }
    let b = self[r]
    return text(b, 0, b.count)
  }
}

/// Whether `b` holds a byte ≥ 0x80.
func hasNonASCII(_ b: UnsafeRawBufferPointer) -> Bool {
  firstNonASCII(in: b) < b.count
}

/// Byte-wise (UTF-8) ordering of two strings.
func compareUTF8(_ a: String, _ b: String) -> Int {
  a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : (a.utf8.elementsEqual(b.utf8) ? 0 : 1)
}

/// Whether `b` holds a byte ≤ 0x02 (the interner's separators).
func hasSeparatorByte(_ b: UnsafeRawBufferPointer) -> Bool {
  b.contains { $0 <= 2 }
}

/// A parse failure's explanation, completing "\"field\" …".
struct FieldProblem: Error {
  var message: String
}

/// Parses a timestamp token: RFC 3339 text, or a number in `unit` (nil: guess by magnitude:
/// < 1e11 s, < 1e14 ms, < 1e17 µs, otherwise ns).
func parseTimestamp(_ b: UnsafeRawBufferPointer, syntax: TokenSyntax, unit: TimeUnit?)
  -> Result<Timestamp, FieldProblem>
{
  if syntax == .text && RFC3339.looksLikeDate(b, 0, b.count) {
    switch RFC3339.parse(b, 0, b.count) {
    case .timestamp(let t): return .success(t)
    case .noOffset:
      return .failure(FieldProblem(message: "is \(quoted(b, 0, b.count)), which has no UTC offset"))
    case .invalid(let why):
      return .failure(FieldProblem(message: "is \(quoted(b, 0, b.count)): \(why)"))
    case .outOfRange:
      return .failure(FieldProblem(message: "is \(quoted(b, 0, b.count)), out of range"))
    }
  }
  guard let (token, approximate) = parseScaledInteger(b, 0, b.count, json: syntax == .jsonNumber)
  else {
    return .failure(
      FieldProblem(message: "is \(quoted(b, 0, b.count)), not an RFC 3339 time or a number"))
  }
  let u = unit ?? guessUnit(approximate)
  let scale: Int
  switch u {
  case .s: scale = 9
  case .ms: scale = 6
  case .us: scale = 3
  case .ns: scale = 0
  }
  guard let ns = scaled(token, by: scale) else {
    return .failure(FieldProblem(message: "is \(quoted(b, 0, b.count)), out of range"))
  }
  return .success(Timestamp(nanoseconds: ns))
}

/// The unit of a numeric timestamp guessed from its magnitude.
func guessUnit(_ v: Double) -> TimeUnit {
  let m = abs(v)
  if m < 1e11 { return .s }
  if m < 1e14 { return .ms }
  if m < 1e17 { return .us }
  return .ns
}

/// Duration suffixes and the nanoseconds they stand for, in the order they are tried (`ms`
/// after `ns`, `us` and `µs`, so `s` only matches a bare `s`).
private let durationSuffixes: [(suffix: StaticString, nanos: Double)] = [
  ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
]

/// A value with a duration suffix (`8ms`, `1.5s`, `250us`), converted to milliseconds for a
/// metric ending in `_ms` and to seconds for one ending in `_seconds`. Nil when `b` has no
/// duration suffix.
func durationValue(_ b: UnsafeRawBufferPointer, metric: UnsafeRawBufferPointer)
  -> Result<Double, FieldProblem>?
{
  let n = b.count
  guard let unit = durationSuffixes.first(where: { hasSuffix(b, 0, n, $0.suffix) }) else {
    return nil
  }
  let unitNanos = unit.nanos
  let suffix = unit.suffix.utf8CodeUnitCount
  guard case .number(let amount) = parseNumber(b, 0, n - suffix, syntax: .decimal) else {
    return nil
  }
  let targetNanos: Double
  if hasSuffix(metric, 0, metric.count, "_ms") {
    targetNanos = 1e6
  } else if hasSuffix(metric, 0, metric.count, "_seconds") {
    targetNanos = 1e9
  } else {
    return .failure(
      FieldProblem(
        message: "is the duration \(quoted(b, 0, n)), but the metric name ends in neither "
          + "_ms nor _seconds"))
  }
  // Both factors are exact integers in a Double, so one operation rounds correctly.
  let v =
    unitNanos >= targetNanos
    ? amount * (unitNanos / targetNanos) : amount / (targetNanos / unitNanos)
  guard v.isFinite else {
    return .failure(FieldProblem(message: "is \(quoted(b, 0, n)), out of range"))
  }
  return .success(v)
}
