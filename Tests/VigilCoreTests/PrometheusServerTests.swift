import Foundation
import Synchronization
import Testing
import VigilCore
import VigilTestSupport

/// A real Prometheus (Debian's `prometheus` package; `Tests/run.sh` installs it) on loopback,
/// scraping an exporter this test serves. Vigil's Prometheus API source must produce exactly
/// the values Prometheus returns for the same queries, instant and range. The test fails, not
/// skips, when Prometheus cannot start.
@Suite(.serialized) struct PrometheusServerTests {
  /// What the exporter serves: counters, a gauge with an escaped label, a histogram; counts
  /// grow by a fixed amount per millisecond since the exporter started (1,000 and 100
  /// requests/s; per millisecond 2 observations ≤ 0.1 s, 5 in (0.1, 0.5], 2 in (0.5, 1], 1
  /// above, with a sum of 0.3 s per observation).
  static func exposition(ticks: Int64) -> String {
    """
    # HELP vigil_test_requests_total Requests served.
    # TYPE vigil_test_requests_total counter
    vigil_test_requests_total{code="200"} \(ticks)
    vigil_test_requests_total{code="500"} \(ticks / 10)
    # HELP vigil_test_temperature A gauge.
    # TYPE vigil_test_temperature gauge
    vigil_test_temperature{room="a \\"quoted\\" \\\\ room"} 21.5
    # TYPE vigil_test_latency_seconds histogram
    vigil_test_latency_seconds_bucket{le="0.1"} \(2 * ticks)
    vigil_test_latency_seconds_bucket{le="0.5"} \(7 * ticks)
    vigil_test_latency_seconds_bucket{le="1"} \(9 * ticks)
    vigil_test_latency_seconds_bucket{le="+Inf"} \(10 * ticks)
    vigil_test_latency_seconds_sum \(3 * ticks)
    vigil_test_latency_seconds_count \(10 * ticks)

    """
  }

  /// The same values in OpenMetrics (counter families without `_total`, `# EOF`).
  static func openMetrics(ticks: Int64) -> String {
    """
    # TYPE vigil_test_requests counter
    # HELP vigil_test_requests Requests served.
    vigil_test_requests_total{code="200"} \(ticks)
    vigil_test_requests_total{code="500"} \(ticks / 10)
    # TYPE vigil_test_temperature gauge
    vigil_test_temperature{room="a \\"quoted\\" \\\\ room"} 21.5
    # TYPE vigil_test_latency_seconds histogram
    # UNIT vigil_test_latency_seconds seconds
    vigil_test_latency_seconds_bucket{le="0.1"} \(2 * ticks)
    vigil_test_latency_seconds_bucket{le="0.5"} \(7 * ticks)
    vigil_test_latency_seconds_bucket{le="1.0"} \(9 * ticks)
    vigil_test_latency_seconds_bucket{le="+Inf"} \(10 * ticks)
    vigil_test_latency_seconds_sum \(3 * ticks)
    vigil_test_latency_seconds_count \(10 * ticks)
    # EOF

    """
  }

  static let queries = [
    PrometheusQuery(name: "temperature", query: "vigil_test_temperature"),
    PrometheusQuery(name: "request_rate", query: "rate(vigil_test_requests_total[3s])"),
    PrometheusQuery(
      name: "latency_p90_seconds",
      query: "histogram_quantile(0.9, rate(vigil_test_latency_seconds_bucket[3s]))"),
    PrometheusQuery(name: "not_a_number", query: "vigil_test_temperature * 0 / 0"),
    PrometheusQuery(name: "infinite", query: "sum(rate(vigil_test_requests_total[3s])) / 0"),
    PrometheusQuery(name: "scalar_temperature", query: "scalar(vigil_test_temperature)"),
  ]

  /// An exporter and a Prometheus scraping it every second.
  final class Fixture: @unchecked Sendable {
    let exporter: LoopbackHTTPServer
    let prometheus: BackgroundProcess
    let dir: String
    let url: String
    let client: PrometheusClient

