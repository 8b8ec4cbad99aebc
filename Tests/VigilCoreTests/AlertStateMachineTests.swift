import Testing

@testable import VigilCore

/// SEMANTICS §13 group A: one test per vector, on scripted per-minute values.
@Suite struct AlertStateMachineTests {
  /// The promtool oracle series (SEMANTICS §12).
  static let oracle = "1 1 3 3 3 3 1 3 3 3 3 1 1 1 1"

  func evaluate(_ rules: RuleSet, _ source: ScriptedSource, _ minutes: ClosedRange<Int>)
    -> (AlertEvaluator, [AlertTransition])
  {
    var e = AlertEvaluator(rules: rules)
    let out = runMinutes(&e, source, minutes)
    return (e, out)
  }

  func source(_ values: String) -> ScriptedSource {
    var s = ScriptedSource()
    s.add("x", values)
    return s
  }

  @Test func a1PendingThenFiringAfterForThenResolved() {
    let (_, out) = evaluate(minuteRules(gaugeRule()), source("1 1 3 3 3 3 1"), 0...6)
    #expect(
      brief(out) == [
        "2:CheckoutP99High:inactive>pending", "5:CheckoutP99High:pending>firing",
        "6:CheckoutP99High:firing>resolved",
      ])
    #expect(out[1].value == 3)
    #expect(out.allSatisfy { $0.labels == ["severity": "page"] })
  }

  @Test func a2ForZeroFiresAtTheFirstTrueEvaluation() {
    let (_, out) = evaluate(minuteRules(gaugeRule(for: 0)), source("1 1 3 3 3 3 1"), 0...6)
    #expect(
      brief(out) == ["2:CheckoutP99High:inactive>firing", "6:CheckoutP99High:firing>resolved"])
  }

  @Test func a3OneFalseEvaluationResetsFor() {
    let (e, out) = evaluate(minuteRules(gaugeRule()), source(Self.oracle), 0...14)
    #expect(
      brief(out) == [
        "2:CheckoutP99High:inactive>pending", "5:CheckoutP99High:pending>firing",
        "6:CheckoutP99High:firing>resolved", "7:CheckoutP99High:resolved>pending",
        "10:CheckoutP99High:pending>firing", "11:CheckoutP99High:firing>resolved",
      ])
    // Not firing at 9 (the oracle's eval_time 9m): the new activeAt is 7.
    var e9 = AlertEvaluator(rules: minuteRules(gaugeRule()))
    _ = runMinutes(&e9, source(Self.oracle), 0...9)
    #expect(e9.allInstances.first?.state == .pending)
    #expect(e9.allInstances.first?.activeAt == minute(7))
    #expect(e.allInstances.first?.state == .resolved)
  }

  @Test func a4KeepFiringForHoldsThroughOneFalseEvaluation() {
    let rule = gaugeRule("CheckoutP99HighKeep", keep: 2)
    let (_, out) = evaluate(minuteRules(rule), source(Self.oracle), 0...14)
    #expect(
      brief(out) == [
        "2:CheckoutP99HighKeep:inactive>pending", "5:CheckoutP99HighKeep:pending>firing",
        "6:CheckoutP99HighKeep:firing>recovering", "7:CheckoutP99HighKeep:recovering>firing",
        "11:CheckoutP99HighKeep:firing>recovering", "13:CheckoutP99HighKeep:recovering>resolved",
      ])
  }

  @Test func a5KeepFiringForResolvesWhenElapsedIsNotLessThanKeep() {
    let (_, out) = evaluate(
      minuteRules(gaugeRule(keep: 2)), source("3x10 1 1 1 1"), 0...14)
    #expect(
      brief(out) == [
        "0:CheckoutP99High:inactive>pending", "3:CheckoutP99High:pending>firing",
        "11:CheckoutP99High:firing>recovering", "13:CheckoutP99High:recovering>resolved",
      ])
    // Firing (Prometheus's view) at 11 and 12.
    var e = AlertEvaluator(rules: minuteRules(gaugeRule(keep: 2)))
    _ = runMinutes(&e, source("3x10 1 1 1 1"), 0...12)
    #expect(e.allInstances.first?.state.isProblem == true)
  }

  @Test func a6PendingThatTurnsFalseIsDeletedWithoutNotification() {
    let (e, out) = evaluate(minuteRules(gaugeRule()), source("3 3 1 3 3 3 3"), 0...6)
    #expect(
      brief(out) == [
        "0:CheckoutP99High:inactive>pending", "2:CheckoutP99High:pending>inactive",
        "3:CheckoutP99High:inactive>pending", "6:CheckoutP99High:pending>firing",
      ])
    #expect(!out[1].notifies)
    #expect(out[3].notifies)
    #expect(e.allInstances.first?.activeAt == minute(3))
  }

  @Test func a7ResolvedIsKeptFifteenMinutesThenEvicted() {
    let s = source("1 1 3 3 3 3 1x15 3")  // resolved at 6, true again at 22
    var e = AlertEvaluator(rules: minuteRules(gaugeRule()))
    _ = runMinutes(&e, s, 0...20)
    #expect(e.allInstances.map(\.state) == [.resolved])  // 14 m after resolving
    let at21 = runMinutes(&e, s, 21...21)
    #expect(at21.isEmpty)
    #expect(e.allInstances.isEmpty)  // 15 m: evicted
    let at22 = runMinutes(&e, s, 22...22)
    #expect(brief(at22) == ["22:CheckoutP99High:inactive>pending"])
    #expect(e.allInstances.first?.activeAt == minute(22))
  }

  @Test func a8DuplicateLabelSetsAreAnEvaluationError() {
    var s = ScriptedSource()
    s.add("x", ["service": "a", "severity": "low"], "3 3 3")
    s.add("x", ["service": "a", "severity": "high"], "3 3 3")
    let rule = gaugeRule(for: 0, labels: ["severity": "page"])
    let (e, out) = evaluate(minuteRules(rule), s, 0...2)
    #expect(out.isEmpty)
    guard case .error(let message) = e.health["CheckoutP99High"] else {
      Issue.record("health is \(String(describing: e.health["CheckoutP99High"]))")
      return
    }
    #expect(message.contains("duplicate alert label set"))
    #expect(message.contains("{service=\"a\",severity=\"page\"}"))
  }

  /// Prometheus's 5 m lookback is Vigil's `no_data_after: 5m`; the rule's window (10 m) is not
  /// the binding limit here.
  @Test func a9SilentSeriesRaisesFeedStaleAfterNoDataAfterAndFor() {
    let rule = gaugeRule(window: 10 * Nanos.minute, noDataAfter: 5 * Nanos.minute)
    let (e, out) = evaluate(minuteRules(rule), source("1 1 1 1"), 0...12)
    #expect(
      brief(out, labels: true) == [
        "9:FeedStale{feed=\"x\",severity=\"warn\"}:inactive>pending",
        "11:FeedStale{feed=\"x\",severity=\"warn\"}:pending>firing",
      ])
    #expect(e.health["CheckoutP99High"] == .noData)
  }

  @Test func a10StalenessMarkerMakesNoDataAtOnce() {
    let rule = gaugeRule(window: 10 * Nanos.minute, noDataAfter: 5 * Nanos.minute)
    let (_, out) = evaluate(minuteRules(rule), source("1 1 1 1 stale"), 0...8)
    #expect(brief(out) == ["4:FeedStale:inactive>pending", "6:FeedStale:pending>firing"])
  }

  @Test func a11ClearThresholdHysteresis() {
    let values = "2.1 1.8 1.7 1.5"
    let with = gaugeRule(threshold: "2.0", clear: "1.6", for: 0)
    let (_, out) = evaluate(minuteRules(with), source(values), 0...3)
    #expect(
      brief(out) == ["0:CheckoutP99High:inactive>firing", "3:CheckoutP99High:firing>resolved"])
    let without = gaugeRule(threshold: "2.0", for: 0)
    let (e, out2) = evaluate(minuteRules(without), source(values), 0...3)
    #expect(
      brief(out2) == ["0:CheckoutP99High:inactive>firing", "1:CheckoutP99High:firing>resolved"])
    #expect(e.allInstances.map(\.state) == [.resolved])  // listed, not active
  }

  @Test(arguments: [AlertOp.greater, .less, .greaterOrEqual, .lessOrEqual, .equal])
  func a12NaNComparesFalseAndIsNotMissing(op: AlertOp) {
    let (e, out) = evaluate(
      minuteRules(gaugeRule(op: op, for: 0)), source("NaN NaN NaN"), 0...2)
    #expect(out.isEmpty)
    #expect(e.health["CheckoutP99High"] == .ok)
  }

  @Test func a12NaNIsTrueOnlyForNotEqual() {
    let (_, out) = evaluate(
      minuteRules(gaugeRule(op: .notEqual, for: 0)), source("NaN"), 0...0)
    #expect(out.isEmpty)  // `!=` is a comparison too: NaN compares false
  }

  @Test func a13MissingSeriesResolvesAtTheSecondMissingEvaluation() {
    var s = ScriptedSource()
    s.add("x", ["service": "checkout"], "3 3 3 3 3 3")
    s.add("x", ["service": "search"], "3 3 3")
    let rule = gaugeRule(for: 0, keep: 5, labels: [:])
    var e = AlertEvaluator(rules: minuteRules(rule))
    let out = runMinutes(&e, s, 0...5)
    #expect(
      brief(out, labels: true) == [
        "0:CheckoutP99High{service=\"checkout\"}:inactive>firing",
        "0:CheckoutP99High{service=\"search\"}:inactive>firing",
        "4:CheckoutP99High{service=\"search\"}:firing>resolved (MissingSeries)",
      ])
    #expect(out[2].value == nil)
  }

  @Test func a13MissingPendingGoesInactive() {
    var s = ScriptedSource()
    s.add("x", ["service": "checkout"], "1 1 1 1 1")
    s.add("x", ["service": "search"], "3 3")
    var e = AlertEvaluator(rules: minuteRules(gaugeRule(labels: [:])))
    let out = runMinutes(&e, s, 0...4)
    #expect(
      brief(out) == [
        "0:CheckoutP99High:inactive>pending", "3:CheckoutP99High:pending>inactive (MissingSeries)",
      ])
  }

  @Test func a14SilentFeedRaisesFeedStaleAndKeepsInstances() {
    let rule = gaugeRule(for: 0, noDataAfter: 2 * Nanos.minute)
    var e = AlertEvaluator(rules: minuteRules(rule))
    let out = runMinutes(&e, source("3 3 3 3"), 0...8)
    #expect(
      brief(out) == [
        "0:CheckoutP99High:inactive>firing", "4:FeedStale:inactive>pending",
        "6:FeedStale:pending>firing",
      ])
    #expect(
      e.allInstances.map { "\($0.rule):\($0.state)" } == [
        "CheckoutP99High:firing", "FeedStale:firing",
      ])
    // The feed comes back: FeedStale resolves, the rule goes on from its kept state.
    var back = ScriptedSource()
    back.add("x", "3 3 3 3 _ _ _ _ _ 1")
    let more = runMinutes(&e, back, 9...9)
    #expect(brief(more) == ["9:CheckoutP99High:firing>resolved", "9:FeedStale:firing>resolved"])
  }

  @Test func a15KeepLastStillLetsPendingReachFiring() {
    let rule = gaugeRule(for: 2, noDataState: .keepLast)
    let (_, out) = evaluate(minuteRules(rule), source("3"), 0...2)
    #expect(
      brief(out) == [
        "0:CheckoutP99High:inactive>pending", "2:CheckoutP99High:pending>firing (NoData)",
      ])
  }

  @Test func noDataAlertingAndOkMapTheCondition() {
    let alerting = gaugeRule(for: 1, noDataState: .alerting)
    let (_, out) = evaluate(minuteRules(alerting), source("1"), 0...3)
    #expect(
      brief(out) == [
        "1:CheckoutP99High:inactive>pending (NoData)", "2:CheckoutP99High:pending>firing (NoData)",
      ])
    let ok = gaugeRule(for: 0, noDataState: .ok)
    let (_, out2) = evaluate(minuteRules(ok), source("3"), 0...1)
    #expect(
      brief(out2) == [
        "0:CheckoutP99High:inactive>firing", "1:CheckoutP99High:firing>resolved (NoData)",
      ])
  }

  @Test func errorHealthWhenTheWindowCannotBeServed() {
    var s = source("3 3")
    s.unservable = [Nanos.minute]
    let (e, out) = evaluate(minuteRules(gaugeRule(for: 0)), s, 0...1)
    #expect(out.isEmpty)
    #expect(e.health["CheckoutP99High"] == .error("window 1m not served"))
  }

  @Test func transitionsAreSortedByRuleThenLabels() {
    var s = ScriptedSource()
    s.add("x", ["service": "search"], "3")
    s.add("x", ["service": "cart"], "3")
    s.add("y", "3")
    let rules = minuteRules(
      gaugeRule("Zeta", for: 0, labels: [:]), gaugeRule("Alpha", for: 0, labels: [:]),
      gaugeRule("Mid", metric: "y", for: 0, labels: [:]))
    let (_, out) = evaluate(rules, s, 0...0)
    #expect(
      brief(out, labels: true) == [
        "0:Alpha{service=\"cart\"}:inactive>firing", "0:Alpha{service=\"search\"}:inactive>firing",
        "0:Mid:inactive>firing", "0:Zeta{service=\"cart\"}:inactive>firing",
        "0:Zeta{service=\"search\"}:inactive>firing",
      ])
  }

  @Test func ticksAreAlignedAndNeverRepeat() {
    var e = AlertEvaluator(rules: RuleSet(rules: [gaugeRule(for: 0)]))
    let s = source("3")
    #expect(!e.tick(at: Timestamp(nanoseconds: 7 * Nanos.second), data: s).isEmpty)
    #expect(e.lastTick == Timestamp(nanoseconds: 0))
    #expect(e.tick(at: Timestamp(nanoseconds: 9 * Nanos.second), data: s).isEmpty)
    // Due ticks with a 2 s delay.
    #expect(e.ticksDue(now: Timestamp(nanoseconds: 11 * Nanos.second)).isEmpty)
    #expect(
      e.ticksDue(now: Timestamp(nanoseconds: 32 * Nanos.second))
        == [10, 20, 30].map { Timestamp(nanoseconds: $0 * Nanos.second) })
    let fresh = AlertEvaluator(rules: RuleSet())
    #expect(
      fresh.ticksDue(now: Timestamp(nanoseconds: 41_999 * Nanos.millisecond))
        == [Timestamp(nanoseconds: 30 * Nanos.second)])
  }

  @Test func replacingRulesKeepsUnchangedRulesAndResetsEdited() {
    let a = gaugeRule("A", for: 0)
    let b = gaugeRule("B", for: 0)
    var e = AlertEvaluator(rules: minuteRules(a, b))
    _ = runMinutes(&e, source("3 3 3"), 0...0)
    var b2 = b
    b2.threshold = Rational(1)
    e.replaceRules(minuteRules(a, b2))
    #expect(e.allInstances.map(\.rule) == ["A"])
    let out = runMinutes(&e, source("3 3 3"), 1...1)
    #expect(brief(out) == ["1:B:inactive>firing"])
  }

  @Test func flappingInstanceIsFlagged() {
    // Firing and resolving every other minute: every change counts.
    let (e, _) = evaluate(
      minuteRules(gaugeRule(for: 0)), source("3 1 3 1 3 1 3 1 3 1 3 1 3 1 3 1 3 1 3 1 3"), 0...20)
    let flap = e.allInstances.first?.flap
    #expect(flap?.isFlapping == true)
    #expect(flap.map { ($0.psc * 100).rounded() / 100 } == 100)
  }
}
