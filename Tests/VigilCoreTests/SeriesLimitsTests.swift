import Testing

@testable import VigilCore

/// Series limits per metric and overall, the signals' reserve, label folding and
/// `drop_labels:` (issue 12, part 2).
@Suite struct SeriesLimitsTests {
  private func order(_ id: Int, service: String = "web") -> SeriesKey {
    SeriesKey("order_placed", ["order_id": "o\(id)", "service": service])
  }

  @Test func oneMetricsFloodDoesNotStarveAnother() {
    var i = SeriesInterner(
      limits: SeriesLimits(maxSeries: 100, perMetric: 10, signalReserve: 0, foldAfter: 0))
    for n in 0..<30 { _ = i.intern(SeriesKey("flood", ["k": "\(n)"])) }
    #expect(i.count == 10)
    #expect(i.lastRefusal == .perMetric)
    #expect(i.intern(SeriesKey("quiet", ["k": "1"])) != nil)
    let flood = i.cardinality.first { $0.metric == "flood" }
    #expect(flood?.refused == [.metricSeriesLimit: 20])
    #expect(flood?.series == 10)
    #expect(i.refusedTotal == 20)
    #expect(i.cardinality.map(\.refusedText) == ["flood: metric series limit 20"])
  }

  @Test func theSignalsMetricsKeepTheirReserve() {
    var limits = SeriesLimits(maxSeries: 20, perMetric: 100, signalReserve: 5, foldAfter: 0)
    limits = limits.with(signals: SignalNames())
    var i = SeriesInterner(limits: limits)
    for n in 0..<40 { _ = i.intern(SeriesKey("noise_\(n)")) }
    #expect(i.count == 15)
    #expect(i.lastRefusal == .reserved)
    for reason in ["timeout", "declined", "gateway_error", "a", "b"] {
      #expect(i.intern(SeriesKey("payment_retries_total", ["reason": reason])) != nil)
    }
    #expect(i.intern(SeriesKey("payment_retries_total", ["reason": "c"])) == nil)
    #expect(i.lastRefusal == .overall)
    // The 25 refused noise metrics are counted, each under its own name.
    #expect(i.cardinality.filter { $0.metric.hasPrefix("noise_") }.count == 25)
  }

  @Test func anExplodingLabelIsFoldedAndKeepsCounting() throws {
    var i = SeriesInterner(
      limits: SeriesLimits(maxSeries: 1_000, perMetric: 500, signalReserve: 0, foldAfter: 10))
    var ids: [SeriesID] = []
    for n in 0..<2_000 {
      let id = i.intern(order(n))
      ids.append(try #require(id))
    }
    // Nine series with their own id, then every order in one series without the label.
    let folded = try #require(i.lookup(SeriesKey("order_placed", ["service": "web"])))
    #expect(Set(ids.dropFirst(9)) == [folded])
    #expect(i.count == 10)
    // A retired series' samples go to the folded series.
    #expect(i.intern(order(3)) == folded)
    #expect(i.retiredCount == 9)
    // Other label values still make their own series.
    let apiID = i.intern(order(5_000, service: "api"))
    let api = try #require(apiID)
    #expect(i.key(api) == SeriesKey("order_placed", ["service": "api"]))
    let fold = try #require(i.cardinality.first?.folds.first)
    #expect(fold.label == "order_id" && !fold.configured)
    #expect(abs(fold.valuesSeen - 2_001) < 100, "\(fold.valuesSeen)")
    #expect(i.cardinality.first?.refused.isEmpty == true)
    #expect(i.hasFolds)
  }

  @Test func refusedSeriesStillCountTowardsAFold() throws {
    var i = SeriesInterner(
      limits: SeriesLimits(maxSeries: 1_000, perMetric: 20, signalReserve: 0, foldAfter: 100))
    for n in 0..<150 { _ = i.intern(SeriesKey("order_placed", ["order_id": "o\(n)"])) }
    #expect(i.count == 21)
    #expect(i.cardinality.first?.folds.map(\.label) == ["order_id"])
    #expect(i.cardinality.first?.refused == [.metricSeriesLimit: 79])
    #expect(i.cardinality.first?.series == 1 && i.cardinality.first?.retired == 20)
  }

  @Test func twoExplodingLabelsFoldOneAfterTheOther() throws {
    var i = SeriesInterner(
      limits: SeriesLimits(maxSeries: 1_000, perMetric: 500, signalReserve: 0, foldAfter: 5))
    for n in 0..<50 {
      _ = i.intern(SeriesKey("req", ["request_id": "r\(n)", "user_id": "u\(n)", "code": "200"]))
    }
    let labels = i.cardinality.first?.folds.map(\.label) ?? []
    #expect(Set(labels) == ["request_id", "user_id"])
    #expect(
      i.intern(SeriesKey("req", ["request_id": "x", "user_id": "y", "code": "200"]))
        == i.lookup(SeriesKey("req", ["code": "200"])))
  }

