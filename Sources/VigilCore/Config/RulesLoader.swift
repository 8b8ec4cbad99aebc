/// Reads alert rules files: YAML, validated, every problem with `file:line:column`.
///
/// The format is SEMANTICS §3.4 (see ``DefaultRules`` for a complete example). Like
/// ``ConfigLoader``, unknown keys are errors and every problem is collected; both walk the one
/// ``YAMLTree`` with a ``ConfigReader``. Decimal fields (`threshold`, `clear_threshold`,
/// `objective`, `factor`) are read from the YAML text straight into exact ``Rational``s.
public enum RulesLoader {
  /// Parses `text` (named `file` in messages).
  /// A Prometheus alerting rules file (top-level `groups:`) is read by ``PromRulesLoader``.
  public static func parse(_ text: String, file: String) -> Result<RuleSet, ConfigProblems> {
    if PromRulesLoader.looksLikePrometheus(text) { return PromRulesLoader.parse(text, file: file) }
    return ConfigReader.read(
      text, file: file, into: RuleSet(), sections: sections,
      notAMapping: "a rules file must be a mapping with a rules: list")
  }

  /// The rules file's top-level keys, in the order the unknown-key message lists them.
  static let sections: [ConfigSection<RuleSet>] = [
    ConfigSection("evaluation_interval") { r, v, set in
      if let d = r.duration(v, "evaluation_interval") { set.evaluationInterval = d }
    },
    ConfigSection("eval_delay") { r, v, set in
      if let d = r.duration(v, "eval_delay", allowZero: true) { set.evalDelay = d }
    },
    ConfigSection("resolved_retention") { r, v, set in
      if let d = r.duration(v, "resolved_retention", allowZero: true) {
        set.resolvedRetention = d
      }
    },
    ConfigSection("first_evaluation") { r, v, set in
      if let f = r.choice(
        v, "first_evaluation", as: FirstEvaluation.self,
        else: {
          "first_evaluation must be one_interval_later or first_sample, not \"\(ConfigReader.shown($0))\""
        })
      {
        set.firstEvaluation = f
      }
    },
    ConfigSection("feed_stale_for") { r, v, set in
      if let d = r.duration(v, "feed_stale_for", allowZero: true) { set.feedStaleFor = d }
    },
    ConfigSection("rules") { r, v, set in
      var seen: [String: Int] = [:]
      for item in r.list(v, "rules") ?? [] {
        guard let (rule, nameNode) = r.rule(item) else { continue }
        if let line = seen[rule.name] {
          r.report(nameNode, "duplicate rule name \"\(rule.name)\" (first at line \(line))")
          continue
        }
        seen[rule.name] = nameNode.line
        set.rules.append(rule)
      }
    },
  ]

  /// Reads and parses the file at `path`.
  public static func load(path: String) -> Result<RuleSet, ConfigProblems> {
    guard let text = readTextFile(path) else {
      return .failure(
        ConfigProblems([ConfigProblem(file: path, line: 0, message: "cannot read the file")]))
    }
    return parse(text, file: path)
  }

  /// The aggregate names a rule may use.
  public static let aggregates =
    SeriesMeasure.allCases.map(\.rawValue) + ["avg", "ratio", "burn_rate"]
}

private let ruleKeys = [
  "alert", "name", "source", "metric", "select", "aggregate", "window", "op", "threshold",
  "clear_threshold", "for", "keep_firing_for", "no_data_after", "no_data_state", "error_state",
  "missing_series_evals", "severity", "labels", "annotations", "num", "den", "by", "slo",
  "windows", "window_start", "absent", "baseline",
]

extension ConfigReader {
  mutating func decimal(_ node: YAMLNode, _ what: String) -> Rational? {
    guard let s = scalar(node, what) else { return nil }
    guard let r = Rational(parsing: s) else {
      report(node, "\(what): \"\(Self.shown(s))\" is not a decimal number")
      return nil
    }
    return r
  }

