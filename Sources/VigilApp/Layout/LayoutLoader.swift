import VigilCore

/// A layout read from a file, with the warnings it gave (unknown keys, unplaced panels).
public struct LayoutLoad: Sendable, Equatable {
  public var layout: Layout
  public var warnings: [ConfigProblem]
  /// The file's text (recordings keep it) and where it came from.
  public var text: String
  public var file: String
}

/// Reads layout files (format: `layouts/README.md`) and knows the built-in layouts.
///
/// Like the rules file: YAML, every problem with `file:line:column`. Unknown keys are warnings
/// (the key is ignored); bad values are errors (the file is refused, and a reload keeps the
/// layout in force).
public enum LayoutLoader {
  /// The layout used without `--layout`.
  public static let defaultName = "commerce"

  /// Names of the built-in layouts (`layouts/NAME.yaml`, embedded in the binary).
  public static var builtinNames: [String] { builtinFiles.map(\.name) }

  /// The built-in layout `name`.
  public static func builtin(named name: String) -> Result<LayoutLoad, ConfigProblems>? {
    guard let file = builtinFiles.first(where: { $0.name == name }) else { return nil }
    return parse(file.text, file: "layouts/\(name).yaml")
  }

  /// Whether `nameOrPath` names a file rather than a built-in layout (a `/`, a `.yaml`/`.yml`
  /// ending, or no built-in by that name).
  public static func isPath(_ nameOrPath: String) -> Bool {
    nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml")
      || !builtinNames.contains(nameOrPath)
  }

  /// A layout by built-in name or by path.
  public static func resolve(_ nameOrPath: String) -> Result<LayoutLoad, ConfigProblems> {
    if !isPath(nameOrPath), let load = builtin(named: nameOrPath) { return load }
    return load(path: nameOrPath)
  }

  /// Reads and parses the file at `path`.
  public static func load(path: String) -> Result<LayoutLoad, ConfigProblems> {
    guard let text = readTextFile(path) else {
      let known = builtinNames.joined(separator: ", ")
      return .failure(
        ConfigProblems([
          ConfigProblem(
            file: path, line: 0,
            message: "cannot read the file (built-in layouts: \(known))")
        ]))
    }
    return parse(text, file: path)
  }

  /// Parses layout text named `file` in problems. Failure lists the errors, then the warnings.
  public static func parse(_ text: String, file: String) -> Result<LayoutLoad, ConfigProblems> {
    var r = ConfigReader(file: file, nulls: .noValue)
    let root: YAMLNode?
    switch YAMLTree.parse(text, file: file) {
    case .success(let node): root = node
    case .failure(let problem): return .failure(ConfigProblems([problem]))
    }
    let layout = root.flatMap { r.layout($0) }
    if root == nil { r.report("the layout is empty: it needs panels: and grid:") }
    guard let layout, r.problems.isEmpty else {
      return .failure(ConfigProblems(r.problems + r.warnings))
    }
    return .success(LayoutLoad(layout: layout, warnings: r.warnings, text: text, file: file))
  }
}

extension LayoutLoader {
  /// The keys of a layout file's top level and of a panel (layouts/README.md documents each).
  public static var topKeys: [String] { VigilApp.topKeys }
  public static var panelKeys: [String] { VigilApp.panelKeys }
}

private let topKeys = ["name", "title", "description", "other_metrics", "panels", "grid"]
private let panelKeys = [
  "kind", "title", "metric", "select", "aggregate", "den", "window", "by", "unit", "threshold",
  "widget", "max", "text", "budget",
]

/// The panels a layout's grid walk has: named ones, names defined with errors (the grid may
/// name them without a second error), where each was placed, and the specs placed so far.
struct LayoutPanels {
  var named: [String: (spec: PanelSpec, node: YAMLNode)] = [:]
  var invalid: Set<String> = []
  var placed: [String: Int] = [:]
  var specs: [PanelSpec] = []
}

