import Testing
import VigilTestSupport

/// The real binary with `--prometheus` and `--scrape`, headless, against loopback servers.
@Suite(.serialized) struct NetFeedsEndToEndTests {
  /// A Prometheus API that answers every instant query with two series and every range query
  /// with three points of them, at the times asked for.
  func fakeAPI() throws -> LoopbackHTTPServer {
    try LoopbackHTTPServer { r in
      let q = r.query
      var result: [String] = []
      if r.path == "/api/v1/query", let time = q["time"] {
        result = [
          #"{"metric":{"region":"eu"},"value":[\#(time),"0.25"]}"#,
          #"{"metric":{"region":"us"},"value":[\#(time),"NaN"]}"#,
        ]
        return [.send(Self.ok("vector", result))]
      }
      guard r.path == "/api/v1/query_range", let end = q["end"], let endSeconds = Double(end),
        let step = q["step"].flatMap(Double.init)
      else {
        return [
          .send(
            LoopbackHTTPServer.response(
              status: 400, reason: "Bad Request",
              body: #"{"status":"error","errorType":"bad_data","error":"bad request"}"#))
        ]
      }
      let points = (0..<3).map { k in #"[\#(endSeconds - Double(2 - k) * step),"0.5"]"# }
      result = [#"{"metric":{"region":"eu"},"values":[\#(points.joined(separator: ","))]}"#]
      return [.send(Self.ok("matrix", result))]
    }
  }

  static func ok(_ type: String, _ result: [String]) -> [UInt8] {
    LoopbackHTTPServer.response(
      headers: [("Content-Type", "application/json")],
      body:
        #"{"status":"success","data":{"resultType":"\#(type)","result":[\#(result.joined(separator: ","))]}}"#
    )
  }

  @Test func prometheusQueriesBecomeSeriesOnScreen() throws {
    let server = try fakeAPI()
    defer { server.stop() }
    let (status, out, err) = try runVigil([
      "--headless", "--frames", "1", "--size", "120x40", "--prometheus",
      "http://127.0.0.1:\(server.port)", "--query", "fleet_p99_seconds=histogram_quantile(0.99, x)",
      "--history", "1m", "--prometheus-every", "15s",
    ])
    #expect(status == 0, "\(err)")
    #expect(out.contains(#"fleet_p99_seconds{region="eu"}"#), "\(out)")
    #expect(out.contains("feeds 1/1 ok"), "\(out)")
    let range = try #require(server.requests.first { $0.path == "/api/v1/query_range" })
    #expect(range.query["query"] == "histogram_quantile(0.99, x)")
    #expect(range.query["step"] == "15")
  }

  @Test func aRefusedScrapeIsShownAsFailing() throws {
    let closed = try LoopbackHTTPServer { _ in [] }
    let port = closed.port
    closed.stop()
    let (status, out, err) = try runVigil([
      "--headless", "--frames", "1", "--size", "100x30", "--scrape",
      "http://127.0.0.1:\(port)/metrics", "--every", "1s",
    ])
    #expect(status == 0, "\(err)")
    #expect(out.contains("feeds 0/1 ok, 127.0.0.1:\(port) failing"), "\(out)")
  }

  @Test(arguments: [
    (
      ["--scrape", "https://x/metrics", "--basic-auth-password-file", "p"],
      "a basic auth password needs a user"
    ),
    (["--scrape", "https://x/metrics", "--http-header", "X-Org"], "a header is NAME: VALUE"),
    (
      [
        "--scrape", "http://a", "--scrape", "http://b", "--every", "1s", "--every", "2s", "--every",
        "3s",
      ], "give --every once, or once per --scrape"
    ),
    (["--scrape", "http://a", "--every", "soon"], "--every: \"soon\" is not a duration"),
    (["--query", "a=up"], "--query needs --prometheus URL"),
    (["--prometheus", "http://p:9090"], "--prometheus needs queries"),
    (["--prometheus", "http://p:9090", "--query", "9a=up"], "is not a metric name"),
    (["--prometheus", "http://p:9090", "--query", "up"], "expected NAME=PROMQL"),
  ])
  func badFlagsAreUsageErrors(args: [String], message: String) throws {
    let (status, _, err) = try runVigil(["--headless"] + args)
    #expect(status == 64, "\(err)")
    #expect(err.contains(message), "\(err)")
  }
}
