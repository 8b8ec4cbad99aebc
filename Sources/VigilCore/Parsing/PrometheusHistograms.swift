// Pass 2 of PrometheusParser for histograms: a scrape's buckets become the increases since the
// previous scrape, as weighted points.

extension PrometheusParser {
  /// Bucket increases since the previous scrape, as weighted points.
  mutating func finishHistogram(_ k: Int, _ sink: inout ParseSink) {
    var h = pending[k]
    let t = Timestamp(nanoseconds: h.timestamp)
    func warn(_ text: String) {
      sink.warn(ParseIssue(line: h.line, reason: .malformed, detail: "histogram \(name()) " + text))
    }
    func name() -> String { sink.interner.key(h.id).metric }
    // Order by le (OpenMetrics bodies were checked already), dropping repeated bounds.
    if let problem = h.sortBounds() { warn(problem) }
    guard h.bounds.last == .infinity else {
      warn("has no le=\"+Inf\" bucket: no percentiles (histogram_quantile is NaN)")
      return
    }
    guard h.bounds.count <= Self.maxBuckets else {
      warn("has more than \(Self.maxBuckets) buckets: no percentiles")
      return
    }
    guard h.counts.allSatisfy(\.isFinite) else {
      // Counted by the windows as a non-finite value; the baseline stays.
      sink.samples.append(Sample(series: h.id, timestamp: t, value: .nan))
      return
    }
    var running = -Double.infinity
    var repaired = false
    for i in h.counts.indices {
      if h.counts[i] < running {
        h.counts[i] = running
        repaired = true
      } else {
        running = h.counts[i]
      }
    }
    if repaired { warn("bucket counts decrease as le grows; made monotonic") }
    let created = createdNow[h.id]
    let previous = histograms[h.id]
    if let prev = previous, h.timestamp < prev.timestamp {
      sink.issues.append(
        ParseIssue(
          line: h.line, reason: .outOfOrder,
          detail: "histogram \(name()) at \(t) is older than its previous scrape; dropped"))
      return
    }
    histograms[h.id] = HistogramState(
      bounds: h.bounds, counts: h.counts, timestamp: h.timestamp,
      created: created ?? previous?.created)
    guard let prev = previous else { return }  // the first scrape is the baseline
    var reset = prev.bounds != h.bounds || zip(h.counts, prev.counts).contains { $0 < $1 }
    if let c = created, let old = prev.created, c != old { reset = true }
    appendIncreases(h, since: reset ? nil : prev, at: t, &sink)
  }

  /// Cumulative increases per bound since `prev` (from zero after a reset), monotonic, as whole
  /// observations: points spread over each bucket, the `+Inf` bucket's at the last finite bound.
  func appendIncreases(
    _ h: PendingHistogram, since prev: HistogramState?, at t: Timestamp, _ sink: inout ParseSink
  ) {
    var below: UInt64 = 0
    var runningIncrease = 0.0
    for i in h.bounds.indices {
      let increase = prev.map { h.counts[i] - $0.counts[i] } ?? h.counts[i]
      runningIncrease = max(runningIncrease, increase)
      let cumulative = UInt64(clamping: min(runningIncrease, 1e15).rounded())
      let n = cumulative > below ? cumulative - below : 0
      below = max(below, cumulative)
      Self.appendBucketPoints(bucket: i, of: h.bounds, count: n, series: h.id, at: t, &sink)
    }
  }

  /// The weighted points of `n` observations in bucket `i` of a histogram whose upper bounds
  /// are `bounds` in increasing order, the last one `+Inf`: spread over `(bounds[i-1],
  /// bounds[i]]` by ``bucketPoints(lower:upper:count:maxPoints:_:)`` (the lowest bucket from 0
  /// when its bound is positive), the `+Inf` bucket's at the last finite bound. Nothing for a
  /// histogram with only the `+Inf` bucket. Shared by Prometheus and OTLP histograms (D16, D46).
  static func appendBucketPoints(
    bucket i: Int, of bounds: [Double], count n: UInt64, series id: SeriesID, at t: Timestamp,
    _ sink: inout ParseSink
  ) {
    guard n > 0, bounds.count >= 2 else { return }
    let upper = bounds[i]
    if i == bounds.count - 1 {
      sink.samples.append(
        Sample(series: id, timestamp: t, value: bounds[i - 1], weight: UInt32(clamping: n)))
      return
    }
    let lower: Double? = i > 0 ? bounds[i - 1] : (upper > 0 ? 0 : nil)
    bucketPoints(lower: lower, upper: upper, count: n, maxPoints: pointsPerBucket) {
      value, weight in
      sink.samples.append(
        Sample(series: id, timestamp: t, value: value, weight: UInt32(clamping: weight)))
    }
  }

  /// The points standing for `count` observations in `(lower, upper]`: `min(count, maxPoints)`
  /// points at `lower + (upper − lower)·c/count` for `c = ⌊count·j/k⌋`, j = 1…k, each with the
  /// observations between the previous `c` and its own. Without a lower bound, one point at
  /// `upper`.
  static func bucketPoints(
    lower: Double?, upper: Double, count: UInt64, maxPoints: Int,
    _ body: (Double, UInt64) -> Void
  ) {
    guard count > 0 else { return }
    guard let lower else {
      body(upper, count)
      return
    }
    let k = UInt64(min(UInt64(maxPoints), count))
    var previous: UInt64 = 0
    for j in 1...k {
      let cj = k.dividingFullWidth(count.multipliedFullWidth(by: j)).quotient
      let weight = cj - previous
      previous = cj
      guard weight > 0 else { continue }
      let value = j == k ? upper : lower + (upper - lower) * (Double(cj) / Double(count))
      body(value, weight)
    }
  }
}
