/// A mergeable, relative-error quantile sketch over `Double` values (SEMANTICS §8.5).
///
/// A positive value maps to a bucket key taken straight from its IEEE-754 bits: the 11 exponent
/// bits followed by the top ``mantissaBits`` (7) mantissa bits, so one bucket spans a factor of at
/// most `1 + 2^-7` and keys are monotonic in the value. Negative values use a mirrored store
/// (keyed by `-key(|v|)`), zero has its own counter.
///
/// Counts live in dense `UInt32` arrays that cover only the populated key span. A store never
/// exceeds ``maxBucketsPerStore`` buckets: when a value would widen the span beyond that, the
/// lowest buckets are collapsed into the lowest kept one (as DDSketch's collapsing-lowest store
/// does), which keeps the upper quantiles accurate. The state is canonical (a function of the
/// multiset of recorded values only), so merging sketches gives exactly the sketch built from all
/// of their samples, whatever the order, and `==` compares contents.
///
/// Quantiles use nearest rank (``nearestRank(_:count:)``). The reported value is the harmonic
/// midpoint of the bucket's range intersected with `[min, max]`, so for any normal, non-collapsed
/// value the relative error is at most ``relativeErrorBound`` (≈ 0.39 %). Rank 1 reports the exact
/// minimum and rank N the exact maximum; a bucket holding a single distinct value reports it
/// exactly when that value is also the min or the max.
public struct QuantileSketch: Sendable, Equatable {
  /// Mantissa bits kept in the bucket key.
  public static let mantissaBits = 7
  /// The most buckets either store (positive or negative) ever holds.
  public static let maxBucketsPerStore = 4096
  /// The worst relative error of a reported quantile, outside collapsed buckets and subnormals:
  /// `w / (2 + w)` with `w = 2^-7`.
  public static let relativeErrorBound: Double = 0x1p-7 / (2 + 0x1p-7)

  static let keyShift: UInt64 = UInt64(52 - mantissaBits)

  /// Total weight recorded (saturating counts aside, exact).
  public private(set) var count: UInt64 = 0
  private var lowest: Double = .infinity
  private var highest: Double = -.infinity
  private var zeroCount: UInt64 = 0
  private var positive = DenseStore()
  private var negative = DenseStore()

  /// An empty sketch.
  public init() {}

  /// The smallest recorded value, nil when empty.
  public var min: Double? { count > 0 ? lowest : nil }
  /// The largest recorded value, nil when empty.
  public var max: Double? { count > 0 ? highest : nil }
  /// True when nothing was recorded.
  public var isEmpty: Bool { count == 0 }
  /// Buckets currently held (positive + negative stores; the zero counter not included).
  public var bucketCount: Int { positive.counts.count + negative.counts.count }
  /// True when a store has collapsed its lowest buckets (its low quantiles are then coarse).
  public var hasCollapsed: Bool {
    positive.counts.count == Self.maxBucketsPerStore
      || negative.counts.count == Self.maxBucketsPerStore
  }
  /// Heap bytes held by the count arrays (capacity, including array headers).
  public var heapBytes: Int { positive.heapBytes + negative.heapBytes }

  /// The bucket key of a positive finite value (monotonic in the value).
  @inline(__always)
  static func key(ofPositive v: Double) -> Int32 {
    Int32(truncatingIfNeeded: v.bitPattern &>> keyShift)
  }

  /// The lower bound of a positive key's bucket: the smallest value with that key.
  @inline(__always)
  static func lowerBound(ofKey k: Int32) -> Double {
    Double(bitPattern: UInt64(UInt32(bitPattern: k)) &<< keyShift)
  }

  /// Records `value` `weight` times. NaN and weight 0 are ignored.
  @inline(__always)
  public mutating func record(_ value: Double, weight: UInt32 = 1) {
    guard weight > 0, !value.isNaN else { return }
    count &+= UInt64(weight)
    if value < lowest { lowest = value }
    if value > highest { highest = value }
    if value > 0 {
      positive.add(key: Self.key(ofPositive: value), weight: weight)
    } else if value < 0 {
      negative.add(key: 0 &- Self.key(ofPositive: -value), weight: weight)
    } else {
      zeroCount &+= UInt64(weight)
    }
  }

  /// Forgets every value but keeps the allocated capacity (slots reuse their sketch).
  public mutating func reset() {
    count = 0
    lowest = .infinity
    highest = -.infinity
    zeroCount = 0
    positive.reset()
    negative.reset()
  }

