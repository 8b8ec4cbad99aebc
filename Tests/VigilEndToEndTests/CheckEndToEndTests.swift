import Foundation
import Testing
import VigilTestSupport

/// `vigil check` over a real feed file, as a CI job would run it.
@Suite(.serialized) struct CheckEndToEndTests {
  /// The demo incident, 15 minutes at a fifth of the demo's rate (about 46,000 lines).
  static let feed: String = {
    let path = "/tmp/vigil-check-e2e-\(getpid()).jsonl"
    let r = spawnAndWait([vigilBinary(), "generate", "--duration", "15m", "--rate-scale", "0.2"])
    try? r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }()

  func jsonLines(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }
  }

  @Test func transitionsAreJSONInTimeOrderAndDeterministic() throws {
    let (status, out, err) = try runVigil(["check", Self.feed])
    #expect(status == 0, "\(err)")
    let lines = out.split(separator: "\n")
    let objects = jsonLines(out)
    #expect(objects.count == lines.count && !lines.isEmpty, "every line is JSON")
    let times = objects.compactMap { $0["t"] as? String }
    #expect(times == times.sorted(), "time order")
    for key in ["t", "rule", "labels", "from", "to", "value"] {
      #expect(objects.allSatisfy { $0[key] != nil }, "missing \(key)")
    }
    let fired = Set(
      objects.filter { $0["to"] as? String == "firing" }.compactMap { $0["rule"] as? String })
    #expect(
      fired == [
        "ApiLatencyP99High", "CheckoutLatencyP99High", "OrderConfirmationDelayHigh",
        "PaymentRetryRatioHigh", "InventoryMismatchHigh",
        // The baseline rules: each series against its own last hour.
        "PaymentRetryRatioAboveBaseline", "PaymentFailureRatioAboveBaseline",
        "OrderConfirmationAboveBaseline", "InventoryMismatchAboveBaseline",
      ], "\(fired)")
    #expect(err.contains("46") && err.contains("0 rejected"), "\(err)")
    let (_, again, _) = try runVigil(["check", Self.feed])
    #expect(again == out, "same input, same bytes")
  }

  @Test func failOnFiringExitsTwo() throws {
    let (status, _, _) = try runVigil(["check", "--fail-on", "firing", Self.feed])
    #expect(status == 2)
    let quiet = "/tmp/vigil-check-quiet-\(getpid()).jsonl"
    defer { try? FileManager.default.removeItem(atPath: quiet) }
    // The first two minutes are the baseline: nothing fires.
    let r = spawnAndWait([vigilBinary(), "generate", "--duration", "2m", "--rate-scale", "0.2"])
    try r.stdout.write(toFile: quiet, atomically: true, encoding: .utf8)
    let (quietStatus, _, err) = try runVigil(["check", "--fail-on", "firing", quiet])
    #expect(quietStatus == 0, "\(err)")
    #expect(err.contains("nothing fired"))
  }

  @Test func statsMatchAnExactComputationFromTheRawFile() throws {
    let (status, out, err) = try runVigil(["check", "--stats", "1m", Self.feed])
    #expect(status == 0, "\(err)")
    // Independent computation: every checkout (service) API latency value by timestamp.
    let text = try String(contentsOfFile: Self.feed, encoding: .utf8)
    var samples: [(Date, Double)] = []
    let iso = ISO8601DateFormatter()
    iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    for obj in jsonLines(text) where obj["metric"] as? String == "api_latency_ms" {
      guard (obj["labels"] as? [String: String])?["service"] == "payment",
        let ts = (obj["ts"] as? String).flatMap(iso.date(from:)), let v = obj["value"] as? Double
      else { continue }
      samples.append((ts, v))
    }
    let stats = jsonLines(out).filter {
      $0["metric"] as? String == "api_latency_ms"
        && ($0["labels"] as? [String: String])?["service"] == "payment"
    }
    #expect(stats.count >= 14, "one line per minute boundary")
    let plain = ISO8601DateFormatter()
    for line in stats {
      guard let t = (line["t"] as? String).flatMap(plain.date(from:)) else { continue }
      // The window is (t - 1m, t].
      let inWindow = samples.filter { $0.0 > t.addingTimeInterval(-60) && $0.0 <= t }.map(\.1)
        .sorted()
      #expect(line["count"] as? Int == inWindow.count, "\(t)")
      #expect(line["min"] as? Double == inWindow.first)
      #expect(line["max"] as? Double == inWindow.last)
      let sum = inWindow.reduce(0, +)
      #expect(abs((line["sum"] as? Double ?? 0) - sum) <= 1e-9 * sum)
      for (key, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)]
      where inWindow.count >= Int(1 / (1 - q)) {
        let exact = inWindow[Int((q * Double(inWindow.count)).rounded(.up)) - 1]
        let got = line[key] as? Double ?? .nan
        #expect(abs(got - exact) / exact <= 0.01, "\(key) at \(t): \(got) vs exact \(exact)")
      }
    }
    // Ratio lines: retries / attempts, summed over the window.
    #expect(
      jsonLines(out).contains {
        $0["ratio"] as? String == "payment_retries_total/payment_attempts_total"
      })
  }

  @Test func aBadRulesFileListsEveryProblem() throws {
    let rules = "/tmp/vigil-check-rules-\(getpid()).yaml"
    defer { try? FileManager.default.removeItem(atPath: rules) }
    try
      "rules:\n  - alert: X\n    metric: m\n    aggregate: p42\n    window: 5m\n    op: \">\"\n    threshold: 1\n"
      .write(toFile: rules, atomically: true, encoding: .utf8)
    let (status, _, err) = try runVigil(["check", "--rules", rules, Self.feed])
    #expect(status == 1)
    #expect(err.contains("\(rules):4:16"), "\(err)")
  }

  /// An SLO over two and a half hours of checkout counters (100 requests every 10 s; 20 % fail
  /// from 60m to 80m), as a user would write it: the default pairs page at 11:02:00, when the
  /// 6h/30m pair's error ratio passes 6 × 0.1 % (12 bad steps: 240 of 37,200 and of 18,000),
  /// and resolve at 11:49:10, when the 30m window holds only five bad steps (100 of 18,000).
  @Test func anSLORulePagesAndResolvesAtTheExactTicks() throws {
    let dir = "/tmp/vigil-slo-e2e-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var feed = ""
    for step in 0...900 {
      let second = 10 * step
      let ts = String(
        format: "2026-11-26T%02d:%02d:%02dZ", 10 + second / 3600, second / 60 % 60, second % 60)
      let bad = (361...480).contains(step) ? 20 : 0
      feed += #"{"ts":"\#(ts)","metric":"checkout_requests_total","value":\#(step == 0 ? 0 : 100)}"#
      feed += "\n"
      feed += #"{"ts":"\#(ts)","metric":"checkout_errors_total","value":\#(bad)}"#
      feed += "\n"
    }
    try feed.write(toFile: dir + "/feed.jsonl", atomically: true, encoding: .utf8)
    try """
    rules:
      - alert: CheckoutErrorBudgetBurn
        aggregate: burn_rate
        slo: {objective: 0.999, period: 30d, bad: checkout_errors_total, total: checkout_requests_total}
    """.write(toFile: dir + "/rules.yaml", atomically: true, encoding: .utf8)
    let (status, out, err) = try runVigil([
      "check", "--fail-on", "firing", "--rules", dir + "/rules.yaml", dir + "/feed.jsonl",
    ])
    #expect(status == 2, "\(err)")
    let brief = jsonLines(out).map {
      "\($0["t"] as? String ?? "?") \(($0["labels"] as? [String: String])?["severity"] ?? "?") "
        + "\($0["to"] as? String ?? "?")"
    }
    #expect(
      brief == ["2026-11-26T11:02:00Z page firing", "2026-11-26T11:49:10Z page resolved"],
      "\(out)\n\(err)")
  }
}
