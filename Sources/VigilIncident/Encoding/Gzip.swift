import CZlib
import Synchronization
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// gzip through the system zlib: written as a stream with a sync flush per flush (the
// recording writer), read as a stream with random access points (the recording reader).

/// A zlib deflate stream writing gzip, at a fixed address (zlib keeps a pointer back to it).
final class Deflater {
  private let stream: UnsafeMutablePointer<z_stream>

  init?(level: Int32 = Z_DEFAULT_COMPRESSION) {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    guard vigil_deflate_init(stream, level) == Z_OK else {
      stream.deallocate()
      return nil
    }
  }

  deinit {
    deflateEnd(stream)
    stream.deallocate()
  }

  /// Compresses `input` and ends with a sync flush (every byte so far can be decompressed
  /// from what is returned), or with the gzip trailer when `finish`. Nil on a zlib error.
  func compress(_ input: [UInt8], finish: Bool) -> [UInt8]? {
    var out: [UInt8] = []
    let chunk = 64 << 10
    let mode = finish ? Z_FINISH : Z_SYNC_FLUSH
    return input.withUnsafeBytes { raw -> [UInt8]? in
      stream.pointee.next_in = UnsafeMutablePointer(
        mutating: raw.baseAddress?.assumingMemoryBound(to: Bytef.self))
      stream.pointee.avail_in = UInt32(raw.count)
      while true {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: chunk))
        let rc = out.withUnsafeMutableBytes { o -> Int32 in
          stream.pointee.next_out = o.baseAddress.map {
            ($0 + start).assumingMemoryBound(to: Bytef.self)
          }
          stream.pointee.avail_out = UInt32(chunk)
          return deflate(stream, mode)
        }
        let left = Int(stream.pointee.avail_out)
        out.removeLast(left)
        if rc == Z_STREAM_END { return out }
        guard rc == Z_OK || rc == Z_BUF_ERROR else { return nil }
        // A sync flush is complete when zlib had output room to spare; a finish goes on
        // until Z_STREAM_END.
        if !finish && left > 0 { return out }
        if finish && rc == Z_BUF_ERROR && left > 0 { return nil }
      }
    }
  }
}

/// A zlib inflate stream at a fixed address (zlib keeps a pointer back to its stream).
///
/// `@unchecked Sendable`: an access point's stream is written once, while indexing, and then
/// only read (``copy()`` copies it, which does not modify it); a cursor's stream is used by one
/// thread at a time (it is taken out of the pool under a lock).
final class Inflater: @unchecked Sendable {
  let stream: UnsafeMutablePointer<z_stream>

  init?() {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    guard vigil_inflate_init(stream) == Z_OK else {
      stream.deallocate()
      return nil
    }
  }

  private init?(copying other: Inflater) {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    guard inflateCopy(stream, other.stream) == Z_OK else {
      stream.deallocate()
      return nil
    }
  }

  /// An independent stream in the same state (its window and pending bits included).
  func copy() -> Inflater? { Inflater(copying: self) }

  deinit {
    inflateEnd(stream)
    stream.deallocate()
  }
}

/// Decompresses a gzip file sequentially from an access point: one stream of text, members
/// joined, with what stopped it (a clean end, a cut, or damage) in ``status``. Used by one
/// thread at a time.
final class GzipReader {
  enum Status: Equatable {
    case running
    /// The last member ended with its trailer.
    case end
    /// The compressed bytes stop mid-stream (a `kill -9`, a full disk, a truncated copy).
    case cut
    /// zlib refused the data at this compressed byte.
    case damaged(String, at: Int)
  }

  let source: StoredBytes
  let inflater: Inflater
  private let input: UnsafeMutableRawBufferPointer
  private var inStart = 0
  private var inEnd = 0
  /// The compressed offset of `input[inEnd]`.
  private var fileOffset: Int
  private var sourceDone = false
  /// The text offset of the next byte produced.
  private(set) var textOffset: Int
  private(set) var status = Status.running
  static let inputSize = 64 << 10

  /// At the start of the file, or at an access point (a copy of its stream).
  init?(source: StoredBytes, at point: GzipText.AccessPoint? = nil) {
    guard let inflater = point.map({ $0.inflater.copy() }) ?? Inflater() else { return nil }
    input = .allocate(byteCount: Self.inputSize, alignment: 1)
    self.source = source
    self.inflater = inflater
    fileOffset = point?.compressedOffset ?? 0
    textOffset = point?.textOffset ?? 0
  }

  deinit { input.deallocate() }

  /// The compressed offset of the next byte the stream will consume.
  var compressedOffset: Int { fileOffset - (inEnd - inStart) }

  /// Whether compressed bytes remain (reading more when the buffer is empty).
  private func haveInput() -> Bool {
    if inStart < inEnd { return true }
    if sourceDone { return false }
    let n = source.read(at: fileOffset, into: input)
    if n == 0 {
      sourceDone = true
      return false
    }
    inStart = 0
    inEnd = n
    fileOffset += n
    return true
  }

