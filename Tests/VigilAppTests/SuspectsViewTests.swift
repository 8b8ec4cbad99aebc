import Testing
import VigilAppTestSupport
import VigilCore
import VigilDemo
import VigilRender
import VigilTestSupport

@testable import VigilApp

/// The Suspects view (`d`), the alert list's top suspect, and the demo opening the view, with
/// rankings injected through ``SuspectSource`` (the engine's ranking is another part's work).
@Suite struct SuspectsViewTests {
  /// Eleven minutes of the demo incident (the payment gateway slowing from minute 4), after the
  /// demo's quiet prelude, so the baselines are warm.
  static let demo: AppState = {
    let prelude = Int(DemoScenario.quietPrelude / Nanos.second)
    var state = freshState(now: demoStart.adding(-Int64(prelude) * Nanos.second))
    state.ui.size = Size(width: 80, height: 24)
    play(&state, from: -prelude, to: 660)
    return state
  }()

  static func play(_ state: inout AppState, from: Int, to: Int) {
    let scenario = DemoScenario(seed: 42)
    for s in from..<to {
      let arrival = demoStart.adding(Int64(s + 1) * Nanos.second)
      let lines = scenario.events(second: s).map {
        DemoFormatter.line($0, start: demoStart, format: .json)
      }
      send(&state, lines, at: arrival)
    }
  }

  static let firedAt = demoStart.adding(6 * Nanos.minute + 30 * Nanos.second)

  static func suspect(
    _ component: String, _ series: String, _ measure: String, change: Double?, median: Double,
    onset: Int64?, explainedBy: String? = nil
  ) -> Suspect {
    Suspect(
      component: component, series: series, measure: measure, score: 10, change: change,
      current: (change ?? 1) * median,
      baseline: Baseline(median: median, scale: median / 5, minutes: 10),
      onset: onset.map { firedAt.adding(-$0 * Nanos.second) }, explainedBy: explainedBy)
  }

  /// A ranking of the demo's kind: payment first, checkout explained by it, a ratio, a drop,
  /// and a component from feed text with escape bytes.
  static func ranking(
    alert: String? = "ApiLatencyP99High", labels: LabelSet = ["service": "payment"]
  )
    -> SuspectRanking
  {
    SuspectRanking(
      t: firedAt, alert: alert, labels: labels,
      suspects: [
        suspect(
          "payment", "api_latency_ms{service=payment}", "p99", change: 7.1, median: 700,
          onset: 110),
        suspect(
          "checkout", "checkout_latency_ms{stage=total}", "p99", change: 2.3, median: 900,
          onset: 60, explainedBy: "payment"),
        suspect(
          "payment", "payment_retries_total/payment_attempts_total", "ratio", change: 6.2,
          median: 0.015, onset: 40),
        suspect(
          "search", "api_latency_ms{service=search}", "rate", change: 0.2, median: 12, onset: 20),
        suspect(
          "evil\u{1b}[31m", "api_latency_ms{service=evil\u{7}}", "p99", change: nil, median: 0,
          onset: nil),
      ])
  }

  static func state(
    size: Size, subject: SuspectsSubject = .now, now: SuspectRanking? = ranking(alert: nil),
    atFiring: [SuspectRanking] = [ranking()]
  ) -> AppState {
    var state = demo
    state.config.suspects = .fixed(now: now, atFiring: atFiring)
    state.ui.size = size
    _ = update(&state, .key(.character("d")))
    if case .alert(let key) = subject { state.openSuspects(.alert(key), auto: false) }
    return state
  }

  @Test func suspectsViewAt80x24() {
    let state = Self.state(size: Size(width: 80, height: 24))
    #expect(state.ui.overlay == .suspects)
    let screen = render(state)
    let text = screen.lines().joined(separator: "\n")
    #expect(text.contains("Suspects at 10:11:00"))
    #expect(text.contains("payment") && text.contains("x7.1 p99"))
    #expect(text.contains("↓ x0.2 rate"))
    #expect(text.contains("since 10:04:40, 6m20s ago"))
    #expect(!text.contains("\u{1b}") && !text.contains("\u{7}"))
    #expect(snapshotMismatch(screen.snapshot(), named: "suspects-80x24") == nil)
  }

