/// A mergeable, relative-error quantile sketch over `Double` values (SEMANTICS §8.5).
///
/// A positive value maps to a bucket key taken straight from its IEEE-754 bits: the 11 exponent
/// bits followed by the top ``mantissaBits`` (7) mantissa bits, so one bucket spans a factor of at
/// most `1 + 2^-7` and keys are monotonic in the value. Negative values use a mirrored store
/// (keyed by `-key(|v|)`), zero has its own counter.
///
/// Counts live in dense arrays that cover only the populated key span, 8 bits per bucket until a
/// count needs 16 or 32 (see ``DenseStore``). A store never
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
  public var bucketCount: Int { positive.bucketCount + negative.bucketCount }
  /// True when a store has collapsed its lowest buckets (its low quantiles are then coarse).
  public var hasCollapsed: Bool {
    positive.bucketCount == Self.maxBucketsPerStore
      || negative.bucketCount == Self.maxBucketsPerStore
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

  /// An empty sketch with 32-bit counts from the start: the right choice for a scratch sketch
  /// that many others are merged into (window reads). Equal to ``init()`` by content.
  public static func mergeTarget() -> QuantileSketch {
    var s = QuantileSketch()
    s.positive.useWideCounts()
    s.negative.useWideCounts()
    return s
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

  /// Several quantiles from one walk over the buckets; `qs` in any order.
  public func quantiles(_ qs: [Double]) -> [Double?] {
    guard count > 0 else { return qs.map { _ in nil } }
    let ranks = qs.map { Self.nearestRank($0, count: count) }
    let order = ranks.indices.sorted { ranks[$0] < ranks[$1] }
    let values = values(atSortedRanks: order.map { ranks[$0] })
    var out = [Double?](repeating: nil, count: qs.count)
    for (j, i) in order.enumerated() { out[i] = values[j] }
    return out
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
    return Swift.min(n, UInt64(clamping: r))
  }

  /// The reported value of the `rank`-th smallest recorded value (1-based).
  func value(atRank rank: UInt64) -> Double { values(atSortedRanks: [rank])[0] }

  /// The reported values at ascending 1-based ranks, in one walk.
  private func values(atSortedRanks ranks: [UInt64]) -> [Double] {
    var out: [Double] = []
    out.reserveCapacity(ranks.count)
    var next = 0
    // Rank 1 is the exact minimum.
    while next < ranks.count && ranks[next] <= 1 {
      out.append(lowest)
      next += 1
    }
    var seen: UInt64 = 0
    // Negative store: ascending key = ascending value (most negative first).
    let nOffset = Int(negative.offset)
    for i in 0..<negative.bucketCount where next < ranks.count {
      let c = negative[i]
      if c == 0 { continue }
      seen &+= c
      guard seen >= ranks[next] && ranks[next] < count else { continue }
      // Keys are -key(|v|): magnitudes in [lo, hi), clamped to [-max, -min].
      let k = Int32(truncatingIfNeeded: -(nOffset + i))
      let lo = Swift.max(Self.lowerBound(ofKey: k), highest < 0 ? -highest : 0)
      let hi = Swift.min(Self.lowerBound(ofKey: k &+ 1), -lowest)
      let v = clamp(-Self.midpoint(lo, hi))
      while next < ranks.count && ranks[next] <= seen && ranks[next] < count {
        out.append(v)
        next += 1
      }
    }
    seen &+= zeroCount
    while next < ranks.count && ranks[next] <= seen && ranks[next] < count {
      out.append(clamp(0))
      next += 1
    }
    let pOffset = Int(positive.offset)
    for i in 0..<positive.bucketCount where next < ranks.count {
      let c = positive[i]
      if c == 0 { continue }
      seen &+= c
      guard seen >= ranks[next] && ranks[next] < count else { continue }
      let k = Int32(truncatingIfNeeded: pOffset + i)
      let lo = Swift.max(Self.lowerBound(ofKey: k), lowest)
      let hi = Swift.min(Self.lowerBound(ofKey: k &+ 1), highest)
      let v = clamp(Self.midpoint(lo, hi))
      while next < ranks.count && ranks[next] <= seen && ranks[next] < count {
        out.append(v)
        next += 1
      }
    }
    // Rank N is the exact maximum (also the fallback when saturated counts undercount).
    while out.count < ranks.count { out.append(highest) }
    return out
  }

  private func clamp(_ v: Double) -> Double { Swift.min(Swift.max(v, lowest), highest) }

  /// The harmonic mean of `a ≤ b` (both ≥ 0): minimises the worst relative error over `[a, b]`.
  static func midpoint(_ a: Double, _ b: Double) -> Double {
    guard a < b else { return a }
    let r = a + (b - a) * (a / (a + b))
    return r.isFinite ? r : a
  }

  /// Weight recorded at zero or below (the zero counter and the negative store).
  public var nonPositiveCount: UInt64 {
    var total = zeroCount
    for i in 0..<negative.bucketCount { total &+= negative[i] }
    return total
  }

  /// The weight recorded in positive buckets whose keys lie in `lo ..< hi` (keys of
  /// ``key(ofPositive:)``; `Int.min`/`Int.max` for open ends).
  func positiveCount(keys lo: Int, _ hi: Int) -> UInt64 { positive.sum(keys: lo, hi) }

  /// Calls `body` with each non-empty bucket of positive values, ascending: the bucket's range
  /// `[lower, upper)` and its count. Bucket bounds are the values whose mantissa below the top
  /// ``mantissaBits`` bits is zero; a collapsed store's first bucket also holds every lower key.
  public func forEachPositiveBucket(
    _ body: (_ lower: Double, _ upper: Double, _ count: UInt64) -> Void
  ) {
    let pOffset = Int(positive.offset)
    for i in 0..<positive.bucketCount {
      let c = positive[i]
      if c == 0 { continue }
      let k = Int32(truncatingIfNeeded: pOffset + i)
      body(Self.lowerBound(ofKey: k), Self.lowerBound(ofKey: k &+ 1), c)
    }
  }

  /// The non-empty buckets as (lowest value of the bucket, count), ascending; for tests and
  /// debugging. Zero is reported as one bucket at 0.
  public var nonEmptyBuckets: [(lowerBound: Double, count: UInt64)] {
    var out: [(lowerBound: Double, count: UInt64)] = []
    let nOffset = Int(negative.offset)
    for i in 0..<negative.bucketCount where negative[i] > 0 {
      let c = negative[i]
      let k = Int32(truncatingIfNeeded: -(nOffset + i))
      out.append((-Self.lowerBound(ofKey: k &+ 1), c))
    }
    if zeroCount > 0 { out.append((0, zeroCount)) }
    let pOffset = Int(positive.offset)
    for i in 0..<positive.bucketCount where positive[i] > 0 {
      let c = positive[i]
      out.append((Self.lowerBound(ofKey: Int32(truncatingIfNeeded: pOffset + i)), c))
    }
    return out
  }
}
