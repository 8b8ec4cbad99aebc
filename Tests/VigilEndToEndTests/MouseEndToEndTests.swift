import Foundation
import Testing
import VigilTestSupport

/// The mouse in a real terminal: off by default, `--mouse` turns reporting on, a press
/// focuses the panel under it, and quitting turns reporting off again.
@Suite struct MouseEndToEndTests {
  static let titles = DashboardEndToEndTests.titles

  /// Whether the pane's program asked tmux for mouse reports (any mode).
  static func mouseReporting(_ tmux: Tmux) throws -> Bool {
    let flags = try tmux.run([
      "display-message", "-p", "-t", tmux.session,
      "#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}",
    ])
    return flags.contains("1")
  }

  @Test func offByDefaultOnWithTheFlagAndOffAfterQuit() throws {
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("clear; \(vigilBinary()) --speed 2")
    #expect(tmux.waitForText(Self.titles, timeout: 20) != nil)
    #expect(try !Self.mouseReporting(tmux))
    try FrameRateEndToEndTests.quit(tmux)

    try tmux.type("clear; \(vigilBinary()) --speed 2 --mouse")
    #expect(tmux.waitForText(Self.titles, timeout: 20) != nil)
    #expect(try Self.mouseReporting(tmux))
    // A left press (SGR encoding, 1-based) on the right panel of the second row: Payment retries.
    try tmux.run(["send-keys", "-t", tmux.session, "-l", "\u{1B}[<0;61;11M\u{1B}[<0;61;11m"])
    let focused = tmux.waitFor(timeout: 5) { rows in
      rows.contains { $0.contains("▶ Payment retries") }
    }
    #expect(focused != nil, "\(tmux.screen())")
    try FrameRateEndToEndTests.quit(tmux)
    #expect(try !Self.mouseReporting(tmux))
  }
}
