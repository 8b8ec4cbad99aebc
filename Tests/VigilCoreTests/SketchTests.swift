import Testing
import VigilTestSupport

@testable import VigilCore

@Suite struct SketchTests {
  static let bound = QuantileSketch.relativeErrorBound * (1 + 1e-9)

  func build(_ values: [Double]) -> QuantileSketch {
    var s = QuantileSketch()
    for v in values { s.record(v) }
    return s
  }

  @Test func errorBoundIsUnderHalfAPercent() {
    #expect(QuantileSketch.relativeErrorBound < 0.0039)
    #expect(QuantileSketch.relativeErrorBound > 0.0038)
  }

  @Test func bucketKeysAreMonotonicAndEdgesStartBuckets() {
    var rng = SplitMix64(seed: 7)
    var previous = 0.0
    var previousKey = Int32.min
    for _ in 0..<10_000 {
      let v = previous + rng.unit() * 3
      let k = QuantileSketch.key(ofPositive: v)
      if v > previous { #expect(k >= previousKey) }
      previous = v
      previousKey = k
    }
    for k: Int32 in [1 << 7, 1023 << 7, (1023 << 7) + 5, (1030 << 7) + 127] {
      let lo = QuantileSketch.lowerBound(ofKey: k)
      #expect(QuantileSketch.key(ofPositive: lo) == k)
      #expect(QuantileSketch.key(ofPositive: lo.nextDown) == k - 1)
      let hi = QuantileSketch.lowerBound(ofKey: k + 1)
      #expect((hi - lo) / lo <= 0x1p-7)
    }
  }

  // E8
  @Test func e8NearestRankHundredToThousand() throws {
    let s = build(stride(from: 100.0, through: 1000, by: 100).map { $0 })
    #expect(s.quantile(0) == 100)  // rank 1 is the exact minimum
    #expect(s.quantile(1) == 1000)  // rank N is the exact maximum
    #expect(s.quantile(0.99) == 1000)  // ⌈9.9⌉ = 10 = N
    let p50 = try #require(s.quantile(0.5))
    let p90 = try #require(s.quantile(0.9))
    #expect(ExactQuantiles.relativeError(p50, 500) <= Self.bound)
    #expect(ExactQuantiles.relativeError(p90, 900) <= Self.bound)
    // Neighbours are more than one bucket apart, so the ranks land in the right bucket.
    #expect(p50 > 499 && p50 < 502)
    #expect(p90 > 899 && p90 < 904)
    #expect(s.quantile(0.7).map { ExactQuantiles.relativeError($0, 700) <= Self.bound } == true)
  }

  // E9
  @Test func e9EmptyHasNoQuantile() {
    let s = QuantileSketch()
    #expect(s.quantile(0.99) == nil)
    #expect(s.quantiles([0.5, 0.99]) == [nil, nil])
    #expect(s.min == nil && s.max == nil && s.count == 0)
    var t = QuantileSketch()
    t.record(1)
    t.reset()
    #expect(t == s)
    #expect(t.quantile(0.5) == nil)
  }

  @Test func nearestRankRule() {
    #expect(QuantileSketch.nearestRank(0.7, count: 10) == 7)  // 0.7 * 10 = 7.000000000000001
    #expect(QuantileSketch.nearestRank(0.5, count: 1) == 1)
    #expect(QuantileSketch.nearestRank(0.5, count: 2) == 1)
    #expect(QuantileSketch.nearestRank(0.51, count: 2) == 2)
    #expect(QuantileSketch.nearestRank(0.99, count: 1000) == 990)
    #expect(QuantileSketch.nearestRank(0.999, count: 1000) == 999)
    #expect(QuantileSketch.nearestRank(0, count: 5) == 1)
    #expect(QuantileSketch.nearestRank(1, count: 5) == 5)
    #expect(QuantileSketch.nearestRank(.nan, count: 5) == 1)
    for n: UInt64 in [1, 2, 3, 7, 10, 99, 100, 1000, 12345] {
      for q in [0.01, 0.1, 0.25, 0.5, 0.7, 0.9, 0.95, 0.99, 0.999] {
        #expect(QuantileSketch.nearestRank(q, count: n) == ExactQuantiles.rank(q, of: n))
      }
    }
  }

  @Test(arguments: [1, 2, 10])
  func smallNMatchesTheOracle(n: Int) throws {
    var rng = SplitMix64(seed: UInt64(n) * 31)
    for _ in 0..<200 {
      let values = (0..<n).map { _ in rng.lognormal(median: 50, sigma: 0.8) }
      let s = build(values)
      let oracle = ExactQuantiles(values)
      for q in [0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 1.0] {
        let got = try #require(s.quantile(q))
        let exact = try #require(oracle.quantile(q))
        #expect(ExactQuantiles.relativeError(got, exact) <= Self.bound, "q=\(q) n=\(n)")
      }
      #expect(s.quantile(0) == values.min())
      #expect(s.quantile(1) == values.max())
    }
  }

  @Test func constantIsExact() {
    var s = QuantileSketch()
    for _ in 0..<1000 { s.record(42.123) }
    for q in [0.0, 0.5, 0.9, 0.99, 1.0] { #expect(s.quantile(q) == 42.123) }
  }

  @Test func zeroAndNegativesMirror() throws {
    var rng = SplitMix64(seed: 99)
    var values: [Double] = []
    for i in 0..<5000 {
      switch i % 5 {
      case 0: values.append(0)
      case 1, 2: values.append(-rng.lognormal(median: 20, sigma: 1))
      default: values.append(rng.lognormal(median: 20, sigma: 1))
      }
    }
    let s = build(values)
    let oracle = ExactQuantiles(values)
    for q in stride(from: 0.0, through: 1.0, by: 0.01) {
      let got = try #require(s.quantile(q))
      let exact = try #require(oracle.quantile(q))
      if exact == 0 {
        #expect(got == 0)
      } else {
        #expect(ExactQuantiles.relativeError(got, exact) <= Self.bound, "q=\(q)")
        #expect((got < 0) == (exact < 0))
      }
    }
    let neg = build([-5, -3, -1])
    #expect(neg.quantile(0) == -5)
    #expect(neg.quantile(1) == -1)
    let mid = try #require(neg.quantile(0.5))
    #expect(ExactQuantiles.relativeError(mid, -3) <= Self.bound)
  }

  @Test func weightsCountAsRepeatedValues() throws {
    var rng = SplitMix64(seed: 5)
    var s = QuantileSketch()
    var expanded = QuantileSketch()
    var oracle = ExactQuantiles()
    for _ in 0..<500 {
      let v = rng.pareto(xm: 10, alpha: 1.5)
      let w = UInt32(1 + rng.next() % 20)
      s.record(v, weight: w)
      for _ in 0..<w { expanded.record(v) }
      oracle.add(v, weight: UInt64(w))
    }
    #expect(s == expanded)
    for q in [0.5, 0.9, 0.95, 0.99] {
      let got = try #require(s.quantile(q))
      let exact = try #require(oracle.quantile(q))
      #expect(ExactQuantiles.relativeError(got, exact) <= Self.bound)
    }
    var z = QuantileSketch()
    z.record(5, weight: 0)
    z.record(.nan)
    #expect(z.isEmpty)
  }

  // E7 analogue: 100k samples round-robin over 10 sketches, merged, equal the single sketch.
  @Test func e7MergeEqualsSingle() throws {
    var rng = SplitMix64(seed: 2026)
    var parts = Array(repeating: QuantileSketch(), count: 10)
    var single = QuantileSketch()
    var oracle = ExactQuantiles()
    for i in 0..<100_000 {
      let v = rng.lognormal(median: 50_000, sigma: 0.8)
      parts[i % 10].record(v)
      single.record(v)
      oracle.add(v)
    }
    var merged = QuantileSketch()
    for p in parts { merged.merge(p) }
    #expect(merged == single)
    #expect(merged.quantile(0.99) == single.quantile(0.99))
    let p99 = try #require(merged.quantile(0.99))
    let exact = try #require(oracle.quantile(0.99))
    #expect(ExactQuantiles.relativeError(p99, exact) <= Self.bound)
    // Merge order does not matter.
    var reversed = QuantileSketch()
    for p in parts.reversed() { reversed.merge(p) }
    #expect(reversed == single)
  }

  @Test func mergeEqualsSingleAcrossSignsAndCollapse() {
    var rng = SplitMix64(seed: 11)
    var parts = Array(repeating: QuantileSketch(), count: 7)
    var single = QuantileSketch()
    for i in 0..<20_000 {
      let magnitude = Double(
        sign: .plus, exponent: Int(rng.next() % 1200) - 600, significand: 1 + rng.unit())
      let v = i % 3 == 0 ? -magnitude : (i % 11 == 0 ? 0 : magnitude)
      parts[Int(rng.next() % 7)].record(v)
      single.record(v)
    }
    #expect(single.hasCollapsed)
    var merged = QuantileSketch()
    for p in parts { merged.merge(p) }
    #expect(merged == single)
    var pairwise = parts[0]
    var rest = QuantileSketch()
    for p in parts.dropFirst() { rest.merge(p) }
    pairwise.merge(rest)
    #expect(pairwise == single)
  }

  @Test func valuesAtBucketEdges() throws {
    var values: [Double] = []
    for k in Int32(1000 << 7)..<Int32((1000 << 7) + 300) {
      let lo = QuantileSketch.lowerBound(ofKey: k)
      values.append(lo)
      values.append(lo.nextDown)
      values.append(lo.nextUp)
    }
    let s = build(values)
    let oracle = ExactQuantiles(values)
    for q in stride(from: 0.0, through: 1.0, by: 0.005) {
      let got = try #require(s.quantile(q))
      let exact = try #require(oracle.quantile(q))
      #expect(ExactQuantiles.relativeError(got, exact) <= Self.bound, "q=\(q)")
    }
  }

  // Memory bound: whatever arrives, a store never holds more than the cap.
  @Test func bucketCountNeverExceedsTheCap() throws {
    var rng = SplitMix64(seed: 1)
    var s = QuantileSketch()
    var maxBuckets = 0
    let cap = QuantileSketch.maxBucketsPerStore
    var top: [Double] = []
    for i in 0..<1_000_000 {
      let e = Int(rng.next() % 2040) - 1020
      let v = Double(sign: i % 4 == 0 ? .minus : .plus, exponent: e, significand: 1 + rng.unit())
      s.record(v)
      if v > 0x1p900 { top.append(v) }
      maxBuckets = Swift.max(maxBuckets, s.bucketCount)
    }
    #expect(maxBuckets <= 2 * cap)
    #expect(s.bucketCount == 2 * cap)  // both stores hit the cap and stayed there
    #expect(s.heapBytes <= 2 * (32 + 4 * cap) * 5 / 4)
    #expect(s.count == 1_000_000)
    // The top of the distribution is still resolved to the bucket.
    // p99.99 of 10^6 values is rank 999,900: the 101st largest.
    let p = try #require(s.quantile(0.9999))
    let exact = top.sorted()[top.count - 101]
    #expect(ExactQuantiles.relativeError(p, exact) <= Self.bound)
  }

  // Counts widen from 8 to 16 to 32 bits as needed; contents, not widths, define equality.
  @Test func countsWidenAndCompareByContent() throws {
    var narrow = QuantileSketch()
    var wide = QuantileSketch()
    for _ in 0..<300 { narrow.record(5) }  // 300 > UInt8.max
    narrow.record(5, weight: 70_000)  // > UInt16.max
    narrow.record(7)
    wide.record(5, weight: 70_300)
    wide.record(7)
    #expect(narrow == wide)
    #expect(narrow.count == 70_301)
    let p50 = try #require(narrow.quantile(0.5))
    #expect(ExactQuantiles.relativeError(p50, 5) <= Self.bound)
    #expect(narrow.quantile(1) == 7)
    // A reused (reset) wide sketch equals a fresh narrow one with the same values.
    var reused = wide
    reused.reset()
    var fresh = QuantileSketch()
    var rng = SplitMix64(seed: 4)
    var parts = [QuantileSketch(), QuantileSketch(), reused]
    for i in 0..<3000 {
      let v = rng.lognormal(median: 50, sigma: 0.8)
      let w = UInt32(i % 97 == 0 ? 300 : 1)
      fresh.record(v, weight: w)
      reused.record(v, weight: w)
      parts[i % 3].record(v, weight: w)
    }
    #expect(reused == fresh)
    var merged = parts[0]  // narrow into narrow, then a wide one
    merged.merge(parts[1])
    merged.merge(parts[2])
    #expect(merged == fresh)
    var wideFirst = parts[2]
    wideFirst.merge(parts[0])
    wideFirst.merge(parts[1])
    #expect(wideFirst == fresh)
    // Merging two narrow sketches whose sum overflows 8 bits widens the result.
    var a = QuantileSketch()
    var b = QuantileSketch()
    for _ in 0..<200 {
      a.record(9)
      b.record(9)
    }
    a.record(1)
    a.record(1000)
    b.record(2)
    b.record(900)
    var single = QuantileSketch()
    for v in [1.0, 1000, 2, 900] { single.record(v) }
    single.record(9, weight: 400)
    a.merge(b)
    #expect(a == single)
  }

  @Test func saturatingCountsStayConsistent() throws {
    var s = QuantileSketch()
    s.record(3, weight: .max)
    s.record(3, weight: .max)
    s.record(4)
    #expect(s.count == 2 * UInt64(UInt32.max) + 1)
    let p25 = try #require(s.quantile(0.25))
    #expect(ExactQuantiles.relativeError(p25, 3) <= Self.bound)
    #expect(s.quantile(1) == 4)
    var t = QuantileSketch()
    t.record(3, weight: .max)
    var u = QuantileSketch()
    u.record(3, weight: .max)
    u.record(4)
    t.merge(u)
    #expect(t == s)
  }
}