  /// A metric name, or `{metric: NAME, select: {...}}`; the rule's `select` applies otherwise.
  mutating func selector(_ node: YAMLNode, _ what: String, inherit: [LabelMatcher])
    -> SeriesSelector?
  {
    if let s = node.scalar {
      guard !s.isEmpty else {
        report(node, "\(what) needs a metric name")
        return nil
      }
      return SeriesSelector(metric: s, matchers: inherit)
    }
    guard
      let map = self.map(
        node, else: "\(what) must be a metric name or {metric: NAME, select: {...}}")
    else { return nil }
    var metric: String?
    var matchers = inherit
    for (k, v) in map {
      switch k.scalar ?? "" {
      case "metric": metric = scalar(v, "\(what).metric")
      case "select": matchers = self.matchers(v)
      default: report(k, "unknown key \"\(k.scalar ?? "?")\" in \(what); known: metric, select")
      }
    }
    guard let metric, !metric.isEmpty else {
      report(node, "\(what) needs a metric")
      return nil
    }
    return SeriesSelector(metric: metric, matchers: matchers)
  }

  mutating func fallback(_ node: YAMLNode, _ what: String, holdName: String) -> FallbackState? {
    guard let s = scalar(node, what) else { return nil }
    if s == holdName { return .hold }
    if let f = FallbackState(rawValue: s), f != .hold { return f }
    report(node, "\(what) must be \(holdName), alerting, ok or keep_last, not \"\(s)\"")
    return nil
  }

  mutating func rule(_ node: YAMLNode) -> (AlertRule, YAMLNode)? {
    guard
      let map = self.map(node, else: "each rule must be a mapping (alert, metric, aggregate, ...)")
    else { return nil }
    let before = problems.count
    var nodes: [String: YAMLNode] = [:]
    for (k, v) in map {
      guard let key = k.scalar, ruleKeys.contains(key) else {
        report(
          k,
          "unknown rule key \"\(Self.shown(key: k))\"; known: "
            + ruleKeys.joined(separator: ", "))
        continue
      }
      nodes[key] = v
    }
    if nodes["alert"] != nil && nodes["name"] != nil {
      report(node, "give the rule's name once, as alert: (name: is the same key)")
    }
    guard let nameNode = nodes["alert"] ?? nodes["name"], let name = scalar(nameNode, "alert"),
      !name.isEmpty
    else {
      report(node, "rule needs alert: NAME")
      return nil
    }
    if name == RuleSet.feedStaleRule {
      report(
        nameNode,
        "\(RuleSet.feedStaleRule) is the built-in rule for silent feeds; pick another name")
    }
    let inherit = nodes["select"].map { matchers($0) } ?? []
    var rule = AlertRule(name: name, selector: SeriesSelector(metric: "", matchers: inherit))
    if let v = nodes["source"] { rule.source = scalar(v, "source") }
    if let v = nodes["metric"], let m = scalar(v, "metric") { rule.selector.metric = m }

    let aggregateName = aggregate(of: &rule, nodes: nodes, at: node, inherit: inherit)
    conditions(of: &rule, nodes: nodes, at: node, aggregateName: aggregateName)
    return problems.count == before ? (rule, nameNode) : nil
  }

  /// The rule's `aggregate:` and what it needs (`num`/`den`, `slo`/`windows`); its name.
  private mutating func aggregate(
    of rule: inout AlertRule, nodes: [String: YAMLNode], at node: YAMLNode,
    inherit: [LabelMatcher]
  ) -> String {
    var aggregateName = nodes["slo"] != nil ? "burn_rate" : "last"
    if let v = nodes["aggregate"], let s = scalar(v, "aggregate") {
      if RulesLoader.aggregates.contains(s) {
        aggregateName = s
      } else {
        report(
          v,
          "unknown aggregate \"\(Self.shown(s))\"; known: "
            + RulesLoader.aggregates.joined(separator: ", "))
      }
    }
    switch aggregateName {
    case "ratio":
      let num = nodes["num"].flatMap { selector($0, "num", inherit: inherit) }
      let den = nodes["den"].flatMap { selector($0, "den", inherit: inherit) }
      if nodes["num"] == nil { report(node, "ratio needs num: (the numerator metric)") }
      if nodes["den"] == nil { report(node, "ratio needs den: (the denominator metric)") }
      if let num, let den {
        rule.aggregate = .ratio(num: num, den: den)
        if rule.selector.metric.isEmpty { rule.selector.metric = num.metric }
      }
    case "burn_rate":
      if let v = nodes["slo"] {
        if let slo = slo(v, windows: nodes["windows"], inherit: inherit) {
          rule.aggregate = .burnRate(slo)
          if rule.selector.metric.isEmpty { rule.selector.metric = slo.total.metric }
        }
      } else {
        report(node, "burn_rate needs slo: {objective, good (or bad), total}")
      }
    default:
      let measure = aggregateName == "avg" ? .mean : SeriesMeasure(rawValue: aggregateName)
      rule.aggregate = .series(measure ?? .last)
      if rule.selector.metric.isEmpty && nodes["metric"] == nil {
        report(node, "rule needs metric: NAME")
      }
    }
    let isBurn = aggregateName == "burn_rate"
    if !isBurn {
      for key in ["slo", "windows"] where nodes[key] != nil {
        if let v = nodes[key] { report(v, "\(key) belongs to aggregate: burn_rate") }
      }
    }
    if aggregateName != "ratio" {
      for key in ["num", "den"] where nodes[key] != nil {
        if let v = nodes[key] { report(v, "\(key) belongs to aggregate: ratio") }
      }
    }
    return aggregateName
  }

