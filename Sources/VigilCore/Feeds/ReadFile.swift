#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The whole text of a small file (configuration), or nil when it cannot be read or is not
/// UTF-8. Files over 16 MiB are refused.
public func readTextFile(_ path: String) -> String? {
  let fd = open(path, O_RDONLY | O_CLOEXEC)
  guard fd >= 0 else { return nil }
  defer { close(fd) }
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65_536)
  while true {
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n < 0 && errno == EINTR { continue }
    if n <= 0 { break }
    bytes.append(contentsOf: buffer[0..<n])
    if bytes.count > 16 << 20 { return nil }
  }
  return String(validating: bytes, as: UTF8.self)
}

/// Reads a whole file, or standard input, to its end in chunks of at most `chunkSize` bytes,
/// handing each to `body` as it comes (`vigil check` and `vigil lint-feed` read their feeds
/// this way). Returns why the file could not be opened or read (the system's words, as
/// `strerror` gives them), or nil once its end was reached.
public func readChunks(
  _ path: String, standardInput: Bool = false, chunkSize: Int = 1 << 20,
  _ body: (UnsafeRawBufferPointer) -> Void
) -> String? {
  let fd = standardInput ? 0 : open(path, O_RDONLY | O_CLOEXEC)
  guard fd >= 0 else { return String(cString: strerror(errno)) }
  defer { if fd != 0 { close(fd) } }
  var buffer = [UInt8](repeating: 0, count: max(1, chunkSize))
  while true {
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n < 0 && errno == EINTR { continue }
    if n < 0 { return String(cString: strerror(errno)) }
    if n == 0 { return nil }
    buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
  }
}
