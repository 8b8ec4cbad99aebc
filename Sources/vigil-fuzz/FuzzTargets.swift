import VigilApp
import VigilCore
import VigilIncident
import VigilRender

/// One fuzz target: feeds bytes through the code the app runs and traps (`fuzzCheck`) when an
/// invariant breaks, so libFuzzer reports it as a crash.
struct FuzzTarget: Sendable {
  let name: String
  /// libFuzzer's `-max_len` for this input kind (Fuzz/run.sh passes it).
  let maxLen: Int
  let run: @Sendable ([UInt8]) -> Void
}

/// Stops the process with a message when a fuzzing invariant fails.
func fuzzCheck(_ ok: Bool, _ what: @autoclosure () -> String) {
  if !ok { fatalError("fuzz invariant: " + what()) }
}

enum FuzzTargets {
  static let all: [FuzzTarget] =
    [
      FeedFormat.json, .csv, .logfmt, .prometheus, .openmetrics, .statsd, .influx,
    ].map { format in
      FuzzTarget(
        name: format.rawValue, maxLen: format == .prometheus || format == .openmetrics ? 8192 : 4096
      ) { feed($0, format: format) }
    } + [
      FuzzTarget(name: "lines", maxLen: 4096, run: lines),
      FuzzTarget(name: "jsonvalue", maxLen: 4096, run: jsonValue),
      FuzzTarget(name: "incident", maxLen: 8192, run: incident),
      // The same reader on gzip recordings (seeds are gzip files; the reader detects them).
      FuzzTarget(name: "incident_gz", maxLen: 8192, run: incident),
      FuzzTarget(name: "rules", maxLen: 4096, run: rules),
      FuzzTarget(name: "config", maxLen: 4096, run: config),
      FuzzTarget(name: "layout", maxLen: 4096, run: layout),
      // OTLP/JSON lines as a `--format otlp` file, and protobuf bodies (OTLPTargets.swift).
      FuzzTarget(name: "otlp", maxLen: 8192, run: OTLPTargets.json),
      FuzzTarget(name: "otlp_protobuf", maxLen: 4096, run: OTLPTargets.protobuf),
      // The whole pipeline to the screen (PipelineTarget.swift).
      FuzzTarget(name: "pipeline", maxLen: 4096, run: PipelineTarget.run),
    ]

  static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

  /// The arrival stamp and store clock: 2026-01-01T00:00:00Z.
  static let arrival = Timestamp.seconds(1_767_225_600)

  /// The framer the app uses for a file or stdin in `format`.
  static func framer(_ format: FeedFormat, maxRecordBytes: Int? = nil) -> any RecordFramer {
    switch format {
    case .csv: CSVRecordFramer(maxRecordBytes: maxRecordBytes ?? 65_536)
    case .prometheus, .openmetrics:
      ExpositionFramer(maxRecordBytes: maxRecordBytes ?? PrometheusParser.maxBodyBytes)
    default: LineFramer(maxRecordBytes: maxRecordBytes ?? 65_536)
    }
  }

  /// Frames `bytes` whole, and again in two chunks cut where the input says: framing must not
  /// depend on where reads end.
  static func frame(_ bytes: [UInt8], _ make: () -> any RecordFramer) -> RecordBatch {
    var whole = make()
    var a = RecordBatch()
    bytes.withUnsafeBytes { whole.push($0, into: &a) }
    whole.finish(into: &a)
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    var split = make()
    var b = RecordBatch()
    bytes.withUnsafeBytes { raw in
      split.push(UnsafeRawBufferPointer(rebasing: raw[0..<cut]), into: &b)
      split.push(UnsafeRawBufferPointer(rebasing: raw[cut...]), into: &b)
    }
    split.finish(into: &b)
    fuzzCheck(a == b, "framing depends on the chunk boundary at \(cut)")
    fuzzCheck(a.lines == a.lines.sorted(), "record line numbers go backwards")
    return a
  }

