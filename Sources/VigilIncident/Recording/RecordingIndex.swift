import VigilApp
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension RecordingEntry {
  /// What a record is, without its payload (what a recording's index keeps per record).
  public enum Kind: UInt8, Sendable {
    case input, tick, rules, action, alert, mark, end, delivered
  }

  public var kind: Kind {
    switch self {
    case .input: .input
    case .tick: .tick
    case .rules: .rules
    case .action: .action
    case .alert: .alert
    case .mark: .mark
    case .end: .end
    case .delivered: .delivered
    }
  }
}

/// The records of a recording, in file order.
///
/// Built from records in memory (``init(_:)``), or read from a file: then only an index is
/// held (each record's place in the file's text, its time and its kind: 21 bytes a record)
/// and a record is decoded from the file each time it is asked for, so memory does not grow
/// with the file's size. Reading a record of a file that changed since it was indexed gives
/// an `end` record (which replays as nothing).
public struct RecordingEntries: RandomAccessCollection, Sendable {
  enum Storage: Sendable {
    case memory([RecordingEntry])
    case indexed(RecordingIndex)
  }
  let storage: Storage

  public init(_ records: [RecordingEntry] = []) { storage = .memory(records) }

  init(index: RecordingIndex) { storage = .indexed(index) }

  public var startIndex: Int { 0 }
  public var endIndex: Int {
    switch storage {
    case .memory(let r): r.count
    case .indexed(let index): index.count
    }
  }

  public subscript(i: Int) -> RecordingEntry {
    switch storage {
    case .memory(let r): r[i]
    case .indexed(let index): index.record(i)
    }
  }

  /// The time of record `i` (without decoding it).
  public func time(at i: Int) -> Timestamp {
    switch storage {
    case .memory(let r): r[i].time
    case .indexed(let index): Timestamp(nanoseconds: index.times[i])
    }
  }

  /// The kind of record `i` (without decoding it).
  public func kind(at i: Int) -> RecordingEntry.Kind {
    switch storage {
    case .memory(let r): r[i].kind
    case .indexed(let index): index.kinds[i]
    }
  }

  /// Whether the records are read from a file on demand (false: held in memory).
  public var isIndexed: Bool {
    if case .indexed = storage { true } else { false }
  }
}

/// Where each record of a recording is in its text, with its time and kind; the texts (one
/// per file: a black box has several) are read when a record is decoded.
final class RecordingIndex: Sendable {
  let offsets: [Int64]
  let lengths: [UInt32]
  let times: [Int64]
  let kinds: [RecordingEntry.Kind]
  /// The texts, and the first record of each.
  let texts: [RecordingText]
  let textStarts: [Int]

  init(_ b: IndexBuilder) {
    offsets = b.offsets
    lengths = b.lengths
    times = b.times
    kinds = b.kinds
    texts = b.texts
    textStarts = b.textStarts
  }

  var count: Int { offsets.count }

  func text(of i: Int) -> RecordingText {
    var k = texts.count - 1
    while k > 0 && textStarts[k] > i { k -= 1 }
    return texts[k]
  }

  func record(_ i: Int) -> RecordingEntry {
    let decoded = text(of: i).withBytes(at: Int(offsets[i]), count: Int(lengths[i])) {
      line -> RecordingEntry? in
      guard let value = try? JSONValue.parse(line) else { return nil }
      return (try? RecordingEntry(json: value)) ?? nil
    }
    if let decoded, let decoded { return decoded }
    return .end(Timestamp(nanoseconds: times[i]), "the file changed after it was read")
  }
}

/// The index as it is built: records appended in file order, text by text.
struct IndexBuilder {
  var offsets: [Int64] = []
  var lengths: [UInt32] = []
  var times: [Int64] = []
  var kinds: [RecordingEntry.Kind] = []
  var texts: [RecordingText] = []
  var textStarts: [Int] = []

  var count: Int { offsets.count }

