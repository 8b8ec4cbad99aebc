import Synchronization
import Testing
import VigilTestSupport

@testable import VigilCore

/// Runs a source on its thread and collects what reaches the inbox.
final class InboxCollector: @unchecked Sendable {
  // Safe: only the test's thread reads these; the source thread only calls `send`.
  let inbox = MessageInbox(clock: SystemClock())
  let stop = StopFlag()
  var inputs: [FeedInput] = []

  init(_ source: any FeedSource) { source.start(inbox: inbox, stop: stop) }

  var events: [FeedEvent] {
    inputs.compactMap {
      if case .event(let e) = $0.payload { return e }
      return nil
    }
  }

  /// Records with their formats, in arrival order.
  var records: [(String, FeedFormat)] {
    inputs.flatMap { input -> [(String, FeedFormat)] in
      guard case .records(let b, let f) = input.payload else { return [] }
      return (0..<b.count).map { (String(decoding: b.record($0), as: UTF8.self), f) }
    }
  }

  /// Collects until `predicate` holds or `seconds` pass.
  func collect(seconds: Double = 5, until predicate: (InboxCollector) -> Bool) {
    let deadline = monotonicNanos() + Int64(clamping: seconds * 1e9)
    while monotonicNanos() < deadline {
      inputs += inbox.drain()
      if predicate(self) { return }
      sleepNanoseconds(2 * Nanos.millisecond)
    }
  }

  func finish() {
    stop.stop()
    inbox.close()
  }
}

@Suite struct ScrapeSourceTests {
  func spec(_ url: String, every: Int64 = 50 * Nanos.millisecond, timeout: Int64? = nil) -> FeedSpec
  {
    FeedSpec(
      id: FeedID(3), kind: .scrape, target: url, poll: PollSettings(every: every, timeout: timeout))
  }

  @Test func formatFollowsTheContentTypeAndTheBodyIsOneRecord() throws {
    let n = Atomic<Int>(0)
    let server = try LoopbackHTTPServer { _ in
      let k = n.add(1, ordering: .relaxed).newValue
      return k == 1
        ? [
          .send(
            LoopbackHTTPServer.response(
              headers: [
                ("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")
              ],
              body: "# TYPE a counter\na_total 1\n# EOF\n"))
        ]
        : [
          .send(
            LoopbackHTTPServer.response(
              headers: [("Content-Type", "text/plain; version=0.0.4")], body: "a_total 2\nb 3\n"))
        ]
    }
    defer { server.stop() }
    let c = InboxCollector(
      ScrapeSource(spec: spec("http://127.0.0.1:\(server.port)/metrics"), clock: SystemClock()))
    defer { c.finish() }
    c.collect { $0.records.count >= 2 }
    let records = c.records
    #expect(records.count >= 2)
    #expect(records[0].0 == "# TYPE a counter\na_total 1\n# EOF\n")
    #expect(records[0].1 == .openmetrics)
    #expect(records[1].0 == "a_total 2\nb 3\n")
    #expect(records[1].1 == .prometheus)
    // Each body comes right after its fetched event; the first scrape settles the feed.
    let kinds = c.inputs.prefix(5).map { input -> String in
      switch input.payload {
      case .records: return "records"
      case .event(.fetched(_, let bytes)): return "fetched \(bytes)"
      case .event(let e): return "\(e)"
      }
    }
    #expect(kinds == ["fetched 33", "records", "caughtUp", "fetched 14", "records"])
    let request = try #require(server.requests.first)
    #expect(request.headers["accept"] == ScrapeSource.accept)
    #expect(
      request.headers["accept"]
        == "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
    #expect(request.headers["x-prometheus-scrape-timeout-seconds"] == "0.05")
    #expect(request.path == "/metrics")
  }

