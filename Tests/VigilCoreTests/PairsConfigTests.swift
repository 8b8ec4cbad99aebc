import Testing

@testable import VigilCore

/// The config file's `pairs:` section.
@Suite struct PairsConfigTests {
  @Test func theBuiltInPairIsOnByDefault() throws {
    let c = try ConfigLoader.parse("", file: "e.yaml").get()
    #expect(c.series.pairs == [.orderConfirmation])
    let p = c.series.pairs[0]
    #expect(p.start.metric == "order_placed" && p.end.metric == "order_confirmed")
    #expect(p.key == "order_id" && p.timeout == 15 * Nanos.minute && p.maxOpen == 100_000)
    #expect(p.latencyMetric == "order_confirmation_delay_ms")
    #expect(p.openMetric == "order_confirmation_open")
    #expect(p.timedOutMetric == "order_confirmation_timed_out_total")
    // The latency follows a renamed signal.
    var names = SignalNames()
    _ = names.apply("order_confirmation_delay=oms_confirm_ms")
    #expect(c.series.with(signals: names).pairs[0].latencyMetric == "oms_confirm_ms")
  }

  @Test func aListReplacesTheBuiltInPair() throws {
    let text = """
      pairs:
        - order_confirmation
        - name: fulfilment
          start: {metric: order_event, select: {type: packed}}
          end: {metric: order_event, select: {type: shipped}}
          key: order_id
          timeout: 2h
          max_open: 5000
          open: parcels_open
      """
    let c = try ConfigLoader.parse(text, file: "p.yaml").get()
    #expect(c.series.pairs.count == 2 && c.series.pairs[0] == .orderConfirmation)
    let f = c.series.pairs[1]
    #expect(
      f.start == SeriesSelector(metric: "order_event", matchers: [LabelMatcher("type", "packed")]))
    #expect(f.timeout == 2 * Nanos.hour && f.maxOpen == 5_000)
    #expect(f.latencyMetric == "fulfilment_ms" && f.openMetric == "parcels_open")
    #expect(f.timedOutMetric == "fulfilment_timed_out_total")
    #expect(try ConfigLoader.parse("pairs: []", file: "n.yaml").get().series.pairs.isEmpty)
  }

  @Test func pairsWithMatchersTellTheirEventsApart() throws {
    let text = """
      pairs:
        - name: fulfilment
          start: {metric: order_event, select: {type: packed}}
          end: {metric: order_event, select: {type: shipped}}
          key: order_id
      """
    let c = try ConfigLoader.parse(text, file: "p.yaml").get()
    var e = PairEngineTests.engine(c.series)
    func line(_ type: String, _ ms: Int64) -> String {
      "{\"ts\":\(PairEngineTests.t0 * 1000 + ms),\"metric\":\"order_event\",\"value\":1,"
        + "\"labels\":{\"order_id\":\"x1\",\"type\":\"\(type)\"}}"
    }
    PairEngineTests.ingest(&e, [line("packed", 0), line("weighed", 500), line("shipped", 2_000)])
    #expect(e.pairs.counts[0].matched == 1)
    let id = try #require(
      e.interner.lookup(SeriesKey("fulfilment_ms", LabelSet([("pair", "fulfilment")]))))
    let s = e.store.stats(
      id, window: 5 * Nanos.minute, at: Timestamp.seconds(PairEngineTests.t0 + 60))
    #expect(s.max == 2_000 && s.count == 1)
    // Only the pair's own events lose their key; another event of the metric keeps its labels.
    #expect(e.interner.lookup(SeriesKey("order_event", LabelSet([("type", "packed")]))) != nil)
    #expect(
      e.interner.lookup(
        SeriesKey("order_event", LabelSet([("order_id", "x1"), ("type", "weighed")]))) != nil)
  }

  @Test func problemsHaveTheirPlace() {
    let text = """
      pairs:
        - checkout_funnel
        - name: a
          start: order_placed
          key: order_id
          timeout: soon
        - name: b
          start: x
          end: x
          key: id
          max_open: 0
          colour: red
      """
    guard case .failure(let p) = ConfigLoader.parse(text, file: "p.yaml") else {
      Issue.record("accepted")
      return
    }
    #expect(
      p.problems.map(\.description) == [
        "p.yaml:2:5: pairs: \"checkout_funnel\" is not a built-in pair (order_confirmation); "
          + "declare it with name, start, end, key",
        "p.yaml:6:14: pairs.timeout: \"soon\" is not a duration like 90s, 5m or 1h",
        "p.yaml:3:5: pair needs end",
        "p.yaml:11:15: pairs.max_open must be a whole number from 1 to 10000000",
        "p.yaml:12:5: unknown pair key \"colour\"; known: name, start, end, key, timeout, max_open, "
          + "latency, open, timed_out",
        "p.yaml:7:5: pair b: start and end select the same events",
      ])
  }
}
