import Testing

@testable import VigilCore

@Suite struct ConfigLoaderTests {
  @Test func aFullConfigLoads() throws {
    let text = """
      # comment
      signals:
        api_latency: http_server_duration_ms
        support_tickets: zendesk_tickets_total
      windows: [30s, 1m, 10m]
      window: 10m
      fps: 2
      clock: event
      feeds:
        - path: /var/log/checkout.jsonl
          map: ts=time,value=duration_ms,metric=const:api_latency_ms,label.service=svc
        - path: orders.csv
          format: csv
          time_unit: ms
          from_end: true
      """
    let config = try ConfigLoader.parse(text, file: "vigil.yaml").get()
    #expect(config.signals.apiLatency == "http_server_duration_ms")
    #expect(config.signals.supportTickets == "zendesk_tickets_total")
    #expect(config.signals.checkoutLatency == "checkout_latency_ms")
    #expect(config.windows == [30 * Nanos.second, Nanos.minute, 10 * Nanos.minute])
    #expect(config.window == 10 * Nanos.minute)
    #expect(config.fps == 2)
    #expect(config.clock == .event)
    #expect(config.feeds.map(\.target) == ["/var/log/checkout.jsonl", "orders.csv"])
    #expect(
      config.feeds[0].mapping
        == (try FieldMapping.parse(
          "ts=time,value=duration_ms,metric=const:api_latency_ms,label.service=svc")))
    #expect(config.feeds[1].format == .csv)
    #expect(config.feeds[1].timeUnit == .ms)
    #expect(config.feeds[1].fromEnd)
  }

  @Test func anEmptyFileSetsNothing() throws {
    #expect(try ConfigLoader.parse("", file: "e.yaml").get() == ConfigFile())
    #expect(try ConfigLoader.parse("# only a comment\n", file: "e.yaml").get() == ConfigFile())
  }

  /// One document per failure: the message and its line:column.
  @Test(arguments: [
    ("signals:\n  api_latncy: foo\n", "f.yaml:2:3: signals: unknown signal \"api_latncy\""),
    ("signals:\n  api_latency: \"a b\"\n", "f.yaml:2:16: signals: \"a b\" is not a metric name"),
    ("signals: [a, b]\n", "f.yaml:1:10: signals must map signal keys to metric names"),
    ("windows: 5m\n", "f.yaml:1:10: windows must be a list"),
    ("windows: [1m, soon]\n", "f.yaml:1:15: windows: \"soon\" is not a duration"),
    ("windows: [7s, 20m]\n", "f.yaml:1:15: windows: 20m is not a whole number of buckets"),
    ("window: 10m\n", "f.yaml:1:9: window 10m is not one of windows [1m, 5m, 15m]"),
    ("fps: fast\n", "f.yaml:1:6: fps must be a number"),
    ("fps: 0\n", "f.yaml:1:6: fps must be in (0, 60]"),
    ("clock: later\n", "f.yaml:1:8: clock must be wall, event or auto"),
    ("clok: wall\n", "f.yaml:1:1: unknown key \"clok\""),
    ("feeds:\n  - format: json\n", "f.yaml:2:5: feed needs a path"),
    (
      "feeds:\n  - path: a\n    format: xml\n",
      "f.yaml:3:13: format must be json, csv, logfmt, prometheus, openmetrics, statsd, influx or otlp"
    ),
    ("feeds:\n  - path: a\n    map: bogus\n", "f.yaml:3:10: map: "),
    ("feeds:\n  - path: a\n    colour: red\n", "f.yaml:3:5: unknown feed key \"colour\""),
    ("feeds:\n  - path: a\n    from_end: maybe\n", "f.yaml:3:15: from_end must be true or false"),
    ("a: [1, 2\n", "f.yaml:2:1: YAML: did not find expected ',' or ']'"),
    ("- just\n- a list\n", "f.yaml:1:1: the file must be a mapping"),
  ])
  func eachProblemIsReportedWithItsPosition(text: String, expected: String) {
    switch ConfigLoader.parse(text, file: "f.yaml") {
    case .success: Issue.record("accepted: \(text)")
    case .failure(let problems):
      #expect(problems.problems.count == 1, "\(problems)")
      #expect(problems.description.hasPrefix(expected), "\(problems)")
    }
  }

  @Test func everyProblemIsListedNotJustTheFirst() {
    let text = "fps: fast\nclok: wall\nsignals:\n  nope: x\n"
    guard case .failure(let problems) = ConfigLoader.parse(text, file: "f.yaml") else {
      Issue.record("accepted")
      return
    }
    #expect(problems.problems.map(\.line) == [1, 2, 4])
  }

  @Test func unreadableFile() {
    guard case .failure(let problems) = ConfigLoader.load(path: "/nonexistent/vigil.yaml") else {
      Issue.record("loaded")
      return
    }
    #expect(problems.description == "/nonexistent/vigil.yaml: cannot read the file")
  }
}
