/// Parses Prometheus text 0.0.4 and OpenMetrics 1.0 expositions (SEMANTICS §9.1, §9.2, §9.10).
///
/// One record is one whole exposition (a scrape's HTTP body, or a file's text up to `# EOF`,
/// see ``ExpositionFramer``). It is accepted or rejected **as a whole**: one bad line rejects
/// everything in it, nothing is ingested and one ``ParseIssue`` names the line (the record's
/// line plus the line within the body) and the reason (F4, F8). What Prometheus's scraper
/// tolerates in text 0.0.4 is taken, with a warning in ``ParseSink/warnings``: a `# TYPE` after
/// its samples (F6; the type then applies to the whole body), a second `HELP` or `TYPE`, an
/// unknown escape, a last line without newline, histogram buckets out of order. A duplicate
/// series keeps its first sample and counts one ``RejectReason/duplicateSeries`` issue (F5).
/// OpenMetrics follows its specification, where all of these make the exposition invalid.
///
/// The parser lives as long as its feed and keeps what the next scrape is compared with
/// (``Output/windows``, the default):
///
/// - **Gauges, untyped, info, stateset, gauge histograms**: the value, as a sample of the series
///   as exposed. NaN and infinities are passed on; the windows drop and count them.
/// - **Counters** (and every `_count` and `_sum`): cumulative, so each scrape gives the
///   increase since the previous scrape of that series, `v − v_prev`, or `v` after a reset (a
///   decrease, or a new OpenMetrics `_created`), at the later sample's time and never
///   extrapolated (SEMANTICS §8.2, E1, E2). The series keeps its exposed name
///   (`http_requests_total`; OpenMetrics `# TYPE foo counter` with `foo_total` gives `foo_total`,
///   F10). **The first scrape of a series emits nothing**: there is no baseline yet. An
///   increase of 0 is emitted (the series is alive). A sample older than the previous one of
///   its series is dropped as ``RejectReason/outOfOrder``.
/// - **Histograms**: from the `_bucket` increases between two scrapes (a reset as in §8.6: a
///   decreasing bucket, a changed `le` set or a new `_created`; counts made monotonic by a
///   running max), weighted samples go to the series named after the family
///   (`http_request_duration_seconds`) so the windows' sketch gives windowed percentiles. A
///   bucket `(lower, upper]` whose count grew by `n` gives `min(n, 8)` points at
///   `lower + (upper − lower)·c/n`, where `c` runs over `n·j/k` (j = 1…k), each weighted by
///   the observations it stands for. That is where `histogram_quantile`'s linear interpolation
///   puts the c-th observation, so a nearest-rank quantile of the points equals Prometheus's
///   answer when `n ≤ 8`, and is within `(upper − lower)/8` otherwise. The lowest bucket starts
///   at 0 when its bound is positive (its points all sit at its bound otherwise), and the
///   `+Inf` bucket's observations sit at the highest finite bound (E3), as in Prometheus. A
///   histogram without `+Inf` gives no percentiles (E4). The windows' `sum` of that series is
///   Σ point × weight, an approximation; `_sum` and `_count` are also their own counter series
///   (`…_sum`, `…_count`), so `sum(x_sum)/sum(x_count)` over a window is the exact mean.
/// - **Summaries**: each quantile is a gauge series with its `quantile` label (its value
///   normalised, `0.50` → `0.5`, so exporters agree); `_sum` and `_count` are counters.
/// - A sample without a timestamp takes the arrival (scrape) time; one with a timestamp is
///   stored at it (F7): milliseconds in 0.0.4, seconds in OpenMetrics (F9).
///
/// ``Output/raw`` (`vigil lint-feed`) emits every sample line as written instead (cumulative
/// values, buckets with their `le`), with its line in ``sampleLines``, and keeps no state.
///
/// Limits: a body over ``maxBodyBytes`` (16 MiB) or with more than ``maxSamples`` samples is
/// rejected; new series past the interner's cap are rejected one by one
/// (``RejectReason/seriesLimit``); a histogram with more than ``maxBuckets`` buckets gives no
/// percentiles. State is kept per series, so it is bounded by the interner's cap.
public struct PrometheusParser: FeedParser {
  public enum Dialect: Sendable, Equatable {
    /// Text format 0.0.4 (`text/plain; version=0.0.4`).
    case prometheus
    /// OpenMetrics 1.0 (`application/openmetrics-text; version=1.0.0`).
    case openMetrics
  }

