/// Parses CSV feeds (RFC 4180, SEMANTICS §9.7), one record at a time from
/// ``CSVRecordFramer``.
///
/// - The first non-blank record is the header (a UTF-8 BOM is skipped, names are trimmed of
///   spaces). A record numbered 1 is a header again: the file was truncated and restarted.
///   Any other header change mid-file is not supported (its record is parsed as data).
/// - **Long layout** without a mapping: the timestamp, metric and value columns use the JSON
///   aliases (`ts|time|timestamp|@timestamp`, `ts_s|ts_ms|ts_us|ts_ns`, `metric|name`,
///   `value|val|v`); every other column is a label named after its header.
/// - **Wide layout** through the mapping: `value=` picks the value column, `metric=const:NAME`
///   (or `metric=COLUMN`) the metric, and only `label.X=COLUMN` entries become labels.
/// - A record with a different field count from the header is ``RejectReason/fieldCount``
///   (F29). Spaces belong to the field (F30: `" 12 "` is not a number). An empty field is
///   missing: no label, the arrival time, or a missing value/metric. Blank records are skipped.
/// - Quoted fields may hold the delimiter, `""` and newlines (F28); a quote inside a bare
///   field, text after a closing quote and an unterminated quote are ``RejectReason/malformed``.
public struct CSVParser: FeedParser {
  private var assembler: RecordAssembler
  private let mapping: FieldMapping
  private let delimiter: UInt8
  /// `names` bytes that are fixed (the constant metric); header names follow.
  private let fixedNames: Int
  private var plan: Plan?
  private var fields: [Ref] = []

  private struct Plan: Sendable {
    var count: Int
    var ts: (column: Int, unit: DeclaredUnit, name: Ref)?
    var value: (column: Int, name: Ref)?
    var metric: (column: Int, name: Ref)?
    var labels: [(column: Int, name: Ref)] = []
  }

  /// Creates a parser; `delimiter` is `,` unless the feed says otherwise (`;`).
  public init(
    mapping: FieldMapping = FieldMapping(), timeUnit: TimeUnit? = nil,
    delimiter: UInt8 = UInt8(ascii: ",")
  ) {
    var a = RecordAssembler(timeUnit: mapping.timeUnit ?? timeUnit)
    if case .constant(let c) = mapping.metric { a.constantMetric = a.addName(c) }
    if let v = mapping.value { a.defaultValueName = v }
    if let t = mapping.ts { a.defaultTimestampName = t }
    fixedNames = a.names.count
    assembler = a
    self.mapping = mapping
    self.delimiter = delimiter
  }

  public mutating func parse(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink
  ) {
    if record.isEmpty { return }
    if rejectInvalidUTF8(record, line: line, into: &sink) { return }
    assembler.begin(capacity: record.count)
    if plan == nil || line == 1 {
      var start = 0
      if record.count >= 3 && record[0] == 0xEF && record[1] == 0xBB && record[2] == 0xBF {
        start = 3
      }
      if let problem = split(record, from: start) {
        plan = nil
        reject(record, line, .malformed, "header: " + problem, &sink)
        return
      }
      makePlan(record)
      return
    }
    guard let plan else { return }
    if let problem = split(record, from: 0) {
      reject(record, line, .malformed, problem, &sink)
      return
    }
    guard fields.count == plan.count else {
      reject(
        record, line, .fieldCount, "\(fields.count) fields, but the header has \(plan.count)",
        &sink)
      return
    }
    if let m = plan.metric { assembler.setMetric(fields[m.column], rank: 0) }
    if let v = plan.value {
      assembler.setValue(fields[v.column], syntax: .text, rank: 0, name: v.name)
    }
    if let t = plan.ts {
      assembler.setTimestamp(fields[t.column], syntax: .text, unit: t.unit, rank: 0, name: t.name)
    }
    for l in plan.labels { assembler.labels.append((l.name, fields[l.column])) }
    assembler.sawSeparatorByte = record.contains { $0 <= 2 }
    assembler.finish(record, line: line, arrival: arrival, into: &sink)
  }

