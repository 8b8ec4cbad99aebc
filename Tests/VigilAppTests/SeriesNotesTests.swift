import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender
import VigilTestSupport

/// A folded label and refused series on screen: status bar, feeds overlay, rejected lines.
@Suite struct SeriesNotesTests {
  /// 150 orders, each with its own `order_id`, then a flood of 30 series of one metric past
  /// its limit of 20, at 120x30.
  static func state() -> AppState {
    var config = AppConfig()
    config.clockMode = .wall
    config.series = SeriesLimits(maxSeries: 200, perMetric: 20, signalReserve: 50, foldAfter: 100)
    // Without the built-in order pair, which would take order_id off before interning.
    config.series.pairs = []
    var state = AppState(
      config: config,
      feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "/var/log/app.jsonl", format: .json)],
      now: demoStart)
    state.ui.size = Size(width: 120, height: 30)
    let orders = (0..<150).map {
      #"{"ts":"2026-11-26T10:00:00Z","metric":"order_placed","value":1,"labels":{"order_id":"o\#($0)"}}"#
    }
    let flood = (0..<30).map {
      #"{"ts":"2026-11-26T10:00:00Z","metric":"cache_hits","value":1,"labels":{"key":"k\#($0 % 19)","shard":"s\#($0)"}}"#
    }
    send(&state, orders + flood, at: demoStart.adding(Nanos.second))
    return state
  }

  @Test func aFoldShowsInTheStatusBarAndTheFeedsView() {
    var state = Self.state()
    // Orders: 20 series (the metric's limit), 79 refused, the 100th value folds order_id.
    #expect(state.totalRejected == 79 + 10)
    #expect(state.feeds[0].rejected == [.metricSeriesLimit: 89])
    #expect(state.engine.interner.count == 21 + 20)
    // The series the fold retired are not listed one by one among the other metrics.
    #expect(
      DashboardModel(state).others.map { $0[0] }.filter { $0.hasPrefix("order_placed") } == [
        "order_placed"
      ])
    var text = render(state).lines().joined(separator: "\n")
    // 150 values, estimated (within a few percent).
    #expect(text.contains("folded order_id ≈15"), "\(text)")
    state.ui.overlay = .feeds
    text = render(state).lines().joined(separator: "\n")
    #expect(
      text.contains(
        "series 41 of 200 (20 per metric, 50 kept for signals, labels fold after 100 values)"),
      "\(text)")
    #expect(text.contains("order_placed: order_id (≈15"), "\(text)")
    #expect(text.contains("order_placed: metric series limit 79"), "\(text)")
    state.ui.overlay = .rejected
    text = render(state).lines().joined(separator: "\n")
    #expect(
      text.contains("series refused by metric: cache_hits: metric series limit 10"), "\(text)")
  }

  @Test func nothingIsSaidWhileNothingIsFolded() {
    var state = freshState()
    state.ui.size = Size(width: 120, height: 30)
    send(
      &state, [#"{"ts":"2026-11-26T10:00:00Z","metric":"order_placed","value":1}"#],
      at: demoStart.adding(Nanos.second))
    #expect(!render(state).lines().joined().contains("folded"))
    state.ui.overlay = .feeds
    #expect(!render(state).lines().joined().contains("series"))
  }
}