  mutating func begin(_ text: RecordingText) {
    texts.append(text)
    textStarts.append(offsets.count)
  }

  mutating func append(offset: Int, length: Int, time: Timestamp, kind: RecordingEntry.Kind) {
    offsets.append(Int64(offset))
    lengths.append(UInt32(length))
    times.append(time.nanoseconds)
    kinds.append(kind)
  }

  /// Appends another file's records (all of them, or all but its `end` records).
  mutating func append(_ other: IndexBuilder, keepEnd: Bool) {
    for (k, text) in other.texts.enumerated() {
      begin(text)
      let upper = k + 1 < other.textStarts.count ? other.textStarts[k + 1] : other.count
      for i in other.textStarts[k]..<upper where keepEnd || other.kinds[i] != .end {
        offsets.append(other.offsets[i])
        lengths.append(other.lengths[i])
        times.append(other.times[i])
        kinds.append(other.kinds[i])
      }
    }
  }

  /// Drops the `end` records.
  mutating func removeEnds() {
    var b = IndexBuilder()
    b.append(self, keepEnd: false)
    self = b
  }
}

/// Reads a recording's text line by line, once, front to back: checks the header and every
/// record (decoding each and dropping it) and indexes them. What stops the reading (a damaged
/// line, a cut-off last line) is described in `warnings` exactly as before indexes existed.
struct RecordingIndexer {
  let name: String
  var header: RecordingHeader?
  var index = IndexBuilder()
  var warnings: [String] = []
  var endedCleanly = false
  var unknownRecords = 0
  /// A damaged or cut-off line stopped the reading.
  private(set) var stopped = false
  private var lineNumber = 0
  private var lastTime: Timestamp?
  /// The part of a line not yet ended, and its text offset.
  private var carry: [UInt8] = []
  private var carryStart = 0
  private var nextOffset = 0
  /// Lines longer than this are damage (the index keeps 32-bit lengths).
  static let maxLine = Int(UInt32.max)

  init(name: String) { self.name = name }

  /// The text the indexed offsets are in (known once it has all been read, for gzip).
  mutating func attach(_ text: RecordingText) {
    index.texts = [text]
    index.textStarts = [0]
  }

  /// Feeds the next bytes of text.
  mutating func push(_ chunk: UnsafeRawBufferPointer) throws(RecordingFormatError) {
    var start = 0
    let base = nextOffset
    nextOffset += chunk.count
    while start < chunk.count && !stopped {
      let rest = UnsafeRawBufferPointer(rebasing: chunk[start...])
      guard let from = rest.baseAddress, let nl = memchr(from, 0x0A, rest.count) else {
        if carry.isEmpty { carryStart = base + start }
        carry.append(contentsOf: rest)
        if carry.count > Self.maxLine { try line(carry[...], at: carryStart, complete: false) }
        return
      }
      let end = start + (UnsafeRawPointer(nl) - from)
      if carry.isEmpty {
        try line(
          UnsafeRawBufferPointer(rebasing: chunk[start..<end]), at: base + start, complete: true)
      } else {
        carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
        let whole = carry
        carry.removeAll(keepingCapacity: true)
        try line(whole[...], at: carryStart, complete: true)
      }
      start = end + 1
    }
  }

  /// The text ended: the last line, if it has no newline, is cut off (or is the header).
  mutating func finish() throws(RecordingFormatError) {
    if !stopped && !carry.isEmpty {
      let last = carry
      carry = []
      try line(last[...], at: carryStart, complete: false)
    }
  }

  private mutating func line(_ bytes: ArraySlice<UInt8>, at offset: Int, complete: Bool)
    throws(RecordingFormatError)
  {
    var result: Result<Void, RecordingFormatError> = .success(())
    bytes.withUnsafeBytes { buf in
      do throws(RecordingFormatError) {
        try line(buf, at: offset, complete: complete)
      } catch {
        result = .failure(error)
      }
    }
    try result.get()
  }

