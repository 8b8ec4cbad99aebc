import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender

@Suite struct UpdateTests {
  let t0 = Timestamp.seconds(1_795_687_200)

  @Test func ingestCountsLinesSamplesAndRejectionsWithLineNumbers() {
    var state = freshState(now: t0)
    send(
      &state,
      [
        #"{"ts":"2026-11-26T10:00:00Z","metric":"api_latency_ms","value":12,"labels":{"service":"cart"}}"#,
        #"{"ts":"2026-11-26T10:00:00Z","metric":"api_latency_ms","value":"abc"}"#,
        "not json at all",
        #"{"metric":"api_latency_ms","value":30,"service":"cart"}"#,
      ], at: t0)
    let feed = state.feeds[0]
    #expect(feed.lines == 4)
    #expect(feed.samples == 2)
    #expect(feed.rejectedTotal == 2)
    #expect(state.totalRejected == 2)
    #expect(state.issues.map(\.issue.line) == [2, 3])
    #expect(state.issues.allSatisfy { $0.feed == "app.jsonl" })
    let cart = state.engine.interner.lookup(SeriesKey("api_latency_ms", ["service": "cart"]))
    #expect(cart != nil)
    if let cart {
      let s = state.engine.store.stats(cart, window: 5 * Nanos.minute, at: t0)
      #expect(s.count == 2)
      #expect(s.max == 30)
    }
  }

  @Test func futureAndTooOldTimestampsAreRejectedInWallClockMode() {
    var state = freshState(now: t0, clock: .wall)
    send(
      &state,
      [
        #"{"ts":"2026-11-26T10:00:00Z","metric":"x","value":1}"#,
        #"{"ts":"2026-11-26T10:05:00Z","metric":"x","value":1}"#,  // 5 minutes ahead
        #"{"ts":"2026-11-26T09:00:00Z","metric":"x","value":1}"#,  // an hour old
      ], at: t0)
    #expect(state.feeds[0].samples == 1)
    #expect(state.feeds[0].rejected[.futureTimestamp] == 1)
    #expect(state.feeds[0].rejected[.tooOld] == 1)
    #expect(state.issues.map(\.issue.line) == [2, 3])
  }

