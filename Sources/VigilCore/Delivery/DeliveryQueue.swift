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
    public var attempts: Int
    /// Monotonic nanoseconds before which it is not tried again.
    public var notBefore: Int64
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

  /// Adds `job`, due at once; false (and counted as dropped) when the queue is full.
  public mutating func push(_ job: Job, now: Int64) -> Bool {
    guard entries.count < capacity else {
      dropped += 1
      return false
    }
    entries.append(Entry(job: job, attempts: 0, notBefore: now))
    return true
  }

  /// Takes the oldest entry that is due at `now` (and passes `taking`), if any; the caller
  /// reports how it went.
  public mutating func next(now: Int64, taking: (Entry) -> Bool = { _ in true }) -> Entry? {
    guard let i = entries.firstIndex(where: { $0.notBefore <= now && taking($0) }) else {
      return nil
    }
    return entries.remove(at: i)
  }

  /// When the next entry is due (nil when none waits).
  public var nextDue: Int64? { entries.map(\.notBefore).min() }

  /// Reports an attempt: delivered, or failed and queued again after its backoff (or given up).
  public mutating func finished(_ entry: Entry, ok: Bool, now: Int64) {
    if ok {
      delivered += 1
      return
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
