/// The config file's network feeds: `scrape:` entries in `feeds:` and the `prometheus:`
/// section (one server as a mapping, or several as a list).
///
/// ```yaml
/// feeds:
///   - scrape: http://127.0.0.1:9100/metrics
///     every: 5s              # default 5s
///     timeout: 3s            # default: every, at most 10s
///     no_data_after: 1m      # stale after this long without a sample (default 5m)
/// prometheus:
///   url: http://prometheus:9090
///   every: 15s               # default 15s
///   history: 15m             # default 15m; 0s loads none
///   timeout: 10s
///   queries:
///     - name: checkout_p99_seconds
///       query: histogram_quantile(0.99, sum by (le) (rate(checkout_seconds_bucket[5m])))
/// ```
extension ConfigReader {
  /// A `- scrape: URL` feed.
  mutating func scrapeFeed(_ node: YAMLNode, _ entries: [YAMLEntry]) -> FeedConfig? {
    guard let urlNode = node["scrape"], let url = httpURL(urlNode, "scrape") else { return nil }
    var every = 5 * Nanos.second
    var timeout: Int64?
    var feed = FeedConfig(target: url)
    for (k, v) in entries {
      switch k.scalar ?? "" {
      case "scrape": break
      case "every": every = duration(v, "every") ?? every
      case "timeout": timeout = duration(v, "timeout")
      case "no_data_after": feed.noDataAfter = duration(v, "no_data_after")
      default:
        report(
          k,
          "unknown scrape feed key \"\(Self.shown(key: k))\"; known: scrape, every, timeout, no_data_after"
        )
      }
    }
    feed.poll = PollSettings(every: every, timeout: timeout)
    return feed
  }

  /// The `prometheus:` section: a mapping, or a list of them.
  mutating func prometheusSources(_ node: YAMLNode) -> [PrometheusSourceConfig] {
    if let items = node.list {
      return items.compactMap { prometheusSource($0) }
    }
    return prometheusSource(node).map { [$0] } ?? []
  }

  mutating func prometheusSource(_ node: YAMLNode) -> PrometheusSourceConfig? {
    guard
      let entries = map(
        node, else: "prometheus must be a mapping with url and queries (or a list of them)")
    else { return nil }
    var config = PrometheusSourceConfig(url: "")
    var sawURL = false
    var sawQueries = false
    for (k, v) in entries {
      switch k.scalar ?? "" {
      case "url":
        sawURL = true
        config.url = httpURL(v, "prometheus.url") ?? ""
      case "every": config.every = duration(v, "prometheus.every") ?? config.every
      case "history":
        config.history = duration(v, "prometheus.history", allowZero: true) ?? config.history
      case "timeout": config.timeout = duration(v, "prometheus.timeout")
      case "queries":
        sawQueries = true
        config.queries = promQueries(v)
      default:
        report(
          k,
          "unknown prometheus key \"\(Self.shown(key: k))\"; known: url, every, history, timeout, queries"
        )
      }
    }
    if !sawURL { report(node, "prometheus needs url (http://host:9090)") }
    if !sawQueries { report(node, "prometheus needs queries (a list of name and query)") }
    return config
  }

  mutating func promQueries(_ node: YAMLNode) -> [PrometheusQuery] {
    guard let items = list(node, "prometheus.queries") else { return [] }
    if items.isEmpty { report(node, "prometheus.queries: give at least one query") }
    var out: [PrometheusQuery] = []
    var seen: [String: Int] = [:]
    for item in items {
      guard let entries = map(item, else: "each query must be a mapping with name and query")
      else { continue }
      var name: String?
      var query: String?
      for (k, v) in entries {
        switch k.scalar ?? "" {
        case "name":
          guard let s = scalar(v, "name") else { continue }
          if isMetricName(s) {
            if let line = seen[s] {
              report(v, "duplicate query name \"\(s)\" (first at line \(line))")
            } else {
              seen[s] = v.line
              name = s
            }
          } else {
            report(
              v,
              "name \"\(Self.shown(s))\" is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"
            )
          }
        case "query":
          guard let s = scalar(v, "query") else { continue }
          if s.trimmingBlanks().isEmpty { report(v, "query is empty") } else { query = s }
        default:
          report(
            k,
            "unknown query key \"\(Self.shown(key: k))\"; known: name, query"
          )
        }
      }
      if item["name"] == nil { report(item, "a query needs a name (the series it becomes)") }
      if item["query"] == nil { report(item, "a query needs query (PromQL)") }
      if let name, let query { out.append(PrometheusQuery(name: name, query: query)) }
    }
    return out
  }

  /// An `http://` URL, or a problem saying why not.
  mutating func httpURL(_ node: YAMLNode, _ what: String) -> String? {
    guard let s = scalar(node, what) else { return nil }
    switch HTTPURL.parse(s) {
    case .success: return s
    case .failure(let e):
      report(node, "\(what): \(e)")
      return nil
    }
  }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`, as Prometheus names metrics.
public func isMetricName(_ s: String) -> Bool {
  guard let first = s.utf8.first else { return false }
  func letter(_ b: UInt8) -> Bool {
    (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z")) || b == UInt8(ascii: "_")
      || b == UInt8(ascii: ":")
  }
  return letter(first) && s.utf8.dropFirst().allSatisfy { letter($0) || isDigit($0) }
}
