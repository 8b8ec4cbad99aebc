// API stub: the framing work replaces this file.
/// Splits on `\n` (a trailing `\r` is dropped), holding at most `maxRecordBytes` of a partial line.
public struct LineFramer: RecordFramer {
  public init(maxRecordBytes: Int = 65_536) { fatalError("unimplemented") }
  public mutating func push(_ chunk: UnsafeRawBufferPointer, into batch: inout RecordBatch) {}
  public mutating func finish(into batch: inout RecordBatch) {}
  public mutating func reset(line: Int) {}
  public var bufferedBytes: Int { 0 }
  public var nextLine: Int { 1 }
}

/// RFC 4180 records: a quoted field may hold `,`, `""` and newlines.
public struct CSVRecordFramer: RecordFramer {
  public init(maxRecordBytes: Int = 65_536) { fatalError("unimplemented") }
  public mutating func push(_ chunk: UnsafeRawBufferPointer, into batch: inout RecordBatch) {}
  public mutating func finish(into batch: inout RecordBatch) {}
  public mutating func reset(line: Int) {}
  public var bufferedBytes: Int { 0 }
  public var nextLine: Int { 1 }
}
