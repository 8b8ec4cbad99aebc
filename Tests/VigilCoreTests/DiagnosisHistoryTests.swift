import Testing

@testable import VigilCore

@Suite struct MinuteHistoryTests {
  /// One sample a second of `value(minute)` into series 0 (and a quiet series 1 that never
  /// sends), recording before every minute boundary as the engine does.
  func filled(minutes: Int, value: (Int) -> Double) -> (MinuteHistory, Int64) {
    var store = MetricStore()
    var history = MinuteHistory(capacity: 60)
    let s = SeriesID(0)
    for m in 0..<minutes {
      for k in 1...60 {
        let t = noon.adding(Int64(m) * minute + Int64(k) * second)
        #expect(store.ingest(Sample(series: s, timestamp: t, value: value(m)), now: t) == .accepted)
      }
      history.record(through: noon.adding(Int64(m + 1) * minute), store: store)
    }
    return (history, MinuteHistory.minute(endingAtOrBefore: noon) + Int64(minutes))
  }

  @Test func recordsEachMinuteOnceWithItsStatistics() {
    let (history, last) = filled(minutes: 5) { Double(100 * ($0 + 1)) }
    #expect(history.newestMinute == last)
    let s = history.summaries(SeriesID(0), last: last, count: 5)
    #expect(s.map { $0?.count } == [60, 60, 60, 60, 60])
    #expect(s.map { $0?.sum } == [6_000, 12_000, 18_000, 24_000, 30_000])
    #expect(s.map { $0?.value(.mean) } == [100, 200, 300, 400, 500])
    // A series that never sent costs nothing and reads as no data.
    #expect(history.summaries(SeriesID(1), last: last, count: 2) == [nil, nil])
  }

  @Test func theRingKeepsOnlyItsCapacityAndOldMinutesReadAsMissing() {
    let (history, last) = filled(minutes: 75) { Double($0) }
    #expect(history.summary(SeriesID(0), minute: last)?.value(.mean) == 74)
    #expect(history.summary(SeriesID(0), minute: last - 59)?.value(.mean) == 15)
    #expect(history.summary(SeriesID(0), minute: last - 60) == nil)  // overwritten
    #expect(history.summary(SeriesID(0), minute: last + 1) == nil)
  }

  @Test func aGapBetweenTicksIsCaughtUpFromTheWindowsItStillHolds() {
    var store = MetricStore()
    var history = MinuteHistory()
    let s = SeriesID(0)
    for k in 1...(10 * 60) {
      let t = noon.adding(Int64(k) * second)
      _ = store.ingest(Sample(series: s, timestamp: t, value: 7), now: t)
    }
    history.record(through: noon.adding(10 * minute + 5 * second), store: store)
    let last = MinuteHistory.minute(endingAtOrBefore: noon) + 10
    #expect(history.summaries(s, last: last, count: 10).allSatisfy { $0?.count == 60 })
  }

  @Test func baselineExcludesTheNewestMinutesAndIgnoresAFewOutliers() throws {
    // 40 quiet minutes around 100, three wild outliers, then two anomalous minutes at 900.
    let (history, last) = filled(minutes: 45) { m in
      m >= 43 ? 900 : ([5, 17, 30].contains(m) ? 5_000 : Double(95 + (m % 3) * 5))
    }
    let b = try #require(history.baseline(SeriesID(0), measure: .mean, last: last, over: 60))
    #expect(b.median == 100)
    #expect(b.minutes == 43)
    #expect(b.scale > 0 && b.scale < 10)
    #expect(b.score(900, minScale: 1) > 50)
    #expect(b.ratio(900) == 9)
    // Without the gap the anomaly's minutes are in: still robust, the median barely moves.
    let raw = try #require(
      history.baseline(SeriesID(0), measure: .mean, last: last, over: 60, gap: 0))
    #expect(raw.minutes == 45)
    #expect(raw.median == 100)
  }

  @Test func baselineOfNothingOrNonFiniteIsNil() {
    #expect(Baseline.of([Double]()) == nil)
    #expect(Baseline.of([.nan, .infinity]) == nil)
    #expect(Baseline.of([3, 1, 2]) == Baseline(median: 2, scale: 1.4826, minutes: 3))
    #expect(Baseline(median: 0, scale: 0, minutes: 1).ratio(5) == nil)
    #expect(Baseline(median: 10, scale: 0, minutes: 1).score(12, minScale: 0.5) == 4)
  }
}

@Suite struct EngineHistoryTests {
  @Test func theEngineRecordsMinutesAsItsTicksPassThem() throws {
    var engine = Engine(rules: RuleSet())
    engine.useFormat(.json, feed: 0, mapping: FieldMapping(), timeUnit: nil)
    var lines: [String] = []
    for k in 0..<(6 * 60) {
      let ms = (1_795_694_400 + Int64(k)) * 1000
      lines.append("{\"ts\":\(ms),\"metric\":\"api_latency_ms\",\"service\":\"tax\",\"value\":40}")
    }
    let batch = CheckerStreamTests.batch(lines[...], firstLine: 1)
    var observer = NoEngineObserver()
    _ = engine.ingest(batch, feed: 0, arrival: noon.adding(6 * minute), observer: &observer)
    let last = try #require(engine.history.newestMinute)
    #expect(last >= MinuteHistory.minute(endingAtOrBefore: noon) + 4)
    let s = try #require(engine.history.summary(SeriesID(0), minute: last))
    #expect(s.count == 60)
    #expect(s.p50 == 40)
  }
}
