/// Long-window sums for the few series that SLO burn-rate rules (and other long `sum`/`rate`
/// rules) read: SEMANTICS §8.1 "SLO counters".
///
/// The 15-minute rings keep a quantile sketch per bucket, far too much to hold for days. A
/// burn rate needs only the number of good (or bad) and total events per window, so these
/// rings keep one sum per bucket (16 bytes with its epoch), for the series a rule asks for:
///
/// - 10 s × 2160 (6 h): 30m, 1h and 6h windows are exact at every 10-second tick.
/// - 5 min × 864 (3 d): longer windows move in 5-minute steps; at a tick between two
///   boundaries the window ends at the last boundary, so it never holds a sample newer than the
///   tick and the result does not depend on how late samples arrived.
///
/// Series are tracked only once a rule asks for them (see ``LongWindowTracker``), so their
/// history starts then; at most ``maxTracked`` series, about 49 KB each.
public struct CounterHistory: Sendable {
  struct Slot: Sendable {
    var epoch: Int64 = .min
    var sum: Double = 0
  }

  struct Ring: Sendable {
    let width: Int64
    let logicalSlots: Int
    let physicalSlots: Int
    var slots: [Slot] = []
  }

  /// The default levels: 10 s × 2160 (6 h) and 5 min × 864 (3 d).
  public static let defaultLevels = [
    WindowLevel(bucketNanos: 10 * Nanos.second, slots: 2160),
    WindowLevel(bucketNanos: 5 * Nanos.minute, slots: 864),
  ]
  /// The most series tracked; more are refused (and counted) to keep memory bounded.
  public static let maxTracked = 256

  public let levels: [WindowLevel]
  private var rings: [Ring]
  /// Row of each series index, or -1.
  private var rowOf: [Int32] = []
  /// Per row: the newest and the oldest sample time recorded.
  private var newest: [Int64] = []
  private var oldest: [Int64] = []
  /// Series a rule asked for that were refused because ``maxTracked`` were already tracked.
  public private(set) var refusedTotal: UInt64 = 0
  /// Samples older than every level's horizon.
  public private(set) var lateDroppedTotal: UInt64 = 0

  public init(levels: [WindowLevel] = defaultLevels, maxFutureSkew: Int64 = 5 * Nanos.second) {
    self.levels = levels
    rings = levels.map { l in
      let ahead = Int((maxFutureSkew + l.bucketNanos - 1) / l.bucketNanos) + 1
      return Ring(width: l.bucketNanos, logicalSlots: l.slots, physicalSlots: l.slots + ahead)
    }
  }

  /// How many series are tracked.
  public var trackedCount: Int { newest.count }
  /// No series is tracked (the ingest fast path).
  public var isEmpty: Bool { newest.isEmpty }

  public func isTracked(_ series: SeriesID) -> Bool {
    series.index < rowOf.count && rowOf[series.index] >= 0
  }

  /// Starts keeping long-window sums for `series`. False when it was refused (too many).
  @discardableResult
  public mutating func track(_ series: SeriesID) -> Bool {
    if isTracked(series) { return true }
    guard newest.count < Self.maxTracked else {
      refusedTotal &+= 1
      return false
    }
    if series.index >= rowOf.count {
      rowOf.append(contentsOf: repeatElement(-1, count: series.index + 1 - rowOf.count))
    }
    rowOf[series.index] = Int32(newest.count)
    newest.append(.min)
    oldest.append(.max)
    for r in rings.indices {
      rings[r].slots.append(contentsOf: repeatElement(Slot(), count: rings[r].physicalSlots))
    }
    return true
  }

  /// Adds `amount` (a sample's value × weight) at `ts` to a tracked series. False when the
  /// series is not tracked or the sample is older than every level holds.
  @inline(__always)
  @discardableResult
  public mutating func record(_ series: SeriesID, at ts: Int64, amount: Double) -> Bool {
    guard series.index < rowOf.count else { return false }
    let row = Int(rowOf[series.index])
    guard row >= 0 else { return false }
    var kept = false
    for r in rings.indices {
      let width = rings[r].width
      let k = BucketIndex.bucket(ts, width: width)
      let n = rings[r].physicalSlots
      let i = row * n + BucketIndex.slot(k, slots: n)
      if rings[r].slots[i].epoch != k {
        if rings[r].slots[i].epoch > k { continue }  // the slot already holds a newer bucket
        rings[r].slots[i] = Slot(epoch: k, sum: 0)
      }
      rings[r].slots[i].sum += amount
      kept = true
    }
    if kept {
      newest[row] = max(newest[row], ts)
      oldest[row] = min(oldest[row], ts)
    } else {
      lateDroppedTotal &+= 1
    }
    return kept
  }

  /// The level a window is read from: the finest whose horizon holds it as whole buckets.
  func ring(forWindow window: Int64) -> Int? {
    guard window > 0 else { return nil }
    return rings.firstIndex {
      window % $0.width == 0 && $0.width * Int64($0.logicalSlots) >= window
    }
  }

  /// True when some level holds `window` as whole buckets.
  public func covers(window: Int64) -> Bool { ring(forWindow: window) != nil }

  /// The sum of a tracked series over the window of length `window` ending at `t` (at the
  /// last bucket boundary at or before `t`), the newest sample time (capped at `t`) when it
  /// lies in that window, and whether the recorded history (from the start of its first
  /// sample's bucket) is shorter than the window. Nil when the series is not tracked or no
  /// level holds the window.
  public func sum(_ series: SeriesID, window: Int64, at t: Timestamp)
    -> (sum: Double, newest: Timestamp?, warmingUp: Bool)?
  {
    guard series.index < rowOf.count, case let row = Int(rowOf[series.index]), row >= 0,
      let r = ring(forWindow: window)
    else { return nil }
    let ring = rings[r]
    let width = ring.width
    // The last complete bucket at or before t: floor(t / width).
    let q = t.nanoseconds / width
    let kEnd = t.nanoseconds % width < 0 ? q - 1 : q
    let count = Int(window / width)
    var total = CompensatedSum()
    let base = row * ring.physicalSlots
    var k = kEnd - Int64(count) + 1
    while k <= kEnd {
      let slot = ring.slots[base + BucketIndex.slot(k, slots: ring.physicalSlots)]
      if slot.epoch == k { total.add(slot.sum) }
      k += 1
    }
    let end = kEnd * width
    let n = min(newest[row], t.nanoseconds)
    let inWindow = n > end - window && newest[row] != .min
    let firstStart = BucketIndex.start(BucketIndex.bucket(oldest[row], width: width), width: width)
    let (span, o) = end.subtractingReportingOverflow(firstStart)
    return (total.value, inWindow ? Timestamp(nanoseconds: n) : nil, !o && span < window)
  }

  /// Approximate bytes held.
  public var memoryBytes: Int {
    rings.reduce(rowOf.capacity * 4 + newest.capacity * 16) {
      $0 + $1.slots.capacity * MemoryLayout<Slot>.stride
    }
  }
}
