import Foundation
import Testing
import VigilTestSupport

/// `vigil replay --prometheus` and `vigil report --prometheus` against a real Prometheus whose
/// storage was filled with `promtool tsdb create-blocks-from openmetrics` with a known incident:
/// a checkout p99 gauge at 0.8 s for two hours, except 5.2 s from minute 30 to minute 50.
@Suite(.serialized) struct PrometheusReplayEndToEndTests {
  /// A Prometheus serving the backfilled incident, and the incident's first second.
  final class Server: @unchecked Sendable {
    let process: BackgroundProcess
    let url: String
    let dir: String
    let start: Int

    init() throws {
      dir = "/tmp/vigil-promreplay-e2e-\(getpid())"
      try? FileManager.default.removeItem(atPath: dir)
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      // Five hours ago, on a whole minute: inside the default retention, clear of the head block.
      start = (Int(Date().timeIntervalSince1970) - 5 * 3600) / 60 * 60
      var om = "# TYPE shop_checkout_ms gauge\n"
      for i in stride(from: 0, to: 7200, by: 10) {
        let v = (1800..<3000).contains(i) ? 5200.0 : 800.0 + Double(i % 70)
        om += "shop_checkout_ms{stage=\"total\"} \(v) \(start + i)\n"
      }
      om += "# EOF\n"
      try om.write(toFile: dir + "/data.om", atomically: true, encoding: .utf8)
      let backfill = spawnAndWait([
        "promtool", "tsdb", "create-blocks-from", "openmetrics", dir + "/data.om", dir + "/data",
      ])
      guard backfill.status == 0 else {
        throw Failure("promtool failed (Tests/run.sh installs prometheus): \(backfill.stderr)")
      }
      try "global:\n  scrape_interval: 15s\n".write(
        toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
      let port = freeLoopbackPort()
      url = "http://127.0.0.1:\(port)"
      // The suite shares one server; `timeout` only bounds an orphan. On a loaded machine the
      // suite outlived 300 s and its last tests met a closed port, so it gets 20 minutes.
      guard
        let p = BackgroundProcess(
          [
            "timeout", "1200", "prometheus", "--config.file=\(dir)/prometheus.yml",
            "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(port)",
            "--log.level=warn",
          ], logPath: dir + "/prometheus.log")
      else { throw Failure("cannot spawn prometheus") }
      process = p
      // Ready when the backfilled series answers.
      for _ in 0..<300 {
        let r = spawnAndWait([
          vigilBinary(), "replay", "--prometheus", url, "--query", "n=shop_checkout_ms",
          "--from", "\(start)", "--to", "\(start + 60)", "--headless",
        ])
        if r.status == 0 { return }
        guard process.isRunning else { throw Failure("prometheus exited: \(process.logTail())") }
        usleep(100_000)
      }
      throw Failure("prometheus did not serve the backfilled data: \(process.logTail())")
    }

    func stop() {
      process.stop()
      try? FileManager.default.removeItem(atPath: dir)
    }

    /// The flags that load the incident's two hours.
    var range: [String] {
      [
        "--prometheus", url, "--query", "checkout_latency_ms=shop_checkout_ms", "--from",
        "\(start)", "--to", "\(start + 7200)",
      ]
    }

    func time(_ offset: Int) -> String {
      let f = ISO8601DateFormatter()
      return f.string(from: Date(timeIntervalSince1970: Double(start + offset)))
    }
  }

  static let server = Result { try Server() }

  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }

  /// The default checkout rule (p99 over 5m > 3 s for 3m) over the range: pending when the
  /// first 5.2 s point arrives, firing 3 minutes later, resolved when the last 5.2 s point
  /// (minute 49:50) leaves the 5-minute window. No FeedStale for the signals not queried.
  @Test func replayRecomputesTheIncidentFromPrometheus() throws {
    let s = try Self.server.get()
    let saved = s.dir + "/saved.incident.jsonl.gz"
    let (status, out, err) = try runVigil(
      ["replay"] + s.range + ["--headless", "--transitions", "--save", saved])
    #expect(status == 0, "\(err)")
    let lines = out.split(separator: "\n").map(String.init)
    let expected = [
      (s.time(1800), "inactive", "pending"), (s.time(1980), "pending", "firing"),
      (s.time(3290), "firing", "resolved"),
    ]
    #expect(lines.count == expected.count, "\(out)")
    for (line, e) in zip(lines, expected) {
      #expect(line.contains("\"t\":\"\(e.0)\""), "\(line) at \(e.0)")
      #expect(line.contains("\"rule\":\"CheckoutLatencyP99High\""), "\(line)")
      #expect(line.contains("\"from\":\"\(e.1)\",\"to\":\"\(e.2)\""), "\(line)")
    }
    #expect(err.contains("3 transitions recomputed, 3 recorded; all identical"), "\(err)")

    // The saved range is an ordinary recording: it replays to the same transitions.
    let again = try runVigil(["replay", saved, "--headless", "--transitions"])
    #expect(again.0 == 0, "\(again.2)")
    #expect(again.1 == out)
    // ... compressed, as its name asks, and a report of it lands beside it without `.gz`.
    let head = try #require(FileManager.default.contents(atPath: saved))
    #expect(head.prefix(2) == Data([0x1F, 0x8B]))
    let report = try runVigil(["report", saved])
    #expect(report.0 == 0, "\(report.2)")
    #expect(FileManager.default.fileExists(atPath: s.dir + "/saved.incident.html"), "\(report.2)")
  }

