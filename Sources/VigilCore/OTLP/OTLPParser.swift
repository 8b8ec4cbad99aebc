/// What the last record (one OTLP request) came to, for an OTLP receiver's answer: OTLP's
/// partial success carries `rejected_data_points` and `error_message`
/// (`ExportMetricsPartialSuccess`), a refused request is a 400.
public struct OTLPOutcome: Sendable, Equatable {
  /// The whole request was refused (not OTLP, or past a limit of ``OTLPLimits``): nothing was
  /// taken and the counts are 0. A receiver answers 400 Bad Request with ``errorMessage``.
  public var requestRejected = false
  /// Data points taken: made samples, or became the baseline of their series.
  public var acceptedDataPoints = 0
  /// Data points refused one by one (each is a ``ParseIssue`` in the sink): what a receiver
  /// reports as `rejected_data_points`.
  public var rejectedDataPoints = 0
  /// Data points flagged "no recorded value": neither taken nor refused (also counted in
  /// ``ParseSink/skipped``).
  public var skippedDataPoints = 0
  /// The first problem: the refused request's reason, or the first refused point's. Empty
  /// when there was none.
  public var errorMessage = ""

  public init() {}
}

/// Turns OTLP metrics requests into samples (DECISIONS D46).
///
/// One record is one `ExportMetricsServiceRequest`: with ``Encoding/json`` a line of the
/// Collector's file exporter or an OTLP/HTTP JSON body, with ``Encoding/protobuf`` an
/// OTLP/HTTP protobuf body. A request that does not decode, or is past a limit of
/// ``OTLPLimits``, is refused whole with one ``ParseIssue`` before any state is touched (as
/// D16 refuses an exposition); otherwise each data point is taken or refused on its own, and
/// ``lastOutcome`` counts both.
///
/// - **Series**: the metric's name as sent (`http.server.request.duration`); labels are the
///   point's attributes (keys as sent, values as ``OTLPAnyValue/labelText(limit:)``) plus
///   `service` (from the resource's `service.name`) and `instance` (`service.instance.id`);
///   a point attribute of the same name wins. Other resource and scope attributes are dropped.
/// - **Gauges**: the value. **Monotonic sums**: the increase, as the Prometheus parser emits
///   counter increases: a delta point's value; for cumulative points the difference from the
///   series' previous point, or the whole value after a reset (the value fell, or the start
///   time changed). A cumulative series' first point is only a baseline unless it has a start
///   time before its time (then it counted from 0 at its start: its value is the increase).
///   **Non-monotonic sums**: the level (cumulative: the value; delta: a running total).
/// - **Histograms** (explicit and exponential): increments per bucket (delta counts, or
///   cumulative counts differenced as sums are) as weighted points of the series named after
///   the metric, plus `<name>_sum` and `<name>_count` increases.
/// - **Summaries**: each quantile a gauge with label `quantile` (normalised as D16 does); `_sum`
///   and `_count` increases.
/// - A point flagged "no recorded value" is skipped; one with a non-finite value is refused as
///   ``RejectReason/nonFinite``; one older than its series' previous cumulative point as
///   ``RejectReason/outOfOrder``; a time of 0 is the arrival time.
///
/// State is kept per interned series, so the interner's cap bounds it.
public struct OTLPParser: FeedParser {
  public enum Encoding: Sendable, Equatable {
    /// OTLP/JSON (one request per record: a JSON line or an HTTP body).
    case json
    /// Protobuf (one request per record: an HTTP body).
    case protobuf
    /// Either, told per record: protobuf when it starts with field 1's tag (0x0A, which no
    /// JSON text starts with), else JSON. What `--format otlp` and the OTLP receiver use, so
    /// one parser (one state) takes both content types.
    case auto
  }

  /// The encoding of the records ``parse(_:line:arrival:into:)`` reads.
  public let encoding: Encoding
  /// What the last ``parse(_:line:arrival:into:)`` did with its request.
  public private(set) var lastOutcome = OTLPOutcome()

