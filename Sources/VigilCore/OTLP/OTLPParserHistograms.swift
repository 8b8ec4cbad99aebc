#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Histogram points of OTLPParser: increments per bucket as weighted points (D16, D46).

extension OTLPParser {
  /// What a histogram point adds: per-bucket increments, and the `_count` and `_sum`
  /// increases.
  struct Increments<Buckets> {
    var buckets: Buckets
    var count: UInt64
    var sum: Double?
  }

  // MARK: - Explicit buckets

  mutating func histogram(
    _ p: OTLPHistogramPoint, _ temporality: OTLPTemporality, _ ctx: Context,
    _ sink: inout ParseSink
  ) throws(FieldRejection) {
    try Self.temporality(temporality)
    if !p.bucketCounts.isEmpty {
      guard p.bucketCounts.count == p.explicitBounds.count + 1 else {
        throw FieldRejection(
          .malformed,
          "\(p.bucketCounts.count) bucket counts for \(p.explicitBounds.count) bounds "
            + "(there must be one more count than bounds)")
      }
      guard p.explicitBounds.allSatisfy(\.isFinite),
        zip(p.explicitBounds, p.explicitBounds.dropFirst()).allSatisfy({ $0 < $1 })
      else {
        throw FieldRejection(.malformed, "the explicit bounds are not finite and increasing")
      }
    }
    if let s = p.sum { try Self.finite(s, "the sum") }
    let t = try Self.time(p.timeUnixNano, ctx.arrival)
    let id = try intern(ctx, p.attributes, &sink)
    let countID = try intern(ctx, suffix: "_count", p.attributes, &sink)
    let sumID = p.sum == nil ? nil : try intern(ctx, suffix: "_sum", p.attributes, &sink)
    let added: Increments<[UInt64]>
    if temporality == .delta {
      added = Increments(buckets: p.bucketCounts, count: p.count, sum: p.sum)
    } else {
      let previous = histograms[id]
      if let prev = previous, t.nanoseconds < prev.time { throw Self.outOfOrder(t, prev.time) }
      histograms[id] = HistogramState(
        time: t.nanoseconds,
        start: p.startTimeUnixNano != 0 ? p.startTimeUnixNano : previous?.start ?? 0,
        count: p.count, sum: p.sum, bounds: p.explicitBounds, counts: p.bucketCounts)
      guard let next = Self.increase(p, since: previous, at: t) else { return }  // a baseline
      added = next
    }
    let bounds = p.bucketCounts.isEmpty ? [] : p.explicitBounds + [.infinity]
    if bounds.count > PrometheusParser.maxBuckets {
      sink.warn(
        ParseIssue(
          line: ctx.line, reason: .malformed,
          detail:
            "histogram \(printableExcerpt(ctx.metric, limit: 100)) has more than "
            + "\(PrometheusParser.maxBuckets) buckets: no percentiles"))
    } else {
      for (i, n) in added.buckets.enumerated() {
        PrometheusParser.appendBucketPoints(
          bucket: i, of: bounds, count: n, series: id, at: t, &sink)
      }
    }
    appendCountAndSum(added, countID, sumID, t, &sink)
  }

  /// A cumulative point's increments since `previous`: all its counts for a first point with a
  /// start time or after a reset (a new start time, other bounds, a count that fell), nil for
  /// a first point without one (the baseline).
  static func increase(_ p: OTLPHistogramPoint, since previous: HistogramState?, at t: Timestamp)
    -> Increments<[UInt64]>?
  {
    let all = Increments(buckets: p.bucketCounts, count: p.count, sum: p.sum)
    guard let prev = previous else { return countedFromStart(p.startTimeUnixNano, t) ? all : nil }
    let reset =
      restarted(p.startTimeUnixNano, prev.start) || prev.bounds != p.explicitBounds
      || prev.counts.count != p.bucketCounts.count || p.count < prev.count
      || zip(p.bucketCounts, prev.counts).contains { $0 < $1 }
    if reset { return all }
    return Increments(
      buckets: zip(p.bucketCounts, prev.counts).map { $0 - $1 }, count: p.count - prev.count,
      sum: p.sum.flatMap { s in prev.sum.map { s - $0 } })
  }

