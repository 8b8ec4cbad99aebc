import Foundation
import Testing
import VigilTestSupport

/// `--layout`, `check-layout` and the reload of an edited layout file, with the real binary.
@Suite(.serialized) struct LayoutEndToEndTests {
  static let first = """
    title: my layout
    panels:
      p99: {title: Alpha latency, metric: api_latency_ms, aggregate: p99, widget: line}
      bars: {title: Beta services, metric: api_latency_ms, aggregate: p99, by: service, widget: bar}
    grid:
      - [p99, bars]
    """

  static let second = """
    title: my layout
    panels:
      p99: {title: Gamma latency, metric: api_latency_ms, aggregate: p99, widget: line}
      retries: {kind: payment_retries}
      tickets: {title: Delta tickets, metric: support_tickets_total, aggregate: sum, by: reason, widget: table}
    grid:
      - height: 50%
        columns: [p99]
      - [retries, tickets]
    """

  static func write(_ text: String, to path: String) throws {
    // Written in place (not renamed), as many editors save: the watcher sees the new size and
    // modification time.
    try text.write(toFile: path, atomically: false, encoding: .utf8)
  }

  /// Edited, the layout changes on screen without a key; broken, the old panels stay and the
  /// error is shown with its position.
  @Test func anEditedLayoutIsReloadedAndABrokenOneKeepsTheOld() throws {
    let path = "/tmp/vigil-layout-e2e-\(getpid()).yaml"
    try Self.write(Self.first, to: path)
    defer { unlink(path) }
    let tmux = try Tmux(width: 100, height: 30)
    try tmux.type("\(vigilBinary()) --layout \(path)")
    #expect(
      tmux.waitForText(
        ["Vigil · my layout", "Alpha latency", "Beta services", "payment"], timeout: 20)
        != nil, "\(tmux.screen().joined(separator: "\n"))")
    try Self.write(Self.second, to: path)
    #expect(
      tmux.waitForText(["Gamma latency", "Payment retries", "Delta tickets"], timeout: 10) != nil,
      "\(tmux.screen().joined(separator: "\n"))")
    #expect(!tmux.screen().joined().contains("Beta services"))
    // Broken: a bad widget on line 3. The old panels stay, the title bar says why.
    try Self.write(
      Self.second.replacingOccurrences(of: "widget: line", with: "widget: pie"), to: path)
    let broken = tmux.waitForText(["layout NOT reloaded", "\(path):3:"], timeout: 10)
    #expect(broken != nil, "\(tmux.screen().joined(separator: "\n"))")
    let text = tmux.screen().joined(separator: "\n")
    #expect(text.contains("Gamma latency") && text.contains("Delta tickets"), "\(text)")
    // Focus moves through the layout's three panels; q quits cleanly.
    try tmux.keys("Tab")
    #expect(tmux.waitForText(["▶ Payment retries"], timeout: 5) != nil)
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }

  @Test func checkLayoutPrintsEveryProblemWithItsPosition() throws {
    let (ok, out, _) = try runVigil(["check-layout"])
    #expect(ok == 0 && out.contains("commerce: ok") && out.contains("sre-compact: ok"), "\(out)")
    let path = "/tmp/vigil-layout-check-\(getpid()).yaml"
    try """
    panels:
      a: {metric: x, aggregate: p42x, colour: red}
    grid:
      - [a, b]
    """.write(toFile: path, atomically: true, encoding: .utf8)
    defer { unlink(path) }
    let (status, _, err) = try runVigil(["check-layout", path])
    #expect(status == 2, "\(err)")
    #expect(err.contains("\(path):2:29: unknown aggregate \"p42x\""), "\(err)")
    #expect(err.contains("\(path):2:35: warning: unknown panel key \"colour\""), "\(err)")
    #expect(err.contains("\(path):4:9: no panel \"b\""), "\(err)")
    // check-config recognises a layout by its grid: key.
    let (again, _, againErr) = try runVigil(["check-config", path])
    #expect(again == 2 && againErr.contains("\(path):2:29:"), "\(againErr)")
    // The dashboard refuses it, printing the same problems.
    let (run, _, runErr) = try runVigil(["--layout", path, "--headless"])
    #expect(run == 1 && runErr.contains("\(path):4:9:"), "\(runErr)")
    // A built-in by name; a config file's layout: key, relative to the config file.
    let (named, named80, _) = try runVigil(["--layout", "sre-compact", "--headless"])
    #expect(named == 0 && named80.contains("Vigil · SRE compact"), "\(named80)")
    let dir = "/tmp/vigil-layout-config-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Self.first.write(toFile: dir + "/mine.yaml", atomically: true, encoding: .utf8)
    try "layout: mine.yaml\n".write(toFile: dir + "/vigil.yaml", atomically: true, encoding: .utf8)
    let (fromConfig, screen, configErr) = try runVigil([
      "--config", dir + "/vigil.yaml", "--headless",
    ])
    #expect(fromConfig == 0 && screen.contains("Alpha latency"), "\(screen)\(configErr)")
  }
}
