import Testing

@testable import VigilCore

@Suite struct RulesFileTests {
  @Test func aFullRulesFileLoads() throws {
    let text = """
      evaluation_interval: 30s
      eval_delay: 5s
      resolved_retention: 10m
      feed_stale_for: 1m
      rules:
        - alert: CheckoutP99High
          source: feed:checkout
          metric: checkout_completion_seconds
          select: {service: checkout, stage: {not: tax}}
          aggregate: p99
          window: 5m
          op: ">"
          threshold: 2.0
          clear_threshold: 1.6
          for: 3m
          keep_firing_for: 2m
          no_data_after: 2m
          no_data_state: keep_last
          error_state: ok
          missing_series_evals: 3
          labels: {severity: page, team: payments}
          annotations: {summary: "Checkout p99 {{ $value }}s for {{ $labels.service }}", runbook: "https://r/1"}
        - alert: CheckoutErrorBudgetBurn
          aggregate: burn_rate
          slo: {objective: 0.999, period: 30d, good: checkout_ok_total, total: checkout_total}
          windows: [{long: 1h, short: 5m, factor: 14.4, severity: page},
                    {long: 6h, short: 30m, factor: 6, severity: page},
                    {long: 3d, short: 6h, factor: 1, severity: ticket}]
          op: ">="
        - name: Mismatch
          aggregate: ratio
          num: {metric: mismatches_total, select: {pair: oms-erp}}
          den: checks_total
          by: [pair]
          window: 15m
          threshold: 0.005
          severity: ticket
      """
    let set = try RulesLoader.parse(text, file: "r.yaml").get()
    #expect(set.evaluationInterval == 30 * Nanos.second)
    #expect(set.evalDelay == 5 * Nanos.second)
    #expect(set.resolvedRetention == 10 * Nanos.minute)
    #expect(set.feedStaleFor == Nanos.minute)
    #expect(set.rules.map(\.name) == ["CheckoutP99High", "CheckoutErrorBudgetBurn", "Mismatch"])
    let r = set.rules[0]
    #expect(r.source == "feed:checkout")
    #expect(
      r.selector
        == SeriesSelector(
          metric: "checkout_completion_seconds",
          matchers: [
            LabelMatcher("service", "checkout"), LabelMatcher("stage", "tax", negated: true),
          ]))
    #expect(r.aggregate == .series(.p99))
    #expect(r.window == 5 * Nanos.minute)
    #expect(r.threshold == Rational(2))
    #expect(r.clearThreshold == Rational(8, 5))
    #expect(r.forDuration == 3 * Nanos.minute)
    #expect(r.keepFiringFor == 2 * Nanos.minute)
    #expect(r.noDataAfter == 2 * Nanos.minute)
    #expect(r.noDataState == .keepLast)
    #expect(r.errorState == .ok)
    #expect(r.missingSeriesEvals == 3)
    #expect(r.labels == ["severity": "page", "team": "payments"])
    #expect(
      r.annotation("summary", labels: ["service": "checkout"], value: 2.5)
        == "Checkout p99 2.5s for checkout")
    let burn = set.rules[1]
    #expect(burn.op == .greaterOrEqual)
    guard case .burnRate(let slo) = burn.aggregate else {
      Issue.record("not a burn-rate rule")
      return
    }
    #expect(slo.objective == Rational(999, 1000))
    #expect(slo.period == 30 * Nanos.day)
    #expect(slo.events == .good(SeriesSelector(metric: "checkout_ok_total")))
    #expect(slo.total == SeriesSelector(metric: "checkout_total"))
    #expect(slo.windows == BurnWindow.defaults)
    let ratio = set.rules[2]
    #expect(
      ratio.aggregate
        == .ratio(
          num: SeriesSelector(
            metric: "mismatches_total", matchers: [LabelMatcher("pair", "oms-erp")]),
          den: SeriesSelector(metric: "checks_total")))
    #expect(ratio.by == ["pair"])
    #expect(ratio.severity == "ticket")
    #expect(ratio.op == .greater)
  }

  @Test func theDefaultRulesLoad() throws {
    let set = try RulesLoader.parse(DefaultRules.yaml(), file: "defaults").get()
    #expect(
      set.rules.map(\.name) == [
        "ApiLatencyP99High", "CheckoutLatencyP99High", "OrderConfirmationDelayHigh",
        "PaymentRetryRatioHigh", "InventoryMismatchHigh", "SupportTicketsOrderErrors",
        "PaymentErrorBudgetBurn",
        // One baseline rule per signal (issue 13), and a tail rule for the two latencies.
        "ApiLatencyAboveBaseline", "CheckoutStageAboveBaseline", "OrderConfirmationAboveBaseline",
        "ApiLatencyTailAboveBaseline", "CheckoutStageTailAboveBaseline",
        "PaymentRetryRatioAboveBaseline", "PaymentFailureRatioAboveBaseline",
        "InventoryMismatchAboveBaseline", "SupportOrderErrorsAboveBaseline",
      ])
    // Every rule has a runbook and a severity (a burn-rate rule's come with its window pairs).
    #expect(
      set.rules.allSatisfy { rule in
        guard rule.annotations["runbook"] != nil else { return false }
        if case .burnRate(let slo) = rule.aggregate {
          return slo.windows.allSatisfy { $0.severity != nil }
        }
        return rule.severity != nil
      })
    // Every window is one the store serves.
    let store = MetricStoreAlertSource(store: MetricStore(), interner: SeriesInterner())
    #expect(set.rules.allSatisfy { store.problem(window: $0.window, measure: .p99) == nil })
    // Renamed signals reach the rules.
    var names = SignalNames()
    _ = names.apply("api_latency=http_server_ms")
    let renamed = try RulesLoader.parse(DefaultRules.yaml(signals: names), file: "d").get()
    #expect(renamed.rules[0].selector.metric == "http_server_ms")
  }

  @Test func anEmptyFileHasNoRules() throws {
    #expect(try RulesLoader.parse("", file: "e.yaml").get() == RuleSet())
  }

  static let head = "rules:\n  - alert: A\n    metric: m\n"

  /// One inline document per failure: the message and its line:column.
  @Test(arguments: [
    ("unknown key", "rulez: []\n", "f.yaml:1:1: unknown key \"rulez\""),
    (
      "unknown rule key", head + "    threshhold: 2\n",
      "f.yaml:4:5: unknown rule key \"threshhold\""
    ),
    (
      "bad duration", head + "    threshold: 2\n    for: 5 minutes\n",
      "f.yaml:5:10: for: \"5 minutes\" is not a duration like 90s, 5m or 1h"
    ),
    (
      "bad op", head + "    threshold: 2\n    op: \"=>\"\n",
      "f.yaml:5:9: op must be one of >, >=, <, <=, ==, !=, not \"=>\""
    ),
    (
      "clear threshold wrong side", head + "    threshold: 2.0\n    clear_threshold: 2.5\n",
      "f.yaml:5:22: clear_threshold 2.5 must be below threshold 2 for \">\""
    ),
    (
      "clear threshold wrong side, <",
      head + "    op: \"<\"\n    threshold: 2\n    clear_threshold: 1\n",
      "f.yaml:6:22: clear_threshold 1 must be above threshold 2 for \"<\""
    ),
    (
      "unknown aggregate", head + "    threshold: 2\n    aggregate: p98\n",
      "f.yaml:5:16: unknown aggregate \"p98\"; known: p50, p90, p95, p99, p999"
    ),
    (
      "ratio without den",
      "rules:\n  - alert: R\n    aggregate: ratio\n    num: a_total\n    threshold: 0.1\n",
      "f.yaml:2:5: ratio needs den: (the denominator metric)"
    ),
    (
      "burn rate without slo", "rules:\n  - alert: B\n    aggregate: burn_rate\n",
      "f.yaml:2:5: burn_rate needs slo: {objective, good (or bad), total}"
    ),
    (
      "slo without objective", "rules:\n  - alert: B\n    slo: {good: g, total: t}\n",
      "f.yaml:3:10: slo needs objective: (e.g. 0.999)"
    ),
    (
      "slo without good", "rules:\n  - alert: B\n    slo: {objective: 0.99, total: t}\n",
      "f.yaml:3:10: slo needs good: (or bad:)"
    ),
    (
      "slo without total", "rules:\n  - alert: B\n    slo: {objective: 0.99, good: g}\n",
      "f.yaml:3:10: slo needs total:"
    ),
    (
      "objective of 1", "rules:\n  - alert: B\n    slo: {objective: 1, good: g, total: t}\n",
      "f.yaml:3:22: slo.objective must be between 0 and 1 (exclusive), e.g. 0.999, not 1"
    ),
    (
      "objective above 1", "rules:\n  - alert: B\n    slo: {objective: 99.9, good: g, total: t}\n",
      "f.yaml:3:22: slo.objective must be between 0 and 1 (exclusive), e.g. 0.999, not 99.9"
    ),
    (
      "duplicate rule names",
      head + "    threshold: 1\n  - alert: A\n    metric: n\n    threshold: 2\n",
      "f.yaml:5:12: duplicate rule name \"A\" (first at line 2)"
    ),
    (
      "YAML syntax error", "rules:\n  - alert: A\n   metric: [m\n",
      "f.yaml:3:4: YAML: did not find expected '-' indicator"
    ),
    (
      "bad threshold", head + "    threshold: high\n",
      "f.yaml:4:16: threshold: \"high\" is not a decimal number"
    ),
    ("missing threshold", head, "f.yaml:2:5: rule needs threshold: NUMBER"),
    (
      "bad no_data_state", head + "    threshold: 1\n    no_data_state: error\n",
      "f.yaml:5:20: no_data_state must be nodata, alerting, ok or keep_last, not \"error\""
    ),
    (
      "reserved name", "rules:\n  - alert: FeedStale\n    metric: m\n    threshold: 1\n",
      "f.yaml:2:12: FeedStale is the built-in rule for silent feeds"
    ),
    (
      "short window not shorter",
      "rules:\n  - alert: B\n    slo: {objective: 0.99, bad: b, total: t}\n    windows: [{long: 5m, short: 1h, factor: 2}]\n",
      "f.yaml:4:15: the short window (1h) must be shorter than the long one"
    ),
    (
      "invalid regular expression",
      head + "    threshold: 1\n    select: {psp: {match: \"(adyen\"}}\n",
      "f.yaml:5:27: select.psp: invalid regular expression \"(adyen\""
    ),
    (
      "unknown matcher", head + "    threshold: 1\n    select: {psp: {like: adyen}}\n",
      "f.yaml:5:19: select.psp must be a value, {not: value}, {match: regex} or {not_match: regex}"
    ),
  ])
  func everyFailureHasItsPosition(kind: String, text: String, expected: String) {
    Self.expectRefused(kind: kind, text, with: expected)
  }

  /// `=~` and `!~` as in Prometheus: anchored at both ends, and a missing label is "".
  @Test func regularExpressionSelectorsMatchWholeValues() throws {
    let text = """
      rules:
        - alert: A
          metric: m
          threshold: 1
          select: {psp: {match: "adyen|stripe"}, zone: {not_match: "eu-.*"}}
      """
    let rules = try RulesLoader.parse(text, file: "f.yaml").get()
    let selector = rules.rules[0].selector
    #expect(selector.matchers.allSatisfy { $0.isRegex })
    let yes: [LabelSet] = [["psp": "adyen"], ["psp": "stripe", "zone": "us-1"]]
    let no: [LabelSet] = [
      ["psp": "adyen2"], ["psp": "xstripe"], ["psp": "adyen", "zone": "eu-west"], [:],
    ]
    for labels in yes { #expect(selector.matches(labels), "\(labels)") }
    for labels in no { #expect(!selector.matches(labels), "\(labels)") }
    // Asked twice (the memo answers the second time), the answer is the same.
    #expect(yes.allSatisfy { selector.matches($0) })
    // `!~ ".+"` selects series without the label, as in Prometheus.
    let absent = try LabelMatcher("zone", matching: ".+", negated: true)
    #expect(absent.matches(["psp": "a"]))
    #expect(!absent.matches(["zone": "x"]))
  }

  @Test func everyProblemIsCollected() {
    let text = """
      eval_delay: soon
      rules:
        - alert: A
          metric: m
          op: "=>"
          threshold: x
        - alert: A
          aggregate: p98
          metric: m
          threshold: 1
      """
    guard case .failure(let problems) = RulesLoader.parse(text, file: "f.yaml") else {
      Issue.record("accepted")
      return
    }
    #expect(problems.problems.map { "\($0.line):\($0.column)" } == ["1:13", "5:9", "6:16", "8:16"])
  }
}

extension RulesFileTests {
  /// `text` is refused as `f.yaml`, one problem starting with `expected`.
  static func expectRefused(kind: String, _ text: String, with expected: String) {
    switch RulesLoader.parse(text, file: "f.yaml") {
    case .success: Issue.record("\(kind): accepted")
    case .failure(let problems):
      #expect(
        problems.problems.contains { $0.description.hasPrefix(expected) },
        "\(kind): \(problems.description)")
    }
  }
}
