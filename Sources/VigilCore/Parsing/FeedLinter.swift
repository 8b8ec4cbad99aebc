/// What one lint step printed: JSON lines for standard output, problem lines for standard error.
public struct LintOutput: Sendable {
  public var stdout: [String] = []
  public var stderr: [String] = []
  public init() {}
}

/// `vigil lint-feed` (like `promtool check metrics`): parses a whole input under one format and
/// reports every sample and every problem, so an operator can check an exporter's output and the
/// tests can pin each format's grammar.
///
/// - Every sample is one JSON line: `{"line":N,"t":"<RFC 3339>","metric":"..","labels":{..},
///   "value":..,"weight":..}` (labels sorted; `t` with the fewest exact fraction digits; `value`
///   the shortest round-trip number, or the string `"NaN"`, `"+Inf"` or `"-Inf"`).
/// - Every rejected line and every warning is one line for standard error:
///   `line N: <reason>: <detail> | <excerpt>` or `line N: warning: <detail>`.
/// - The input is valid when nothing was rejected and nothing warned about: a warning is a
///   break of the format's own rules that a live feed still takes (a Prometheus `# TYPE` after
///   its samples), which is what a check is for.
///
/// Line formats are framed as the feeds frame them (``RecordPump``), and each record parsed as
/// it comes. Prometheus text and OpenMetrics take the whole input as one exposition (at most
/// 16 MiB), parsed with ``PrometheusParser/Output/raw``: each sample line as the exporter wrote
/// it, counters as their cumulative values and buckets with their `le`, because that is what an
/// operator compares with the exporter (the deltas and histogram points the dashboard derives
/// need a previous scrape, and `vigil` shows them). Formats added later (StatsD, Influx) use the
/// line path unless they add a case to ``init(format:mapping:timeUnit:arrival:)``.
public struct FeedLinter: Sendable {
  /// Line formats: the feeds' framing and the format's parser.
  private var pump: RecordPump
  private var parser: any FeedParser
  /// Expositions: the raw parser and the whole input.
  private var exposition: PrometheusParser?
  private var body: [UInt8] = []
  private var tooLarge = false
  private var totalBytes = 0
  private var sink = ParseSink(interner: SeriesInterner(maxSeries: 1_000_000))
  private let arrival: Timestamp

  public private(set) var samples = 0
  public private(set) var rejected = 0
  public private(set) var warnings = 0
  /// Valid under the format's own rules: nothing rejected, nothing warned about.
  public var isValid: Bool { rejected == 0 && warnings == 0 }

  /// - Parameter arrival: the time of samples without a timestamp.
  public init(
    format: FeedFormat, mapping: FieldMapping = FieldMapping(), timeUnit: TimeUnit? = nil,
    arrival: Timestamp
  ) {
    self.arrival = arrival
    pump = RecordPump(format: format)
    parser = Parsers.make(format, mapping: mapping, timeUnit: timeUnit)
    switch format {
    case .prometheus: exposition = PrometheusParser(dialect: .prometheus, output: .raw)
    case .openmetrics: exposition = PrometheusParser(dialect: .openMetrics, output: .raw)
    default: exposition = nil
    }
  }

  /// Takes the next chunk of the input.
  public mutating func push(_ chunk: UnsafeRawBufferPointer, into out: inout LintOutput) {
    totalBytes += chunk.count
    guard exposition == nil else {
      if !tooLarge && body.count + chunk.count <= PrometheusParser.maxBodyBytes {
        body.append(contentsOf: chunk)
      } else {
        tooLarge = true
        body = []
      }
      return
    }
    var batch = RecordBatch()
    pump.push(chunk, into: &batch)
    take(batch, into: &out)
  }

  /// The end of the input: the last record, or the whole exposition.
  public mutating func finish(into out: inout LintOutput) {
    guard var exposition else {
      var batch = RecordBatch()
      pump.finish(into: &batch)
      take(batch, into: &out)
      return
    }
    if tooLarge {
      rejected += 1
      out.stderr.append(
        "line 1: \(RejectReason.lineTooLong.rawValue): the input (\(totalBytes) bytes) is over the 16 MiB an exposition may have"
      )
      return
    }
    body.withUnsafeBytes { exposition.parse($0, line: 1, arrival: arrival, into: &sink) }
    report(lines: exposition.sampleLines, into: &out)
    self.exposition = exposition
    body = []
  }

