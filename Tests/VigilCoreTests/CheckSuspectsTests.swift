import Foundation
import Testing

@testable import VigilCore

/// `vigil check --suspects`: one suspects line after each transition to firing, and the
/// `"series"` key on every transition line.
@Suite struct CheckSuspectsTests {
  static let rules = """
    evaluation_interval: 10s
    rules:
      - alert: TaxSlow
        metric: api_latency_ms
        select: {service: tax}
        aggregate: p99
        window: 1m
        op: ">"
        threshold: 200
        for: 10s
        severity: page
    """

  /// 19 minutes of the synthetic shop, tax x5 from minute 16, through `vigil check`.
  func check(suspects: Bool) throws -> [String] {
    let world = SuspectWorld(seconds: 19 * 60, seed: 3) { e, s in
      e == .api("tax") || e == .stage("tax") ? SuspectWorld.ramp(s, onset: 16 * 60, factor: 5) : 1
    }
    let rules = try RulesLoader.parse(Self.rules, file: "rules.yaml").get()
    var checker = Checker(rules: rules, suspects: suspects)
    let spec = FeedSpec(id: FeedID(0), kind: .file, target: "/tmp/shop.jsonl", format: .json)
    let lines = world.jsonLines()
    checker.add(CheckerStreamTests.batch(lines[...], firstLine: 1), format: .json, feed: spec)
    var out: [String] = []
    _ = checker.run { out.append($0) }
    return out
  }

  func object(_ line: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
  }

  @Test func aSuspectsLineFollowsEachFiringBestFirst() throws {
    let lines = try check(suspects: true)
    let firing = try #require(lines.firstIndex { $0.contains("\"to\":\"firing\"") })
    #expect(lines[firing].hasSuffix(",\"series\":\"api_latency_ms{service=tax}\"}"))
    let line = try #require(lines.dropFirst(firing + 1).first)
    #expect(line.hasPrefix("{\"t\":\""))
    let obj = try object(line)
    #expect(obj.keys.sorted() == ["alert", "labels", "suspects", "t"])
    #expect(obj["alert"] as? String == "TaxSlow")
    #expect(obj["labels"] as? [String: String] == ["service": "tax", "severity": "page"])
    #expect(try object(lines[firing])["t"] as? String == obj["t"] as? String)
    let suspects = try #require(obj["suspects"] as? [[String: Any]])
    #expect((1...5).contains(suspects.count))
    let top = try #require(suspects.first)
    #expect(top.keys.sorted() == ["change", "component", "measure", "onset", "score", "series"])
    #expect(top["component"] as? String == "tax")
    #expect(top["series"] as? String == "api_latency_ms{service=tax}")
    #expect(top["measure"] as? String == "p99")
    #expect((top["change"] as? Double ?? 0) > 2)
    let scores = suspects.compactMap { $0["score"] as? Double }
    #expect(scores == scores.sorted(by: >))
    // RFC 3339 UTC, the onset within the minute before the firing.
    let onset = try #require(top["onset"] as? String)
    #expect(onset.wholeMatch(of: /2026-11-26T10:1[5-9]:[0-5][0-9]Z/) != nil)
    #expect((obj["t"] as? String)?.wholeMatch(of: /2026-11-26T10:1[6-9]:[0-5][0-9]Z/) != nil)
  }

  @Test func withoutTheFlagNoSuspectsLinesAndEveryTransitionHasItsSeries() throws {
    let lines = try check(suspects: false)
    #expect(!lines.isEmpty)
    #expect(lines.allSatisfy { $0.hasSuffix(",\"series\":\"api_latency_ms{service=tax}\"}") })
    #expect(!lines.contains { $0.contains("\"suspects\"") })
    // Every key of the line before "series" as it was: the same line without it.
    let first = try #require(lines.first)
    let keys = try object(first).keys.sorted()
    #expect(keys == ["from", "labels", "rule", "series", "t", "to", "value"])
  }

  @Test func theSuspectsLineShapeIsExact() {
    let r = SuspectRanking(
      t: .seconds(1_795_687_200), alert: "A\"b", labels: ["pair": "oms-erp"],
      suspects: [
        Suspect(
          component: "erp", series: "api_latency_ms{service=erp}", measure: "p99", score: 12.345,
          change: 7.1234, current: 7_000, baseline: Baseline(median: 982, scale: 40, minutes: 57),
          onset: .seconds(1_795_687_100)),
        Suspect(
          component: "oms-erp", series: "a{pair=oms-erp}/b{pair=oms-erp}", measure: "ratio",
          score: 3, change: nil, current: 0.1, baseline: Baseline(median: 0, scale: 0, minutes: 40),
          onset: nil, explainedBy: "erp"),
      ])
    #expect(
      r.jsonLine
        == "{\"t\":\"2026-11-26T10:00:00Z\",\"alert\":\"A\\\"b\",\"labels\":{\"pair\":\"oms-erp\"},"
        + "\"suspects\":[{\"component\":\"erp\",\"series\":\"api_latency_ms{service=erp}\","
        + "\"measure\":\"p99\",\"score\":12.3,\"change\":7.12,\"onset\":\"2026-11-26T09:58:20Z\"},"
        + "{\"component\":\"oms-erp\",\"series\":\"a{pair=oms-erp}/b{pair=oms-erp}\","
        + "\"measure\":\"ratio\",\"score\":3,\"change\":null,\"onset\":null}]}")
  }
}

extension CheckSuspectsTests {
  @Test func onDemandAtTheFirstTickAtOrAfterEachTime() throws {
    let world = SuspectWorld(seconds: 19 * 60, seed: 4) { e, s in
      e == .api("cart") ? SuspectWorld.ramp(s, onset: 16 * 60, factor: 6) : 1
    }
    let at = [SuspectWorld.at(17 * 60 + 55), SuspectWorld.at(10 * 60)]
    var checker = Checker(rules: RuleSet(), suspectsAt: at)
    let spec = FeedSpec(id: FeedID(0), kind: .file, target: "/tmp/shop.jsonl", format: .json)
    checker.add(
      CheckerStreamTests.batch(world.jsonLines()[...], firstLine: 1), format: .json, feed: spec)
    var out: [String] = []
    _ = checker.run { out.append($0) }
    #expect(out.count == 2)
    let quiet = try object(try #require(out.first))
    #expect(quiet["t"] as? String == "2026-11-26T10:10:00Z")
    #expect(quiet["alert"] is NSNull)
    #expect((quiet["suspects"] as? [Any])?.isEmpty == true)
    let late = try object(try #require(out.last))
    #expect(late["t"] as? String == "2026-11-26T10:18:00Z")
    #expect(late["labels"] as? [String: String] == [:])
    let top = try #require((late["suspects"] as? [[String: Any]])?.first)
    #expect(top["component"] as? String == "cart")
  }
}
