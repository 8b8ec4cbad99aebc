import Testing
import VigilTestSupport

@testable import VigilCore

@Suite struct MetricStoreMemoryTests {
  // Samples with wildly varying magnitudes and signs: no slot sketch ever exceeds the cap, so
  // memory per series stays bounded. (SketchTests pushes a million through one sketch; this
  // runs a quarter million through every slot of both rings, 1000 per second for 250 s.)
  @Test func wildMagnitudesStayUnderTheCap() {
    var rng = SplitMix64(seed: 77)
    var store = MetricStore()
    let series = SeriesID(0)
    let cap = QuantileSketch.maxBucketsPerStore
    var worstBuckets = 0
    for i in 0..<250_000 {
      let e = Int(rng.next() % 2000) - 1000
      let v = Double(
        sign: rng.next() % 3 == 0 ? .minus : .plus, exponent: e, significand: 1 + rng.unit())
      let t = at(noon, Int64(i) * 1_000_000)
      #expect(store.ingest(Sample(series: series, timestamp: t, value: v), now: t) == .accepted)
      if i % 5_000 == 4_999 { worstBuckets = Swift.max(worstBuckets, store.maxSketchBuckets) }
    }
    #expect(worstBuckets <= 2 * cap)
    #expect(worstBuckets > cap)  // the test really pushed the stores to collapse
    #expect(store.memoryBytes(of: series) <= store.maxBytesPerSeries * 5 / 4)
    let st = store.stats(series, window: 15 * minute, at: at(noon, 250 * second))
    #expect(st.count > 0 && st.p99 != nil)
  }

  // Memory does not grow with the number of events: a typical latency series (lognormal,
  // 250 samples/s) uses about the same after 17 and after 34 minutes.
  @Test func typicalSeriesMemoryIsIndependentOfEventCount() {
    var rng = SplitMix64(seed: 78)
    var store = MetricStore()
    let series = SeriesID(0)
    var t = noon
    func run(_ seconds: Int) {
      for _ in 0..<(seconds * 250) {
        t = at(t, 4_000_000)
        _ = store.ingest(
          Sample(series: series, timestamp: t, value: rng.lognormal(median: 50, sigma: 0.8)), now: t
        )
      }
    }
    run(1020)
    let first = store.memoryBytes(of: series)
    run(1020)
    let second = store.memoryBytes(of: series)
    print("typical lognormal series at 250/s: \(first) then \(second) bytes")
    #expect(second <= first + first / 10)
    #expect(second < store.maxBytesPerSeries / 2)
  }
}

@Suite struct MetricStoreCheapStatsTests {
  @Test func statsWithoutQuantilesAgreeOnEverythingElse() {
    var store = MetricStore()
    var rng = SplitMix64(seed: 11)
    let base = Timestamp.seconds(1_795_687_200)
    for i in 0..<5_000 {
      let t = base.adding(Int64(i) * 60 * Nanos.millisecond)
      _ = store.ingest(
        Sample(series: SeriesID(0), timestamp: t, value: rng.unit() * 900 + 1), now: t)
    }
    let now = base.adding(300 * Nanos.second)
    for window in [Nanos.minute, 5 * Nanos.minute, 15 * Nanos.minute] {
      let full = store.stats(SeriesID(0), window: window, at: now)
      let cheap = store.stats(SeriesID(0), window: window, at: now, quantiles: false)
      #expect(cheap.count == full.count && cheap.count > 0)
      #expect(cheap.sum == full.sum)
      #expect(cheap.min == full.min && cheap.max == full.max)
      #expect(cheap.last == full.last && cheap.seconds == full.seconds)
      #expect(cheap.p99 == nil && full.p99 != nil)
    }
  }
}
