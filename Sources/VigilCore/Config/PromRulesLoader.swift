/// Reads a Prometheus alerting rules file (`groups:` → `name`, `interval`, `rules:` → `alert`,
/// `expr`, `for`, `keep_firing_for`, `labels`, `annotations`) into a ``RuleSet`` that evaluates
/// as Prometheus 2.42 does:
///
/// - `expr` is ``PromExpr``'s subset (a selector compared with a number); each rule reads the
///   newest sample of each series in `[t − 5m, t]` (`window_start: inclusive`, `aggregate: last`);
/// - a series with nothing in that lookback is not in the result: the condition is false for it
///   (`absent: false`), so Pending ends and Firing resolves after `keep_firing_for`;
/// - ticks fall at every multiple of the groups' interval (default 1m) from the first sample's
///   boundary on (`first_evaluation: first_sample`), and a tick sees every sample stamped at or
///   before it and none after (`eval_delay: 1ns`);
/// - labels and annotations are templates (``PromTemplate``).
///
/// Every problem is reported with `file:line:column` (inside `expr`, at the unsupported part);
/// recording rules are refused, and so are groups with different intervals (Vigil evaluates one
/// interval).
public enum PromRulesLoader {
  /// Prometheus's lookback delta.
  public static let lookback = 5 * Nanos.minute
  /// Prometheus's default `evaluation_interval`.
  public static let defaultInterval = Nanos.minute

  /// Whether `text` looks like a Prometheus rules file: a top-level `groups:` key and no
  /// top-level `rules:` key.
  public static func looksLikePrometheus(_ text: String) -> Bool {
    var groups = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
      if line.hasPrefix("rules:") { return false }
      if line.hasPrefix("groups:") { groups = true }
    }
    return groups
  }

  /// Parses `text` (named `file` in messages).
  public static func parse(_ text: String, file: String) -> Result<RuleSet, ConfigProblems> {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0.hasSuffix("\r") ? $0.dropLast() : $0)
    }
    var base = RuleSet()
    base.evaluationInterval = defaultInterval
    base.evalDelay = 1
    base.firstEvaluation = .firstSample
    let sections = [
      ConfigSection<RuleSet>("groups") { r, v, set in
        r.promGroups(v, into: &set, lines: lines)
      }
    ]
    return ConfigReader.read(
      text, file: file, into: base, sections: sections,
      notAMapping: "a Prometheus rules file must be a mapping with a groups: list")
  }
}

private let groupKeys = ["name", "interval", "limit", "rules"]
private let promRuleKeys = ["alert", "expr", "for", "keep_firing_for", "labels", "annotations"]

extension ConfigReader {
  mutating func promGroups(_ node: YAMLNode, into set: inout RuleSet, lines: [String]) {
    var names: [String: Int] = [:]
    var interval: (value: Int64, line: Int, name: String)?
    for group in list(node, "groups") ?? [] {
      guard let map = self.map(group, else: "each group must be a mapping (name, interval, rules)")
      else { continue }
      for (k, _) in map where !groupKeys.contains(k.scalar ?? "") {
        report(
          k,
          "unknown group key \"\(Self.shown(key: k))\"; known: "
            + groupKeys.joined(separator: ", "))
      }
      guard let nameNode = group["name"], let name = scalar(nameNode, "name"), !name.isEmpty
      else {
        report(group, "group needs name:")
        continue
      }
      if let line = names[name] {
        report(nameNode, "duplicate group name \"\(Self.shown(name))\" (first at line \(line))")
      }
      names[name] = nameNode.line
      var every = PromRulesLoader.defaultInterval
      if let v = group["interval"], let d = promDuration(v, "interval", allowZero: false) {
        every = d
      }
      if let first = interval, first.value != every {
        report(
          group["interval"] ?? nameNode,
          "group \"\(Self.shown(name))\" is evaluated every \(Nanos.format(every)), group "
            + "\"\(Self.shown(first.name))\" (line \(first.line)) every "
            + "\(Nanos.format(first.value)); Vigil evaluates every rule at one interval")
      } else if interval == nil {
        interval = (every, nameNode.line, name)
        set.evaluationInterval = every
      }
      if let v = group["limit"], scalar(v, "limit") != "0" {
        report(v, "limit is not supported (Vigil does not cap a rule's alerts)")
      }
      for item in group["rules"].flatMap({ list($0, "rules") }) ?? [] {
        if let rule = promRule(item, lines: lines) { set.rules.append(rule) }
      }
    }
  }

