import Testing
import VigilDemo

@testable import VigilCore

/// Event pairs through the engine: keys never reach the interner, every format's events pair,
/// bad keys are counted, and `vigil check` and the dashboard's path make the same latencies.
@Suite struct PairEngineTests {
  static let t0: Int64 = 1_795_687_200
  static let arrival = Timestamp.seconds(2_000_000_000)

  /// A JSON line of `metric` at `ms` milliseconds after t0, with an order id (nil: none).
  static func json(_ metric: String, _ ms: Int64, _ id: String?) -> String {
    let ts = t0 * 1000 + ms
    let labels = id.map { ",\"labels\":{\"order_id\":\"\($0)\"}" } ?? ""
    return "{\"ts\":\(ts),\"metric\":\"\(metric)\",\"value\":1\(labels)}"
  }

  /// Orders `0..<n`, one placed every 100 ms, each confirmed `delay(i)` ms later, in time order.
  static func orders(_ n: Int, delay: (Int) -> Int64) -> [String] {
    timedOrders(n, delay: delay).map(\.1)
  }

  /// The same with each line's time (ms after t0).
  static func timedOrders(_ n: Int, delay: (Int) -> Int64) -> [(Int64, String)] {
    var events: [(Int64, String)] = []
    for i in 0..<n {
      let placed = Int64(i) * 100
      events.append((placed, json("order_placed", placed, "o\(i)")))
      events.append((placed + delay(i), json("order_confirmed", placed + delay(i), "o\(i)")))
    }
    return events.sorted { $0.0 < $1.0 }
  }

  static func engine(_ limits: SeriesLimits = SeriesLimits()) -> Engine {
    var e = Engine(rules: RuleSet(), clockMode: .event, limits: limits.with(signals: SignalNames()))
    e.useFormat(.json, feed: 0, mapping: FieldMapping(), timeUnit: nil)
    return e
  }

  static func ingest(_ e: inout Engine, _ lines: [String], format: FeedFormat = .json) {
    e.useFormat(format, feed: 0, mapping: FieldMapping(), timeUnit: nil)
    var observer = NoEngineObserver()
    let batch = CheckerStreamTests.batch(lines[...], firstLine: 1)
    _ = e.ingest(batch, feed: 0, arrival: arrival, observer: &observer)
  }

  static let latencyKey = SeriesKey(
    "order_confirmation_delay_ms", LabelSet([("pair", "order_confirmation")]))

  /// A pair event stamped in the future (past the clock's skew from its arrival) is refused as
  /// the windows refuse it: it does not move the pair's clock, so nothing open times out.
  @Test func aFutureStampedEventExpiresNothing() {
    var e = Self.engine()
    let placed = (0..<10).map { Self.json("order_placed", Int64($0) * 100, "o\($0)") }
    let future = (Self.arrival.nanoseconds / Nanos.millisecond - Self.t0 * 1000) + 86_400_000
    Self.ingest(&e, placed + [Self.json("order_placed", future, "x")])
    #expect(e.pairs.counts[0].open == 10 && e.pairs.counts[0].timedOut == 0)
    let confirmed = (0..<10).map { Self.json("order_confirmed", 5_000 + Int64($0) * 100, "o\($0)") }
    Self.ingest(&e, confirmed)
    #expect(e.pairs.counts[0].matched == 10 && e.pairs.counts[0].open == 0)
    #expect(e.pairs.counts[0].timedOut == 0)
  }

