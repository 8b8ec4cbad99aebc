// OpenMetrics Metrics and MetricPoints (OpenMetrics 1.0, "Data Model" and "Text format"): which
// samples form one MetricPoint, each type's value rules, and what a whole MetricPoint needs.

/// What a sample is in its OpenMetrics MetricPoint: its family's type and its name's suffix
/// ("Suffixes").
enum OpenMetricsPart: UInt8, Sendable {
  case value, total, created, count, sum, gcount, gsum, bucket, quantile, state, info

  var bit: UInt16 { 1 << UInt16(rawValue) }

  /// What Vigil makes of it (``SampleRole``); gauge histogram parts are gauges.
  func role(_ type: ExpositionType) -> SampleRole {
    switch self {
    case .total, .count, .sum: .counter
    case .created: .created
    case .bucket: type == .histogram ? .bucket : .gauge
    case .quantile: .quantile
    case .value, .gcount, .gsum, .state, .info: .gauge
    }
  }
}

/// The Metric and the MetricPoint being read (by sample index), with what the MetricPoint's
/// rules need.
struct OpenMetricsPoint: Sendable {
  var active = false
  var metricStart = 0
  var metricHash: UInt64 = 0
  var start = 0
  var line = 0
  var hasTimestamp = false
  var timestamp: Int64 = 0
  /// ``OpenMetricsPart/bit`` of the one-per-point parts seen.
  var seen: UInt16 = 0
  var buckets = 0
  var lastBound = -Double.infinity
  var lastCount = 0.0
  var infCount: Double? = nil
  var negativeBucket = false
  var count: Double? = nil
  var sum: Double? = nil
}

/// What follows an OpenMetrics sample's value: a timestamp, an exemplar's value.
struct OpenMetricsTail {
  var timestamp: Int64? = nil
  /// In the grammar but outside what `Int64` nanoseconds hold: the sample is dropped.
  var timestampOutOfRange = false
  var exemplar: Double? = nil
}

extension ExpositionScanner {
  /// Keeps an OpenMetrics sample: its family and part, its value rules, its MetricPoint.
  mutating func addOpenMetrics(
    _ p: UnsafeRawBufferPointer, _ sample: ExpositionSample, _ tail: OpenMetricsTail
  ) throws(ScanFailure) {
    var sample = sample
    let (familyEnd, part, type) = try openMetricsPart(
      p, Int(sample.nameStart), Int(sample.nameEnd))
    sample.familyEnd = Int32(familyEnd)
    sample.type = type
    samples.append(sample)
    let k = samples.count - 1
    try assign(p, k, role: part.role(type))
    if type == .gaugeHistogram && part == .bucket { _ = try readBound(p, k, "le") }
    if part == .state { try stateLabel(p, k) }
    if tail.timestampOutOfRange {
      samples[k].dropped = true
      Self.notes(
        &duplicates, lineNumber,
        "timestamp is outside the years Vigil stores (1677-2262); sample dropped", .badTimestamp)
    }
    try checkValue(p, samples[k], part)
    if let e = tail.exemplar { try checkExemplar(samples[k], part, e) }
    try place(p, k, part)
  }

  /// "StateSet": each sample has a label named after its family, holding the state.
  mutating func stateLabel(_ p: UnsafeRawBufferPointer, _ k: Int) throws(ScanFailure) {
    let s = samples[k]
    for j in Int(s.labelStart)..<Int(s.labelStart + s.labelCount) {
      let l = labels[j]
      if equalRanges(p, Int(l.nameStart), Int(l.nameEnd), Int(s.nameStart), Int(s.familyEnd)) {
        samples[k].boundLabel = Int32(j)
        return
      }
    }
    throw fail(
      .malformed,
      "a stateset sample needs a label named \(text(p, Int(s.nameStart), Int(s.familyEnd))) holding its state"
    )
  }

