import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender
import VigilTestSupport

/// Command feed events in the state, the feeds overlay (`F`), and stale feeds on the panels.
@Suite struct FeedsViewTests {
  static let command =
    #"while :; do printf '{"metric":"api_latency_ms","value":%s}\n' $RANDOM; done"#

  /// Feed 0: a command; feed 1: a file (stale after 2m) whose checkout latencies stopped at
  /// 09:57:29.
  static func twoFeeds(size: Size = Size(width: 80, height: 24)) -> AppState {
    var config = AppConfig()
    config.clockMode = .wall
    var file = FeedSpec(
      id: FeedID(1), kind: .file, target: "/var/log/shop/checkout-latency.jsonl", format: .json)
    file.noDataAfter = 2 * Nanos.minute
    let specs = [FeedSpec(id: FeedID(0), kind: .command, target: command), file]
    let t0 = demoStart.adding(-6 * Nanos.minute)
    var state = AppState(config: config, feeds: specs, now: t0)
    state.ui.size = size
    _ = update(&state, .tick(t0))
    let old = (0..<20).map {
      #"{"ts":"2026-11-26T09:57:\#(10 + $0)Z","metric":"checkout_latency_ms","value":\#(100 + $0 * 5),"labels":{"stage":"total"}}"#
    }
    feed(&state, 1, .event(.opened), at: t0)
    let t1 = demoStart.adding(-3 * Nanos.minute + 31 * Nanos.second)
    feed(&state, 1, .records(batch(old), .json), at: t1)
    feed(&state, 1, .event(.caughtUp), at: t1)
    return state
  }

  static func feed(_ state: inout AppState, _ id: Int, _ payload: FeedPayload, at t: Timestamp) {
    _ = update(&state, .tick(t))
    _ = update(&state, .feed(FeedInput(feed: FeedID(id), arrival: t, seq: 1, payload: payload)))
  }

  /// The command ran for two seconds: samples, a garbage line, invalid UTF-8, stderr, exit 3.
  static func commandRan(_ state: inout AppState) {
    let t0 = demoStart
    feed(&state, 0, .event(.started(4242)), at: t0)
    var lines = batch(
      (1...5).map {
        #"{"ts":"2026-11-26T10:00:0\#($0 / 3)Z","metric":"api_latency_ms","value":\#($0 * 40),"service":"cart"}"#
      })
    for bytes in [Array("garbage".utf8), [0x7B, 0xFF, 0xFE, 0x1B, 0x5B, 0x32, 0x4A, 0x7D]] {
      bytes.withUnsafeBytes { lines.append($0, line: lines.count + 1) }
    }
    feed(&state, 0, .records(lines, .json), at: t0.adding(Nanos.second))
    feed(&state, 0, .event(.caughtUp), at: t0.adding(Nanos.second))
    feed(
      &state, 0, .event(.stderr(["retrying upstream (1/3)", "\\x1b[31mupstream down\\x1b[0m"])),
      at: t0.adding(2 * Nanos.second))
    feed(&state, 0, .event(.exited(.code(3))), at: t0.adding(2 * Nanos.second))
    feed(&state, 0, .event(.restarting(in: 4 * Nanos.second)), at: t0.adding(2 * Nanos.second))
    _ = update(&state, .tick(t0.adding(3 * Nanos.second)))
  }

  @Test func commandEventsFillTheFeedState() {
    var state = Self.twoFeeds()
    Self.commandRan(&state)
    let cmd = state.feeds[0]
    #expect(cmd.exitStatus == .code(3))
    #expect(cmd.exitedAt == demoStart.adding(2 * Nanos.second))
    #expect(cmd.pid == nil)
    #expect(cmd.health == .restarting(demoStart.adding(6 * Nanos.second)))
    #expect(cmd.stateWord(at: state.now) == "restarting")
    #expect(cmd.lastError == "command ended: exit 3")
    #expect(cmd.samples == 5 && cmd.lines == 7 && cmd.rejectedTotal == 2)
    #expect(cmd.rejected[.invalidUTF8] == 1)
    #expect(cmd.lastRejected?.reason == .invalidUTF8)
    #expect(cmd.lastRejected?.excerpt == "{\\xff\\xfe\\x1b[2J}")
    #expect(cmd.reconnects == 0)
    // A second start is a restart.
    Self.feed(&state, 0, .event(.started(4243)), at: demoStart.adding(6 * Nanos.second))
    #expect(state.feeds[0].reconnects == 1 && state.feeds[0].health == .ok)
    #expect(state.feeds[0].pid == 4243)
    #expect(state.feeds[0].exitStatus == .code(3), "the last exit stays visible")
  }

