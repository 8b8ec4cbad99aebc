import VigilApp
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A recording read back: its header, its records in file order, and what was wrong with it.
///
/// Reading never fails on the body: a damaged or truncated tail ends the records there and is
/// described in ``warnings``; only an unreadable file or header is an error. A file is read
/// once to check and index it, and its records are then decoded from the file as a replay
/// reaches them (``RecordingEntries``); a gzip-compressed file (`.gz`) is read as a stream.
public struct RecordingFile: Sendable {
  public var header: RecordingHeader
  public var records: RecordingEntries
  /// Messages for the user: a cut-off or damaged tail, a newer format, another app version.
  public var warnings: [String] = []
  /// The file ended with an `end` record (a clean close).
  public var endedCleanly = false
  /// Records of kinds this Vigil does not know (from a newer version), skipped.
  public var unknownRecords = 0

  /// A recording made in memory (for example from a Prometheus range query).
  public init(header: RecordingHeader, records: [RecordingEntry]) {
    self.header = header
    self.records = RecordingEntries(records)
  }

  public init(header: RecordingHeader, records: RecordingEntries) {
    self.header = header
    self.records = records
  }

  /// Reads a recording file, or a black-box directory (its segments joined, oldest first).
  public static func load(path: String) throws(RecordingFormatError) -> RecordingFile {
    if isDirectory(path) { return try loadBlackBox(path) }
    return try loadIndexed(path).file
  }

  /// Parses a recording's bytes (`name` is used in messages).
  public static func parse(_ bytes: [UInt8], name: String) throws(RecordingFormatError)
    -> RecordingFile
  {
    try indexed(StoredBytes(bytes), name: name).file
  }

  static func loadIndexed(_ path: String) throws(RecordingFormatError) -> (
    file: RecordingFile, index: IndexBuilder
  ) {
    guard let bytes = StoredBytes(path: path) else {
      throw RecordingFormatError("\(path): cannot read the file")
    }
    return try indexed(bytes, name: path)
  }

  /// Checks and indexes a recording's text, plain or gzip.
  static func indexed(_ bytes: StoredBytes, name: String, spacing: Int = GzipText.spacing)
    throws(RecordingFormatError) -> (file: RecordingFile, index: IndexBuilder)
  {
    let magic = bytes.prefix(2)
    if magic.isEmpty { throw RecordingFormatError("\(name): the file is empty") }
    var indexer: RecordingIndexer
    // (Access points fall between chunks: no more than one per chunk.)
    let size = min(1 << 20, max(1 << 12, spacing))
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
    defer { chunk.deallocate() }
    if magic == [0x1F, 0x8B] {
      indexer = try readGzip(bytes, name: name, chunk: chunk, spacing: spacing)
    } else {
      indexer = RecordingIndexer(name: name)
      indexer.attach(.plain(bytes))
      var offset = 0
      while !indexer.stopped {
        let n = bytes.read(at: offset, into: chunk)
        if n == 0 { break }
        offset += n
        try indexer.push(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
      }
      try indexer.finish()
    }
    guard let f = indexer.file() else { throw RecordingFormatError("\(name): the file is empty") }
    return (f, indexer.index)
  }

  /// Decompresses the file once, indexing its text and keeping access points for reads.
  private static func readGzip(
    _ bytes: StoredBytes, name: String, chunk: UnsafeMutableRawBufferPointer, spacing: Int
  ) throws(RecordingFormatError) -> RecordingIndexer {
    guard let reader = GzipReader(source: bytes) else {
      throw RecordingFormatError("\(name): cannot start gzip decompression (out of memory)")
    }
    var points: [GzipText.AccessPoint] = []
    var indexer = RecordingIndexer(name: name)
    while !indexer.stopped {
      let at = reader.textOffset
      if at >= (points.last?.textOffset ?? -spacing) + spacing,
        let copy = reader.inflater.copy()
      {
        points.append(
          GzipText.AccessPoint(
            textOffset: at, compressedOffset: reader.compressedOffset, inflater: copy))
      }
      let n = reader.next(into: chunk)
      if n == 0 { break }
      try indexer.push(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
    }
    indexer.attach(.gzip(GzipText(source: bytes, points: points)))
    if reader.textOffset == 0 && indexer.header == nil {
      switch reader.status {
      case .damaged(let why, _):
        throw RecordingFormatError("\(name): not a readable gzip file (\(why))")
      case .cut:
        throw RecordingFormatError("\(name): the gzip file is cut off before its first line")
      case .running, .end:
        throw RecordingFormatError("\(name): the file is empty (gzip-compressed)")
      }
    }
    if case .damaged = reader.status {
      // Damage ends the text: a partial last line is part of it, not a cut.
    } else {
      try indexer.finish()
    }
    indexer.compressedStopped(reader.status, textBytes: reader.textOffset)
    return indexer
  }

  static func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
  }

  /// A black box: its segments in time order as one recording. A segment that cannot be read
  /// ends the recording there (with a warning), as a damaged tail does.
  static func loadBlackBox(_ dir: String) throws(RecordingFormatError) -> RecordingFile {
    let segments = BlackBox.segments(dir)
    guard let first = segments.first else {
      throw RecordingFormatError(
        "\(dir): no black-box segments (\(BlackBox.prefix)*\(BlackBox.suffix)[.gz])")
    }
    var (joined, index) = try loadIndexed(first.path)
    // A segment ends with `end` ("segment") where the next begins; only the last one's counts.
    func inner(_ warnings: [String]) -> [String] {
      warnings.filter { !$0.contains("no end record") }
    }
    if segments.count > 1 {
      index.removeEnds()
      joined.warnings = inner(joined.warnings)
    }
    for (k, segment) in segments.enumerated().dropFirst() {
      let next: (file: RecordingFile, index: IndexBuilder)
      do throws(RecordingFormatError) {
        next = try loadIndexed(segment.path)
      } catch {
        joined.warnings.append("\(error); the black box ends before it")
        break
      }
      let last = k == segments.count - 1
      index.append(next.index, keepEnd: last)
      joined.warnings += last ? next.file.warnings : inner(next.file.warnings)
      joined.endedCleanly = next.file.endedCleanly
      joined.unknownRecords += next.file.unknownRecords
    }
    joined.records = RecordingEntries(index: RecordingIndex(index))
    if joined.header.continues {
      joined.warnings.append(
        "the black box starts mid-session (older segments were deleted): the first minutes warm "
          + "up, and transitions are compared after them")
    }
    return joined
  }

  static func readAll(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { _ = close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { return nil }
      if n == 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
  }
}