  @Test func suspectsViewAt200x60ShowsEveryoneWithTallSparklines() {
    let state = Self.state(size: Size(width: 200, height: 60))
    let screen = render(state)
    let text = screen.lines().joined(separator: "\n")
    #expect(text.contains("payment_retries_total/payment_attempts_total"))
    #expect(text.contains("follows payment"))
    #expect(text.contains("onset unknown") && text.contains("↑ from 0 p99"))
    #expect(snapshotMismatch(screen.snapshot(), named: "suspects-200x60") == nil)
  }

  @Test func anAlertsSuspectsSayWhenEachMovedBeforeTheAlert() {
    let key = AlertKey(
      rule: "ApiLatencyP99High", labels: ["service": "payment", "severity": "page"])
    let state = Self.state(size: Size(width: 80, height: 24), subject: .alert(key))
    let text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("Suspects of ApiLatencyP99High, fired 10:06:30"))
    #expect(text.contains("watches api_latency_ms{service=payment}"))
    #expect(text.contains("since 10:04:40, 1m50s before the alert"))
  }

  @Test func monochromeAndASCII() {
    let state = Self.state(size: Size(width: 80, height: 24))
    var buffer = ScreenBuffer(size: state.ui.size)
    renderApp(state, into: &buffer, glyphs: .ascii, theme: Theme.standard.adapted(to: .monochrome))
    let text = buffer.lines().joined(separator: "\n")
    #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
    #expect(text.contains("v x0.2 rate") && text.contains("x7.1 p99"))
    #expect(buffer.cells.allSatisfy { $0.style.foreground == .default })
    #expect(snapshotMismatch(buffer.snapshot(), named: "suspects-80x24-ascii-mono") == nil)
  }

  @Test func aLongRankingScrollsAt80x24() {
    var r = Self.ranking(alert: nil)
    r.suspects += (0..<12).map {
      Self.suspect(
        "svc\($0)", "api_latency_ms{service=svc\($0)}", "p99", change: 2, median: 50, onset: 5)
    }
    var state = Self.state(size: Size(width: 80, height: 24), now: r)
    var text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("1-8 of 17, j/k"))
    #expect(!text.contains("svc11"))
    _ = update(&state, .key(.character("G")))
    text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("svc11") && text.contains("10-17 of 17"))
  }

  @Test func nothingDeviatingAndWarmingUpAreSaid() {
    var state = Self.state(size: Size(width: 80, height: 24), now: nil)
    #expect(render(state).lines().joined().contains("no series deviates from its baseline"))
    state = freshState()
    state.config.suspects = .fixed(now: nil)
    Self.play(&state, from: 0, to: 400)
    _ = update(&state, .key(.character("d")))
    // 6m40s of data: 6 whole minutes of the 12 the ranker needs.
    #expect(render(state).lines().joined().contains("baseline warming up, 6 of 12 minutes"))
  }

  @Test func theSparklineReadsTheSeriesHistory() {
    let s = Self.ranking().suspects[0]
    let values = Self.demo.engine.suspectValues(s, at: Self.demo.now, count: 10)
    #expect(values.count == 10)
    // The payment p99 of the demo's minutes: quiet first, several times higher from minute 6.
    let quiet = values[0...2].compactMap { $0 }
    let slow = values[6...8].compactMap { $0 }
    #expect(quiet.count == 3 && slow.count == 3)
    #expect(slow.min()! > 3 * quiet.max()!)
    let ratio = Self.demo.engine.suspectValues(
      Self.ranking().suspects[2], at: Self.demo.now, count: 12)
    #expect(ratio.compactMap { $0 }.allSatisfy { $0 >= 0 && $0 < 1 })
    #expect(ratio.compactMap { $0 }.count >= 10)
  }

  @Test func seriesKeysParse() {
    let k = ParsedSeriesKey("num{a=b,c=d}/den{a=b}")
    #expect(k?.metric == "num" && k?.labels.count == 2 && k?.denominator?.metric == "den")
    #expect(ParsedSeriesKey("plain")?.labels.isEmpty == true)
    #expect(ParsedSeriesKey("broken{a=b") == nil)
    #expect(ParsedSeriesKey("{a=b}") == nil)
  }
}
