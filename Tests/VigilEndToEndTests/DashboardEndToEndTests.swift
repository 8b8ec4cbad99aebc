import Foundation
import Testing
import VigilTestSupport

/// The real binary in a real terminal (tmux), as a user runs it.
@Suite(.serialized) struct DashboardEndToEndTests {
  static let titles = [
    "API latency by service", "Checkout latency", "Order confirmation delay", "Payment retries",
    "Inventory mismatch", "Support tickets",
  ]

  @Test(arguments: [(80, 24), (200, 50)])
  func demoShowsTheSixSignals(size: (Int, Int)) throws {
    let tmux = try Tmux(width: size.0, height: size.1)
    try tmux.type("\(vigilBinary()) --speed 4")
    let screen = tmux.waitForText(Self.titles + ["window 5m", "lines/s"], timeout: 20)
    #expect(
      screen != nil,
      "dashboard did not show all six signals: \(tmux.screen().joined(separator: "\n"))")
    // Data arrived: the API latency table lists services with numbers.
    #expect(tmux.waitForText(["checkout", "payment", "ms"], timeout: 10) != nil)
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }

  @Test func aNonUTF8LocaleGetsAnASCIIDashboard() throws {
    let tmux = try Tmux(width: 80, height: 24, lang: "C")
    try tmux.type("\(vigilBinary())")
    let screen = tmux.waitForText(Self.titles + ["+ > API latency", "|"], timeout: 20)
    #expect(screen != nil, "\(tmux.screen())")
    let nonASCII = (screen ?? []).joined().unicodeScalars.filter { !$0.isASCII }.map { String($0) }
    #expect(nonASCII.isEmpty, "non-ASCII under LANG=C: \(nonASCII)")
    // Threshold lines are dashed (`~ ~ ~`): a solid row of ~ drowned the sparklines.
    let dashed = tmux.waitFor(timeout: 20) { $0.joined().contains("~ ~") }
    #expect(dashed != nil && dashed?.joined().contains("~~") == false, "\(dashed ?? tmux.screen())")
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }

  @Test func quitLeavesTheShellPromptClean() throws {
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("clear; \(vigilBinary())")
    #expect(tmux.waitForText(Self.titles, timeout: 20) != nil)
    try tmux.keys("q")
    let screen = tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" }
    #expect(screen != nil, "prompt not back: \(tmux.screen())")
    // Nothing of the dashboard is left on the primary screen.
    #expect(!(screen ?? []).joined().contains("Checkout latency"))
    let stty = try tmux.sttySettings()
    #expect(stty.contains("icanon") && !stty.contains("-icanon"), "stty: \(stty)")
    #expect(stty.contains("echo") && !stty.contains("-echo"), "stty: \(stty)")
  }

  @Test(arguments: ["TERM", "INT", "HUP"])
  func signalsRestoreTheTerminal(signal: String) throws {
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("clear; \(vigilBinary())")
    #expect(tmux.waitForText(Self.titles, timeout: 20) != nil)
    let kill = spawnAndWait(["pkill", "-\(signal)", "-f", "^\(vigilBinary())$"])
    #expect(kill.status == 0, "pkill found no vigil")
    #expect(
      tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil,
      "\(tmux.screen())")
    try tmux.type("echo exit=$?")
    let expected = ["TERM": 143, "INT": 130, "HUP": 129][signal] ?? 0
    #expect(tmux.waitForText(["exit=\(expected)"], timeout: 10) != nil, "\(tmux.screen())")
    let stty = try tmux.sttySettings()
    #expect(!stty.contains("-icanon") && !stty.contains("-echo"), "stty: \(stty)")
  }

  @Test func survivesTwentyQuickResizes() throws {
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("\(vigilBinary())")
    #expect(tmux.waitForText(Self.titles, timeout: 20) != nil)
    let sizes = [
      (100, 30), (60, 16), (40, 10), (200, 50), (20, 6), (80, 24), (132, 43), (70, 20), (81, 25),
      (120, 40),
    ]
    for i in 0..<20 {
      let (w, h) = sizes[i % sizes.count]
      try tmux.resize(width: w, height: h)
      usleep(30_000)
    }
    try tmux.resize(width: 20, height: 6)
    #expect(tmux.waitForText(["too small"], timeout: 5) != nil, "\(tmux.screen())")
    // Every row is well-formed: nothing left over from earlier sizes.
    #expect(tmux.screen().allSatisfy { $0.count <= 20 })
    try tmux.resize(width: 80, height: 24)
    #expect(tmux.waitForText(Self.titles, timeout: 10) != nil, "\(tmux.screen())")
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }

  @Test func keysZoomHelpAndFreeze() throws {
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("\(vigilBinary())")
    #expect(tmux.waitForText(Self.titles, timeout: 20) != nil)
    try tmux.keys("?")
    #expect(tmux.waitForText(["Keys", "freeze", "zoom"], timeout: 5) != nil)
    try tmux.keys("Escape")
    try tmux.keys("Tab")
    try tmux.keys("Enter")
    #expect(
      tmux.waitForText(["Checkout latency", "Esc back", "p99 per"], timeout: 5) != nil,
      "\(tmux.screen())")
    try tmux.keys("Escape")
    try tmux.keys("Space")
    #expect(tmux.waitForText(["FROZEN"], timeout: 5) != nil)
    try tmux.keys("f")
    #expect(tmux.waitForText(["window 15m"], timeout: 5) != nil)
    try tmux.keys("q")
  }

  @Test func fileFeedAppendedTruncatedAndRotatedCountsEveryLineOnce() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "vigil-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("tickets.jsonl").path
    _ = FileManager.default.createFile(atPath: path, contents: Data())
    func append(_ n: Int, to p: String) throws {
      let h = try FileHandle(forWritingTo: URL(fileURLWithPath: p))
      try h.seekToEnd()
      // No timestamp: each line takes its arrival time. One ticket per line.
      let line = #"{"metric":"support_tickets_total","value":1,"labels":{"reason":"order_error"}}"#
      try h.write(contentsOf: Data(String(repeating: line + "\n", count: n).utf8))
      try h.close()
    }
    let tmux = try Tmux(width: 100, height: 30)
    try tmux.type("\(vigilBinary()) --window 15m \(path)")
    #expect(tmux.waitForText(["Support tickets"], timeout: 20) != nil)
    try append(5, to: path)
    #expect(tmux.waitForText(["5 in 15m"], timeout: 10) != nil, "\(tmux.screen())")
    // Truncate and write 3 more.
    try FileHandle(forWritingTo: URL(fileURLWithPath: path)).truncate(atOffset: 0)
    usleep(400_000)
    try append(3, to: path)
    #expect(tmux.waitForText(["8 in 15m"], timeout: 10) != nil, "\(tmux.screen())")
    // Rotate by rename: 2 late lines to the old file, 4 to the new one.
    try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
    try append(2, to: path + ".1")
    _ = FileManager.default.createFile(atPath: path, contents: Data())
    try append(4, to: path)
    #expect(tmux.waitForText(["14 in 15m"], timeout: 10) != nil, "\(tmux.screen())")
    usleep(500_000)
    #expect(tmux.screen().joined().contains("14 in 15m"))
    try tmux.keys("q")
  }

  @Test func ctrlZSuspendsWithASaneTerminalAndFgRepaints() throws {
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("clear; \(vigilBinary())")
    #expect(tmux.waitForText(Self.titles, timeout: 20) != nil)
    try tmux.keys("C-z")
    #expect(tmux.waitForText(["Stopped"], timeout: 5) != nil, "\(tmux.screen())")
    let stty = try tmux.sttySettings()
    #expect(!stty.contains("-icanon") && !stty.contains("-echo"), "stty while stopped: \(stty)")
    try tmux.type("fg")
    #expect(tmux.waitForText(Self.titles + ["window 5m"], timeout: 10) != nil, "\(tmux.screen())")
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }

  @Test func standardInputFeedKeepsTheKeyboard() throws {
    let root = URL(fileURLWithPath: vigilBinary()).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().path
    let tmux = try Tmux(width: 100, height: 30)
    try tmux.type("cat \(root)/sample-feeds/incident.jsonl | \(vigilBinary()) -")
    #expect(
      tmux.waitForText(["payment", "event time", "stdin"], timeout: 20) != nil, "\(tmux.screen())")
    try tmux.keys("?")
    #expect(tmux.waitForText(["Keys", "freeze"], timeout: 5) != nil, "keys must come from the tty")
    try tmux.keys("Escape")
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }

  @Test func headlessPrintsPlainFrames() throws {
    let (status, out, err) = try runVigil(["--headless", "--frames", "1", "--size", "80x24"])
    #expect(status == 0, "\(err)")
    let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count >= 24)
    for title in Self.titles { #expect(out.contains(title)) }
    #expect(!out.contains("\u{1b}"), "headless output must be plain text")
  }

  @Test func anUnusableTerminalIsAClearFailureNotACrash() throws {
    // Either there is no terminal at all, or TERM names none: both are a message and status 1.
    var env = currentEnvironment()
    env["TERM"] = "no-such-terminal"
    let r = spawnAndWait([vigilBinary()], environment: env, timeoutSeconds: 30)
    #expect(r.status == 1, "\(r.stderr)")
    #expect(r.stderr.contains("cannot start the terminal"))
    #expect(!r.stdout.contains("\u{1b}["), "no escape sequences when there is no usable terminal")
  }

  @Test func badArgumentsExitWithUsageCode() throws {
    let (status, _, err) = try runVigil(["--format", "xml", "a.log"])
    #expect(status == 64)
    #expect(err.contains("xml"))
    let (status2, _, err2) = try runVigil(["--map", "bogus", "a.log"])
    #expect(status2 == 64)
    #expect(err2.contains("--map"))
  }
}

