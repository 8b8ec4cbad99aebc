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
    var http = HTTPClientConfig()
    for (k, v) in entries {
      switch k.scalar ?? "" {
      case "scrape": break
      case "every": every = duration(v, "every") ?? every
      case "timeout": timeout = duration(v, "timeout")
      case "no_data_after": feed.noDataAfter = duration(v, "no_data_after")
      case let key where Self.httpKeys.contains(key): httpClient(key, v, into: &http, node: k)
      default:
        report(
          k,
          "unknown scrape feed key \"\(Self.shown(key: k))\"; known: scrape, every, timeout, no_data_after, "
            + Self.httpKeys.joined(separator: ", ")
        )
      }
    }
    if let problem = http.problem { report(node, "scrape: " + problem) }
    feed.poll = PollSettings(every: every, timeout: timeout, http: http)
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
      case let key where Self.httpKeys.contains(key):
        httpClient(key, v, into: &config.http, node: k)
      default:
        report(
          k,
          "unknown prometheus key \"\(Self.shown(key: k))\"; known: url, every, history, timeout, queries, "
            + Self.httpKeys.joined(separator: ", ")
        )
      }
    }
    if let problem = config.http.problem { report(node, "prometheus: " + problem) }
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

/// TLS and authentication keys of a scrape feed or a Prometheus server, as Prometheus names
/// them:
///
/// ```yaml
/// tls: {ca_file: ca.pem}            # or insecure: true
/// basic_auth: {username: vigil, password_file: /run/secrets/prom}   # or password_env: VAR
/// bearer_token_file: /run/secrets/token                            # or bearer_token_env: VAR
/// headers: {X-Scope-OrgID: tenant-1}
/// ```
extension ConfigReader {
  static let httpKeys = ["tls", "basic_auth", "bearer_token_file", "bearer_token_env", "headers"]

  mutating func httpClient(
    _ key: String, _ v: YAMLNode, into c: inout HTTPClientConfig, node: YAMLNode
  ) {
    switch key {
    case "tls":
      for (k, value) in map(v, else: "tls must be a mapping (ca_file, insecure)") ?? [] {
        switch k.scalar ?? "" {
        case "ca_file": c.caFile = scalar(value, "tls.ca_file").map(besideConfig)
        case "insecure": c.insecure = bool(value, "tls.insecure") ?? false
        default: report(k, "unknown tls key \"\(Self.shown(key: k))\"; known: ca_file, insecure")
        }
      }
    case "basic_auth":
      for (k, value) in map(
        v, else: "basic_auth must be a mapping (username, password_file or password_env)") ?? []
      {
        switch k.scalar ?? "" {
        case "username": c.basicAuthUser = scalar(value, "basic_auth.username")
        case "password_file":
          c.basicAuthPasswordFile = scalar(value, "basic_auth.password_file").map(besideConfig)
        case "password_env": c.basicAuthPasswordEnv = scalar(value, "basic_auth.password_env")
        default:
          report(
            k,
            "unknown basic_auth key \"\(Self.shown(key: k))\"; known: username, password_file, password_env"
          )
        }
      }
    case "bearer_token_file": c.bearerTokenFile = scalar(v, key).map(besideConfig)
    case "bearer_token_env": c.bearerTokenEnv = scalar(v, key)
    case "headers":
      for (k, value) in map(v, else: "headers must map header names to values") ?? [] {
        guard let name = k.scalar, let text = scalar(value, "headers.\(name)") else { continue }
        switch HTTPHeader.parse(name + ": " + text) {
        case .success(let h): c.headers.append(h)
        case .failure(let e): report(k, "headers: \(e)")
        }
      }
    default: report(node, "unknown key \(key)")
    }
  }

  /// A relative path is beside the config file.
  func besideConfig(_ path: String) -> String {
    guard !path.hasPrefix("/") else { return path }
    let dir = file.split(separator: "/", omittingEmptySubsequences: false).dropLast()
      .joined(separator: "/")
    return dir.isEmpty ? path : dir + "/" + path
  }
}
