import Foundation
import Testing
import VigilTestSupport

/// `vigil --command` in a real terminal: data, exit status and restart in the feeds view,
/// escaped garbage, and no process left behind however Vigil ends.
@Suite(.serialized) struct CommandEndToEndTests {
  enum Ending: String, CaseIterable {
    case q, sigterm
  }

  /// A shell loop: the first run prints three JSON lines, a garbage line with invalid UTF-8 and
  /// a line of stderr, then exits 3; later runs print one line and keep running (with a
  /// background child in the same process group). `marker` names it for pgrep.
  static func command(marker: String) -> String {
    let first = #"{\"metric\":\"api_latency_ms\",\"value\":7,\"service\":\"firstrun\"}"#
    let later = #"{\"metric\":\"api_latency_ms\",\"value\":42,\"service\":\"laterrun\"}"#
    return "F=/tmp/\(marker); if [ -e $F ]; then echo \"\(later)\"; sleep 300 & "
      + "while :; do sleep 1; done; else touch $F; "
      + "for i in 1 2 3; do echo \"\(first)\"; done; printf \"garbage \\377\\376 line\\n\"; "
      + "echo \"first run failing on purpose\" >&2; exit 3; fi"
  }

  @Test(arguments: Ending.allCases)
  func commandFeedShowsDataExitAndRestartAndLeavesNothingBehind(ending: Ending) throws {
    let marker = "vigil-e2e-cmd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    defer { try? FileManager.default.removeItem(atPath: "/tmp/\(marker)") }
    let tmux = try Tmux(width: 100, height: 30)
    try tmux.type("clear; \(vigilBinary()) --command '\(Self.command(marker: marker))'")
    // Data from the first run, and its garbage line counted.
    #expect(
      tmux.waitForText(["firstrun", "rejected 1"], timeout: 20) != nil,
      "\(tmux.screen().joined(separator: "\n"))")
    try tmux.keys("F")
    // The exit status, the restart (after 1 s) and the second run's data.
    let screen = tmux.waitForText(
      ["Feeds (", "exit 3", "restarts 1", "state        ok, pid "], timeout: 20)
    let text = (screen ?? tmux.screen()).joined(separator: "\n")
    #expect(screen != nil, "\(text)")
    #expect(text.contains("first run failing on purpose"), "\(text)")
    #expect(text.contains(#"invalid UTF-8  garbage \xff\xfe line"#), "\(text)")
    // The running child: its pid (and process group) from the feeds view.
    let pid = text.split(separator: "\n").lazy.compactMap { row -> Int32? in
      guard let r = row.range(of: "state        ok, pid ") else { return nil }
      return Int32(String(row[r.upperBound...].prefix { $0.isNumber }))
    }.first
    let group = try #require(pid, "\(text)")
    #expect(waitFor { liveMembers(ofGroup: group).count >= 3 }, "sh, sleep 300, sleep 1")
    #expect(!pgrep(marker).isEmpty)
    try tmux.keys("Escape")
    #expect(tmux.waitForText(["laterrun"], timeout: 10) != nil, "\(tmux.screen())")

    switch ending {
    case .q: try tmux.keys("q")
    case .sigterm:
      let vigil = pgrep("^\(vigilBinary()) --command")
      #expect(vigil.count == 1)
      for p in vigil { kill(p, SIGTERM) }
    }
    #expect(
      tmux.waitFor(timeout: 10) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil,
      "\(tmux.screen())")
    try tmux.type("echo exit=$?")
    let code = ending == .q ? 0 : 143
    #expect(tmux.waitForText(["exit=\(code)"], timeout: 10) != nil, "\(tmux.screen())")
    // Vigil waited for its children: nothing with the marker, nothing in the group.
    #expect(pgrep(marker).isEmpty, "left running: \(pgrep(marker))")
    #expect(
      liveMembers(ofGroup: group).isEmpty, "left in the group: \(liveMembers(ofGroup: group))")
  }

  @Test func headlessFramesEndTheCommandToo() throws {
    let marker = "vigil-e2e-headless-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let (status, out, err) = try runVigil([
      "--headless", "--size", "100x30", "--command",
      "echo '{\"metric\":\"api_latency_ms\",\"value\":5,\"service\":\"hl\"}'; sleep 300 # \(marker)",
    ])
    #expect(status == 0, "\(err)")
    #expect(out.contains("hl ") && out.contains("5.0ms"), "\(out)")
    #expect(pgrep(marker).isEmpty, "left running: \(pgrep(marker))")
  }

  @Test func checkRefusesACommandFeed() throws {
    let path = "/tmp/vigil-e2e-cmd-config-\(getpid()).yaml"
    try "feeds:\n  - command: echo hi\n    no_data_after: 1m\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (ok, out, _) = try runVigil(["check-config", path])
    #expect(ok == 0 && out.contains("ok (1 feeds)"), "\(out)")
    let (status, _, err) = try runVigil(["check", "--config", path])
    #expect(status == 64, "\(err)")
    #expect(err.contains("runs only in the dashboard"), "\(err)")
  }
}

/// Polls `predicate` for up to five seconds.
private func waitFor(_ predicate: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(5)
  while Date() < deadline {
    if predicate() { return true }
    usleep(10_000)
  }
  return predicate()
}
