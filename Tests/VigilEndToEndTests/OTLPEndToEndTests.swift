import Foundation
import Testing
import VigilTestSupport

/// OpenTelemetry metrics from the real Python SDK (Tests/otel/send_metrics.py, in the virtual
/// environment Tests/run.sh makes) into `vigil watch --otlp`, over both OTLP/HTTP exporters:
/// every instrument kind arrives, and the values rules read equal what was recorded.
@Suite(.serialized) struct OTLPEndToEndTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  static var python: String {
    ProcessInfo.processInfo.environment["VIGIL_OTEL_PYTHON"] ?? root + "/.venv-otel/bin/python"
  }

  @Test(arguments: ["proto", "json"])
  func everyInstrumentKindArrivesWithItsValues(exporter: String) throws {
    let dir = NSTemporaryDirectory() + "vigil-otlp-e2e-\(getpid())-\(exporter)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // One rule per instrument that fires at once with the value it reads.
    try """
    evaluation_interval: 1s
    rules:
      - {alert: Orders, metric: orders.placed, select: {channel: web}, aggregate: sum, window: 5m, op: ">", threshold: -1}
      - {alert: Depth, metric: queue.depth, aggregate: last, window: 5m, op: ">", threshold: -1}
      - {alert: Ratio, metric: inventory.mismatch.ratio, aggregate: last, window: 5m, op: ">", threshold: -1}
      - {alert: Http, metric: http.server.request.duration, select: {http.route: /pay}, aggregate: p50, window: 5m, op: ">", threshold: -1}
      - {alert: Checkout, metric: checkout.duration, aggregate: p99, window: 5m, op: ">", threshold: -1}
    """.write(toFile: dir + "/rules.yaml", atomically: true, encoding: .utf8)
    let port = freeLoopbackPort()
    guard
      let vigil = BackgroundProcess(
        [vigilBinary(), "watch", "--otlp", "127.0.0.1:\(port)", "--rules", dir + "/rules.yaml"],
        logPath: dir + "/watch.out")
    else { throw OTLPFailure("cannot spawn vigil watch") }
    defer { vigil.stop() }
    var sent: (status: Int32, stdout: String, stderr: String) = (1, "", "")
    for _ in 0..<50 where sent.status != 0 {
      usleep(100_000)
      let r = spawnAndWait(
        [
          Self.python, Self.root + "/Tests/otel/send_metrics.py", "http://127.0.0.1:\(port)",
          exporter,
        ])
      sent = (r.status, r.stdout, r.stderr)
      if !sent.stderr.contains("Connection refused") && !sent.stderr.contains("Failed to export") {
        break
      }
    }
    try #require(
      sent.status == 0 && sent.stdout.contains("sent"),
      "the SDK (Tests/run.sh installs it in .venv-otel): \(sent.stderr)")
    // Each rule's first firing, by name.
    var values: [String: Double] = [:]
    var labels: [String: [String: String]] = [:]
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline && values.count < 5 {
      usleep(200_000)
      let out = (try? String(contentsOfFile: dir + "/watch.out", encoding: .utf8)) ?? ""
      for line in out.split(separator: "\n") where line.contains("\"to\":\"firing\"") {
        guard
          let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let rule = o["rule"] as? String, let v = o["value"] as? Double
        else { continue }
        values[rule] = v
        labels[rule] = o["labels"] as? [String: String]
      }
    }
    #expect(values.count == 5, "\(vigil.logTail())")
    // A cumulative counter with its start time: its whole value (40 + 2).
    #expect(values["Orders"] == 42)
    // An up-down counter's level, a gauge's value.
    #expect(values["Depth"] == 7)
    #expect(values["Ratio"] == 0.25)
    // Explicit buckets of 0.1: the median of 0.005 ... 0.995 within its bucket's interpolation.
    #expect(abs((values["Http"] ?? 0) - 0.5) < 0.02, "\(values)")
    // The exponential histogram's p99 of 1 ... 1000 (990) within D46's bound at the SDK's scale.
    #expect(abs((values["Checkout"] ?? 0) - 990) / 990 < 0.05, "\(values)")
    // service.name became `service`; the other resource attributes did not become labels.
    #expect(labels["Orders"]?["service"] == "payment")
    #expect(labels["Orders"]?["host.name"] == nil)
    #expect(labels["Http"]?["http.route"] == "/pay")
  }

  @Test func theReceiverAnswersAsTheSpecificationSays() throws {
    let port = freeLoopbackPort()
    let dir = NSTemporaryDirectory() + "vigil-otlp-http-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    guard
      let vigil = BackgroundProcess(
        [vigilBinary(), "watch", "--otlp", String(port)], logPath: dir + "/watch.out")
    else { throw OTLPFailure("cannot spawn vigil watch") }
    defer { vigil.stop() }
    // curl is not assumed: the SDK's Python has urllib.
    let script = """
      import gzip, json, sys, urllib.request
      base = sys.argv[1]
      def post(path, body, ctype, enc=None, method="POST"):
          req = urllib.request.Request(base + path, data=body, method=method)
          req.add_header("Content-Type", ctype)
          if enc: req.add_header("Content-Encoding", enc)
          try:
              with urllib.request.urlopen(req) as r: return r.status, r.read()
          except urllib.error.HTTPError as e: return e.code, e.read()
      good = json.dumps({"resourceMetrics": [{"scopeMetrics": [{"metrics": [
          {"name": "g", "gauge": {"dataPoints": [{"asDouble": 1}, {"asDouble": "NaN"}]}}]}]}]}).encode()
      print(post("/v1/metrics", good, "application/json"))
      print(post("/v1/metrics", gzip.compress(good), "application/json", "gzip"))
      print(post("/v1/metrics", b"{nope", "application/json"))
      print(post("/v1/metrics", b"\\x0a\\xff", "application/x-protobuf"))
      print(post("/v1/traces", good, "application/json"))
      print(post("/v1/metrics", good, "text/plain"))
      """
    try script.write(toFile: dir + "/post.py", atomically: true, encoding: .utf8)
    var out = ""
    for _ in 0..<50 where !out.contains("200") {
      usleep(100_000)
      out = spawnAndWait([Self.python, dir + "/post.py", "http://127.0.0.1:\(port)"]).stdout
    }
    let lines = out.split(separator: "\n").map(String.init)
    try #require(lines.count == 6, "\(out)")
    // 200 with partial success: the NaN point is rejected, the other taken.
    #expect(
      lines[0].hasPrefix("(200,") && lines[0].contains(#""rejectedDataPoints":"1""#), "\(out)")
    #expect(lines[1].hasPrefix("(200,"), "\(out)")
    #expect(lines[2].hasPrefix("(400,") && lines[2].contains("not an OTLP JSON"), "\(out)")
    #expect(lines[3].hasPrefix("(400,"), "\(out)")
    #expect(lines[4].hasPrefix("(404,"), "\(out)")
    #expect(lines[5].hasPrefix("(415,"), "\(out)")
  }
}

struct OTLPFailure: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}
