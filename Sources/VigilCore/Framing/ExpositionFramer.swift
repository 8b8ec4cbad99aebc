/// Frames a byte stream of Prometheus text or OpenMetrics expositions into whole-body records.
///
/// A scrape source hands each HTTP body over as one record; a file or standard input carries no
/// such boundary, so here a record is everything up to and including a line that is exactly
/// `# EOF` (OpenMetrics' terminator, and a plain comment in text 0.0.4), or whatever is left at
/// the end of the input. `(curl -s host/metrics; echo '# EOF') | vigil --format prometheus -`
/// therefore gives one exposition per scrape.
///
/// - Records keep their bytes: every line with its `\n`, so the parser sees the body as it was
///   (a last line without `\n` stays without). Lines are framed by ``LineFramer``, so a `\r`
///   before `\n` is dropped, as for the line formats.
/// - A record is numbered with the line number of its first line. Blank lines left at the end
///   of the input are not a record.
/// - At most `maxRecordBytes` of a record are held. A longer one is dropped (its first line
///   goes to ``RecordBatch/oversized``) and the rest of it, up to its `# EOF`, is skipped.
public struct ExpositionFramer: RecordFramer {
  public let maxRecordBytes: Int
  private var lines: LineFramer
  private var scratch = RecordBatch()
  private var partial: [UInt8] = []
  /// The line number of the current record's first line; 0 while no line of it has arrived.
  private var recordLine = 0
  /// True while skipping the rest of an oversized record.
  private var skipping = false

  public init(maxRecordBytes: Int = PrometheusParser.maxBodyBytes) {
    self.maxRecordBytes = max(0, maxRecordBytes)
    lines = LineFramer(maxRecordBytes: self.maxRecordBytes)
  }

  public var bufferedBytes: Int { partial.count + lines.bufferedBytes }

  public var nextLine: Int { lines.nextLine }

  public mutating func push(_ chunk: UnsafeRawBufferPointer, into batch: inout RecordBatch) {
    scratch.removeAll()
    lines.push(chunk, into: &scratch)
    take(&batch, terminated: true)
  }

  public mutating func finish(into batch: inout RecordBatch) {
    scratch.removeAll()
    lines.finish(into: &scratch)
    take(&batch, terminated: false)
    // Blank lines after the last `# EOF` are no exposition.
    let blank = partial.allSatisfy { $0 == 0x0A || $0 == 0x20 || $0 == 0x09 }
    if !blank && !skipping {
      partial.withUnsafeBytes { batch.append($0, line: recordLine) }
    }
    partial.removeAll(keepingCapacity: true)
    skipping = false
    recordLine = 0
  }

  public mutating func reset(line: Int) {
    lines.reset(line: line)
    partial.removeAll(keepingCapacity: true)
    skipping = false
    recordLine = 0
  }

  /// Moves the lines in `scratch` (in line order, oversized ones included) into records.
  /// `terminated`: the lines ended with `\n` (false only for the last line at end of input).
  private mutating func take(_ batch: inout RecordBatch, terminated: Bool) {
    var oversized = scratch.oversized[...]
    for i in 0..<scratch.count {
      let line = scratch.lines[i]
      while let o = oversized.first, o < line {
        tooLong(o, &batch)
        oversized = oversized.dropFirst()
      }
      scratch.withRecord(i) { bytes, line in
        if recordLine == 0 { recordLine = line }
        let isEOF = bytes.count == 5 && equals(bytes, 0, 5, "# EOF")
        if !skipping {
          let extra = terminated || i < scratch.count - 1 ? 1 : 0
          if partial.count + bytes.count + extra > maxRecordBytes {
            batch.oversized.append(recordLine)
            partial.removeAll(keepingCapacity: true)
            skipping = true
          } else {
            partial.append(contentsOf: bytes)
            if extra == 1 { partial.append(0x0A) }
          }
        }
        if isEOF {
          if !skipping { partial.withUnsafeBytes { batch.append($0, line: recordLine) } }
          partial.removeAll(keepingCapacity: true)
          skipping = false
          recordLine = 0
        }
      }
    }
    for o in oversized { tooLong(o, &batch) }
  }

  /// A single line over the limit: the record it belongs to is too long.
  private mutating func tooLong(_ line: Int, _ batch: inout RecordBatch) {
    if recordLine == 0 { recordLine = line }
    if !skipping {
      batch.oversized.append(recordLine)
      partial.removeAll(keepingCapacity: true)
      skipping = true
    }
  }
}
