import Testing

@testable import VigilCore

/// Baseline rules evaluated over a seeded synthetic feed through the real store and minute
/// history (BaselineRig).
@Suite struct BaselineRuleTests {
  let tax: LabelSet = ["service": "tax"]

  /// `minutes` of a steady service (2 requests/s, lognormal), then `factor` × its latency.
  func stepRig(
    _ yaml: String = latencyRule(), seed: UInt64 = 1, median: Double = 100, change: Int = 3_900,
    factor: Double = 3, through end: Int = 4_200
  ) throws -> BaselineRig {
    var rig = try BaselineRig(rules: yaml, seed: seed)
    let tax = self.tax
    rig.run(0..<end) { r, s in
      let m = s >= change ? median * factor : median
      r.latency("api_latency_ms", tax, second: s, count: 2, median: m, sigma: 0.3)
    }
    return rig
  }

  @Test func aStepChangeFiresWithinTwoTicks() throws {
    for seed in UInt64(1)...5 {
      let rig = try stepRig(seed: seed)
      let fired = rig.fired("Slow")
      #expect(fired.count == 1)
      // Nothing before the change; the first tick whose window holds 10 s of it may fire, the
      // second must.
      let first = try #require(fired.first)
      #expect(first.t > rig.at(3_900) && first.t <= rig.at(3_920), "seed \(seed)")
      #expect(rig.transitions.allSatisfy { $0.t > rig.at(3_900) })
    }
  }

  @Test func aTrafficSpikeWithSlowerLatencyDoesNotFire() throws {
    for seed in UInt64(1)...3 {
      var rig = try BaselineRig(rules: latencyRule(), seed: seed)
      let tax = self.tax
      rig.run(0..<4_800) { r, s in
        let spike = (3_720..<4_320).contains(s)  // minutes 62-72: x5 traffic, +30 % latency
        r.latency(
          "api_latency_ms", tax, second: s, count: spike ? 10 : 2, median: spike ? 130 : 100,
          sigma: 0.3)
      }
      #expect(rig.transitions.isEmpty, "seed \(seed): \(rig.transitions)")
    }
  }

  @Test func theFloorKeepsAQuietSeriesQuiet() throws {
    // p99 around 8 ms tripling to 24 ms: over 2x its median, under a 150 ms floor.
    let quiet = try stepRig(median: 4)
    #expect(quiet.transitions.isEmpty)
    let low = try stepRig(
      latencyRule("{over: 1h, factor: 2, floor: 10, min_minutes: 10, min_count: 20}"),
      median: 4)
    #expect(low.fired("Slow").count == 1)
  }

  @Test func firesAtFactorTimesTheMedianNotBelow() throws {
    // 1.6x is a breach at factor 1.5 and none at factor 2.
    let rule = { (f: String) in
      latencyRule("{over: 1h, factor: \(f), floor: 50, min_minutes: 10, min_count: 20}")
    }
    #expect(try stepRig(rule("2"), factor: 1.6).transitions.isEmpty)
    #expect(try !stepRig(rule("1.5"), factor: 1.6).fired("Slow").isEmpty)
  }

  @Test func noVerdictWhileWarmingUpAndTheWarmUpIsShown() throws {
    var rig = try BaselineRig(rules: latencyRule())
    let tax = self.tax
    // Five minutes of data, then triple: no baseline yet, so no alert.
    rig.run(0..<420) { r, s in
      r.latency(
        "api_latency_ms", tax, second: s, count: 2, median: s >= 300 ? 300 : 100, sigma: 0.3)
    }
    #expect(rig.transitions.isEmpty)
    // At the 6:50 tick the baseline has the minutes ending 1:00-4:00 (gap 2): four of ten.
    let warm = try #require(rig.evaluator.warmingUp["Slow"]?[tax])
    #expect(warm == BaselineWarmUp(minutes: 4, needed: 10))
    #expect(warm.text == "warming up 4 of 10 minutes")
    #expect(rig.evaluator.baselineWarmUp?.instances == 1)
    #expect(rig.evaluator.baseline(rule: "Slow", labels: tax) == nil)
    rig.run(420..<780) { r, s in
      r.latency("api_latency_ms", tax, second: s, count: 2, median: 300, sigma: 0.3)
    }
    #expect(rig.evaluator.warmingUp.isEmpty)
    #expect(rig.evaluator.baselineWarmUp == nil)
    #expect(rig.evaluator.baseline(rule: "Slow", labels: tax) != nil)
  }

