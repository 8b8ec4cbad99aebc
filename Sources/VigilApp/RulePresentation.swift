import VigilCore

// MARK: - Rules as the dashboard shows them

extension RuleSet {
  /// The shipped rules for these signal names.
  public static func defaults(for signals: SignalNames) -> RuleSet {
    switch RulesLoader.parse(DefaultRules.yaml(signals: signals), file: "default rules") {
    case .success(let rules): rules
    case .failure: RuleSet()
    }
  }

  /// The panel (0-5, as on the dashboard) of an instance given by its rule name and labels: a
  /// `FeedStale` instance's by its feed, any other by the metric its rule watches.
  public func panel(rule name: String, labels: LabelSet, signals: SignalNames) -> Int? {
    if name == RuleSet.feedStaleRule {
      return labels["feed"].flatMap { AlertRule.panel(metric: $0, signals) }
    }
    return rules.first { $0.name == name }?.panel(signals: signals)
  }

  /// How a rule's value prints: percent for ratios, a multiple for burn rates (`6.67x`: the
  /// budget is spent that many times too fast), milliseconds for latency metrics.
  public func formatValue(_ v: Double?, rule name: String) -> String {
    guard let rule = rules.first(where: { $0.name == name }) else {
      return Format.value(v)
    }
    switch rule.aggregate {
    case .ratio: return Format.percent(v)
    case .burnRate: return v.map { Format.value($0) + "x" } ?? Format.value(v)
    case .series(let m):
      let metric = rule.selector.metric
      let latency =
        metric.hasSuffix("_ms") || metric.contains("latency") || metric.contains("delay")
      return latency && m != .count && m != .rate ? Format.millis(v) : Format.value(v)
    }
  }
}

extension AlertRule {
  /// The panel (0-5, as on the dashboard) whose signal this rule watches, by metric.
  public func panel(signals: SignalNames) -> Int? {
    switch aggregate {
    case .series: AlertRule.panel(metric: selector.metric, signals)
    case .ratio(let num, let den):
      AlertRule.panel(metric: num.metric, signals) ?? AlertRule.panel(metric: den.metric, signals)
    case .burnRate(let slo): AlertRule.panel(metric: slo.total.metric, signals)
    }
  }

  static func panel(metric: String, _ s: SignalNames) -> Int? {
    switch metric {
    case s.apiLatency: 0
    case s.checkoutLatency: 1
    case s.orderConfirmationDelay: 2
    case s.paymentRetries, s.paymentAttempts, s.paymentFailures: 3
    case s.inventoryMismatches, s.inventoryChecks: 4
    case s.supportTickets: 5
    default: nil
    }
  }
}