  private func appendCountAndSum<B>(
    _ added: Increments<B>, _ countID: SeriesID, _ sumID: SeriesID?, _ t: Timestamp,
    _ sink: inout ParseSink
  ) {
    if let sumID, let s = added.sum {
      sink.samples.append(Sample(series: sumID, timestamp: t, value: s))
    }
    sink.samples.append(Sample(series: countID, timestamp: t, value: Double(added.count)))
  }

  // MARK: - Exponential buckets

  /// The increments of an exponential histogram point: the zero bucket and both ranges.
  struct ExponentialBuckets {
    var zero: UInt64
    var positive: OTLPBuckets
    var negative: OTLPBuckets
  }

  mutating func exponential(
    _ p: OTLPExponentialHistogramPoint, _ temporality: OTLPTemporality, _ ctx: Context,
    _ sink: inout ParseSink
  ) throws(FieldRejection) {
    try Self.temporality(temporality)
    guard OTLPLimits.scales.contains(p.scale) else {
      throw FieldRejection(
        .malformed,
        "scale \(p.scale) is outside \(OTLPLimits.scales.lowerBound)...\(OTLPLimits.scales.upperBound)"
      )
    }
    guard p.zeroThreshold.isFinite && p.zeroThreshold >= 0 else {
      throw FieldRejection(.malformed, "the zero threshold \(p.zeroThreshold) is not a width")
    }
    for range in [p.positive, p.negative] where !range.counts.isEmpty {
      let top = Int64(range.offset) + Int64(range.counts.count) - 1
      guard Self.representative(index: top, scale: p.scale).isFinite else {
        throw FieldRejection(
          .malformed, "bucket \(top) at scale \(p.scale) lies beyond the largest double")
      }
    }
    if let s = p.sum { try Self.finite(s, "the sum") }
    let t = try Self.time(p.timeUnixNano, ctx.arrival)
    let id = try intern(ctx, p.attributes, &sink)
    let countID = try intern(ctx, suffix: "_count", p.attributes, &sink)
    let sumID = p.sum == nil ? nil : try intern(ctx, suffix: "_sum", p.attributes, &sink)
    let added: Increments<ExponentialBuckets>
    if temporality == .delta {
      added = Increments(
        buckets: ExponentialBuckets(zero: p.zeroCount, positive: p.positive, negative: p.negative),
        count: p.count, sum: p.sum)
    } else {
      let previous = exponentials[id]
      if let prev = previous, t.nanoseconds < prev.time { throw Self.outOfOrder(t, prev.time) }
      exponentials[id] = ExponentialState(
        time: t.nanoseconds,
        start: p.startTimeUnixNano != 0 ? p.startTimeUnixNano : previous?.start ?? 0,
        count: p.count, sum: p.sum, scale: p.scale, zeroThreshold: p.zeroThreshold,
        zeroCount: p.zeroCount, positive: p.positive, negative: p.negative)
      guard let next = Self.increase(p, since: previous, at: t) else { return }  // a baseline
      added = next
    }
    if added.buckets.zero > 0 {
      sink.samples.append(
        Sample(series: id, timestamp: t, value: 0, weight: UInt32(clamping: added.buckets.zero)))
    }
    for (range, sign) in [(added.buckets.negative, -1.0), (added.buckets.positive, 1.0)] {
      for (k, n) in range.counts.enumerated() where n > 0 {
        let index = Int64(range.offset) + Int64(k)
        let value = sign * Self.representative(index: index, scale: p.scale)
        sink.samples.append(
          Sample(series: id, timestamp: t, value: value, weight: UInt32(clamping: n)))
      }
    }
    appendCountAndSum(added, countID, sumID, t, &sink)
  }