  @Test func keysNeverBecomeSeriesOrLabels() throws {
    var e = Self.engine()
    Self.ingest(&e, Self.orders(2_000) { 200 + Int64($0 % 7) * 100 })
    let keys = e.interner.allKeys
    #expect(!keys.contains { $0.labels["order_id"] != nil }, "\(keys)")
    #expect(
      Set(keys) == [
        SeriesKey("order_placed"), SeriesKey("order_confirmed"), Self.latencyKey,
        SeriesKey("order_confirmation_open"),
      ])
    #expect(e.interner.cardinality.allSatisfy { $0.folds.isEmpty && $0.refused.isEmpty })
    let c = e.pairs.counts[0]
    #expect(c.matched == 2_000 && c.open == 0 && c.timedOut == 0)
    let id = try #require(e.interner.lookup(Self.latencyKey))
    let s = e.store.stats(id, window: 5 * Nanos.minute, at: Timestamp.seconds(Self.t0 + 240))
    #expect(s.count == 2_000)
    #expect(s.min == 200 && s.max == 800)
    // The raw events still count as series, without their key.
    let placed = try #require(e.interner.lookup(SeriesKey("order_placed")))
    #expect(
      e.store.stats(placed, window: 5 * Nanos.minute, at: Timestamp.seconds(Self.t0 + 200)).sum
        == 2_000)
  }

  @Test func badKeysAreCountedAndNeverKept() {
    var e = Self.engine()
    let huge = String(repeating: "x", count: 10_000)
    Self.ingest(
      &e,
      [
        Self.json("order_placed", 0, nil), Self.json("order_placed", 1, ""),
        Self.json("order_placed", 2, huge), Self.json("order_confirmed", 3, huge),
        Self.json("order_placed", 4, String(repeating: "k", count: PairSpec.maxKeyBytes)),
      ])
    #expect(e.pairs.counts[0].badKeys == 4)
    #expect(e.pairs.counts[0].open == 1)
    #expect(!e.interner.allKeys.contains { $0.labels["order_id"] != nil })
  }

  @Test func prometheusAndStatsDEventsPairToo() throws {
    var e = Self.engine()
    var body = "# TYPE order_placed counter\n"
    for i in 0..<50 { body += "order_placed{order_id=\"p\(i)\",shop=\"eu\"} 1 \(Self.t0 * 1000)\n" }
    for i in 0..<50 {
      body += "order_confirmed{order_id=\"p\(i)\"} 1 \(Self.t0 * 1000 + Int64(i) * 10)\n"
    }
    Self.ingest(&e, [body], format: .prometheus)
    #expect(e.pairs.counts[0].matched == 50)
    #expect(e.interner.lookup(SeriesKey("order_placed", LabelSet([("shop", "eu")]))) != nil)
    var d = Self.engine()
    Self.ingest(
      &d, ["order_placed:1|c|#order_id:s1", "order_confirmed:1|c|#order_id:s1"], format: .statsd)
    #expect(d.pairs.counts[0].matched == 1)
    #expect(!d.interner.allKeys.contains { $0.labels["order_id"] != nil })
  }

  @Test func timedOutAndOpenAreSeries() throws {
    var e = Self.engine()
    // o0 is never confirmed; time then passes the 15-minute timeout.
    Self.ingest(
      &e,
      [
        Self.json("order_placed", 0, "o0"), Self.json("order_placed", 1_000, "o1"),
        Self.json("order_placed", 16 * 60_000, "o2"),
      ])
    let c = e.pairs.counts[0]
    #expect(c.timedOut == 2 && c.open == 1)
    // Each open key holds its own bytes, not the parser's buffer (4 KB a key, once).
    #expect(e.pairs.heldKeys(0).allSatisfy { $0.count == 2 && $0.capacity < 64 })
    let timedOut = try #require(
      e.interner.lookup(SeriesKey("order_confirmation_timed_out_total")))
    let open = try #require(e.interner.lookup(SeriesKey("order_confirmation_open")))
    let at = Timestamp.seconds(Self.t0 + 17 * 60)
    #expect(e.store.stats(timedOut, window: 5 * Nanos.minute, at: at).sum == 2)
    #expect(e.store.stats(open, window: 5 * Nanos.minute, at: at).last == 1)
  }

  @Test func theDefaultPairCanBeDisabled() {
    var limits = SeriesLimits()
    limits.pairs = []
    var e = Self.engine(limits)
    Self.ingest(&e, Self.orders(10) { _ in 100 })
    #expect(e.pairs.counts.isEmpty)
    #expect(e.interner.allKeys.contains { $0.labels["order_id"] != nil })
  }

  @Test func checkAndTheDashboardMakeTheSameLatencies() throws {
    // Confirmations 0.2-5 s after their order, written in time order (ends interleave).
    let timed = Self.timedOrders(3_000) { 200 + Int64(($0 * 7_919) % 4_800) }
    let lines = timed.map(\.1)
    var checker = Checker(rules: RuleSet(), statsWindow: Nanos.minute)
    checker.add(
      CheckerStreamTests.batch(lines[...], firstLine: 1), format: .json,
      feed: CheckerStreamTests.spec(0))
    var stats: [String] = []
    let report = checker.run {
      if $0.contains("\"pair\":\"order_confirmation\"") { stats.append($0) }
    }
    #expect(report.pairLines == ["pair order_confirmation: 3,000 matched, 0 open, 0 timed out"])
    #expect(stats.count >= 5)
    // The dashboard's path, fed up to each boundary the check printed.
    var e = Self.engine()
    var fed = 0
    for (m, line) in stats.enumerated() {
      let boundary = Int64(m + 1) * 60_000
      #expect(line.contains(rfc3339Shortest(Timestamp.seconds(Self.t0 + Int64(m + 1) * 60))))
      var next = fed
      while next < timed.count && timed[next].0 < boundary { next += 1 }
      Self.ingest(&e, Array(lines[fed..<next]))
      fed = next
      let id = try #require(e.interner.lookup(Self.latencyKey))
      let s = e.store.stats(
        id, window: Nanos.minute,
        at: Timestamp(nanoseconds: (Self.t0 * 1000 + boundary) * Nanos.millisecond))
      #expect(line.contains("\"count\":\(s.count),"), "\(line) vs \(s.count)")
      #expect(line.contains("\"p99\":" + formatJSONNumber(s.p99 ?? -1)), "\(line)")
    }
  }

  @Test func theOrderEventsAreReadInDoesNotChangeTheLatencies() {
    let lines = Self.orders(500) { 100 + Int64($0 % 13) * 50 }
    var inOrder = Self.engine()
    Self.ingest(&inOrder, lines)
    // Every confirmation read before its order (a feed whose writers race).
    var swapped = lines
    for i in stride(from: 0, to: swapped.count - 1, by: 2) where swapped[i].contains("placed") {
      swapped.swapAt(i, i + 1)
    }
    var reversed = Self.engine()
    Self.ingest(&reversed, swapped)
    #expect(inOrder.pairs.counts[0].matched == 500)
    #expect(reversed.pairs.counts[0].matched == inOrder.pairs.counts[0].matched)
    let id = inOrder.interner.lookup(Self.latencyKey)
    let id2 = reversed.interner.lookup(Self.latencyKey)
    let at = Timestamp.seconds(Self.t0 + 60)
    if let id, let id2 {
      let a = inOrder.store.stats(id, window: 5 * Nanos.minute, at: at)
      let b = reversed.store.stats(id2, window: 5 * Nanos.minute, at: at)
      #expect(a.count == b.count && a.sum == b.sum && a.p99 == b.p99)
    } else {
      Issue.record("no latency series")
    }
  }

  @Test func theIdCarryingCheckoutFeedNeedsNoFoldUnderTheDefaultPair() throws {
    let text = SeriesFoldCheckTests.feed(orderLines: true)
    let small = SeriesLimits(maxSeries: 300, perMetric: 200, signalReserve: 100, foldAfter: 50)
    var checker = Checker(rules: RuleSet(), statsWindow: Nanos.minute, limits: small)
    var framer = LineFramer()
    var batch = RecordBatch()
    Array(text.utf8).withUnsafeBytes { framer.push($0, into: &batch) }
    framer.finish(into: &batch)
    checker.add(batch, format: .json, feed: CheckerStreamTests.spec(0))
    var delays: [String] = []
    let report = checker.run {
      if $0.contains("\"pair\":\"order_confirmation\"") { delays.append($0) }
    }
    #expect(report.rejected.isEmpty && report.cardinality.allSatisfy(\.folds.isEmpty))
    #expect(report.series < 60, "\(report.series)")
    let line = try #require(report.pairLines.first)
    #expect(
      line.hasPrefix("pair order_confirmation: 2,9")
        || line.hasPrefix("pair order_confirmation: 3,0"), "\(line)")
    // Every order is confirmed 250 ms after it was placed.
    #expect(delays.count >= 9 && delays.allSatisfy { $0.contains("\"p50\":250,") }, "\(delays)")
  }
}