    init() throws {
      let started = SystemClock().now()
      // `/metrics` (what Prometheus scrapes) in text 0.0.4; the same values as OpenMetrics
      // on `/openmetrics`.
      exporter = try LoopbackHTTPServer { request in
        let ticks = SystemClock().now().since(started) / Nanos.millisecond
        let open = request.path == "/openmetrics"
        return [
          .send(
            LoopbackHTTPServer.response(
              headers: [
                (
                  "Content-Type",
                  open
                    ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                    : "text/plain; version=0.0.4; charset=utf-8"
                )
              ],
              body: open
                ? PrometheusServerTests.openMetrics(ticks: ticks)
                : PrometheusServerTests.exposition(ticks: ticks)))
        ]
      }
      dir = NSTemporaryDirectory() + "vigil-prom-\(UInt64.random(in: 0...UInt64.max))"
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      let config = """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: exporter
            static_configs:
              - targets: ['127.0.0.1:\(exporter.port)']
        """
      try config.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
      let port = freeLoopbackPort()
      url = "http://127.0.0.1:\(port)"
      client = PrometheusClient(base: try HTTPURL.parse(url).get())
      // `timeout` ends it even if this test process dies without stopping it.
      guard
        let p = BackgroundProcess(
          [
            "timeout", "120", "prometheus", "--config.file=\(dir)/prometheus.yml",
            "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(port)",
            "--log.level=warn",
          ], logPath: dir + "/prometheus.log")
      else {
        exporter.stop()
        throw FixtureError.cannotStart("cannot spawn timeout/prometheus")
      }
      prometheus = p
    }

    /// Waits until Prometheus answers and has `scrapes` scrapes of the exporter.
    func waitForData(scrapes: Int, seconds: Double) throws {
      let deadline = monotonicNanos() + Int64(seconds * 1e9)
      while monotonicNanos() < deadline {
        guard prometheus.isRunning else {
          throw FixtureError.cannotStart("prometheus exited: \(prometheus.logTail())")
        }
        var count = 0.0
        _ = client.instant(
          "count_over_time(vigil_test_temperature[1m])", at: SystemClock().now()
        ) { count = $0.points.first?.value ?? 0 }
        if count >= Double(scrapes) { return }
        sleepNanoseconds(100 * Nanos.millisecond)
      }
      throw FixtureError.cannotStart(
        "prometheus had fewer than \(scrapes) scrapes after \(seconds) s: \(prometheus.logTail())")
    }

    /// Prometheus's own answer, decoded with Foundation (independently of Vigil's decoder):
    /// per series, its labels (without `__name__`) and its points.
    func reference(_ path: String, _ params: [(String, String)]) throws -> [Reference] {
      let response = try client.http.get(
        HTTPURL.parse(url).get().appendingPath(path), query: params
      ).get()
      let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
      let data = try #require(
        json?["data"] as? [String: Any], "\(String(decoding: response.body, as: UTF8.self))")
      let type = try #require(data["resultType"] as? String)
      if type == "scalar" {
        let pair = try #require(data["result"] as? [Any])
        return [Reference(labels: [:], points: [try point(pair)])]
      }
      let result = try #require(data["result"] as? [[String: Any]])
      return try result.map { s in
        var labels = (s["metric"] as? [String: String]) ?? [:]
        labels["__name__"] = nil
        let raw = (s["values"] as? [[Any]]) ?? [(s["value"] as? [Any]) ?? []]
        return Reference(labels: labels, points: try raw.map(point))
      }
    }

    func point(_ pair: [Any]) throws -> (Timestamp, Double) {
      let t = try #require(pair.first as? Double)
      let v = try #require(pair.last as? String)
      return (
        Timestamp(nanoseconds: Int64((t * 1000).rounded()) * Nanos.millisecond),
        try #require(Double(v))
      )
    }