  public enum Output: Sendable, Equatable {
    /// Deltas, weighted histogram points and quantile gauges for the windows.
    case windows
    /// Every sample line as written (lint).
    case raw
  }

  /// The largest body parsed.
  public static let maxBodyBytes = 16 << 20
  /// The most samples in one body (Prometheus's `sample_limit`: the body fails above it).
  public static let maxSamples = 200_000
  /// Points per histogram bucket and scrape, at most.
  public static let pointsPerBucket = 8
  /// Histograms with more buckets give no percentiles.
  public static let maxBuckets = 256

  public let dialect: Dialect
  public let output: Output
  /// For ``Output/raw``: the feed line of each sample the last `parse` appended, in order.
  public private(set) var sampleLines: [Int] = []

  private var scanner: ExpositionScanner

  private struct CounterState {
    var value: Double
    var timestamp: Int64
    var created: Double?
  }
  struct HistogramState {
    var bounds: [Double]
    var counts: [Double]
    var timestamp: Int64
    var created: Double?
  }
  struct PendingHistogram {
    var id: SeriesID
    var bounds: [Double] = []
    var counts: [Double] = []
    var timestamp: Int64 = .min
    var line = 0

    /// Sorts the buckets by bound, keeping the first of repeated bounds; says what it fixed.
    mutating func sortBounds() -> String? {
      guard zip(bounds, bounds.dropFirst()).contains(where: { $0 >= $1 }) else { return nil }
      let order = bounds.indices.sorted {
        bounds[$0] != bounds[$1] ? bounds[$0] < bounds[$1] : $0 < $1
      }
      var sortedBounds: [Double] = []
      var sortedCounts: [Double] = []
      for i in order where sortedBounds.last != bounds[i] {
        sortedBounds.append(bounds[i])
        sortedCounts.append(counts[i])
      }
      let repeated = sortedBounds.count < bounds.count
      bounds = sortedBounds
      counts = sortedCounts
      return repeated
        ? "repeats an le bound; the first is used"
        : "buckets are not in increasing le order; sorted"
    }
  }
  private var counters: [SeriesID: CounterState] = [:]
  var histograms: [SeriesID: HistogramState] = [:]
  var pending: [PendingHistogram] = []
  private var pendingIndex: [SeriesID: Int] = [:]
  var createdNow: [SeriesID: Double] = [:]

  public init(
    dialect: Dialect, output: Output = .windows, maxSamples: Int = PrometheusParser.maxSamples
  ) {
    self.dialect = dialect
    self.output = output
    scanner = ExpositionScanner(openMetrics: dialect == .openMetrics, maxSamples: maxSamples)
  }

  /// Series whose previous scrape is remembered (counters, and histograms with a baseline).
  public var trackedSeries: Int { counters.count + histograms.count }

  public mutating func parse(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink
  ) {
    sampleLines.removeAll(keepingCapacity: true)
    let base = line - 1
    guard record.count <= Self.maxBodyBytes else {
      sink.issues.append(
        ParseIssue(
          line: line, reason: .lineTooLong,
          detail: "exposition of \(record.count) bytes is over the 16 MiB limit; rejected",
          excerpt: lineExcerpt(record, from: 0)))
      return
    }
    if let bad = firstInvalidUTF8(record) {
      let (n, start) = lineOf(offset: bad, in: record)
      sink.issues.append(
        ParseIssue(
          line: base + n, reason: .invalidUTF8,
          detail:
            "invalid UTF-8 at byte \(bad - start + 1) of the line; the whole exposition was rejected",
          excerpt: lineExcerpt(record, from: start)))
      return
    }
    do {
      try scanner.scan(record)
    } catch {
      sink.issues.append(
        ParseIssue(
          line: base + error.line, reason: error.reason, detail: error.detail,
          excerpt: lineExcerpt(record, from: startOf(line: error.line, in: record))))
      return
    }
    for w in scanner.warnings {
      sink.warn(ParseIssue(line: base + w.line, reason: w.reason, detail: w.detail))
    }
    for d in scanner.duplicates {
      sink.issues.append(
        ParseIssue(
          line: base + d.line, reason: d.reason, detail: d.detail,
          excerpt: lineExcerpt(record, from: startOf(line: d.line, in: record))))
    }
    emit(record, base: base, arrival: arrival, into: &sink)
  }

