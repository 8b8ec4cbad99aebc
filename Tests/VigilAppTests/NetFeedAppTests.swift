import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender

/// How the app shows scrape and Prometheus API feeds: failures with their reason, recovery.
@Suite struct NetFeedAppTests {
  let t0 = demoStart

  func state() -> AppState {
    var config = AppConfig()
    config.clockMode = .wall
    var s = AppState(
      config: config,
      feeds: [
        FeedSpec(
          id: FeedID(0), kind: .scrape, target: "http://10.1.2.3:9100/metrics",
          poll: PollSettings(every: 5 * Nanos.second)),
        FeedSpec(id: FeedID(1), kind: .prometheus, target: "http://prom:9090/"),
      ], now: t0)
    s.ui.size = Size(width: 100, height: 30)
    return s
  }

  func event(_ s: inout AppState, _ feed: Int, _ e: FeedEvent) {
    _ = update(&s, .feed(FeedInput(feed: FeedID(feed), arrival: t0, seq: 1, payload: .event(e))))
  }

  @Test func aFailureShowsItsReasonPerTargetAndAFetchEndsIt() {
    var s = state()
    #expect(s.feeds.map(\.spec.displayName) == ["10.1.2.3:9100", "prom:9090"])
    event(&s, 0, .failed("connection refused (10.1.2.3:9100)"))
    event(&s, 1, .fetched(durationNanos: 12 * Nanos.millisecond, bytes: 300))
    #expect(s.feeds[0].health == .failed("connection refused (10.1.2.3:9100)"))
    #expect(s.feeds[1].health == .ok)
    #expect(s.feeds[1].lastFetchDuration == 12 * Nanos.millisecond)
    let status = render(s).lines().last ?? ""
    #expect(status.contains("feeds 1/2 ok, 10.1.2.3:9100 failing"), "\(status)")
    _ = update(&s, .key(.character("F")))
    let overlay = render(s).lines().joined(separator: "\n")
    #expect(overlay.contains("failing: connection refused (10.1.2.3:9100)"), "\(overlay)")
    #expect(overlay.contains("every 5s, timeout 5s"), "\(overlay)")
    event(&s, 0, .fetched(durationNanos: 3_400_000, bytes: 10))
    #expect(s.feeds[0].health == .ok)
    #expect(s.feeds[0].reconnects == 1, "working again after a failure is a reconnect")
    #expect(s.feeds[0].lastError == "connection refused (10.1.2.3:9100)", "kept after recovery")
    let after = render(s).lines().joined(separator: "\n")
    #expect(after.contains("last took 3ms, 10 bytes"), "\(after)")
    #expect(!after.contains("failing"))
  }

  /// The API source's JSON lines land as series named after the query, labels intact; a NaN
  /// is counted as a non-finite rejection.
  @Test func apiLinesBecomeSeries() {
    var s = state()
    let lines = [
      #"{"ts":"2026-11-26T10:00:00.000Z","metric":"checkout_p99_seconds","value":0.42,"labels":{"region":"eu"}}"#,
      #"{"ts":"2026-11-26T10:00:00.000Z","metric":"checkout_p99_seconds","value":"NaN","labels":{"region":"us"}}"#,
    ]
    _ = update(&s, .tick(t0))
    _ = update(
      &s,
      .feed(FeedInput(feed: FeedID(1), arrival: t0, seq: 1, payload: .records(batch(lines), .json)))
    )
    #expect(s.feeds[1].samples == 1)
    #expect(s.feeds[1].rejected[.nonFinite] == 1)
    let id = s.engine.interner.lookup(SeriesKey("checkout_p99_seconds", ["region": "eu"]))
    #expect(id != nil)
    if let id { #expect(s.engine.store.stats(id, window: 5 * Nanos.minute, at: t0).max == 0.42) }
  }
}
