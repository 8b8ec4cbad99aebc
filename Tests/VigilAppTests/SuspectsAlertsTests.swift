import Testing
import VigilAppTestSupport
import VigilCore
import VigilRender
import VigilTestSupport

@testable import VigilApp

/// The alert list's top suspect and watched series, and the demo opening the Suspects view by
/// itself, with rankings injected through ``SuspectSource``.
@Suite struct SuspectsAlertsTests {
  typealias V = SuspectsViewTests

  @Test func theAlertListShowsEachFiringAlertsTopSuspectAndSeries() {
    var state = V.demo
    state.config.suspects = .fixed(now: nil, atFiring: [V.ranking()])
    _ = update(&state, .key(.character("a")))
    let screen = render(state)
    let text = screen.lines().joined(separator: "\n")
    #expect(text.contains("api_latency_ms{service=payment}  since"))
    #expect(text.contains("top suspect: payment x7.1 p99, moved at -1m50s  (d: all suspects)"))
    #expect(screen.lines().allSatisfy { displayWidth($0) == 80 })
    #expect(snapshotMismatch(screen.snapshot(), named: "alerts-overlay-80x24-suspects") == nil)
    // d on the selected (first) alert opens the suspects ranked when it fired.
    let first = state.alertHistory.listed[0]
    _ = update(&state, .key(.character("d")))
    #expect(state.ui.overlay == .suspects)
    #expect(state.ui.suspectsSubject == .alert(first.key))
  }

  @Test func theAlertListAbbreviatesALongSeriesAndKeepsSince() {
    var state = V.demo
    let long = String(repeating: "x", count: 120)
    state.config.suspects = .fixed(now: nil)
    var rules = state.engine.rules
    rules.rules = rules.rules.map { r in
      var r = r
      r.selector.metric += long
      return r
    }
    state.engine.replaceRules(rules)
    _ = update(&state, .tick(state.now.adding(Nanos.second)))
    _ = update(&state, .key(.character("a")))
    let lines = render(state).lines()
    let detail = lines.filter { $0.contains("since") && $0.contains("xxxx") }
    #expect(!detail.isEmpty)
    #expect(detail.allSatisfy { $0.contains("…  since") })
  }

  /// A source naming payment for every rule that fires (whatever the rules are called).
  static let paymentEverywhere = SuspectSource(
    now: { _, t in
      var r = V.ranking(alert: nil)
      r.t = t
      return r
    },
    atFiring: { engine in
      engine.rules.rules.map {
        SuspectRanking(t: V.firedAt, alert: $0.name, labels: .empty, suspects: V.ranking().suspects)
      }
    })

  @Test func theDemoShowsTheSuspectsWhenItsAlertFiresAndEndsOnThem() {
    var state = freshState()
    state.config.suspects = Self.paymentEverywhere
    state.config.demoSuspects = DemoSuspects(atEnd: { t in
      (t.since(demoStart) % (15 * Nanos.minute)) >= 13 * Nanos.minute
    })
    var s = 0
    while state.alertHistory.firing.isEmpty && s < 900 {
      V.play(&state, from: s, to: s + 1)
      s += 1
    }
    #expect(!state.alertHistory.firing.isEmpty)
    #expect(state.ui.overlay == .suspects)
    guard case .alert(let key) = state.ui.suspectsSubject else {
      Issue.record("opened for \(state.ui.suspectsSubject)")
      return
    }
    #expect(state.alertHistory.history.contains { $0.to == .firing && $0.rule == key.rule })
    var text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("Suspects of \(key.rule)") && text.contains(" 1. payment"))
    // A minute later it closes by itself, and stays closed while later alerts fire.
    V.play(&state, from: s, to: s + 61)
    #expect(state.ui.overlay == nil)
    V.play(&state, from: s + 61, to: 12 * 60)
    #expect(state.ui.overlay == nil)
    // The incident ends on its suspects.
    V.play(&state, from: 12 * 60, to: 13 * 60 + 5)
    #expect(state.ui.overlay == .suspects)
    text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("Suspects of") && text.contains(" 1. payment"))
    // Esc closes it for good.
    _ = update(&state, .key(.escape))
    V.play(&state, from: 13 * 60 + 5, to: 13 * 60 + 20)
    #expect(state.ui.overlay == nil)
  }

  /// The ending shows the first firing that has suspects; with none, the suspects now.
  @Test func theEndingPicksAFiringWithSuspects() {
    for (atFiring, expected) in [
      ([V.ranking()], "ApiLatencyP99High"), ([SuspectRanking](), nil),
    ] {
      var state = V.demo
      state.config.suspects = .fixed(now: V.ranking(alert: nil), atFiring: atFiring)
      state.config.demoSuspects = DemoSuspects(atEnd: { _ in true })
      _ = update(&state, .tick(state.now.adding(Nanos.second)))
      #expect(state.ui.overlay == .suspects)
      switch state.ui.suspectsSubject {
      case .alert(let key): #expect(key.rule == expected)
      case .now: #expect(expected == nil)
      }
      #expect(render(state).lines().joined().contains(" 1. payment"))
    }
  }
}

/// The dashboard ranks suspects by the signal names and `components:` in force, as `check` does.
@Suite struct DashboardDiagnosisConfigTests {
  @Test func renamedSignalsAndComponentsReachTheRanker() {
    var config = AppConfig()
    _ = config.signals.apply("api_latency=http_server_ms")
    var components = ComponentsConfig()
    components.feeds = ["gateway": ["payment"]]
    config.components = components
    let state = AppState(config: config, feeds: [], now: demoStart)
    let ranker = state.engine.diagnosis.ranker
    #expect(ranker.signals.contains("http_server_ms"))
    #expect(!ranker.signals.contains("api_latency_ms"))
    #expect(
      ranker.components.component(of: SeriesKey("http_server_ms", ["service": "tax"])) == "tax")
    #expect(ranker.components.downstream(of: "gateway").contains("payment"))
  }
}

/// A baseline rule draws no threshold line on its panel (its line moves with the median).
@Suite struct BaselineRulePanelTests {
  @Test func onlyFixedRulesDrawAThreshold() throws {
    func panels(_ yaml: String) throws -> [PanelModel] {
      var config = AppConfig()
      config.clockMode = .wall
      config.rules = try RulesLoader.parse(yaml, file: "r.yaml").get()
      var state = AppState(
        config: config,
        feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "a.jsonl", format: .json)],
        now: demoStart)
      let ts = demoStart.nanoseconds / Nanos.millisecond - 500
      send(
        &state,
        [
          #"{"ts":\#(ts),"metric":"api_latency_ms","value":120,"labels":{"service":"tax"}}"#,
          #"{"ts":\#(ts),"metric":"payment_attempts_total","value":100}"#,
          #"{"ts":\#(ts),"metric":"payment_retries_total","value":2}"#,
        ], at: demoStart)
      return DashboardModel(state).panels
    }
    let baseline = """
      rules:
        - alert: Slow
          metric: api_latency_ms
          aggregate: p99
          window: 1m
          op: ">"
          baseline: {factor: 2, floor: 100}
        - alert: Retries
          aggregate: ratio
          num: payment_retries_total
          den: payment_attempts_total
          window: 1m
          op: ">"
          baseline: {factor: 2, floor: 0.05}

      """
    var p = try panels(baseline)
    #expect(p[3].hasData && p[3].threshold == nil)
    p = try panels(
      baseline + """
          - alert: RetriesFixed
            aggregate: ratio
            num: payment_retries_total
            den: payment_attempts_total
            window: 5m
            op: ">"
            threshold: 0.05
        """)
    #expect(p[3].threshold == 0.05)
  }
}
