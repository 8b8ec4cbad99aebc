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
      tmux.waitForText(["Alerts (", "● FIRING  PAGE", "since", "ago ("], timeout: 10)
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

  /// Issue 15 item 2: a log with history piped in (its newest line five minutes old) is not
  /// news: its alerts fire on screen, and the bell stays quiet. The same log with current
  /// times rings (the control: the hook hears bells).
  @Test func aPipedLogWithHistoryFiresWithoutTheBellAndACurrentOneRings() throws {
    let dir = NSTemporaryDirectory() + "vigil-e2e-bell-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try """
    rules:
      - alert: AnyPaymentTraffic
        metric: api_latency_ms
        select: {service: payment}
        aggregate: count
        window: 15m
        op: ">"
        threshold: 0
        labels: {severity: page}
    """.write(toFile: dir + "/rules.yaml", atomically: true, encoding: .utf8)
    // Five minutes of an application log, ending `age` seconds ago.
    func log(endingSecondsAgo age: Int) -> String {
      let end = Int(Date().timeIntervalSince1970) - age
      var text = ""
      for t in (end - 300)...end {
        let ts = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(t)))
        text += "{\"time\":\"\(ts)\",\"svc\":\"payment\",\"duration_ms\":\(100 + t % 7)}\n"
      }
      return text
    }
    try log(endingSecondsAgo: 300).write(
      toFile: dir + "/old.log", atomically: true, encoding: .utf8)
    try log(endingSecondsAgo: 0).write(
      toFile: dir + "/current.log", atomically: true, encoding: .utf8)
    let map = "ts=time,value=duration_ms,metric=const:api_latency_ms,label.service=svc"
    for (name, rings) in [("old", false), ("current", true)] {
      let tmux = try Tmux(width: 80, height: 24)
      let bells = dir + "/\(name).bells"
      try tmux.recordBells(to: bells)
      try tmux.type(
        "cat \(dir)/\(name).log | \(vigilBinary()) --rules \(dir)/rules.yaml --map \(map) -")
      #expect(
        tmux.waitFor(timeout: 30) { $0.first?.contains("1 firing") == true } != nil,
        "\(name): \(tmux.screen().joined(separator: "\n"))")
      // A bell comes within a frame of the transition; give it three seconds.
      var rang = false
      for _ in 0..<30 where !rang {
        rang = FileManager.default.fileExists(atPath: bells)
        if !rang { usleep(100_000) }
      }
      #expect(rang == rings, "\(name): the bell \(rang ? "rang" : "did not ring")")
      try tmux.keys("q")
      _ = tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" }
    }
  }
}
