/// A named PromQL query: its results become samples of series `name` with the result's labels.
public struct PrometheusQuery: Sendable, Equatable {
  public var name: String
  public var query: String

  public init(name: String, query: String) {
    self.name = name
    self.query = query
  }
}

/// Talks to a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics):
/// instant queries, range queries, and loading a time range as Vigil JSON lines.
public struct PrometheusClient: Sendable {
  /// The server's base address (`http://prometheus:9090`, or with a path prefix).
  public var base: HTTPURL
  public var http: any HTTPTransport

  /// Prometheus refuses range queries with more points per series than this (F35).
  public static let maxPointsPerSeries = 11_000

  public init(base: HTTPURL, http: any HTTPTransport = HTTPClient()) {
    self.base = base
    self.http = http
  }

  /// `/api/v1/query?query=&time=`: the instant vector (or scalar) at `time`.
  public func instant(
    _ query: String, at time: Timestamp, cancel: StopFlag? = nil,
    onSeries: (PromSeries) -> Void
  ) -> Result<String, PromAPIError> {
    request(
      "/api/v1/query", [("query", query), ("time", PromAPIDecoder.formatTime(time))],
      cancel: cancel, onSeries: onSeries)
  }

  /// `/api/v1/query_range?query=&start=&end=&step=`. The step is raised to keep each series
  /// within ``maxPointsPerSeries``, and doubled (up to eight times) when the server still
  /// answers `bad_data` "exceeded maximum resolution" (its limit may be lower).
  /// - Returns: the step used.
  public func range(
    _ query: String, start: Timestamp, end: Timestamp, step: Int64, cancel: StopFlag? = nil,
    onSeries: (PromSeries) -> Void
  ) -> Result<Int64, PromAPIError> {
    var step = max(step, PrometheusClient.minimumStep(span: end.since(start)))
    for _ in 0..<8 {
      let r = request(
        "/api/v1/query_range",
        [
          ("query", query), ("start", PromAPIDecoder.formatTime(start)),
          ("end", PromAPIDecoder.formatTime(end)), ("step", PromAPIDecoder.formatSeconds(step)),
        ], cancel: cancel, onSeries: onSeries)
      switch r {
      case .success: return .success(step)
      case .failure(let e) where e.isResolutionLimit: step *= 2
      case .failure(let e): return .failure(e)
      }
    }
    return .failure(.badResponse("the server refused every step up to \(Nanos.format(step / 2))"))
  }

  /// The smallest whole-millisecond step that keeps `span` within ``maxPointsPerSeries``
  /// points (at least 1 ms).
  public static func minimumStep(span: Int64) -> Int64 {
    let intervals = Int64(maxPointsPerSeries - 1)
    let ns = (max(0, span) + intervals - 1) / intervals
    return max(
      Nanos.millisecond, (ns + Nanos.millisecond - 1) / Nanos.millisecond * Nanos.millisecond)
  }

  private func request(
    _ path: String, _ params: [(String, String)], cancel: StopFlag?,
    onSeries: (PromSeries) -> Void
  ) -> Result<String, PromAPIError> {
    switch http.get(
      base.appendingPath(path), query: params, headers: [("Accept", "application/json")],
      cancel: cancel)
    {
    case .failure(let e): return .failure(.http(e))
    case .success(let response):
      return PromAPIDecoder.decode(status: response.status, body: response.body, onSeries: onSeries)
    }
  }
}

/// What loading a time range produced.
public struct PromRangeLoad: Sendable {
  /// JSON lines (see ``PromSampleLines``), at most about 1 MiB per batch.
  public var batches: [RecordBatch] = []
  /// The time of each batch's last line (with `oneTimePerBatch`, every line's time).
  public var batchTimes: [Timestamp] = []
  public var lines = 0
  /// Per query that failed: its name and the reason.
  public var failures: [(name: String, reason: String)] = []
  /// The largest step any query needed.
  public var step: Int64 = 0
  /// The time of the newest point.
  public var newest: Timestamp?

  public init() {}
}

extension PrometheusClient {
  /// Loads `[from, to]` of every query with `query_range` (points at `from + k·step`) and
  /// turns the results into JSON lines in time order (query order, then series order, within
  /// a time). `newestFirst` moves the lines of the newest time to the front: a live dashboard
  /// then sees a current sample first (its clock stays on the wall clock), and the rest
  /// lands in order behind it. Line numbers start at `firstLine`. `oneTimePerBatch` starts a
  /// new batch at every new time, so each batch can arrive at its own time (a replay).
  ///
  /// This is the history a live `--prometheus` feed starts with, and the range a replay from
  /// Prometheus (`vigil replay --prometheus URL --from T1 --to T2`) reads.
  public func loadRange(
    _ queries: [PrometheusQuery], from: Timestamp, to: Timestamp, step: Int64,
    newestFirst: Bool = false, oneTimePerBatch: Bool = false, firstLine: Int = 1,
    cancel: StopFlag? = nil
  ) -> PromRangeLoad {
    var load = PromRangeLoad()
    var bytes: [UInt8] = []
    var entries: [(time: Int64, start: Int, end: Int)] = []
    for q in queries {
      let before = (bytes.count, entries.count)
      let r = range(q.query, start: from, end: to, step: step, cancel: cancel) { series in
        for p in series.points {
          let s = bytes.count
          PromSampleLines.append(metric: q.name, labels: series.labels, point: p, to: &bytes)
          entries.append((p.time.nanoseconds, s, bytes.count))
        }
      }
      switch r {
      case .success(let used): load.step = max(load.step, used)
      case .failure(let e):
        bytes.removeSubrange(before.0...)
        entries.removeSubrange(before.1...)
        load.failures.append((q.name, e.description))
      }
      if cancel?.isStopped == true { break }
    }
    // A stable sort: entries are already in query, series and point order.
    var order = Array(entries.indices)
    order.sort {
      entries[$0].time != entries[$1].time ? entries[$0].time < entries[$1].time : $0 < $1
    }
    if newestFirst, let last = order.last {
      let newest = entries[last].time
      order =
        order.filter { entries[$0].time == newest } + order.filter { entries[$0].time != newest }
    }
    if let last = entries.map(\.time).max() { load.newest = Timestamp(nanoseconds: last) }
    var batch = RecordBatch()
    var batchTime: Int64 = 0
    var line = firstLine
    func close() {
      guard !batch.isEmpty else { return }
      load.batches.append(batch)
      load.batchTimes.append(Timestamp(nanoseconds: batchTime))
      batch = RecordBatch()
    }
    bytes.withUnsafeBytes { raw in
      for k in order {
        let e = entries[k]
        if oneTimePerBatch && e.time != batchTime { close() }
        batch.append(UnsafeRawBufferPointer(rebasing: raw[e.start..<e.end]), line: line)
        batchTime = e.time
        line += 1
        if batch.bytes.count >= 1 << 20 { close() }
      }
    }
    close()
    load.lines = entries.count
    return load
  }
}