  @Test func dropLabelsRemoveALabelFromTheFirstSample() throws {
    var i = SeriesInterner(
      limits: SeriesLimits(foldAfter: 0, dropLabels: ["order_placed": ["order_id"]]))
    let first = i.intern(order(1))
    let second = i.intern(order(2))
    let a = try #require(first)
    let b = try #require(second)
    #expect(a == b && i.count == 1)
    #expect(i.key(a) == SeriesKey("order_placed", ["service": "web"]))
    #expect(i.cardinality.first?.folds.map(\.text) == ["order_id (dropped, ≈2 values)"])
    // Another metric keeps the label.
    #expect(i.intern(SeriesKey("other", ["order_id": "1"])).map { i.key($0).labels.count } == 1)
  }

  @Test func sketchEstimatesWithinAFewPercent() {
    for n in [10, 500, 90_000] {
      var s = DistinctSketch()
      for k in 0..<n {
        var bytes = Array("o\(k)".utf8)
        bytes.withUnsafeMutableBytes { s.add(valueHash(UnsafeRawBufferPointer($0))) }
      }
      #expect(abs(Double(s.estimate - n)) <= 0.06 * Double(n) + 1, "\(n): \(s.estimate)")
    }
    #expect(compactCount(90_123) == "90.1k" && compactCount(999) == "999")
    #expect(grouped(1_500_000) == "1,500,000")
  }

  @Test func configSectionsReadLimitsAndDrops() throws {
    let text = """
      series:
        max: 3000
        per_metric: 400
        signal_reserve: 600
        fold_after: 50
      drop_labels:
        order_placed: [order_id, session]
        order_confirmed: order_id
      """
    let c = try ConfigLoader.parse(text, file: "v.yaml").get()
    #expect(c.series.maxSeries == 3_000 && c.series.perMetric == 400)
    #expect(c.series.signalReserve == 600 && c.series.foldAfter == 50)
    #expect(
      c.series.dropLabels == [
        "order_placed": ["order_id", "session"], "order_confirmed": ["order_id"],
      ])
    #expect(try ConfigLoader.parse("", file: "e.yaml").get().series == SeriesLimits())
  }

  @Test func configProblemsHaveTheirPlace() {
    let text = """
      series:
        max: lots
        signal_reserve: 5000
        folds: 3
      drop_labels:
        order_placed: ["", ok]
      """
    guard case .failure(let p) = ConfigLoader.parse(text, file: "v.yaml") else {
      Issue.record("accepted")
      return
    }
    #expect(
      p.problems.map(\.description) == [
        "v.yaml:2:8: series.max must be a whole number from 1 to 1000000",
        "v.yaml:4:3: unknown series key \"folds\"; known: max, per_metric, signal_reserve, fold_after",
        "v.yaml:3:19: series.signal_reserve (5000) must not be more than series.max (2000)",
        "v.yaml:6:18: drop_labels.order_placed: \"\" is not a label name",
      ])
  }
}
