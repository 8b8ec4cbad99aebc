/// Splits a byte stream into lines, resumably and with bounded memory.
///
/// - Lines end at `\n`; one trailing `\r` is dropped, so CRLF files frame like LF files.
/// - Lines are numbered from 1 (or from the number given to ``reset(line:)``); every line
///   consumes a number, empty and oversized ones included.
/// - At most `maxRecordBytes` of a partial line are held. The limit counts the bytes before
///   the `\n` (a `\r` included). A longer line is skipped up to its newline without being
///   buffered, and its number goes to ``RecordBatch/oversized`` as soon as it is known to be
///   too long.
/// - ``finish(into:)`` emits a final line that has no newline.
///
/// Complete lines inside a chunk are copied straight from the chunk into the batch; only the
/// tail of a chunk (a line still waiting for its newline) is copied into the partial buffer.
/// Modelled on swift-nio's `NIOSplitLinesMessageDecoder` (`maximumBufferSize`).
///
/// ```swift
/// var framer = LineFramer()
/// var batch = RecordBatch()
/// framer.push(chunk, into: &batch)   // complete lines
/// framer.finish(into: &batch)        // the unterminated last line, if any
/// ```
///
/// - Complexity: O(n) per chunk, scanning 8 bytes per step.
public struct LineFramer: RecordFramer {
  /// The longest line kept, in bytes (excluding the `\n`).
  public let maxRecordBytes: Int
  private var partial: [UInt8] = []
  /// True while discarding the rest of an oversized line.
  private var skipping = false
  private var line = 1

  /// Creates a framer that keeps lines of at most `maxRecordBytes` bytes.
  public init(maxRecordBytes: Int = 65_536) {
    self.maxRecordBytes = max(0, maxRecordBytes)
  }

  public var bufferedBytes: Int { partial.count }

  public var nextLine: Int { line }

  public mutating func push(_ chunk: UnsafeRawBufferPointer, into batch: inout RecordBatch) {
    let n = chunk.count
    var pos = 0
    while pos < n {
      let nl = firstIndex(of: 0x0A, in: chunk, from: pos, to: n)
      if nl == n {
        // No newline in the rest of the chunk: keep it, or start skipping.
        if skipping { return }
        let rest = n - pos
        if partial.count + rest > maxRecordBytes {
          markOversized(&batch)
        } else {
          partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[pos..<n]))
        }
        return
      }
      if skipping {
        skipping = false
      } else if partial.isEmpty {
        if nl - pos > maxRecordBytes {
          batch.oversized.append(line)
        } else {
          batch.append(LineFramer.droppingCR(chunk, pos, nl), line: line)
        }
        line &+= 1
      } else {
        LineFramer.complete(
          &partial, with: UnsafeRawBufferPointer(rebasing: chunk[pos..<nl]), line: line,
          limit: maxRecordBytes, into: &batch)
        line &+= 1
      }
      pos = nl + 1
    }
  }

  public mutating func finish(into batch: inout RecordBatch) {
    if skipping {
      skipping = false
      return
    }
    guard !partial.isEmpty else { return }
    partial.withUnsafeBytes { raw in
      batch.append(LineFramer.droppingCR(raw, 0, raw.count), line: line)
    }
    partial.removeAll(keepingCapacity: true)
    line &+= 1
  }

  public mutating func reset(line: Int) {
    partial.removeAll(keepingCapacity: true)
    skipping = false
    self.line = line
  }

  /// Reports the current line as oversized and discards it up to its newline.
  private mutating func markOversized(_ batch: inout RecordBatch) {
    batch.oversized.append(line)
    line &+= 1
    skipping = true
    partial.removeAll(keepingCapacity: true)
  }

  /// Ends a record whose start waits in `partial`: appends `tail` and emits it (without a
  /// trailing `\r`), or reports the line as oversized; `partial` is emptied either way.
  static func complete(
    _ partial: inout [UInt8], with tail: UnsafeRawBufferPointer, line: Int, limit: Int,
    into batch: inout RecordBatch
  ) {
    if partial.count + tail.count > limit {
      batch.oversized.append(line)
    } else {
      partial.append(contentsOf: tail)
      partial.withUnsafeBytes { raw in batch.append(droppingCR(raw, 0, raw.count), line: line) }
    }
    partial.removeAll(keepingCapacity: true)
  }

  @inline(__always)
  static func droppingCR(_ raw: UnsafeRawBufferPointer, _ start: Int, _ end: Int)
    -> UnsafeRawBufferPointer
  {
    var e = end
    if e > start && raw[e - 1] == 0x0D { e -= 1 }
    return UnsafeRawBufferPointer(rebasing: raw[start..<e])
  }
}
