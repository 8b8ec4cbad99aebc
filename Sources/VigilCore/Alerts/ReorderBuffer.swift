/// `vigil check`'s bounded reorder buffer: it merges the samples of every feed into one stream
/// in time order while holding only the samples a later line could still have to precede.
///
/// **Order.** By timestamp, then feed number, then arrival within the feed: the order a full
/// sort of every feed's samples gives, so a file whose disorder stays within the lateness gives
/// the same stream as sorting it whole.
///
/// **Lateness.** A sample not older than the newest of its feed so far waits in its feed's lane
/// (a ring, sorted by construction: the fast path). One that is older, but by no more than
/// `maxLateness`, waits in a heap and takes its place in time. One older than that is *late*:
/// it waits at `newest − maxLateness` of its feed (the oldest place a sample of that feed can
/// still take, so where it lands never depends on how the input was chunked) and then lands
/// with its own timestamp, as the dashboard lands a late sample: into the windows that still
/// hold its bucket, else refused as too old.
///
/// **Release.** A sample is released once its place is older than `newest − maxLateness` of
/// every feed that has not ended (a feed with no sample yet holds everything back); when every
/// feed has ended, everything is released.
///
/// **Bound.** At most `maxHeld` samples wait (plus those of the batch being parsed). Beyond
/// that the oldest is released early (``releasedEarly``): a sample that then arrives behind it
/// is late as well. A file of equal timestamps (lines without one) streams this way in order.
struct ReorderBuffer {
  /// One waiting sample (24 bytes: the lanes hold most of the buffer).
  struct Held {
    var timestamp: Int64
    var value: Double
    var series: UInt32
    var weight: UInt32

    init(_ s: Sample) {
      (timestamp, value) = (s.timestamp.nanoseconds, s.value)
      (series, weight) = (s.series.rawValue, s.weight)
    }

    var sample: Sample {
      Sample(
        series: SeriesID(series), timestamp: Timestamp(nanoseconds: timestamp), value: value,
        weight: weight)
    }
  }

  /// A sample that came out of its feed's order, in the heap.
  struct Displaced {
    /// Its place in time: its timestamp, or later when it is late.
    var key: Int64
    /// Arrival order (ties within a feed).
    var seq: UInt64
    var line: Int
    var held: Held
    var feed: Int32
    var late: Bool

    @inline(__always)
    static func precedes(_ a: Displaced, _ b: Displaced) -> Bool {
      if a.key != b.key { return a.key < b.key }
      if a.feed != b.feed { return a.feed < b.feed }
      return a.seq < b.seq
    }
  }

  /// A released sample.
  struct Released {
    var sample: Sample
    var feed: Int32
    /// The line it came from (for a refusal), or 0 when it came in order (never refused).
    var line: Int
    /// It arrived later than the lateness allows, or behind a sample released early.
    var late: Bool
    /// The buffer was full: it left before its time.
    var early: Bool
  }

  /// One feed's in-order samples and how far the feed has got.
  struct Lane {
    var ring = SampleRing()
    /// The newest timestamp the feed has delivered (`Int64.min`: none yet).
    var newest = Int64.min
    var ended = false

    @inline(__always)
    mutating func append(_ h: Held) {
      newest = h.timestamp
      ring.append(h)
    }
  }

  let maxLateness: Int64
  let maxHeld: Int
  private(set) var lanes: [Lane] = []
  private var heap: [Displaced] = []
  private var seq: UInt64 = 0
  /// The place of the last sample released (a sample arriving behind it is late).
  private var released = Int64.min
  /// Samples waiting.
  private(set) var count = 0
  /// Samples that were late (see the type's documentation).
  private(set) var lateTotal = 0
  /// Samples released before their time because the buffer was full.
  private(set) var releasedEarly = 0

  init(maxLateness: Int64, maxHeld: Int) {
    self.maxLateness = max(0, maxLateness)
    self.maxHeld = max(1, maxHeld)
  }

  /// Adds a feed; its number (lower numbers go first among equal timestamps).
  mutating func addFeed() -> Int {
    lanes.append(Lane())
    return lanes.count - 1
  }

  /// The feed has no more samples: it no longer holds the others back.
  mutating func endFeed(_ feed: Int) { lanes[feed].ended = true }

  /// Ends every feed: everything is released.
  mutating func endAll() {
    for i in lanes.indices { lanes[i].ended = true }
  }

  /// The newest timestamp feed `feed` delivered (nil: none yet).
  func newest(_ feed: Int) -> Int64? {
    lanes[feed].newest == .min ? nil : lanes[feed].newest
  }

  /// Takes one sample of feed `feed`, from line `line`, in the feed's order.
  @inline(__always)
  mutating func push(_ sample: Sample, feed: Int, line: Int) {
    let ts = sample.timestamp.nanoseconds
    let newest = lanes[feed].newest
    count += 1
    if ts >= newest && ts >= released {
      lanes[feed].append(Held(sample))
      return
    }
    let (f, o) = newest.subtractingReportingOverflow(maxLateness)
    let floor = o ? Int64.min : f
    let late = ts < floor || ts < released
    if late { lateTotal += 1 }
    // Behind a sample released early, yet the feed's newest: the feed moves on all the same.
    if ts > newest { lanes[feed].newest = ts }
    seq &+= 1
    let entry = Displaced(
      key: max(ts, floor), seq: seq, line: line, held: Held(sample), feed: Int32(feed),
      late: late)
    heapPush(entry)
  }