  private func reject(
    _ record: UnsafeRawBufferPointer, _ line: Int, _ reason: RejectReason, _ detail: String,
    _ sink: inout ParseSink
  ) {
    sink.issues.append(
      ParseIssue(line: line, reason: reason, detail: detail, excerpt: printableExcerpt(record)))
  }

  /// Splits `record` into `fields`; returns a problem description when it is malformed.
  private mutating func split(_ p: UnsafeRawBufferPointer, from start: Int) -> String? {
    fields.removeAll(keepingCapacity: true)
    let n = p.count
    let quote = UInt8(ascii: "\"")
    var i = start
    while true {
      if i < n && p[i] == quote {
        // Quoted field.
        i += 1
        let fieldStart = i
        var out: Int? = nil  // scratch offset once a "" is seen
        while true {
          guard i < n else { return "unterminated quoted field (column \(fields.count + 1))" }
          let b = p[i]
          if b == quote {
            if i + 1 < n && p[i + 1] == quote {
              if out == nil {
                out = assembler.scratch.count
                assembler.scratch.append(
                  contentsOf: UnsafeRawBufferPointer(rebasing: p[fieldStart..<i]))
              }
              assembler.scratch.append(quote)
              i += 2
              continue
            }
            break
          }
          if out != nil { assembler.scratch.append(b) }
          i += 1
        }
        if let out {
          fields.append(Ref(out, assembler.scratch.count, .scratch))
        } else {
          fields.append(Ref(fieldStart, i, .record))
        }
        i += 1  // closing quote
        if i < n && p[i] != delimiter {
          return "unexpected character after the closing quote (column \(fields.count))"
        }
      } else {
        let fieldStart = i
        while i < n && p[i] != delimiter {
          if p[i] == quote { return "quote inside an unquoted field (column \(fields.count + 1))" }
          i += 1
        }
        fields.append(Ref(fieldStart, i, .record))
      }
      if i >= n { return nil }
      i += 1  // delimiter
    }
  }

  /// Builds the column plan from the header in `fields`.
  private mutating func makePlan(_ record: UnsafeRawBufferPointer) {
    assembler.names.removeSubrange(fixedNames...)
    var names: [Ref] = []
    var texts: [String] = []
    for f in fields {
      var bytes: [UInt8] =
        f.region == .record
        ? Array(record[f.start..<f.end]) : Array(assembler.scratch[f.start..<f.end])
      while bytes.first == 0x20 { bytes.removeFirst() }
      while bytes.last == 0x20 { bytes.removeLast() }
      let s = String(decoding: bytes, as: UTF8.self)
      texts.append(s)
      names.append(assembler.addName(s))
    }
    var plan = Plan(count: fields.count)
    let restricted = mapping.selectsFields
    var tsRank = Int.max
    var metricRank = Int.max
    var valueRank = Int.max
    for (column, name) in texts.enumerated() {
      let nameRef = names[column]
      var role: FieldRole = .other
      if let f = mapping.ts, f == name {
        role = .timestamp(rank: -1, unit: .none)
      } else if let f = mapping.value, f == name {
        role = .value(rank: -1)
      } else if case .field(let f) = mapping.metric, f == name {
        role = .metric(rank: -1)
      } else {
        role = Array(name.utf8).withUnsafeBytes { defaultRole($0, 0, $0.count) }
        switch role {
        case .timestamp where mapping.ts != nil, .value where mapping.value != nil,
          .metric where mapping.metric != nil:
          role = .other
        default: break
        }
      }
      switch role {
      case .timestamp(let rank, let unit):
        if rank <= tsRank {
          tsRank = rank
          plan.ts = (column, unit, nameRef)
        }
      case .metric(let rank):
        if rank <= metricRank {
          metricRank = rank
          plan.metric = (column, nameRef)
        }
      case .value(let rank):
        if rank <= valueRank {
          valueRank = rank
          plan.value = (column, nameRef)
        }
      case .labels, .ignored, .other:
        if !restricted && !name.isEmpty { plan.labels.append((column, nameRef)) }
      }
    }
    if restricted {
      for l in mapping.labels {
        if let column = texts.lastIndex(of: l.field) {
          plan.labels.append((column, assembler.addName(l.name)))
        }
      }
    }
    self.plan = plan
  }
}
