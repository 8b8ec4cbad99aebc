import CZlib
import VigilApp
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Appends lines to a recording file, flushed at least once a second of clock time, so a
/// recording cut off by `kill -9` or a full disk is readable up to its last complete line.
///
/// A path ending in `.gz` is written gzip-compressed: each flush ends with a zlib sync flush,
/// so everything flushed decompresses even when the gzip trailer never gets written.
///
/// A write error stops the recording (and says why in ``failure``); it never stops Vigil.
public final class RecordingWriter {
  private var fd: Int32
  private var buffer: [UInt8] = []
  private var lastFlush: Timestamp?
  private let deflater: Deflater?
  private var finished = false
  /// Bytes written to the file (compressed, for gzip).
  public private(set) var bytesWritten = 0
  /// Why recording stopped, if it did.
  public private(set) var failure: String?
  public static let flushBytes = 256 << 10

  /// Creates (or truncates) `path`; gzip-compressed when it ends in `.gz`.
  public init(path: String) throws(RecordingFormatError) {
    if path.hasSuffix(".gz") {
      guard let d = Deflater() else {
        throw RecordingFormatError("cannot start gzip compression for \(path)")
      }
      deflater = d
    } else {
      deflater = nil
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw RecordingFormatError("cannot create \(path): \(String(cString: strerror(errno)))")
    }
  }

  deinit { if fd >= 0 { closeDescriptor(fd) } }

  public func append(_ value: JSONValue) {
    guard failure == nil else { return }
    var line = ""
    value.write(to: &line)
    line += "\n"
    buffer.append(contentsOf: line.utf8)
    if buffer.count >= Self.flushBytes { flush() }
  }

  /// Flushes when a second of clock time has passed since the last flush.
  public func tick(_ now: Timestamp) {
    guard let last = lastFlush else {
      lastFlush = now
      return
    }
    if now.since(last) >= Nanos.second || now < last {
      flush()
      lastFlush = now
    }
  }

  /// Writes everything buffered (compressed: up to a sync flush point).
  public func flush() { flush(final: false) }

  private func flush(final: Bool) {
    guard failure == nil, !finished else { return }
    guard let deflater else {
      guard !buffer.isEmpty else { return }
      writeAll(buffer)
      buffer.removeAll(keepingCapacity: true)
      return
    }
    guard !buffer.isEmpty || final else { return }
    let out = deflater.compress(buffer, finish: final)
    buffer.removeAll(keepingCapacity: true)
    guard let out else {
      failure = "recording stopped after \(bytesWritten) bytes: gzip compression failed"
      return
    }
    writeAll(out)
  }

  private func writeAll(_ bytes: [UInt8]) {
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        write(fd, UnsafeRawBufferPointer(rebasing: raw[done...]).baseAddress, raw.count - done)
      }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 {
        failure =
          "recording stopped after \(bytesWritten) bytes: \(String(cString: strerror(errno)))"
        return
      }
      done += n
      bytesWritten += n
    }
  }

  /// Stops the recording with a reason (nothing more is written).
  public func fail(_ why: String) {
    if failure == nil { failure = why }
  }

  /// Flushes (ending the gzip stream), syncs and closes the file.
  public func finish() {
    flush(final: true)
    finished = true
    if fd >= 0 {
      _ = fsync(fd)
      closeDescriptor(fd)
      fd = -1
    }
  }
}

private func closeDescriptor(_ fd: Int32) { _ = close(fd) }
