#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How to choose the value bins of a latency ``Distribution``: `count` log-spaced bins over a
/// fixed range (`1 ms … 60 s`) or over the range of the data being binned.
///
/// Every edge is snapped to the nearest boundary of the ``QuantileSketch``'s buckets (a value
/// whose mantissa below the top 7 bits is zero, within a relative `2^-8` of the requested edge),
/// so a sketch bucket never straddles two bins: the counts per bin are then exact, not
/// estimates (see ``MetricStore/distribution(_:window:at:bins:quantiles:)``).
///
/// ```swift
/// let bins = LatencyBins.logarithmic(from: 0.001, to: 60, count: 20)   // seconds
/// let auto = LatencyBins.fromData(count: 12)
/// ```
public struct LatencyBins: Sendable, Equatable {
  /// Where the bins' range comes from.
  public enum Range: Sendable, Equatable {
    /// From `low` to `high` (both positive).
    case fixed(low: Double, high: Double)
    /// From the smallest positive value binned to the largest, rounded out to the 1-2-5 steps
    /// (…, 0.5, 1, 2, 5, 10, …); `fallback` when there is no positive value.
    case fromData(fallback: ClosedRange<Double>)
  }

  public var range: Range
  /// How many bins were asked for, clamped to `1...maxCount`. Fewer result when the range is
  /// too narrow for that many distinct snapped edges.
  public var count: Int

  /// The most bins a distribution ever has (bounded memory whatever the caller asks).
  public static let maxCount = 1024

  public init(range: Range, count: Int) {
    self.range = range
    self.count = Swift.min(Swift.max(count, 1), Self.maxCount)
  }

  /// `count` log-spaced bins from `low` to `high`.
  public static func logarithmic(from low: Double, to high: Double, count: Int) -> LatencyBins {
    LatencyBins(range: .fixed(low: low, high: high), count: count)
  }

  /// `count` log-spaced bins over the data's range (rounded out to 1-2-5 steps).
  public static func fromData(count: Int, fallback: ClosedRange<Double> = 0.001...1)
    -> LatencyBins
  {
    LatencyBins(range: .fromData(fallback: fallback), count: count)
  }

  /// The edges (`count + 1` or fewer, at least 2) for data whose smallest and largest positive
  /// values are `dataLow` and `dataHigh` (nil: no positive data). Positive, finite, strictly
  /// ascending, each a sketch bucket boundary.
  public func edges(dataLow: Double?, dataHigh: Double?) -> [Double] {
    var low: Double
    var high: Double
    switch range {
    case .fixed(let l, let h):
      (low, high) = (l, h)
    case .fromData(let fallback):
      if let a = dataLow, let b = dataHigh, a > 0, a.isFinite, b.isFinite {
        low = Self.niceFloor(a)
        high = Self.niceCeil(Swift.max(a, b))
        if high <= low { high = Self.niceCeil(low * 1.5) }
      } else {
        (low, high) = (fallback.lowerBound, fallback.upperBound)
      }
    }
    let tiny = Double.leastNormalMagnitude
    let huge = Double.greatestFiniteMagnitude / 4
    if !(low >= tiny) || !low.isFinite { low = tiny }
    if !high.isFinite || high > huge { high = huge }
    low = Swift.min(low, huge / 2)
    if !(high > low) { high = low * 2 }
    let ratio = log(high) - log(low)
    var out: [Double] = []
    out.reserveCapacity(count + 1)
    for i in 0...count {
      let v = i == 0 ? low : i == count ? high : exp(log(low) + ratio * Double(i) / Double(count))
      let s = Self.snap(v)
      if let last = out.last, s <= last { continue }
      out.append(s)
    }
    if out.count < 2 { out.append(Self.snap(out[0] * 2)) }
    return out
  }

  /// The sketch bucket boundary nearest to `v` (positive, finite).
  public static func snap(_ v: Double) -> Double {
    let k = QuantileSketch.key(ofPositive: v)
    let lo = QuantileSketch.lowerBound(ofKey: k)
    let hi = QuantileSketch.lowerBound(ofKey: k &+ 1)
    return (v - lo) <= (hi - v) || !hi.isFinite ? lo : hi
  }

  /// The largest 1-2-5 step (…, 0.5, 1, 2, 5, 10, …) at or below `v > 0`.
  static func niceFloor(_ v: Double) -> Double {
    let p = pow(10, (log10(v)).rounded(.down))
    for m in [5.0, 2, 1] where m * p <= v * (1 + 1e-12) { return m * p }
    return p / 2
  }

  /// The smallest 1-2-5 step at or above `v > 0`.
  static func niceCeil(_ v: Double) -> Double {
    let p = pow(10, (log10(v)).rounded(.down))
    for m in [1.0, 2, 5, 10] where m * p >= v * (1 - 1e-12) { return m * p }
    return 10 * p
  }
}