/// Walking a layout's tree (a ``ConfigReader`` with `nulls: .noValue`): bad values are
/// errors, unknown keys warnings (`warning: ...`).
extension ConfigReader {
  /// A layout warning: the key is ignored, the layout still loads.
  mutating func warnLayout(_ node: YAMLNode, _ message: String) {
    warn(node, "warning: " + message)
  }

  func safe(_ s: String) -> String { Self.shown(s) }

  mutating func layout(_ root: YAMLNode) -> Layout? {
    guard let entries = map(root, else: "a layout is a mapping with panels: and grid:") else {
      return nil
    }
    var name = file.split(separator: "/").last.map { String($0) } ?? file
    if let dot = name.lastIndex(of: ".") { name = String(name[..<dot]) }
    var title: String?
    var others = true
    var panelNodes: [(String, YAMLNode, YAMLNode)] = []
    var gridNode: YAMLNode?
    for entry in entries {
      guard let key = entry.key.scalar else { continue }
      switch key {
      case "name": if let s = scalar(entry.value, "name") { name = safe(s) }
      case "title": if let s = scalar(entry.value, "title") { title = safe(s) }
      case "description": break
      case "other_metrics":
        switch scalar(entry.value, "other_metrics") {
        case "auto"?: others = true
        case "never"?: others = false
        case let s?: report(entry.value, "other_metrics must be auto or never, not \"\(safe(s))\"")
        case nil: break
        }
      case "panels":
        guard
          let map = self.map(
            entry.value, else: "panels must map names to panels (api: {kind: api_latency}, ...)")
        else { continue }
        for p in map {
          guard let id = p.key.scalar, !id.isEmpty else {
            report(p.key, "a panel name must be a plain word")
            continue
          }
          panelNodes.append((id, p.key, p.value))
        }
      case "grid": gridNode = entry.value
      default:
        warnLayout(
          entry.key,
          "unknown key \"\(safe(key))\" (ignored); known: " + topKeys.joined(separator: ", "))
      }
    }
    // Named panels, read once each.
    var panels = LayoutPanels()
    for (id, keyNode, value) in panelNodes {
      if panels.named[id] != nil || panels.invalid.contains(id) {
        report(keyNode, "panel \"\(safe(id))\" is defined twice")
        continue
      }
      if let spec = panel(value, id: id) {
        panels.named[id] = (spec, keyNode)
      } else {
        panels.invalid.insert(id)
      }
    }
    guard let gridNode else {
      report(root, "the layout needs grid: (a list of rows, each with columns: [panel, ...])")
      return nil
    }
    guard let rowNodes = gridNode.list, !rowNodes.isEmpty else {
      report(gridNode, "grid must be a list of rows, each with columns: [panel, ...]")
      return nil
    }
    var rows: [LayoutRow] = []
    for (ri, rowNode) in rowNodes.enumerated() {
      if let row = row(rowNode, index: ri, panels: &panels) { rows.append(row) }
    }
    for (id, entry) in panels.named.sorted(by: { $0.key < $1.key }) where panels.placed[id] == nil {
      warnLayout(entry.node, "panel \"\(safe(id))\" is not in the grid (not shown)")
    }
    if panels.specs.isEmpty && problems.isEmpty { report(gridNode, "the grid places no panel") }
    var layout = Layout(name: name, title: title ?? name, panels: panels.specs, rows: rows)
    layout.otherMetrics = others
    return layout
  }

