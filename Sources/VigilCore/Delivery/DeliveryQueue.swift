/// Deliveries waiting to be sent, bounded, with retries: what never lets delivery block the
/// loop or grow without end. Pure (time and randomness come in), so its schedule is tested.
///
/// A full queue refuses the new notification (counted as dropped: the oldest are about to be
/// sent, and a burst of new ones says the receiver is far behind). A failed attempt is retried
/// after `base × 2^attempt` (at most `maxDelay`), times a jitter of 0.5-1.5 so many Vigils do
/// not retry in step; after `maxAttempts` it is given up (counted as failed).
public struct DeliveryQueue<Job: Sendable>: Sendable {
  public struct Entry: Sendable {
    public var job: Job
    /// The alert instance it is about: an instance's entries go out in the order they came
    /// (nil: no order to keep).
    public var key: String?
    public var attempts: Int
    /// Monotonic nanoseconds before which it is not tried again.
    public var notBefore: Int64
    /// Arrival order (kept across retries).
    public var seq: UInt64
  }

  /// How an attempt went.
  public enum Outcome: Sendable, Equatable {
    case delivered
    /// Worth trying again (a timeout, a refused connection, a 5xx or 429).
    case retry
    /// Will not get better by trying again (a 4xx: the receiver refuses what was sent).
    case giveUp
  }

  public let capacity: Int
  public let maxAttempts: Int
  public let baseDelay: Int64
  public let maxDelay: Int64
  public private(set) var entries: [Entry] = []
  public private(set) var delivered = 0
  public private(set) var failed = 0
  public private(set) var dropped = 0
  public private(set) var retries = 0
  private var rng: JitterRandom
  private var nextSeq: UInt64 = 0

  public init(
    capacity: Int = 1_000, maxAttempts: Int = 5, baseDelay: Int64 = Nanos.second,
    maxDelay: Int64 = 60 * Nanos.second, seed: UInt64 = 0x5EED
  ) {
    self.capacity = max(1, capacity)
    self.maxAttempts = max(1, maxAttempts)
    self.baseDelay = max(0, baseDelay)
    self.maxDelay = max(self.baseDelay, maxDelay)
    rng = JitterRandom(state: seed)
  }

  /// Adds `job` about instance `key`, due at once; false (and counted as dropped) when the queue
  /// is full.
  public mutating func push(_ job: Job, key: String? = nil, now: Int64) -> Bool {
    guard entries.count < capacity else {
      dropped += 1
      return false
    }
    entries.append(Entry(job: job, key: key, attempts: 0, notBefore: now, seq: nextSeq))
    nextSeq += 1
    return true
  }

  /// Takes up to `limit` entries that are due at `now` and pass `taking`, oldest first, each
  /// the oldest of its instance still queued: a notification waiting out a retry holds back
  /// the ones after it about the same instance (a resolve never overtakes its firing). The
  /// caller reports how each went (``finished(_:_:now:)``).
  public mutating func take(now: Int64, limit: Int = 1, taking: (Entry) -> Bool = { _ in true })
    -> [Entry]
  {
    var first: [String: UInt64] = [:]
    for e in entries {
      guard let k = e.key else { continue }
      if first[k].map({ e.seq < $0 }) ?? true { first[k] = e.seq }
    }
    var picked: [Int] = []
    for (i, e) in entries.enumerated().sorted(by: { $0.element.seq < $1.element.seq })
    where picked.count < limit && e.notBefore <= now && e.key.map({ first[$0] == e.seq }) ?? true
      && taking(e)
    {
      picked.append(i)
    }
    let taken = picked.map { entries[$0] }
    for i in picked.sorted(by: >) { entries.remove(at: i) }
    return taken
  }

  /// The oldest entry ``take(now:limit:taking:)`` would give, if any.
  public mutating func next(now: Int64, taking: (Entry) -> Bool = { _ in true }) -> Entry? {
    take(now: now, limit: 1, taking: taking).first
  }

  /// When the next entry is due (nil when none waits).
  public var nextDue: Int64? { entries.map(\.notBefore).min() }

  /// Reports an attempt: delivered, or failed and queued again after its backoff (or given up).
  public mutating func finished(_ entry: Entry, ok: Bool, now: Int64) {
    finished(entry, ok ? .delivered : .retry, now: now)
  }

  /// Reports an attempt's outcome: delivered; to retry after its backoff (given up after
  /// `maxAttempts`); or given up at once.
  public mutating func finished(_ entry: Entry, _ outcome: Outcome, now: Int64) {
    switch outcome {
    case .delivered:
      delivered += 1
      return
    case .giveUp:
      failed += 1
      return
    case .retry: break
    }
    var e = entry
    e.attempts += 1
    guard e.attempts < maxAttempts else {
      failed += 1
      return
    }
    retries += 1
    e.notBefore = now + delay(afterAttempt: e.attempts)
    if entries.count < capacity { entries.append(e) } else { failed += 1 }
  }

  /// The wait after the `attempt`-th failure: base × 2^(attempt − 1), capped, times 0.5-1.5.
  mutating func delay(afterAttempt attempt: Int) -> Int64 {
    let shift = min(max(0, attempt - 1), 30)
    let raw = min(Double(maxDelay), Double(baseDelay) * Double(1 << shift))
    return Int64(clamping: raw * (0.5 + rng.unit()))
  }
}

/// SplitMix64: the jitter's randomness (seeded, so a test sees one schedule).
struct JitterRandom: Sendable {
  var state: UInt64
  mutating func unit() -> Double {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
  }
}