/// How many samples fell in each latency bin, per time bucket of a window, merged over several
/// series: the data of a latency heatmap (x = time buckets, y = bins) and of a histogram (the
/// whole window).
///
/// Built by ``MetricStore/distribution(_:window:at:bins:quantiles:)`` from the buckets' sketches.
/// Bin `i` holds values in `[edges[i], edges[i+1])`; the first bin also holds every value below
/// `edges[0]` (zero and negatives included, counted in ``below``) and the last every value at or
/// above the last edge (counted in ``above``), so the counts always add up to the window's
/// sample count (``total``).
public struct Distribution: Sendable, Equatable {
  /// Bin edges, ascending; `binCount + 1` of them.
  public let edges: [Double]
  /// The length of one time bucket (the level the window is read from).
  public let bucketNanos: Int64
  /// How many time buckets the window covers.
  public let bucketCount: Int
  /// The end of the newest bucket (the one holding `now`, possibly partial). Bucket `j` (oldest
  /// first) covers `(end − (bucketCount − j)·Δ, end − (bucketCount − 1 − j)·Δ]`.
  public let newestBucketEnd: Timestamp
  /// Counts, bucket-major: `counts[bucket * binCount + bin]`.
  public internal(set) var counts: [UInt64]
  /// Samples per bucket (0: the bucket has no data).
  public internal(set) var bucketTotals: [UInt64]
  /// Samples per bin over the whole window (the sum over buckets).
  public internal(set) var histogram: [UInt64]
  /// Samples in the window.
  public internal(set) var total: UInt64 = 0
  /// Samples below `edges[0]`, counted in the first bin.
  public internal(set) var below: UInt64 = 0
  /// Samples at or above the last edge, counted in the last bin.
  public internal(set) var above: UInt64 = 0
  /// The quantiles asked for (for example `[0.99]`).
  public let quantiles: [Double]
  /// Per quantile, its value in each bucket (nil for a bucket with no data), from the bucket's
  /// sketch merged over the series: `bucketQuantiles[q][bucket]`.
  public internal(set) var bucketQuantiles: [[Double?]]
  /// Per quantile, its value over the whole window (nil when empty).
  public internal(set) var windowQuantiles: [Double?]

  public init(
    edges: [Double], bucketNanos: Int64, bucketCount: Int, newestBucketEnd: Timestamp,
    quantiles: [Double] = []
  ) {
    precondition(edges.count >= 2, "at least one bin")
    self.edges = edges
    edgeKeys = edges.map { $0 > 0 ? Int(QuantileSketch.key(ofPositive: $0)) : Int.min }
    self.bucketNanos = bucketNanos
    self.bucketCount = bucketCount
    self.newestBucketEnd = newestBucketEnd
    self.quantiles = quantiles
    let bins = edges.count - 1
    counts = [UInt64](repeating: 0, count: bucketCount * bins)
    bucketTotals = [UInt64](repeating: 0, count: bucketCount)
    histogram = [UInt64](repeating: 0, count: bins)
    bucketQuantiles = quantiles.map { _ in [Double?](repeating: nil, count: bucketCount) }
    windowQuantiles = quantiles.map { _ in nil }
  }

  /// The sketch key of each edge (edges are bucket boundaries: a key's bucket starts there).
  private let edgeKeys: [Int]

  /// Number of value bins.
  public var binCount: Int { edges.count - 1 }

  /// The samples of `bucket` (oldest first) in `bin` (lowest first).
  public func count(bucket: Int, bin: Int) -> UInt64 { counts[bucket * binCount + bin] }

  /// The counts of one bucket, lowest bin first; nil when the bucket has no data.
  public func column(_ bucket: Int) -> ArraySlice<UInt64>? {
    guard bucketTotals[bucket] > 0 else { return nil }
    return counts[(bucket * binCount)..<((bucket + 1) * binCount)]
  }

  /// The bin holding the nearest-rank quantile `q` of `bucket` (nil: no data there), from the
  /// counts alone: no sketch merge. Bins are unions of sketch buckets, so this is the bin of the
  /// value the merged sketch reports (``bucketQuantiles``), at a fraction of the cost.
  public func quantileBin(_ q: Double, bucket: Int) -> Int? {
    guard bucket >= 0 && bucket < bucketCount, bucketTotals[bucket] > 0 else { return nil }
    let base = bucket * binCount
    let rank = QuantileSketch.nearestRank(q, count: bucketTotals[bucket])
    return Self.binOfRank(rank, bins: binCount) { counts[base + $0] }
  }

  /// The bin holding the nearest-rank quantile `q` of the whole window; nil when empty.
  public func windowQuantileBin(_ q: Double) -> Int? {
    guard total > 0 else { return nil }
    let rank = QuantileSketch.nearestRank(q, count: total)
    return Self.binOfRank(rank, bins: binCount) { histogram[$0] }
  }

  /// The first bin whose cumulative count reaches `rank` (the last when none does).
  private static func binOfRank(_ rank: UInt64, bins: Int, _ count: (Int) -> UInt64) -> Int {
    var seen: UInt64 = 0
    for i in 0..<bins {
      seen &+= count(i)
      if seen >= rank { return i }
    }
    return bins - 1
  }

