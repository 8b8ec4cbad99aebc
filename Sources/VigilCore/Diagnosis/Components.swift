/// Which series belong to which system component, and which components feed which: what the
/// suspects ranking groups by and how it tells a cause from its effects.
///
/// A series belongs to the component of the first ``ComponentRule`` that matches it (the config
/// file's `components:` entries first, then the defaults for the six signals), else to its
/// metric name. "A feeds B" means a change of B is explained by a change of A that came no later
/// (B ranks below A).
public struct ComponentMap: Sendable, Equatable {
  /// Tried in order; the first that matches names the component.
  public var rules: [ComponentRule]
  /// Component → the components it feeds.
  public var feeds: [String: [String]]
  /// The ratios ranked besides the series (their numerator's series are not ranked alone).
  public var ratios: [RatioSpec]

  public init(
    rules: [ComponentRule] = [], feeds: [String: [String]] = [:], ratios: [RatioSpec] = []
  ) {
    self.rules = rules
    self.feeds = feeds
    self.ratios = ratios
  }

  /// The component of a series: the first matching rule's, else the metric name.
  public func component(of key: SeriesKey) -> String {
    for rule in rules {
      if let name = rule.component(of: key) { return name }
    }
    return key.metric
  }

  /// The components `a` feeds, directly or through others (bounded by the relation count).
  public func downstream(of a: String) -> Set<String> {
    var seen = Set<String>()
    var todo = feeds[a] ?? []
    while let b = todo.popLast() {
      guard seen.insert(b).inserted else { continue }
      todo.append(contentsOf: feeds[b] ?? [])
    }
    seen.remove(a)
    return seen
  }

  /// The defaults for the six signals (under the given metric names), then `config`'s entries
  /// in front of them (its rules tried first, its relations and ratios added).
  public init(signals: SignalNames, config: ComponentsConfig = ComponentsConfig()) {
    let d = ComponentMap.defaults(signals: signals)
    rules = config.rules + (config.useDefaults ? d.rules : [])
    feeds = config.useDefaults ? d.feeds : [:]
    for (a, bs) in config.feeds {
      for b in bs where !(feeds[a] ?? []).contains(b) { feeds[a, default: []].append(b) }
    }
    ratios = config.ratios + (config.useDefaults ? d.ratios : [])
  }

  /// The contract's defaults (issue 13): services, stages, the OMS, payment, inventory pairs,
  /// support; pricing/tax/inventory/payment feed checkout, payment and oms feed support, erp
  /// feeds the erp pairs and the oms.
  public static func defaults(signals s: SignalNames) -> ComponentMap {
    let rules: [ComponentRule] = [
      ComponentRule(metric: s.apiLatency, label: "service"),
      ComponentRule(
        metric: s.checkoutLatency, matchers: [LabelMatcher("stage", "total")], name: "checkout"),
      ComponentRule(metric: s.checkoutLatency, label: "stage"),
      ComponentRule(metric: s.orderConfirmationDelay, name: "oms"),
      ComponentRule(metric: "order_confirmation_open", name: "oms"),
      ComponentRule(metric: "order_confirmation_timed_out_total", name: "oms"),
      ComponentRule(metric: s.paymentAttempts, name: "payment"),
      ComponentRule(metric: s.paymentRetries, name: "payment"),
      ComponentRule(metric: s.paymentFailures, name: "payment"),
      ComponentRule(metric: s.inventoryChecks, label: "pair"),
      ComponentRule(metric: s.inventoryMismatches, label: "pair"),
      ComponentRule(metric: s.supportTickets, name: "support"),
    ]
    let feeds: [String: [String]] = [
      "pricing": ["checkout"], "tax": ["checkout"], "inventory": ["checkout"],
      "payment": ["checkout", "support"], "oms": ["support"],
      "erp": ["oms-erp", "storefront-erp", "oms"],
    ]
    let ratios = [
      RatioSpec(num: s.paymentRetries, den: s.paymentAttempts, name: "payment"),
      RatioSpec(num: s.paymentFailures, den: s.paymentAttempts, name: "payment"),
      RatioSpec(num: s.inventoryMismatches, den: s.inventoryChecks, by: ["pair"], label: "pair"),
    ]
    return ComponentMap(rules: rules, feeds: feeds, ratios: ratios)
  }
}

/// One `components:` entry: the series of `metric` that match `matchers` belong to the component
/// named by their `label`'s value, or to `name`.
public struct ComponentRule: Sendable, Equatable {
  public var metric: String
  public var matchers: [LabelMatcher]
  /// The label whose value names the component (used when `name` is nil).
  public var label: String?
  /// A fixed component name.
  public var name: String?

  public init(
    metric: String, matchers: [LabelMatcher] = [], label: String? = nil, name: String? = nil
  ) {
    self.metric = metric
    self.matchers = matchers
    self.label = label
    self.name = name
  }

  /// The component this rule gives `key`, or nil when it does not match (or the label is
  /// missing or empty).
  public func component(of key: SeriesKey) -> String? {
    guard key.metric == metric, matchers.allSatisfy({ $0.matches(key.labels) }) else { return nil }
    if let name { return name }
    guard let label, let v = key.labels[label], !v.isEmpty else { return nil }
    return v
  }
}

/// A ratio ranked as a ratio (`Σnum / Σden` per group of `by` labels): retries per attempt,
/// mismatches per check. Counts move with traffic; ratios should not.
public struct RatioSpec: Sendable, Equatable {
  public var num: String
  public var den: String
  public var by: [String]
  /// The component: a fixed name, or the value of a group label.
  public var name: String?
  public var label: String?

  public init(
    num: String, den: String, by: [String] = [], name: String? = nil, label: String? = nil
  ) {
    self.num = num
    self.den = den
    self.by = by
    self.name = name
    self.label = label
  }

  /// The component of the group `labels` (its `label` value, else `name`, else the numerator).
  public func component(group labels: LabelSet) -> String {
    if let label, let v = labels[label], !v.isEmpty { return v }
    return name ?? num
  }
}

/// The config file's `components:` section, as written (see ``ComponentMap/init(signals:config:)``).
///
/// ```yaml
/// components:
///   series:
///     - {metric: queue_depth, select: {queue: orders}, name: oms}
///     - {metric: http_ms, label: service}
///   feeds:
///     erp: [oms-erp, oms]
///   ratios:
///     - {num: refunds_total, den: orders_total, name: refunds}
///   defaults: true        # keep the defaults for the six signals (false: only these)
/// ```
public struct ComponentsConfig: Sendable, Equatable {
  public var rules: [ComponentRule] = []
  public var feeds: [String: [String]] = [:]
  public var ratios: [RatioSpec] = []
  public var useDefaults = true

  public init() {}
}
