/// The line formats a file or stdin feed can carry.
public enum FeedFormat: String, Sendable, CaseIterable, Codable {
  case json
  case csv
  case logfmt
  /// Prometheus text exposition 0.0.4: a whole scrape body is one record.
  case prometheus
  /// OpenMetrics 1.0 text: a whole scrape body is one record.
  case openmetrics
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
