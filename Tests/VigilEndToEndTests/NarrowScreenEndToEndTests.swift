import Foundation
import Testing
import VigilTestSupport

/// Issue 15 item 11 in a real 80x24 terminal: through the demo's incident, no panel title is
/// cut beside its alert marker (`Support tickets: order e… ● FIRING`) and no detail line ends
/// in a bare name without its number.
@Suite(.serialized) struct NarrowScreenEndToEndTests {
  @Test func theDemoAt80ColumnsCutsNoTitleOrItemInHalf() throws {
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("\(vigilBinary()) --speed 60")
    var sawShortTitle = false
    var problems: [String] = []
    let deadline = Date().addingTimeInterval(40)
    while Date() < deadline && !sawShortTitle {
      let screen = tmux.screen()
      for line in screen {
        if line.contains("Tickets: order errors") && line.contains("FIRING") {
          sawShortTitle = true
        }
        // A title cut beside its marker ends in "… ─ ● FIRING" or "… ─ ▲ PENDING".
        if line.hasPrefix("┌") && (line.contains("… ─ ●") || line.contains("… ─ ▲")) {
          problems.append(line)
        }
        // Items of detail lines: a word the panel cut off from its number.
        for bare in ["tax│", "inv│", "pay│", "price│", "declined│", "gateway_error│"]
        where line.contains(" " + bare) {
          problems.append(line)
        }
      }
      usleep(250_000)
    }
    #expect(sawShortTitle, "\(tmux.screen().joined(separator: "\n"))")
    #expect(problems.isEmpty, "\(Set(problems).sorted().joined(separator: "\n"))")
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }
}
