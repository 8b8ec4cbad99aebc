import Testing

@testable import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `baseline.significance`: rare-event ratios and sparse rates judged by their counts (Poisson
/// tails, the pooled baseline, windows of 1-3x), so they neither page on a chance cluster nor
/// wait for a high floor.
@Suite struct CountTestTests {
  /// P(X ≥ k) by summing the probability mass directly (small means only).
  static func directAtLeast(_ k: Int, _ mean: Double) -> Double {
    var below = 0.0
    var term = exp(-mean)
    for i in 0..<k {
      below += term
      term *= mean / Double(i + 1)
    }
    return 1 - below
  }

  @Test func poissonTailsMatchTheDirectSums() {
    for mean in [0.3, 2.52, 7.2, 25.0] {
      for k in 0...40 {
        let direct = Self.directAtLeast(k, mean)
        let tail = PoissonTail.atLeast(Double(k), mean: mean)
        #expect(abs(tail - direct) <= 1e-12 + 1e-9 * direct, "P(X ≥ \(k) | \(mean))")
        let atMost = PoissonTail.atMost(Double(k), mean: mean)
        #expect(abs(atMost - (1 - Self.directAtLeast(k + 1, mean))) < 1e-9)
      }
    }
    // Far tails stay accurate where 1 − P would round to 0: P(X ≥ 40 | 2.52) ≈ 6e-33.
    let far = PoissonTail.atLeast(40, mean: 2.52)
    #expect(far > 1e-34 && far < 1e-31)
    #expect(abs(PoissonTail.atMost(0, mean: 50) / exp(-50) - 1) < 1e-12)
  }

  @Test func largeCountsUseTheNormalApproximationSmoothly() {
    // Either side of the switch (a = 1e6) the tail agrees to a few parts in a thousand.
    let mean = 1e6
    let below = PoissonTail.atLeast(1e6 - 1, mean: mean)
    let above = PoissonTail.atLeast(1e6 + 1, mean: mean)
    #expect(abs(below - 0.5) < 0.01 && abs(above - 0.5) < 0.01)
    #expect(PoissonTail.atLeast(1e6 + 6_000, mean: mean) < 1e-8)
    #expect(PoissonTail.atLeast(1e9, mean: 1e9 - 1e6) < 1e-100)
  }

  @Test func edgeCasesAreNeverSignificant() {
    #expect(PoissonTail.atLeast(0, mean: 3) == 1)
    #expect(PoissonTail.atLeast(-2, mean: 3) == 1)
    #expect(PoissonTail.atLeast(.nan, mean: 3) == 1)
    #expect(PoissonTail.atLeast(3, mean: .nan) == 1)
    #expect(PoissonTail.atLeast(3, mean: .infinity) == 1)
    #expect(PoissonTail.atLeast(3, mean: 0) == 0)
    #expect(PoissonTail.atLeast(.infinity, mean: 3) == 0)
    #expect(PoissonTail.atMost(.nan, mean: 3) == 1)
    #expect(PoissonTail.atMost(3, mean: 0) == 1)
    #expect(PoissonTail.atMost(-1, mean: 3) == 0)
  }

  @Test func thePooledBaselineIsTheRateNotTheMedianStep() throws {
    // An hour of 1,260 checks a minute with 2 or 3 mismatches: the median of per-minute ratios
    // is a step (2/1260); the pooled ratio is the rate (+1 event for the prior).
    var rows: [(num: Double, den: Double)] = []
    for k in 0..<60 { rows.append((k % 2 == 0 ? 2 : 3, 1_260)) }
    let b = try #require(Baseline.pooled(rows))
    #expect(abs(b.median - (150.0 + 1) / (60 * 1_260)) < 1e-12)
    #expect(try #require(Baseline.of(rows.map { $0.num / $0.den })).median == 2.5 / 1_260)
    #expect(b.minutes == 60)
    // Regular counts are less dispersed than Poisson: no inflation.
    #expect(b.dispersion == 1)
  }

  @Test func anAnomalousMinuteIsLeftOutOfThePool() throws {
    var rows = (0..<59).map { _ in (num: 2.5, den: 1_260.0) }
    rows.append((num: 60, den: 1_260))  // an earlier incident's minute
    let b = try #require(Baseline.pooled(rows))
    #expect(abs(b.median - (59 * 2.5 + 1) / (59 * 1_260)) < 1e-12)
  }

  @Test func burstyCountsAreJudgedAsThatMuchLessSurprising() throws {
    // Mismatches that come in batches: 0 most minutes, 8-12 in some (mean ~2.5 a minute).
    let counts: [Double] = (0..<60).map { [0, 0, 0, 0, 8, 0, 1, 0, 12, 4][$0 % 10] }
    let rows = counts.map { (num: $0, den: 1_260.0) }
    let b = try #require(Baseline.pooled(rows))
    #expect(b.dispersion > 3)
    // A 12-event minute is one in a million for Poisson(2.5) counts, ordinary for these.
    let spec = BaselineSpec(factor: Rational(5, 2)!, significance: 1e-6)
    var poisson = b
    poisson.dispersion = 1
    let minute: [(num: UInt64, den: UInt64)] = [(14, 1_260)]
    #expect(spec.breached(counts: minute, baseline: poisson, op: .greater))
    #expect(!spec.breached(counts: minute, baseline: b, op: .greater))
  }

  @Test func aRatioBreachesOnlyWhenItsCountsProveIt() {
    let spec = BaselineSpec(
      factor: Rational(5, 2)!, floor: Rational(5, 1_000)!, significance: 1e-6)
    let b = Baseline(median: 0.002, scale: 0.0013, minutes: 58)
    // 7 of 1,260 is 2.8x the baseline but happens by chance one minute in 200.
    #expect(!spec.breached(counts: [(7, 1_260)], baseline: b, op: .greater))
    #expect(spec.breached(7 / 1_260, baseline: b, op: .greater))
    // 17 of 1,260 (6.7x) is beyond one in a million.
    #expect(spec.breached(counts: [(17, 1_260)], baseline: b, op: .greater))
    // 11 a minute for three minutes (4.4x) is proved over the longer window.
    #expect(!spec.breached(counts: [(11, 1_260)], baseline: b, op: .greater))
    #expect(
      spec.breached(counts: [(11, 1_260), (22, 2_520), (33, 3_780)], baseline: b, op: .greater))
    // Proved counts still need the factor and the floor.
    let low = Baseline(median: 0.0001, scale: 0, minutes: 58)
    #expect(!spec.breached(counts: [(5, 1_260)], baseline: low, op: .greater))
    // A drop: 0 in a window that expects 60 is proved; 0 where 2.5 are expected is not.
    let down = BaselineSpec(factor: Rational(4), floor: .zero, significance: 1e-6)
    let busy = Baseline(median: 0.05, scale: 0, minutes: 58)
    #expect(down.breached(counts: [(0, 1_200)], baseline: busy, op: .less))
    #expect(!down.breached(counts: [(0, 1_260)], baseline: b, op: .less))
  }

  @Test func countWindowsStayOutOfTheBaseline() {
    let spec = BaselineSpec(gap: 2 * Nanos.minute, significance: 1e-6)
    #expect(spec.countWindows(window: Nanos.minute) == [1, 2, 3].map { $0 * Nanos.minute })
    #expect(spec.countWindows(window: 5 * Nanos.minute) == [5 * Nanos.minute])
    #expect(BaselineSpec().countWindows(window: Nanos.minute) == [Nanos.minute])
  }

  @Test func readsSignificance() throws {
    let text = """
      rules:
        - alert: Mismatch
          aggregate: ratio
          num: m
          den: c
          baseline: {significance: 1e-6}
        - alert: Tickets
          metric: t
          aggregate: rate
          baseline: {significance: 0.0001}
      """
    let rules = try RulesLoader.parse(text, file: "f.yaml").get().rules
    #expect(rules.map { $0.baseline?.significance } == [1e-6, 1e-4])
  }

  // MARK: Through the store, the minute history and the evaluator

  static func mismatchRule(_ extra: String) -> String {
    """
    evaluation_interval: 10s
    eval_delay: 2s
    rules:
      - alert: Mismatch
        aggregate: ratio
        num: mism
        den: checks
        window: 1m
        op: ">"
        baseline: {over: 1h, factor: 2.5, min_minutes: 10, min_count: 200, gap: 2m\(extra)}
        for: 0s
    """
  }

  /// Two hours of 21 checks a second at 0.2 % mismatches (2.5 a minute), times `change` from
  /// second 3,900 on.
  func sparseRig(_ yaml: String, seed: UInt64, change: Double = 1, until end: Int = 7_200) throws
    -> BaselineRig
  {
    var rig = try BaselineRig(rules: yaml, seed: seed)
    rig.run(0..<end) { r, s in
      let ratio = 0.002 * (s >= 3_900 ? change : 1)
      r.ratio(num: "mism", den: "checks", .empty, second: s, rate: 21, ratio: ratio)
    }
    return rig
  }

  @Test func aQuietRareEventRatioDoesNotPageOnChanceClusters() throws {
    // The same rule without the count test (a floor at the factor) pages on chance: 8 or 9
    // mismatches in a minute happen every few hours at 2.5 a minute.
    var plain = 0
    for seed in UInt64(1)...4 {
      let counted = try sparseRig(Self.mismatchRule(", significance: 1e-6"), seed: seed)
      #expect(counted.fired("Mismatch").isEmpty, "seed \(seed)")
      let floor = try sparseRig(Self.mismatchRule(", floor: 0.005"), seed: seed)
      plain += floor.fired("Mismatch").count
    }
    #expect(plain > 0)
  }

  @Test func aRealRiseInARareEventRatioFiresWithinAMinute() throws {
    for seed in UInt64(1)...4 {
      let rig = try sparseRig(
        Self.mismatchRule(", significance: 1e-6"), seed: seed, change: 8, until: 4_200)
      let first = try #require(rig.fired("Mismatch").first, "seed \(seed)")
      // A typical 1-minute window holds more than a quiet minute reaches once in a million
      // (14 events) about 40 s in (2.5 + 17.6 × 40/60); by the tick after the first window
      // full of the change (60 s, plus the 2 s evaluation delay) it has fired.
      let late = first.t.since(rig.at(3_900)) / Nanos.second
      #expect(late > 0 && late <= 72, "seed \(seed): \(late) s")
      // The baseline is the pooled rate, not the median's step.
      let b = try #require(rig.evaluator.baseline(rule: "Mismatch", labels: .empty))
      #expect(abs(b.median - 0.002) < 0.0006, "seed \(seed): \(b.median)")
    }
  }

  @Test func aSparseRateIsJudgedAgainstItsPooledRateNotTheMedianStep() throws {
    // 1.5 events a minute (the median minute holds 1: a rate of 1/60 s, a third low) doubling:
    // 3x the median step, 2x the real rate; only the count-aware rule keeps quiet.
    func yaml(_ extra: String) -> String {
      """
      evaluation_interval: 10s
      eval_delay: 2s
      rules:
        - alert: Tickets
          metric: tickets
          aggregate: rate
          window: 10m
          op: ">"
          baseline: {over: 1h, factor: 3, floor: 0.01, min_minutes: 10, min_count: 0, gap: 2m\(extra)}
          for: 0s
      """
    }
    var median = 0
    for seed in UInt64(1)...3 {
      for (extra, counted) in [("", false), (", significance: 1e-6", true)] {
        var rig = try BaselineRig(rules: yaml(extra), seed: seed)
        rig.run(0..<5_400) { r, s in
          let rate = 0.025 * (s >= 3_900 && s < 4_800 ? 2.1 : 1)
          let n = r.poisson(rate)
          if n > 0 { r.put("tickets", .empty, Double(n), at: r.at(s).adding(Nanos.second / 2)) }
        }
        if counted {
          #expect(rig.fired("Tickets").isEmpty, "seed \(seed)")
        } else {
          median += rig.fired("Tickets").count
        }
      }
    }
    #expect(median > 0)
  }
}
