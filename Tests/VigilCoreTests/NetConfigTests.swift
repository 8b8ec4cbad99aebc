import Testing
import VigilCore

@Suite struct NetConfigTests {
  @Test func scrapeFeedsAndAPrometheusSectionLoad() throws {
    let text = """
      feeds:
        - path: app.jsonl
        - scrape: http://127.0.0.1:9100/metrics
          every: 2s
          timeout: 1s
          no_data_after: 1m
        - scrape: http://[::1]:9200/m
      prometheus:
        url: http://prometheus:9090/prom
        every: 30s
        history: 0s
        queries:
          - name: checkout_p99_seconds
            query: 'histogram_quantile(0.99, sum by (le) (rate(checkout_seconds_bucket[5m])))'
          - name: "up:ratio"
            query: avg(up)
      """
    let config = try ConfigLoader.parse(text, file: "v.yaml").get()
    #expect(
      config.feeds.map(\.target) == [
        "app.jsonl", "http://127.0.0.1:9100/metrics", "http://[::1]:9200/m",
      ])
    #expect(config.feeds[0].poll == nil)
    #expect(config.feeds[1].poll == PollSettings(every: 2 * Nanos.second, timeout: Nanos.second))
    #expect(config.feeds[1].noDataAfter == Nanos.minute)
    #expect(
      config.feeds[2].poll == PollSettings(every: 5 * Nanos.second, timeout: 5 * Nanos.second))
    #expect(config.prometheus.count == 1)
    let p = try #require(config.prometheus.first)
    #expect(p.url == "http://prometheus:9090/prom")
    #expect(p.every == 30 * Nanos.second)
    #expect(p.history == 0)
    #expect(p.poll.timeout == 10 * Nanos.second)
    #expect(
      p.queries == [
        PrometheusQuery(
          name: "checkout_p99_seconds",
          query: "histogram_quantile(0.99, sum by (le) (rate(checkout_seconds_bucket[5m])))"),
        PrometheusQuery(name: "up:ratio", query: "avg(up)"),
      ])
  }

  @Test func severalServersAsAList() throws {
    let text = """
      prometheus:
        - url: http://a:9090
          queries: [{name: x, query: up}]
        - url: http://b:9090
          queries: [{name: y, query: up}]
      """
    let config = try ConfigLoader.parse(text, file: "v.yaml").get()
    #expect(config.prometheus.map(\.url) == ["http://a:9090", "http://b:9090"])
    #expect(config.prometheus.map(\.history) == [15 * Nanos.minute, 15 * Nanos.minute])
  }

  @Test(arguments: [
    (
      "feeds:\n  - scrape: https://x/metrics\n    tls: {ca_file: ca.pem, insecure: true}\n",
      "f.yaml:2:5: scrape: a CA file and skipping verification: give one"
    ),
    (
      "prometheus:\n  url: https://p\n  queries: [{name: y, query: up}]\n  basic_auth: {password_env: P}\n",
      "f.yaml:2:3: prometheus: a basic auth password needs a user"
    ),
    (
      "feeds:\n  - scrape: https://x/metrics\n    headers: {\"bad header\": x}\n",
      "f.yaml:3:15: headers: \"bad header\" is not a header name"
    ),
    (
      "feeds:\n  - scrape: x:9100\n",
      "f.yaml:2:13: scrape: bad address: the address must start with http://"
    ),
    (
      "feeds:\n  - scrape: http://x\n    every: often\n",
      "f.yaml:3:12: every: \"often\" is not a duration"
    ),
    ("feeds:\n  - scrape: http://x\n    path: y\n", "f.yaml:3:5: unknown scrape feed key \"path\""),
    ("prometheus: http://x\n", "f.yaml:1:13: prometheus must be a mapping"),
    ("prometheus:\n  queries: [{name: a, query: up}]\n", "f.yaml:2:3: prometheus needs url"),
    ("prometheus:\n  url: http://x\n", "f.yaml:2:3: prometheus needs queries"),
    (
      "prometheus:\n  url: http://x\n  queries: []\n",
      "f.yaml:3:12: prometheus.queries: give at least one query"
    ),
    (
      "prometheus:\n  url: http://x:99999\n  queries: [{name: a, query: up}]\n",
      "f.yaml:2:8: prometheus.url: bad address: the port"
    ),
    (
      "prometheus:\n  url: http://x\n  every: 0s\n  queries: [{name: a, query: up}]\n",
      "f.yaml:3:10: prometheus.every: \"0s\" is not a duration"
    ),
    (
      "prometheus:\n  url: http://x\n  step: 1s\n  queries: [{name: a, query: up}]\n",
      "f.yaml:3:3: unknown prometheus key \"step\""
    ),
    (
      "prometheus:\n  url: http://x\n  queries: [{name: 9a, query: up}]\n",
      "f.yaml:3:20: name \"9a\" is not a metric name"
    ),
    (
      "prometheus:\n  url: http://x\n  queries: [{name: a, query: ' '}]\n",
      "f.yaml:3:30: query is empty"
    ),
    ("prometheus:\n  url: http://x\n  queries: [{name: a}]\n", "f.yaml:3:13: a query needs query"),
    (
      "prometheus:\n  url: http://x\n  queries: [{query: up}]\n",
      "f.yaml:3:13: a query needs a name"
    ),
    (
      "prometheus:\n  url: http://x\n  queries: [{name: a, query: up, step: 1}]\n",
      "f.yaml:3:34: unknown query key \"step\""
    ),
    (
      "prometheus:\n  url: http://x\n  queries: [up]\n", "f.yaml:3:13: each query must be a mapping"
    ),
  ])
  func eachProblemIsReportedWithItsPosition(text: String, expected: String) {
    switch ConfigLoader.parse(text, file: "f.yaml") {
    case .success: Issue.record("accepted: \(text)")
    case .failure(let problems):
      #expect(problems.problems.count == 1, "\(problems)")
      #expect(problems.description.hasPrefix(expected), "\(problems)")
    }
  }

  @Test func duplicateQueryNamesPointAtTheFirst() {
    let text =
      "prometheus:\n  url: http://x\n  queries:\n    - {name: a, query: up}\n    - {name: a, query: down}\n"
    guard case .failure(let problems) = ConfigLoader.parse(text, file: "f.yaml") else {
      Issue.record("accepted")
      return
    }
    #expect(problems.description == "f.yaml:5:14: duplicate query name \"a\" (first at line 4)")
  }
}
