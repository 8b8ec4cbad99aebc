import ArgumentParser
import VigilCore

/// The flags of the network feeds: Prometheus scrapes and the Prometheus HTTP API.
struct NetFeedOptions: ParsableArguments {
  @Option(
    name: .customLong("scrape"),
    help: ArgumentHelp(
      "Scrape a Prometheus/OpenMetrics endpoint (http:// only), e.g. http://127.0.0.1:9100/metrics.",
      discussion: "Repeatable: one feed per URL, shown per target in feed health.",
      valueName: "url"))
  var scrapes: [String] = []

  @Option(
    name: .customLong("every"),
    help: ArgumentHelp(
      "Scrape interval, once for every --scrape or once per --scrape in order. (default: 5s)",
      valueName: "duration"))
  var everies: [String] = []

  @Option(
    help: ArgumentHelp(
      "Scrape timeout. (default: the interval, at most 10s)", valueName: "duration"))
  var scrapeTimeout: String?

  @Option(
    help: ArgumentHelp(
      "Query a Prometheus HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics; http:// only).",
      discussion:
        "Queries come from --query, or from the config file's prometheus: section (whose url this replaces).",
      valueName: "url"))
  var prometheus: String?

  @Option(
    name: .customLong("query"),
    help: ArgumentHelp(
      "A PromQL query for --prometheus as NAME=EXPR; its results become series NAME. Repeatable.",
      valueName: "name=promql"))
  var queries: [String] = []

  @Option(
    help: ArgumentHelp(
      "How often --prometheus queries are evaluated. (default: 15s)", valueName: "duration"))
  var prometheusEvery: String?

  @Option(
    help: ArgumentHelp(
      "History --prometheus loads at start with query_range (0s: none). (default: 15m)",
      valueName: "duration"))
  var history: String?

  /// The scrape feeds and Prometheus servers, numbered from `firstID`, merged with the config
  /// file's `prometheus:` section.
  func specs(firstID: Int, config: [PrometheusSourceConfig]) throws -> (
    [FeedSpec], [FeedID: PrometheusSourceConfig]
  ) {
    if everies.count > 1 && everies.count != scrapes.count {
      throw ValidationError("give --every once, or once per --scrape (\(scrapes.count) scrapes)")
    }
    var specs: [FeedSpec] = []
    let timeout = try scrapeTimeout.map { try duration($0, "--scrape-timeout") }
    for (i, url) in scrapes.enumerated() {
      try checkURL(url, "--scrape")
      let every =
        everies.isEmpty
        ? 5 * Nanos.second : try duration(everies[everies.count == 1 ? 0 : i], "--every")
      specs.append(
        FeedSpec(
          id: FeedID(firstID + specs.count), kind: .scrape, target: url,
          poll: PollSettings(every: every, timeout: timeout)))
    }
    var servers = config
    if let url = prometheus {
      try checkURL(url, "--prometheus")
      if !queries.isEmpty {
        servers.append(PrometheusSourceConfig(url: url, queries: try parsedQueries()))
      } else if servers.count == 1 {
        servers[0].url = url
      } else if servers.isEmpty {
        throw ValidationError(
          "--prometheus needs queries: --query NAME=PROMQL, or a prometheus: section in --config")
      } else {
        throw ValidationError(
          "--prometheus without --query: the config file has \(servers.count) prometheus servers; give --query"
        )
      }
    } else if !queries.isEmpty {
      throw ValidationError("--query needs --prometheus URL")
    }
    var byID: [FeedID: PrometheusSourceConfig] = [:]
    for var server in servers {
      if let e = prometheusEvery { server.every = try duration(e, "--prometheus-every") }
      if let h = history { server.history = try duration(h, "--history", allowZero: true) }
      let id = FeedID(firstID + specs.count)
      specs.append(FeedSpec(id: id, kind: .prometheus, target: server.url, poll: server.poll))
      byID[id] = server
    }
    return (specs, byID)
  }

  private func parsedQueries() throws -> [PrometheusQuery] { try parsePrometheusQueries(queries) }

  private func duration(_ text: String, _ flag: String, allowZero: Bool = false) throws -> Int64 {
    guard let ns = Nanos.parse(text), ns > 0 || (allowZero && ns == 0) else {
      throw ValidationError("\(flag): \"\(text)\" is not a duration like 5s or 1m")
    }
    return ns
  }
}

/// `--query NAME=PROMQL` values, checked: names are metric names, given once, with a query.
func parsePrometheusQueries(_ queries: [String]) throws -> [PrometheusQuery] {
  var out: [PrometheusQuery] = []
  for q in queries {
    guard let eq = q.firstIndex(of: "=") else {
      throw ValidationError("--query \(q): expected NAME=PROMQL")
    }
    let name = String(q[..<eq])
    let expr = String(q[q.index(after: eq)...])
    guard isMetricName(name) else {
      throw ValidationError(
        "--query: \"\(name)\" is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
    }
    guard !expr.allSatisfy({ $0 == " " }) else {
      throw ValidationError("--query \(name): empty query")
    }
    guard !out.contains(where: { $0.name == name }) else {
      throw ValidationError("--query: \(name) is given twice")
    }
    out.append(PrometheusQuery(name: name, query: expr))
  }
  return out
}

/// Throws a usage error when `url` is not an http:// URL Vigil can fetch.
func checkURL(_ url: String, _ flag: String) throws {
  if case .failure(let e) = HTTPURL.parse(url) { throw ValidationError("\(flag) \(url): \(e)") }
}
