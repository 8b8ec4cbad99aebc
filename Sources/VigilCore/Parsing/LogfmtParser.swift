/// Parses logfmt feeds (SEMANTICS §9.8; behaviour of kr/logfmt and go-logfmt).
///
/// - `key=value` pairs separated by spaces or tabs. A value is bare (up to the next space) or
///   double-quoted with `\"`, `\\`, `\n`, `\t` and `\r` escapes (any other backslash pair is
///   kept as written). A bare key means `true` (F31); `key=` is the empty string.
/// - An unterminated quote, a quote inside a key or a bare value, text right after a closing
///   quote, or a control character outside quotes is ``RejectReason/malformed`` (F32).
/// - Keys: `ts|time|timestamp` (RFC 3339 or a number), `ts_s|ts_ms|ts_us|ts_ns`, `metric`,
///   `value`, or the mapping's fields. When a key repeats, the last value wins.
/// - Without a mapping, every other key with a non-empty value is a label; with one, only the
///   `label.` entries are.
/// - A value with a duration suffix (`ns|us|µs|ms|s|m|h`, e.g. `dur=8ms`, F33) is converted to
///   milliseconds for a metric ending in `_ms`, to seconds for one ending in `_seconds`, and
///   rejected as ``RejectReason/badValue`` otherwise.
public struct LogfmtParser: FeedParser {
  private var assembler: RecordAssembler
  private let mapping: CompiledMapping
  private let trueRef: Ref
  private var pairs: [(Ref, Ref)] = []

  /// Creates a parser; `timeUnit` applies to numeric timestamps without a declared unit.
  public init(mapping: FieldMapping = FieldMapping(), timeUnit: TimeUnit? = nil) {
    var a = RecordAssembler(timeUnit: mapping.timeUnit ?? timeUnit)
    a.durationValues = true
    self.mapping = CompiledMapping(mapping, assembler: &a)
    trueRef = a.addName("true")
    assembler = a
  }

  public mutating func parse(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink
  ) {
    if rejectInvalidUTF8(record, line: line, into: &sink) { return }
    assembler.begin(capacity: record.count)
    if let problem = tokenize(record) {
      sink.issues.append(
        ParseIssue(
          line: line, reason: .malformed, detail: problem, excerpt: printableExcerpt(record)))
      return
    }
    if pairs.isEmpty { return }  // blank line
    for (key, value) in pairs {
      let role =
        mapping.enabled
        ? mapping.role(record, key.start, key.end, table: .logfmt)
        : logfmtRole(record, key.start, key.end)
      switch role {
      case .timestamp(let rank, let unit):
        assembler.setTimestamp(value, syntax: .text, unit: unit, rank: rank, name: key)
      case .metric(let rank):
        assembler.setMetric(value, rank: rank)
      case .value(let rank):
        assembler.setValue(value, syntax: .text, rank: rank, name: key)
      case .labels, .ignored, .other:
        if mapping.enabled {
          for k in mapping.labels.indices
          where mapping.matches(record, key.start, key.end, mapping.labels[k].field) {
            assembler.labels.append((mapping.labels[k].name, value))
          }
        } else {
          assembler.labels.append((key, value))
        }
      }
    }
    assembler.sawSeparatorByte = record.contains { $0 <= 2 }
    assembler.finish(record, line: line, arrival: arrival, into: &sink)
  }

  /// The decoded pairs of a line, for tests and tools: `[(key, value)]`, or nil when the line
  /// is malformed.
  public static func fields(_ line: String) -> [(String, String)]? {
    var parser = LogfmtParser()
    return Array(line.utf8).withUnsafeBytes { p -> [(String, String)]? in
      parser.assembler.begin(capacity: p.count)
      guard parser.tokenize(p) == nil else { return nil }
      return parser.assembler.scratch.withUnsafeBytes { s in
        parser.assembler.names.withUnsafeBytes { names in
          func str(_ r: Ref) -> String {
            let b: UnsafeRawBufferPointer =
              switch r.region {
              case .record: p
              case .scratch: s
              case .names: names
              }
            return text(b, r.start, r.end)
          }
          return parser.pairs.map { (str($0.0), str($0.1)) }
        }
      }
    }
  }

  /// Splits a line into `pairs`; returns a problem description when it is malformed.
  private mutating func tokenize(_ p: UnsafeRawBufferPointer) -> String? {
    pairs.removeAll(keepingCapacity: true)
    let n = p.count
    let quote = UInt8(ascii: "\"")
    let equal = UInt8(ascii: "=")
    var i = 0
    while true {
      while i < n && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
      if i == n { return nil }
      let keyStart = i
      while i < n && p[i] > 0x20 && p[i] != equal && p[i] != quote && p[i] != 0x7F { i += 1 }
      if i == keyStart {
        if p[i] == equal { return "expected a key before = at byte \(i + 1)" }
        if p[i] == quote { return "unexpected quote at byte \(i + 1)" }
        return "control character at byte \(i + 1)"
      }
      let key = Ref(keyStart, i, .record)
      guard i < n && p[i] == equal else {
        if i < n && p[i] == quote { return "quote inside key at byte \(i + 1)" }
        if i < n && p[i] != 0x20 && p[i] != 0x09 { return "control character at byte \(i + 1)" }
        pairs.append((key, trueRef))
        continue
      }
      i += 1
      if i < n && p[i] == quote {
        i += 1
        let start = i
        var out: Int? = nil
        while true {
          guard i < n else {
            return "unterminated quoted value for \(quoted(p, keyStart, key.end))"
          }
          let b = p[i]
          if b == quote { break }
          if b == UInt8(ascii: "\\") {
            if out == nil {
              out = assembler.scratch.count
              assembler.scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[start..<i]))
            }
            guard i + 1 < n else {
              return "unterminated quoted value for \(quoted(p, keyStart, key.end))"
            }
            let e = p[i + 1]
            switch e {
            case quote, UInt8(ascii: "\\"): assembler.scratch.append(e)
            case UInt8(ascii: "n"): assembler.scratch.append(0x0A)
            case UInt8(ascii: "t"): assembler.scratch.append(0x09)
            case UInt8(ascii: "r"): assembler.scratch.append(0x0D)
            default:
              assembler.scratch.append(b)
              assembler.scratch.append(e)
            }
            i += 2
            continue
          }
          if out != nil { assembler.scratch.append(b) }
          i += 1
        }
        if let out {
          pairs.append((key, Ref(out, assembler.scratch.count, .scratch)))
        } else {
          pairs.append((key, Ref(start, i, .record)))
        }
        i += 1
        if i < n && p[i] != 0x20 && p[i] != 0x09 {
          return "unexpected character after the quoted value of \(quoted(p, keyStart, key.end))"
        }
      } else {
        let start = i
        while i < n && p[i] > 0x20 && p[i] != 0x7F {
          if p[i] == quote { return "quote inside an unquoted value at byte \(i + 1)" }
          i += 1
        }
        if i < n && p[i] != 0x20 && p[i] != 0x09 { return "control character at byte \(i + 1)" }
        pairs.append((key, Ref(start, i, .record)))
      }
    }
  }
}