  struct CounterState {
    var value: Double
    var time: Int64
    var start: UInt64
  }
  struct HistogramState {
    var time: Int64
    var start: UInt64
    var count: UInt64
    var sum: Double?
    var bounds: [Double]
    var counts: [UInt64]
  }
  struct ExponentialState {
    var time: Int64
    var start: UInt64
    var count: UInt64
    var sum: Double?
    var scale: Int32
    var zeroThreshold: Double
    var zeroCount: UInt64
    var positive: OTLPBuckets
    var negative: OTLPBuckets
  }
  struct SummaryState {
    var time: Int64
    var start: UInt64
    var count: UInt64
    var sum: Double
  }

  var counters: [SeriesID: CounterState] = [:]
  var levels: [SeriesID: Double] = [:]
  var histograms: [SeriesID: HistogramState] = [:]
  var exponentials: [SeriesID: ExponentialState] = [:]
  var summaries: [SeriesID: SummaryState] = [:]
  private var scratch: [UInt8] = []

  public init(encoding: Encoding = .json) { self.encoding = encoding }

  /// Series whose previous point is remembered (cumulative sums and histograms, summaries,
  /// delta up-down counters' running totals).
  public var trackedSeries: Int {
    counters.count + levels.count + histograms.count + exponentials.count + summaries.count
  }

  public mutating func parse(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink
  ) {
    parse(record, encoding: encoding, line: line, arrival: arrival, into: &sink)
  }

  /// Parses one request in `encoding`, whatever the parser's own: a receiver that takes both
  /// `application/json` and `application/x-protobuf` bodies keeps one parser (one state per
  /// series) for both.
  public mutating func parse(
    _ record: UnsafeRawBufferPointer, encoding: Encoding, line: Int, arrival: Timestamp,
    into sink: inout ParseSink
  ) {
    lastOutcome = OTLPOutcome()
    let request: OTLPRequest
    let encoding = encoding == .auto ? (record.first == 0x0A ? .protobuf : .json) : encoding
    switch encoding {
    case .json:
      guard record.contains(where: { !isJSONSpace($0) }) else { return }  // a blank line
      switch OTLPJSONDecoder.decode(record) {
      case .success(let r): request = r
      case .failure(let e):
        refuse(
          e.offset == 0 && record.count > OTLPLimits.maxRequestBytes ? .lineTooLong : .malformed,
          "not an OTLP/JSON metrics request: \(e.message) (byte \(e.offset + 1))", line, record,
          &sink)
        return
      }
    case .protobuf:
      switch OTLPProtobufDecoder.decode(record) {
      case .success(let r): request = r
      case .failure(let e):
        refuse(
          record.count > OTLPLimits.maxRequestBytes ? .lineTooLong : .malformed,
          "not an OTLP protobuf metrics request: \(e.message) (byte \(e.offset + 1))", line,
          nil, &sink)
        return
      }
    case .auto: return  // resolved above
    }
    ingest(request, line: line, arrival: arrival, excerpt: encoding == .json ? record : nil, &sink)
  }

  private mutating func refuse(
    _ reason: RejectReason, _ detail: String, _ line: Int, _ record: UnsafeRawBufferPointer?,
    _ sink: inout ParseSink
  ) {
    lastOutcome.requestRejected = true
    lastOutcome.errorMessage = detail
    sink.issues.append(
      ParseIssue(
        line: line, reason: reason, detail: detail,
        excerpt: record.map { printableExcerpt($0) } ?? ""))
  }

  /// Where a point's issue goes.
  struct Context {
    var line: Int
    var arrival: Timestamp
    var excerpt: String
    var metric: String
    var resource: [(String, String)]
  }