  /// Row `ri` of the grid: `{height: ..., columns: [...]}` or a list of panels.
  mutating func row(_ rowNode: YAMLNode, index ri: Int, panels: inout LayoutPanels) -> LayoutRow? {
    var height = LayoutSize.fill(1)
    var columnNodes: [YAMLNode]?
    if let list = rowNode.list {
      columnNodes = list
    } else if let map = rowNode.map {
      for entry in map {
        switch entry.key.scalar ?? "" {
        case "height": if let s = size(entry.value, "height") { height = s }
        case "columns":
          columnNodes = entry.value.list
          if columnNodes == nil { report(entry.value, "columns must be a list of panels") }
        default:
          warnLayout(
            entry.key,
            "unknown row key \"\(safe(entry.key.scalar ?? "?"))\" (ignored); known: height, columns"
          )
        }
      }
      if rowNode["columns"] == nil {
        report(rowNode, "row \(ri + 1) needs columns: [panel, ...]")
      }
    } else {
      report(rowNode, "a row is {height: ..., columns: [...]} or a list of panels")
    }
    guard let columnNodes else { return nil }
    if columnNodes.isEmpty { report(rowNode, "row \(ri + 1) has no columns") }
    var cells: [LayoutCell] = []
    for (ci, cell) in columnNodes.enumerated() {
      if let c = self.cell(cell, row: ri, column: ci, panels: &panels) { cells.append(c) }
    }
    return LayoutRow(height: height, cells: cells)
  }

  /// A grid cell: a panel name, `{panel: NAME, width: ...}` or an inline panel.
  mutating func cell(_ cell: YAMLNode, row ri: Int, column ci: Int, panels: inout LayoutPanels)
    -> LayoutCell?
  {
    var width = LayoutSize.fill(1)
    var spec: PanelSpec?
    if let id = text(cell) {
      spec = reference(id, cell, panels: &panels)
    } else if let map = cell.map {
      // {panel: NAME, width: ...} or an inline panel with an optional width.
      var rest: [YAMLEntry] = []
      for entry in map {
        switch entry.key.scalar ?? "" {
        case "width": if let s = size(entry.value, "width") { width = s }
        case "panel":
          if let id = scalar(entry.value, "panel") {
            spec = reference(id, entry.value, panels: &panels)
          }
        default: rest.append(entry)
        }
      }
      if cell["panel"] != nil {
        for entry in rest {
          warnLayout(
            entry.key,
            "\"\(safe(entry.key.scalar ?? "?"))\" is ignored beside panel: (define it under panels:)"
          )
        }
      } else {
        spec = panel(rest, at: cell, id: "row \(ri + 1) column \(ci + 1)")
      }
    } else {
      report(cell, "a column is a panel name, {panel: NAME, width: ...} or an inline panel")
    }
    guard let spec else { return nil }
    panels.specs.append(spec)
    return LayoutCell(width: width, panel: panels.specs.count - 1)
  }

  mutating func reference(_ id: String, _ node: YAMLNode, panels: inout LayoutPanels)
    -> PanelSpec?
  {
    if let line = panels.placed[id] {
      report(node, "panel \"\(safe(id))\" is already in the grid (line \(line))")
      return nil
    }
    if let spec = panels.named[id]?.spec {
      panels.placed[id] = node.line
      return spec
    }
    // A built-in kind may be named directly: `columns: [api_latency, payment_retries]`.
    if let kind = BuiltinPanel(rawValue: id) {
      panels.placed[id] = node.line
      return PanelSpec(id: id, kind: kind)
    }
    if !panels.invalid.contains(id) {
      report(node, "no panel \"\(safe(id))\" under panels: (nor a built-in kind)")
    }
    return nil
  }

  /// `8`, `30%`, `fill`, `2fill`.
  mutating func size(_ node: YAMLNode, _ what: String) -> LayoutSize? {
    guard let s = scalar(node, what).map({ String($0.filter { $0 != " " }) }) else { return nil }
    if s == "fill" { return .fill(1) }
    if s.hasSuffix("fill"), let w = Int(s.dropLast(4)), w >= 1, w <= 100 { return .fill(w) }
    if s.hasSuffix("%"), let p = Int(s.dropLast()), p >= 1, p <= 100 { return .percent(p) }
    if let n = Int(s), n >= 1, n <= 1000 { return .fixed(n) }
    report(
      node,
      "\(what) must be a number of cells (1-1000), a percentage (1%-100%), fill or 2fill, "
        + "not \"\(safe(s))\"")
    return nil
  }