  /// A Prometheus duration (`model.ParseDuration`): `1h30m`, `90s`, `500ms`, `2d`, `1w`, `1y`,
  /// units from the largest down, each at most once; `0` alone.
  mutating func promDuration(_ node: YAMLNode, _ what: String, allowZero: Bool = true) -> Int64? {
    guard let s = scalar(node, what) else { return nil }
    if let d = parsePromDuration(s), d > 0 || (allowZero && d == 0) { return d }
    report(node, "\(what): \"\(Self.shown(s))\" is not a Prometheus duration like 30s, 5m or 1h")
    return nil
  }

  private mutating func promRule(_ node: YAMLNode, lines: [String]) -> AlertRule? {
    guard let map = self.map(node, else: "each rule must be a mapping (alert, expr, for, ...)")
    else { return nil }
    if let record = node["record"] {
      report(
        record,
        "recording rule \"\(Self.shown(record.scalar ?? "?"))\": recording rules are not "
          + "supported (Vigil evaluates alerting rules only)")
      return nil
    }
    let before = problems.count
    for (k, _) in map where !promRuleKeys.contains(k.scalar ?? "") {
      report(
        k,
        "unknown rule key \"\(Self.shown(key: k))\"; known: "
          + promRuleKeys.joined(separator: ", "))
    }
    guard let nameNode = node["alert"], let name = scalar(nameNode, "alert"), isMetricName(name)
    else {
      report(node["alert"] ?? node, "rule needs alert: NAME (a valid metric name)")
      return nil
    }
    if name == RuleSet.feedStaleRule {
      report(
        nameNode, "\(RuleSet.feedStaleRule) is Vigil's rule for silent feeds; pick another name")
    }
    guard let exprNode = node["expr"], let text = scalar(exprNode, "expr") else {
      report(node, "rule \"\(Self.shown(name))\" needs expr:")
      return nil
    }
    let expr: PromExpr
    do {
      expr = try PromExpr.parse(text)
    } catch {
      reportInside(exprNode, text, offset: error.offset, lines: lines, "expr: \(error.message)")
      return nil
    }
    var rule = AlertRule(
      name: name, selector: expr.selector, aggregate: .series(.last),
      window: PromRulesLoader.lookback, op: expr.op)
    rule.windowStart = .inclusive
    rule.absent = .conditionFalse
    if let t = exactThreshold(expr) {
      rule.threshold = t
    } else {
      reportInside(
        exprNode, text, offset: expr.numberOffset, lines: lines,
        "expr: the number \(Self.shown(expr.number)) is not supported (Vigil compares with "
          + "decimals of up to 19 digits; Inf and NaN are not supported)")
    }
    if let v = node["for"], let d = promDuration(v, "for") { rule.forDuration = d }
    if let v = node["keep_firing_for"], let d = promDuration(v, "keep_firing_for") {
      rule.keepFiringFor = d
    }
    var templates = RuleTemplates()
    var constant: [(String, String)] = []
    for (key, value, at, keyNode) in templateMap(node["labels"], "labels") {
      guard isLabelName(key), key != "__name__" else {
        report(keyNode, "labels: \"\(Self.shown(key))\" is not a valid label name")
        continue
      }
      guard let t = template(value, at: at, lines: lines, "labels.\(key)") else { continue }
      templates.labels.append(RuleTemplates.Named(name: key, template: t))
      if t.isConstant { constant.append((key, value)) }
    }
    for (key, value, at, _) in templateMap(node["annotations"], "annotations") {
      guard let t = template(value, at: at, lines: lines, "annotations.\(key)") else { continue }
      templates.annotations.append(RuleTemplates.Named(name: key, template: t))
      rule.annotations[key] = value
    }
    rule.labels = LabelSet(constant)
    rule.templates = templates
    return problems.count == before ? rule : nil
  }