  /// The bin holding `value`: values below the first edge go to bin 0, values at or above the
  /// last edge to the last bin; nil for NaN.
  public func bin(of value: Double) -> Int? {
    guard !value.isNaN else { return nil }
    var lo = 0
    var hi = binCount - 1
    // The last bin whose lower edge is ≤ value (bin 0 when none is).
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if edges[mid] <= value { lo = mid } else { hi = mid - 1 }
    }
    return lo
  }

  /// Adds every value of `sketch` to `bucket`'s counts.
  mutating func add(_ sketch: QuantileSketch, bucket: Int) {
    guard sketch.count > 0 else { return }
    let bins = binCount
    let base = bucket * bins
    // Zero and negative values lie below every (positive) edge.
    var added = sketch.nonPositiveCount
    counts[base] &+= added
    histogram[0] &+= added
    below &+= added
    // Edges are bucket boundaries, so whole key ranges fall in each bin; the end bins are open.
    for i in 0..<bins {
      let lo = i == 0 ? Int.min : edgeKeys[i]
      let hi = i == bins - 1 ? Int.max : edgeKeys[i + 1]
      let c = sketch.positiveCount(keys: lo, hi)
      if c == 0 { continue }
      counts[base + i] &+= c
      histogram[i] &+= c
      added &+= c
    }
    below &+= sketch.positiveCount(keys: Int.min, edgeKeys[0])
    above &+= sketch.positiveCount(keys: edgeKeys[bins], Int.max)
    bucketTotals[bucket] &+= added
    total &+= added
  }
}

extension MetricStore {
  /// The latency distribution of `ids` (merged; a repeated id counts once) over the window of
  /// length `window` ending at `now`: per time bucket of the window's level (oldest first, the
  /// same grid as ``buckets(_:window:at:statistic:)``), how many samples fell in each bin.
  ///
  /// Counts come from the buckets' sketches. Bin edges are sketch bucket boundaries, so each
  /// count is exact: the number of samples `v` with `edges[i] ≤ v < edges[i+1]` (the end bins
  /// also take what lies beyond), and ``Distribution/total`` is the window's sample count. The
  /// exception is a sketch that has collapsed its lowest buckets (a single bucket whose values
  /// span more than a factor of about 2^32): the collapsed values count in the lowest kept
  /// bucket's bin.
  ///
  /// With `quantiles`, each bucket's sketch is merged over the series and those quantiles are
  /// kept per bucket and for the whole window (for a p99 line over a heatmap).
  public func distribution(
    _ ids: [SeriesID], window: Int64, at now: Timestamp, bins: LatencyBins,
    quantiles: [Double] = []
  ) -> Distribution {
    var seen = Set<SeriesID>()
    let unique = ids.filter { seen.insert($0).inserted }
    let (li, n) = level(forWindow: window)
    let width = config.levels[li].bucketNanos
    let kNow = BucketIndex.bucket(now.nanoseconds, width: width)
    let (end, o) = kNow.multipliedReportingOverflow(by: width)
    let newestEnd = Timestamp(nanoseconds: o ? (kNow > 0 ? .max : .min) : end)

    var dataLow: Double?
    var dataHigh: Double?
    if case .fromData = bins.range {
      for id in unique {
        forEachBucket(id, window: window, at: now) { slot in
          guard let slot, let hi = slot.sketch.max, hi > 0 else { return }
          dataHigh = Swift.max(dataHigh ?? hi, hi)
          var lo = slot.sketch.min ?? hi
          if lo <= 0 {
            // The smallest positive value lies in the first positive bucket.
            var first: Double?
            slot.sketch.forEachPositiveBucket { lower, _, _ in first = first ?? lower }
            lo = first ?? hi
          }
          dataLow = Swift.min(dataLow ?? lo, lo)
        }
      }
    }
    var d = Distribution(
      edges: bins.edges(dataLow: dataLow, dataHigh: dataHigh), bucketNanos: width,
      bucketCount: n, newestBucketEnd: newestEnd, quantiles: quantiles)
    // Per series, its buckets' slots (only kept for the quantiles).
    var slots: [[BucketSlot?]] = []
    for id in unique {
      var j = 0
      var column: [BucketSlot?] = []
      if !quantiles.isEmpty { column.reserveCapacity(n) }
      forEachBucket(id, window: window, at: now) { slot in
        if let slot { d.add(slot.sketch, bucket: j) }
        if !quantiles.isEmpty { column.append(slot) }
        j += 1
      }
      if !quantiles.isEmpty { slots.append(column) }
    }
    if !quantiles.isEmpty {
      // One scratch sketch per bucket in turn (wide counts, capacity kept across resets).
      var scratch = QuantileSketch.mergeTarget()
      var whole = QuantileSketch.mergeTarget()
      for j in 0..<n {
        scratch.reset()
        for column in slots { if let slot = column[j] { scratch.merge(slot.sketch) } }
        guard !scratch.isEmpty else { continue }
        let q = scratch.quantiles(quantiles)
        for i in quantiles.indices { d.bucketQuantiles[i][j] = q[i] }
        whole.merge(scratch)
      }
      d.windowQuantiles = whole.quantiles(quantiles)
    }
    return d
  }
}