  @Test func theBaselineFreezesWhileFiringSoALongIncidentStaysFiring() throws {
    // An hour at 100 ms, then 50 minutes at 3x: without the freeze the incident's own minutes
    // would be the median after half an hour and the alert would resolve.
    let rig = try stepRig(change: 3_600, through: 3_600 + 50 * 60)
    #expect(rig.fired("Slow").count == 1)
    #expect(rig.transitions.count == 1)
    let frozen = try #require(rig.evaluator.baseline(rule: "Slow", labels: tax))
    #expect(frozen.median > 150 && frozen.median < 260)
    // What the history says now: the incident is most of it.
    let id = try #require(rig.interner.lookup(SeriesKey("api_latency_ms", tax)))
    let fresh = try #require(
      rig.history.baseline(
        .series(id, .p99), last: MinuteHistory.minute(endingAtOrBefore: rig.at(6_600)), over: 60))
    #expect(fresh.median > 2 * frozen.median)
  }

  @Test func outliersInTheBaselineHourDoNotMoveIt() throws {
    func rig(outliers: Bool) throws -> BaselineRig {
      var rig = try BaselineRig(rules: latencyRule(), seed: 4)
      let tax = self.tax
      rig.run(0..<3_960) { r, s in
        let wild = outliers && [10, 25, 33, 47, 51].contains(s / 60)
        let m = s >= 3_900 ? 300.0 : wild ? 1_000 : 100
        r.latency("api_latency_ms", tax, second: s, count: 2, median: m, sigma: 0.3)
      }
      return rig
    }
    let clean = try rig(outliers: false)
    let noisy = try rig(outliers: true)
    let a = try #require(clean.evaluator.baseline(rule: "Slow", labels: tax))
    let b = try #require(noisy.evaluator.baseline(rule: "Slow", labels: tax))
    #expect(abs(b.median - a.median) < 0.1 * a.median)
    // The wild minutes fire themselves; the change after them still does, within two ticks.
    let late = noisy.fired("Slow").filter { $0.t > noisy.at(3_300) }
    #expect(late.count == 1)
    #expect(late.allSatisfy { $0.t > noisy.at(3_900) && $0.t <= noisy.at(3_920) })
  }

  @Test func ratioBaselinesArePerGroup() throws {
    let yaml = """
      rules:
        - alert: Mismatch
          aggregate: ratio
          num: mism
          den: checks
          by: [pair]
          window: 1m
          op: ">"
          baseline: {over: 1h, factor: 2.5, floor: 0.01, min_minutes: 10, min_count: 200}
          for: 0s
      """
    var rig = try BaselineRig(rules: yaml, seed: 3)
    rig.run(0..<4_200) { r, s in
      // Pair a at 1 %, pair b at 3 % (each its own baseline); b quadruples at 65:00.
      for (pair, base) in [("a", 0.01), ("b", 0.03)] {
        let ratio = pair == "b" && s >= 3_900 ? 4 * base : base
        r.ratio(num: "mism", den: "checks", ["pair": pair], second: s, rate: 20, ratio: ratio)
      }
    }
    let fired = rig.fired("Mismatch")
    #expect(fired.map(\.labels) == [["pair": "b"]])
    #expect(fired.allSatisfy { $0.t > rig.at(3_900) && $0.t <= rig.at(3_930) })
    let a = try #require(rig.evaluator.baseline(rule: "Mismatch", labels: ["pair": "a"]))
    let b = try #require(rig.evaluator.baseline(rule: "Mismatch", labels: ["pair": "b"]))
    #expect(abs(a.median - 0.01) < 0.002)
    #expect(abs(b.median - 0.03) < 0.005)
    // A 3 % pair would breach pair a's baseline, not its own.
    #expect(3 * a.median < 0.04 && 2.5 * b.median > 0.04)
  }

  @Test func aDropBelowTheBaselineFiresWithLess() throws {
    let yaml = """
      rules:
        - alert: OrdersStopped
          metric: orders
          aggregate: rate
          window: 1m
          op: "<"
          baseline: {over: 1h, factor: 4, floor: 1, min_minutes: 10}
          for: 0s
        - alert: QuietOrdersStopped
          metric: quiet
          aggregate: rate
          window: 1m
          op: "<"
          baseline: {over: 1h, factor: 4, floor: 1, min_minutes: 10}
          for: 0s
      """
    var rig = try BaselineRig(rules: yaml, seed: 5)
    rig.run(0..<4_200) { r, s in
      let rate = s >= 3_900 ? 0.5 : 5.0
      r.put("orders", .empty, Double(r.poisson(rate)), at: r.at(s).adding(Nanos.second / 2))
      // A series whose usual rate is under the floor cannot "drop".
      r.put("quiet", .empty, Double(r.poisson(rate / 10)), at: r.at(s).adding(Nanos.second / 2))
    }
    #expect(rig.fired("OrdersStopped").count == 1)
    #expect(rig.fired("OrdersStopped").allSatisfy { $0.t > rig.at(3_900) })
    #expect(rig.fired("QuietOrdersStopped").isEmpty)
  }
}