  /// The value rules of each type ("Metric types", "Canonical Numbers"). (`mutating` only so
  /// that calling it does not copy the scanner.)
  mutating func checkValue(
    _ p: UnsafeRawBufferPointer, _ s: ExpositionSample, _ part: OpenMetricsPart
  )
    throws(ScanFailure)
  {
    let v = s.value
    var what: String { text(p, Int(s.nameStart), Int(s.nameEnd)) }  // for messages only
    switch (s.type, part) {
    case (.counter, .total), (.histogram, .sum), (.summary, .sum):
      guard !v.isNaN && v >= 0 else {
        throw fail(.badValue, "\(what) is a counter value: not NaN nor negative")
      }
    case (_, .bucket), (_, .count), (_, .gcount):
      guard v.isFinite && v >= 0 && v.rounded(.towardZero) == v else {
        throw fail(.badValue, "\(what) is a count: a whole number, not negative, not NaN")
      }
    case (_, .gsum):
      guard !v.isNaN else { throw fail(.badValue, "\(what) (a _gsum) is NaN") }
    case (_, .quantile):
      guard s.bound >= 0 && s.bound <= 1 else {
        throw fail(.malformed, "quantile \(boundText(s.bound)) is not between 0 and 1")
      }
      guard !(v < 0) else { throw fail(.badValue, "a quantile's value is negative") }
    case (_, .state):
      guard v == 0 || v == 1 else { throw fail(.badValue, "a stateset value is 1 or 0") }
    case (_, .info):
      guard v == 1 else { throw fail(.badValue, "an info value is 1") }
    default:
      break
    }
    if part == .bucket && s.bound == .infinity {
      let l = labels[Int(s.boundLabel)]
      guard withValue(p, l, { equals($0, $1, $2, "+Inf") }) else {
        throw fail(.malformed, "the infinite bucket is written le=\"+Inf\"")
      }
    }
    if s.type == .histogram || s.type == .gaugeHistogram || s.type == .summary,
      part != .bucket && part != .quantile
    {
      let reserved: StaticString = s.type == .summary ? "quantile" : "le"
      for j in Int(s.labelStart)..<Int(s.labelStart + s.labelCount) {
        let l = labels[j]
        if equals(p, Int(l.nameStart), Int(l.nameEnd), reserved) {
          throw fail(
            .malformed, "\(what) has a \(reserved) label, which only its type's own samples carry")
        }
      }
    }
  }

  /// "Exemplars": on a counter's `_total` and on histogram buckets, within the bucket.
  mutating func checkExemplar(_ s: ExpositionSample, _ part: OpenMetricsPart, _ value: Double)
    throws(ScanFailure)
  {
    guard (s.type == .counter && part == .total) || part == .bucket else {
      throw fail(
        .malformed,
        "exemplars go only on a counter's _total and on histogram buckets, not on a \(s.type.name) sample"
      )
    }
    if part == .bucket && !(value <= s.bound) {
      throw fail(.badValue, "the exemplar's value is above its bucket's le")
    }
  }

  /// Places sample `k` in its Metric and MetricPoint: a Metric's samples come together
  /// ("Metrics MUST NOT be interleaved"), a repeated part starts the next MetricPoint, which
  /// needs a timestamp no earlier than the previous one's.
  mutating func place(_ p: UnsafeRawBufferPointer, _ k: Int, _ part: OpenMetricsPart)
    throws(ScanFailure)
  {
    let s = samples[k]
    let hash = metricHash(p, s)
    var repeated = false
    if part == .quantile || part == .state {
      let h = seriesHash(p, s, skipping: -1)
      let (slot, found) = findState(p, s, h)
      repeated = found.map { $0 >= point.start } ?? false
      stateIndex.set(slot, h, k)
    }
    if point.active && hash == point.metricHash
      && Self.sameMetric(p, labels, scratch, samples[point.metricStart], s)
    {
      if startsPoint(s, part, repeated) {
        try checkNextPoint(p, k, part)
        try finishPoint(p)
        point = OpenMetricsPoint(
          active: true, metricStart: point.metricStart, metricHash: point.metricHash, start: k,
          line: lineNumber, hasTimestamp: true, timestamp: s.timestamp)
      } else if s.hasTimestamp {
        // One MetricPoint, one time: a sample without a timestamp goes with it.
        if !point.hasTimestamp {
          point.hasTimestamp = true
          point.timestamp = s.timestamp
        } else if s.timestamp != point.timestamp {
          throw fail(
            .malformed,
            "this sample's timestamp differs from its MetricPoint's (line \(point.line)): MetricPoints must not be interleaved"
          )
        }
      }
    } else {
      try finishPoint(p)
      let (slot, found) = findMetric(p, s, hash)
      if let f = found {
        throw fail(
          .malformed,
          "\(text(p, Int(s.nameStart), Int(s.nameEnd))) continues the Metric of line \(samples[f].line) after other Metrics: Metrics must not be interleaved"
        )
      }
      metricIndex.set(slot, hash, k)
      point = OpenMetricsPoint(
        active: true, metricStart: k, metricHash: hash, start: k, line: lineNumber,
        hasTimestamp: s.hasTimestamp, timestamp: s.timestamp)
    }
    try accumulate(s, part)
  }