  /// The threshold as an exact rational that is the same double Prometheus compares with.
  private func exactThreshold(_ expr: PromExpr) -> Rational? {
    let text = expr.number.hasPrefix("+") ? String(expr.number.dropFirst()) : expr.number
    let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
    if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
      guard let n = Int64(digits.dropFirst(2), radix: 16) else { return nil }
      return Rational(text.hasPrefix("-") ? -n : n)
    }
    guard let r = Rational(parsing: text), r.doubleValue == expr.value else { return nil }
    return r
  }

  private mutating func templateMap(_ node: YAMLNode?, _ what: String)
    -> [(String, String, YAMLNode, YAMLNode)]
  {
    guard let node, let entries = self.map(node, else: "\(what) must map names to values") else {
      return []
    }
    var out: [(String, String, YAMLNode, YAMLNode)] = []
    for entry in entries {
      guard let key = entry.key.scalar,
        let value = scalar(entry.value, "\(what).\(entry.key.scalar ?? "?")")
      else { continue }
      out.append((key, value, entry.value, entry.key))
    }
    return out
  }

  private mutating func template(_ text: String, at node: YAMLNode, lines: [String], _ what: String)
    -> PromTemplate?
  {
    do {
      return try PromTemplate(parsing: text)
    } catch {
      reportInside(node, text, offset: error.offset, lines: lines, "\(what): \(error.message)")
      return nil
    }
  }

  /// Reports `message` at character `offset` of the scalar `node` (whose text is `text`): its
  /// own line and column for a one-line scalar or a `|` block, the scalar's start otherwise.
  mutating func reportInside(
    _ node: YAMLNode, _ text: String, offset: Int, lines: [String], _ message: String
  ) {
    let chars = Array(text)
    let before = chars[..<min(offset, chars.count)]
    let newlines = before.filter { $0 == "\n" }.count
    var line = node.line
    var column = node.column
    switch node.scalarStyle {
    case .plain?, .singleQuoted?, .doubleQuoted?:
      if newlines == 0 && !text.contains("\n") {
        column += offset + (node.scalarStyle == .plain ? 0 : 1)
      }
    case .literal?:
      let lineStart = before.lastIndex(of: "\n").map { $0 + 1 } ?? 0
      let valueLine = String(chars[lineStart...].prefix { $0 != "\n" })
      let index = node.line + newlines  // 0-based index of the source line
      if index < lines.count, lines[index].hasSuffix(valueLine) {
        line = index + 1
        column = lines[index].count - valueLine.count + 1 + (offset - lineStart)
      }
    default: break
    }
    problems.append(ConfigProblem(file: file, line: line, column: column, message: message))
  }
}

/// A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
func isLabelName(_ s: String) -> Bool {
  guard let f = s.first, f.isASCII, f.isLetter || f == "_" else { return false }
  return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
}

/// `model.ParseDuration`: `[0-9]+` with units y, w, d, h, m, s, ms, in that order, each at
/// most once, or `0`; nil otherwise (or on overflow).
func parsePromDuration(_ s: String) -> Int64? {
  if s == "0" { return 0 }
  let units: [(String, Int64)] = [
    ("y", 365 * Nanos.day), ("w", 7 * Nanos.day), ("d", Nanos.day), ("h", Nanos.hour),
    ("m", Nanos.minute), ("s", Nanos.second), ("ms", Nanos.millisecond),
  ]
  var rest = Substring(s)
  var next = 0
  var total: Int64 = 0
  guard !rest.isEmpty else { return nil }
  while !rest.isEmpty {
    let digits = rest.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, let n = Int64(digits) else { return nil }
    rest = rest.dropFirst(digits.count)
    let letters = rest.prefix { $0.isASCII && $0.isLetter }
    guard let u = units[next...].firstIndex(where: { $0.0 == letters }) else { return nil }
    rest = rest.dropFirst(letters.count)
    next = u + 1
    let (p, o1) = n.multipliedReportingOverflow(by: units[u].1)
    let (sum, o2) = total.addingReportingOverflow(p)
    if o1 || o2 { return nil }
    total = sum
  }
  return total
}
