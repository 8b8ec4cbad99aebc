import VigilCore

/// The OTLP targets: OTLP/JSON lines as a `--format otlp` file is read (the feed's framer, then
/// ``OTLPParser``), and protobuf request bodies as the OTLP receiver hands them over.
enum OTLPTargets {
  /// JSON lines: framing as the app frames them, each line a request; then the whole input as
  /// one body through the decoder alone.
  static func json(_ bytes: [UInt8]) {
    let batch = FuzzTargets.frame(bytes) { FuzzTargets.framer(.otlp) }
    var parser = OTLPParser(encoding: .json)
    var sink = ParseSink(interner: SeriesInterner(maxSeries: 64))
    var store = MetricStore()
    for i in 0..<batch.count {
      batch.record(i).withUnsafeBytes {
        parse(&parser, $0, line: batch.lines[i], &sink, &store)
      }
    }
    bytes.withUnsafeBytes { raw in
      var whole = OTLPParser(encoding: .json)
      var s = ParseSink(interner: SeriesInterner(maxSeries: 64))
      parse(&whole, raw, line: 1, &s, &store)
      // The parser refuses exactly what the decoder refuses (a blank input is no request).
      if raw.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
        let decoded = OTLPJSONDecoder.decode(raw)
        fuzzCheck(
          (try? decoded.get()) == nil
            ? whole.lastOutcome.requestRejected
            : !whole.lastOutcome.requestRejected,
          "the JSON decoder and the parser disagree")
      }
    }
  }

  /// One protobuf body, parsed twice by one parser: the second time every cumulative series
  /// has a baseline, so the differencing runs on whatever the input holds.
  static func protobuf(_ bytes: [UInt8]) {
    var parser = OTLPParser(encoding: .protobuf)
    var sink = ParseSink(interner: SeriesInterner(maxSeries: 64))
    var store = MetricStore()
    bytes.withUnsafeBytes { raw in
      for line in 1...2 { parse(&parser, raw, line: line, &sink, &store) }
      let decoded = OTLPProtobufDecoder.decode(raw)
      fuzzCheck(
        (try? decoded.get()) == nil
          ? parser.lastOutcome.requestRejected
          : !parser.lastOutcome.requestRejected,
        "the protobuf decoder and the parser disagree")
      if case .success(let request) = decoded {
        // Decoding is a function of the bytes (compared as text: NaN is not == NaN).
        let again = OTLPProtobufDecoder.decode(raw)
        fuzzCheck(
          "\(again)" == "\(Result<OTLPRequest, ProtoWireError>.success(request))",
          "decoding is not stable")
        fuzzCheck(request.dataPointCount <= OTLPLimits.maxDataPoints, "too many points decoded")
      }
    }
  }

  /// Parses one request and checks what the outcome says against the sink: a refused request
  /// is one issue and no sample, otherwise one issue per refused point; samples are finite,
  /// weighted, of known series, and the store takes them.
  static func parse(
    _ parser: inout OTLPParser, _ record: UnsafeRawBufferPointer, line: Int,
    _ sink: inout ParseSink, _ store: inout MetricStore
  ) {
    let issues = sink.issues.count
    let skipped = sink.skipped
    sink.samples.removeAll(keepingCapacity: true)
    parser.parse(record, line: line, arrival: FuzzTargets.arrival, into: &sink)
    let o = parser.lastOutcome
    let added = sink.issues.count - issues
    if o.requestRejected {
      fuzzCheck(added == 1 && sink.samples.isEmpty, "a refused request: \(added) issues")
      fuzzCheck(o.acceptedDataPoints == 0 && o.rejectedDataPoints == 0, "counts of a refusal")
    } else {
      fuzzCheck(added == o.rejectedDataPoints, "\(added) issues, \(o.rejectedDataPoints) refused")
      fuzzCheck(sink.skipped - skipped == o.skippedDataPoints, "skipped points miscounted")
    }
    fuzzCheck(o.errorMessage.isEmpty == (added == 0), "an error message without an issue")
    for issue in sink.issues[issues...] {
      fuzzCheck(issue.line == line, "an issue on another line")
      fuzzCheck(issue.excerpt.utf8.count <= 4096, "an unbounded excerpt")
    }
    for s in sink.samples {
      fuzzCheck(s.value.isFinite, "a non-finite sample \(s.value)")
      fuzzCheck(s.weight >= 1, "a sample of weight 0")
      fuzzCheck(s.series.index < sink.interner.count, "a sample of an unknown series")
      _ = store.ingest(s, now: FuzzTargets.arrival)
    }
    // State is per interned series: at most one entry of each of the five kinds per series.
    fuzzCheck(parser.trackedSeries <= 5 * sink.interner.count, "state beyond the interned series")
  }
}
