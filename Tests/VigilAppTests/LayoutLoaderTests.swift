import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore

/// Layout files: the format, every error with its `file:line:column`, warnings, built-ins.
@Suite struct LayoutLoaderTests {
  static func parse(_ yaml: String) -> Result<LayoutLoad, ConfigProblems> {
    LayoutLoader.parse(yaml, file: "l.yaml")
  }

  static func problems(_ yaml: String) -> [String] {
    switch parse(yaml) {
    case .success(let load): return load.warnings.map(\.description)
    case .failure(let p): return p.problems.map(\.description)
    }
  }

  /// The repository's `layouts/` folder, found from this file.
  static var layoutsDirectory: URL {
    var url = URL(fileURLWithPath: #filePath)
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
    {
      url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("layouts")
  }

  @Test func embeddedLayoutsMatchTheFilesInLayouts() throws {
    for name in LayoutLoader.builtinNames {
      let file = Self.layoutsDirectory.appendingPathComponent(name + ".yaml")
      let text = try String(contentsOf: file, encoding: .utf8)
      guard case .success(let load)? = LayoutLoader.builtin(named: name) else {
        Issue.record("built-in \(name) does not load")
        continue
      }
      // The embedded copy is the file without its final newline.
      #expect(load.text + "\n" == text, "layouts/\(name).yaml changed: run layouts/embed.sh")
      #expect(load.warnings.isEmpty, "\(load.warnings)")
    }
    let shipped = try FileManager.default.contentsOfDirectory(atPath: Self.layoutsDirectory.path)
      .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    #expect(shipped == LayoutLoader.builtinNames.sorted(), "every layouts/*.yaml is embedded")
    #expect(LayoutLoader.builtinNames.first == "commerce")
  }

  @Test func theREADMEDocumentsEveryKeyWidgetAndKind() throws {
    let readme = try String(
      contentsOf: Self.layoutsDirectory.appendingPathComponent("README.md"), encoding: .utf8)
    let names =
      LayoutLoader.topKeys + LayoutLoader.panelKeys + PanelWidget.allCases.map(\.rawValue)
      + BuiltinPanel.allCases.map(\.rawValue) + LayoutLoader.builtinNames + ["height", "width"]
    for name in names { #expect(readme.contains("`\(name)`"), "layouts/README.md lacks \(name)") }
  }

  @Test func theDefaultLayoutIsTheSixCommercePanelsInTwoColumns() {
    let layout = Layout.commerce
    #expect(layout.title == "commerce")
    #expect(layout.panels.map(\.kind) == BuiltinPanel.allCases.map { $0 })
    #expect(layout.rows.count == 3)
    for row in layout.rows {
      #expect(row.height == .fill(1))
      #expect(row.cells.map(\.width) == [.fill(1), .fill(1)])
    }
    #expect(layout.rows.flatMap(\.cells).map(\.panel) == Array(0..<6))
  }

  @Test func aGoodFileSetsEveryKey() throws {
    let yaml = """
      name: shop
      title: Shop floor
      other_metrics: never
      panels:
        p99:
          title: Checkout p99
          metric: checkout_latency_ms
          select: {stage: {not: total}, psp: {match: "adyen|stripe"}, region: eu, x: {not_match: "a.*"}}
          aggregate: p99.9
          window: 15m
          by: stage
          unit: ms
          threshold: 1500
          widget: line
        retries:
          metric: payment_retries_total
          aggregate: ratio
          den: payment_attempts_total
          widget: gauge
          max: 0.2
        notes:
          metric: x
          widget: text
          text: [first line, second line]
      grid:
        - height: 8
          columns: [p99, {panel: retries, width: 30%}]
        - height: 2fill
          columns:
            - notes
            - {metric: queue_depth, aggregate: last, widget: bar, width: 20}
            - payment_retries
      """
    let load = try Self.parse(yaml).get()
    #expect(load.warnings.isEmpty, "\(load.warnings)")
    let l = load.layout
    #expect(l.name == "shop" && l.title == "Shop floor" && !l.otherMetrics)
    #expect(l.panels.map(\.id) == ["p99", "retries", "notes", "row 2 column 2", "payment_retries"])
    let p = l.panels[0]
    #expect(p.title == "Checkout p99")
    #expect(p.selector?.metric == "checkout_latency_ms")
    #expect(p.selector?.matchers.count == 4)
    let labels = LabelSet([("stage", "tax"), ("psp", "adyen"), ("region", "eu"), ("x", "b")])
    #expect(p.selector?.matchers.allSatisfy { $0.matches(labels) } == true)
    #expect(p.aggregate == .quantile(0.999) && p.aggregate.name == "p99.9")
    #expect(p.window == 15 * Nanos.minute)
    #expect(p.by == "stage" && p.unit == .milliseconds && p.threshold == 1500)
    #expect(p.widget == .line)
    let r = l.panels[1]
    #expect(r.aggregate == .ratio && r.den?.metric == "payment_attempts_total")
    #expect(r.unit == .ratio && r.widget == .gauge && r.max == 0.2)
    #expect(l.panels[2].text == ["first line", "second line"])
    #expect(l.panels[3].widget == .bar && l.panels[3].selector?.metric == "queue_depth")
    #expect(l.panels[4].kind == .paymentRetries)
    #expect(l.rows.map(\.height) == [.fixed(8), .fill(2)])
    #expect(l.rows[0].cells.map(\.width) == [.fill(1), .percent(30)])
    #expect(l.rows[1].cells.map(\.width) == [.fill(1), .fixed(20), .fill(1)])
    // A bare list is a row of fill height.
    let short = try Self.parse("panels: {a: {metric: x}}\ngrid:\n  - [a, api_latency]\n").get()
    #expect(
      short.layout.rows == [
        LayoutRow(
          height: .fill(1),
          cells: [
            LayoutCell(width: .fill(1), panel: 0), LayoutCell(width: .fill(1), panel: 1),
          ])
      ])
  }

  @Test func aggregateNames() {
    #expect(PanelAggregate(name: "p50") == .quantile(0.5))
    #expect(PanelAggregate(name: "p75")?.name == "p75")
    #expect(PanelAggregate(name: "avg") == .mean)
    for bad in ["p0", "p100", "p", "pX", "p+5", "median", ""] {
      #expect(PanelAggregate(name: bad) == nil, "\(bad)")
    }
  }

  /// Each bad value is an error at its own line and column; the file is refused.
  @Test(arguments: [
    ("panels: {a: {metric: x}}\ngrid: [[a]\n", "l.yaml:3:1: YAML:"),
    ("- a\n- b\n", "l.yaml:1:1: a layout is a mapping"),
    ("panels: {a: {metric: x}}\n", "l.yaml:1:1: the layout needs grid:"),
    ("panels: {a: {kind: api}}\ngrid: [[a]]\n", "l.yaml:1:20: unknown kind \"api\""),
    ("panels: {a: {metric: x, aggregate: p42x}}\ngrid: [[a]]\n", "l.yaml:1:36: unknown aggregate"),
    ("panels: {a: {metric: x, window: soon}}\ngrid: [[a]]\n", "l.yaml:1:33: window: \"soon\""),
    (
      "panels: {a: {metric: x}}\ngrid:\n  - height: 0\n    columns: [a]\n",
      "l.yaml:3:13: height must be"
    ),
    (
      "panels: {a: {metric: x}}\ngrid:\n  - columns: [{panel: a, width: 150%}]\n",
      "l.yaml:3:33: width must be"
    ),
    ("panels: {a: {metric: x, widget: pie}}\ngrid: [[a]]\n", "l.yaml:1:33: unknown widget \"pie\""),
    ("panels: {a: {metric: x, unit: s}}\ngrid: [[a]]\n", "l.yaml:1:31: unit must be"),
    ("panels: {a: {metric: x}}\ngrid: [[a, b]]\n", "l.yaml:2:12: no panel \"b\""),
    (
      "panels: {a: {metric: x}}\ngrid: [[a], [a]]\n",
      "l.yaml:2:14: panel \"a\" is already in the grid"
    ),
    (
      "panels: {a: {metric: x, aggregate: ratio}}\ngrid: [[a]]\n",
      "l.yaml:1:13: aggregate: ratio needs den:"
    ),
    (
      "panels: {a: {metric: x, den: y}}\ngrid: [[a]]\n",
      "l.yaml:1:30: den belongs to aggregate: ratio"
    ),
    (
      "panels: {a: {metric: x, select: {s: {match: \"(\"}}}}\ngrid: [[a]]\n",
      "l.yaml:1:45: select.s: invalid regular expression"
    ),
    (
      "panels: {a: {metric: x, threshold: high}}\ngrid: [[a]]\n",
      "l.yaml:1:36: threshold must be a number"
    ),
    ("panels: {a: {title: t}}\ngrid: [[a]]\n", "l.yaml:1:13: panel \"a\" needs metric:"),
    ("panels: {a: {metric: x}}\ngrid: []\n", "l.yaml:2:7: grid must be a list of rows"),
    ("panels: {a: {metric: x}}\ngrid:\n  - height: 3\n", "l.yaml:3:5: row 1 needs columns:"),
    (
      "other_metrics: maybe\npanels: {a: {metric: x}}\ngrid: [[a]]\n",
      "l.yaml:1:16: other_metrics must be auto or never"
    ),
  ])
  func everyErrorHasItsPosition(yaml: String, expected: String) {
    guard case .failure(let problems) = Self.parse(yaml) else {
      Issue.record("accepted: \(yaml)")
      return
    }
    let lines = problems.problems.map(\.description)
    #expect(lines.contains { $0.hasPrefix(expected) }, "\(lines)")
    // One mistake, one error: a broken panel is not also "missing" from the grid.
    #expect(lines.filter { !$0.contains(": warning: ") }.count == 1, "\(lines)")
    #expect(problems.problems.allSatisfy { $0.line > 0 }, "\(lines)")
  }

  @Test func unknownKeysAndUnplacedPanelsAreWarningsWithPositions() throws {
    let yaml = """
      name: w
      colour: blue
      panels:
        a: {metric: x, colour: red}
        spare: {metric: y}
        b: {kind: api_latency, metric: z}
      grid:
        - height: fill
          gap: 1
          columns: [a, b]
      """
    let load = try Self.parse(yaml).get()
    let w = load.warnings.map(\.description)
    #expect(w.contains { $0.hasPrefix("l.yaml:2:1: warning: unknown key \"colour\"") }, "\(w)")
    #expect(
      w.contains { $0.hasPrefix("l.yaml:4:18: warning: unknown panel key \"colour\"") }, "\(w)")
    #expect(w.contains { $0.hasPrefix("l.yaml:6:34: warning: metric is ignored for kind") }, "\(w)")
    #expect(w.contains { $0.hasPrefix("l.yaml:9:5: warning: unknown row key \"gap\"") }, "\(w)")
    #expect(
      w.contains { $0.hasPrefix("l.yaml:5:3: warning: panel \"spare\" is not in the grid") }, "\(w)"
    )
    #expect(load.layout.panels.count == 2)
  }

