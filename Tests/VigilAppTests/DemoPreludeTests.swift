import Testing
import VigilAppTestSupport
import VigilCore
import VigilDemo
import VigilRender

@testable import VigilApp

/// The demo's quiet prelude: eight minutes before the incident with the baseline's traffic and
/// no fault, so the baselines have ten minutes when the payment gateway's slowdown shows (minute 5).
@Suite struct DemoPreludeTests {
  @Test func thePreludeIsQuietAndWarmsTheBaselinesBeforeTheFault() {
    let prelude = Int(DemoScenario.quietPrelude / Nanos.second)
    // Minute 5, when the fault shows: ten usable minutes after the ranker's gap.
    #expect(prelude + 5 * 60 >= SuspectTuning().dataMinutes * 60)
    var state = freshState(now: demoStart.adding(-Int64(prelude) * Nanos.second))
    SuspectsViewTests.play(&state, from: -prelude, to: 5 * 60)
    // As the fault shows, the view says nothing about warming up.
    #expect(state.baselineMinutes >= state.suspectsWarmupMinutes)
    _ = update(&state, .key(.character("d")))
    #expect(!render(state).lines().joined().contains("warming up"))
    // Ten minutes and more of the payment latency are in the history, all of them quiet: the
    // prelude's minutes look like the incident's first two.
    let id = state.engine.interner.lookup(SeriesKey("api_latency_ms", ["service": "payment"]))
    let last = state.engine.history.newestMinute ?? 0
    let minutes = id.map { state.engine.history.summaries($0, last: last, count: 16) } ?? []
    let p99s = minutes.compactMap { $0?.p99 }
    #expect(p99s.count >= state.suspectsWarmupMinutes)
    let first = minutes.firstIndex { $0 != nil } ?? 0
    let quiet = p99s.prefix(prelude / 60 - 1)
    let start = minutes[(first + prelude / 60)...].prefix(2).compactMap { $0?.p99 }
    #expect(start.count == 2)
    #expect(quiet.allSatisfy { $0 > 0.5 * start.min()! && $0 < 1.5 * start.max()! })
  }

  @Test func negativeSecondsAreQuietHistoryAndReproducible() {
    let scenario = DemoScenario(seed: 42)
    #expect(DemoScenario.phase(atSecond: -30) == "quiet history before the incident")
    let a = scenario.events(second: -61)
    #expect(a == scenario.events(second: -61))
    #expect(a != scenario.events(second: -62))
    #expect(a.allSatisfy { $0.offset >= -61 * Nanos.second && $0.offset < -60 * Nanos.second })
    // No fault: the payment latencies of a quiet minute stay near the baseline's 300 ms.
    let payment = (-300 ..< -240).flatMap { scenario.events(second: $0) }.filter {
      $0.metric == "api_latency_ms" && $0.labels.first?.1 == "payment"
    }.map(\.value).sorted()
    #expect(payment.count > 300)
    let median = payment[payment.count / 2]
    #expect(median > 200 && median < 450)
  }

  /// The real ranking: the demo's Suspects view names its cause, the payment gateway, when its
  /// first alert fires and when the incident ends.
  @Test func theDemosSuspectsNamePayment() {
    let prelude = Int(DemoScenario.quietPrelude / Nanos.second)
    var state = freshState(now: demoStart.adding(-Int64(prelude) * Nanos.second))
    state.config.demoSuspects = DemoSuspects(
      incidentLength: DemoScenario.duration,
      atEnd: { t in
        t.since(demoStart) % DemoScenario.duration >= 12 * Nanos.minute + 30 * Nanos.second
      })
    var s = -prelude
    while state.alertHistory.firing.isEmpty && s < 900 {
      SuspectsViewTests.play(&state, from: s, to: s + 1)
      s += 1
    }
    #expect(state.ui.overlay == .suspects)
    #expect(state.shownSuspects?.suspects.first?.component == "payment")
    #expect(render(state).lines().joined(separator: "\n").contains(" 1. payment"))
    SuspectsViewTests.play(&state, from: s, to: 13 * 60)
    #expect(state.ui.overlay == .suspects)
    #expect(state.shownSuspects?.suspects.first?.component == "payment")
  }

  /// Issue 15 item 11: the demo's second run says it started again, rather than silently
  /// reading "minute 0" while the first run's alerts still fire.
  @Test func theDemoBannerSaysWhenTheIncidentStartsAgain() {
    #expect(DemoScenario.banner(atSecond: 125) == "demo, minute 2: traffic spike")
    #expect(
      DemoScenario.banner(atSecond: 905, speedNote: " at 20x")
        == "demo at 20x, run 2 (restarted), minute 0: baseline")
    #expect(DemoScenario.banner(atSecond: 2 * 900 + 61).hasPrefix("demo, run 3"))
  }
}
