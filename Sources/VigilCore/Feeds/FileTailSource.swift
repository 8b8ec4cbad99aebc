#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A source of feed input. Sources run on their own threads and only call
/// ``MessageInbox/send(_:_:)``; they never touch the loop's state.
public protocol FeedSource: Sendable {
  var spec: FeedSpec { get }
  /// Reads until `stop` is set, the inbox closes, or the input ends. Blocks: runs on the
  /// source's own thread (tests may call it on theirs).
  func run(inbox: MessageInbox, stop: StopFlag)
}

extension FeedSource {
  /// Starts the source on its own thread; it runs until `stop` is set or the inbox closes.
  public func start(inbox: MessageInbox, stop: StopFlag) {
    let me = self
    spawnThread { me.run(inbox: inbox, stop: stop) }
  }
}

/// Follows a file by name like `tail -F`.
///
/// - appended bytes are framed into records; a partial last line waits for its newline;
/// - the file shrinking below the read offset means truncation: read again from the start;
/// - the path naming a new inode means rotation: the old file is read to its end (a final
///   unterminated line is emitted), then the new file is read from its start;
/// - a missing path is waited for; a deleted path keeps the old file open until a new one
///   appears.
///
/// Idle cost is one `fstat` and one `stat` per poll (100 ms by default). As with `tail -F`,
/// lines written just before a copy-truncate that the poll did not see are lost.
public struct FileTailSource: FeedSource {
  public let spec: FeedSpec
  public let pollInterval: Int64
  public let maxRecordBytes: Int

  public init(
    spec: FeedSpec, pollInterval: Int64 = 100 * Nanos.millisecond, maxRecordBytes: Int = 65_536
  ) {
    self.spec = spec
    self.pollInterval = pollInterval
    self.maxRecordBytes = maxRecordBytes
  }

  /// The tail loop.
  public func run(inbox: MessageInbox, stop: StopFlag) {
    var tail = Tail(spec: spec, maxRecordBytes: maxRecordBytes)
    defer { tail.closeFile() }
    while !stop.isStopped && !inbox.isClosed {
      let progressed = tail.step(inbox: inbox)
      if !progressed { sleepNanoseconds(pollInterval) }
    }
  }
}

/// The state of one followed file.
private struct Tail {
  let spec: FeedSpec
  let maxRecordBytes: Int
  var fd: Int32 = -1
  var device: UInt64 = 0
  var inode: UInt64 = 0
  var offset: Int64 = 0
  var pump: RecordPump
  var reportedWaiting = false
  var reportedDeleted = false
  var firstOpen = true
  var reportedCaughtUp = false
  var buffer = [UInt8](repeating: 0, count: 256 * 1024)

  init(spec: FeedSpec, maxRecordBytes: Int) {
    self.spec = spec
    self.maxRecordBytes = maxRecordBytes
    pump = RecordPump(format: spec.format, maxRecordBytes: maxRecordBytes)
  }

  mutating func closeFile() {
    if fd >= 0 { close(fd) }
    fd = -1
  }

  /// One poll: open if needed, read what is new, check for truncation and rotation.
  /// - Returns: true when bytes were read (poll again at once).
  mutating func step(inbox: MessageInbox) -> Bool {
    if fd < 0 {
      guard openPath(inbox: inbox) else { return false }
    }
    if readAvailable(inbox: inbox) { return true }
    if !reportedCaughtUp {
      reportedCaughtUp = true
      _ = inbox.send(spec.id, .event(.caughtUp))
    }
    // At the end of the open file: has the path moved on, or the file shrunk?
    var st = stat()
    if fstat(fd, &st) == 0 && Int64(st.st_size) < offset {
      _ = lseek(fd, 0, SEEK_SET)
      offset = 0
      pump.reset()
      _ = inbox.send(spec.id, .event(.truncated))
      return true
    }
    var pst = stat()
    if stat(spec.target, &pst) != 0 {
      if !reportedDeleted {
        reportedDeleted = true
        _ = inbox.send(spec.id, .event(.deleted))
      }
      return false
    }
    if UInt64(pst.st_dev) != device || UInt64(pst.st_ino) != inode {
      // Rotation: finish the old file (it may have grown since the last read), then switch.
      while readAvailable(inbox: inbox) {}
      var batch = RecordBatch()
      pump.finish(into: &batch)
      if !batch.isEmpty, let f = pump.format { _ = inbox.send(spec.id, .records(batch, f)) }
      closeFile()
      pump = RecordPump(format: spec.format ?? pump.format, maxRecordBytes: maxRecordBytes)
      reportedDeleted = false
      if openPath(inbox: inbox) { _ = inbox.send(spec.id, .event(.rotated)) }
      return true
    }
    reportedDeleted = false
    return false
  }

  mutating func openPath(inbox: MessageInbox) -> Bool {
    let newFd = open(spec.target, O_RDONLY | O_CLOEXEC)
    if newFd < 0 {
      if !reportedWaiting {
        reportedWaiting = true
        let why = String(cString: strerror(errno))
        _ = inbox.send(spec.id, .event(.waiting(why)))
      }
      return false
    }
    var st = stat()
    guard fstat(newFd, &st) == 0 else {
      close(newFd)
      return false
    }
    fd = newFd
    device = UInt64(st.st_dev)
    inode = UInt64(st.st_ino)
    offset = 0
    if firstOpen && spec.fromEnd {
      offset = Int64(st.st_size)
      _ = lseek(fd, off_t(offset), SEEK_SET)
    }
    firstOpen = false
    reportedWaiting = false
    _ = inbox.send(spec.id, .event(.opened))
    return true
  }

  /// Reads and frames everything available now. Returns true when anything was read.
  mutating func readAvailable(inbox: MessageInbox) -> Bool {
    var any = false
    var batch = RecordBatch()
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        _ = inbox.send(spec.id, .event(.failed(String(cString: strerror(errno)))))
        break
      }
      if n == 0 { break }
      any = true
      offset += Int64(n)
      buffer.withUnsafeBytes {
        pump.push(UnsafeRawBufferPointer(rebasing: $0[0..<n]), into: &batch)
      }
      if batch.bytes.count >= 1 << 20 { flush(&batch, inbox) }
    }
    flush(&batch, inbox)
    return any
  }

  func flush(_ batch: inout RecordBatch, _ inbox: MessageInbox) {
    guard !batch.isEmpty, let f = pump.format else { return }
    _ = inbox.send(spec.id, .records(batch, f))
    batch = RecordBatch()
  }
}