  /// One panel (the value under `panels: NAME:`).
  mutating func panel(_ node: YAMLNode, id: String) -> PanelSpec? {
    guard
      let map = self.map(
        node, else: "panel \"\(safe(id))\" must be a mapping (kind: ... or metric: ...)")
    else { return nil }
    return panel(map, at: node, id: id)
  }

  /// One panel from its pairs (`node` is where problems about the panel as a whole go).
  mutating func panel(_ map: [YAMLEntry], at node: YAMLNode, id: String) -> PanelSpec? {
    let before = problems.count
    var spec = PanelSpec(id: id)
    var nodes: [String: YAMLNode] = [:]
    for entry in map {
      guard let key = entry.key.scalar, panelKeys.contains(key) else {
        warnLayout(
          entry.key,
          "unknown panel key \"\(safe(entry.key.scalar ?? "?"))\" (ignored); known: "
            + panelKeys.joined(separator: ", ") + ", width (in the grid)")
        continue
      }
      nodes[key] = entry.value
    }
    if let v = nodes["title"], let s = scalar(v, "title") { spec.title = safe(s) }
    if let v = nodes["window"], let ns = duration(v, "window") {
      if let problem = WindowsConfig().problem(withWindow: ns) {
        report(v, "window: " + problem)
      } else {
        spec.window = ns
      }
    }
    if let v = nodes["kind"], let s = scalar(v, "kind") {
      guard let kind = BuiltinPanel(rawValue: s) else {
        report(
          v,
          "unknown kind \"\(safe(s))\"; known: "
            + BuiltinPanel.allCases.map(\.rawValue).joined(separator: ", ")
            + " (or leave kind out and give metric:)")
        return nil
      }
      spec.kind = kind
      var own = ["kind", "title", "window"]
      if kind == .checkoutLatency {
        // The checkout panel may be drawn as the waterfall.
        own += ["widget", "budget"]
        waterfallKeys(nodes, into: &spec)
      }
      for key in nodes.keys.sorted() where !own.contains(key) {
        if let n = nodes[key] {
          warnLayout(n, "\(key) is ignored for kind: \(s) (a built-in panel draws its own content)")
        }
      }
      return problems.count == before ? spec : nil
    }
    return metricPanel(spec, nodes: nodes, at: node, id: id, before: before)
  }

  /// A panel that draws a metric (no `kind:`): what it selects, aggregates and shows how.
  private mutating func metricPanel(
    _ spec: PanelSpec, nodes: [String: YAMLNode], at node: YAMLNode, id: String, before: Int
  ) -> PanelSpec? {
    var spec = spec
    guard let metricNode = nodes["metric"] else {
      report(node, "panel \"\(safe(id))\" needs metric: NAME (or kind: one of the built-in panels)")
      return nil
    }
    if let m = scalar(metricNode, "metric") {
      if m.isEmpty { report(metricNode, "metric needs a name") }
      spec.selector = SeriesSelector(
        metric: m, matchers: nodes["select"].map { matchers($0) } ?? [])
    }
    if let v = nodes["aggregate"], let s = scalar(v, "aggregate") {
      if let a = PanelAggregate(name: s) {
        spec.aggregate = a
      } else {
        report(
          v,
          "unknown aggregate \"\(safe(s))\"; known: count, sum, rate, mean, min, max, last, "
            + "ratio, p50, p90, p99 or any pN (0 < N < 100)")
      }
    }
    if spec.aggregate == .ratio {
      if let v = nodes["den"] {
        if let d = scalar(v, "den"), !d.isEmpty {
          spec.den = SeriesSelector(metric: d, matchers: spec.selector?.matchers ?? [])
        } else if !v.isNull {
          report(v, "den must be a metric name")
        }
      } else {
        report(node, "aggregate: ratio needs den: (the denominator metric)")
      }
    } else if let v = nodes["den"] {
      report(v, "den belongs to aggregate: ratio")
    }
    if let v = nodes["by"], let s = scalar(v, "by") {
      if s.isEmpty { report(v, "by needs a label name") } else { spec.by = s }
    }
    spec.unit = defaultUnit(spec)
    if let v = nodes["unit"], let u = unit(v) { spec.unit = u }
    if let v = nodes["threshold"] { spec.threshold = number(v, "threshold") }
    if let v = nodes["max"], let m = number(v, "max") {
      if m > 0 { spec.max = m } else { report(v, "max must be above 0") }
    }
    if let v = nodes["widget"],
      let w = choice(
        v, "widget", as: PanelWidget.self,
        else: {
          "unknown widget \"\(Self.shown($0))\"; known: "
            + PanelWidget.allCases.map(\.rawValue).joined(separator: ", ")
        })
    {
      spec.widget = w
    }
    if spec.widget == .waterfall || nodes["budget"] != nil { waterfallKeys(nodes, into: &spec) }
    // A distribution widget shows latency: p99 unless the file says otherwise.
    if nodes["aggregate"] == nil && (spec.widget == .histogram || spec.widget == .heatmap) {
      spec.aggregate = .quantile(0.99)
      if nodes["unit"] == nil { spec.unit = defaultUnit(spec) }
    }
    if let v = nodes["text"] {
      if let lines = textLines(v) { spec.text = lines }
      if spec.widget != .text { warnLayout(v, "text is shown by widget: text only") }
    }
    return problems.count == before ? spec : nil
  }