  /// Adds every value of `other`. The result equals the sketch built from both sets of samples.
  public mutating func merge(_ other: QuantileSketch) {
    guard other.count > 0 else { return }
    count &+= other.count
    if other.lowest < lowest { lowest = other.lowest }
    if other.highest > highest { highest = other.highest }
    zeroCount &+= other.zeroCount
    positive.merge(other.positive)
    negative.merge(other.negative)
  }

  /// The nearest-rank quantile: the value at rank `nearestRank(q, count)`; nil when empty.
  public func quantile(_ q: Double) -> Double? {
    guard count > 0 else { return nil }
    return value(atRank: Self.nearestRank(q, count: count))
  }

  /// Several quantiles in one pass; `qs` in any order.
  public func quantiles(_ qs: [Double]) -> [Double?] {
    guard count > 0 else { return qs.map { _ in nil } }
    return qs.map { value(atRank: Self.nearestRank($0, count: count)) }
  }

  /// The nearest rank `⌈q·n⌉`, in `1...n` (0 when `n == 0`).
  ///
  /// `q·n` is snapped down to an integer when it lies within a few ulps above one, so that the
  /// rounding error of a decimal `q` (for example `0.7 * 10 = 7.000000000000001`) does not move
  /// the rank by one.
  public static func nearestRank(_ q: Double, count n: UInt64) -> UInt64 {
    guard n > 0 else { return 0 }
    guard q > 0 else { return 1 }  // also NaN
    guard q < 1 else { return n }
    let x = q * Double(n)
    let f = x.rounded(.down)
    var r = x - f <= x * 4 * Double.ulpOfOne ? f : f + 1
    r = Swift.min(Swift.max(r, 1), Double(n))
    return UInt64(r)
  }

  /// The reported value of the `rank`-th smallest recorded value (1-based).
  func value(atRank rank: UInt64) -> Double {
    if rank <= 1 { return lowest }
    if rank >= count { return highest }
    var seen: UInt64 = 0
    // Negative store: ascending key = ascending value (most negative first).
    let nOffset = Int(negative.offset)
    for (i, c) in negative.counts.enumerated() where c > 0 {
      seen &+= UInt64(c)
      if seen >= rank {
        // Keys are -key(|v|): magnitudes in [lo, hi), clamped to [-max, -min].
        let k = Int32(truncatingIfNeeded: -(nOffset + i))
        let lo = Swift.max(Self.lowerBound(ofKey: k), highest < 0 ? -highest : 0)
        let hi = Swift.min(Self.lowerBound(ofKey: k &+ 1), -lowest)
        return clamp(-Self.midpoint(lo, hi))
      }
    }
    seen &+= zeroCount
    if seen >= rank { return clamp(0) }
    let pOffset = Int(positive.offset)
    for (i, c) in positive.counts.enumerated() where c > 0 {
      seen &+= UInt64(c)
      if seen >= rank {
        let k = Int32(truncatingIfNeeded: pOffset + i)
        let lo = Swift.max(Self.lowerBound(ofKey: k), lowest)
        let hi = Swift.min(Self.lowerBound(ofKey: k &+ 1), highest)
        return clamp(Self.midpoint(lo, hi))
      }
    }
    // Only reachable when saturated bucket counts undercount the total.
    return highest
  }

  private func clamp(_ v: Double) -> Double { Swift.min(Swift.max(v, lowest), highest) }

  /// The harmonic mean of `a ≤ b` (both ≥ 0): minimises the worst relative error over `[a, b]`.
  static func midpoint(_ a: Double, _ b: Double) -> Double {
    guard a < b else { return a }
    let r = a + (b - a) * (a / (a + b))
    return r.isFinite ? r : a
  }

  /// The non-empty buckets as (lowest value of the bucket, count), ascending; for tests and
  /// debugging. Zero is reported as one bucket at 0.
  public var nonEmptyBuckets: [(lowerBound: Double, count: UInt64)] {
    var out: [(lowerBound: Double, count: UInt64)] = []
    let nOffset = Int(negative.offset)
    for (i, c) in negative.counts.enumerated() where c > 0 {
      let k = Int32(truncatingIfNeeded: -(nOffset + i))
      out.append((-Self.lowerBound(ofKey: k &+ 1), UInt64(c)))
    }
    if zeroCount > 0 { out.append((0, zeroCount)) }
    let pOffset = Int(positive.offset)
    for (i, c) in positive.counts.enumerated() where c > 0 {
      out.append((Self.lowerBound(ofKey: Int32(truncatingIfNeeded: pOffset + i)), UInt64(c)))
    }
    return out
  }
}

