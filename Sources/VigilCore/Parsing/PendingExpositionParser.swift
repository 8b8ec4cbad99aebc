/// Stands in for the Prometheus text and OpenMetrics parsers until they are merged (branch
/// `prom`): every scrape body is rejected as `unknown format` with that explanation, so a
/// scrape feed already shows its requests, failures and durations. The merge replaces the
/// `.prometheus, .openmetrics` line in ``Parsers/make(_:mapping:timeUnit:)``.
struct PendingExpositionParser: FeedParser {
  let format: FeedFormat

  mutating func parse(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink
  ) {
    sink.issues.append(
      ParseIssue(
        line: line, reason: .unknownFormat,
        detail: "no \(format.rawValue) parser in this build yet",
        excerpt: printableExcerpt(UnsafeRawBufferPointer(rebasing: record.prefix(120)))))
  }
}
