import Foundation
import Testing
import VigilTestSupport

/// `vigil generate --incident` piped into `vigil check`, as the diagnosis bench runs them.
@Suite(.serialized) struct IncidentEndToEndTests {
  let dir = "/tmp/vigil-incident-e2e-\(getpid())"

  func json(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }
  }

  @Test func aSlowTaxServiceFiresAfterItsOnsetAndNeverBefore() throws {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (feed, truthPath, rules) = ("\(dir)/tax.jsonl", "\(dir)/truth.json", "\(dir)/rules.yml")
    let args = [
      "generate", "--incident", "tax-slow", "--seed", "7", "--baseline", "15m", "--duration",
      "8m", "--severity", "6", "--spike", "x4", "--rate-scale", "0.5", "--truth", truthPath,
    ]
    let (status, out, err) = try runVigil(args)
    #expect(status == 0, "\(err)")
    let (_, again, _) = try runVigil(args)
    #expect(again == out, "same flags, same bytes")
    try out.write(toFile: feed, atomically: true, encoding: .utf8)
    let truthText = try String(contentsOfFile: truthPath, encoding: .utf8)
    let truth = try #require(json(truthText).first)
    #expect(truth["kind"] as? String == "tax-slow" && truth["component"] as? String == "tax")
    #expect(truth["onset"] as? String == "2026-11-26T10:15:00Z")
    #expect((truth["spikes"] as? [[String: Any]])?.last?["factor"] as? Double == 4)
    let visible = try #require(truth["visible"] as? String)
    // The tax p99 sits near 70 ms at baseline: this static rule is what a baseline rule does.
    try """
    rules:
      - alert: TaxSlow
        metric: api_latency_ms
        select: {service: tax}
        aggregate: p99
        window: 1m
        op: ">"
        threshold: 200
        for: 10s
    """.write(toFile: rules, atomically: true, encoding: .utf8)
    let (checked, lines, checkErr) = try runVigil(["check", "--rules", rules, feed])
    #expect(checked == 0, "\(checkErr)")
    let firing = json(lines).filter { $0["to"] as? String == "firing" }
    let first = try #require(firing.first?["t"] as? String, "\(lines)")
    #expect(first >= visible && first <= "2026-11-26T10:18:00Z", "\(first) vs \(visible)")
    let (bad, _, badErr) = try runVigil(["generate", "--incident", "printer-on-fire"])
    #expect(bad != 0 && badErr.contains("--incident must be one of"))
  }
}