  @Test func theStderrTailIsBounded() {
    var state = Self.twoFeeds()
    for i in 0..<30 {
      Self.feed(&state, 0, .event(.stderr(["a\(i)", "b\(i)"])), at: demoStart)
    }
    #expect(state.feeds[0].stderrTail.count == FeedState.stderrKept)
    #expect(state.feeds[0].stderrTail.last == "b29")
    #expect(state.feeds[0].stderrTail.first == "a20")
    #expect(state.feeds[0].stderrLines == 60)
  }

  @Test func aQuietFeedTurnsItsPanelStaleAndBack() {
    var state = Self.twoFeeds()
    Self.commandRan(&state)
    #expect(state.feeds[1].isStale(at: state.now))
    #expect(state.feeds[1].stateWord(at: state.now) == "stale")
    #expect(!state.feeds[0].isStale(at: state.now))
    let model = DashboardModel(state)
    #expect(model.panels[1].staleFor == 2 * Nanos.minute + 34 * Nanos.second)
    #expect(model.panels[0].staleFor == nil, "the command's panel is fed")
    #expect(model.panels[2].staleFor == nil, "no feed delivered this signal")
    let text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("STALE 2m"), "\(text)")
    #expect(text.contains("feeds 0/2 ok"), "\(text)")
    // The numbers from before are still the window's, but the chart's newest buckets are gaps,
    // not the last value carried on.
    #expect(model.panels[1].headline != "—")
    #expect(model.panels[1].spark.suffix(15).allSatisfy { $0 == nil })
    #expect(model.panels[1].spark.suffix(17).contains { $0 != nil })
    #expect(snapshotMismatch(render(state).snapshot(), named: "dashboard-80x24-stale-feed") == nil)
    // A fresh sample from the same feed: fed again.
    Self.feed(
      &state, 1,
      .records(
        batch([#"{"metric":"checkout_latency_ms","value":90,"labels":{"stage":"total"}}"#]), .json),
      at: state.now)
    #expect(DashboardModel(state).panels[1].staleFor == nil)
    #expect(!render(state).lines().joined().contains("STALE"))
  }

  @Test func aPanelFedByAFreshFeedIsNotStale() {
    var state = Self.twoFeeds()
    // The command also delivers checkout latencies now: one of the two feeds is fresh.
    Self.feed(
      &state, 0,
      .records(
        batch([#"{"metric":"checkout_latency_ms","value":90,"labels":{"stage":"pricing"}}"#]),
        .json), at: demoStart)
    #expect(state.feeds[1].isStale(at: state.now))
    #expect(DashboardModel(state).panels[1].staleFor == nil)
  }

  @Test func theFeedsOverlayOpensWithFAndSelectsWithJK() {
    var state = Self.twoFeeds(size: Size(width: 200, height: 50))
    Self.commandRan(&state)
    _ = update(&state, .key(.character("F")))
    #expect(state.ui.overlay == .feeds)
    var text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("Feeds (0/2 ok)"), "\(text)")
    #expect(text.contains("exit 3 at 10:00:02 after 2s"), "\(text)")
    #expect(text.contains("restarting in 3s"), "\(text)")
    #expect(text.contains("\\x1b[31mupstream down"), "\(text)")
    #expect(text.contains("invalid UTF-8  {\\xff\\xfe\\x1b[2J}"), "\(text)")
    _ = update(&state, .key(.character("j")))
    #expect(state.ui.feedSelection == 1)
    _ = update(&state, .key(.character("j")))
    #expect(state.ui.feedSelection == 1, "stays on the last feed")
    text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("/var/log/shop/checkout-latency.jsonl"), "\(text)")
    #expect(text.contains("stale (no sample for over 2m)"), "\(text)")
    _ = update(&state, .key(.character("k")))
    #expect(state.ui.feedSelection == 0)
    _ = update(&state, .key(.character("F")))
    #expect(state.ui.overlay == nil)
    #expect(helpKeys.contains { $0.key == "F" })
  }

  @Test(arguments: [(80, 24), (200, 50)])
  func feedsOverlaySnapshot(size: (Int, Int)) {
    var state = Self.twoFeeds(size: Size(width: size.0, height: size.1))
    Self.commandRan(&state)
    state.ui.overlay = .feeds
    let screen = render(state)
    #expect(
      snapshotMismatch(screen.snapshot(), named: "feeds-overlay-\(size.0)x\(size.1)") == nil)
    let ascii = render(state, glyphs: .ascii).lines().joined()
    #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
  }
}
