/// The config file's `components:` section (``ComponentsConfig``): which series belong to which
/// component, which components feed which, and the ratios the suspects ranking compares.
///
/// ```yaml
/// components:
///   series:
///     - {metric: queue_depth, select: {queue: orders}, name: oms}
///     - {metric: http_ms, label: service}
///   feeds:
///     erp: [oms-erp, oms]
///   ratios:
///     - {num: refunds_total, den: orders_total, by: [shop], label: shop}
///   defaults: true
/// ```
extension ConfigReader {
  static let componentsKeys = "series, feeds, ratios, defaults"
  static let componentSeriesKeys = "metric, select, label, name"
  static let componentRatioKeys = "num, den, by, label, name"
  /// The most entries of each list (a config file is small; a huge one is refused, not kept).
  static let maxComponentEntries = 1_000

  mutating func components(_ node: YAMLNode, into config: inout ComponentsConfig) {
    guard let entries = map(node, else: "components must map \(Self.componentsKeys)") else {
      return
    }
    for entry in entries {
      let v = entry.value
      switch entry.key.scalar ?? "" {
      case "series":
        for item in boundedList(v, "components.series") {
          if let rule = componentRule(item) { config.rules.append(rule) }
        }
      case "feeds": componentFeeds(v, into: &config.feeds)
      case "ratios":
        for item in boundedList(v, "components.ratios") {
          if let ratio = componentRatio(item) { config.ratios.append(ratio) }
        }
      case "defaults":
        if let b = bool(v, "components.defaults") { config.useDefaults = b }
      default:
        report(
          entry.key,
          "unknown components key \"\(Self.shown(key: entry.key))\"; known: \(Self.componentsKeys)"
        )
      }
    }
  }

  private mutating func boundedList(_ node: YAMLNode, _ what: String) -> [YAMLNode] {
    guard let items = list(node, what) else { return [] }
    if items.count > Self.maxComponentEntries {
      report(node, "\(what): at most \(Self.maxComponentEntries) entries")
      return []
    }
    return items
  }

  /// A component name: printable, no spaces, at most 100 bytes.
  private mutating func componentName(_ node: YAMLNode, _ what: String) -> String? {
    guard let s = scalar(node, what) else { return nil }
    guard !s.isEmpty, s.utf8.count <= 100,
      s.unicodeScalars.allSatisfy({ $0.value > 0x20 && !isJSONControl($0) })
    else {
      report(
        node,
        "\(what): \"\(Self.shown(s))\" is not a component name (1-100 printable characters, no spaces)"
      )
      return nil
    }
    return s
  }

  private mutating func componentRule(_ node: YAMLNode) -> ComponentRule? {
    guard
      let entries = map(
        node, else: "each components.series entry must map \(Self.componentSeriesKeys)")
    else { return nil }
    var rule = ComponentRule(metric: "")
    var ok = true
    for entry in entries {
      let v = entry.value
      switch entry.key.scalar ?? "" {
      case "metric": rule.metric = scalar(v, "components.series.metric") ?? ""
      case "select":
        let before = problems.count
        rule.matchers = matchers(v)
        if problems.count > before { ok = false }
      case "label": rule.label = scalar(v, "components.series.label")
      case "name":
        rule.name = componentName(v, "components.series.name")
        if rule.name == nil {  // reported; counts as given
          rule.name = ""
          ok = false
        }
      default:
        report(
          entry.key,
          "unknown components.series key \"\(Self.shown(key: entry.key))\"; known: \(Self.componentSeriesKeys)"
        )
        ok = false
      }
    }
    if rule.metric.isEmpty {
      report(node, "a components.series entry needs a metric")
      return nil
    }
    if (rule.label == nil) == (rule.name == nil) {
      report(
        node, "a components.series entry needs a label (whose value names it) or a name, not both")
      return nil
    }
    return ok ? rule : nil
  }

  private mutating func componentFeeds(_ node: YAMLNode, into feeds: inout [String: [String]]) {
    guard
      let entries = map(
        node, else: "components.feeds must map a component to the components it feeds")
    else { return }
    var relations = 0
    for entry in entries {
      guard let a = componentName(entry.key, "components.feeds") else { continue }
      for item in entry.value.list ?? [entry.value] {
        guard let b = componentName(item, "components.feeds.\(Self.shown(a))") else { continue }
        relations += 1
        guard relations <= Self.maxComponentEntries else {
          report(item, "components.feeds: at most \(Self.maxComponentEntries) relations")
          return
        }
        if b == a {
          report(item, "components.feeds.\(Self.shown(a)): a component cannot feed itself")
        } else if !(feeds[a] ?? []).contains(b) {
          feeds[a, default: []].append(b)
        }
      }
    }
  }

  private mutating func componentRatio(_ node: YAMLNode) -> RatioSpec? {
    guard
      let entries = map(
        node, else: "each components.ratios entry must map \(Self.componentRatioKeys)")
    else { return nil }
    var ratio = RatioSpec(num: "", den: "")
    for entry in entries {
      let v = entry.value
      switch entry.key.scalar ?? "" {
      case "num": ratio.num = scalar(v, "components.ratios.num") ?? ""
      case "den": ratio.den = scalar(v, "components.ratios.den") ?? ""
      case "by":
        ratio.by = (v.list ?? [v]).compactMap { scalar($0, "components.ratios.by") }
      case "label": ratio.label = scalar(v, "components.ratios.label")
      case "name": ratio.name = componentName(v, "components.ratios.name")
      default:
        report(
          entry.key,
          "unknown components.ratios key \"\(Self.shown(key: entry.key))\"; known: \(Self.componentRatioKeys)"
        )
      }
    }
    guard !ratio.num.isEmpty, !ratio.den.isEmpty else {
      report(node, "a components.ratios entry needs num and den")
      return nil
    }
    if let label = ratio.label, !ratio.by.contains(label) {
      report(node, "components.ratios: label \"\(Self.shown(label))\" must be one of by")
      return nil
    }
    return ratio
  }
}