  private mutating func take(_ batch: RecordBatch, into out: inout LintOutput) {
    var lines: [Int] = []
    var oversized = batch.oversized[...]
    for i in 0..<batch.count {
      while let o = oversized.first, o < batch.lines[i] {
        tooLong(o, &out)
        oversized = oversized.dropFirst()
      }
      let before = sink.samples.count
      batch.withRecord(i) { parser.parse($0, line: $1, arrival: arrival, into: &sink) }
      lines += repeatElement(batch.lines[i], count: sink.samples.count - before)
      report(lines: lines, into: &out)
      lines.removeAll(keepingCapacity: true)
    }
    for o in oversized { tooLong(o, &out) }
  }

  private mutating func tooLong(_ line: Int, _ out: inout LintOutput) {
    rejected += 1
    out.stderr.append("line \(line): \(RejectReason.lineTooLong.rawValue): longer than 64 KiB")
  }

  /// Moves what the sink holds into output lines.
  private mutating func report(lines: [Int], into out: inout LintOutput) {
    var problems: [(line: Int, text: String)] = []
    for issue in sink.issues {
      var text = "line \(issue.line): \(issue.reason.rawValue): \(issue.detail)"
      if !issue.excerpt.isEmpty { text += " | " + issue.excerpt }
      problems.append((issue.line, terminalSafe(text)))
    }
    for w in sink.warnings {
      problems.append((w.line, terminalSafe("line \(w.line): warning: \(w.detail)")))
    }
    problems.sort { $0.line < $1.line }
    out.stderr += problems.map(\.text)
    rejected += sink.issues.count
    warnings += sink.warnings.count
    for (k, s) in sink.samples.enumerated() {
      out.stdout.append(
        lintJSON(
          line: k < lines.count ? lines[k] : 0, sample: s, key: sink.interner.key(s.series)))
    }
    samples += sink.samples.count
    sink.samples.removeAll(keepingCapacity: true)
    sink.issues.removeAll(keepingCapacity: true)
    sink.warnings.removeAll(keepingCapacity: true)
  }
}

/// One sample as a lint JSON line.
func lintJSON(line: Int, sample s: Sample, key: SeriesKey) -> String {
  var out = "{\"line\":\(line),\"t\":\"" + rfc3339Shortest(s.timestamp) + "\",\"metric\":"
  appendSafeJSONString(&out, key.metric)
  out += ",\"labels\":{"
  for (i, l) in key.labels.labels.enumerated() {
    if i > 0 { out += "," }
    appendSafeJSONString(&out, l.name)
    out += ":"
    appendSafeJSONString(&out, l.value)
  }
  out += "},\"value\":"
  if s.value.isNaN {
    out += "\"NaN\""
  } else if s.value.isInfinite {
    out += s.value > 0 ? "\"+Inf\"" : "\"-Inf\""
  } else {
    out += formatJSONNumber(s.value)
  }
  return out + ",\"weight\":\(s.weight)}"
}

/// Whether a scalar could move a terminal's cursor or reorder text: C0 and C1 controls, DEL,
/// line and paragraph separators, and the bidirectional controls.
func isUnsafeForTerminal(_ u: Unicode.Scalar) -> Bool {
  switch u.value {
  case 0..<0x20, 0x7F..<0xA0, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069,
    0x061C:
    return true
  default:
    return false
  }
}

/// A JSON string in which every scalar that is unsafe on a terminal is a `\uXXXX` escape (so
/// the output is still the same JSON, and safe to print).
func appendSafeJSONString(_ out: inout String, _ s: String) {
  appendJSONString(&out, s, escape: isUnsafeForTerminal)
}

/// `text` with every unsafe scalar as `\u{XXXX}`.
func terminalSafe(_ text: String) -> String {
  guard text.unicodeScalars.contains(where: isUnsafeForTerminal) else { return text }
  var out = ""
  for u in text.unicodeScalars {
    if isUnsafeForTerminal(u) {
      out += "\\u{" + String(u.value, radix: 16, uppercase: false) + "}"
    } else {
      out.unicodeScalars.append(u)
    }
  }
  return out
}
