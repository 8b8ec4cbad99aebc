import Testing
import VigilAppTestSupport
import VigilCore
import VigilRender

@testable import VigilApp

/// What an 80-column terminal cut mid-word (issue 15 item 11): a bare stage name without its
/// number, `SILENCED … (to 00:09:56` without its parenthesis, `Support tickets: order e…`, and
/// in ASCII `~` as both the threshold and the ellipsis, in rows that drowned the sparklines.
@Suite struct NarrowScreenTests {
  /// A panel drawn alone into a `width` x 8 buffer.
  static func draw(_ panel: PanelModel, width: Int, glyphs: GlyphSet = .unicode) -> [String] {
    var buffer = ScreenBuffer(size: Size(width: width, height: 8))
    renderPanel(
      panel, in: buffer.bounds, focused: false, zoomed: false, into: &buffer, glyphs: glyphs,
      theme: .standard)
    return buffer.lines()
  }

  @Test func detailLinesDropWholeItemsNotHalfOfOne() {
    var panel = PanelModel(
      title: "Checkout latency", headline: "3.62s", headlineLabel: "p99",
      details: ["p50 726ms  p90 1.87s  6.0/s", "pay 3.46s  inv 198ms  price 115ms  tax 69ms"],
      hasData: true)
    panel.spark = [1, 2, 3]
    let lines = Self.draw(panel, width: 40)
    #expect(lines[3] == "│pay 3.46s  inv 198ms  price 115ms     │", "\(lines)")
    #expect(Self.draw(panel, width: 60)[3].contains("tax 69ms"))
  }

  @Test func aTitleThatDoesNotFitBesideItsAlertGivesWayToItsShortForm() {
    var state = demoState(seconds: 60)
    state.ui.size = Size(width: 80, height: 24)
    var panel = DashboardModel(state).panels[5]
    #expect(panel.title == "Support tickets: order errors")
    #expect(panel.shortTitle == "Tickets: order errors")
    // Without an alert the full title fits; firing, the short one shows whole.
    #expect(Self.draw(panel, width: 40)[0].contains(" Support tickets: order errors "))
    panel.alert = .firing
    let top = Self.draw(panel, width: 40)[0]
    #expect(top.contains(" Tickets: order errors ") && top.contains("● FIRING"), "\(top)")
    #expect(!top.contains("…"), "\(top)")
    // A layout's own title is never replaced.
    panel.shortTitle = nil
    #expect(Self.draw(panel, width: 40)[0].contains(" Support tickets: order e… "))
  }

  @Test func aSilencedRowKeepsItsParenthesisWholeOrLeavesItOut() {
    var (state, _) = AlertsAppTests.demoRun(from: 0, seconds: 600)
    _ = update(&state, .key(.character("a")))
    #expect(AlertsAppTests.select("CheckoutLatencyP99High", in: &state))
    _ = update(&state, .key(.character("s")))
    _ = update(&state, .key(.character("A")))
    for c in "paged the payments team, bridge open" { _ = update(&state, .key(.character(c))) }
    _ = update(&state, .key(.enter))
    for width in [80, 90, 100, 120, 160] {
      state.ui.size = Size(width: width, height: 30)
      let row =
        render(state).lines().first {
          $0.contains("FIRING") && $0.contains("CheckoutLatencyP99High")
        }
        ?? ""
      #expect(row.contains("ACK") && row.contains("SILENCED 15m"), "\(width): \(row)")
      let whole = row.contains("SILENCED 15m (to 10:25:00)")
      #expect(whole || !row.contains("(to"), "\(width): \(row)")
      if width >= 120 { #expect(whole, "\(width): \(row)") }
      // The note in full under the selected row, whatever the row had room for.
      #expect(
        render(state).lines().contains {
          $0.contains("│    ACK: paged the payments team, bridge open")
        },
        "\(width)")
      // The note gives way first: whole, cut with an ellipsis, or left out, never cut off at
      // the border.
      #expect(
        row.contains("ACK: paged the payments team, bridge open") || row.contains("…")
          || row.contains("ACK  SILENCED"), "\(width): \(row)")
    }
  }

  @Test func asciiThresholdsAreDashedAndCutTextEndsInAnArrow() {
    let state = demoState(seconds: 480)
    var buffer = ScreenBuffer(size: state.ui.size)
    renderApp(state, into: &buffer, glyphs: .ascii)
    let lines = buffer.lines()
    let screen = lines.joined(separator: "\n")
    #expect(screen.contains("~"), "a threshold line shows: \(screen)")
    #expect(!screen.contains("~~"), "\(screen)")
    // Cut text ends in > (the ASCII ellipsis), not ~.
    let cut = Self.draw(
      PanelModel(title: "Support tickets: order errors"), width: 20, glyphs: .ascii)
    #expect(cut[0] == "+ Support tickets> +", "\(cut[0])")
  }

  /// The alerts list's status line drops whole items (`, baseline …`), not letters.
  @Test func theAlertsStatusLineDropsWholeItems() {
    var (state, _) = AlertsAppTests.demoRun(from: 0, seconds: 300)
    _ = update(&state, .key(.character("a")))
    func header(_ width: Int) -> String {
      state.ui.size = Size(width: width, height: 30)
      let line = render(state).lines().first { $0.contains(" rules, every ") } ?? ""
      guard let at = line.range(of: " rules, every ") else { return "" }
      var start = at.lowerBound
      while start > line.startIndex, line[line.index(before: start)].isNumber {
        start = line.index(before: start)
      }
      let end = line[at.upperBound...].firstIndex(of: "│") ?? line.endIndex
      var text = String(line[start..<end])
      while text.hasSuffix(" ") { text.removeLast() }
      return text
    }
    let full = header(300)
    #expect(full.contains("baseline"), "\(full)")
    for width in 60...120 {
      let shown = header(width)
      #expect(full.hasPrefix(shown), "\(width): \(shown)")
      #expect(shown == full || full.dropFirst(shown.count).hasPrefix(", "), "\(width): \(shown)")
    }
  }
}
