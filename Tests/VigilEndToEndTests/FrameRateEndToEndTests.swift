import Foundation
import Testing
import VigilTestSupport

/// Frame rate and bandwidth in a real terminal: the SSH default, `+` / `-`, `--debug`.
@Suite struct FrameRateEndToEndTests {
  static let titles = DashboardEndToEndTests.titles

  /// Quits and waits for the shell prompt.
  static func quit(_ tmux: Tmux, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try tmux.keys("q")
    #expect(
      tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil,
      "prompt not back: \(tmux.screen())", sourceLocation: sourceLocation)
  }

  @Test func overSSHTheDefaultRateIsLowerAndSaid() throws {
    let tmux = try Tmux(
      width: 120, height: 40, environment: ["SSH_CONNECTION": "'10.0.0.1 50000 10.0.0.2 22'"])
    try tmux.type("clear; \(vigilBinary()) --speed 2")
    let screen = tmux.waitForText(Self.titles + ["ssh: 2 fps"], timeout: 20)
    #expect(screen != nil, "\(tmux.screen())")
    try tmux.keys("+")
    #expect(tmux.waitForText(["ssh: 4 fps", "frame rate: 4 fps"], timeout: 5) != nil)
    try Self.quit(tmux)
    // --fps wins over the SSH default (and is still said).
    try tmux.type("clear; \(vigilBinary()) --speed 2 --fps 1")
    #expect(tmux.waitForText(Self.titles + ["ssh: 1 fps"], timeout: 20) != nil)
    try Self.quit(tmux)
  }

  @Test func withoutSSHThereIsNoNoteAndDebugShowsBytes() throws {
    let tmux = try Tmux(width: 120, height: 40)
    try tmux.type("clear; \(vigilBinary()) --speed 2 --debug")
    #expect(tmux.waitForText(Self.titles + ["debug: "], timeout: 20) != nil)
    // After a second the indicator has a measured rate and bytes per second.
    let measured = tmux.waitFor(timeout: 10) { rows in
      rows.first.map { $0.contains(" fps ") && $0.contains("B/s") } ?? false
    }
    #expect(measured != nil, "\(tmux.screen().first ?? "")")
    #expect(!(tmux.screen().last(where: { !$0.isEmpty }) ?? "").contains("ssh:"))
    try Self.quit(tmux)
  }
}
