/// A Prometheus-compatible server as a feed: named PromQL queries polled live, after loading
/// their recent history (SEMANTICS §9.3).
///
/// ```yaml
/// prometheus:
///   url: http://prometheus:9090
///   every: 15s          # poll interval (default 15s)
///   history: 15m        # loaded with query_range at start (default 15m; 0s: none)
///   timeout: 10s        # per request (default: every, at most 10s)
///   queries:
///     - name: checkout_p99_seconds
///       query: histogram_quantile(0.99, sum by (le) (rate(checkout_seconds_bucket[5m])))
/// ```
public struct PrometheusSourceConfig: Sendable, Equatable {
  public var url: String
  public var every: Int64
  public var history: Int64
  public var timeout: Int64?
  public var queries: [PrometheusQuery]
  /// TLS trust, authentication and extra headers for the server.
  public var http = HTTPClientConfig()

  public init(
    url: String, every: Int64 = 15 * Nanos.second, history: Int64 = 15 * Nanos.minute,
    timeout: Int64? = nil, queries: [PrometheusQuery] = []
  ) {
    self.url = url
    self.every = every
    self.history = history
    self.timeout = timeout
    self.queries = queries
  }

  /// Poll interval and request timeout.
  public var poll: PollSettings { PollSettings(every: every, timeout: timeout, http: http) }
}

/// Polls a Prometheus HTTP API (`--prometheus URL`) and sends the results as Vigil JSON lines,
/// so the ordinary JSON parser turns them into samples: a result of query `name` with labels
/// `L` and value `v` at `t` becomes a sample of series `name{L}` (`__name__` dropped).
///
/// - At start, the last `history` is loaded with `query_range` (step = the interval, raised
///   to stay within 11,000 points, F35), points on multiples of the step; the newest time's
///   lines go first, so the dashboard's clock sees a current sample before the older ones.
/// - Then every query is evaluated with `query` at each multiple of the interval (`time=` the
///   tick itself, so live points line up with the history's).
/// - A poll whose queries all succeed sends ``FeedEvent/fetched(durationNanos:bytes:)``; any
///   failure (refused, timeout, HTTP 400/422/503, `status:error`, bad JSON) sends
///   ``FeedEvent/failed(_:)`` naming the query and the reason, and the other queries' data is
///   still sent. `NaN` and `±Inf` values reach the parser as strings and are rejected there as
///   `non-finite value`.
public struct PrometheusAPISource: FeedSource {
  public let spec: FeedSpec
  public let config: PrometheusSourceConfig
  public let clock: any VigilClock
  private let client: Result<PrometheusClient, HTTPError>

  public init(
    spec: FeedSpec, config: PrometheusSourceConfig, clock: any VigilClock,
    transport: HTTPTransportMaker = plainHTTP
  ) {
    self.spec = spec
    self.config = config
    self.clock = clock
    let poll = config.poll
    client = HTTPURL.parse(config.url).map {
      PrometheusClient(
        base: $0,
        http: transport(
          HTTPLimits(connectTimeout: poll.timeout, timeout: poll.timeout), poll.http))
    }
  }

  public func run(inbox: MessageInbox, stop: StopFlag) {
    let client: PrometheusClient
    switch self.client {
    case .success(let c): client = c
    case .failure(let e):
      _ = inbox.send(spec.id, .event(.failed(e.description)))
      return
    }
    let every = max(config.every, Nanos.millisecond)
    var line = 1
    var tick = tickAtOrBefore(clock.now(), every: every)
    if config.history > 0 {
      guard loadHistory(client, inbox: inbox, stop: stop, line: &line) else { return }
    } else {
      guard poll(client, at: tick, inbox: inbox, stop: stop, line: &line) else { return }
    }
    guard inbox.send(spec.id, .event(.caughtUp)) else { return }
    while !stop.isStopped && !inbox.isClosed {
      tick = nextTick(after: max(tick, tickAtOrBefore(clock.now(), every: every)), every: every)
      guard sleepUntil(tick, clock: clock, stop: stop) else { return }
      guard poll(client, at: tick, inbox: inbox, stop: stop, line: &line) else { return }
    }
  }

  /// Loads the history and sends it. Returns false to stop.
  func loadHistory(
    _ client: PrometheusClient, inbox: MessageInbox, stop: StopFlag, line: inout Int
  ) -> Bool {
    let now = clock.now()
    let step = max(
      config.every, PrometheusClient.minimumStep(span: config.history))
    let end = tickAtOrBefore(now, every: step)
    // Points strictly inside the history, one step clear of its edge, so none is already too
    // old for the windows when it arrives.
    let start = nextTick(after: now.adding(-config.history + step), every: step)
    guard start <= end else { return true }
    let started = monotonicNanos()
    let load = client.loadRange(
      config.queries, from: start, to: end, step: step, newestFirst: true, firstLine: line,
      cancel: stop)
    if stop.isStopped { return false }
    line += load.lines
    let bytes = load.batches.reduce(0) { $0 + $1.bytes.count }
    let event: FeedEvent =
      load.failures.isEmpty
      ? .fetched(durationNanos: monotonicNanos() - started, bytes: bytes)
      : .failed(PrometheusAPISource.describe(load.failures.map { ($0.name, $0.reason) }))
    guard inbox.send(spec.id, .event(event)) else { return false }
    for batch in load.batches {
      guard inbox.send(spec.id, .records(batch, .json)) else { return false }
    }
    return true
  }

  /// Evaluates every query at `time` and sends the lines. Returns false to stop.
  func poll(
    _ client: PrometheusClient, at time: Timestamp, inbox: MessageInbox, stop: StopFlag,
    line: inout Int
  ) -> Bool {
    let started = monotonicNanos()
    var batch = RecordBatch()
    var failures: [(String, String)] = []
    var scratch: [UInt8] = []
    for q in config.queries {
      let mark = (batch.bytes.count, batch.ends.count)
      let r = client.instant(q.query, at: time, cancel: stop) { series in
        for p in series.points {
          scratch.removeAll(keepingCapacity: true)
          PromSampleLines.append(metric: q.name, labels: series.labels, point: p, to: &scratch)
          scratch.withUnsafeBytes { batch.append($0, line: line) }
          line += 1
        }
      }
      if stop.isStopped { return false }
      if case .failure(let e) = r {
        // Nothing of a failed query is kept (a decode error can come after some series).
        batch.bytes.removeSubrange(mark.0...)
        batch.ends.removeSubrange(mark.1...)
        batch.lines.removeSubrange(mark.1...)
        failures.append((q.name, e.description))
      }
    }
    let event: FeedEvent =
      failures.isEmpty
      ? .fetched(durationNanos: monotonicNanos() - started, bytes: batch.bytes.count)
      : .failed(PrometheusAPISource.describe(failures))
    guard inbox.send(spec.id, .event(event)) else { return false }
    if !batch.isEmpty { return inbox.send(spec.id, .records(batch, .json)) }
    return true
  }

  /// `checkout_p99: HTTP 422: execution: ...` (and how many more failed).
  public static func describe(_ failures: [(String, String)]) -> String {
    guard let (name, reason) = failures.first else { return "" }
    let more = failures.count > 1 ? " (and \(failures.count - 1) more queries)" : ""
    return "\(name): \(reason)\(more)"
  }
}