  @Test func failuresCarryTheReasonAndASuccessEndsThem() throws {
    let n = Atomic<Int>(0)
    let server = try LoopbackHTTPServer { _ in
      switch n.add(1, ordering: .relaxed).newValue {
      case 1:
        return [
          .send(
            LoopbackHTTPServer.response(status: 503, reason: "Service Unavailable", body: "busy"))
        ]
      case 2:
        return [
          .send(
            LoopbackHTTPServer.response(headers: [("Content-Type", "text/html")], body: "<html>"))
        ]
      case 3:
        return [
          .send(
            Array("HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n".utf8)
              + [UInt8](repeating: 0x61, count: 999))
        ]
      case 4: return [.pause(milliseconds: 400)]
      default: return [.send(LoopbackHTTPServer.response(body: "up 1\n"))]
      }
    }
    defer { server.stop() }
    let source = ScrapeSource(
      spec: spec(
        "http://127.0.0.1:\(server.port)/m", every: 20 * Nanos.millisecond,
        timeout: 150 * Nanos.millisecond),
      clock: SystemClock(), maxBodyBytes: 512)
    let c = InboxCollector(source)
    defer { c.finish() }
    c.collect { !$0.records.isEmpty }
    let failures = c.events.compactMap { e -> String? in
      if case .failed(let why) = e { return why }
      return nil
    }
    #expect(failures.count == 4)
    if failures.count == 4 {
      #expect(failures[0] == "HTTP 503 Service Unavailable")
      #expect(failures[1].hasPrefix("unsupported Content-Type text/html"))
      #expect(failures[2] == "response body over the 512 B limit")
      #expect(failures[3].hasPrefix("timed out after 150ms waiting for the response"))
    }
    guard case .fetched = c.events.last else {
      Issue.record("a good scrape after failures sends fetched")
      return
    }
    #expect(c.records.map(\.0) == ["up 1\n"])
  }

  @Test func refusedConnectionIsAFailure() throws {
    let server = try LoopbackHTTPServer { _ in [] }
    let port = server.port
    server.stop()
    sleepNanoseconds(100 * Nanos.millisecond)
    let c = InboxCollector(
      ScrapeSource(spec: spec("http://127.0.0.1:\(port)/metrics"), clock: SystemClock()))
    defer { c.finish() }
    c.collect { $0.events.count >= 2 }
    guard case .failed(let why) = c.events.first else {
      Issue.record("expected a failure, got \(c.events)")
      return
    }
    #expect(why == "connection refused (127.0.0.1:\(port))")
    #expect(c.events.contains(.caughtUp))
  }

  @Test func ticksAreMultiplesOfTheInterval() {
    let every = 5 * Nanos.second
    #expect(nextTick(after: Timestamp.seconds(12), every: every) == Timestamp.seconds(15))
    #expect(nextTick(after: Timestamp.seconds(15), every: every) == Timestamp.seconds(20))
    #expect(nextTick(after: Timestamp(nanoseconds: -1), every: every) == Timestamp.seconds(0))
  }
}

/// A fake Prometheus API: `a` returns two series whose values are functions of the evaluation
/// time; `nan` a NaN; `bad` an HTTP 422; range queries are limited to `maxPoints` points.
final class FakePrometheus: Sendable {
  let server: LoopbackHTTPServer
  var url: String { "http://127.0.0.1:\(server.port)" }