  /// The rule's window, comparison, thresholds, timings, fallbacks, labels and annotations.
  private mutating func conditions(
    of rule: inout AlertRule, nodes: [String: YAMLNode], at node: YAMLNode,
    aggregateName: String
  ) {
    let isBurn = aggregateName == "burn_rate"
    if let v = nodes["window"], let d = duration(v, "window") { rule.window = d }
    if let v = nodes["op"], let s = scalar(v, "op") {
      if let op = AlertOp(rawValue: s) {
        rule.op = op
        if isBurn && !op.isUpward { report(v, "a burn_rate rule's op must be > or >=") }
      } else {
        report(
          v, "op must be one of >, >=, <, <=, ==, !=, not \"\(printableExcerpt(s, limit: 20))\"")
      }
    }
    if let v = nodes["threshold"], let t = decimal(v, "threshold") {
      rule.threshold = t
      if isBurn { report(v, "a burn_rate rule takes factors in windows:, not threshold") }
    } else if nodes["threshold"] == nil && !isBurn && nodes["baseline"] == nil {
      report(node, "rule needs threshold: NUMBER")
    }
    if let v = nodes["clear_threshold"], let c = decimal(v, "clear_threshold") {
      rule.clearThreshold = c
      if let problem = rule.clearThresholdProblem { report(v, problem) }
    }
    if let v = nodes["for"], let d = duration(v, "for", allowZero: true) { rule.forDuration = d }
    if let v = nodes["keep_firing_for"], let d = duration(v, "keep_firing_for", allowZero: true) {
      rule.keepFiringFor = d
    }
    if let v = nodes["no_data_after"], let d = duration(v, "no_data_after") { rule.noDataAfter = d }
    if let v = nodes["no_data_state"],
      let f = fallback(v, "no_data_state", holdName: "nodata")
    {
      rule.noDataState = f
    }
    if let v = nodes["error_state"], let f = fallback(v, "error_state", holdName: "error") {
      rule.errorState = f
    }
    if let v = nodes["missing_series_evals"],
      let n = int(
        v, "missing_series_evals", in: 1...1000,
        else: "missing_series_evals must be a whole number from 1 to 1000")
    {
      rule.missingSeriesEvals = n
    }
    timeline(of: &rule, nodes: nodes, aggregateName: aggregateName)
    if let v = nodes["baseline"] {
      baseline(of: &rule, v, nodes: nodes, aggregateName: aggregateName)
    }
    if let v = nodes["by"] {
      rule.by = (list(v, "by") ?? []).compactMap { scalar($0, "by") }
      if aggregateName != "ratio" { report(v, "by applies to aggregate: ratio only") }
    }
    var labels = nodes["labels"].map { stringMap($0, "labels") } ?? []
    if let v = nodes["severity"], let s = scalar(v, "severity") {
      if let other = labels.first(where: { $0.0 == "severity" }), other.1 != s {
        report(v, "severity \"\(s)\" differs from labels.severity \"\(other.1)\"")
      }
      labels.append(("severity", s))
    }
    rule.labels = LabelSet(labels)
    if let v = nodes["annotations"] {
      for (k, value) in stringMap(v, "annotations") { rule.annotations[k] = value }
    }
  }

