import Testing
import VigilCore

@testable import VigilDemo

/// The scorer `vigil-bench --diagnosis` measures with, on hand-written `vigil check` lines.
@Suite struct IncidentScoreTests {
  static let start = Timestamp.seconds(1_795_687_200)

  /// A tax-slow truth with its onset at 11:00:00 and `visible` at 11:00:40.
  func truth(_ kind: IncidentKind = .taxSlow) -> IncidentTruth {
    var t = IncidentTruth(
      plan: IncidentPlan(kind: kind, seed: 1, baseline: 3_600, duration: 1_800),
      start: Self.start)
    t.visible = kind == .none ? nil : Self.start.adding(3_640 * Nanos.second)
    return t
  }

  func transition(_ t: String, _ rule: String, to: String = "firing") -> String {
    "{\"t\":\"2026-11-26T\(t)Z\",\"rule\":\"\(rule)\",\"labels\":{\"severity\":\"page\"},"
      + "\"from\":\"pending\",\"to\":\"\(to)\",\"value\":2.5,\"series\":\"x\"}"
  }

  func suspects(_ t: String, _ rule: String, _ components: [String]) -> String {
    let list = components.map {
      "{\"component\":\"\($0)\",\"series\":\"s\",\"measure\":\"p99\",\"score\":3,"
        + "\"change\":null,\"onset\":null}"
    }
    return "{\"t\":\"2026-11-26T\(t)Z\",\"alert\":\"\(rule)\",\"labels\":{},\"suspects\":["
      + list.joined(separator: ",") + "]}"
  }

  @Test func detectionDelayAndTopSuspects() {
    let out = [
      transition("10:20:00", "FeedStale"),
      transition("10:30:00", "ApiLatencyP99High", to: "pending"),
      transition("11:01:00", "FeedStale"),
      transition("11:01:00", "TaxP99Baseline"),
      transition("11:01:00", "OtherBaseline"),
      suspects("11:01:00", "OtherBaseline", ["payment"]),
      suspects("11:01:00", "TaxP99Baseline", ["checkout", "tax", "pricing", "payment"]),
      transition("11:02:00", "CheckoutP99Baseline"),
      suspects("11:02:00", "CheckoutP99Baseline", ["tax"]),
    ].joined(separator: "\n")
    let s = IncidentScore(truth: truth(), output: out)
    #expect(s.detected && s.rule == "TaxP99Baseline")
    #expect(s.delayTicks == 2)
    #expect(s.suspects == ["checkout", "tax", "pricing", "payment"])
    #expect(s.top1 == false && s.top3 == true)
    #expect(s.falseAlerts == 0 && s.unreadable == 0)
    #expect(s.quietSeconds == 3_600)
  }

  @Test func onDemandSuspectsAreJudgedWhateverFired() {
    let onDemand = suspects("11:01:00", "x", ["tax", "checkout"]).replacing(
      "\"alert\":\"x\"", with: "\"alert\":null")
    let out = [
      transition("11:00:50", "CheckoutP99Baseline"), onDemand,
      suspects("11:00:50", "CheckoutP99Baseline", ["checkout"]),
    ]
    let s = IncidentScore(truth: truth(), output: out.joined(separator: "\n"))
    #expect(s.onDemand == ["tax", "checkout"] && s.onDemandTop1 == true)
    #expect(s.suspects == ["checkout"] && s.top1 == false)
    var tally = IncidentTally()
    tally.add(s)
    #expect(tally.onDemandRanked == 1 && tally.onDemandTop1 == 1 && tally.top1 == 0)
    #expect(tally.row("tax-slow").hasSuffix("100%"))
  }

  @Test func firingsBeforeTheOnsetAreFalseAlerts() {
    let out = [
      transition("10:10:00", "ApiLatencyP99High"),
      "not json",
      transition("10:50:00", "PaymentRetryRatioHigh"),
      transition("11:00:30", "TaxP99Baseline"),
    ].joined(separator: "\n")
    let s = IncidentScore(truth: truth(), output: out)
    #expect(s.falseAlerts == 2 && s.falseRules == ["ApiLatencyP99High", "PaymentRetryRatioHigh"])
    #expect(s.unreadable == 1)
    #expect(s.detected && s.delayTicks == -1)
    // No suspects line followed: top-1 is unknown, not wrong.
    #expect(s.top1 == nil && s.top3 == nil)
  }

  @Test func anyFiringInAFaultFreeRunIsFalseAndMissesCountAsMisses() {
    let quiet = truth(.none)
    let s = IncidentScore(truth: quiet, output: transition("11:20:00", "ApiLatencyP99High"))
    #expect(s.falseAlerts == 1 && !s.detected)
    #expect(s.quietSeconds == 5_400)
    let missed = IncidentScore(truth: truth(), output: transition("11:05:00", "X", to: "pending"))
    #expect(!missed.detected && missed.delayTicks == nil && missed.falseAlerts == 0)
  }

  @Test func tallySummarizesDelaysAccuracyAndQuietHours() {
    var tally = IncidentTally()
    for (i, delay) in [1.0, 2, 3, 4, 10].enumerated() {
      var s = IncidentScore(truth: truth(), output: "")
      (s.detected, s.delayTicks) = (true, delay)
      (s.top1, s.top3) = (i != 0, true)
      tally.add(s)
    }
    tally.add(IncidentScore(truth: truth(), output: ""))  // a miss
    var quiet = IncidentScore(truth: truth(.none), output: "")
    quiet.falseAlerts = 3
    tally.add(quiet)
    #expect(tally.incidents == 7 && tally.faults == 6 && tally.detected == 5)
    #expect(tally.delay(0.5) == 3 && tally.delay(0.9) == 10 && tally.delay(1) == 10)
    #expect(tally.top1 == 4 && tally.top3 == 5 && tally.ranked == 5)
    // 6 baselines of an hour plus 90 quiet minutes.
    #expect(tally.quietSeconds == 6 * 3_600 + 5_400)
    #expect(abs(tally.falseAlertsPerQuietHour - 3 / 7.5) < 1e-12)
    let row = tally.row("tax-slow")
    #expect(row.hasPrefix("tax-slow") && row.contains("5/6") && row.contains("80%"))
  }
}