    func stop() {
      prometheus.stop()
      exporter.stop()
      try? FileManager.default.removeItem(atPath: dir)
    }
  }

  struct Reference {
    var labels: [String: String]
    var points: [(Timestamp, Double)]
  }

  enum FixtureError: Error, CustomStringConvertible {
    case cannotStart(String)
    var description: String {
      switch self {
      case .cannotStart(let why): "Prometheus could not start (Tests/run.sh installs it): \(why)"
      }
    }
  }

  /// The samples and rejections JSON lines become through Vigil's JSON parser.
  static func parse(_ batches: [RecordBatch]) -> (
    samples: [(SeriesKey, Timestamp, Double)], issues: [ParseIssue]
  ) {
    var parser = Parsers.make(.json, mapping: FieldMapping())
    var sink = ParseSink()
    for b in batches {
      for i in 0..<b.count {
        b.withRecord(i) {
          parser.parse($0, line: $1, arrival: Timestamp(nanoseconds: 0), into: &sink)
        }
      }
    }
    return (
      sink.samples.map { (sink.interner.key($0.series), $0.timestamp, $0.value) }, sink.issues
    )
  }

  /// Every sample Vigil made equals Prometheus's value for its query, labels and time, and
  /// every non-finite value Prometheus returned is a `non-finite value` rejection.
  static func expectAgreement(
    vigil: (samples: [(SeriesKey, Timestamp, Double)], issues: [ParseIssue]),
    reference: [String: [Reference]], comment: String, atLeast: Int
  ) {
    var expected: [String: Double] = [:]
    var nonFinite = 0
    for (name, refs) in reference {
      for r in refs {
        for (t, v) in r.points {
          if v.isFinite {
            expected[
              "\(SeriesKey(name, LabelSet(r.labels.map { ($0.key, $0.value) })))@\(t.nanoseconds)"] =
              v
          } else {
            nonFinite += 1
          }
        }
      }
    }
    var got: [String: Double] = [:]
    for (key, t, v) in vigil.samples { got["\(key)@\(t.nanoseconds)"] = v }
    #expect(got.count == vigil.samples.count, "no duplicate samples (\(comment))")
    #expect(got == expected, "\(comment)")
    #expect(vigil.issues.count == nonFinite, "\(comment): \(vigil.issues)")
    #expect(vigil.issues.allSatisfy { $0.reason == .nonFinite }, "\(comment)")
    #expect(expected.count >= atLeast, "enough to compare (\(comment))")
  }

  @Test func vigilReadsWhatPrometheusReturns() throws {
    let f: Fixture
    do {
      f = try Fixture()
      try f.waitForData(scrapes: 5, seconds: 25)
    } catch {
      Issue.record("\(error)")
      return
    }
    defer { f.stop() }
    // A time inside the data, on a whole millisecond as Prometheus stores it.
    let now = SystemClock().now()
    let t = Timestamp(
      nanoseconds: (now.nanoseconds - Nanos.second) / Nanos.millisecond * Nanos.millisecond)

    // Instant queries, through the decoder, the JSON lines and the JSON parser.
    var lines = RecordBatch()
    var reference: [String: [Reference]] = [:]
    for q in Self.queries {
      let r = f.client.instant(q.query, at: t) { series in
        for p in series.points {
          PromSampleLines.line(metric: q.name, labels: series.labels, point: p).withUnsafeBytes {
            lines.append($0, line: lines.count + 1)
          }
        }
      }
      #expect(r.isSuccess, "\(q.name): \(r)")
      reference[q.name] = try f.reference(
        "/api/v1/query", [("query", q.query), ("time", PromAPIDecoder.formatTime(t))])
    }
    #expect(reference["not_a_number"]?.first?.points.first?.1.isNaN == true)
    #expect(reference["infinite"]?.first?.points.first?.1 == .infinity)
    #expect(reference["scalar_temperature"]?.first?.points.first?.1 == 21.5)
    #expect(reference["temperature"]?.first?.labels["room"] == #"a "quoted" \ room"#)
    #expect(reference["request_rate"]?.count == 2)
    Self.expectAgreement(
      vigil: Self.parse([lines]), reference: reference, comment: "instant", atLeast: 5)

    // A range, as history and replay load it.
    let from = t.adding(-3 * Nanos.second)
    let load = f.client.loadRange(Self.queries, from: from, to: t, step: Nanos.second)
    #expect(load.failures.isEmpty, "\(load.failures)")
    #expect(load.step == Nanos.second)
    var rangeReference: [String: [Reference]] = [:]
    for q in Self.queries {
      rangeReference[q.name] = try f.reference(
        "/api/v1/query_range",
        [
          ("query", q.query), ("start", PromAPIDecoder.formatTime(from)),
          ("end", PromAPIDecoder.formatTime(t)), ("step", "1"),
        ])
    }
    #expect(rangeReference["temperature"]?.first?.points.count == 4)
    Self.expectAgreement(
      vigil: Self.parse(load.batches), reference: rangeReference, comment: "range", atLeast: 15)

    // The live source: history, then polls on whole seconds; every value as Prometheus has it.
    let config = PrometheusSourceConfig(
      url: f.url, every: Nanos.second, history: 3 * Nanos.second, queries: Self.queries)
    let spec = FeedSpec(id: FeedID(0), kind: .prometheus, target: f.url, poll: config.poll)
    let inbox = MessageInbox(clock: SystemClock())
    let stop = StopFlag()
    PrometheusAPISource(spec: spec, config: config, clock: SystemClock()).start(
      inbox: inbox, stop: stop)
    var batches: [RecordBatch] = []
    var events: [FeedEvent] = []
    let deadline = monotonicNanos() + 10 * Nanos.second
    while batches.count < 2 && monotonicNanos() < deadline {
      for input in inbox.drain() {
        switch input.payload {
        case .records(let b, let format):
          #expect(format == .json)
          batches.append(b)
        case .event(let e): events.append(e)
        }
      }
      sleepNanoseconds(10 * Nanos.millisecond)
    }
    stop.stop()
    inbox.close()
    #expect(batches.count >= 2, "history and one poll: \(events)")
    #expect(events.contains(.caughtUp))
    #expect(!events.contains { if case .failed = $0 { true } else { false } }, "\(events)")
    let vigil = Self.parse(batches)
    let times = Set(vigil.samples.map(\.1))
    #expect(times.count >= 3, "history points and a live point")
    var sourceReference: [String: [Reference]] = [:]
    for q in Self.queries {
      for time in times.sorted() {
        sourceReference[q.name, default: []] += try f.reference(
          "/api/v1/query", [("query", q.query), ("time", PromAPIDecoder.formatTime(time))])
      }
    }
    Self.expectAgreement(vigil: vigil, reference: sourceReference, comment: "source", atLeast: 15)

    try compareDirectScrape(f)

    // The real server's errors reach feed health with their reason.
    let bad = f.client.instant("rate(vigil_test_requests_total[", at: t) { _ in }
    guard case .failure(let e) = bad else {
      Issue.record("a bad query must fail")
      return
    }
    #expect(e.description.hasPrefix("HTTP 400: bad_data: invalid parameter \"query\": "), "\(e)")
    // F35: too many points is bad_data "exceeded maximum resolution", which the client
    // recognises; the client's own step choice stays within the limit.
    let huge = try f.client.http.get(
      HTTPURL.parse(f.url).get().appendingPath("/api/v1/query_range"),
      query: [("query", "up"), ("start", "0"), ("end", "20000"), ("step", "1")]
    ).get()
    let decoded = PromAPIDecoder.decode(status: huge.status, body: huge.body) { _ in }
    guard case .failure(let limit) = decoded else {
      Issue.record("20,001 points must be refused")
      return
    }
    #expect(limit.isResolutionLimit, "\(limit)")
    let wide = f.client.range(
      "up", start: t.adding(-6 * Nanos.hour), end: t, step: 100 * Nanos.millisecond
    ) { _ in }
    let step = try wide.get()
    #expect(6 * Nanos.hour / step + 1 <= 11_000)
  }

  /// Vigil scrapes the same exporter itself (ScrapeSource, the Prometheus text parser): the
  /// gauge is Prometheus's value, counter increases over Vigil's own scrapes give Prometheus's
  /// rate, the histogram's windowed percentiles and exact mean give `histogram_quantile` and
  /// `rate(_sum)/rate(_count)`. The two scrape at different instants, so rates and quantiles
  /// agree within what the exporter's 1 ms steps and the scrape latencies allow (2 %), and the
  /// histogram within the parser's documented bucket-width/8.
  func compareDirectScrape(_ f: Fixture) throws {
    // Both formats at once: /metrics in text 0.0.4, /openmetrics in OpenMetrics.
    let inbox = MessageInbox(clock: SystemClock())
    let stop = StopFlag()
    let paths: [(String, FeedFormat)] = [("/metrics", .prometheus), ("/openmetrics", .openmetrics)]
    for (i, (path, _)) in paths.enumerated() {
      let spec = FeedSpec(
        id: FeedID(i), kind: .scrape, target: "http://127.0.0.1:\(f.exporter.port)\(path)",
        poll: PollSettings(every: Nanos.second))
      ScrapeSource(spec: spec, clock: SystemClock()).start(inbox: inbox, stop: stop)
    }
    var bodies: [[(RecordBatch, FeedFormat, Timestamp)]] = [[], []]
    let deadline = monotonicNanos() + 10 * Nanos.second
    while bodies.contains(where: { $0.count < 4 }) && monotonicNanos() < deadline {
      for input in inbox.drain() {
        if case .records(let b, let format) = input.payload {
          bodies[input.feed.rawValue].append((b, format, input.arrival))
        }
      }
      sleepNanoseconds(10 * Nanos.millisecond)
    }
    stop.stop()
    inbox.close()
    for (i, (path, format)) in paths.enumerated() {
      #expect(bodies[i].count >= 4, "four scrapes of \(path)")
      #expect(bodies[i].allSatisfy { $0.1 == format }, "\(path) is \(format)")
      try compareScrapes(Array(bodies[i].prefix(4)), format: format, f)
    }
  }

  func compareScrapes(
    _ bodies: [(RecordBatch, FeedFormat, Timestamp)], format: FeedFormat, _ f: Fixture
  ) throws {
    guard bodies.count >= 2, let first = bodies.first?.2, let last = bodies.last?.2 else { return }
    var parser = Parsers.make(format, mapping: FieldMapping())
    var sink = ParseSink()
    var store = MetricStore()
    for (batch, _, arrival) in bodies {
      batch.withRecord(0) { parser.parse($0, line: $1, arrival: arrival, into: &sink) }
      for sample in sink.samples { _ = store.ingest(sample, now: last) }
      sink.samples.removeAll()
    }
    #expect(sink.issues.isEmpty, "\(sink.issues)")
    let at = PromAPIDecoder.formatTime(last)
    func prometheus(_ query: String) throws -> [Reference] {
      try f.reference("/api/v1/query", [("query", query), ("time", at)])
    }
    func vigil(_ metric: String, _ labels: LabelSet = LabelSet()) throws -> WindowStats {
      let id = try #require(sink.interner.lookup(SeriesKey(metric, labels)), "\(metric)\(labels)")
      return store.stats(id, window: Nanos.minute, at: last)
    }
    func close(_ a: Double?, _ b: Double?, _ tolerance: Double) -> Bool {
      guard let a, let b else { return false }
      return abs(a - b) <= tolerance * max(abs(a), abs(b))
    }
    let room: LabelSet = ["room": #"a "quoted" \ room"#]
    let gauge = try prometheus("vigil_test_temperature")
    #expect(gauge.first?.points.first?.1 == 21.5)
    #expect(try vigil("vigil_test_temperature", room).last == gauge.first?.points.first?.1)
    // Counters: the increases Vigil took from its own scrapes, over the span they cover.
    let span = Double(last.since(first)) / 1e9
    for code in ["200", "500"] {
      let increase = try vigil("vigil_test_requests_total", ["code": code]).sum
      let theirs = try prometheus("rate(vigil_test_requests_total{code=\"\(code)\"}[3s])")
      #expect(
        close(increase / span, theirs.first?.points.first?.1, 0.02),
        "code \(code): Vigil \(increase / span)/s, Prometheus \(String(describing: theirs.first?.points.first?.1))/s"
      )
    }
    // Histograms: windowed percentiles from bucket increases, and the exact mean.
    let latency = try vigil("vigil_test_latency_seconds")
    for (q, mine) in [(0.5, latency.p50), (0.9, latency.p90)] {
      let theirs = try prometheus(
        "histogram_quantile(\(q), rate(vigil_test_latency_seconds_bucket[3s]))"
      ).first?.points.first?.1
      #expect(
        theirs != nil && mine != nil
          && abs((mine ?? 0) - (theirs ?? 0)) <= 0.5 / 8 + 0.01 * (theirs ?? 0),
        "p\(Int(q * 100)): Vigil \(String(describing: mine)), Prometheus \(String(describing: theirs))"
      )
    }
    let mean =
      try vigil("vigil_test_latency_seconds_sum").sum
      / vigil("vigil_test_latency_seconds_count").sum
    let theirMean = try prometheus(
      "rate(vigil_test_latency_seconds_sum[3s]) / rate(vigil_test_latency_seconds_count[3s])"
    ).first?.points.first?.1
    #expect(
      close(mean, theirMean, 1e-9),
      "mean: Vigil \(mean), Prometheus \(String(describing: theirMean))")
  }
}

extension Result {
  fileprivate var isSuccess: Bool {
    if case .success = self { return true }
    return false
  }
}
