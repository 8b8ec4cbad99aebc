import Testing

@testable import VigilCore

/// The engine over the real windows: samples in, ticks, transitions out.
@Suite struct AlertMetricStoreTests {
  /// 2026-11-26T12:00:00Z.
  let noon =
    CivilTime(year: 2026, month: 11, day: 26, hour: 12).timestamp ?? Timestamp(nanoseconds: 0)

  struct World {
    var store = MetricStore()
    var interner = SeriesInterner()
    mutating func add(_ metric: String, _ labels: LabelSet, _ t: Timestamp, _ v: Double) {
      guard let id = interner.intern(SeriesKey(metric, labels)) else { return }
      _ = store.ingest(Sample(series: id, timestamp: t, value: v), now: t)
    }
    var source: MetricStoreAlertSource { MetricStoreAlertSource(store: store, interner: interner) }
  }

  /// A16: the 12:00:10 tick sees (12:00:00, 12:00:10]; a sample at exactly t − W is excluded.
  @Test func a16TickAlignmentRightClosedLeftOpen() {
    var w = World()
    for ms: Int64 in [0, 9_999, 10_000, 10_001] {
      w.add("events", .empty, noon.adding(ms * Nanos.millisecond), 1)
    }
    let rule = AlertRule(
      name: "Events", selector: SeriesSelector(metric: "events"), aggregate: .series(.count),
      window: 10 * Nanos.second, op: .greaterOrEqual, threshold: Rational(2),
      noDataAfter: Nanos.minute)
    var e = AlertEvaluator(rules: RuleSet(rules: [rule]))
    let ticks = [10, 20].map { noon.adding($0 * Nanos.second) }
    let at10 = e.tick(at: ticks[0], data: w.source)
    #expect(at10.map(\.value) == [2])  // 09.999 and 10.000, not 00.000 and not 10.001
    #expect(at10.map(\.to) == [.firing])
    let at20 = e.tick(at: ticks[1], data: w.source)
    #expect(at20.map(\.value) == [1])  // 10.001 counts from the next tick
    #expect(at20.map(\.to) == [.resolved])
  }

  /// A p99 rule over two services through the store, every 10 s for 8 minutes.
  func incident() -> [String] {
    var w = World()
    var e = AlertEvaluator(
      rules: RuleSet(rules: [
        AlertRule(
          name: "ApiP99High", selector: SeriesSelector(metric: "api_latency_ms"),
          aggregate: .series(.p99), window: Nanos.minute, op: .greater, threshold: Rational(800),
          clearThreshold: Rational(600), forDuration: Nanos.minute, labels: ["severity": "page"]),
        AlertRule(
          name: "RetryRatio", selector: SeriesSelector(metric: "retries_total"),
          aggregate: .ratio(
            num: SeriesSelector(metric: "retries_total"),
            den: SeriesSelector(metric: "attempts_total")),
          window: Nanos.minute, op: .greater, threshold: Rational(parsing: "0.05") ?? .zero),
      ]))
    var lines: [String] = []
    for second in 0..<480 {
      let t = noon.adding(Int64(second) * Nanos.second)
      let slow = second >= 120 && second < 300
      for (i, service) in ["checkout", "search"].enumerated() {
        for k in 0..<5 {
          let base = slow && service == "checkout" ? 1_500.0 : 100.0
          w.add(
            "api_latency_ms", ["service": service],
            t.adding(Int64(k + i) * 100 * Nanos.millisecond), base + Double(k))
        }
      }
      w.add("attempts_total", .empty, t.adding(999 * Nanos.millisecond), 20)
      if slow {
        w.add("retries_total", ["reason": "timeout"], t.adding(999 * Nanos.millisecond), 3)
      }
      // Tick once the 2 s delay has passed.
      for tick in e.ticksDue(now: t) {
        lines += e.tick(at: tick, data: w.source).map(\.jsonLine)
      }
    }
    return lines
  }

  @Test func endToEndThroughTheStore() {
    let lines = incident()
    #expect(
      lines == [
        // Before the first samples: no data, so FeedStale starts pending, then clears (recorded,
        // never notified).
        #"{"t":"2026-11-26T11:59:50Z","rule":"FeedStale","labels":{"feed":"api_latency_ms","severity":"warn"},"from":"inactive","to":"pending","value":null}"#,
        #"{"t":"2026-11-26T11:59:50Z","rule":"FeedStale","labels":{"feed":"retries_total","severity":"warn"},"from":"inactive","to":"pending","value":null}"#,
        #"{"t":"2026-11-26T12:00:00Z","rule":"FeedStale","labels":{"feed":"api_latency_ms","severity":"warn"},"from":"pending","to":"inactive","value":null}"#,
        #"{"t":"2026-11-26T12:00:10Z","rule":"FeedStale","labels":{"feed":"retries_total","severity":"warn"},"from":"pending","to":"inactive","value":null}"#,
        // (1:10, 2:10] holds 10 slow seconds: 50 of 300 checkout samples at ~1.5 s.
        #"{"t":"2026-11-26T12:02:10Z","rule":"ApiP99High","labels":{"service":"checkout","severity":"page"},"from":"inactive","to":"pending","value":1504}"#,
        // 30 s of 3 retries/s over 1200 attempts = 0.075 > 0.05 (at 2:20 it is exactly 0.05).
        #"{"t":"2026-11-26T12:02:30Z","rule":"RetryRatio","labels":{},"from":"inactive","to":"firing","value":0.075}"#,
        #"{"t":"2026-11-26T12:03:10Z","rule":"ApiP99High","labels":{"service":"checkout","severity":"page"},"from":"pending","to":"firing","value":1504}"#,
        // (4:40, 5:40] holds 20 s of retries: 60/1200 = 0.05, not > 0.05 (exact).
        #"{"t":"2026-11-26T12:05:40Z","rule":"RetryRatio","labels":{},"from":"firing","to":"resolved","value":0.05}"#,
        // Hysteresis: at 5:50 the window still holds slow samples (p99 > clear 600).
        #"{"t":"2026-11-26T12:06:00Z","rule":"ApiP99High","labels":{"service":"checkout","severity":"page"},"from":"firing","to":"resolved","value":104}"#,
      ])
  }

  @Test func sameInputTwiceGivesByteIdenticalLines() {
    let a = incident()
    let b = incident()
    #expect(!a.isEmpty)
    #expect(a == b)
  }

  @Test func windowsTheStoreCannotServeAreErrors() {
    let w = World()
    #expect(w.source.problem(window: Nanos.hour, measure: .p99) != nil)
    #expect(w.source.problem(window: 5 * Nanos.minute, measure: .p99) == nil)
    // Sums and rates reach further, through the long-window counters: 10 s steps up to 6 h,
    // 5 min steps up to 3 d.
    #expect(w.source.problem(window: Nanos.hour, measure: .sum) == nil)
    #expect(w.source.problem(window: 6 * Nanos.hour, measure: .rate) == nil)
    #expect(w.source.problem(window: 3 * Nanos.day, measure: .sum) == nil)
    #expect(w.source.problem(window: 3 * Nanos.day + 10 * Nanos.second, measure: .sum) != nil)
    #expect(w.source.problem(window: 4 * Nanos.day, measure: .sum) != nil)
    #expect(w.source.problem(window: Nanos.hour + 5 * Nanos.second, measure: .sum) != nil)
  }
}
