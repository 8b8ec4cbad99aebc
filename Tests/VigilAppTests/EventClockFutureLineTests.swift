import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore

/// One line stamped in the future must not push the event clock past every later sample
/// (issue 12: one bad line never blinds Vigil).
@Suite struct EventClockFutureLineTests {
  func line(_ ts: String, _ value: Int) -> String {
    "{\"ts\":\"\(ts)\",\"metric\":\"api_latency_ms\",\"value\":\(value),\"labels\":{\"service\":\"tax\"}}"
  }

  @Test(arguments: ["2262-04-11T23:47:16Z", "2099-01-01T00:00:00Z", "2026-11-26T12:00:00Z"])
  func aFutureLineIsRefusedAndLaterLinesStillLand(future: String) {
    // Yesterday's log, read on event time an hour after it was written.
    let arrival = demoStart.adding(60 * Nanos.minute)
    var state = freshState(now: arrival, clock: .event)
    send(
      &state,
      [
        line("2026-11-26T10:00:00Z", 100), line("2026-11-26T10:00:01Z", 110),
        line(future, 999), line("2026-11-26T10:00:02Z", 120), line("2026-11-26T10:00:03Z", 130),
      ], at: arrival)
    #expect(state.feeds[0].samples == 4)
    #expect(state.issues.map(\.issue.line) == [3])
    #expect(state.issues.first?.issue.reason == .futureTimestamp)
    #expect(state.engine.clock.now == Timestamp.seconds(1_795_687_203))
  }

  @Test func linesNoLaterThanTheirArrivalMoveTheClockAsBefore() {
    let arrival = demoStart.adding(60 * Nanos.minute)
    var state = freshState(now: arrival, clock: .event)
    // Stamped up to the arrival itself (and within the 5 s skew after it): all land.
    send(
      &state,
      [line("2026-11-26T10:59:00Z", 1), line("2026-11-26T11:00:00Z", 2)], at: arrival)
    send(&state, [line("2026-11-26T11:00:04Z", 3)], at: arrival)
    #expect(state.feeds[0].samples == 3)
    #expect(state.issues.isEmpty)
    #expect(state.engine.clock.now == demoStart.adding(60 * Nanos.minute + 4 * Nanos.second))
  }
}