  /// Where release stops: the oldest `newest − maxLateness` of the feeds still open.
  func frontier() -> Int64 {
    var f = Int64.max
    for lane in lanes where !lane.ended {
      let (d, o) = lane.newest.subtractingReportingOverflow(maxLateness)
      f = min(f, o ? .min : d)
    }
    return f
  }

  /// Releases in order every sample that is due (its place is before `frontier`; everything
  /// once every feed has ended), and the oldest ones anyway while more than `maxHeld` wait,
  /// calling `body` with each. A run of one feed's in-order samples goes out without choosing
  /// again per sample.
  mutating func drain(before frontier: Int64, _ body: (Released) -> Void) {
    let all = frontier == .max
    let maxHeld = maxHeld
    while count > 0 {
      let (best, key, fromHeap) = next()
      let early = !all && key >= frontier
      if early && count <= maxHeld { return }
      if fromHeap {
        count -= 1
        if early { releasedEarly += 1 }
        released = max(released, key)
        let d = heapPop()
        body(
          Released(sample: d.held.sample, feed: d.feed, line: d.line, late: d.late, early: early))
        continue
      }
      // Lane `best` while its head still comes before every other candidate: strictly before
      // those that win a tie (lower feeds, displaced samples of lower feeds), at most at those
      // that lose it.
      var strict = Int64.max
      var loose = Int64.max
      for i in lanes.indices where i != best {
        guard let k = lanes[i].ring.firstTimestamp else { continue }
        if i < best { strict = min(strict, k) } else { loose = min(loose, k) }
      }
      if let top = heap.first {
        if Int(top.feed) < best {
          strict = min(strict, top.key)
        } else {
          loose = min(loose, top.key)
        }
      }
      var (n, last, earlyCount) = (count, released, releasedEarly)
      let feed = Int32(best)
      lanes[best].ring.removeWhile { h in
        let x = h.timestamp
        guard x < strict && x <= loose else { return false }
        let isEarly = !all && x >= frontier
        if isEarly && n <= maxHeld { return false }
        n -= 1
        if isEarly { earlyCount += 1 }
        last = max(last, x)
        body(Released(sample: h.sample, feed: feed, line: 0, late: false, early: isEarly))
        return true
      }
      (count, released, releasedEarly) = (n, last, earlyCount)
    }
  }

  /// The oldest waiting sample's source: the oldest lane head (lower feed first), or the
  /// heap's top when it precedes it (a lane sample precedes a displaced one of the same feed
  /// and time: it came first). Call only when something waits.
  private func next() -> (lane: Int, key: Int64, fromHeap: Bool) {
    var best = -1
    var bestKey = Int64.max
    for i in lanes.indices {
      if let k = lanes[i].ring.firstTimestamp, best < 0 || k < bestKey { (best, bestKey) = (i, k) }
    }
    if let top = heap.first,
      best < 0 || top.key < bestKey || (top.key == bestKey && Int(top.feed) < best)
    {
      return (best, top.key, true)
    }
    return (best, bestKey, false)
  }

  // MARK: - The heap of displaced samples

  private mutating func heapPush(_ e: Displaced) {
    heap.append(e)
    var i = heap.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard Displaced.precedes(heap[i], heap[parent]) else { break }
      heap.swapAt(i, parent)
      i = parent
    }
  }

  private mutating func heapPop() -> Displaced {
    let top = heap[0]
    let last = heap.removeLast()
    guard !heap.isEmpty else { return top }
    heap[0] = last
    var i = 0
    while true {
      let l = 2 * i + 1
      guard l < heap.count else { break }
      let r = l + 1
      let c = r < heap.count && Displaced.precedes(heap[r], heap[l]) ? r : l
      guard Displaced.precedes(heap[c], heap[i]) else { break }
      heap.swapAt(i, c)
      i = c
    }
    return top
  }
}

/// A growable ring of held samples, oldest first (capacity kept: it never shrinks).
struct SampleRing {
  private var storage: [ReorderBuffer.Held] = []
  private var head = 0
  private(set) var count = 0

  var firstTimestamp: Int64? {
    count == 0 ? nil : storage.withUnsafeBufferPointer { $0[head].timestamp }
  }

  @inline(__always)
  mutating func append(_ h: ReorderBuffer.Held) {
    if count == storage.count { grow() }
    var i = head + count
    if i >= storage.count { i -= storage.count }
    storage.withUnsafeMutableBufferPointer { $0[i] = h }
    count += 1
  }

  /// Removes samples from the front while `take` (given each) says so.
  @inline(__always)
  mutating func removeWhile(_ take: (ReorderBuffer.Held) -> Bool) {
    var (h, n) = (head, count)
    let capacity = storage.count
    storage.withUnsafeBufferPointer { p in
      while n > 0 && take(p[h]) {
        h += 1
        if h == capacity { h = 0 }
        n -= 1
      }
    }
    (head, count) = (h, n)
  }

  @inline(never)
  private mutating func grow() {
    let filler = ReorderBuffer.Held(
      Sample(series: SeriesID(0), timestamp: .init(nanoseconds: 0), value: 0))
    var bigger = [ReorderBuffer.Held](repeating: filler, count: max(1024, storage.count * 2))
    for k in 0..<count {
      var i = head + k
      if i >= storage.count { i -= storage.count }
      bigger[k] = storage[i]
    }
    storage = bigger
    head = 0
  }
}
