/// The flags of the network feeds: Prometheus scrapes and the Prometheus HTTP API.
public struct NetFeedFlags: Sendable, Equatable {
  /// `--scrape URL`, repeatable.
  public var scrapes: [String] = []
  /// `--every`: once for every scrape, or once per scrape in order.
  public var everies: [String] = []
  public var scrapeTimeout: String?
  /// `--prometheus URL`.
  public var prometheus: String?
  /// `--query NAME=PROMQL`, repeatable.
  public var queries: [String] = []
  public var prometheusEvery: String?
  public var history: String?
  /// `--tls-ca`, `--basic-auth-*`, `--bearer-token-*`, `--http-header`: when given, for every
  /// scrape and Prometheus server (the config file's too).
  public var http: HTTPClientConfig?

  public init() {}

  /// The scrape feeds and Prometheus servers, numbered from `firstID`, merged with the config
  /// file's `prometheus:` section (`--prometheus` replaces its url, or adds a server with its
  /// `--query`s; `--prometheus-every` and `--history` apply to every server).
  public func specs(firstID: Int, config: [PrometheusSourceConfig]) throws(SettingsError) -> (
    [FeedSpec], [FeedID: PrometheusSourceConfig]
  ) {
    if everies.count > 1 && everies.count != scrapes.count {
      throw .usage("give --every once, or once per --scrape (\(scrapes.count) scrapes)")
    }
    var specs: [FeedSpec] = []
    let timeout = try scrapeTimeout.map { text throws(SettingsError) in
      try parseDurationFlag(text, "--scrape-timeout")
    }
    for (i, url) in scrapes.enumerated() {
      try checkURL(url, "--scrape")
      var every = 5 * Nanos.second
      if !everies.isEmpty {
        every = try parseDurationFlag(everies[everies.count == 1 ? 0 : i], "--every")
      }
      specs.append(
        FeedSpec(
          id: FeedID(firstID + specs.count), kind: .scrape, target: url,
          poll: PollSettings(every: every, timeout: timeout, http: http ?? HTTPClientConfig())))
    }
    var byID: [FeedID: PrometheusSourceConfig] = [:]
    for var server in try servers(config) {
      if let e = prometheusEvery { server.every = try parseDurationFlag(e, "--prometheus-every") }
      if let h = history { server.history = try parseDurationFlag(h, "--history", allowZero: true) }
      if let http { server.http = http }
      let id = FeedID(firstID + specs.count)
      specs.append(FeedSpec(id: id, kind: .prometheus, target: server.url, poll: server.poll))
      byID[id] = server
    }
    return (specs, byID)
  }

  /// The config file's servers with `--prometheus` and `--query` applied.
  private func servers(_ config: [PrometheusSourceConfig]) throws(SettingsError)
    -> [PrometheusSourceConfig]
  {
    var servers = config
    if let url = prometheus {
      try checkURL(url, "--prometheus")
      if !queries.isEmpty {
        servers.append(
          PrometheusSourceConfig(url: url, queries: try parsePrometheusQueries(queries)))
      } else if servers.count == 1 {
        servers[0].url = url
      } else if servers.isEmpty {
        throw .usage(
          "--prometheus needs queries: --query NAME=PROMQL, or a prometheus: section in --config")
      } else {
        throw .usage(
          "--prometheus without --query: the config file has \(servers.count) prometheus servers; give --query"
        )
      }
    } else if !queries.isEmpty {
      throw .usage("--query needs --prometheus URL")
    }
    return servers
  }
}

/// `--query NAME=PROMQL` values, checked: names are metric names, given once, with a query.
public func parsePrometheusQueries(_ queries: [String]) throws(SettingsError) -> [PrometheusQuery] {
  var out: [PrometheusQuery] = []
  for q in queries {
    guard let eq = q.firstIndex(of: "=") else { throw .usage("--query \(q): expected NAME=PROMQL") }
    let name = String(q[..<eq])
    let expr = String(q[q.index(after: eq)...])
    guard isMetricName(name) else {
      throw .usage("--query: \"\(name)\" is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
    }
    guard !expr.allSatisfy({ $0 == " " }) else { throw .usage("--query \(name): empty query") }
    guard !out.contains(where: { $0.name == name }) else {
      throw .usage("--query: \(name) is given twice")
    }
    out.append(PrometheusQuery(name: name, query: expr))
  }
  return out
}

/// A usage error when `url` is not an http:// URL Vigil can fetch.
public func checkURL(_ url: String, _ flag: String) throws(SettingsError) {
  if case .failure(let e) = HTTPURL.parse(url) { throw .usage("\(flag) \(url): \(e)") }
}
