/// Complete records handed from a feed to the loop in one message.
///
/// Records are stored back to back without their terminators; `ends[i]` is the exclusive end
/// offset of record `i` and `lines[i]` the 1-based line number where it starts. Records that
/// were longer than the framer's limit are not stored: their line numbers are in `oversized`.
public struct RecordBatch: Sendable, Equatable {
  public var bytes: [UInt8] = []
  public var ends: [Int] = []
  public var lines: [Int] = []
  public var oversized: [Int] = []
  /// Line numbers of records cut short by the transport (a datagram longer than the receive
  /// buffer): the record holds the complete lines only, and the loop counts the dropped partial
  /// line as ``RejectReason/truncated``.
  public var cut: [Int] = []

  public init() {}

  /// Number of records.
  public var count: Int { ends.count }
  public var isEmpty: Bool { ends.isEmpty && oversized.isEmpty }

  /// Start offset of record `i`.
  public func start(of i: Int) -> Int { i == 0 ? 0 : ends[i - 1] }

  /// Calls `body` with record `i`'s bytes and line number.
  public func withRecord<R>(_ i: Int, _ body: (UnsafeRawBufferPointer, Int) throws -> R) rethrows
    -> R
  {
    let s = start(of: i)
    let e = ends[i]
    return try bytes.withUnsafeBytes { raw in
      try body(UnsafeRawBufferPointer(rebasing: raw[s..<e]), lines[i])
    }
  }

  /// Record `i` as an array (tests and slow paths).
  public func record(_ i: Int) -> [UInt8] { Array(bytes[start(of: i)..<ends[i]]) }

  /// Appends one record.
  public mutating func append(_ record: UnsafeRawBufferPointer, line: Int) {
    bytes.append(contentsOf: record)
    ends.append(bytes.count)
    lines.append(line)
  }

  /// Removes everything, keeping capacity.
  public mutating func removeAll() {
    bytes.removeAll(keepingCapacity: true)
    ends.removeAll(keepingCapacity: true)
    lines.removeAll(keepingCapacity: true)
    oversized.removeAll(keepingCapacity: true)
    cut.removeAll(keepingCapacity: true)
  }
}

/// Splits a byte stream into records, resumably and with bounded memory.
///
/// A framer never holds more than its limit of a partial record: a longer record is skipped up
/// to its terminator and its line number reported in ``RecordBatch/oversized``.
public protocol RecordFramer: Sendable {
  /// Consumes `chunk`; appends every record it completes to `batch`.
  mutating func push(_ chunk: UnsafeRawBufferPointer, into batch: inout RecordBatch)
  /// End of input: emits a final unterminated record, if any.
  mutating func finish(into batch: inout RecordBatch)
  /// Drops any partial record and numbers the next record `line` (after truncation).
  mutating func reset(line: Int)
  /// Bytes of the partial record currently held.
  var bufferedBytes: Int { get }
  /// The line number the next record will get.
  var nextLine: Int { get }
}
