/// Epoch-aligned bucket arithmetic (SEMANTICS §8.1).
///
/// Bucket `k` of length Δ covers `((k−1)·Δ, k·Δ]`, so a sample at `ts` belongs to `k = ⌈ts/Δ⌉`.
public enum BucketIndex {
  /// `⌈ts/Δ⌉` for any `ts` (negative included) and `Δ > 0`.
  @inline(__always)
  public static func bucket(_ ts: Int64, width: Int64) -> Int64 {
    let q = ts / width  // truncates toward zero: already the ceiling for ts ≤ 0
    return ts % width > 0 ? q + 1 : q
  }

  /// `k mod n` in `0..<n`.
  @inline(__always)
  public static func slot(_ k: Int64, slots n: Int) -> Int {
    let r = Int(k % Int64(n))
    return r < 0 ? r + n : r
  }

  /// The exclusive start `(k−1)·Δ` of bucket `k`, saturating at `Int64.min`.
  public static func start(_ k: Int64, width: Int64) -> Int64 {
    let (p, o) = (k &- 1).multipliedReportingOverflow(by: width)
    return o ? (k > 0 ? .max : .min) : p
  }
}

/// One bucket of one series at one level.
struct BucketSlot: Sendable {
  /// The bucket `k` this slot holds; `Int64.min` for a slot never used.
  var epoch: Int64 = .min
  var sum: Double = 0
  var last: Double = 0
  var lastTimestamp: Int64 = .min
  /// Count, min and max live in the sketch.
  var sketch = QuantileSketch()

  var count: UInt64 { sketch.count }

  @inline(__always)
  mutating func add(_ ts: Int64, _ value: Double, _ weight: UInt32) {
    guard weight > 0 else { return }
    sum += value * Double(weight)
    if ts >= lastTimestamp {  // ties: the later ingest wins
      last = value
      lastTimestamp = ts
    }
    sketch.record(value, weight: weight)
  }

  /// Claims the slot for bucket `k` (clearing an older epoch lazily) and adds the sample.
  /// Returns false when the slot already holds a newer bucket (the clock went backwards).
  @inline(__always)
  mutating func accept(_ k: Int64, _ ts: Int64, _ value: Double, _ weight: UInt32) -> Bool {
    if epoch != k {
      if epoch > k { return false }
      epoch = k
      sum = 0
      last = 0
      lastTimestamp = .min
      sketch.reset()
    }
    add(ts, value, weight)
    return true
  }
}

/// One level's ring for every series: slot `s` of series `i` is `slots[i * physicalSlots + s]`.
///
/// The ring keeps `slots` buckets back from the current one (the level's horizon) plus
/// `⌈maxFutureSkew/Δ⌉` buckets ahead, so an accepted future sample never evicts a bucket that is
/// still inside the window.
struct LevelRing: Sendable {
  let width: Int64
  let logicalSlots: Int
  let physicalSlots: Int
  var slots: [BucketSlot] = []

  // Hot-path caches: the last sample bucket and the last `now` bucket.
  private var cachedLo: Int64 = 0
  private var cachedHi: Int64 = -1
  private var cachedK: Int64 = 0
  private var cachedSlot: Int = 0
  private var cachedNow: Int64 = .min
  private var cachedNowK: Int64 = 0

  init(level: WindowLevel, maxFutureSkew: Int64) {
    precondition(level.bucketNanos > 0 && level.slots > 0, "invalid window level")
    width = level.bucketNanos
    logicalSlots = level.slots
    let ahead = Swift.max(0, BucketIndex.bucket(maxFutureSkew, width: width))
    physicalSlots = level.slots + Int(ahead)
    cachedNowK = 0
  }

  mutating func addSeries(upTo seriesCount: Int) {
    let need = seriesCount * physicalSlots
    if slots.count < need {
      slots.append(contentsOf: repeatElement(BucketSlot(), count: need - slots.count))
    }
  }

  /// Records a sample if this ring still holds its bucket at `now`.
  @inline(__always)
  mutating func record(
    series: Int, _ ts: Int64, _ value: Double, _ weight: UInt32, now: Int64
  ) -> Bool {
    let k: Int64
    let s: Int
    if ts > cachedLo && ts <= cachedHi {
      k = cachedK
      s = cachedSlot
    } else {
      k = BucketIndex.bucket(ts, width: width)
      s = BucketIndex.slot(k, slots: physicalSlots)
      let (hi, o1) = k.multipliedReportingOverflow(by: width)
      let (lo, o2) = hi.subtractingReportingOverflow(width)
      if !o1 && !o2 {
        cachedLo = lo
        cachedHi = hi
        cachedK = k
        cachedSlot = s
      }
    }
    if now != cachedNow {
      cachedNow = now
      cachedNowK = BucketIndex.bucket(now, width: width)
    }
    // Too old: k ≤ kNow − N.
    let (d, o) = cachedNowK.subtractingReportingOverflow(k)
    if o ? cachedNowK > k : d >= Int64(logicalSlots) { return false }
    return slots[series &* physicalSlots &+ s].accept(k, ts, value, weight)
  }

  /// The slot holding bucket `k` of `series`, nil when the ring has no data for it.
  func slot(series: Int, bucket k: Int64) -> BucketSlot? {
    let i = series * physicalSlots + BucketIndex.slot(k, slots: physicalSlots)
    guard i < slots.count else { return nil }
    let s = slots[i]
    return s.epoch == k && s.count > 0 ? s : nil
  }

  /// The most buckets any slot's sketch holds (tests: the memory bound).
  var maxSketchBuckets: Int { slots.reduce(0) { Swift.max($0, $1.sketch.bucketCount) } }

  func heapBytes(series: Int) -> Int {
    var total = physicalSlots * MemoryLayout<BucketSlot>.stride
    let base = series * physicalSlots
    guard base + physicalSlots <= slots.count else { return 0 }
    for i in base..<(base + physicalSlots) { total += slots[i].sketch.heapBytes }
    return total
  }
}
