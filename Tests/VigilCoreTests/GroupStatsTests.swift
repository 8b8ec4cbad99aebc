import Testing
import VigilTestSupport

@testable import VigilCore

/// A group of series read as one (a table row per service over series that differ in other
/// labels): the same statistics as one series that had all their samples.
@Suite struct GroupStatsTests {
  /// Samples of two series, A and B, and the same samples all in a third, C: seeded values over
  /// seven minutes, B starting two minutes after A.
  static func store(seed: UInt64) -> (MetricStore, now: Timestamp) {
    var store = MetricStore()
    var rng = SplitMix64(seed: seed)
    let start = noon
    var t = start
    for i in 0..<840 {
      t = start.adding(Int64(i) * second / 2)
      let series = SeriesID(i < 240 || rng.next() % 2 == 0 ? 0 : 1)
      let value = Double(rng.next() % 5000) / 10 + (series == SeriesID(1) ? 300 : 0)
      _ = store.ingest(Sample(series: series, timestamp: t, value: value), now: t)
      _ = store.ingest(Sample(series: SeriesID(2), timestamp: t, value: value), now: t)
    }
    return (store, t)
  }

  @Test(arguments: [1, 2, 3, 42] as [UInt64])
  func aGroupReadsAsOneSeriesWithAllItsSamples(seed: UInt64) {
    let (store, now) = Self.store(seed: seed)
    let group = [SeriesID(0), SeriesID(1)]
    for window in [minute, 5 * minute, 15 * minute] {
      let merged = store.stats(of: group, window: window, at: now)
      let whole = store.stats(SeriesID(2), window: window, at: now)
      #expect(merged.count == whole.count && merged.count > 0)
      #expect(abs(merged.sum - whole.sum) <= 1e-9 * abs(whole.sum))
      #expect(merged.p50 == whole.p50 && merged.p99 == whole.p99 && merged.max == whole.max)
      #expect(merged.min == whole.min && merged.last == whole.last)
      // Rates divide by the same span: the group's first sample is A's.
      #expect(merged.seconds == whole.seconds && merged.warmingUp == whole.warmingUp)
      // Not what either member alone says.
      #expect(store.stats(SeriesID(0), window: window, at: now).count < merged.count)
      for statistic in [BucketStatistic.count, .sum, .quantile(0.99), .max, .last] {
        let a = store.buckets(of: group, window: window, at: now, statistic: statistic)
        let b = store.buckets(SeriesID(2), window: window, at: now, statistic: statistic)
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) {
          #expect((x == nil) == (y == nil) && abs((x ?? 0) - (y ?? 0)) <= 1e-9 * abs(y ?? 1))
        }
      }
    }
  }

  @Test func aGroupOfUnseenSeriesHasNoData() {
    let (store, now) = Self.store(seed: 7)
    let none = store.stats(of: [SeriesID(9), SeriesID(10)], window: minute, at: now)
    #expect(none.count == 0 && none.p99 == nil && none.seconds == 0)
    #expect(store.stats(of: [SeriesID](), window: minute, at: now).count == 0)
    #expect(
      store.buckets(of: [SeriesID(9)], window: minute, at: now, statistic: .sum).allSatisfy {
        $0 == nil
      })
  }
}