  /// `window_start: inclusive` (with `aggregate: last`) and `absent: false` (series aggregates,
  /// instead of `no_data_*` and `missing_series_evals`): Prometheus's timeline.
  private mutating func timeline(
    of rule: inout AlertRule, nodes: [String: YAMLNode], aggregateName: String
  ) {
    if let v = nodes["window_start"],
      let w = choice(
        v, "window_start", as: WindowStart.self,
        else: { "window_start must be exclusive or inclusive, not \"\(Self.shown($0))\"" })
    {
      rule.windowStart = w
      if w == .inclusive && aggregateName != "last" {
        report(v, "window_start: inclusive needs aggregate: last")
      }
    }
    if let v = nodes["absent"],
      let a = choice(
        v, "absent", as: AbsentSeries.self,
        else: { "absent must be missing or false, not \"\(Self.shown($0))\"" })
    {
      rule.absent = a
      if a == .conditionFalse {
        if ["ratio", "burn_rate"].contains(aggregateName) {
          report(v, "absent: false applies to one-series aggregates, not \(aggregateName)")
        }
        for key in ["no_data_after", "no_data_state", "missing_series_evals"] {
          if let n = nodes[key] { report(n, "\(key) does not apply with absent: false") }
        }
      }
    }
  }

  mutating func slo(_ node: YAMLNode, windows: YAMLNode?, inherit: [LabelMatcher]) -> SLOSpec? {
    guard
      let map = self.map(
        node, else: "slo must be a mapping {objective, period, good (or bad), total}")
    else { return nil }
    var objective: Rational?
    var period = 30 * Nanos.day
    var events: SLOSpec.Events?
    var total: SeriesSelector?
    for (k, v) in map {
      switch k.scalar ?? "" {
      case "objective":
        if let o = decimal(v, "slo.objective") {
          if o.negative || o.num == 0 || o.num >= o.den {
            report(v, "slo.objective must be between 0 and 1 (exclusive), e.g. 0.999, not \(o)")
          } else {
            objective = o
          }
        }
      case "period": if let d = duration(v, "slo.period") { period = d }
      case "good":
        if events != nil { report(k, "slo takes good or bad, not both") }
        events = selector(v, "slo.good", inherit: inherit).map { .good($0) }
      case "bad":
        if events != nil { report(k, "slo takes good or bad, not both") }
        events = selector(v, "slo.bad", inherit: inherit).map { .bad($0) }
      case "total": total = selector(v, "slo.total", inherit: inherit)
      default:
        report(
          k,
          "unknown slo key \"\(Self.shown(key: k))\"; known: "
            + "objective, period, good, bad, total")
      }
    }
    if node["objective"] == nil { report(node, "slo needs objective: (e.g. 0.999)") }
    if node["good"] == nil && node["bad"] == nil {
      report(node, "slo needs good: (or bad:), the metric counting good (bad) events")
    }
    if node["total"] == nil { report(node, "slo needs total:, the metric counting all events") }
    var pairs = BurnWindow.defaults
    if let windows { pairs = burnWindows(windows) }
    guard let objective, let events, let total else { return nil }
    let spec = SLOSpec(
      objective: objective, period: period, events: events, total: total, windows: pairs)
    for (i, w) in pairs.enumerated() where w.factor.multiplied(by: spec.budget) == nil {
      if let n = windows?.list?[i] { report(n, "factor × budget does not fit in 64 bits") }
    }
    return spec
  }

  mutating func burnWindows(_ node: YAMLNode) -> [BurnWindow] {
    var out: [BurnWindow] = []
    for item in list(node, "windows") ?? [] {
      guard let map = self.map(item, else: "each window must be {long, short, factor, severity}")
      else { continue }
      var long: Int64?
      var short: Int64?
      var factor: Rational?
      var severity: String?
      for (k, v) in map {
        switch k.scalar ?? "" {
        case "long": long = duration(v, "windows.long")
        case "short": short = duration(v, "windows.short")
        case "factor":
          factor = decimal(v, "windows.factor")
          if let f = factor, f.negative || f.num == 0 {
            report(v, "windows.factor must be above 0")
          }
        case "severity": severity = scalar(v, "windows.severity")
        default:
          report(
            k,
            "unknown window key \"\(Self.shown(key: k))\"; known: "
              + "long, short, factor, severity")
        }
      }
      for key in ["long", "short", "factor"] where item[key] == nil {
        report(item, "window needs \(key):")
      }
      if let long, let short, short >= long {
        report(item, "the short window (\(Nanos.format(short))) must be shorter than the long one")
      }
      if let long, let short, let factor {
        out.append(BurnWindow(long: long, short: short, factor: factor, severity: severity))
      }
    }
    return out
  }
}
