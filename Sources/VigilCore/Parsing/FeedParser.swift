/// The formats a feed can carry: line formats for files and stdin, whole expositions (one
/// record = one Prometheus text 0.0.4 or OpenMetrics 1.0 body, see ``PrometheusParser``), the
/// datagram formats a UDP feed carries (one record per datagram; a file or stdin in these
/// formats is framed into lines), and OTLP/JSON requests (one a line).
public enum FeedFormat: String, Sendable, CaseIterable, Codable {
  case json
  case csv
  case logfmt
  case prometheus
  case openmetrics

  /// StatsD and DogStatsD (``StatsDParser``).
  case statsd
  /// InfluxDB line protocol (``InfluxLineParser``).
  case influx
  /// OpenTelemetry metrics in OTLP/JSON, one `ExportMetricsServiceRequest` a line (the
  /// Collector's file exporter; ``OTLPParser``).
  case otlp

  /// Every format's name for messages: `json, csv, ... or openmetrics`.
  public static var choices: String {
    let names = allCases.map(\.rawValue)
    return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
  }
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
  /// Problems that rejected nothing: the input breaks its format's rules, yet what it says was
  /// taken, as Prometheus takes it (a `# TYPE` line after its samples, F6). At most
  /// ``maxWarnings`` are kept (``warningCount`` counts them all), so a sink nobody drains stays
  /// bounded.
  public var warnings: [ParseIssue] = []
  /// Every warning since the sink was made, kept or not.
  public var warningCount = 0
  public static let maxWarnings = 1_000
  /// Values a parser skipped on purpose: neither samples nor rejections (InfluxDB string
  /// fields). The loop adds them to the feed's ``skipped`` count and resets this.
  public var skipped: Int = 0
  /// Event pairs' keys, taken off their events before interning (``intern(metric:labels:)``;
  /// only the engine's sink watches pairs).
  public internal(set) var pairs = PairTap()

  public init(interner: SeriesInterner = SeriesInterner()) { self.interner = interner }

  /// Records a warning (kept while fewer than ``maxWarnings`` are held).
  public mutating func warn(_ issue: ParseIssue) {
    warningCount += 1
    if warnings.count < ParseSink.maxWarnings { warnings.append(issue) }
  }
}

/// Turns one record (a line, a CSV record, or a whole exposition) into samples or a
/// ``ParseIssue``. `line` is the feed's line number where the record starts; a source that
/// hands a whole body (a scrape) passes 1, so issues carry the line within the body.
///
/// Parsers are per feed (CSV keeps its header), pure apart from that state, and never throw:
/// a bad record becomes an issue in the sink and the parser carries on.
public protocol FeedParser: Sendable {
  mutating func parse(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink)
}