  /// Maps a decoded request (the second pass of ``parse(_:line:arrival:into:)``).
  mutating func ingest(
    _ request: OTLPRequest, line: Int, arrival: Timestamp, excerpt: UnsafeRawBufferPointer?,
    _ sink: inout ParseSink
  ) {
    var ctx = Context(
      line: line, arrival: arrival, excerpt: excerpt.map { printableExcerpt($0) } ?? "",
      metric: "", resource: [])
    for rm in request.resourceMetrics {
      ctx.resource = rm.resource.compactMap { a in
        OTLPResourceMetrics.labelAttributes[a.key].map { ($0, a.value.labelText() ?? "") }
      }
      for sm in rm.scopeMetrics {
        for m in sm.metrics {
          ctx.metric = m.name
          metric(m, ctx, &sink)
        }
      }
    }
  }

  private mutating func metric(_ m: OTLPMetric, _ ctx: Context, _ sink: inout ParseSink) {
    guard !m.name.isEmpty else {
      for _ in 0..<m.data.count {
        reject(FieldRejection(.missingMetric, "a metric without a name"), ctx, &sink)
      }
      return
    }
    switch m.data {
    case .none: return
    case .gauge(let points):
      for p in points where take(p.flags, &sink) {
        run(ctx, &sink) { (s: inout Self, sink: inout ParseSink) throws(FieldRejection) in
          try s.gauge(p, ctx, &sink)
        }
      }
    case .sum(let sum):
      for p in sum.points where take(p.flags, &sink) {
        run(ctx, &sink) { (s: inout Self, sink: inout ParseSink) throws(FieldRejection) in
          try s.sum(p, sum, ctx, &sink)
        }
      }
    case .histogram(let h):
      for p in h.points where take(p.flags, &sink) {
        run(ctx, &sink) { (s: inout Self, sink: inout ParseSink) throws(FieldRejection) in
          try s.histogram(p, h.temporality, ctx, &sink)
        }
      }
    case .exponentialHistogram(let h):
      for p in h.points where take(p.flags, &sink) {
        run(ctx, &sink) { (s: inout Self, sink: inout ParseSink) throws(FieldRejection) in
          try s.exponential(p, h.temporality, ctx, &sink)
        }
      }
    case .summary(let points):
      for p in points where take(p.flags, &sink) {
        run(ctx, &sink) { (s: inout Self, sink: inout ParseSink) throws(FieldRejection) in
          try s.summary(p, ctx, &sink)
        }
      }
    }
  }

  /// False (and counted as skipped) for a point flagged "no recorded value".
  private mutating func take(_ flags: UInt32, _ sink: inout ParseSink) -> Bool {
    guard flags & OTLPFlags.noRecordedValue != 0 else { return true }
    lastOutcome.skippedDataPoints += 1
    sink.skipped += 1
    return false
  }

  /// Runs one point's mapping, counting it as taken or refused.
  private mutating func run(
    _ ctx: Context, _ sink: inout ParseSink,
    _ body: (inout Self, inout ParseSink) throws(FieldRejection) -> Void
  ) {
    do throws(FieldRejection) {
      try body(&self, &sink)
      lastOutcome.acceptedDataPoints += 1
    } catch {
      reject(error, ctx, &sink)
    }
  }

  private mutating func reject(_ r: FieldRejection, _ ctx: Context, _ sink: inout ParseSink) {
    let detail = "metric \"\(printableExcerpt(ctx.metric, limit: 100))\": \(r.detail)"
    lastOutcome.rejectedDataPoints += 1
    if lastOutcome.errorMessage.isEmpty { lastOutcome.errorMessage = detail }
    sink.issues.append(
      ParseIssue(line: ctx.line, reason: r.reason, detail: detail, excerpt: ctx.excerpt))
  }

  // MARK: - Series and values

