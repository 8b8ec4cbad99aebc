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

/// Rules in words, as the alerts list and the report state them.
public enum RuleText {
  /// A selector in words: `checkout_latency_ms{stage="total"}`.
  public static func selectorText(_ s: SeriesSelector) -> String {
    guard !s.matchers.isEmpty else { return s.metric }
    let m = s.matchers.map { m -> String in
      let op = m.isRegex ? (m.negated ? "!~" : "=~") : (m.negated ? "!=" : "=")
      return m.name + op + "\"" + m.value + "\""
    }
    return s.metric + "{" + m.joined(separator: ",") + "}"
  }

  /// What a rule computes, e.g. `p99 of api_latency_ms over 5m`; empty for a burn rate.
  public static func measureText(_ rule: AlertRule) -> String {
    switch rule.aggregate {
    case .series(let m):
      return "\(m.rawValue) of \(selectorText(rule.selector)) over \(Nanos.format(rule.window))"
    case .ratio(let n, let d):
      return "\(selectorText(n)) / \(selectorText(d)) over \(Nanos.format(rule.window))"
    case .burnRate: return ""
    }
  }

  /// A rule's condition in words, e.g. `p99 of api_latency_ms over 5m > 1.50s for 5m`.
  public static func conditionText(_ rule: AlertRule, format: (Double) -> String) -> String {
    var text = measureText(rule)
    switch rule.aggregate {
    case .series, .ratio: break
    case .burnRate(let slo):
      let events: String
      switch slo.events {
      case .bad(let s): events = "bad " + selectorText(s)
      case .good(let s): events = "good " + selectorText(s)
      }
      let pairs = slo.windows.map {
        "\(Nanos.format($0.long))/\(Nanos.format($0.short)) at \($0.factor)x"
      }
      return "error budget burn rate (\(events) of \(selectorText(slo.total)), objective "
        + "\(Format.percent(slo.objective.doubleValue)) over \(Nanos.format(slo.period))): "
        + pairs.joined(separator: ", ")
    }
    if !rule.by.isEmpty { text += " by " + rule.by.joined(separator: ",") }
    if let b = rule.baseline {
      let factor = Format.value(b.factor.doubleValue)
      let over =
        b.significance == nil
        ? "its own median over the last \(Nanos.format(b.over))"
        : "its own rate over the last \(Nanos.format(b.over))"
      if rule.op.isDownward {
        text +=
          " \(rule.op.rawValue) \(over) / \(factor), while that median > \(format(b.floor.doubleValue))"
      } else {
        text +=
          " \(rule.op.rawValue) \(factor)x \(over) and \(rule.op.rawValue) \(format(b.floor.doubleValue))"
      }
      if let p = b.significance {
        text += ", and counts beyond chance (p < \(p))"
      }
    } else {
      text += " \(rule.op.rawValue) \(format(rule.threshold.doubleValue))"
    }
    if rule.forDuration > 0 { text += " for \(Nanos.format(rule.forDuration))" }
    if let c = rule.clearThreshold { text += ", clears at \(format(c.doubleValue))" }
    if rule.keepFiringFor > 0 { text += ", keeps firing \(Nanos.format(rule.keepFiringFor))" }
    return text
  }
}
