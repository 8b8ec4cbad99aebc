/// The formats a feed can carry: line formats for files and stdin, and the datagram formats a
/// UDP feed carries (one record per datagram; a file or stdin in these formats is framed into
/// lines).
public enum FeedFormat: String, Sendable, CaseIterable, Codable {
  case json
  case csv
  case logfmt
  /// StatsD and DogStatsD (``StatsDParser``).
  case statsd
  /// InfluxDB line protocol (``InfluxLineParser``).
  case influx
}

/// The unit of numeric timestamps.
public enum TimeUnit: String, Sendable, CaseIterable, Codable {
  case s, ms, us, ns
  public var nanoseconds: Int64 {
    switch self {
    case .s: Nanos.second
    case .ms: Nanos.millisecond
    case .us: Nanos.microsecond
    case .ns: 1
    }
  }
}

/// Where parsers put what they make: samples, rejections, and the series they intern.
public struct ParseSink: Sendable {
  public var interner: SeriesInterner
  public var samples: [Sample] = []
  public var issues: [ParseIssue] = []
  /// Values a parser skipped on purpose: neither samples nor rejections (InfluxDB string
  /// fields). The loop adds them to the feed's ``skipped`` count and resets this.
  public var skipped: Int = 0

  public init(interner: SeriesInterner = SeriesInterner()) { self.interner = interner }
}

/// Turns one record (a line, or a CSV record) into samples or a ``ParseIssue``.
///
/// Parsers are per feed (CSV keeps its header), pure apart from that state, and never throw:
/// a bad record becomes an issue in the sink and the parser carries on.
public protocol FeedParser: Sendable {
  mutating func parse(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink)
}