  /// A feed: framer, parser, sink, then the store, as `Update.ingestRecords` does.
  static func feed(_ bytes: [UInt8], format: FeedFormat) {
    let batch = frame(bytes) { framer(format) }
    var parser = Parsers.make(format, mapping: FieldMapping())
    var sink = ParseSink(interner: SeriesInterner(maxSeries: 64))
    var store = MetricStore()
    let passesNonFinite = format == .prometheus || format == .openmetrics
    var nonFinite: UInt64 = 0
    batch.bytes.withUnsafeBytes { all in
      for i in 0..<batch.count {
        let record = UnsafeRawBufferPointer(rebasing: all[batch.start(of: i)..<batch.ends[i]])
        let before = sink.issues.count + sink.skipped
        parser.parse(record, line: batch.lines[i], arrival: arrival, into: &sink)
        // A JSON line that is not blank gives samples or a counted rejection.
        if format == .json && record.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
          fuzzCheck(
            !sink.samples.isEmpty || sink.issues.count + sink.skipped > before,
            "a JSON line vanished without a sample or an issue")
        }
        for sample in sink.samples {
          // Expositions pass NaN and infinities on (SEMANTICS §9); the store drops and counts
          // them. Every other parser rejects them.
          fuzzCheck(
            sample.value.isFinite || passesNonFinite,
            "a non-finite sample \(sample.value)")
          fuzzCheck(sample.weight >= 1, "a sample of weight 0")
          fuzzCheck(sample.series.index < sink.interner.count, "a sample of an unknown series")
          let outcome = store.ingest(sample, now: arrival)
          if !sample.value.isFinite && outcome != .future { nonFinite += 1 }
        }
        sink.samples.removeAll(keepingCapacity: true)
      }
    }
    fuzzCheck(
      store.nonFiniteDroppedTotal == nonFinite,
      "\(nonFinite) non-finite samples, \(store.nonFiniteDroppedTotal) counted by the store")
    for issue in sink.issues {
      fuzzCheck(issue.line >= 1, "an issue without a line number")
      fuzzCheck(issue.excerpt.utf8.count <= 4096, "an unbounded excerpt")
    }
    fuzzCheck(sink.warnings.count <= ParseSink.maxWarnings, "warnings unbounded")
    // A datagram feed hands one datagram as one record.
    if format == .statsd || format == .influx {
      var datagram = Parsers.make(format, mapping: FieldMapping())
      var s = ParseSink(interner: SeriesInterner(maxSeries: 64))
      bytes.withUnsafeBytes { datagram.parse($0, line: 1, arrival: arrival, into: &s) }
      for sample in s.samples { fuzzCheck(sample.value.isFinite, "a non-finite sample") }
    }
  }

  /// The line framer alone, with a small limit so oversized lines are exercised.
  static func lines(_ bytes: [UInt8]) {
    let limit = 32
    let batch = frame(bytes) { LineFramer(maxRecordBytes: limit) }
    for i in 0..<batch.count {
      let record = batch.record(i)
      fuzzCheck(record.count <= limit, "a record over the limit")
      fuzzCheck(!record.contains(0x0A), "a record holding a newline")
    }
    let newlines = bytes.count { $0 == 0x0A }
    let unterminated = bytes.last.map { $0 != 0x0A } ?? false
    fuzzCheck(
      batch.count + batch.oversized.count == newlines + (unterminated ? 1 : 0),
      "lines lost: \(batch.count) + \(batch.oversized.count) records of \(newlines) newlines")
  }

  /// Recording reader: JSON parse → write → parse gives the same value.
  static func jsonValue(_ bytes: [UInt8]) {
    let value: JSONValue
    do {
      value = try bytes.withUnsafeBytes { raw throws(JSONValue.ParseError) in
        try JSONValue.parse(raw)
      }
    } catch { return }
    var text = ""
    value.write(to: &text)
    do {
      // Whole doubles are written without a fraction and read back as integers (by design):
      // numbers compare by value, and the written text is a fixed point.
      let again = try JSONValue.parse(text)
      fuzzCheck(same(again, value), "round trip changed the value: \(text)")
      var text2 = ""
      again.write(to: &text2)
      fuzzCheck(text2 == text, "writing is not stable: \(text) then \(text2)")
    } catch {
      fatalError("fuzz invariant: written JSON does not parse: \(error): \(text)")
    }
  }

  /// JSON equality with numbers compared by value (an integer equals the same whole double).
  static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.int(let i), .double(let d)), (.double(let d), .int(let i)): Double(i) == d
    case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy(same)
    case (.object(let x), .object(let y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && same($0.1, $1.1) }
    default: a == b
    }
  }

  /// Reads a recording, then decodes every record it indexed: each must be the kind and time
  /// the index says.
  static func incident(_ bytes: [UInt8]) {
    guard let file = try? RecordingFile.parse(bytes, name: "fuzz.jsonl") else { return }
    let records = file.records
    for (i, r) in records.enumerated() {
      fuzzCheck(r.kind == records.kind(at: i), "record \(i) decodes as another kind")
      fuzzCheck(r.time == records.time(at: i), "record \(i) decodes with another time")
    }
  }

  static func rules(_ bytes: [UInt8]) {
    _ = RulesLoader.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
  }

  static func config(_ bytes: [UInt8]) {
    _ = ConfigLoader.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
  }

  /// A layout file: parsing never traps, and a layout it accepts places its panels inside the
  /// grid at any size.
  static func layout(_ bytes: [UInt8]) {
    guard
      case .success(let load) = LayoutLoader.parse(
        String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
    else { return }
    for area in [Rect(x: 0, y: 1, width: 80, height: 22), Rect(x: 0, y: 1, width: 7, height: 3)] {
      for rect in layoutRects(load.layout, in: area, focus: 0) {
        guard let rect else { continue }
        fuzzCheck(area.intersection(rect) == rect, "\(rect) outside \(area)")
      }
    }
  }
}