  @Test func reportFromPrometheusHasTheEpisode() throws {
    let s = try Self.server.get()
    let (status, out, err) = try runVigil(
      ["report"] + s.range + ["--format", "md", "--out", "-", "--title", "Checkout slowdown"])
    #expect(status == 0, "\(err)")
    #expect(out.hasPrefix("# Checkout slowdown"), "\(out.prefix(200))")
    #expect(out.contains("| Time to first alert | **33m** |"), "\(out)")
    #expect(out.contains("| CheckoutLatencyP99High | PAGE | 1 | 1 | 0 | 21m50s |"), "\(out)")
  }

  /// The player on the Prometheus range in a real terminal: `e` jumps to the firing.
  @Test func playerJumpsToTheFiring() throws {
    let s = try Self.server.get()
    let tmux = try Tmux(width: 100, height: 30)
    try tmux.type(([vigilBinary(), "replay"] + s.range.map { "'\($0)'" }).joined(separator: " "))
    #expect(tmux.waitForText(["]/[ alerts"], timeout: 20) != nil, "\(tmux.screen())")
    try tmux.keys("e")
    let firing = tmux.waitFor(timeout: 10) { s in s.contains { $0.contains("● FIRING") } }
    #expect(firing != nil, "\(tmux.screen())")
    try tmux.keys("q")
    #expect(tmux.waitForText([Tmux.prompt.trimmingCharacters(in: .whitespaces)]) != nil)
  }

  @Test(arguments: [
    (["replay"], "give a recording, or --prometheus URL"),
    (["replay", "--query", "a=up", "x.jsonl"], "--query needs --prometheus URL"),
    (["replay", "x.jsonl", "--prometheus", "http://p:9090"], "not both"),
    (["replay", "--prometheus", "http://p:9090"], "--prometheus needs queries"),
    (
      [
        "replay", "--prometheus", "http://p:9090", "--query", "a=up", "--from", "now-1h",
        "--to=-2h",
      ],
      "--from must be before --to"
    ),
    (
      ["replay", "--prometheus", "http://p:9090", "--query", "a=up", "--from", "2026-11-26T10:00"],
      "is not a time"
    ),
    (
      [
        "replay", "--prometheus", "http://p:9090", "--query", "a=up", "--from",
        "2026-11-26T10:00:00",
      ],
      "has no time zone"
    ),
    (
      ["report", "--prometheus", "ftp://p:9090", "--query", "a=up"],
      "must start with http:// or https://"
    ),
    (["replay", "x.jsonl", "--save", "y.jsonl"], "--save needs --prometheus URL"),
  ])
  func badFlagsAreRefused(args: [String], message: String) throws {
    let (status, _, err) = try runVigil(args)
    #expect(status != 0)
    #expect(err.contains(message), "\(err)")
  }

  @Test func aServerThatIsNotThereOrHasNoDataIsSaidSo() throws {
    let port = freeLoopbackPort()
    let gone = try runVigil([
      "replay", "--prometheus", "http://127.0.0.1:\(port)", "--query", "a=up", "--headless",
    ])
    #expect(gone.0 == 1)
    #expect(gone.2.contains("a: ") && gone.2.contains("127.0.0.1:\(port)"), "\(gone.2)")
    let s = try Self.server.get()
    let empty = try runVigil([
      "replay", "--prometheus", s.url, "--query", "a=no_such_metric", "--from", "\(s.start)",
      "--to", "\(s.start + 600)", "--headless",
    ])
    #expect(empty.0 == 1)
    #expect(empty.2.contains("no query returned a point"), "\(empty.2)")
  }
}
