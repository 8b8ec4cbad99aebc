import CZlib
import Synchronization
import VigilApp
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The bytes of a recording file as stored: an open file read at offsets, or bytes in memory.
final class StoredBytes: Sendable {
  private let fd: Int32
  private let memory: [UInt8]

  /// Opens `path` for reading (nil when it cannot be opened).
  init?(path: String) {
    fd = open(path, O_RDONLY | O_CLOEXEC)
    memory = []
    guard fd >= 0 else { return nil }
  }

  init(_ bytes: [UInt8]) {
    fd = -1
    memory = bytes
  }

  deinit { if fd >= 0 { _ = close(fd) } }

  /// Reads up to `buffer.count` bytes at `offset`; 0 at the end (or on a read error).
  func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    guard buffer.count > 0, offset >= 0 else { return 0 }
    if fd < 0 {
      guard offset < memory.count else { return 0 }
      let n = min(buffer.count, memory.count - offset)
      memory.withUnsafeBytes {
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n]))
      }
      return n
    }
    while true {
      let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
      if n < 0 && errno == EINTR { continue }
      return max(0, n)
    }
  }

  /// `count` bytes at `offset`, or nil when fewer are there.
  func withBytes<R>(at offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
    if fd < 0 {
      guard offset >= 0, count >= 0, offset + count <= memory.count else { return nil }
      return memory.withUnsafeBytes {
        body(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + count]))
      }
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, count), alignment: 1)
    defer { buffer.deallocate() }
    var done = 0
    while done < count {
      let n = read(
        at: offset + done, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<count]))
      if n <= 0 { return nil }
      done += n
    }
    return body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
  }

  /// The first bytes (to recognise gzip).
  func prefix(_ n: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: n)
    let got = out.withUnsafeMutableBytes { read(at: 0, into: $0) }
    return Array(out[0..<got])
  }
}

/// The text of a recording (its JSON lines): the stored bytes themselves, or their gzip
/// decompression. Lines are read at text offsets found by the indexing pass.
enum RecordingText: Sendable {
  case plain(StoredBytes)
  case gzip(GzipText)

  /// `count` bytes of text at `offset`, or nil when they cannot be read (the file changed).
  func withBytes<R>(at offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
    switch self {
    case .plain(let bytes): bytes.withBytes(at: offset, count: count, body)
    case .gzip(let gz): gz.withBytes(at: offset, count: count, body)
    }
  }
}
