#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads records from a file descriptor until end of input (standard input for `-`).
public struct StandardInputSource: FeedSource {
  public let spec: FeedSpec
  public let fd: Int32
  public let maxRecordBytes: Int

  public init(spec: FeedSpec, fd: Int32 = 0, maxRecordBytes: Int = 65_536) {
    self.spec = spec
    self.fd = fd
    self.maxRecordBytes = maxRecordBytes
  }

  public func run(inbox: MessageInbox, stop: StopFlag) {
    var pump = RecordPump(format: spec.format, maxRecordBytes: maxRecordBytes)
    var buffer = [UInt8](repeating: 0, count: 256 * 1024)
    _ = inbox.send(spec.id, .event(.opened))
    var caughtUp = false
    while !stop.isStopped {
      if !caughtUp {
        // Nothing more for 100 ms: the backlog is in.
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&pfd, 1, 100) == 0 {
          caughtUp = true
          _ = inbox.send(spec.id, .event(.caughtUp))
          continue
        }
      }
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        _ = inbox.send(spec.id, .event(.failed(String(cString: strerror(errno)))))
        return
      }
      var batch = RecordBatch()
      if n == 0 {
        pump.finish(into: &batch)
        if !batch.isEmpty, let f = pump.format { _ = inbox.send(spec.id, .records(batch, f)) }
        _ = inbox.send(spec.id, .event(.endOfInput))
        return
      }
      buffer.withUnsafeBytes {
        pump.push(UnsafeRawBufferPointer(rebasing: $0[0..<n]), into: &batch)
      }
      if !batch.isEmpty, let f = pump.format {
        guard inbox.send(spec.id, .records(batch, f)) else { return }
      }
    }
  }
}