  init(maxPoints: Int = 11_000) throws {
    server = try LoopbackHTTPServer { r in
      let q = r.query
      func ok(_ type: String, _ result: String) -> [LoopbackHTTPServer.Step] {
        [
          .send(
            LoopbackHTTPServer.response(
              headers: [("Content-Type", "application/json")],
              body: #"{"status":"success","data":{"resultType":"\#(type)","result":[\#(result)]}}"#)
          )
        ]
      }
      func error(_ status: Int, _ type: String, _ message: String) -> [LoopbackHTTPServer.Step] {
        [
          .send(
            LoopbackHTTPServer.response(
              status: status, reason: "Err",
              body: #"{"status":"error","errorType":"\#(type)","error":"\#(message)"}"#))
        ]
      }
      func series(_ t: Int64, _ query: String) -> [(String, String)] {
        switch query {
        case "a":
          return [
            (#"{"__name__":"a","host":"x"}"#, "\(t % 1000)"),
            (#"{"host":"y\"q"}"#, "\(2 * (t % 1000))"),
          ]
        case "nan": return [("{}", "NaN")]
        default: return []
        }
      }
      let query = q["query"] ?? ""
      if query == "bad" { return error(422, "execution", "boom") }
      if r.path == "/api/v1/query" {
        guard let time = q["time"].flatMap(PromAPIDecoder.parseTime) else {
          return error(400, "bad_data", "no time")
        }
        let t = time.nanoseconds / Nanos.second
        let ts = PromAPIDecoder.formatTime(time)
        return ok(
          "vector",
          series(t, query).map { #"{"metric":\#($0.0),"value":[\#(ts),"\#($0.1)"]}"# }.joined(
            separator: ","))
      }
      guard r.path == "/api/v1/query_range",
        let start = q["start"].flatMap(PromAPIDecoder.parseTime),
        let end = q["end"].flatMap(PromAPIDecoder.parseTime),
        let step = q["step"].flatMap(PromAPIDecoder.parseTime)?.nanoseconds, step > 0
      else { return error(400, "bad_data", "bad range") }
      if end.since(start) / step + 1 > Int64(maxPoints) {
        return error(
          400, "bad_data",
          "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
        )
      }
      var times: [Timestamp] = []
      var t = start
      while t <= end {
        times.append(t)
        t = t.adding(step)
      }
      let byLabels = times.flatMap { time in
        series(time.nanoseconds / Nanos.second, query).map { ($0.0, time, $0.1) }
      }
      let grouped = Dictionary(grouping: byLabels, by: { $0.0 })
      let result = grouped.keys.sorted().map { labels in
        let values = (grouped[labels] ?? []).map {
          #"[\#(PromAPIDecoder.formatTime($0.1)),"\#($0.2)"]"#
        }
        .joined(separator: ",")
        return #"{"metric":\#(labels),"values":[\#(values)]}"#
      }
      return ok("matrix", result.joined(separator: ","))
    }
  }

  func stop() { server.stop() }
}

@Suite struct PrometheusAPISourceTests {
  @Test func rangeRaisesTheStepWhenTheServerRefusesTheResolution() throws {
    let fake = try FakePrometheus(maxPoints: 100)
    defer { fake.stop() }
    let client = PrometheusClient(base: try HTTPURL.parse(fake.url).get())
    var points = 0
    let r = client.range(
      "a", start: Timestamp.seconds(1000), end: Timestamp.seconds(1000 + 999), step: Nanos.second
    ) { points += $0.points.count }
    // 1 s → 2 s → 4 s → 8 s → 16 s: 999/16 + 1 = 63 points ≤ 100.
    #expect(try r.get() == 16 * Nanos.second)
    #expect(points == 2 * 63)
    #expect(fake.server.requests.map { $0.query["step"] ?? "" } == ["1", "2", "4", "8", "16"])
  }

  @Test func loadRangeIsTimeOrderedAndKeepsTheOtherQueriesOnAFailure() throws {
    let fake = try FakePrometheus()
    defer { fake.stop() }
    let client = PrometheusClient(base: try HTTPURL.parse(fake.url + "/").get())
    let queries = [
      PrometheusQuery(name: "first", query: "a"), PrometheusQuery(name: "broken", query: "bad"),
      PrometheusQuery(name: "gap", query: "nan"),
    ]
    let load = client.loadRange(
      queries, from: Timestamp.seconds(100), to: Timestamp.seconds(130), step: 15 * Nanos.second,
      firstLine: 7)
    #expect(load.failures.count == 1)
    #expect(load.failures.first?.name == "broken")
    #expect(load.failures.first?.reason == "HTTP 422: execution: boom")
    #expect(load.step == 15 * Nanos.second)
    #expect(load.lines == 9)
    let batch = try #require(load.batches.first)
    let lines = (0..<batch.count).map { String(decoding: batch.record($0), as: UTF8.self) }
    #expect(batch.lines == Array(7..<16))
    #expect(
      lines.prefix(3) == [
        #"{"ts":"1970-01-01T00:01:40.000Z","metric":"first","value":100.0,"labels":{"host":"x"}}"#,
        #"{"ts":"1970-01-01T00:01:40.000Z","metric":"first","value":200.0,"labels":{"host":"y\"q"}}"#,
        #"{"ts":"1970-01-01T00:01:40.000Z","metric":"gap","value":"NaN"}"#,
      ])
    #expect(lines.last == #"{"ts":"1970-01-01T00:02:10.000Z","metric":"gap","value":"NaN"}"#)
    let newestFirst = client.loadRange(
      queries, from: Timestamp.seconds(100), to: Timestamp.seconds(130), step: 15 * Nanos.second,
      newestFirst: true)
    let nf = try #require(newestFirst.batches.first)
    let times = (0..<nf.count).map {
      String(decoding: nf.record($0), as: UTF8.self).dropFirst(7).prefix(24)
    }
    #expect(times.prefix(3).allSatisfy { $0 == "1970-01-01T00:02:10.000Z" })
    #expect(times[3] == "1970-01-01T00:01:40.000Z")
    #expect(newestFirst.newest == Timestamp.seconds(130))
  }

  @Test func sourceLoadsHistoryThenPollsOnTicks() throws {
    let fake = try FakePrometheus()
    defer { fake.stop() }
    let config = PrometheusSourceConfig(
      url: fake.url, every: Nanos.second, history: 5 * Nanos.second,
      queries: [
        PrometheusQuery(name: "fleet", query: "a"), PrometheusQuery(name: "broken", query: "bad"),
      ])
    let spec = FeedSpec(id: FeedID(1), kind: .prometheus, target: fake.url, poll: config.poll)
    let c = InboxCollector(PrometheusAPISource(spec: spec, config: config, clock: SystemClock()))
    defer { c.finish() }
    c.collect {
      $0.inputs.filter { if case .records = $0.payload { true } else { false } }.count >= 2
    }
    // History: points 1 s apart inside the last 5 s, newest first, then caught up, then polls.
    let history = c.inputs.compactMap { input -> RecordBatch? in
      if case .records(let b, .json) = input.payload { return b }
      return nil
    }
    #expect(history.count >= 2)
    guard history.count >= 2 else { return }
    let firstTimes = (0..<history[0].count).map {
      PromAPIDecoder.parseTime(timeField(history[0].record($0)))?.nanoseconds ?? 0
    }
    #expect(history[0].count == 8, "4 points x 2 series")
    #expect(firstTimes[0] == firstTimes[1])
    #expect(firstTimes[0] == firstTimes.max(), "the newest time first")
    #expect(Array(firstTimes.dropFirst(2)) == firstTimes.dropFirst(2).sorted(), "then in order")
    #expect(Set(firstTimes).count == 4)
    #expect(history[1].count == 2, "one poll: two series of fleet")
    #expect(history[1].lines == [9, 10])
    let polls = fake.server.requests.filter {
      $0.path == "/api/v1/query" && $0.query["query"] == "a"
    }
    for p in polls {
      let t = try #require(p.query["time"].flatMap(PromAPIDecoder.parseTime))
      #expect(t.nanoseconds % Nanos.second == 0, "polls evaluate on whole ticks")
    }
    let events = c.events
    #expect(events.contains(.caughtUp))
    #expect(events.contains(.failed("broken: HTTP 422: execution: boom")))
  }
}

/// The `ts` value of a JSON line written by PromSampleLines, as decimal seconds.
private func timeField(_ line: [UInt8]) -> String {
  let iso = String(decoding: line, as: UTF8.self).dropFirst(7).prefix(24)
  var parser = Parsers.make(.json, mapping: FieldMapping())
  var sink = ParseSink()
  Array(#"{"ts":"\#(iso)","metric":"m","value":1}"#.utf8).withUnsafeBytes {
    parser.parse($0, line: 1, arrival: Timestamp(nanoseconds: 0), into: &sink)
  }
  return sink.samples.first.map { PromAPIDecoder.formatTime($0.timestamp) } ?? ""
}
