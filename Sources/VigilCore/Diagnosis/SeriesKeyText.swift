/// The text of a series key as transition lines and suspects show it: `metric{name=value,...}`,
/// labels sorted by name, no quotes, no braces when there are no labels; a ratio as
/// `num{...}/den{...}`.
///
/// Printable and unambiguous whatever the names hold: in a metric name `\`, `{`, `}`, `,`, `/`
/// and `=` are escaped with `\`; in label names and values `\`, `{`, `}`, `,` and `=`; in all of
/// them a control, format or separator character, or a space other than U+0020, is written
/// `\u{HEX}`. So the first unescaped `{` ends the metric, `=` ends a label name, `,` or `}` a
/// value, and `/` after a key (or a metric with no labels) starts the denominator.
public enum SeriesKeyText {
  /// `metric{a=1,b=2}` (labels sorted, as ``LabelSet`` keeps them).
  public static func key(_ metric: String, _ labels: LabelSet) -> String {
    var s = ""
    append(&s, metric, special: metricSpecial)
    guard !labels.isEmpty else { return s }
    s += "{"
    for (i, l) in labels.labels.enumerated() {
      if i > 0 { s += "," }
      append(&s, l.name, special: labelSpecial)
      s += "="
      append(&s, l.value, special: labelSpecial)
    }
    return s + "}"
  }

  public static func key(_ key: SeriesKey) -> String { self.key(key.metric, key.labels) }

  /// `num{...}/den{...}`, both with the same group labels.
  public static func ratio(_ num: String, _ den: String, _ group: LabelSet) -> String {
    key(num, group) + "/" + key(den, group)
  }

  static let metricSpecial: Set<Unicode.Scalar> = ["\\", "{", "}", ",", "/", "="]
  static let labelSpecial: Set<Unicode.Scalar> = ["\\", "{", "}", ",", "="]

  private static func append(_ s: inout String, _ text: String, special: Set<Unicode.Scalar>) {
    for u in text.unicodeScalars {
      if special.contains(u) {
        s += "\\"
        s.unicodeScalars.append(u)
      } else if !isPlainPrintable(u) {
        s += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
      } else {
        s.unicodeScalars.append(u)
      }
    }
  }

  /// Not a control, format, separator or unassigned character, nor a space other than U+0020.
  static func isPlainPrintable(_ u: Unicode.Scalar) -> Bool {
    if u == " " { return true }
    switch u.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .surrogate,
      .privateUse, .unassigned:
      return false
    default:
      return true
    }
  }
}

extension AlertRule {
  /// The `"series"` key of one instance (labels = the instance's, static labels included):
  /// the metric with the instance's series labels (`api_latency_ms{service=tax}`), a ratio as
  /// `num{by...}/den{by...}`, a burn rate as `bad/total` (or `good/total`) with its group labels.
  /// The rule's own labels (static or templated, and a burn rate's `severity`) are not series
  /// labels and are left out.
  public func watchedSeries(labels: LabelSet) -> String {
    let added = Set(self.labels.labels.map(\.name) + (templates?.labels.map(\.name) ?? []))
    let own = LabelSet(
      labels.labels.filter { !added.contains($0.name) }.map { ($0.name, $0.value) })
    switch aggregate {
    case .series:
      return SeriesKeyText.key(selector.metric, own)
    case .ratio(let num, let den):
      let group = LabelSet(by.compactMap { n in labels[n].map { (n, $0) } })
      return SeriesKeyText.ratio(num.metric, den.metric, group)
    case .burnRate(let slo):
      let group = LabelSet(own.labels.filter { $0.name != "severity" }.map { ($0.name, $0.value) })
      switch slo.events {
      case .bad(let sel), .good(let sel):
        return SeriesKeyText.ratio(sel.metric, slo.total.metric, group)
      }
    }
  }
}

extension RuleSet {
  /// The `"series"` key of an instance of rule `name`: its rule's
  /// ``AlertRule/watchedSeries(labels:)`` (the first rule of that name), or for `FeedStale` the
  /// feed it watches (its `feed` label), else the rule's name.
  public func watchedSeries(rule name: String, labels: LabelSet) -> String {
    if let rule = rules.first(where: { $0.name == name }) {
      return rule.watchedSeries(labels: labels)
    }
    return SeriesKeyText.key(labels["feed"] ?? name, .empty)
  }
}