/// Dense `UInt32` counts over the key span `offset ..< offset + counts.count`, collapsing the
/// lowest keys once the span would exceed ``QuantileSketch/maxBucketsPerStore``.
///
/// Invariant (canonical form): with `M` the largest key added and `m` the smallest,
/// `offset = max(m, M - cap + 1)`, the span ends at `M`, and `counts[0]` holds every key
/// `≤ offset`. Both ends are therefore non-zero, and the state depends only on the multiset of
/// keys added. Counts saturate at `UInt32.max` (associative, so merging stays exact).
struct DenseStore: Sendable, Equatable {
  var counts: [UInt32] = []
  var offset: Int32 = 0

  static var cap: Int { QuantileSketch.maxBucketsPerStore }

  static func == (a: DenseStore, b: DenseStore) -> Bool {
    if a.counts.isEmpty || b.counts.isEmpty { return a.counts.isEmpty && b.counts.isEmpty }
    return a.offset == b.offset && a.counts == b.counts
  }

  var heapBytes: Int { counts.capacity == 0 ? 0 : 32 + 4 * counts.capacity }

  mutating func reset() {
    counts.removeAll(keepingCapacity: true)
    offset = 0
  }

  @inline(__always)
  static func saturatingAdd(_ a: UInt32, _ b: UInt32) -> UInt32 {
    let (s, o) = a.addingReportingOverflow(b)
    return o ? .max : s
  }

  @inline(__always)
  mutating func add(key: Int32, weight: UInt32) {
    let i = Int(key) &- Int(offset)
    if i >= 0 && i < counts.count {
      counts[i] = Self.saturatingAdd(counts[i], weight)
    } else {
      addOutside(key: Int(key), weight: weight)
    }
  }

  /// Grows capacity to exactly `n` (never past the cap), so memory follows the populated span
  /// instead of Array's doubling.
  private mutating func ensureCapacity(_ n: Int) {
    if counts.capacity < n {
      counts.reserveCapacity(
        Swift.min(Self.cap, Swift.max(n, counts.capacity + counts.capacity / 4)))
    }
  }

  @inline(never)
  private mutating func addOutside(key k: Int, weight: UInt32) {
    let cap = Self.cap
    if counts.isEmpty {
      ensureCapacity(1)
      offset = Int32(k)
      counts.append(weight)
      return
    }
    let lo = Int(offset)
    let hi = lo + counts.count - 1
    if k < lo {
      if counts.count >= cap {
        counts[0] = Self.saturatingAdd(counts[0], weight)
        return
      }
      let newLo = Swift.max(k, hi - cap + 1)
      let grow = lo - newLo
      ensureCapacity(counts.count + grow)
      counts.insert(contentsOf: repeatElement(0, count: grow), at: 0)
      offset = Int32(newLo)
      let i = Swift.max(k - newLo, 0)
      counts[i] = Self.saturatingAdd(counts[i], weight)
      return
    }
    // k > hi
    let newLo = Swift.max(lo, k - cap + 1)
    if newLo == lo {
      ensureCapacity(k - lo + 1)
      counts.append(contentsOf: repeatElement(0, count: k - hi - 1))
      counts.append(weight)
      return
    }
    // Collapse every key ≤ newLo into newLo.
    let upTo = Swift.min(newLo - lo, counts.count - 1)
    var folded: UInt32 = 0
    for i in 0...upTo { folded = Self.saturatingAdd(folded, counts[i]) }
    if newLo > hi {
      counts.removeAll(keepingCapacity: true)
      ensureCapacity(cap)
      counts.append(folded)
      counts.append(contentsOf: repeatElement(0, count: k - newLo - 1))
    } else {
      counts.removeFirst(upTo)
      counts[0] = folded
      ensureCapacity(cap)
      counts.append(contentsOf: repeatElement(0, count: k - hi - 1))
    }
    counts.append(weight)
    offset = Int32(newLo)
  }

  mutating func merge(_ other: DenseStore) {
    guard !other.counts.isEmpty else { return }
    let oLo = Int(other.offset)
    let oHi = oLo + other.counts.count - 1
    // Add the extremes first so the span is final, then everything else takes the fast path.
    add(key: Int32(oHi), weight: other.counts[other.counts.count - 1])
    if oHi == oLo { return }
    add(key: Int32(oLo), weight: other.counts[0])
    let lo = Int(offset)
    let n = counts.count
    counts.withUnsafeMutableBufferPointer { mine in
      other.counts.withUnsafeBufferPointer { theirs in
        for j in 1..<(theirs.count - 1) {
          let c = theirs[j]
          if c == 0 { continue }
          let i = Swift.max(oLo + j - lo, 0)
          precondition(i < n)
          mine[i] = Self.saturatingAdd(mine[i], c)
        }
      }
    }
  }
}
