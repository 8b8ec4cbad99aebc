import Testing
import VigilDemo

@testable import VigilCore

/// The default rules over the demo incident, through the real store: quiet at baseline, and the
/// incident fires its alerts.
@Suite struct AlertDefaultRulesDemoTests {
  static func run() throws -> [AlertTransition] {
    let rules = try RulesLoader.parse(DefaultRules.yaml(), file: "defaults").get()
    var e = AlertEvaluator(rules: rules)
    var store = MetricStore()
    var interner = SeriesInterner()
    let start =
      CivilTime(year: 2026, month: 11, day: 26, hour: 10).timestamp ?? Timestamp(nanoseconds: 0)
    let demo = DemoScenario()
    var out: [AlertTransition] = []
    for second in 0..<900 {
      for ev in demo.events(second: second) {
        let t = start.adding(ev.offset)
        guard let id = interner.intern(SeriesKey(ev.metric, LabelSet(ev.labels))) else { continue }
        _ = store.ingest(Sample(series: id, timestamp: t, value: ev.value), now: t)
      }
      let now = start.adding(Int64(second + 1) * Nanos.second)
      for tick in e.ticksDue(now: now) where tick >= start.adding(Nanos.minute) {
        out += e.tick(at: tick, data: MetricStoreAlertSource(store: store, interner: interner))
      }
    }
    return out
  }

  @Test func demoIncidentFiresTheDefaultRules() throws {
    let out = try Self.run()
    let start =
      CivilTime(year: 2026, month: 11, day: 26, hour: 10).timestamp ?? Timestamp(nanoseconds: 0)
    // Quiet through the baseline and the traffic spike (minutes 0-4).
    #expect(out.allSatisfy { $0.t >= start.adding(4 * Nanos.minute) })
    // Every default rule fires during the incident, in this order.
    let fired = out.filter { $0.to == .firing }.map(\.rule)
    #expect(
      fired == [
        "CheckoutLatencyP99High", "ApiLatencyP99High", "OrderConfirmationDelayHigh",
        "PaymentRetryRatioHigh", "SupportTicketsOrderErrors", "InventoryMismatchHigh",
        "InventoryMismatchHigh",
      ])
    #expect(out.allSatisfy { $0.rule != RuleSet.feedStaleRule })
  }
}

/// `DefaultRules.yaml(only:)`: the rules a replay of a few Prometheus queries starts with.
@Suite struct DefaultRulesSubsetTests {
  func names(_ yaml: String) throws -> [String] {
    try RulesLoader.parse(yaml, file: "rules").get().rules.map(\.name)
  }

  @Test func onlyTheRulesWhoseMetricsAreAllGiven() throws {
    let all = try names(DefaultRules.yaml())
    #expect(all.count == 16)
    #expect(
      try names(DefaultRules.yaml(only: ["checkout_latency_ms"]))
        == [
          "CheckoutLatencyP99High", "CheckoutStageAboveBaseline", "CheckoutStageTailAboveBaseline",
        ])
    // A ratio needs both of its metrics; the SLO rule needs failures and attempts.
    #expect(try names(DefaultRules.yaml(only: ["payment_retries_total"])).isEmpty)
    #expect(
      try names(
        DefaultRules.yaml(only: [
          "payment_retries_total", "payment_attempts_total", "payment_failures_total",
        ]))
        == [
          "PaymentRetryRatioHigh", "PaymentErrorBudgetBurn", "PaymentRetryRatioAboveBaseline",
          "PaymentFailureRatioAboveBaseline",
        ])
    #expect(try names(DefaultRules.yaml(only: [])).isEmpty)
  }

  @Test func renamedSignalsAreFollowed() throws {
    var signals = SignalNames()
    _ = signals.apply("checkout_latency=shop_checkout_ms")
    #expect(
      try names(DefaultRules.yaml(signals: signals, only: ["shop_checkout_ms"]))
        == [
          "CheckoutLatencyP99High", "CheckoutStageAboveBaseline", "CheckoutStageTailAboveBaseline",
        ])
  }
}