  /// Decompresses up to `out.count` bytes; 0 when the stream has stopped (see ``status``).
  func next(into out: UnsafeMutableRawBufferPointer) -> Int {
    guard status == .running, out.count > 0 else { return 0 }
    let s = inflater.stream
    while true {
      let more = haveInput()
      s.pointee.next_in =
        more ? input.baseAddress.map { ($0 + inStart).assumingMemoryBound(to: Bytef.self) } : nil
      s.pointee.avail_in = UInt32(inEnd - inStart)
      s.pointee.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
      s.pointee.avail_out = UInt32(out.count)
      let rc = inflate(s, Z_NO_FLUSH)
      inStart = inEnd - Int(s.pointee.avail_in)
      let produced = out.count - Int(s.pointee.avail_out)
      textOffset += produced
      switch rc {
      case Z_OK:
        if produced > 0 { return produced }
        if !more {
          status = .cut
          return 0
        }
      case Z_STREAM_END:
        // A member ended: another may follow (concatenated gzip files are one stream).
        if haveInput() {
          inflateReset(s)
        } else {
          status = .end
        }
        if produced > 0 || status != .running { return produced }
      case Z_BUF_ERROR:
        if produced > 0 { return produced }
        if !more {
          status = .cut
          return 0
        }
      default:
        let why = s.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
        status = .damaged(why, at: compressedOffset)
        return produced
      }
    }
  }
}

/// Random access to a gzip recording's text: access points (copies of the inflate state,
/// about 40 KB each) every ``spacing`` bytes of text, found while indexing; a read starts from
/// the nearest one before it, or goes on from where an earlier read stopped (a replay reads
/// forward), so playing a recording decompresses it about once.
final class GzipText: Sendable {
  struct AccessPoint: Sendable {
    var textOffset: Int
    var compressedOffset: Int
    var inflater: Inflater
  }

  /// A reader with the text it has decompressed but not yet handed out.
  final class Cursor: @unchecked Sendable {
    let reader: GzipReader
    var window: [UInt8] = []
    /// The text offset of `window[0]`; the window ends at `reader.textOffset`.
    var windowStart: Int
    init(_ reader: GzipReader) {
      self.reader = reader
      windowStart = reader.textOffset
    }
  }

  let source: StoredBytes
  let points: [AccessPoint]
  private let idle = Mutex<[Cursor]>([])
  /// Bytes of text between access points.
  static let spacing = 4 << 20
  static let chunk = 256 << 10

  init(source: StoredBytes, points: [AccessPoint]) {
    self.source = source
    self.points = points
  }

  /// The access point at or before text offset `offset`.
  private func point(before offset: Int) -> AccessPoint? {
    var lo = 0
    var hi = points.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if points[mid].textOffset <= offset { lo = mid + 1 } else { hi = mid }
    }
    return lo > 0 ? points[lo - 1] : nil
  }

  func withBytes<R>(at offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
    let start = point(before: offset)
    let startText = start?.textOffset ?? 0
    // A cursor that is at or before the text and past the access point, else a fresh one.
    var cursor = idle.withLock { pool -> Cursor? in
      let usable = pool.indices.filter {
        pool[$0].windowStart <= offset && pool[$0].reader.textOffset >= startText
      }
      guard let best = usable.max(by: { pool[$0].windowStart < pool[$1].windowStart }) else {
        return nil
      }
      return pool.remove(at: best)
    }
    if cursor == nil {
      guard let reader = GzipReader(source: source, at: start) else { return nil }
      cursor = Cursor(reader)
    }
    guard let c = cursor else { return nil }
    let result = Self.read(c, at: offset, count: count, body)
    if result != nil {
      idle.withLock { pool in
        pool.append(c)
        if pool.count > 4 { pool.removeFirst() }
      }
    }
    return result
  }

  private static func read<R>(
    _ c: Cursor, at offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> R
  ) -> R? {
    // Drop what lies before the text wanted.
    let drop = min(c.window.count, offset - c.windowStart)
    if drop > 0 {
      c.window.removeFirst(drop)
      c.windowStart += drop
    }
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
    defer { scratch.deallocate() }
    while c.windowStart + c.window.count < offset + count {
      let n = c.reader.next(into: scratch)
      if n == 0 { return nil }
      let chunkStart = c.reader.textOffset - n
      let skip = max(0, offset - chunkStart)
      if skip < n {
        if c.window.isEmpty { c.windowStart = chunkStart + skip }
        c.window.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[skip..<n]))
      } else {
        c.windowStart = c.reader.textOffset
      }
    }
    return c.window.withUnsafeBytes {
      body(
        UnsafeRawBufferPointer(
          rebasing: $0[(offset - c.windowStart)..<(offset - c.windowStart + count)]))
    }
  }
}