  /// Interns `metric + suffix` with the resource's labels, the point's attributes and `extra`
  /// (in that order: later ones win a name).
  mutating func intern(
    _ ctx: Context, suffix: String = "", _ attributes: [OTLPKeyValue],
    extra: (String, String)? = nil, _ sink: inout ParseSink
  ) throws(FieldRejection) -> SeriesID {
    var buffer = scratch
    scratch = []
    defer { scratch = buffer }
    buffer.removeAll(keepingCapacity: true)
    var ranges: [(Range<Int>, Range<Int>)] = []
    ranges.reserveCapacity(ctx.resource.count + attributes.count + 1)
    func add(_ name: String, _ value: String) {
      let n = buffer.count
      buffer.append(contentsOf: name.utf8)
      let v = buffer.count
      buffer.append(contentsOf: value.utf8)
      ranges.append((n..<v, v..<buffer.count))
    }
    buffer.append(contentsOf: ctx.metric.utf8)
    buffer.append(contentsOf: suffix.utf8)
    let metricEnd = buffer.count
    for (n, v) in ctx.resource { add(n, v) }
    // An attribute without a key cannot be a label; it is left out.
    for a in attributes where !a.key.isEmpty { add(a.key, a.value.labelText() ?? "") }
    if let (n, v) = extra { add(n, v) }
    let result = buffer.withUnsafeBytes { raw in
      withUnsafeTemporaryAllocation(of: LabelSpan.self, capacity: ranges.count) { spans in
        for (k, r) in ranges.enumerated() {
          spans.initializeElement(
            at: k,
            to: LabelSpan(
              name: UnsafeRawBufferPointer(rebasing: raw[r.0]),
              value: UnsafeRawBufferPointer(rebasing: raw[r.1])))
        }
        return SeriesCheck.intern(
          metric: UnsafeRawBufferPointer(rebasing: raw[0..<metricEnd]), labels: spans,
          into: &sink)
      }
    }
    return try result.get()
  }

  /// The point's time: `ns`, or the arrival time when it is 0.
  static func time(_ ns: UInt64, _ arrival: Timestamp) throws(FieldRejection) -> Timestamp {
    if ns == 0 { return arrival }
    guard let t = Int64(exactly: ns) else {
      throw FieldRejection(.badTimestamp, "time_unix_nano \(ns) is after the year 2262")
    }
    return Timestamp(nanoseconds: t)
  }

  /// A series' first cumulative point counted from 0: it has a start time before its time.
  static func countedFromStart(_ start: UInt64, _ t: Timestamp) -> Bool {
    start != 0 && start < UInt64(max(0, t.nanoseconds))
  }

  /// A cumulative series restarted: both points have start times and they differ.
  static func restarted(_ start: UInt64, _ previous: UInt64) -> Bool {
    start != 0 && previous != 0 && start != previous
  }

  static func finite(_ v: Double, _ what: String) throws(FieldRejection) {
    guard v.isFinite else { throw FieldRejection(.nonFinite, "\(what) is \(v), not finite") }
  }

  static func outOfOrder(_ t: Timestamp, _ previous: Int64) -> FieldRejection {
    FieldRejection(
      .outOfOrder,
      "a cumulative point at \(t) is older than the previous one of its series "
        + "(\(Timestamp(nanoseconds: previous))); dropped")
  }

  static func temporality(_ t: OTLPTemporality) throws(FieldRejection) {
    guard t != .unspecified else {
      throw FieldRejection(.malformed, "the aggregation temporality is unspecified")
    }
  }

  // MARK: - Gauges and sums

  private mutating func gauge(_ p: OTLPNumberPoint, _ ctx: Context, _ sink: inout ParseSink)
    throws(FieldRejection)
  {
    guard let v = p.value.doubleValue else {
      throw FieldRejection(.missingValue, "a data point without a value")
    }
    try Self.finite(v, "the value")
    let t = try Self.time(p.timeUnixNano, ctx.arrival)
    let id = try intern(ctx, p.attributes, &sink)
    sink.samples.append(Sample(series: id, timestamp: t, value: v))
  }

