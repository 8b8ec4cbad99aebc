#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One feed file (or standard input) read to its end on a thread of its own, in chunks framed
/// into record batches that the consumer takes in file order: `vigil check`'s reader cursor.
///
/// At most `depth` batches wait, so a consumer that reads another feed meanwhile holds this one
/// back: memory stays bounded by `depth` chunks per feed. Taken batches can be handed back
/// (``recycle(_:)``) so their storage is reused.
public final class FeedCursor: @unchecked Sendable {
  /// What ``next()`` gives.
  public enum Item: Sendable {
    case records(RecordBatch, FeedFormat)
    /// The feed ended (its last batch came before).
    case end
    /// It could not be read: the system's words.
    case failed(String)
  }

  public let spec: FeedSpec
  private let queue: BatchQueue

  private init(spec: FeedSpec, queue: BatchQueue) {
    self.spec = spec
    self.queue = queue
  }

  /// Opens the feed and starts its reader thread; the system's words when it cannot be opened.
  public static func open(
    _ spec: FeedSpec, chunkSize: Int = 1 << 20, depth: Int = 2
  ) -> Result<FeedCursor, FeedOpenFailure> {
    let stdin = spec.kind == .stdin
    let fd = stdin ? 0 : openForReading(spec.target)
    guard fd >= 0 else {
      return .failure(FeedOpenFailure(reason: String(cString: strerror(errno))))
    }
    let queue = BatchQueue(depth: max(1, depth))
    let format = spec.format
    let size = max(1, chunkSize)
    spawnThread {
      defer { if !stdin { close(fd) } }
      FeedCursor.readToEnd(fd: fd, format: format, chunkSize: size, into: queue)
    }
    return .success(FeedCursor(spec: spec, queue: queue))
  }

  /// The reader thread: chunks, framed, queued in order; then the end or the failure.
  private static func readToEnd(
    fd: Int32, format: FeedFormat?, chunkSize: Int, into queue: BatchQueue
  ) {
    var pump = RecordPump(format: format)
    var buffer = [UInt8](repeating: 0, count: chunkSize)
    while true {
      let r = buffer.withUnsafeMutableBytes { fill(fd, $0) }
      var batch = queue.spare()
      buffer.withUnsafeBytes {
        pump.push(UnsafeRawBufferPointer(rebasing: $0[0..<r.count]), into: &batch)
      }
      if let error = r.error {
        queue.put(.failed(String(cString: strerror(error))))
        return
      }
      if r.ended { pump.finish(into: &batch) }
      if !batch.isEmpty, let f = pump.format {
        guard queue.put(.records(batch, f)) else { return }
      } else {
        queue.recycle(batch)
      }
      if r.ended {
        queue.put(.end)
        return
      }
    }
  }

  /// The next item, waiting for the reader if it is not there yet.
  public func next() -> Item { queue.take() }

  /// Hands a taken batch back for reuse (optional).
  public func recycle(_ batch: RecordBatch) { queue.recycle(batch) }

  /// Stops the reader (it ends at its next chunk); further ``next()`` calls return `.end`.
  public func cancel() { queue.cancel() }
}

private func openForReading(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }

/// Reads into `buffer` until it is full, the input ends, or no more is there right now (a
/// pipe gives at most its capacity, 64 KiB, a read: this keeps batches large when the writer
/// keeps up). Returns the bytes read, whether the input ended, and the read error if any.
private func fill(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> (
  count: Int, ended: Bool, error: Int32?
) {
  var total = 0
  while total < buffer.count {
    let n = read(fd, buffer.baseAddress.map { $0 + total }, buffer.count - total)
    if n < 0 {
      if errno == EINTR { continue }
      return (total, false, errno)
    }
    if n == 0 { return (total, true, nil) }
    total += n
    var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    if poll(&ready, 1, 0) <= 0 { break }
  }
  return (total, false, nil)
}

/// Why a feed could not be opened.
public struct FeedOpenFailure: Error, Sendable, Equatable {
  public var reason: String
}

/// A bounded queue between one reader thread and one consumer, with spare batches to reuse.
final class BatchQueue: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private let depth: Int
  // Guarded by `mutex`.
  private var items: [FeedCursor.Item] = []
  private var head = 0
  private var spares: [RecordBatch] = []
  private var cancelled = false

  init(depth: Int) {
    self.depth = depth
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(changed, nil)
  }

  deinit {
    pthread_cond_destroy(changed)
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
    changed.deallocate()
  }

  private func locked<R>(_ body: () -> R) -> R {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body()
  }

  /// Queues `item`, waiting while `depth` items wait; false once cancelled.
  @discardableResult
  func put(_ item: FeedCursor.Item) -> Bool {
    locked {
      while !cancelled && items.count - head >= depth { pthread_cond_wait(changed, mutex) }
      guard !cancelled else { return false }
      items.append(item)
      pthread_cond_broadcast(changed)
      return true
    }
  }

  func take() -> FeedCursor.Item {
    locked {
      while !cancelled && head == items.count { pthread_cond_wait(changed, mutex) }
      guard !cancelled else { return .end }
      let item = items[head]
      items[head] = .end  // the batch's storage stays unshared, to be reused
      head += 1
      if head == items.count {
        items.removeAll(keepingCapacity: true)
        head = 0
      }
      pthread_cond_broadcast(changed)
      return item
    }
  }

  /// An empty batch, reusing a recycled one's storage when there is one.
  func spare() -> RecordBatch {
    var batch = locked { spares.popLast() } ?? RecordBatch()
    batch.removeAll()
    return batch
  }

  func recycle(_ batch: RecordBatch) {
    locked { if spares.count < depth { spares.append(batch) } }
  }

  func cancel() {
    locked {
      cancelled = true
      items.removeAll()
      head = 0
      pthread_cond_broadcast(changed)
    }
  }
}
