import Foundation
import Testing
import VigilTestSupport

/// Alerts in the real binary: the demo incident fires, the title bar counts it, `a` lists it.
@Suite(.serialized) struct AlertsEndToEndTests {
  @Test func theDemoIncidentFiresAndTheOverlayListsIt() throws {
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("\(vigilBinary()) --demo-history 10m --speed 60 --no-bell")
    // The title bar counts firing alerts with a glyph and a word.
    let screen = tmux.waitFor(timeout: 30) { $0.first?.contains("firing") == true }
    #expect(screen != nil, "no firing alert in the title bar: \(tmux.screen())")
    #expect(screen?.first?.contains("●") == true, "\(screen ?? [])")
    #expect(tmux.screen().joined().contains("● FIRING"), "\(tmux.screen())")
    try tmux.keys("a")
    // Which rules are on the first rows depends on how far the demo got (a loaded machine
    // gets further): a firing page with its series and age is what must be there.
    #expect(
      tmux.waitForText(["Alerts (", "● PAGE", "FIRING", "since", "ago ("], timeout: 10)
        != nil, "\(tmux.screen().joined(separator: "\n"))")
    try tmux.keys("H")
    #expect(
      tmux.waitForText(["Alert history", "breach", "fired", "peak"], timeout: 10) != nil,
      "\(tmux.screen().joined(separator: "\n"))")
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }

  @Test func anInvalidRulesFileListsEveryProblemAndExits1() throws {
    let path = "/tmp/vigil-e2e-rules-\(getpid()).yaml"
    try
      "rules:\n  - alert: A\n    metric: x\n    aggregate: p42\n    op: \">\"\n    threshold: 1\n  - alert: B\n    metric: y\n    window: forever\n"
      .write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (status, out, err) = try runVigil(["--rules", path, "--headless"])
    #expect(status == 1, "\(out)\(err)")
    #expect(err.contains("\(path):4:"), "\(err)")
    #expect(err.contains("\(path):9:"), "\(err)")
    #expect(!out.contains("Vigil"), "nothing is drawn with bad rules")
  }

  @Test func aValidRulesFileIsUsed() throws {
    let path = "/tmp/vigil-e2e-rules-ok-\(getpid()).yaml"
    try """
    rules:
      - alert: AnyApiTraffic
        metric: api_latency_ms
        aggregate: count
        window: 1m
        op: ">"
        threshold: 0
        labels: {severity: page}
    """.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("\(vigilBinary()) --rules \(path) --no-bell")
    #expect(
      tmux.waitFor(timeout: 30) { $0.first?.contains("firing") == true } != nil,
      "\(tmux.screen())")
    try tmux.keys("a")
    #expect(tmux.waitForText(["AnyApiTraffic", "FIRING"], timeout: 10) != nil, "\(tmux.screen())")
    // Acknowledge and silence the first (one instance per service): marked, still firing.
    try tmux.keys("A")
    try tmux.keys("Escape")  // no note
    try tmux.keys("s")
    #expect(
      tmux.waitForText(["ACK", "SILENCED 1", "FIRING", "8 firing"], timeout: 10) != nil,
      "\(tmux.screen().joined(separator: "\n"))")
    try tmux.keys("q")
  }
}
