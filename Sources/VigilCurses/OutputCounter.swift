#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Counts the bytes the calling thread passes to `write(2)`, from Linux's per-thread I/O
/// counters (`/proc/thread-self/io`, field `wchar`).
///
/// ncurses writes a frame with `write(2)` on the output descriptor from inside `doupdate()`,
/// on the caller's thread; the difference of this counter around that call is exactly what the
/// frame sent to the terminal, whatever the descriptor is (a tty, a pty, `/dev/null`). Nil
/// where the counters do not exist (macOS, a kernel before 3.17, a /proc not mounted).
package enum OutputCounter {
  /// The calling thread's `wchar`, or nil.
  package static func threadBytesWritten() -> UInt64? {
    #if os(Linux)
      let fd = open("/proc/thread-self/io", O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { return nil }
      defer { close(fd) }
      var buffer = [UInt8](repeating: 0, count: 512)
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { return nil }
      return parseWchar(buffer[0..<n])
    #else
      return nil
    #endif
  }

  /// The value of the `wchar:` line of an `io` file, or nil.
  package static func parseWchar<C: Collection<UInt8>>(_ text: C) -> UInt64? {
    let key = Array("wchar:".utf8)
    var lineStart = true
    var i = text.startIndex
    while i != text.endIndex {
      if lineStart, text[i...].starts(with: key) {
        var j = text.index(i, offsetBy: key.count)
        while j != text.endIndex, text[j] == 0x20 { j = text.index(after: j) }
        var value: UInt64 = 0
        var digits = 0
        while j != text.endIndex, text[j] >= 0x30, text[j] <= 0x39 {
          let (m, o1) = value.multipliedReportingOverflow(by: 10)
          let (a, o2) = m.addingReportingOverflow(UInt64(text[j] - 0x30))
          guard !o1, !o2 else { return nil }
          value = a
          digits += 1
          j = text.index(after: j)
        }
        return digits > 0 ? value : nil
      }
      lineStart = text[i] == 0x0A
      i = text.index(after: i)
    }
    return nil
  }
}
