import VigilCore

/// A sample with its series resolved, as parsing tests compare it.
public struct ParsedSample: Equatable, Sendable, CustomStringConvertible {
  public var key: SeriesKey
  public var timestamp: Timestamp
  public var value: Double
  public init(_ key: SeriesKey, _ timestamp: Timestamp, _ value: Double) {
    self.key = key
    self.timestamp = timestamp
    self.value = value
  }
  public var description: String { "\(key) \(value) @\(timestamp.nanoseconds)" }
}

/// What a parser made of some records.
public struct ParseResult: Sendable {
  public var samples: [ParsedSample] = []
  public var issues: [ParseIssue] = []
  public init() {}

  /// The reasons of the issues, in order.
  public var reasons: [RejectReason] { issues.map(\.reason) }
}

/// The arrival time tests use: 2026-11-26T12:00:00Z.
public let testArrival = Timestamp(nanoseconds: 1_795_694_400 * 1_000_000_000)

/// Runs `records` through `parser`, numbering them from `firstLine`.
public func parse(
  _ parser: inout some FeedParser, _ records: [String], firstLine: Int = 1,
  arrival: Timestamp = testArrival, interner: SeriesInterner = SeriesInterner()
) -> ParseResult {
  parse(
    &parser, records.map { Array($0.utf8) }, firstLine: firstLine, arrival: arrival,
    interner: interner)
}

/// Runs byte `records` through `parser`, numbering them from `firstLine`.
public func parse(
  _ parser: inout some FeedParser, _ records: [[UInt8]], firstLine: Int = 1,
  arrival: Timestamp = testArrival, interner: SeriesInterner = SeriesInterner()
) -> ParseResult {
  var sink = ParseSink(interner: interner)
  for (k, r) in records.enumerated() {
    r.withUnsafeBytes { parser.parse($0, line: firstLine + k, arrival: arrival, into: &sink) }
  }
  var out = ParseResult()
  out.samples = sink.samples.map {
    ParsedSample(sink.interner.key($0.series), $0.timestamp, $0.value)
  }
  out.issues = sink.issues
  return out
}

/// Parses one record with a fresh parser for `format`.
public func parseOne(
  _ format: FeedFormat, _ record: String, mapping: FieldMapping = FieldMapping(),
  timeUnit: TimeUnit? = nil, header: String? = nil
) -> ParseResult {
  var parser = Parsers.make(format, mapping: mapping, timeUnit: timeUnit)
  let records = (header.map { [$0] } ?? []) + [record]
  return parse(&parser, records)
}