  // MARK: - Pass 2: samples

  private mutating func emit(
    _ p: UnsafeRawBufferPointer, base: Int, arrival: Timestamp, into sink: inout ParseSink
  ) {
    let samples = scanner.samples
    let scratch = scanner.scratch
    scratch.withUnsafeBytes { sp in
      var series = ExpositionSeries(p: p, scratch: sp, labels: scanner.labels, base: base)
      if output == .raw {
        for s in samples where !s.dropped {
          guard let id = series.intern(series.name(s), s, into: &sink) else { continue }
          sink.samples.append(Sample(series: id, timestamp: s.time(arrival), value: s.value))
          sampleLines.append(base + Int(s.line))
        }
        return
      }
      // `_created` first: a new creation time resets the family's counters in this scrape.
      createdNow.removeAll(keepingCapacity: true)
      if scanner.sawCreated {
        for s in samples where s.role == .created && !s.dropped {
          noteCreated(s, &series, &sink)
        }
      }
      pending.removeAll(keepingCapacity: true)
      pendingIndex.removeAll(keepingCapacity: true)
      for s in samples where !s.dropped { emit(s, arrival: arrival, &series, &sink) }
      for k in pending.indices { finishHistogram(k, &sink) }
    }
  }

  /// Remembers a `_created` value for the series it stands for.
  private mutating func noteCreated(
    _ s: ExpositionSample, _ series: inout ExpositionSeries, _ sink: inout ParseSink
  ) {
    let family = Array(series.p[Int(s.nameStart)..<Int(s.familyEnd)])
    let suffixes: [String] =
      switch s.type {
      case .counter: ["_total"]
      case .histogram: ["", "_count", "_sum"]
      default: ["_count", "_sum"]
      }
    for suffix in suffixes {
      let full = family + Array(suffix.utf8)
      if let id = full.withUnsafeBytes({ series.intern($0, s, into: &sink) }) {
        createdNow[id] = s.value
      }
    }
  }

  /// One sample by its role: a value, a counter increase, or a bucket of a pending histogram.
  @inline(__always)
  private mutating func emit(
    _ s: ExpositionSample, arrival: Timestamp, _ series: inout ExpositionSeries,
    _ sink: inout ParseSink
  ) {
    let p = series.p
    let t = s.time(arrival)
    switch s.role {
    case .gauge, .unresolved:
      guard let id = series.intern(series.name(s), s, into: &sink) else { return }
      sink.samples.append(Sample(series: id, timestamp: t, value: s.value))
    case .quantile:
      let normal = Array(boundText(s.bound).utf8)
      guard
        let id = normal.withUnsafeBytes({
          series.intern(series.name(s), s, skip: s.boundLabel, replace: $0, into: &sink)
        })
      else { return }
      sink.samples.append(Sample(series: id, timestamp: t, value: s.value))
    case .counter:
      guard let id = series.intern(series.name(s), s, into: &sink) else { return }
      counterStep(id, t, s.value, series.base + Int(s.line), p, Int(s.nameStart), &sink)
    case .created:
      return
    case .bucket:
      let family = UnsafeRawBufferPointer(rebasing: p[Int(s.nameStart)..<Int(s.familyEnd)])
      guard let id = series.intern(family, s, skip: s.boundLabel, into: &sink) else { return }
      let k: Int
      if let existing = pendingIndex[id] {
        k = existing
        // OpenMetrics buckets rise within a MetricPoint: a lower or equal `le` starts the
        // histogram's next MetricPoint (a later timestamp), so the previous one is done.
        if dialect == .openMetrics, let last = pending[k].bounds.last, s.bound <= last {
          finishHistogram(k, &sink)
          pending[k] = PendingHistogram(id: id, line: series.base + Int(s.line))
        }
      } else {
        k = pending.count
        pendingIndex[id] = k
        pending.append(PendingHistogram(id: id, line: series.base + Int(s.line)))
      }
      pending[k].bounds.append(s.bound)
      pending[k].counts.append(s.value)
      pending[k].timestamp = max(pending[k].timestamp, t.nanoseconds)
    }
  }