  mutating func findState(_ p: UnsafeRawBufferPointer, _ s: ExpositionSample, _ hash: UInt64) -> (
    slot: Int, index: Int?
  ) {
    stateIndex.find(hash) { sameSeries(p, samples[$0], s) }
  }

  mutating func findMetric(_ p: UnsafeRawBufferPointer, _ s: ExpositionSample, _ hash: UInt64) -> (
    slot: Int, index: Int?
  ) {
    metricIndex.find(hash) { sameMetric(p, samples[$0], s) }
  }

  mutating func startsPoint(_ s: ExpositionSample, _ part: OpenMetricsPart, _ repeated: Bool)
    -> Bool
  {
    switch part {
    case .value, .info: true
    case .quantile, .state: repeated
    case .bucket: point.buckets > 0 && s.bound <= point.lastBound
    default: point.seen & part.bit != 0
    }
  }

  /// Sample `k` repeats a part of the current MetricPoint: it starts the Metric's next one,
  /// which needs timestamps, no earlier than the current one's.
  func checkNextPoint(_ p: UnsafeRawBufferPointer, _ k: Int, _ part: OpenMetricsPart)
    throws(ScanFailure)
  {
    let s = samples[k]
    guard point.hasTimestamp && s.hasTimestamp else {
      if part == .bucket {
        throw fail(
          .malformed,
          "le=\"\(boundText(s.bound))\" is not above the previous bucket's: buckets go in increasing le order (a Metric's next MetricPoint needs timestamps)"
        )
      }
      throw fail(
        .duplicateSeries,
        "\(text(p, Int(s.nameStart), Int(s.nameEnd))) with these labels is already in the MetricPoint of line \(point.line) (a Metric's next MetricPoint needs timestamps)"
      )
    }
    guard s.timestamp >= point.timestamp else {
      throw fail(
        .badTimestamp,
        "this MetricPoint's timestamp is before the previous one's of the same Metric (line \(point.line))"
      )
    }
  }

  mutating func accumulate(_ s: ExpositionSample, _ part: OpenMetricsPart) throws(ScanFailure) {
    switch part {
    case .bucket:
      if point.buckets > 0 && s.value < point.lastCount {
        throw fail(.badValue, "bucket counts must not decrease as le grows")
      }
      point.buckets += 1
      point.lastBound = s.bound
      point.lastCount = s.value
      if s.bound == .infinity { point.infCount = s.value }
      if s.bound < 0 { point.negativeBucket = true }
    case .count, .gcount: point.count = s.value
    case .sum, .gsum: point.sum = s.value
    default: break
    }
    point.seen |= part.bit
  }

  /// The rules of a whole MetricPoint ("Counter", "Histogram", "GaugeHistogram").
  mutating func finishPoint(_ p: UnsafeRawBufferPointer) throws(ScanFailure) {
    guard point.active else { return }
    point.active = false
    let pt = point
    let type = samples[pt.start].type
    func failure(_ detail: String) -> ScanFailure {
      ScanFailure(
        line: pt.line, reason: .malformed,
        detail: "\(type.name) MetricPoint: " + detail + "; the whole exposition was rejected")
    }
    switch type {
    case .counter:
      guard pt.seen & OpenMetricsPart.total.bit != 0 else { throw failure("it has no _total") }
    case .histogram, .gaugeHistogram:
      let g = type == .gaugeHistogram
      let (count, sum) = g ? ("_gcount", "_gsum") : ("_count", "_sum")
      guard pt.buckets > 0 else { throw failure("it has no _bucket") }
      guard let inf = pt.infCount else { throw failure("it has no le=\"+Inf\" bucket") }
      guard (pt.count == nil) == (pt.sum == nil) else {
        throw failure("\(count) and \(sum) come together or not at all")
      }
      if let c = pt.count, c != inf {
        throw failure("\(count) \(boundText(c)) differs from the +Inf bucket's \(boundText(inf))")
      }
      if !g && pt.sum != nil && pt.negativeBucket {
        throw failure("with negative buckets it has no _sum")
      }
      if g, let s = pt.sum, s < 0, !pt.negativeBucket {
        throw failure("_gsum is negative without negative buckets")
      }
    default:
      break
    }
  }
}
