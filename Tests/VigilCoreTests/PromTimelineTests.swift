import Testing

@testable import VigilCore

/// Prometheus's timeline as rule settings: the inclusive lookback, absent series as a false
/// condition, and the first tick at the first sample's boundary.
@Suite struct PromTimelineTests {
  /// 2026-11-26T12:00:00Z.
  let noon =
    CivilTime(year: 2026, month: 11, day: 26, hour: 12).timestamp ?? Timestamp(nanoseconds: 0)

  @Test func theStoreSeesASampleExactlyOneLookbackOldOnlyWhenInclusive() throws {
    var store = MetricStore()
    var interner = SeriesInterner()
    let interned = interner.intern(SeriesKey("m", .empty))
    let id = try #require(interned)
    let t = noon.adding(5 * Nanos.minute)
    _ = store.ingest(Sample(series: id, timestamp: noon, value: 7), now: noon)
    // Already landed, but after the tick (in a later bucket): not part of the tick at t.
    _ = store.ingest(Sample(series: id, timestamp: t.adding(Nanos.millisecond), value: 9), now: t)
    let source = MetricStoreAlertSource(store: store, interner: interner)
    let lookback = 5 * Nanos.minute
    #expect(source.latest(series: id, lookback: lookback, at: t).value == 7)
    #expect(source.latest(series: id, lookback: lookback, at: t).newest == noon)
    #expect(source.latest(series: id, lookback: lookback, at: t.adding(1)).value == nil)
    #expect(source.latest(series: id, lookback: lookback, at: noon).value == 7)
    #expect(source.latest(series: id, lookback: lookback, at: noon.adding(-1)).value == nil)
    // The exclusive window of Vigil's rules does not see it.
    #expect(source.reading(.last, series: id, window: lookback, at: t).value == nil)
  }

  func promRule(keep: Int64 = 2, inclusive: Bool = true, absentFalse: Bool = true) -> AlertRule {
    var r = gaugeRule(
      "A", op: .greater, threshold: "5", for: 0, keep: keep, window: 5 * Nanos.minute,
      labels: .empty)
    if inclusive { r.windowStart = .inclusive }
    if absentFalse { r.absent = .conditionFalse }
    return r
  }

  /// `promtool test rules` on `m > 5`, keep_firing_for 2m, one sample of 9 at minute 0: firing
  /// through minute 5 (the sample is exactly 5m old), kept firing at 6 and 7, resolved at 8.
  @Test func aSingleSampleFiresThroughTheLookbackThenKeepsFiring() {
    var src = ScriptedSource()
    src.add("x", "9 _ _ _ _ _ _ _ _ _")
    var e = AlertEvaluator(rules: minuteRules(promRule()))
    #expect(
      brief(runMinutes(&e, src, 0...9)) == [
        "0:A:inactive>firing", "6:A:firing>recovering", "8:A:recovering>resolved",
      ])
    // Vigil's own defaults: the sample leaves the window at minute 5, and no data then holds
    // the instance (firing) and raises FeedStale instead of resolving.
    var v = AlertEvaluator(rules: minuteRules(promRule(inclusive: false, absentFalse: false)))
    #expect(
      brief(runMinutes(&v, src, 0...9)) == [
        "0:A:inactive>firing", "5:FeedStale:inactive>pending", "7:FeedStale:pending>firing",
      ])
  }

  /// One of two series goes quiet: a false condition for it (keep_firing_for applies), where
  /// Vigil's default resolves it after two missing ticks, skipping keep_firing_for.
  @Test func anAbsentSeriesIsAFalseCondition() {
    var src = ScriptedSource()
    src.add("x", ["inst": "a"], "9 9 9 9 9 9 9 9 9 9 9 9 9 9")
    src.add("x", ["inst": "b"], "9 _ _ _ _ _ _ _ _ _ _ _ _ _")
    var e = AlertEvaluator(rules: minuteRules(promRule(keep: 3)))
    #expect(
      brief(runMinutes(&e, src, 0...12), labels: true) == [
        "0:A{inst=\"a\"}:inactive>firing", "0:A{inst=\"b\"}:inactive>firing",
        "6:A{inst=\"b\"}:firing>recovering", "9:A{inst=\"b\"}:recovering>resolved",
      ])
    var v = AlertEvaluator(rules: minuteRules(promRule(keep: 3, absentFalse: false)))
    #expect(
      brief(runMinutes(&v, src, 0...12), labels: true) == [
        "0:A{inst=\"a\"}:inactive>firing", "0:A{inst=\"b\"}:inactive>firing",
        "7:A{inst=\"b\"}:firing>resolved (MissingSeries)",
      ])
  }

  /// Ticks the engine evaluates for samples every 30 s from 0 to 150 s.
  func ticks(_ first: FirstEvaluation) throws -> [Int64] {
    struct Ticks: EngineObserver {
      var seen: [Int64] = []
      mutating func engine(_ engine: Engine, evaluated t: Timestamp, transitions: [AlertTransition])
      {
        seen.append(t.nanoseconds / Nanos.second)
      }
    }
    var rules = RuleSet(evaluationInterval: Nanos.minute, evalDelay: 1, rules: [promRule()])
    rules.firstEvaluation = first
    var engine = Engine(rules: rules, clockMode: .event)
    let interned = engine.sink.interner.intern(SeriesKey("x", .empty))
    let id = try #require(interned)
    var observer = Ticks()
    for s: Int64 in stride(from: 0, through: 150, by: 30) {
      let sample = Sample(series: id, timestamp: noon.adding(s * Nanos.second), value: 9)
      let now = engine.advance(to: sample, arrival: sample.timestamp, observer: &observer)
      _ = engine.land(sample, now: now, feed: 0)
    }
    return observer.seen.map { $0 - noon.nanoseconds / Nanos.second }
  }

  @Test func theFirstTickIsTheFirstSamplesBoundaryWhenAsked() throws {
    #expect(try ticks(.firstSample) == [0, 60, 120])
    #expect(try ticks(.oneIntervalLater) == [60, 120])
  }
}