  private mutating func sum(
    _ p: OTLPNumberPoint, _ sum: OTLPSum, _ ctx: Context, _ sink: inout ParseSink
  ) throws(FieldRejection) {
    try Self.temporality(sum.temporality)
    guard let v = p.value.doubleValue else {
      throw FieldRejection(.missingValue, "a data point without a value")
    }
    try Self.finite(v, "the value")
    let t = try Self.time(p.timeUnixNano, ctx.arrival)
    if sum.isMonotonic && sum.temporality == .delta && v < 0 {
      throw FieldRejection(.badValue, "a monotonic delta sum of \(v) is negative")
    }
    let id = try intern(ctx, p.attributes, &sink)
    switch (sum.isMonotonic, sum.temporality) {
    case (true, .delta), (false, .cumulative):
      sink.samples.append(Sample(series: id, timestamp: t, value: v))
    case (false, _):
      let level = (levels[id] ?? 0) + v
      levels[id] = level
      sink.samples.append(Sample(series: id, timestamp: t, value: level))
    case (true, _):
      if let increase = try counterStep(id, t, v, start: p.startTimeUnixNano) {
        sink.samples.append(Sample(series: id, timestamp: t, value: increase))
      }
    }
  }

  /// A cumulative counter's increase since its series' previous point; nil for a baseline.
  private mutating func counterStep(_ id: SeriesID, _ t: Timestamp, _ v: Double, start: UInt64)
    throws(FieldRejection) -> Double?
  {
    guard let prev = counters[id] else {
      counters[id] = CounterState(value: v, time: t.nanoseconds, start: start)
      return Self.countedFromStart(start, t) ? v : nil
    }
    guard t.nanoseconds >= prev.time else { throw Self.outOfOrder(t, prev.time) }
    let reset = v < prev.value || Self.restarted(start, prev.start)
    counters[id] = CounterState(
      value: v, time: t.nanoseconds, start: start != 0 ? start : prev.start)
    return reset ? v : v - prev.value
  }

  // MARK: - Summaries

  private mutating func summary(_ p: OTLPSummaryPoint, _ ctx: Context, _ sink: inout ParseSink)
    throws(FieldRejection)
  {
    try Self.finite(p.sum, "the sum")
    for q in p.quantileValues {
      guard q.quantile >= 0 && q.quantile <= 1 else {
        throw FieldRejection(.malformed, "quantile \(q.quantile) is not in [0, 1]")
      }
      try Self.finite(q.value, "the value of quantile \(boundText(q.quantile))")
    }
    let t = try Self.time(p.timeUnixNano, ctx.arrival)
    var ids: [SeriesID] = []
    for q in p.quantileValues {
      ids.append(try intern(ctx, p.attributes, extra: ("quantile", boundText(q.quantile)), &sink))
    }
    let id = try intern(ctx, p.attributes, &sink)
    let sumID = try intern(ctx, suffix: "_sum", p.attributes, &sink)
    let countID = try intern(ctx, suffix: "_count", p.attributes, &sink)
    // Checked before any sample or state: a refused point changes neither.
    let previous = summaries[id]
    if let prev = previous, t.nanoseconds < prev.time { throw Self.outOfOrder(t, prev.time) }
    for (q, qid) in zip(p.quantileValues, ids) {
      sink.samples.append(Sample(series: qid, timestamp: t, value: q.value))
    }
    summaries[id] = SummaryState(
      time: t.nanoseconds,
      start: p.startTimeUnixNano != 0 ? p.startTimeUnixNano : previous?.start ?? 0,
      count: p.count, sum: p.sum)
    let increase: (count: UInt64, sum: Double)
    if let prev = previous {
      if p.count < prev.count || Self.restarted(p.startTimeUnixNano, prev.start) {
        increase = (p.count, p.sum)
      } else {
        increase = (p.count - prev.count, p.sum - prev.sum)
      }
    } else if Self.countedFromStart(p.startTimeUnixNano, t) {
      increase = (p.count, p.sum)
    } else {
      return  // the baseline of _sum and _count
    }
    sink.samples.append(Sample(series: sumID, timestamp: t, value: increase.sum))
    sink.samples.append(Sample(series: countID, timestamp: t, value: Double(increase.count)))
  }
}

@inline(__always)
func isJSONSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