  /// `widget: waterfall` (the only widget a built-in kind takes) and `budget: 3s`.
  private mutating func waterfallKeys(_ nodes: [String: YAMLNode], into spec: inout PanelSpec) {
    if spec.kind != nil, let v = nodes["widget"], let w = scalar(v, "widget") {
      if w == PanelWidget.waterfall.rawValue {
        spec.widget = .waterfall
      } else {
        report(v, "kind: checkout_latency takes widget: waterfall only, not \"\(safe(w))\"")
      }
    }
    guard let v = nodes["budget"] else { return }
    if spec.widget != .waterfall {
      warnLayout(v, "budget is shown by widget: waterfall only")
    } else if let ns = duration(v, "budget") {
      spec.budget = ns
    }
  }

  /// A panel's `unit:`; nil (reported) when it names none of them.
  private mutating func unit(_ v: YAMLNode) -> ValueUnit? {
    guard let s = scalar(v, "unit") else { return nil }
    switch s {
    case "ms": return .milliseconds
    case "ratio", "percent": return .ratio
    case "count": return .count
    case "plain": return .plain
    default:
      report(v, "unit must be ms, ratio, percent, count or plain, not \"\(safe(s))\"")
      return nil
    }
  }

  /// A panel's `text:`, a string (split at newlines, trailing empty lines dropped) or a list of
  /// lines, each a printable excerpt of 200 at most; nil (reported) when it is neither.
  private mutating func textLines(_ v: YAMLNode) -> [String]? {
    if let s = v.scalar, !v.isNull {
      var text = s.split(separator: "\n", omittingEmptySubsequences: false).map {
        printableExcerpt(String($0), limit: 200)
      }
      while text.last == "" { text.removeLast() }
      return text
    } else if let list = v.list {
      return list.compactMap { scalar($0, "text") }.map { printableExcerpt($0, limit: 200) }
    } else {
      report(v, "text must be a string or a list of lines")
      return nil
    }
  }

  /// Milliseconds for latency metrics, percent for ratios, counts for counters.
  func defaultUnit(_ spec: PanelSpec) -> ValueUnit {
    let metric = spec.selector?.metric ?? ""
    switch spec.aggregate {
    case .ratio: return .ratio
    case .count, .rate: return .count
    default:
      if metric.hasSuffix("_ms") { return .milliseconds }
      return metric.hasSuffix("_total") ? .count : .plain
    }
  }
}
