import Foundation
import Testing
import VigilTestSupport

/// A Prometheus alerting rules file in the dashboard (`--rules`) and in `vigil check`: the same
/// episode at the same event times (both run the one Engine with the file's settings).
@Suite(.serialized) struct PromRulesDashboardEndToEndTests {
  static let rules = """
    groups:
      - name: edge
        interval: 10s
        rules:
          - alert: EdgeLatencyHigh
            expr: api_latency_ms{service="edge"} > 500
            for: 30s
            keep_firing_for: 20s
            labels:
              severity: page
              who: "{{ $labels.service }}"
    """

  /// Every 5 s from 10:00:00 to 10:09:55: 800 ms from 10:02:00 to 10:04:55, else 200 ms.
  static var feed: String {
    stride(from: 0, to: 600, by: 5).map { s in
      let v = (120..<300).contains(s) ? 800 : 200
      let t = String(format: "2026-12-01T10:%02d:%02dZ", s / 60, s % 60)
      return "{\"ts\":\"\(t)\",\"metric\":\"api_latency_ms\",\"value\":\(v),"
        + "\"labels\":{\"service\":\"edge\"}}"
    }.joined(separator: "\n") + "\n"
  }

  @Test func theDashboardShowsTheEpisodeCheckPrints() throws {
    let dir = NSTemporaryDirectory() + "vigil-promdash-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let rules = dir + "/rules.yml"
    let feed = dir + "/feed.jsonl"
    try Self.rules.write(toFile: rules, atomically: true, encoding: .utf8)
    try Self.feed.write(toFile: feed, atomically: true, encoding: .utf8)

    let (status, out, err) = try runVigil(["check", "--rules", rules, feed])
    #expect(status == 0, "\(err)")
    let lines = out.split(separator: "\n").map(String.init)
    let labels = "\"labels\":{\"service\":\"edge\",\"severity\":\"page\",\"who\":\"edge\"}"
    #expect(
      lines == [
        "{\"t\":\"2026-12-01T10:02:00Z\",\"rule\":\"EdgeLatencyHigh\",\(labels),\"from\":\"inactive\",\"to\":\"pending\",\"value\":800,\"series\":\"api_latency_ms{service=edge}\"}",
        "{\"t\":\"2026-12-01T10:02:30Z\",\"rule\":\"EdgeLatencyHigh\",\(labels),\"from\":\"pending\",\"to\":\"firing\",\"value\":800,\"series\":\"api_latency_ms{service=edge}\"}",
        "{\"t\":\"2026-12-01T10:05:00Z\",\"rule\":\"EdgeLatencyHigh\",\(labels),\"from\":\"firing\",\"to\":\"recovering\",\"value\":200,\"series\":\"api_latency_ms{service=edge}\"}",
        "{\"t\":\"2026-12-01T10:05:20Z\",\"rule\":\"EdgeLatencyHigh\",\(labels),\"from\":\"recovering\",\"to\":\"resolved\",\"value\":200,\"series\":\"api_latency_ms{service=edge}\"}",
      ], "\(out)")

    let tmux = try Tmux(width: 160, height: 45)
    try tmux.type("\(vigilBinary()) --rules \(rules) \(feed)")
    #expect(tmux.waitForText(["event time"], timeout: 30) != nil, "\(tmux.screen())")
    try tmux.keys("H")
    let row = ["EdgeLatencyHigh service=edge who=edge", "10:02:00 10:02:30 10:05:20"]
    #expect(tmux.waitForText(row, timeout: 10) != nil, "\(tmux.screen())")
    try tmux.keys("q")
  }

  /// What is outside the subset is refused by `check` and `check-config` with its position.
  @Test func anUnsupportedExpressionIsRefusedWithItsPosition() throws {
    let dir = NSTemporaryDirectory() + "vigil-prombad-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let rules = dir + "/rules.yml"
    let feed = dir + "/feed.jsonl"
    let text = """
      groups:
        - name: g
          rules:
            - alert: Rate
              expr: rate(http_requests_total[5m]) > 1
            - alert: Both
              expr: |
                errors{job="api"}
                  > 5 unless maintenance
      """
    try text.write(toFile: rules, atomically: true, encoding: .utf8)
    try Self.feed.write(toFile: feed, atomically: true, encoding: .utf8)
    let expected = [
      "\(rules):5:15: expr: the function rate() is not supported",
      "\(rules):9:17: expr: the operator unless is not supported",
    ]
    let (status, _, err) = try runVigil(["check", "--rules", rules, feed])
    #expect(status != 0)
    #expect(err.split(separator: "\n").map(String.init) == expected, "\(err)")
    let (configStatus, _, configErr) = try runVigil(["check-config", rules])
    #expect(configStatus == 2)
    #expect(configErr.split(separator: "\n").map(String.init) == expected, "\(configErr)")
  }
}