  /// Turns a cumulative value into the increase since the previous scrape of series `id`.
  private mutating func counterStep(
    _ id: SeriesID, _ t: Timestamp, _ value: Double, _ line: Int, _ p: UnsafeRawBufferPointer,
    _ at: Int, _ sink: inout ParseSink
  ) {
    guard value.isFinite else {
      // Kept out of the baseline; the windows drop it and count it as non-finite.
      sink.samples.append(Sample(series: id, timestamp: t, value: value))
      return
    }
    let created = createdNow[id]
    guard let prev = counters[id] else {
      counters[id] = CounterState(value: value, timestamp: t.nanoseconds, created: created)
      return
    }
    guard t.nanoseconds >= prev.timestamp else {
      sink.issues.append(
        ParseIssue(
          line: line, reason: .outOfOrder,
          detail:
            "counter sample at \(t) is older than the previous one (\(Timestamp(nanoseconds: prev.timestamp))); dropped",
          excerpt: lineExcerpt(p, from: at)))
      return
    }
    var reset = value < prev.value
    if let c = created, let old = prev.created, c != old { reset = true }
    counters[id] = CounterState(
      value: value, timestamp: t.nanoseconds, created: created ?? prev.created)
    sink.samples.append(
      Sample(series: id, timestamp: t, value: reset ? value : value - prev.value))
  }
}

/// A quantile or bound as one text for every exporter: `0.5`, `1.0`, `+Inf`.
func boundText(_ v: Double) -> String {
  if v == .infinity { return "+Inf" }
  if v == -.infinity { return "-Inf" }
  return v.description
}

/// The printable text of the line starting at `start`.
func lineExcerpt(_ p: UnsafeRawBufferPointer, from start: Int) -> String {
  let end = firstIndex(of: 0x0A, in: p, from: min(start, p.count), to: min(p.count, start + 4096))
  return printableExcerpt(UnsafeRawBufferPointer(rebasing: p[min(start, p.count)..<end]))
}

/// The 1-based line holding byte `offset`, and where that line starts.
func lineOf(offset: Int, in p: UnsafeRawBufferPointer) -> (line: Int, start: Int) {
  var line = 1
  var start = 0
  var i = 0
  while i < offset {
    let nl = firstIndex(of: 0x0A, in: p, from: i, to: offset)
    if nl == offset { break }
    line += 1
    start = nl + 1
    i = nl + 1
  }
  return (line, start)
}

/// Where 1-based line `line` starts (the end of the buffer when it has fewer lines).
func startOf(line: Int, in p: UnsafeRawBufferPointer) -> Int {
  var start = 0
  var n = 1
  while n < line && start < p.count {
    start = firstIndex(of: 0x0A, in: p, from: start, to: p.count) + 1
    n += 1
  }
  return min(start, p.count)
}

extension Parsers {
  /// A first line that only an exposition has: `# HELP name`, `# TYPE name`, or a sample
  /// `name[{labels}] value [timestamp]`.
  static func looksLikeExposition(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
    if e - s > 7 && (equals(p, s, s + 7, "# HELP ") || equals(p, s, s + 7, "# TYPE ")) {
      let nameEnd = scanMetricName(p, s + 7, e)
      return nameEnd > s + 7 && (nameEnd == e || p[nameEnd] == 0x20)
    }
    var i = scanMetricName(p, s, e)
    guard i > s else { return false }
    if i < e && p[i] == UInt8(ascii: "{") {
      var quoted = false
      i += 1
      while i < e && (quoted || p[i] != UInt8(ascii: "}")) {
        if p[i] == UInt8(ascii: "\\") && quoted {
          i += 1
        } else if p[i] == UInt8(ascii: "\"") {
          quoted.toggle()
        }
        i += 1
      }
      guard i < e else { return false }
      i += 1
    }
    guard i < e && (p[i] == 0x20 || p[i] == 0x09) else { return false }
    var tokens: [Range<Int>] = []
    while i < e {
      while i < e && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
      let t = i
      while i < e && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
      if i > t { tokens.append(t..<i) }
    }
    guard tokens.count == 1 || tokens.count == 2,
      GoFloat.parse(p, tokens[0].lowerBound, tokens[0].upperBound) != nil
    else { return false }
    return tokens.count == 1
      || GoFloat.parse(p, tokens[1].lowerBound, tokens[1].upperBound) != nil
  }
}
