/// Fetches a Prometheus or OpenMetrics endpoint every interval (`--scrape URL --every 5s`).
///
/// The first scrape is at once, then on multiples of the interval since the epoch (a tick less
/// than half an interval after the previous scrape is skipped, and so are ticks a slow scrape
/// ran past). Each response body is handed over whole, as **one** record, in format
/// `.openmetrics` or `.prometheus` chosen from its `Content-Type`, so the parser can accept or
/// reject the exposition as a whole (SEMANTICS §9). Before the body comes a
/// ``FeedEvent/fetched(durationNanos:bytes:)`` with the scrape's duration; a failure
/// (connection refused, timeout, an HTTP status other than 200, a body over the cap, an
/// unknown content type) is a ``FeedEvent/failed(_:)`` with the reason, and the next tick
/// tries again.
public struct ScrapeSource: FeedSource {
  public let spec: FeedSpec
  public let every: Int64
  public let client: any HTTPTransport
  /// The scrape's timeout (sent as `X-Prometheus-Scrape-Timeout-Seconds`).
  public let timeout: Int64
  public let clock: any VigilClock
  private let url: Result<HTTPURL, HTTPError>

  /// What Prometheus itself sends (OpenMetrics preferred, the 0.0.4 text format accepted).
  public static let accept =
    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"

  /// `spec.target` is the URL; `spec.poll` the interval and timeout (default every 5 s). A
  /// body over `maxBodyBytes` (by default the parser's own limit) fails the scrape unread.
  public init(
    spec: FeedSpec, clock: any VigilClock, maxBodyBytes: Int = PrometheusParser.maxBodyBytes,
    transport: HTTPTransportMaker = plainHTTP
  ) {
    self.spec = spec
    self.clock = clock
    let poll = spec.poll ?? PollSettings(every: 5 * Nanos.second)
    every = max(poll.every, Nanos.millisecond)
    timeout = poll.timeout
    client = transport(
      HTTPLimits(connectTimeout: poll.timeout, timeout: poll.timeout, maxBodyBytes: maxBodyBytes),
      poll.http)
    url = HTTPURL.parse(spec.target)
  }

  public func run(inbox: MessageInbox, stop: StopFlag) {
    guard case .success(let url) = url else {
      if case .failure(let e) = url { _ = inbox.send(spec.id, .event(.failed(e.description))) }
      return
    }
    var tick = clock.now()
    var first = true
    while !stop.isStopped && !inbox.isClosed {
      guard sleepUntil(tick, clock: clock, stop: stop) else { return }
      guard scrape(url, inbox: inbox, stop: stop) else { return }
      if first {
        first = false
        _ = inbox.send(spec.id, .event(.caughtUp))
      }
      tick = nextTick(after: max(clock.now(), tick.adding(every / 2)), every: every)
    }
  }

  /// One scrape. Returns false when the source should stop.
  func scrape(_ url: HTTPURL, inbox: MessageInbox, stop: StopFlag) -> Bool {
    let started = monotonicNanos()
    let result = client.get(
      url,
      headers: [
        ("Accept", ScrapeSource.accept),
        ("X-Prometheus-Scrape-Timeout-Seconds", PromAPIDecoder.formatSeconds(timeout)),
      ], cancel: stop)
    let duration = monotonicNanos() - started
    switch ScrapeSource.outcome(result) {
    case .failure(let why):
      if case .http(.cancelled) = why { return false }
      return inbox.send(spec.id, .event(.failed(why.description)))
    case .success(let (format, body)):
      guard inbox.send(spec.id, .event(.fetched(durationNanos: duration, bytes: body.count)))
      else { return false }
      var batch = RecordBatch()
      body.withUnsafeBytes { batch.append($0, line: 1) }
      return inbox.send(spec.id, .records(batch, format))
    }
  }

  /// The format and body of a successful scrape, or why it failed.
  public static func outcome(_ result: Result<HTTPResponse, HTTPError>) -> Result<
    (FeedFormat, [UInt8]), PromAPIError
  > {
    switch result {
    case .failure(let e): return .failure(.http(e))
    case .success(let r):
      guard r.status == 200 else { return .failure(.status(r.statusText)) }
      switch r.mediaType {
      case "application/openmetrics-text": return .success((.openmetrics, r.body))
      case "text/plain", nil: return .success((.prometheus, r.body))
      case let other?:
        return .failure(
          .status(
            "unsupported Content-Type \(printableExcerpt(other, limit: 60)) (expected text/plain"
              + " or application/openmetrics-text)"))
      }
    }
  }
}

/// The first multiple of `every` (since the epoch) after `t`.
func nextTick(after t: Timestamp, every: Int64) -> Timestamp {
  let n = t.nanoseconds
  let down = n >= 0 ? n / every * every : ((n + 1) / every - 1) * every
  return Timestamp(nanoseconds: down + every)
}

/// The last multiple of `every` at or before `t`.
func tickAtOrBefore(_ t: Timestamp, every: Int64) -> Timestamp {
  let n = t.nanoseconds
  return Timestamp(nanoseconds: n >= 0 ? n / every * every : ((n + 1) / every - 1) * every)
}

/// Sleeps until the clock reaches `t`, in slices of at most 100 ms so `stop` is noticed.
/// Returns false when stopped.
func sleepUntil(_ t: Timestamp, clock: any VigilClock, stop: StopFlag) -> Bool {
  while !stop.isStopped {
    let left = t.since(clock.now())
    if left <= 0 { return true }
    sleepNanoseconds(min(left, 100 * Nanos.millisecond))
  }
  return false
}