  private mutating func line(_ line: UnsafeRawBufferPointer, at offset: Int, complete: Bool)
    throws(RecordingFormatError)
  {
    lineNumber += 1
    guard header != nil else {
      let value: JSONValue
      do throws(JSONValue.ParseError) {
        value = try JSONValue.parse(line)
      } catch {
        throw RecordingFormatError(
          "\(name): not a Vigil incident recording (line 1 is not JSON: \(error))")
      }
      let h: RecordingHeader
      do throws(RecordingFormatError) {
        h = try RecordingHeader(json: value)
      } catch {
        throw RecordingFormatError("\(name): \(error.message)")
      }
      if h.version > RecordingHeader.currentVersion {
        warnings.append(
          "recording format \(h.version) is newer than this Vigil's "
            + "(\(RecordingHeader.currentVersion)): replaying what it understands")
      }
      if h.appVersion != vigilVersion {
        warnings.append(
          "recorded with Vigil \(h.appVersion), replayed with \(vigilVersion): "
            + "alert transitions may differ")
      }
      header = h
      return
    }
    if !complete || line.count > Self.maxLine {
      cutOff(at: offset, "line \(lineNumber) is incomplete")
      return
    }
    do throws(RecordingFormatError) {
      let value: JSONValue
      do throws(JSONValue.ParseError) {
        value = try JSONValue.parse(line)
      } catch {
        throw RecordingFormatError("\(error)")
      }
      if let record = try RecordingEntry(json: value) {
        if case .end = record { endedCleanly = true }
        index.append(offset: offset, length: line.count, time: record.time, kind: record.kind)
        lastTime = record.time
      } else {
        unknownRecords += 1
      }
    } catch {
      damaged("at line \(lineNumber) (byte \(offset)): \(error)")
    }
  }

  /// "... replaying up to the last complete record at 10:00:00.000Z" (or nothing without one).
  private var lastRecordText: String {
    lastTime.map { " at " + CivilTime($0).rfc3339(fractionDigits: 3) } ?? ""
  }

  mutating func cutOff(at offset: Int, _ why: String) {
    warnings.append(
      "the recording is cut off at byte \(offset) (\(why)): "
        + "replaying up to the last complete record" + lastRecordText)
    stopped = true
  }

  mutating func damaged(_ whereAndWhy: String) {
    warnings.append(
      "the recording is damaged \(whereAndWhy); replaying the \(index.count) records before it")
    stopped = true
  }

  /// The gzip stream stopped early: said where (unless a damaged or cut line already did).
  mutating func compressedStopped(_ status: GzipReader.Status, textBytes: Int) {
    guard !stopped else { return }
    switch status {
    case .running, .end: return
    case .cut:
      warnings.append(
        "the compressed recording is cut off after \(textBytes) bytes of text (no gzip "
          + "trailer): replaying up to the last complete record" + lastRecordText)
    case .damaged(let why, let at):
      warnings.append(
        "the recording is damaged at byte \(at) of the gzip file (\(why)); replaying the "
          + "\(index.count) records before it")
    }
    stopped = true
  }

  /// The file as read: its header, warnings and index (nil when there was no header line).
  func file() -> RecordingFile? {
    guard let header else { return nil }
    var f = RecordingFile(header: header, records: RecordingEntries(index: RecordingIndex(index)))
    f.warnings = warnings
    f.endedCleanly = endedCleanly
    f.unknownRecords = unknownRecords
    if !f.endedCleanly
      && f.warnings.allSatisfy({ !$0.contains("cut off") && !$0.contains("damaged") })
    {
      f.warnings.append(
        "the recording has no end record (Vigil was killed or the disk filled): "
          + "replaying up to its last record")
    }
    if f.unknownRecords > 0 {
      f.warnings.append("\(f.unknownRecords) records of unknown kinds were skipped")
    }
    return f
  }
}
