import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender
import VigilTestSupport

@Suite struct DashboardViewTests {
  static let titles = [
    "API latency by service", "Checkout latency", "Order confirmation delay", "Payment retries",
    "Inventory mismatch", "Support tickets",
  ]

  @Test func dashboardAt80x24ShowsAllSixSignalsWithData() {
    // Minutes 6-9 of the incident: payments slow, retries high, confirmations lagging.
    let state = demoState(from: 360, seconds: 180)
    let screen = render(state)
    let text = screen.lines().joined(separator: "\n")
    for title in Self.titles { #expect(text.contains(title), "missing \(title)") }
    #expect(text.contains("payment"))
    #expect(!text.contains("no data"), "\(text)")
    #expect(text.contains("window 5m"))
    #expect(snapshotMismatch(screen.snapshot(), named: "dashboard-80x24-minute9") == nil)
  }

  @Test func largerTerminalsUseTheRoom() {
    let state = demoState(from: 360, seconds: 120, size: Size(width: 200, height: 50))
    let screen = render(state)
    #expect(screen.size == Size(width: 200, height: 50))
    let text = screen.lines().joined(separator: "\n")
    for title in Self.titles { #expect(text.contains(title)) }
    // All eight services fit in the table at this size.
    for service in [
      "checkout", "cart", "catalog", "search", "pricing", "tax", "inventory", "payment",
    ] {
      #expect(text.contains(service), "missing \(service)")
    }
    #expect(snapshotMismatch(screen.snapshot(), named: "dashboard-200x50-minute8") == nil)
  }

  @Test func zoomHelpAndRejectedOverlays() {
    var state = demoState(from: 300, seconds: 60)
    state.ui.focus = 3
    state.ui.zoomed = true
    var text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("Payment retries") && text.contains("Esc back"))
    #expect(!text.contains("Inventory mismatch"))
    #expect(snapshotMismatch(render(state).snapshot(), named: "zoom-payments-80x24") == nil)
    state.ui.zoomed = false
    state.ui.overlay = .help
    text = render(state).lines().joined(separator: "\n")
    for entry in helpKeys { #expect(text.contains(entry.key)) }
    send(&state, ["{oops", #"{"metric":"x","value":"NaN"}"#], at: state.now, firstLine: 41)
    state.ui.overlay = .rejected
    text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("app.jsonl:41"))
    #expect(text.contains("app.jsonl:42"))
    #expect(text.contains("malformed"))
  }

  @Test(arguments: [(59, 24), (80, 15), (20, 6), (1, 1), (0, 0)])
  func tooSmallSaysSoAndNeverCrashes(size: (Int, Int)) {
    var state = demoState(seconds: 5)
    state.ui.size = Size(width: size.0, height: size.1)
    let screen = render(state)
    if size.0 * size.1 >= 20 * 3 {
      #expect(screen.lines().joined(separator: " ").contains("too small"))
    }
  }

  @Test func asciiGlyphsProduceOnlyASCII() {
    var state = demoState(from: 300, seconds: 60)
    // Feed text with UTF-8 and a wide character, and an empty panel showing "—".
    send(
      &state, [#"{"metric":"api_latency_ms","value":5,"labels":{"service":"café-東京"}}"#],
      at: state.now)
    for zoomed in [false, true] {
      state.ui.zoomed = zoomed
      let screen = render(state, glyphs: .ascii)
      let nonASCII = screen.lines().joined().unicodeScalars.filter { !$0.isASCII }.map {
        String($0)
      }
      #expect(nonASCII.isEmpty, "non-ASCII on screen: \(nonASCII)")
      #expect(screen.cells.allSatisfy { $0.text.utf8.allSatisfy { $0 < 0x80 } })
    }
    // The zoomed API latency panel lists every service: the label is there, made ASCII.
    state.ui.focus = 0
    state.ui.size = Size(width: 120, height: 40)
    let zoomed = render(state, glyphs: .ascii).lines().joined()
    #expect(zoomed.contains("caf?-??"), "\(zoomed)")
  }

  @Test func feedTextNeverReachesCellsAsControlCharacters() {
    var state = freshState()
    state.ui.size = Size(width: 100, height: 30)
    send(
      &state,
      [#"{"metric":"api_latency_ms","value":5,"labels":{"service":"\u001b[2J\u0007evil"}}"#],
      at: state.now)
    let screen = render(state)
    for cell in screen.cells {
      #expect(!cell.text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f })
    }
    #expect(screen.lines().joined().contains("evil"))
  }

  @Test func anyOtherMetricShowsInTheGenericPanel() {
    var state = freshState()
    send(
      &state,
      [
        #"{"metric":"cache_hit_ratio","value":0.93,"labels":{"cache":"sessions"}}"#,
        #"{"metric":"queue_depth","value":17}"#,
      ], at: state.now)
    state.ui.overlay = .others
    let text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("Other metrics (2)"))
    #expect(text.contains("cache_hit_ratio{cache=\"sessions\"}"))
    #expect(text.contains("queue_depth"))
    #expect(text.contains("0.93"))
    // On a tall terminal the panel is part of the dashboard itself.
    state.ui.overlay = nil
    state.ui.size = Size(width: 120, height: 40)
    #expect(render(state).lines().joined().contains("queue_depth"))
  }

  @Test func alertThresholdsAreDrawnOnTheCharts() {
    // Baseline (minutes 1-3): every signal is under its threshold, so the line shows above the bars.
    var state = demoState(from: 60, seconds: 120, size: Size(width: 100, height: 30))
    let screen = render(state)
    let lines = screen.lines()
    // Inside each chart panel's border, a row of the threshold glyph wider than half the panel.
    let thresholdRows = lines.filter { row in
      row.split(separator: "│").contains {
        $0.filter { $0 == "─" }.count >= 20 && !$0.contains("┐")
      }
    }
    #expect(thresholdRows.count >= 2, "\(lines.joined(separator: "\n"))")
    // Zoomed, the caption names it.
    state.ui.focus = 3
    state.ui.zoomed = true
    #expect(render(state).lines().joined().contains("alert threshold 5.0%"))
  }

  @Test func frozenDisplayIsMarked() {
    var state = demoState(seconds: 30)
    _ = update(&state, .key(.character(" ")))
    #expect(render(state).lines()[0].contains("FROZEN"))
  }
}