  @Test func hostileFilesNeverTrap() {
    for text in [
      "", "~", "grid: ~", "panels: [1, 2]\ngrid: [[a]]", String(repeating: "[", count: 500),
      "panels: {a: {metric: \"\\u001b[2J\"}}\ngrid: [[a]]", "grid: [[{}]]", "grid: [[~]]",
      "panels: {a: {metric: x, text: {a: b}, widget: text}}\ngrid: [[a]]",
    ] {
      _ = Self.parse(text)
    }
    #expect(Self.problems("").contains { $0.contains("empty") })
  }

  @Test func resolveByNameOrPath() throws {
    #expect(try LayoutLoader.resolve("sre-compact").get().layout.name == "sre-compact")
    guard case .failure(let missing) = LayoutLoader.resolve("nonesuch") else {
      Issue.record("an unknown name loaded")
      return
    }
    #expect(missing.description.contains("cannot read the file (built-in layouts: commerce"))
    let path = NSTemporaryDirectory() + "vigil-layout-\(getpid()).yaml"
    try "panels: {a: {metric: q}}\ngrid: [[a]]\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    defer { unlink(path) }
    let load = try LayoutLoader.resolve(path).get()
    #expect(load.layout.panels.first?.selector?.metric == "q")
    #expect(load.layout.name == "vigil-layout-\(getpid())")
  }
}