@Suite struct ConfigEndToEndTests {
  @Test func checkConfigListsEveryProblemAndExits2() throws {
    let path = "/tmp/vigil-e2e-config-\(getpid()).yaml"
    try "fps: fast\nsignals:\n  api_latncy: x\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (status, _, err) = try runVigil(["check-config", path])
    #expect(status == 2)
    #expect(err.contains("\(path):1:6: fps must be a number"))
    #expect(err.contains("\(path):3:3: signals: unknown signal \"api_latncy\""))
    let rules = "/tmp/vigil-e2e-rules-\(getpid()).yaml"
    try "rules:\n  - alert: X\n    metric: m\n    aggregate: p42\n".write(
      toFile: rules, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: rules) }
    let (rulesStatus, _, rulesErr) = try runVigil(["check-config", rules])
    #expect(rulesStatus == 2)
    #expect(rulesErr.contains("\(rules):4:16: unknown aggregate \"p42\""), "\(rulesErr)")
    let (runStatus, _, runErr) = try runVigil(["--config", path, "--headless"])
    #expect(runStatus == 1)
    #expect(runErr.contains("\(path):1:6"))
  }

  @Test func configRenamesASignalAndFlagsOverrideIt() throws {
    let dir = "/tmp/vigil-e2e-cfg-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let feed = dir + "/api.jsonl"
    try #"{"metric":"http_server_ms","value":42,"labels":{"service":"cart"}}"#.appending("\n")
      .write(toFile: feed, atomically: true, encoding: .utf8)
    try "signals:\n  api_latency: http_server_ms\nwindow: 1m\nfeeds:\n  - path: \(feed)\n"
      .write(toFile: dir + "/vigil.yaml", atomically: true, encoding: .utf8)
    let (status, out, err) = try runVigil([
      "--config", dir + "/vigil.yaml", "--headless", "--size", "100x30",
    ])
    #expect(status == 0, "\(err)")
    #expect(out.contains("cart"), "\(out)")
    #expect(out.contains("42ms"))
    #expect(out.contains("window 1m"))
    let (_, out2, _) = try runVigil([
      "--config", dir + "/vigil.yaml", "--window", "15m", "--headless",
    ])
    #expect(out2.contains("window 15m"))
  }
}
