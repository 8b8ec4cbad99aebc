import VigilCore

/// One framed record as tests compare it.
public struct FramedRecord: Equatable, Sendable, CustomStringConvertible {
  public var line: Int
  public var bytes: [UInt8]
  public init(line: Int, bytes: [UInt8]) {
    self.line = line
    self.bytes = bytes
  }
  public init(line: Int, _ text: String) { self.init(line: line, bytes: Array(text.utf8)) }
  public var description: String { "\(line):\(printableExcerpt(bytes))" }
}

/// Everything a framer produced: records and oversized line numbers.
public struct FramedOutput: Equatable, Sendable {
  public var records: [FramedRecord] = []
  public var oversized: [Int] = []
  public init(records: [FramedRecord] = [], oversized: [Int] = []) {
    self.records = records
    self.oversized = oversized
  }
  public mutating func take(_ batch: RecordBatch) {
    for i in 0..<batch.count {
      records.append(FramedRecord(line: batch.lines[i], bytes: batch.record(i)))
    }
    oversized += batch.oversized
  }
}

/// Feeds `data` to `framer` in chunks of `chunkSize` bytes, then finishes.
///
/// `check` runs after every push (for bounds such as `bufferedBytes`).
public func frame<F: RecordFramer>(
  _ framer: inout F, _ data: [UInt8], chunkSize: Int, finish: Bool = true,
  check: (F) -> Void = { _ in }
) -> FramedOutput {
  var out = FramedOutput()
  var batch = RecordBatch()
  var start = 0
  data.withUnsafeBytes { raw in
    while start < raw.count {
      let end = min(raw.count, start + max(1, chunkSize))
      batch.removeAll()
      framer.push(UnsafeRawBufferPointer(rebasing: raw[start..<end]), into: &batch)
      out.take(batch)
      check(framer)
      start = end
    }
  }
  if finish {
    batch.removeAll()
    framer.finish(into: &batch)
    out.take(batch)
  }
  return out
}
