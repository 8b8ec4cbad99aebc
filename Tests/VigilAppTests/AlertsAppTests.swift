import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilDemo
import VigilRender
import VigilTestSupport

/// The alert engine inside the app: evaluation on ticks over the real store, the bell, the keys
/// and the views.
@Suite struct AlertsAppTests {
  /// Like `demoState`, but with a config and collecting when the bell rang.
  static func demoRun(
    from: Int, seconds: Int, config: AppConfig = AppConfig(), caughtUp: Bool = true
  ) -> (state: AppState, bells: [Timestamp]) {
    var config = config
    config.clockMode = .wall
    var state = AppState(
      config: config,
      feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "/var/log/app.jsonl", format: .json)],
      now: demoStart.adding(Int64(from) * Nanos.second))
    // The feed has sent its backlog (there is none): transitions are news from here on.
    if caughtUp {
      _ = update(
        &state,
        .feed(FeedInput(feed: FeedID(0), arrival: state.now, seq: 0, payload: .event(.caughtUp))))
    }
    let bells = play(&state, from: from, to: from + seconds)
    return (state, bells)
  }

  /// Feeds demo seconds `from..<to` into `state` as a live run would; returns the bell times.
  static func play(
    _ state: inout AppState, from: Int, to: Int, keep: (String) -> Bool = { _ in true }
  ) -> [Timestamp] {
    let scenario = DemoScenario(seed: 42)
    var bells: [Timestamp] = []
    for s in from..<to {
      let arrival = demoStart.adding(Int64(s + 1) * Nanos.second)
      if update(&state, .tick(arrival)).contains(.bell) { bells.append(arrival) }
      let lines = scenario.events(second: s).map {
        DemoFormatter.line($0, start: demoStart, format: .json)
      }.filter(keep)
      let input = FeedInput(
        feed: FeedID(0), arrival: arrival, seq: 1, payload: .records(batch(lines), .json))
      _ = update(&state, .feed(input))
    }
    return bells
  }

  static let fullIncident = demoRun(from: 0, seconds: 900)

  /// Values print in the rule's own terms: a ratio in percent, a burn rate as a multiple.
  @Test func valuesPrintInTheirRulesTerms() {
    let alerts = RuleSet.defaults(for: SignalNames())
    #expect(alerts.formatValue(0.0525, rule: "PaymentRetryRatioHigh") == "5.3%")
    #expect(alerts.formatValue(20.0 / 3, rule: "PaymentErrorBudgetBurn") == "6.67x")
    #expect(alerts.formatValue(nil, rule: "PaymentErrorBudgetBurn") == "—")
    #expect(alerts.formatValue(1504, rule: "ApiLatencyP99High") == "1.50s")
  }

  @Test func ticksTurnTheDemoIntoTransitionsThroughTheRealStore() {
    let state = Self.fullIncident.state
    let fired = state.alertHistory.history.filter { $0.to == .firing }.map(\.rule)
    // The same order as the engine over the store alone (AlertDefaultRulesDemoTests), and the
    // baseline rules once their 10 minutes have warmed up (from about minute 12; the incident
    // starts at minute 4, so the ramping ratios and delays are still over their baselines).
    #expect(
      fired == [
        "CheckoutLatencyP99High", "ApiLatencyP99High", "OrderConfirmationDelayHigh",
        "PaymentRetryRatioHigh", "InventoryMismatchAboveBaseline",
        "InventoryMismatchAboveBaseline", "OrderConfirmationAboveBaseline",
        "PaymentFailureRatioAboveBaseline", "PaymentRetryRatioAboveBaseline",
        "SupportOrderErrorsAboveBaseline", "SupportTicketsOrderErrors", "InventoryMismatchHigh",
        "InventoryMismatchHigh",
      ])
    // Quiet at baseline: nothing before minute 4, and no stale-feed noise at start.
    #expect(state.alertHistory.history.allSatisfy { $0.t >= demoStart.adding(4 * Nanos.minute) })
    #expect(state.alertHistory.history.allSatisfy { $0.rule != RuleSet.feedStaleRule })
    #expect(state.alertHistory.firing.count == 12)
    // Every episode starts with its first breach, and those that fired say when.
    let checkout = state.alertHistory.episodes.first { $0.rule == "CheckoutLatencyP99High" }
    #expect(checkout?.pendingAt == demoStart.adding(5 * Nanos.minute + 30 * Nanos.second))
    #expect(checkout?.firedAt == demoStart.adding(8 * Nanos.minute + 30 * Nanos.second))
    #expect((checkout?.peak ?? 0) > 5_000)
    // Deterministic: the same input gives the same transitions.
    #expect(
      Self.demoRun(from: 0, seconds: 900).state.alertHistory.history == state.alertHistory.history)
  }

  @Test func historyOnScreenAtStartIsEvaluatedAsIfWatchedLive() {
    // Ten minutes of the incident arrive at once (a file, the demo's history), then the feed
    // has caught up: the transitions are those of watching it live.
    let scenario = DemoScenario(seed: 42)
    let arrival = demoStart.adding(10 * Nanos.minute)
    var state = freshState(now: arrival, clock: .auto)
    let lines = (0..<600).flatMap { s in
      scenario.events(second: s).map { DemoFormatter.line($0, start: demoStart, format: .json) }
    }
    _ = update(&state, .tick(arrival))
    _ = update(
      &state,
      .feed(
        FeedInput(feed: FeedID(0), arrival: arrival, seq: 1, payload: .records(batch(lines), .json))
      ))
    _ = update(
      &state,
      .feed(FeedInput(feed: FeedID(0), arrival: arrival, seq: 2, payload: .event(.caughtUp))))
    _ = update(&state, .tick(arrival.adding(Nanos.second)))
    let live = Self.fullIncident.state.alertHistory.history.filter {
      $0.t <= demoStart.adding(9 * Nanos.minute + 50 * Nanos.second)
    }
    let fired = state.alertHistory.history.filter { $0.to == .firing }
    #expect(
      fired.map(\.rule) == [
        "CheckoutLatencyP99High", "ApiLatencyP99High", "OrderConfirmationDelayHigh",
      ])
    #expect(fired.map(\.t) == live.filter { $0.to == .firing }.map(\.t))
    #expect(state.alertHistory.firing.count == 3)
  }

  /// The first `seconds` of the incident read as a historical file (event time), in batches of
  /// `batchSeconds` seconds, with a tick after every batch.
  static func eventRun(seconds: Int, batchSeconds: Int) -> AppState {
    let scenario = DemoScenario(seed: 42)
    let wall = demoStart.adding(8 * Nanos.hour)
    var state = freshState(now: wall, clock: .auto)
    var seq: UInt64 = 0
    for first in stride(from: 0, to: seconds, by: batchSeconds) {
      let lines = (first..<min(seconds, first + batchSeconds)).flatMap { s in
        scenario.events(second: s).map { DemoFormatter.line($0, start: demoStart, format: .json) }
      }
      seq += 1
      _ = update(
        &state,
        .feed(
          FeedInput(
            feed: FeedID(0), arrival: wall, seq: seq, payload: .records(batch(lines), .json))
        ))
      _ = update(&state, .tick(wall))
    }
    return state
  }

  @Test func aFileInEventTimeGivesTheSameTransitionsHoweverItIsBatched() {
    // 20 minutes in one batch: longer than the windows hold, so only evaluating while ingesting
    // (not after the batch) sees the first minutes' alerts.
    let oneBatch = Self.eventRun(seconds: 1_200, batchSeconds: 1_200)
    let small = Self.eventRun(seconds: 1_200, batchSeconds: 60)
    #expect(oneBatch.clockMode == .event)
    #expect(oneBatch.alertHistory.history == small.alertHistory.history)
    // And the same as watching it live on the wall clock.
    let live = Self.fullIncident.state.alertHistory.history
    #expect(Array(oneBatch.alertHistory.history.prefix(live.count)) == live)
  }

  @Test func aBacklogNeverRings() {
    // 15 minutes of history in one batch: every rule fires on the way, and nothing rings.
    let scenario = DemoScenario(seed: 42)
    let wall = demoStart.adding(8 * Nanos.hour)
    var state = freshState(now: wall, clock: .auto)
    let lines = (0..<900).flatMap { s in
      scenario.events(second: s).map { DemoFormatter.line($0, start: demoStart, format: .json) }
    }
    let input = FeedInput(
      feed: FeedID(0), arrival: wall, seq: 1, payload: .records(batch(lines), .json))
    #expect(!update(&state, .feed(input)).contains(.bell))
    #expect(!update(&state, .tick(wall)).contains(.bell))
    #expect(state.alertHistory.history.filter { $0.to == .firing }.count == 13)
    #expect(state.notifier.lastBell.isEmpty)
  }

  @Test func theBellRingsOncePerRuleWithinFiveMinutes() {
    let (state, bells) = Self.fullIncident
    // Six rules fire; the second inventory pair fires 50 s after the first: one bell for both.
    #expect(bells.count == 6)
    let firings = state.alertHistory.history.filter { $0.to == .firing }
    #expect(firings.count == 13)
    // A busy live feed that never pauses long enough to count as caught up still rings: on the
    // wall clock, a fresh tick is news.
    #expect(Self.demoRun(from: 0, seconds: 900, caughtUp: false).bells.count == 6)
    var noBell = AppConfig()
    noBell.bell = false
    #expect(Self.demoRun(from: 0, seconds: 900, config: noBell).bells.isEmpty)
  }

  @Test func aFlappingAlertDoesNotRing() throws {
    let rules = try RulesLoader.parse(
      """
      rules:
        - alert: Flappy
          metric: x
          aggregate: last
          window: 10s
          op: ">"
          threshold: 10
      """, file: "flappy.yaml"
    ).get()
    var config = AppConfig()
    config.rules = rules
    var state = AppState(
      config: config,
      feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "x.jsonl", format: .json)],
      now: demoStart)
    state.clockMode = .wall
    _ = update(
      &state,
      .feed(FeedInput(feed: FeedID(0), arrival: demoStart, seq: 0, payload: .event(.caughtUp))))
    var bells: [Timestamp] = []
    // The value crosses the threshold every 10 s for 20 minutes.
    for s in 0..<1_200 {
      let t = demoStart.adding(Int64(s) * Nanos.second)
      if update(&state, .tick(t)).contains(.bell) { bells.append(t) }
      let value = (s / 10) % 2 == 0 ? 100 : 0
      send(&state, [#"{"metric":"x","value":\#(value)}"#], at: t)
    }
    let firings = state.alertHistory.history.filter { $0.to == .firing }
    #expect(firings.count > 20)
    #expect(state.alertHistory.instances.first?.flap.isFlapping == true)
    // Only the first firing rang: later ones (5 minutes apart or not) came from a flapping
    // instance.
    #expect(bells.count == 1, "bells at \(bells)")
    state.ui.overlay = .alerts
    state.ui.size = Size(width: 100, height: 30)
    let text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("FLAPPING (PSC"), "\(text)")
  }

  @Test func keysOpenTheAlertsAndTheHistory() {
    var state = freshState()
    _ = update(&state, .key(.character("a")))
    #expect(state.ui.overlay == .alerts)
    _ = update(&state, .key(.character("H")))
    #expect(state.ui.overlay == .alertHistory)
    _ = update(&state, .key(.character("H")))
    #expect(state.ui.overlay == nil)
    _ = update(&state, .key(.character("a")))
    _ = update(&state, .key(.escape))
    #expect(state.ui.overlay == nil)
    // `h` still moves focus; only `H` opens the history.
    _ = update(&state, .key(.character("h")))
    #expect(state.ui.overlay == nil)
    #expect(state.ui.focus == state.dashboardPanelCount - 1)
    // The help lists the new keys in full at 80x24.
    _ = update(&state, .key(.character("?")))
    let help = render(state).lines().joined(separator: "\n")
    for entry in helpKeys where ["a", "A, s", "H", "r"].contains(entry.key) {
      #expect(help.contains(entry.action), "\(entry.action)")
    }
  }

  @Test func dashboardShowsFiringAlertsAt80x24WithAllSixSignals() {
    var (state, _) = Self.demoRun(from: 240, seconds: 420)
    state.ui.size = Size(width: 80, height: 24)
    let screen = render(state)
    let lines = screen.lines()
    #expect(lines[0].contains("● ") && lines[0].contains("firing"), "\(lines[0])")
    let text = lines.joined(separator: "\n")
    // Firing, the tickets panel shows its short title whole rather than its long one cut.
    for title in DashboardViewTests.titles {
      let shown = title == "Support tickets" ? "Tickets: order errors" : title
      #expect(text.contains(shown), "missing \(shown)")
    }
    #expect(text.contains("● FIRING"))
    #expect(snapshotMismatch(screen.snapshot(), named: "dashboard-80x24-alerts-minute11") == nil)
  }

  @Test func alertsFitEverySizeAndASCII() {
    var (state, _) = Self.demoRun(from: 240, seconds: 420)
    for (w, h) in [(60, 16), (61, 17), (100, 30), (200, 50)] {
      state.ui.size = Size(width: w, height: h)
      for overlay in [nil, Overlay.alerts, .alertHistory] {
        state.ui.overlay = overlay
        let screen = render(state)
        #expect(screen.lines()[0].contains("firing"), "\(w)x\(h): \(screen.lines()[0])")
        let ascii = render(state, glyphs: .ascii).lines().joined()
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(ascii.contains("* ") && ascii.contains("firing"))
      }
    }
  }

  @Test func alertsOverlayListsEveryInstance() {
    var (state, _) = Self.demoRun(from: 240, seconds: 420)
    state.ui.size = Size(width: 80, height: 24)
    _ = update(&state, .key(.character("a")))
    let screen = render(state)
    let text = screen.lines().joined(separator: "\n")
    #expect(text.contains("● FIRING  PAGE"))
    #expect(text.contains("CheckoutLatencyP99High"))
    #expect(text.contains("since"))
    #expect(snapshotMismatch(screen.snapshot(), named: "alerts-overlay-80x24-minute11") == nil)
    // In ASCII the glyphs change, the words stay.
    let ascii = render(state, glyphs: .ascii).lines().joined(separator: "\n")
    #expect(ascii.contains("* FIRING  PAGE"))
  }

  @Test func historyListsEveryEpisode() {
    var state = Self.fullIncident.state
    state.ui.size = Size(width: 80, height: 24)
    _ = update(&state, .key(.character("H")))
    let screen = render(state)
    let text = screen.lines().joined(separator: "\n")
    #expect(text.contains("Alert history (13 episodes)"), "\(text)")
    #expect(text.contains("10:05:30") && text.contains("10:08:30"))
    #expect(snapshotMismatch(screen.snapshot(), named: "alert-history-80x24-minute15") == nil)
  }

  /// Selects `rule` in the alerts overlay with the keys (j from the top).
  static func select(_ rule: String, in state: inout AppState) -> Bool {
    for _ in 0..<state.alertHistory.listed.count {
      let i = state.alertHistory.selectedIndex(state.ui.alertSelection)
      if state.alertHistory.listed[i].rule == rule { return true }
      _ = update(&state, .key(.character("j")))
    }
    return false
  }

  @Test func anAckedAlertDoesNotRingButStaysFiring() {
    // At 10:08:20 CheckoutLatencyP99High is pending; it fires at 10:08:30.
    var (state, bells) = Self.demoRun(from: 0, seconds: 500)
    #expect(bells.isEmpty)
    _ = update(&state, .key(.character("a")))
    #expect(Self.select("CheckoutLatencyP99High", in: &state))
    _ = update(&state, .key(.character("A")))
    _ = update(&state, .key(.escape))  // no note
    let key = state.alertHistory.listed[state.alertHistory.selectedIndex(state.ui.alertSelection)]
      .key
    #expect(state.notifier.acked.contains(key))
    state.ui.size = Size(width: 100, height: 30)
    #expect(render(state).lines().joined().contains("ACK"))
    bells += Self.play(&state, from: 500, to: 900)
    // Five bells: every rule but the acknowledged one.
    #expect(bells.count == 5, "\(bells)")
    // The evaluated state is never hidden.
    #expect(state.alertHistory.instances.first { $0.key == key }?.state == .firing)
    #expect(state.alertHistory.firing.count == 12)
    #expect(render(state).lines()[0].contains("12 firing"))
    // A second A takes the ack back.
    _ = update(&state, .key(.character("a")))
    _ = update(&state, .key(.character("a")))
    #expect(Self.select("CheckoutLatencyP99High", in: &state))
    _ = update(&state, .key(.character("A")))
    #expect(!state.notifier.acked.contains(key))
  }

  @Test func anAckTakesAnOptionalNoteAndTypingNeverRunsCommands() {
    var (state, _) = Self.demoRun(from: 0, seconds: 600)
    _ = update(&state, .key(.character("a")))
    #expect(Self.select("CheckoutLatencyP99High", in: &state))
    _ = update(&state, .key(.character("A")))
    let key = state.alertHistory.listed[state.alertHistory.selectedIndex(state.ui.alertSelection)]
      .key
    #expect(state.notifier.acked.contains(key), "acknowledged at once, before the note")
    var effects: [Effect] = []
    for c in "on it, q here!x" { effects += update(&state, .key(.character(c))) }
    _ = update(&state, .key(.backspace))
    #expect(effects.isEmpty, "q while typing a note does not quit")
    #expect(state.ui.overlay == .alerts)
    _ = update(&state, .key(.enter))
    #expect(state.notifier.ackNotes[key] == "on it, q here!")
    state.ui.size = Size(width: 120, height: 30)
    #expect(render(state).lines().joined().contains("ACK: on it, q here!"))
    // Taking the ack back drops its note; q works again.
    _ = update(&state, .key(.character("A")))
    #expect(state.notifier.ackNotes[key] == nil && !state.notifier.acked.contains(key))
    #expect(update(&state, .key(.character("q"))) == [.quit(.quit)])
  }

  @Test func silenceCyclesThroughFifteenMinutesOneHourFourHoursAndOff() {
    var (state, _) = Self.demoRun(from: 0, seconds: 500)
    _ = update(&state, .key(.character("a")))
    #expect(Self.select("CheckoutLatencyP99High", in: &state))
    let key = state.alertHistory.listed[state.alertHistory.selectedIndex(state.ui.alertSelection)]
      .key
    _ = update(&state, .key(.character("s")))
    #expect(state.notifier.silences[key]?.until == state.now.adding(15 * Nanos.minute))
    state.ui.size = Size(width: 100, height: 30)
    let text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("SILENCED 15m (to 10:23:20)"), "\(text)")
    _ = update(&state, .key(.character("s")))
    #expect(state.notifier.silences[key]?.until == state.now.adding(Nanos.hour))
    _ = update(&state, .key(.character("s")))
    #expect(state.notifier.silences[key]?.until == state.now.adding(4 * Nanos.hour))
    _ = update(&state, .key(.character("s")))
    #expect(state.notifier.silences[key] == nil)
    // Silenced for 15 minutes: it fires without a bell, and stays firing on screen.
    _ = update(&state, .key(.character("s")))
    let bells = Self.play(&state, from: 500, to: 900)
    #expect(bells.count == 5, "\(bells)")
    #expect(state.alertHistory.instances.first { $0.key == key }?.state == .firing)
    // Outside the overlay, A and s do nothing.
    _ = update(&state, .key(.escape))
    _ = update(&state, .key(.character("s")))
    _ = update(&state, .key(.character("A")))
    #expect(state.notifier.acked.isEmpty)
  }

  /// Issue 15 item 1: the selection is the alert the user saw, not a row. With the list open
  /// and nothing chosen, alerts that fire later sort above the shown one; `A` and `s` still
  /// act on the shown one, and the prompt and notices name it.
  @Test func ackAndSilenceActOnTheAlertShownWhenANewOneSortsAbove() throws {
    var (state, _) = Self.demoRun(from: 0, seconds: 240)
    state.ui.size = Size(width: 120, height: 30)
    _ = update(&state, .key(.character("a")))
    var second = 240
    while state.alertHistory.listed.isEmpty && second < 900 {
      _ = Self.play(&state, from: second, to: second + 1)
      second += 1
    }
    let shown = try #require(state.alertHistory.listed.first).key
    #expect(render(state).lines().contains { $0.contains("▶ ") && $0.contains(shown.rule) })
    // Play on until another alert sorts above it.
    while state.alertHistory.listed.first?.key == shown && second < 900 {
      _ = Self.play(&state, from: second, to: second + 1)
      second += 1
    }
    try #require(state.alertHistory.listed.first?.key != shown, "no alert sorted above")
    let screen = render(state).lines()
    #expect(screen.contains { $0.contains("▶ ") && $0.contains(shown.rule) }, "\(screen)")
    _ = update(&state, .key(.character("A")))
    #expect(state.notifier.acked == [shown])
    let prompt = render(state).lines().joined(separator: "\n")
    #expect(prompt.contains("acked " + shown.rule), "\(prompt)")
    _ = update(&state, .key(.escape))
    _ = update(&state, .key(.character("s")))
    #expect(Array(state.notifier.silences.keys) == [shown])
    #expect(state.notice?.text.hasPrefix("silenced 15m") == true)
    #expect(state.notice?.text.contains(shown.rule) == true, "\(String(describing: state.notice))")
  }

  /// Issue 15 item 5: one API-latency log. The five signals it never fed are not configured
  /// (quiet, saying what they wait for), not stale: no FeedStale, no FIRING title. When the
  /// API latency itself stops, that is stale.
  @Test func signalsNeverSeenAreNotConfiguredAndOnlyWhatWasSeenGoesStale() {
    var config = AppConfig()
    config.clockMode = .wall
    var state = AppState(
      config: config,
      feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "/var/log/app.jsonl", format: .json)],
      now: demoStart)
    _ = update(
      &state,
      .feed(FeedInput(feed: FeedID(0), arrival: state.now, seq: 0, payload: .event(.caughtUp))))
    // Only the API latency lines: the log of one signal.
    _ = Self.play(&state, from: 0, to: 300) { $0.contains("api_latency_ms") }
    #expect(state.alertHistory.history.allSatisfy { $0.rule != RuleSet.feedStaleRule })
    state.ui.size = Size(width: 80, height: 24)
    let screen = render(state).lines().joined(separator: "\n")
    #expect(!screen.contains("FIRING"), "\(screen)")
    #expect(screen.contains("not configured") && screen.contains("payment_retries_total"))
    // The API latency stops: its feed goes stale (FeedStale's for is 2 minutes).
    for s in 300..<600 { _ = update(&state, .tick(demoStart.adding(Int64(s + 1) * Nanos.second))) }
    let stale = state.alertHistory.instances.filter { $0.rule == RuleSet.feedStaleRule }
    #expect(stale.map { $0.labels["feed"] } == ["api_latency_ms"])
    #expect(stale.first?.state == .firing)
  }

  /// Issue 15 item 7: the selected alert shows what to do next: its rule's summary (templated
  /// with the instance's value and labels), its runbook, and its condition.
  @Test func theSelectedAlertShowsItsSummaryRunbookAndCondition() {
    var (state, _) = Self.demoRun(from: 0, seconds: 700)
    state.ui.size = Size(width: 100, height: 40)
    _ = update(&state, .key(.character("a")))
    #expect(Self.select("ApiLatencyP99High", in: &state))
    let screen = render(state).lines()
    let text = screen.joined(separator: "\n")
    #expect(text.contains("API p99 "), "\(text)")
    #expect(text.contains(" ms on payment"), "\(text)")
    #expect(text.contains("runbook: Check the slowest service's dependencies"), "\(text)")
    #expect(
      text.contains("when p99 of api_latency_ms over 5m > 1.50s for 5m, clears at 1.20s"),
      "\(text)")
    // Only under the selected alert.
    #expect(screen.filter { $0.contains("runbook: ") }.count == 1)
    // The value prints to four digits, not as a float's seventeen.
    let summary = screen.first { $0.contains("API p99 ") } ?? ""
    let number = summary.split(separator: " ").first { $0.first?.isNumber == true } ?? ""
    #expect(number.count <= 5, "\(summary)")
  }

  /// Issue 15 item 7, zoom: a zoomed panel with a firing alert says which, and what to do.
  @Test func aZoomedPanelShowsItsAlertsGuidance() {
    var (state, _) = Self.demoRun(from: 0, seconds: 700)
    state.ui.size = Size(width: 80, height: 24)
    _ = update(&state, .key(.enter))
    #expect(state.ui.zoomed)
    let text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("FIRING ApiLatencyP99High service=payment"), "\(text)")
    #expect(text.contains("runbook: Check the slowest service's dependencies"), "\(text)")
    #expect(text.contains("when p99 of api_latency_ms over 5m > 1.50s for 5m"), "\(text)")
  }

  /// Issue 15 item 11: at 20x6 the too-small message keeps the alert count on the first row.
  @Test func aTooSmallTerminalStillCountsTheAlerts() {
    var (state, _) = Self.demoRun(from: 0, seconds: 700)
    state.ui.size = Size(width: 20, height: 6)
    let lines = render(state).lines()
    #expect(lines[0].contains("firing"), "\(lines)")
    #expect(lines.joined(separator: " ").contains("too small"), "\(lines)")
  }

  /// Issue 15 item 11: FROZEN freezes the alert badges with the numbers; space thaws both.
  @Test func frozenFreezesTheAlertBadgesToo() {
    var (state, _) = Self.demoRun(from: 0, seconds: 480)
    state.ui.size = Size(width: 100, height: 30)
    _ = update(&state, .key(.character(" ")))
    let frozen = render(state).lines()
    #expect(frozen[0].contains("FROZEN"))
    _ = Self.play(&state, from: 480, to: 700)
    let later = render(state).lines()
    #expect(state.alertHistory.firing.count > 0)
    // The title's counts and the panels' badges are those of the frozen moment.
    #expect(later[0] == frozen[0], "\(frozen[0])\n\(later[0])")
    #expect(later.filter { $0.contains("FIRING") } == frozen.filter { $0.contains("FIRING") })
    _ = update(&state, .key(.character(" ")))
    let live = render(state).lines()
    #expect(live[0].contains("\(state.alertHistory.firing.count) firing"), "\(live[0])")
  }
}
