/// A feed's number in this run, assigned in command-line order.
public struct FeedID: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var rawValue: Int
  public init(_ raw: Int) { rawValue = raw }
  public static func < (a: FeedID, b: FeedID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "feed\(rawValue)" }
}

/// What kind of source a feed reads. Later kinds (UDP StatsD, Prometheus scrape, the Prometheus
/// HTTP API, commands) send other ``FeedPayload`` cases through the same inbox.
public enum FeedKind: String, Sendable, Codable {
  case file
  case stdin
  case demo
  /// A Prometheus or OpenMetrics endpoint, fetched every interval (`--scrape URL`).
  case scrape
  /// A Prometheus-compatible HTTP API, queried every interval (`--prometheus URL`).
  case prometheus
  /// A shell command whose standard output is the feed (`--command`), restarted when it exits.
  case command
  /// StatsD / DogStatsD datagrams on a UDP socket (`--statsd ADDR`).
  case statsd
  /// InfluxDB line protocol datagrams on a UDP socket (`--influx-udp ADDR`).
  case influxUDP = "influx-udp"
  /// An OTLP/HTTP metrics receiver (`--otlp ADDR`): `POST /v1/metrics`, protobuf or JSON.
  case otlp
}

/// How often a polling source (scrape, Prometheus API) asks, and how long it waits.
public struct PollSettings: Sendable, Equatable {
  public var every: Int64
  public var timeout: Int64
  /// TLS trust, authentication and extra headers for the server.
  public var http = HTTPClientConfig()

  /// `timeout` nil: the interval, at most 10 s (as Prometheus's scrape_timeout).
  public init(every: Int64, timeout: Int64? = nil, http: HTTPClientConfig = HTTPClientConfig()) {
    self.every = every
    self.timeout = timeout ?? min(every, 10 * Nanos.second)
    self.http = http
  }
}

/// How a feed is set up: where it reads and how its records become samples.
public struct FeedSpec: Sendable, Equatable {
  public var id: FeedID
  public var kind: FeedKind
  /// Path, `-`, or `demo`.
  public var target: String
  /// Nil: detect from the first bytes.
  public var format: FeedFormat?
  public var mapping: FieldMapping
  public var timeUnit: TimeUnit?
  /// Start at the end of an existing file instead of its beginning.
  public var fromEnd: Bool
  /// Interval and timeout of a polling source (scrape, prometheus); nil for the others.
  public var poll: PollSettings?
  /// A feed with no sample for this long is stale (SEMANTICS §7): its panels say so.
  public var noDataAfter: Int64 = FeedSpec.defaultNoDataAfter
  public static let defaultNoDataAfter = 5 * Nanos.minute

  public init(
    id: FeedID, kind: FeedKind, target: String, format: FeedFormat? = nil,
    mapping: FieldMapping = FieldMapping(), timeUnit: TimeUnit? = nil, fromEnd: Bool = false,
    poll: PollSettings? = nil
  ) {
    self.id = id
    self.kind = kind
    self.target = target
    self.format = format
    self.mapping = mapping
    self.timeUnit = timeUnit
    self.fromEnd = fromEnd
    self.poll = poll
  }

  /// A short name for the UI: the file's base name, `stdin`, `demo`, a command's first
  /// 20 characters, `statsd:PORT`, or a scrape or API target's `host:port[/path]`.
  public var displayName: String {
    switch kind {
    case .stdin: return "stdin"
    case .demo: return "demo"
    case .scrape, .prometheus:
      guard case .success(let url) = HTTPURL.parse(target) else { return target }
      return url.shortName
    case .command: return commandDisplayName(target)
    case .statsd, .influxUDP, .otlp:
      // `statsd:8125`: the port is what tells two listeners apart.
      let port = target.lastIndex(of: ":").map { String(target[target.index(after: $0)...]) }
      let name = kind == .statsd ? "statsd" : kind == .otlp ? "otlp" : "influx"
      return name + ":" + (port ?? target)
    case .file:
      if let slash = target.lastIndex(of: "/") {
        return String(target[target.index(after: slash)...])
      }
      return target
    }
  }
}

/// Lifecycle news from a source, shown in the feed's health and the status bar.
public enum FeedEvent: Sendable, Equatable {
  /// Reading from the start of `path` (or its end, with `fromEnd`).
  case opened
  /// The path does not exist (yet); the source keeps looking for it.
  case waiting(String)
  /// The file got shorter than what was read: reading again from the start.
  case truncated
  /// The path now names a new file: the old one was finished, the new one opened.
  case rotated
  /// The path was removed; the old file is still followed until it reappears.
  case deleted
  /// Everything that was there at start has been sent (a file reached its end, the demo sent
  /// its history, stdin had nothing more for a moment). Sent once.
  case caughtUp
  /// Standard input closed (or a finite source finished).
  case endOfInput
  /// A read error; the source retries. For a scrape or Prometheus API feed: the request
  /// failed (connection refused, timeout, HTTP status, body too large, API error), with why.
  case failed(String)
  /// A scrape or API poll succeeded after `durationNanos` with a body of `bytes`; ends a
  /// `failed` state (the data follows as records).
  case fetched(durationNanos: Int64, bytes: Int)
  /// A command's process started (its pid).
  case started(Int32)
  /// A command's process ended (after its output was read to the end).
  case exited(CommandExit)
  /// The command will be started again in this many nanoseconds (backoff).
  case restarting(in: Int64)
  /// New lines a command wrote to standard error, already escaped (at most the tail's size).
  case stderr([String])
  /// Input lost before parsing, as running totals (UDP): datagrams the kernel dropped because
  /// the socket's receive buffer was full, and datagrams Vigil refused because the feed's
  /// queue in the inbox was full.
  case dropped(kernel: UInt64, vigil: UInt64)
}

/// What a source hands to the loop.
public enum FeedPayload: Sendable, Equatable {
  /// Complete records (lines, or CSV records) in `format`.
  case records(RecordBatch, FeedFormat)
  case event(FeedEvent)
}

/// One message from a feed, stamped by the inbox with its arrival time and a global sequence.
public struct FeedInput: Sendable, Equatable {
  public var feed: FeedID
  public var arrival: Timestamp
  public var seq: UInt64
  public var payload: FeedPayload

  public init(feed: FeedID, arrival: Timestamp, seq: UInt64, payload: FeedPayload) {
    self.feed = feed
    self.arrival = arrival
    self.seq = seq
    self.payload = payload
  }
}
