import Foundation
import Testing
import VigilTestSupport

/// Issue 3's acceptance: the demo incident fires the same alerts at the same event times in the
/// dashboard (under tmux, reading the incident file on event time) and in `vigil check`.
@Suite(.serialized) struct AlertsAgreeEndToEndTests {
  @Test func dashboardAndCheckFireTheSameAlertsAtTheSameTimes() throws {
    let file = "/tmp/vigil-agree-\(getpid()).jsonl"
    defer { try? FileManager.default.removeItem(atPath: file) }
    let gen = spawnAndWait([vigilBinary(), "generate", "--duration", "15m", "--rate-scale", "0.2"])
    try gen.stdout.write(toFile: file, atomically: true, encoding: .utf8)

    // vigil check: rule + labels (without severity) -> first time it went to firing.
    let (status, out, err) = try runVigil(["check", file])
    #expect(status == 0, "\(err)")
    var checkFired: [String: String] = [:]
    for line in out.split(separator: "\n") {
      guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        obj["to"] as? String == "firing", let rule = obj["rule"] as? String,
        let t = obj["t"] as? String, let labels = obj["labels"] as? [String: String]
      else { continue }
      let key =
        ([rule]
        + labels.filter { $0.key != "severity" }.sorted { $0.key < $1.key }
        .map { "\($0.key)=\($0.value)" }).joined(separator: " ")
      // "2026-11-26T10:08:30Z" -> "10:08:30"
      let clock = String(t.dropFirst(11).prefix(8))
      if checkFired[key] == nil { checkFired[key] = clock }
    }
    #expect(checkFired.count >= 5, "\(checkFired)")

    // The dashboard on the same file, history view.
    let tmux = try Tmux(width: 160, height: 45)
    try tmux.type("\(vigilBinary()) \(file)")
    #expect(tmux.waitForText(["event time", "firing"], timeout: 30) != nil, "\(tmux.screen())")
    try tmux.keys("H")
    let screen = tmux.waitForText(["Alert history"], timeout: 10) ?? []
    var tuiFired: [String: String] = [:]
    for row in screen {
      let cells = row.split(separator: "│").map { $0.trimmingCharacters(in: .whitespaces) }
      guard let text = cells.first(where: { $0.contains(":") && $0.first?.isUppercase == true })
      else { continue }
      let tokens = text.split(separator: " ").map(String.init)
      let times = tokens.filter { $0.count == 8 && $0.filter { $0 == ":" }.count == 2 }
      guard times.count >= 2, let firstTime = tokens.firstIndex(of: times[0]) else { continue }
      let key = tokens[..<firstTime].joined(separator: " ")
      // Columns: breach, fired ("—" when it never fired), ...
      let firedToken = tokens[firstTime + 1]
      if firedToken.count == 8, tuiFired[key] == nil { tuiFired[key] = firedToken }
    }
    try tmux.keys("q")
    // The dashboard follows a file that may still grow, so it stops at the last tick before the
    // newest sample (10:14:50); check also runs the tick that covers the last sample (10:15:00).
    let comparable = checkFired.filter { $0.value <= "10:14:50" }
    #expect(!comparable.isEmpty)
    #expect(tuiFired == comparable, "dashboard \(tuiFired) vs check \(comparable)")
    // And the order: the checkout and payment stages fire before inventory drifts.
    #expect(
      (comparable["CheckoutLatencyP99High stage=total"] ?? "")
        < (comparable["InventoryMismatchHigh pair=storefront-oms"] ?? ""))
  }
}

@Suite(.serialized) struct RulesReloadEndToEndTests {
  @Test func anInvalidRulesFileIsReportedAndTheOldRulesStay() throws {
    let rules = "/tmp/vigil-reload-\(getpid()).yaml"
    defer { try? FileManager.default.removeItem(atPath: rules) }
    let one =
      "rules:\n  - alert: Tickets\n    metric: support_tickets_total\n    aggregate: sum\n    window: 5m\n    op: \">\"\n    threshold: 1000\n"
    try one.write(toFile: rules, atomically: true, encoding: .utf8)
    let tmux = try Tmux(width: 120, height: 30)
    try tmux.type("\(vigilBinary()) --rules \(rules)")
    #expect(tmux.waitForText(["Support tickets"], timeout: 20) != nil)
    try "rules:\n  - alert: Broken\n    metric: x\n    aggregate: p42\n".write(
      toFile: rules, atomically: true, encoding: .utf8)
    try tmux.keys("r")
    #expect(
      tmux.waitForText(["rules NOT reloaded, old rules kept", "\(rules):4:16"], timeout: 5) != nil,
      "\(tmux.screen())")
    try
      (one
      + "  - alert: Second\n    metric: x\n    aggregate: max\n    window: 1m\n    op: \">\"\n    threshold: 1\n")
      .write(toFile: rules, atomically: true, encoding: .utf8)
    try tmux.keys("r")
    #expect(tmux.waitForText(["rules reloaded: 2 rules"], timeout: 5) != nil, "\(tmux.screen())")
    try tmux.keys("q")
  }
}
