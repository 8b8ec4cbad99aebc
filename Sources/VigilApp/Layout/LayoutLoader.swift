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
    var r = LayoutReader(file: file)
    let root: ConfigNode?
    switch ConfigTree.parse(text, file: file) {
    case .success(let node): root = node
    case .failure(let problem): return .failure(ConfigProblems([problem]))
    }
    let layout = root.flatMap { r.layout($0) }
    if root == nil {
      r.error(ConfigNode(.scalar("")), "the layout is empty: it needs panels: and grid:")
    }
    guard let layout, r.errors.isEmpty else {
      return .failure(ConfigProblems(r.errors + r.warnings))
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
  "widget", "max", "text",
]

/// Walks a layout's tree, collecting errors and warnings with their positions.
struct LayoutReader {
  let file: String
  var errors: [ConfigProblem] = []
  var warnings: [ConfigProblem] = []
  /// Panels defined with errors (the grid may name them without a second error).
  var invalid: Set<String> = []

  init(file: String) { self.file = file }

  mutating func error(_ node: ConfigNode, _ message: String) {
    errors.append(node.problem(message, file: file))
  }

  mutating func warn(_ node: ConfigNode, _ message: String) {
    warnings.append(node.problem("warning: " + message, file: file))
  }

  func safe(_ s: String) -> String { printableExcerpt(s, limit: 40) }

  mutating func scalar(_ node: ConfigNode, _ what: String) -> String? {
    guard let s = node.scalar, !node.isNull else {
      error(node, "\(what) must be a single value")
      return nil
    }
    return s
  }

