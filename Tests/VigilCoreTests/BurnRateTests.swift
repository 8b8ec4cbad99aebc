import Testing

@testable import VigilCore

/// SEMANTICS §13 group C, plus the exact arithmetic of §5.
@Suite struct BurnRateTests {
  static let fastPair = [
    BurnWindow(
      long: Nanos.hour, short: 5 * Nanos.minute, factor: Rational(parsing: "14.4") ?? .zero,
      severity: "page")
  ]

  func burnRule(op: AlertOp = .greater, windows: [BurnWindow] = fastPair) -> AlertRule {
    let slo = SLOSpec(
      objective: Rational(parsing: "0.999") ?? .zero, period: 30 * Nanos.day,
      events: .bad(SeriesSelector(metric: "checkout_errors_total")),
      total: SeriesSelector(metric: "checkout_requests_total"), windows: windows)
    return AlertRule(
      name: "CheckoutErrorBudgetFastBurn",
      selector: SeriesSelector(metric: "checkout_requests_total"),
      aggregate: .burnRate(slo), op: op, noDataAfter: 5 * Nanos.minute)
  }

  /// The promtool oracle (SEMANTICS §12): 1000 requests/min, 2 % errors from 60m to 120m.
  @Test func c1FastBurnFiresAt104AndResolvesAt122() {
    var s = ScriptedSource()
    s.add("checkout_requests_total", "0+1000x150", kind: .counter)
    s.add("checkout_errors_total", "0x60 20+20x59 1200x29", kind: .counter)
    var e = AlertEvaluator(rules: minuteRules(burnRule()))
    let out = runMinutes(&e, s, 0...150)
    #expect(
      brief(out, labels: true) == [
        "104:CheckoutErrorBudgetFastBurn{severity=\"page\"}:inactive>firing",
        "122:CheckoutErrorBudgetFastBurn{severity=\"page\"}:firing>resolved",
      ])
    // Burn over 1h at 104m: 880/60000/0.001 = 14.67; over 5m: 100/5000/0.001 = 20; min = 14.67.
    #expect(abs((out.first?.value ?? 0) - 880.0 / 60.0) < 1e-9)
    // At 103m, 860 errors: 0.014333 < 0.0144 (not firing); at 121m, short window 80/5000 = 0.016.
    var e2 = AlertEvaluator(rules: minuteRules(burnRule()))
    _ = runMinutes(&e2, s, 0...121)
    #expect(e2.allInstances.first?.state == .firing)
  }

  func fixed(bad: Double, total: Double, shortTotal: Double? = nil) -> ScriptedSource {
    var s = ScriptedSource()
    s.fixedSums["checkout_errors_total"] = [Nanos.hour: bad, 5 * Nanos.minute: bad]
    s.fixedSums["checkout_requests_total"] = [
      Nanos.hour: total, 5 * Nanos.minute: shortTotal ?? total,
    ]
    return s
  }

  @Test func c2ExactlyAtTheLimitDoesNotFireWithStrictGreater() {
    var e = AlertEvaluator(rules: minuteRules(burnRule()))
    #expect(runMinutes(&e, fixed(bad: 144, total: 10_000), 0...0).isEmpty)
    #expect(e.health["CheckoutErrorBudgetFastBurn"] == .ok)
  }

  @Test func c2ExactlyAtTheLimitFiresWithGreaterOrEqual() {
    var e = AlertEvaluator(rules: minuteRules(burnRule(op: .greaterOrEqual)))
    let out = runMinutes(&e, fixed(bad: 144, total: 10_000), 0...0)
    #expect(brief(out) == ["0:CheckoutErrorBudgetFastBurn:inactive>firing"])
  }

  @Test func c2FloatingPointGetsItWrong() {
    // The trap the exact comparison avoids (SEMANTICS §5).
    let ratio = 144.0 / 10_000.0
    let limit = 14.4 * 0.001
    #expect(!(ratio >= limit))
    #expect(0.0144 / 0.001 == 14.399999999999999)
    // Exactly: 144/10000 == 14.4 × 0.001.
    let exact = (Rational(parsing: "14.4") ?? .zero).multiplied(
      by: Rational(parsing: "0.001") ?? .zero)
    #expect(exact == Rational(144, 10_000))
    #expect(exact.map { AlertEvaluator.compareExact(144, 10_000, $0) } == 0)
  }

  @Test func c3OneMoreBadEventFires() {
    var e = AlertEvaluator(rules: minuteRules(burnRule()))
    let out = runMinutes(&e, fixed(bad: 145, total: 10_000), 0...0)
    #expect(brief(out) == ["0:CheckoutErrorBudgetFastBurn:inactive>firing"])
  }

  @Test func c4ZeroTrafficInTheShortWindowNeverPages() {
    var e = AlertEvaluator(rules: minuteRules(burnRule()))
    let out = runMinutes(&e, fixed(bad: 0, total: 10_000, shortTotal: 0), 0...3)
    #expect(out.isEmpty)
    #expect(e.health["CheckoutErrorBudgetFastBurn"] == .ok)
    // All bad but no traffic in the short window: still not a page.
    var e2 = AlertEvaluator(rules: minuteRules(burnRule()))
    #expect(runMinutes(&e2, fixed(bad: 10_000, total: 10_000, shortTotal: 0), 0...3).isEmpty)
  }

  @Test func c5BudgetArithmetic() {
    let period = 30 * Nanos.day
    let consumed = BurnWindow.defaults.map { $0.budgetConsumed(period: period) }
    #expect(consumed.map { $0?.description } == ["0.02", "0.05", "0.1"])
    let days = BurnWindow.exhaustionDays(period: period, factor: Rational(parsing: "14.4") ?? .one)
    #expect(days == Rational(25, 12))
    #expect(String(format3(days?.doubleValue ?? 0)) == "2.083")
  }

  func format3(_ v: Double) -> String {
    let scaled = Int(clamping: (v * 1000).rounded())
    return
      "\(scaled / 1000).\(String(repeating: "0", count: 3 - String(scaled % 1000).count))\(scaled % 1000)"
  }

  @Test func severitiesGroupPairsOrAcrossAndInsideAPair() {
    // Default pairs: page (1h/5m at 14.4, 6h/30m at 6) and ticket (3d/6h at 1).
    var s = ScriptedSource()
    let windows: [Int64] = [
      Nanos.hour, 5 * Nanos.minute, 6 * Nanos.hour, 30 * Nanos.minute, 3 * Nanos.day,
      6 * Nanos.hour,
    ]
    // 0.7 % errors everywhere: > 6 × 0.1 % (page via 6h/30m) and > 1 × (ticket), < 14.4.
    s.fixedSums["checkout_errors_total"] = Dictionary(
      windows.map { ($0, 70.0) }, uniquingKeysWith: { a, _ in a })
    s.fixedSums["checkout_requests_total"] = Dictionary(
      windows.map { ($0, 10_000.0) }, uniquingKeysWith: { a, _ in a })
    var e = AlertEvaluator(rules: minuteRules(burnRule(windows: BurnWindow.defaults)))
    let out = runMinutes(&e, s, 0...0)
    #expect(
      brief(out, labels: true) == [
        "0:CheckoutErrorBudgetFastBurn{severity=\"page\"}:inactive>firing",
        "0:CheckoutErrorBudgetFastBurn{severity=\"ticket\"}:inactive>firing",
      ])
  }

  @Test func goodEventsCountTheComplement() {
    var s = ScriptedSource()
    s.fixedSums["ok_total"] = [Nanos.hour: 9_855, 5 * Nanos.minute: 9_855]
    s.fixedSums["checkout_requests_total"] = [Nanos.hour: 10_000, 5 * Nanos.minute: 10_000]
    var rule = burnRule()
    if case .burnRate(var slo) = rule.aggregate {
      slo.events = .good(SeriesSelector(metric: "ok_total"))
      rule.aggregate = .burnRate(slo)
    }
    var e = AlertEvaluator(rules: minuteRules(rule))
    #expect(runMinutes(&e, s, 0...0).count == 1)  // 145 bad of 10,000
  }

  @Test func rationalsParseDecimalTextExactly() {
    #expect(Rational(parsing: "14.4") == Rational(72, 5))
    #expect(Rational(parsing: "0.999") == Rational(999, 1000))
    #expect(Rational(parsing: "2") == Rational(2))
    #expect(Rational(parsing: "1e-3") == Rational(1, 1000))
    #expect(Rational(parsing: "-1.50") == Rational(negative: true, 3, 2))
    #expect(Rational(parsing: ".5") == Rational(1, 2))
    #expect(Rational(parsing: "0.5000000000000000000000000") == Rational(1, 2))
    for bad in ["", "-", "1.2.3", "abc", "1e", "0x10", "1e-999", "99999999999999999999"] {
      #expect(Rational(parsing: bad) == nil, "\(bad)")
    }
    #expect((Rational(parsing: "14.4") ?? .zero).description == "14.4")
    #expect(Rational(1, 3)?.description == "1/3")
    #expect(Rational(parsing: "-2") ?? .zero < Rational(parsing: "-1.5") ?? .zero)
    // Cross products do not overflow 64 bits.
    #expect(compareMagnitudes(UInt64.max, UInt64.max - 1, UInt64.max - 1, UInt64.max - 2) == -1)
  }

  @Test func countAndRatioRulesCompareExactly() {
    // 3 of 200 = 1.5 % vs threshold 0.015: not > (exact), fires with >=.
    var s = ScriptedSource()
    s.fixedSums["bad_total"] = [5 * Nanos.minute: 3]
    s.fixedSums["all_total"] = [5 * Nanos.minute: 200]
    func rule(_ op: AlertOp) -> AlertRule {
      AlertRule(
        name: "R", selector: SeriesSelector(metric: "bad_total"),
        aggregate: .ratio(
          num: SeriesSelector(metric: "bad_total"), den: SeriesSelector(metric: "all_total")),
        op: op, threshold: Rational(parsing: "0.015") ?? .zero)
    }
    var strict = AlertEvaluator(rules: minuteRules(rule(.greater)))
    #expect(runMinutes(&strict, s, 0...0).isEmpty)
    var inclusive = AlertEvaluator(rules: minuteRules(rule(.greaterOrEqual)))
    #expect(runMinutes(&inclusive, s, 0...0).count == 1)
  }

  @Test func ratioGroupsByLabelsAndTreatsZeroDenominatorAsNoData() {
    var s = ScriptedSource()
    s.add("mismatch_total", ["pair": "a"], "1 1", kind: .gauge)
    s.add("mismatch_total", ["pair": "b"], "5 5", kind: .gauge)
    s.add("checks_total", ["pair": "a"], "100 100", kind: .gauge)
    s.add("checks_total", ["pair": "b"], "0 0", kind: .gauge)
    let rule = AlertRule(
      name: "Inv", selector: SeriesSelector(metric: "mismatch_total"),
      aggregate: .ratio(
        num: SeriesSelector(metric: "mismatch_total"), den: SeriesSelector(metric: "checks_total")),
      by: ["pair"], window: Nanos.minute, op: .greaterOrEqual, threshold: Rational(1, 100) ?? .zero)
    var e = AlertEvaluator(rules: minuteRules(rule))
    let out = runMinutes(&e, s, 0...1)
    #expect(brief(out, labels: true) == ["0:Inv{pair=\"a\"}:inactive>firing"])
  }
}