  @Test func autoClockFollowsEventTimeForHistoricalFiles() {
    var state = freshState(now: t0.adding(8 * Nanos.hour), clock: .auto)
    send(
      &state, [#"{"ts":"2026-11-26T10:00:30Z","metric":"x","value":1}"#],
      at: t0.adding(8 * Nanos.hour))
    #expect(state.clockMode == .event)
    #expect(state.now == t0.adding(30 * Nanos.second))
    #expect(state.feeds[0].samples == 1)
  }

  @Test func autoClockStaysOnTheWallForLiveFeeds() {
    var state = freshState(now: t0, clock: .auto)
    send(&state, [#"{"ts":"2026-11-26T09:59:59Z","metric":"x","value":1}"#], at: t0)
    #expect(state.clockMode == .wall)
  }

  @Test func aRunawayLabelIsFoldedAndTheSeriesLimitIsCounted() {
    var state = freshState(now: t0)
    // One metric's user ids: the label folds at its 100th value; every line still counts.
    let users = (0...AppState.maxSeries).map {
      #"{"metric":"x","value":1,"labels":{"user":"u\#($0)"}}"#
    }
    send(&state, users, at: t0)
    #expect(state.feeds[0].rejectedTotal == 0)
    #expect(state.engine.interner.count == SeriesLimits.defaultFoldAfter)
    // Distinct metric names: past the part of the limit not kept for the signals' metrics,
    // refused and counted.
    let names = (0..<AppState.maxSeries).map { #"{"metric":"m\#($0)","value":1}"# }
    send(&state, names, at: t0, firstLine: users.count + 1)
    let open = AppState.maxSeries - SeriesLimits.defaultSignalReserve
    #expect(state.engine.interner.count == open)
    let made = open - SeriesLimits.defaultFoldAfter
    #expect(state.feeds[0].rejected[.seriesLimit] == UInt64(AppState.maxSeries - made))
    #expect(state.issues.last?.issue.line == users.count + AppState.maxSeries)
  }

  @Test func keysChangeWindowFocusZoomAndOverlays() {
    var state = freshState()
    #expect(state.window == 5 * Nanos.minute)
    _ = update(&state, .key(.character("1")))
    #expect(state.window == Nanos.minute)
    _ = update(&state, .key(.character("f")))
    #expect(state.window == 15 * Nanos.minute)
    _ = update(&state, .key(.tab))
    _ = update(&state, .key(.tab))
    #expect(state.ui.focus == 2)
    _ = update(&state, .key(.backTab))
    #expect(state.ui.focus == 1)
    _ = update(&state, .key(.down))
    #expect(state.ui.focus == 3)
    _ = update(&state, .key(.enter))
    #expect(state.ui.zoomed)
    _ = update(&state, .key(.escape))
    #expect(!state.ui.zoomed)
    _ = update(&state, .key(.character("?")))
    #expect(state.ui.overlay == .help)
    _ = update(&state, .key(.enter))
    #expect(!state.ui.zoomed, "Enter does not zoom under an overlay")
    _ = update(&state, .key(.escape))
    #expect(state.ui.overlay == nil)
    #expect(update(&state, .key(.character("q"))) == [.quit(.quit)])
    #expect(update(&state, .terminate(15)) == [.quit(.signal(15))])
  }

  @Test func freezeHoldsTheViewWhileIngestContinues() {
    var state = freshState(now: t0)
    _ = update(&state, .key(.character(" ")))
    #expect(state.ui.frozenAt == t0)
    send(&state, [#"{"metric":"x","value":1}"#], at: t0.adding(3 * Nanos.second))
    #expect(state.feeds[0].samples == 1)
    #expect(state.viewTime == t0)
    #expect(state.now == t0.adding(3 * Nanos.second))
    _ = update(&state, .key(.character(" ")))
    #expect(state.viewTime == t0.adding(3 * Nanos.second))
  }

  @Test func feedEventsSetHealth() {
    var state = freshState()
    let events: [(FeedEvent, String)] = [
      (.waiting("No such file or directory"), "waiting"), (.opened, "ok"), (.deleted, "deleted"),
      (.rotated, "ok"), (.endOfInput, "ended"), (.failed("EIO"), "failing"),
    ]
    for (event, word) in events {
      _ = update(
        &state, .feed(FeedInput(feed: FeedID(0), arrival: t0, seq: 1, payload: .event(event))))
      #expect(state.feeds[0].health.word == word)
    }
    #expect(state.feeds[0].rotations == 1)
  }

  @Test func aFeedSettlesWhenCaughtUpOrDone() {
    var state = freshState()
    func event(_ e: FeedEvent) {
      _ = update(&state, .feed(FeedInput(feed: FeedID(0), arrival: t0, seq: 1, payload: .event(e))))
    }
    #expect(!state.feeds[0].isSettled)
    event(.opened)
    #expect(!state.feeds[0].isSettled, "open but still reading its backlog")
    event(.caughtUp)
    #expect(state.feeds[0].isSettled)
    var other = freshState()
    _ = update(
      &other,
      .feed(
        FeedInput(feed: FeedID(0), arrival: t0, seq: 1, payload: .event(.waiting("No such file")))))
    #expect(other.feeds[0].isSettled, "a missing file is nothing to wait for")
  }

  @Test func lineRateCountsTheLastFullSecond() {
    var state = freshState(now: t0)
    send(
      &state, Array(repeating: #"{"metric":"x","value":1}"#, count: 7),
      at: t0.adding(100 * Nanos.millisecond))
    _ = update(&state, .tick(t0.adding(1_100 * Nanos.millisecond)))
    #expect(state.lineRate.perSecond == 7)
    _ = update(&state, .tick(t0.adding(3 * Nanos.second)))
    #expect(state.lineRate.perSecond == 0)
  }

  @Test func lineRateSpreadsOverAClockThatJumps() {
    // The demo at 30x: the clock moves several seconds between loop turns.
    var meter = RateMeter()
    meter.roll(to: t0)
    meter.add(300, at: t0.adding(Nanos.second / 2))
    meter.roll(to: t0.adding(3 * Nanos.second))
    #expect(meter.perSecond == 100)
  }
}

/// Title-bar notices last their seconds of wall time, whatever the data clock does (issue 15,
/// item 3: at `--speed 20` a theme notice used to vanish in a quarter of a second).
/// Issue 15 item 2: which feeds are live (their data current), for the bell and delivery.
@Suite struct FeedLivenessTests {
  static func line(_ t: Timestamp) -> String {
    "{\"ts\":\"\(CivilTime(t).rfc3339(fractionDigits: 3))\",\"metric\":\"m\",\"value\":1}"
  }

  static func send(_ state: inout AppState, sampleAt t: Timestamp, arrival: Timestamp) {
    let input = FeedInput(
      feed: FeedID(0), arrival: arrival, seq: 1, payload: .records(batch([line(t)]), .json))
    _ = update(&state, .feed(input))
  }

  @Test func aFeedIsLiveWhenItsNewestSampleIsCurrent() {
    let now = demoStart.adding(Nanos.hour)
    let spec = FeedSpec(id: FeedID(0), kind: .file, target: "a.jsonl", format: .json)
    // History: its newest sample five minutes behind the clock.
    var old = AppState(config: AppConfig(), feeds: [spec], now: now)
    Self.send(&old, sampleAt: now.adding(-5 * Nanos.minute), arrival: now)
    #expect(!old.feeds[0].live && !old.hasLiveFeed)
    // Current data: live; a late batch after it (a delayed writer) keeps it live.
    var live = AppState(config: AppConfig(), feeds: [spec], now: now)
    Self.send(&live, sampleAt: now.adding(-Nanos.second), arrival: now)
    #expect(live.feeds[0].live)
    Self.send(&live, sampleAt: now.adding(-10 * Nanos.minute), arrival: now.adding(Nanos.second))
    #expect(live.feeds[0].live)
    // Silent for longer than the lag, it stays live: going quiet is news (FeedStale).
    _ = update(&live, .tick(now.adding(10 * Nanos.minute)))
    #expect(live.hasLiveFeed)
  }
}

@Suite struct NoticeWallTimeTests {
  @Test func aNoticeOutlivesAFastDataClockAndGoesOnTheWall() {
    var state = freshState()
    _ = update(&state, .wallClock(Nanos.second))
    _ = update(&state, .key(.character("t")))
    let shown = state.notice
    #expect(shown?.text.hasPrefix("theme: ") == true)
    // The demo at 60x: a minute of data per second of wall time.
    for i in 1...40 {
      _ = update(&state, .wallClock(Nanos.second + Int64(i) * 100 * Nanos.millisecond))
      _ = update(&state, .tick(demoStart.adding(Int64(i) * 6 * Nanos.second)))
    }
    #expect(state.notice == shown, "4 s of wall time: still shown")
    _ = update(&state, .wallClock(Nanos.second + 5 * Nanos.second + 1))
    #expect(state.notice == nil, "gone after its 5 s")
    // Without a wall clock (replay, tests) the data clock decides, as before.
    var plain = freshState()
    _ = update(&plain, .key(.character("t")))
    _ = update(&plain, .tick(demoStart.adding(4 * Nanos.second)))
    #expect(plain.notice != nil)
    _ = update(&plain, .tick(demoStart.adding(6 * Nanos.second)))
    #expect(plain.notice == nil)
  }
}
