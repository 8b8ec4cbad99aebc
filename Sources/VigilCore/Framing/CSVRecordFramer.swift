/// Splits a CSV byte stream into RFC 4180 records, resumably and with bounded memory.
///
/// A quoted field may hold the delimiter, `""` and newlines (SEMANTICS F28), so a record can
/// span several lines; `lines[i]` is the line on which record `i` starts, and line numbers keep
/// counting physical lines. Records end at a `\n` outside quotes, with one trailing `\r`
/// dropped (CRLF or LF). A `"` opens a quoted field only at the start of a field; a stray quote
/// inside a bare field is kept as data (the parser rejects the record), so it cannot swallow
/// the following lines.
///
/// The bound is the same as ``LineFramer``'s: at most `maxRecordBytes` of a partial record
/// are held; a longer record is skipped up to its end (quotes are still tracked) and its first
/// line number goes to ``RecordBatch/oversized``. ``finish(into:)`` emits an unterminated last
/// record, even one with an open quote, so the parser can report it.
///
/// - Complexity: O(n) per chunk.
public struct CSVRecordFramer: RecordFramer {
  /// The longest record kept, in bytes (excluding the final `\n`).
  public let maxRecordBytes: Int
  /// The field delimiter (`,` by default; `;` is common in some locales).
  public let delimiter: UInt8

  private enum State: UInt8 {
    case fieldStart, bare, quoted, quotedQuote
  }

  private var partial: [UInt8] = []
  private var skipping = false
  private var state = State.fieldStart
  /// The physical line being scanned.
  private var line = 1
  /// The first line of the record being scanned.
  private var recordLine = 1

  /// Creates a framer for records of at most `maxRecordBytes` bytes.
  public init(maxRecordBytes: Int = 65_536, delimiter: UInt8 = UInt8(ascii: ",")) {
    self.maxRecordBytes = max(0, maxRecordBytes)
    self.delimiter = delimiter
  }

  public var bufferedBytes: Int { partial.count }

  public var nextLine: Int { partial.isEmpty && state == .fieldStart ? line : recordLine }

  public mutating func push(_ chunk: UnsafeRawBufferPointer, into batch: inout RecordBatch) {
    let n = chunk.count
    var recordStart = 0
    var st = state
    var i = 0
    let quote = UInt8(ascii: "\"")
    let delim = delimiter
    while i < n {
      let b = chunk[i]
      if b == 0x0A {
        if st == .quoted {
          line &+= 1
        } else {
          complete(chunk, recordStart, i, &batch)
          line &+= 1
          recordLine = line
          st = .fieldStart
          recordStart = i + 1
        }
      } else if b == quote {
        switch st {
        case .fieldStart: st = .quoted
        case .bare: break
        case .quoted: st = .quotedQuote
        case .quotedQuote: st = .quoted
        }
      } else if b == delim {
        if st != .quoted { st = .fieldStart }
      } else if st == .fieldStart || st == .quotedQuote {
        st = .bare
      }
      i += 1
    }
    state = st
    if recordStart < n { stash(chunk, recordStart, n, &batch) }
  }

  public mutating func finish(into batch: inout RecordBatch) {
    if !skipping && !partial.isEmpty {
      partial.withUnsafeBytes { raw in
        batch.append(LineFramer.droppingCR(raw, 0, raw.count), line: recordLine)
      }
      line &+= 1
    }
    partial.removeAll(keepingCapacity: true)
    skipping = false
    state = .fieldStart
    recordLine = line
  }

  public mutating func reset(line: Int) {
    partial.removeAll(keepingCapacity: true)
    skipping = false
    state = .fieldStart
    self.line = line
    recordLine = line
  }

  /// A record ends at `chunk[end]` (a newline outside quotes).
  private mutating func complete(
    _ chunk: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ batch: inout RecordBatch
  ) {
    if skipping {
      skipping = false
      return
    }
    if partial.isEmpty {
      if end - start > maxRecordBytes {
        batch.oversized.append(recordLine)
      } else {
        batch.append(LineFramer.droppingCR(chunk, start, end), line: recordLine)
      }
      return
    }
    LineFramer.complete(
      &partial, with: UnsafeRawBufferPointer(rebasing: chunk[start..<end]), line: recordLine,
      limit: maxRecordBytes, into: &batch)
  }

  /// The chunk ends inside a record: keep its bytes, or start skipping it.
  private mutating func stash(
    _ chunk: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ batch: inout RecordBatch
  ) {
    if skipping { return }
    if partial.count + (end - start) > maxRecordBytes {
      batch.oversized.append(recordLine)
      skipping = true
      partial.removeAll(keepingCapacity: true)
    } else {
      partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
    }
  }
}
