/// What one pair has counted since the engine started.
public struct PairCounts: Sendable, Equatable {
  /// Starts matched with their end (each one latency).
  public var matched = 0
  /// Starts held now, with no end yet (the open gauge).
  public var open = 0
  /// Ends held now, waiting for a start that may come late (a feed's disorder).
  public var waiting = 0
  /// Starts older than the timeout with no end.
  public var timedOut = 0
  /// Keys evicted, oldest first, because `max_open` keys were held.
  public var evicted = 0
  /// Ends no start came for within the timeout (it came before Vigil started, or the end was
  /// repeated).
  public var endsWithoutStart = 0
  /// A second start for a key already open (the first is kept).
  public var duplicateStarts = 0
  /// An end stamped before its start (no latency is made of it).
  public var outOfOrder = 0
  /// Events whose key label was missing, empty or longer than ``PairSpec/maxKeyBytes``.
  public var badKeys = 0

  public init() {}
}

/// One pair's open keys: a hash map from key to its event's time, and a min-heap of (time,
/// key) for timeouts and eviction, entries removed from the map being skipped when they reach
/// the top (a sequence number tells a live entry from a removed one).
///
/// An end whose start has not come yet waits in the same map (marked as an end), so a start
/// that arrives after its end still pairs with it: the latencies do not depend on the order in
/// which events are read, only on their timestamps. Time is the newest event time the pair has
/// seen: everything older than it by more than the timeout expires.
///
/// Memory per open key: the key's bytes in an array (32 bytes of header) plus a map entry and
/// a heap entry (see the README's figure, `vigil-bench --pairs`).
struct PairTracker: Sendable {
  struct Entry: Sendable {
    var time: Int64
    var seq: UInt64
    var isEnd: Bool
  }

  struct Due: Sendable {
    var time: Int64
    var seq: UInt64
    var key: [UInt8]
  }

  /// What handling one event gave the engine.
  struct Outcome {
    /// `end − start` in nanoseconds, when a pair matched.
    var latency: Int64?
    /// Starts timed out while time advanced to this event.
    var timedOut = 0
  }

  let timeout: Int64
  let maxOpen: Int
  private(set) var map: [[UInt8]: Entry] = [:]
  private(set) var heap: [Due] = []
  private var seq: UInt64 = 0
  /// The newest event time seen (`Int64.min`: none).
  private(set) var newest = Int64.min
  private(set) var counts = PairCounts()

  init(timeout: Int64, maxOpen: Int) {
    self.timeout = max(1, timeout)
    self.maxOpen = max(1, maxOpen)
  }

  /// Handles a start (`isEnd` false) or an end of `key` at event time `time`.
  mutating func handle(isEnd: Bool, key: ArraySlice<UInt8>, at time: Int64) -> Outcome {
    var out = Outcome()
    if time > newest {
      newest = time
      out.timedOut = expire()
    }
    // A copy of exactly the key's bytes: `Array(key)` may share the sink's whole buffer
    // (thousands of bytes) when the slice spans all of it.
    let k = key.withUnsafeBufferPointer { Array($0) }
    if let e = map[k] {
      if e.isEnd == isEnd {
        if isEnd { counts.endsWithoutStart += 1 } else { counts.duplicateStarts += 1 }
        return out
      }
      remove(k, e)
      let (start, end) = isEnd ? (e.time, time) : (time, e.time)
      let (latency, overflow) = end.subtractingReportingOverflow(start)
      if end < start {
        counts.outOfOrder += 1
      } else if overflow || latency > timeout {
        // Longer than the timeout (the start would have expired had time moved between them).
        counts.timedOut += 1
        out.timedOut += 1
      } else {
        counts.matched += 1
        out.latency = latency
      }
      return out
    }
    // Too old to pair with anything held: it would expire at once.
    if time < cutoff {
      if isEnd {
        counts.endsWithoutStart += 1
      } else {
        counts.timedOut += 1
        out.timedOut += 1
      }
      return out
    }
    while map.count >= maxOpen, let oldest = popLive() {
      counts.evicted += 1
      remove(oldest.key, oldest.entry)
    }
    seq &+= 1
    map[k] = Entry(time: time, seq: seq, isEnd: isEnd)
    push(Due(time: time, seq: seq, key: k))
    if isEnd { counts.waiting += 1 } else { counts.open += 1 }
    compactIfStale()
    return out
  }

  /// Notes an event whose key was unusable.
  mutating func badKey() { counts.badKeys += 1 }

  /// Event times before this have expired.
  private var cutoff: Int64 {
    newest == .min
      ? .min
      : newest.subtractingReportingOverflow(timeout).overflow
        ? .min : newest - timeout
  }

  /// Expires every key older than the timeout; returns how many were starts.
  private mutating func expire() -> Int {
    let limit = cutoff
    var starts = 0
    while let top = heap.first, top.time < limit {
      _ = popHeap()
      // Skip what was removed from the map (only a live entry this old expires).
      guard let entry = map[top.key], entry.seq == top.seq else { continue }
      remove(top.key, entry)
      if entry.isEnd {
        counts.endsWithoutStart += 1
      } else {
        counts.timedOut += 1
        starts += 1
      }
    }
    return starts
  }

  private mutating func remove(_ key: [UInt8], _ e: Entry) {
    map[key] = nil
    if e.isEnd { counts.waiting -= 1 } else { counts.open -= 1 }
  }

  /// Pops heap entries until one still in the map (with its entry).
  private mutating func popLive() -> (key: [UInt8], entry: Entry)? {
    while let top = popHeap() {
      if let e = map[top.key], e.seq == top.seq { return (top.key, e) }
    }
    return nil
  }

  /// Rebuilds the heap from the map when removed entries are most of it.
  private mutating func compactIfStale() {
    guard heap.count > 2 * map.count + 1_024 else { return }
    heap = map.map { Due(time: $0.value.time, seq: $0.value.seq, key: $0.key) }
    var i = heap.count / 2
    while i > 0 {
      i -= 1
      siftDown(i)
    }
  }

  // MARK: the heap, ordered by (time, seq)

  private static func before(_ a: Due, _ b: Due) -> Bool {
    a.time != b.time ? a.time < b.time : a.seq < b.seq
  }

  private mutating func push(_ d: Due) {
    heap.append(d)
    var i = heap.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard Self.before(heap[i], heap[parent]) else { break }
      heap.swapAt(i, parent)
      i = parent
    }
  }

  private mutating func popHeap() -> Due? {
    guard !heap.isEmpty else { return nil }
    heap.swapAt(0, heap.count - 1)
    let top = heap.removeLast()
    siftDown(0)
    return top
  }

  private mutating func siftDown(_ start: Int) {
    var i = start
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var m = i
      if l < heap.count && Self.before(heap[l], heap[m]) { m = l }
      if r < heap.count && Self.before(heap[r], heap[m]) { m = r }
      if m == i { return }
      heap.swapAt(i, m)
      i = m
    }
  }
}
