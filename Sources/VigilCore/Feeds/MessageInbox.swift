import Synchronization

/// The one way feeds talk to the loop: a bounded queue with per-feed backpressure.
///
/// `send` stamps each input with the arrival time and a global sequence number under one lock,
/// so arrival times never decrease and `(arrival, seq)` orders everything (replay uses the same
/// order). A feed whose queued bytes exceed `perFeedByteLimit` waits in `send` until the loop
/// catches up: a file or stdin is never dropped, it is read later instead. Sources that cannot
/// wait (UDP, later) will use `offer`, which drops and counts.
public final class MessageInbox: Sendable {
  private struct State {
    var items: [FeedInput] = []
    var head = 0
    var queuedBytes: [FeedID: Int] = [:]
    var seq: UInt64 = 0
    var lastArrival = Timestamp(nanoseconds: Int64.min)
    var closed = false
  }

  private let state = Mutex(State())
  private let clock: any VigilClock
  /// Bytes a single feed may have queued before `send` waits.
  public let perFeedByteLimit: Int

  public init(clock: any VigilClock, perFeedByteLimit: Int = 8 << 20) {
    self.clock = clock
    self.perFeedByteLimit = perFeedByteLimit
  }

  /// Queues `payload` from `feed`, waiting while that feed's queue is full.
  /// - Returns: false when the inbox is closed (the source should stop).
  @discardableResult
  public func send(_ feed: FeedID, _ payload: FeedPayload) -> Bool {
    let size = payloadBytes(payload)
    while true {
      let outcome: Bool? = state.withLock { s in
        if s.closed { return false }
        let queued = s.queuedBytes[feed, default: 0]
        if queued > 0 && queued + size > perFeedByteLimit { return nil }
        var t = clock.now()
        if t < s.lastArrival { t = s.lastArrival }
        s.lastArrival = t
        s.seq += 1
        s.items.append(FeedInput(feed: feed, arrival: t, seq: s.seq, payload: payload))
        s.queuedBytes[feed] = queued + size
        return true
      }
      if let done = outcome { return done }
      sleepNanoseconds(2 * Nanos.millisecond)
    }
  }

  /// Takes up to `maxItems` queued inputs, oldest first, without waiting.
  public func drain(maxItems: Int = .max) -> [FeedInput] {
    state.withLock { s in
      let available = s.items.count - s.head
      let n = min(available, maxItems)
      if n == 0 { return [] }
      let out = Array(s.items[s.head..<(s.head + n)])
      s.head += n
      for input in out { s.queuedBytes[input.feed, default: 0] -= payloadBytes(input.payload) }
      if s.head == s.items.count {
        s.items.removeAll(keepingCapacity: true)
        s.head = 0
      } else if s.head > 4096 && s.head * 2 > s.items.count {
        s.items.removeFirst(s.head)
        s.head = 0
      }
      return out
    }
  }

  /// Whether anything is queued.
  public var hasPending: Bool { state.withLock { $0.items.count > $0.head } }

  /// Waits up to `timeout` nanoseconds for input (headless loops; curses loops wait for keys).
  public func waitForInput(timeout: Int64) {
    let deadline = monotonicNanos() + timeout
    while !hasPending && monotonicNanos() < deadline && !isClosed {
      sleepNanoseconds(min(Nanos.millisecond, max(0, deadline - monotonicNanos())))
    }
  }

  /// Stops accepting input; waiting senders return false.
  public func close() { state.withLock { $0.closed = true } }

  public var isClosed: Bool { state.withLock { $0.closed } }
}

private func payloadBytes(_ p: FeedPayload) -> Int {
  switch p {
  case .records(let batch, _): return batch.bytes.count + 16 * batch.count + 64
  // A command's stderr lines count too, so a child flooding stderr waits like any other.
  case .event(.stderr(let lines)): return lines.reduce(64) { $0 + 16 + $1.utf8.count }
  case .event: return 64
  }
}