  /// A cumulative exponential point's increments since `previous`. A lower scale than the
  /// previous point's (an SDK widening its range) re-buckets the previous counts to it, so
  /// nothing is counted twice; a higher scale (what a restarted SDK sends: it starts at its
  /// finest scale), another zero threshold, a new start time, or a count that fell are a
  /// reset: all the point's counts are the increment. Nil for a first point without a start
  /// time (the baseline).
  static func increase(
    _ p: OTLPExponentialHistogramPoint, since previous: ExponentialState?, at t: Timestamp
  ) -> Increments<ExponentialBuckets>? {
    let all = Increments(
      buckets: ExponentialBuckets(zero: p.zeroCount, positive: p.positive, negative: p.negative),
      count: p.count, sum: p.sum)
    guard let prev = previous else { return countedFromStart(p.startTimeUnixNano, t) ? all : nil }
    guard
      !restarted(p.startTimeUnixNano, prev.start), p.scale <= prev.scale,
      p.zeroThreshold == prev.zeroThreshold, p.count >= prev.count,
      p.zeroCount >= prev.zeroCount,
      let positive = difference(p.positive, downscale(prev.positive, by: prev.scale - p.scale)),
      let negative = difference(p.negative, downscale(prev.negative, by: prev.scale - p.scale))
    else { return all }
    return Increments(
      buckets: ExponentialBuckets(
        zero: p.zeroCount - prev.zeroCount, positive: positive, negative: negative),
      count: p.count - prev.count, sum: p.sum.flatMap { s in prev.sum.map { s - $0 } })
  }

  /// `b`'s counts at a scale `k` lower: bucket `i` becomes `i >> k` (floor division by 2^k),
  /// whose range contains the old one.
  static func downscale(_ b: OTLPBuckets, by k: Int32) -> OTLPBuckets {
    guard k > 0, !b.counts.isEmpty else { return b }
    let first = Int64(b.offset) >> Int64(k)
    let last = (Int64(b.offset) + Int64(b.counts.count) - 1) >> Int64(k)
    var counts = [UInt64](repeating: 0, count: Int(last - first + 1))
    for (j, c) in b.counts.enumerated() {
      let slot = Int((Int64(b.offset) + Int64(j)) >> Int64(k) - first)
      counts[slot] = counts[slot] &+ c
    }
    return OTLPBuckets(offset: Int32(truncatingIfNeeded: first), counts: counts)
  }

  /// `new − old` per bucket index; nil when some bucket of `old` holds more than `new`'s
  /// (a decrease: a reset).
  static func difference(_ new: OTLPBuckets, _ old: OTLPBuckets) -> OTLPBuckets? {
    var out = new
    for (k, c) in old.counts.enumerated() where c > 0 {
      let j = Int64(old.offset) + Int64(k) - Int64(new.offset)
      guard j >= 0, j < Int64(new.counts.count), new.counts[Int(j)] >= c else { return nil }
      out.counts[Int(j)] -= c
    }
    return out
  }

  /// The point standing for bucket `index` at `scale`, `(L, U]` with `L = base^index`,
  /// `U = base^(index+1)`, `base = 2^(2^-scale)`: the harmonic mean `2LU/(L+U)`, whose
  /// relative distance to every value of the bucket is at most `(base−1)/(base+1)` (D46).
  /// Infinite when the bucket lies past the largest double.
  static func representative(index: Int64, scale: Int32) -> Double {
    let width = Double(sign: .plus, exponent: -Int(scale), significand: 1)  // 2^-scale
    let lower = exp2(Double(index) * width)
    let base = exp2(width)
    guard base.isFinite else { return 2 * lower }
    return lower * (2 * base / (1 + base))
  }

  /// `(base−1)/(base+1)`: the most a bucket's point is off any value in it, relatively.
  public static func exponentialBucketError(scale: Int32) -> Double {
    let base = exp2(Double(sign: .plus, exponent: -Int(scale), significand: 1))
    return base.isFinite ? (base - 1) / (base + 1) : 1
  }
}
