import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilIncident
import VigilRender
import VigilTestSupport

/// The Suspects view in a replay shows the suspects as they were at the replay position: the
/// ranking is made from the replayed engine, and a seek rebuilds it.
@Suite struct ReplaySuspectsTests {
  /// Ranks one suspect from what the engine holds: the payment p99 of the newest recorded
  /// minute over the demo's quiet 300 ms (so the screen says what the engine held then).
  static let fromEngine = SuspectSource(
    now: { engine, t in
      let id = engine.interner.lookup(SeriesKey("api_latency_ms", ["service": "payment"]))
      let minute = engine.history.newestMinute
      let p99 = id.flatMap { id in minute.flatMap { engine.history.summary(id, minute: $0)?.p99 } }
      let suspects = p99.map {
        [
          Suspect(
            component: "payment", series: "api_latency_ms{service=payment}", measure: "p99",
            score: 1, change: $0 / 300, current: $0,
            baseline: Baseline(median: 300, scale: 60, minutes: 10), onset: t.adding(-Nanos.minute))
        ]
      }
      return SuspectRanking(t: t, alert: nil, labels: .empty, suspects: suspects ?? [])
    }, atFiring: { _ in [] })

  static func change(_ state: AppState) -> Double? { state.shownSuspects?.suspects.first?.change }

  @Test func seekingRebuildsTheSuspectsAsTheyWere() throws {
    let path = RecordingTests.tempPath("suspects")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try RecordingTests.recordDemo(path: path, seconds: 600)
    let file = try RecordingFile.load(path: path)
    var ui = UIState()
    ui.size = Size(width: 80, height: 24)
    var player = Player(replayer: Replayer(file: file, ui: ui, suspects: Self.fromEngine))
    player.seek(to: demoStart.adding(9 * Nanos.minute))
    let handled = player.handle(.character("d"))
    #expect(!handled)  // not the player's: the app's
    #expect(player.replayer.viewerKey(.character("d")).refused == nil)
    #expect(player.replayer.state.ui.overlay == .suspects)
    let late = Self.change(player.replayer.state)
    let lateText = render(player.replayer.state).lines().joined(separator: "\n")
    #expect(lateText.contains("Suspects at 10:09:00") && lateText.contains(" 1. payment"))
    // Back to minute 3 (a checkpoint restored): the view stays open, ranked at minute 3.
    player.seek(to: demoStart.adding(3 * Nanos.minute))
    let early = Self.change(player.replayer.state)
    var straight = Replayer(file: file, ui: player.replayer.state.ui, suspects: Self.fromEngine)
    straight.play(until: demoStart.adding(3 * Nanos.minute))
    #expect(early != nil && early == Self.change(straight.state))
    #expect(render(player.replayer.state).lines() == render(straight.state).lines())
    #expect(render(player.replayer.state).lines().joined().contains("Suspects at 10:03:00"))
    // The payment gateway was slow at minute 9, not at minute 3.
    #expect((late ?? 0) > 3 * (early ?? .infinity))
    // And forward again: the same as before the seek back.
    player.seek(to: demoStart.adding(9 * Nanos.minute))
    #expect(render(player.replayer.state).lines().joined(separator: "\n") == lateText)
  }
}