  mutating func layout(_ root: ConfigNode) -> Layout? {
    guard let entries = root.map else {
      error(root, "a layout is a mapping with panels: and grid:")
      return nil
    }
    var name = file.split(separator: "/").last.map { String($0) } ?? file
    if let dot = name.lastIndex(of: ".") { name = String(name[..<dot]) }
    var title: String?
    var others = true
    var panelNodes: [(String, ConfigNode, ConfigNode)] = []
    var gridNode: ConfigNode?
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
        case let s?: error(entry.value, "other_metrics must be auto or never, not \"\(safe(s))\"")
        case nil: break
        }
      case "panels":
        guard let map = entry.value.map else {
          error(entry.value, "panels must map names to panels (api: {kind: api_latency}, ...)")
          continue
        }
        for p in map {
          guard let id = p.key.scalar, !id.isEmpty else {
            error(p.key, "a panel name must be a plain word")
            continue
          }
          panelNodes.append((id, p.key, p.value))
        }
      case "grid": gridNode = entry.value
      default:
        warn(
          entry.key,
          "unknown key \"\(safe(key))\" (ignored); known: " + topKeys.joined(separator: ", "))
      }
    }
    // Named panels, read once each.
    var named: [String: (spec: PanelSpec, node: ConfigNode)] = [:]
    for (id, keyNode, value) in panelNodes {
      if named[id] != nil || invalid.contains(id) {
        error(keyNode, "panel \"\(safe(id))\" is defined twice")
        continue
      }
      if let spec = panel(value, id: id) {
        named[id] = (spec, keyNode)
      } else {
        invalid.insert(id)
      }
    }
    guard let gridNode else {
      error(root, "the layout needs grid: (a list of rows, each with columns: [panel, ...])")
      return nil
    }
    guard let rowNodes = gridNode.list, !rowNodes.isEmpty else {
      error(gridNode, "grid must be a list of rows, each with columns: [panel, ...]")
      return nil
    }
    var panels: [PanelSpec] = []
    var rows: [LayoutRow] = []
    var placed: [String: Int] = [:]
    for (ri, rowNode) in rowNodes.enumerated() {
      var height = LayoutSize.fill(1)
      var columnNodes: [ConfigNode]?
      if let list = rowNode.list {
        columnNodes = list
      } else if let map = rowNode.map {
        for entry in map {
          switch entry.key.scalar ?? "" {
          case "height": if let s = size(entry.value, "height") { height = s }
          case "columns":
            columnNodes = entry.value.list
            if columnNodes == nil { error(entry.value, "columns must be a list of panels") }
          default:
            warn(
              entry.key,
              "unknown row key \"\(safe(entry.key.scalar ?? "?"))\" (ignored); known: height, columns"
            )
          }
        }
        if map["columns"] == nil { error(rowNode, "row \(ri + 1) needs columns: [panel, ...]") }
      } else {
        error(rowNode, "a row is {height: ..., columns: [...]} or a list of panels")
      }
      guard let columnNodes else { continue }
      if columnNodes.isEmpty { error(rowNode, "row \(ri + 1) has no columns") }
      var cells: [LayoutCell] = []
      for (ci, cell) in columnNodes.enumerated() {
        var width = LayoutSize.fill(1)
        var spec: PanelSpec?
        if let id = cell.scalar, !cell.isNull {
          spec = reference(id, cell, named: named, placed: &placed)
        } else if let map = cell.map {
          // {panel: NAME, width: ...} or an inline panel with an optional width.
          var rest: [ConfigEntry] = []
          for entry in map {
            switch entry.key.scalar ?? "" {
            case "width": if let s = size(entry.value, "width") { width = s }
            case "panel":
              if let id = scalar(entry.value, "panel") {
                spec = reference(id, entry.value, named: named, placed: &placed)
              }
            default: rest.append(entry)
            }
          }
          if map["panel"] != nil {
            for entry in rest {
              warn(
                entry.key,
                "\"\(safe(entry.key.scalar ?? "?"))\" is ignored beside panel: (define it under panels:)"
              )
            }
          } else {
            spec = panel(
              ConfigNode(.map(rest), line: cell.line, column: cell.column),
              id: "row \(ri + 1) column \(ci + 1)")
          }
        } else {
          error(cell, "a column is a panel name, {panel: NAME, width: ...} or an inline panel")
        }
        guard let spec else { continue }
        cells.append(LayoutCell(width: width, panel: panels.count))
        panels.append(spec)
      }
      rows.append(LayoutRow(height: height, cells: cells))
    }
    for (id, entry) in named.sorted(by: { $0.key < $1.key }) where placed[id] == nil {
      warn(entry.node, "panel \"\(safe(id))\" is not in the grid (not shown)")
    }
    if panels.isEmpty && errors.isEmpty { error(gridNode, "the grid places no panel") }
    var layout = Layout(name: name, title: title ?? name, panels: panels, rows: rows)
    layout.otherMetrics = others
    return layout
  }

  mutating func reference(
    _ id: String, _ node: ConfigNode, named: [String: (spec: PanelSpec, node: ConfigNode)],
    placed: inout [String: Int]
  ) -> PanelSpec? {
    if let line = placed[id] {
      error(node, "panel \"\(safe(id))\" is already in the grid (line \(line))")
      return nil
    }
    if let spec = named[id]?.spec {
      placed[id] = node.line
      return spec
    }
    // A built-in kind may be named directly: `columns: [api_latency, payment_retries]`.
    if let kind = BuiltinPanel(rawValue: id) {
      placed[id] = node.line
      return PanelSpec(id: id, kind: kind)
    }
    if !invalid.contains(id) {
      error(node, "no panel \"\(safe(id))\" under panels: (nor a built-in kind)")
    }
    return nil
  }

  /// `8`, `30%`, `fill`, `2fill`.
  mutating func size(_ node: ConfigNode, _ what: String) -> LayoutSize? {
    guard let s = scalar(node, what).map({ String($0.filter { $0 != " " }) }) else { return nil }
    if s == "fill" { return .fill(1) }
    if s.hasSuffix("fill"), let w = Int(s.dropLast(4)), w >= 1, w <= 100 { return .fill(w) }
    if s.hasSuffix("%"), let p = Int(s.dropLast()), p >= 1, p <= 100 { return .percent(p) }
    if let n = Int(s), n >= 1, n <= 1000 { return .fixed(n) }
    error(
      node,
      "\(what) must be a number of cells (1-1000), a percentage (1%-100%), fill or 2fill, "
        + "not \"\(safe(s))\"")
    return nil
  }

  mutating func number(_ node: ConfigNode, _ what: String) -> Double? {
    guard let s = scalar(node, what) else { return nil }
    guard let v = Double(s), v.isFinite else {
      error(node, "\(what) must be a number, not \"\(safe(s))\"")
      return nil
    }
    return v
  }

  /// One panel (the value under `panels: NAME:`, or an inline one).
  mutating func panel(_ node: ConfigNode, id: String) -> PanelSpec? {
    guard let map = node.map else {
      error(node, "panel \"\(safe(id))\" must be a mapping (kind: ... or metric: ...)")
      return nil
    }
    let before = errors.count
    var spec = PanelSpec(id: id)
    var nodes: [String: ConfigNode] = [:]
    for entry in map {
      guard let key = entry.key.scalar, panelKeys.contains(key) else {
        warn(
          entry.key,
          "unknown panel key \"\(safe(entry.key.scalar ?? "?"))\" (ignored); known: "
            + panelKeys.joined(separator: ", ") + ", width (in the grid)")
        continue
      }
      nodes[key] = entry.value
    }
    if let v = nodes["title"], let s = scalar(v, "title") { spec.title = safe(s) }
    if let v = nodes["window"], let s = scalar(v, "window") {
      if let ns = Nanos.parse(s), ns > 0 {
        if let problem = WindowsConfig().problem(withWindow: ns) {
          error(v, "window: " + problem)
        } else {
          spec.window = ns
        }
      } else {
        error(v, "window: \"\(safe(s))\" is not a duration like 90s, 5m or 1h")
      }
    }
    if let v = nodes["kind"], let s = scalar(v, "kind") {
      guard let kind = BuiltinPanel(rawValue: s) else {
        error(
          v,
          "unknown kind \"\(safe(s))\"; known: "
            + BuiltinPanel.allCases.map(\.rawValue).joined(separator: ", ")
            + " (or leave kind out and give metric:)")
        return nil
      }
      spec.kind = kind
      for key in nodes.keys.sorted() where !["kind", "title", "window"].contains(key) {
        if let n = nodes[key] {
          warn(n, "\(key) is ignored for kind: \(s) (a built-in panel draws its own content)")
        }
      }
      return errors.count == before ? spec : nil
    }
    guard let metricNode = nodes["metric"] else {
      error(node, "panel \"\(safe(id))\" needs metric: NAME (or kind: one of the built-in panels)")
      return nil
    }
    if let m = scalar(metricNode, "metric") {
      if m.isEmpty { error(metricNode, "metric needs a name") }
      spec.selector = SeriesSelector(
        metric: m, matchers: nodes["select"].map { matchers($0) } ?? [])
    }
    if let v = nodes["aggregate"], let s = scalar(v, "aggregate") {
      if let a = PanelAggregate(name: s) {
        spec.aggregate = a
      } else {
        error(
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
          error(v, "den must be a metric name")
        }
      } else {
        error(node, "aggregate: ratio needs den: (the denominator metric)")
      }
    } else if let v = nodes["den"] {
      error(v, "den belongs to aggregate: ratio")
    }
    if let v = nodes["by"], let s = scalar(v, "by") {
      if s.isEmpty { error(v, "by needs a label name") } else { spec.by = s }
    }
    spec.unit = defaultUnit(spec)
    if let v = nodes["unit"], let s = scalar(v, "unit") {
      switch s {
      case "ms": spec.unit = .milliseconds
      case "ratio", "percent": spec.unit = .ratio
      case "count": spec.unit = .count
      case "plain": spec.unit = .plain
      default: error(v, "unit must be ms, ratio, percent, count or plain, not \"\(safe(s))\"")
      }
    }
    if let v = nodes["threshold"] { spec.threshold = number(v, "threshold") }
    if let v = nodes["max"], let m = number(v, "max") {
      if m > 0 { spec.max = m } else { error(v, "max must be above 0") }
    }
    if let v = nodes["widget"], let s = scalar(v, "widget") {
      if let w = PanelWidget(rawValue: s) {
        spec.widget = w
      } else {
        error(
          v,
          "unknown widget \"\(safe(s))\"; known: "
            + PanelWidget.allCases.map(\.rawValue).joined(separator: ", "))
      }
    }
    // A distribution widget shows latency: p99 unless the file says otherwise.
    if nodes["aggregate"] == nil && (spec.widget == .histogram || spec.widget == .heatmap) {
      spec.aggregate = .quantile(0.99)
      if nodes["unit"] == nil { spec.unit = defaultUnit(spec) }
    }
    if let v = nodes["text"] {
      if let s = v.scalar, !v.isNull {
        spec.text = s.split(separator: "\n", omittingEmptySubsequences: false).map {
          printableExcerpt(String($0), limit: 200)
        }
        while spec.text.last == "" { spec.text.removeLast() }
      } else if let list = v.list {
        spec.text = list.compactMap { scalar($0, "text") }.map { printableExcerpt($0, limit: 200) }
      } else {
        error(v, "text must be a string or a list of lines")
      }
      if spec.widget != .text { warn(v, "text is shown by widget: text only") }
    }
    return errors.count == before ? spec : nil
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

  /// `select: {service: checkout, stage: {not: total}, psp: {match: "adyen|stripe"}}`, as in
  /// the rules file.
  mutating func matchers(_ node: ConfigNode) -> [LabelMatcher] {
    guard let map = node.map else {
      error(node, "select must map label names to \(LabelMatcher.selectShapes)")
      return []
    }
    var out: [LabelMatcher] = []
    for entry in map {
      guard let name = entry.key.scalar else { continue }
      let v = entry.value
      let pair = v.map?.count == 1 ? v.map?[0] : nil
      switch LabelMatcher.select(
        name, value: v.isNull ? nil : v.scalar, op: pair?.key.scalar, arg: pair?.value.scalar)
      {
      case .success(let m): out.append(m)
      case .failure(.shape(let why)): error(v, why)
      case .failure(.regex(let why)): error(pair?.value ?? v, why)
      }
    }
    return out
  }
}

extension [ConfigEntry] {
  /// The value of the first pair whose key is `key`.
  fileprivate subscript(_ key: String) -> ConfigNode? {
    first { $0.key.scalar == key }?.value
  }
}
