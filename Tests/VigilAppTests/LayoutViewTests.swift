import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender
import VigilTestSupport

/// Layouts on screen: the grid's geometry, small terminals, focus and mouse, generic widgets,
/// zoom, and reloading.
@Suite struct LayoutViewTests {
  static func layout(_ yaml: String) -> Layout {
    switch LayoutLoader.parse(yaml, file: "t.yaml") {
    case .success(let load): return load.layout
    case .failure(let p):
      Issue.record("layout does not load: \(p)")
      return .commerce
    }
  }

  /// Every generic widget, on the demo's metrics.
  static let widgets = layout(
    """
    title: widgets
    panels:
      spark: {title: API p99, metric: api_latency_ms, aggregate: p99, widget: sparkline, threshold: 2000}
      line: {title: Confirmation p99, metric: order_confirmation_delay_ms, aggregate: p99, widget: line}
      gauge: {title: Retry ratio, metric: payment_retries_total, aggregate: ratio, den: payment_attempts_total, widget: gauge, threshold: 0.05, max: 0.2}
      bar: {title: p99 by service, metric: api_latency_ms, aggregate: p99, by: service, widget: bar}
      table: {title: Tickets, metric: support_tickets_total, aggregate: sum, by: reason, widget: table}
      text: {title: Notes, metric: payment_attempts_total, aggregate: rate, widget: text, text: "runbook: wiki/payments"}
      heat: {title: Checkout latency, metric: checkout_latency_ms, select: {stage: total}, widget: heatmap}
      lines: {title: Stages, metric: checkout_latency_ms, select: {stage: {not: total}}, aggregate: p90, by: stage, widget: line}
    grid:
      - height: 30%
        columns: [spark, line, {panel: gauge, width: 26}]
      - columns: [bar, table]
      - columns: [text, heat, lines]
    """)

  @Test func fixedPercentAndFillSizes() {
    let l = Self.layout(
      """
      panels: {a: {metric: a}, b: {metric: b}, c: {metric: c}, d: {metric: d}, e: {metric: e}}
      grid:
        - height: 5
          columns: [{panel: a, width: 20}, {panel: b, width: 25%}, {panel: c, width: 2fill}, d]
        - height: fill
          columns: [e]
      """)
    let rects = layoutRects(l, in: Rect(x: 0, y: 1, width: 100, height: 30), focus: 0)
    // Fixed first (20), then 25% of 100, then the 55 left shared 2:1.
    #expect(rects[0] == Rect(x: 0, y: 1, width: 20, height: 5))
    #expect(rects[1] == Rect(x: 20, y: 1, width: 25, height: 5))
    #expect(rects[2] == Rect(x: 45, y: 1, width: 37, height: 5))
    #expect(rects[3] == Rect(x: 82, y: 1, width: 18, height: 5))
    #expect(rects[4] == Rect(x: 0, y: 6, width: 100, height: 25))
  }

  @Test(arguments: [
    Size(width: 80, height: 24), Size(width: 61, height: 17), Size(width: 200, height: 50),
  ])
  func theDefaultLayoutIsTheTwoColumnGrid(size: Size) {
    let area = Rect(x: 0, y: 1, width: size.width, height: size.height - 2)
    let rects = layoutRects(.commerce, in: area, focus: 0).compactMap { $0 }
    #expect(rects.count == 6)
    let rows = area.split(.vertical, [.fill(1), .fill(1), .fill(1)])
    let expected = rows.flatMap { $0.split(.horizontal, [.fill(1), .fill(1)]) }
    #expect(rects == expected)
  }

  /// Below the grid's minimum, rows around the focused panel stay and the rest are said hidden.
  @Test func aSmallTerminalKeepsTheFocusedRow() {
    let l = Self.layout(
      """
      panels: {a: {metric: a}, b: {metric: b}, c: {metric: c}, d: {metric: d}}
      grid:
        - height: 8
          columns: [a, b]
        - height: 8
          columns: [c]
        - height: 8
          columns: [d]
      """)
    let area = Rect(x: 0, y: 1, width: 60, height: 14)
    var rects = layoutRects(l, in: area, focus: 0)
    #expect(rects[0] != nil && rects[1] != nil && rects[2] == nil && rects[3] == nil)
    rects = layoutRects(l, in: area, focus: 3)
    #expect(rects[3] == Rect(x: 0, y: 1, width: 60, height: 8))
    #expect(rects.compactMap { $0 }.count == 1)
    // The dashboard says so, and Tab reaches every panel.
    var state = freshState()
    state.layout = l
    state.ui.size = Size(width: 60, height: 16)
    #expect(render(state).lines().joined().contains("+2 panels hidden: Tab shows them"))
    for expected in [1, 2, 3, 0] {
      _ = update(&state, .key(.tab))
      #expect(state.ui.focus == expected)
      let text = render(state).lines().joined()
      #expect(text.contains("▶ \(["a", "b", "c", "d"][expected])"), "\(text)")
    }
    // Narrow: columns around the focus stay too.
    let cols = layoutRects(
      Self.layout("panels: {a: {metric: a}, b: {metric: b}}\ngrid: [[a, b]]\n"),
      in: Rect(x: 0, y: 0, width: 20, height: 5), focus: 1)
    #expect(cols[0] == nil && cols[1] == Rect(x: 0, y: 0, width: 20, height: 5))
  }

  @Test(arguments: [
    Size(width: 20, height: 6), Size(width: 60, height: 16), Size(width: 80, height: 24),
  ])
  func everyLayoutDrawsAtSmallSizes(size: Size) {
    for name in LayoutLoader.builtinNames + ["widgets"] {
      var state = demoState(from: 300, seconds: 30, size: size)
      if name == "widgets" {
        state.layout = Self.widgets
      } else if case .success(let load)? = LayoutLoader.builtin(named: name) {
        state.layout = load.layout
      }
      let text = render(state).lines().joined(separator: "\n")
      if size.width < minimumSize.width {
        #expect(text.contains("too small"))
      } else {
        #expect(text.contains("▶"), "\(name) at \(size): no focused panel\n\(text)")
      }
      state.ui.zoomed = true
      _ = render(state)
    }
  }

  @Test func focusKeysMoveInTheGrid() {
    var state = freshState()
    state.layout = Self.widgets
    state.ui.size = Size(width: 120, height: 40)
    #expect(state.dashboardPanelCount == 8)
    // Down from the gauge (row 1, right) goes to the table (row 2, right); down again to the
    // right column of row 3; then back to the top.
    state.ui.focus = 2
    _ = update(&state, .key(.down))
    #expect(state.ui.focus == 4)
    _ = update(&state, .key(.character("j")))
    #expect(state.ui.focus == 7)
    _ = update(&state, .key(.down))
    #expect(state.ui.focus == 2)
    _ = update(&state, .key(.up))
    #expect(state.ui.focus == 7)
    _ = update(&state, .key(.character("k")))
    #expect(state.ui.focus == 4)
    // Tab and Shift-Tab go through the panels in reading order, wrapping.
    state.ui.focus = 7
    _ = update(&state, .key(.tab))
    #expect(state.ui.focus == 0)
    _ = update(&state, .key(.backTab))
    #expect(state.ui.focus == 7)
    // The default layout keeps its old moves (down = the panel below).
    state.layout = .commerce
    state.ui.focus = 0
    _ = update(&state, .key(.down))
    #expect(state.ui.focus == 2)
    state.ui.focus = 5
    _ = update(&state, .key(.down))
    #expect(state.ui.focus == 1)
  }

  @Test func theMouseHitsTheLayoutsPanels() {
    var state = freshState()
    state.config.mouse = true
    state.layout = Self.widgets
    state.ui.size = Size(width: 120, height: 40)
    let size = state.ui.size
    let grid = Rect(x: 0, y: 1, width: 120, height: 38)
    let rects = layoutRects(Self.widgets, in: grid, focus: 0)
    for (i, rect) in rects.enumerated() {
      guard let rect else {
        Issue.record("panel \(i) hidden at 120x40")
        continue
      }
      let middle = Point(x: rect.x + rect.width / 2, y: rect.y + rect.height / 2)
      #expect(
        panelIndex(at: middle, size: size, othersShown: false, layout: Self.widgets) == i)
      state.ui.focus = (i + 1) % rects.count
      _ = update(&state, .mouse(MouseEvent(.press, at: middle)))
      #expect(state.ui.focus == i)
    }
    // A press on the focused panel zooms it.
    if let rect = rects[state.ui.focus] {
      _ = update(&state, .mouse(MouseEvent(.press, at: Point(x: rect.x + 2, y: rect.y + 1))))
    }
    #expect(state.ui.zoomed)
  }

  @Test func genericWidgetsAt80x24() {
    var state = demoState(from: 480, seconds: 60)
    state.layout = Self.widgets
    let screen = render(state)
    let text = screen.lines().joined(separator: "\n")
    #expect(text.hasPrefix(" Vigil · widgets"))
    for title in [
      "API p99", "Confirmati", "Retry rat", "p99 by service", "Tickets", "Notes",
    ] {
      #expect(text.contains(title), "missing \(title)\n\(text)")
    }
    #expect(text.contains("of 20%"), "the gauge says its scale")
    #expect(text.contains("samples per 10s by value"), "the heatmap's caption")
    #expect(text.contains("runbook: wiki/payments"))
    #expect(snapshotMismatch(screen.snapshot(), named: "layout-widgets-80x24") == nil)
  }

  @Test func genericWidgetsAt120x40() {
    var state = demoState(from: 480, seconds: 60, size: Size(width: 120, height: 40))
    state.layout = Self.widgets
    let screen = render(state)
    let text = screen.lines().joined(separator: "\n")
    for service in ["payment", "checkout", "search"] { #expect(text.contains(service)) }
    for stage in ["payment", "inventory", "pricing"] { #expect(text.contains(stage)) }
    #expect(text.contains("order_error"))
    #expect(snapshotMismatch(screen.snapshot(), named: "layout-widgets-120x40") == nil)
  }

  @Test func sreCompactAt80x24() throws {
    var state = demoState(from: 480, seconds: 60)
    state.layout = try LayoutLoader.resolve("sre-compact").get().layout
    let screen = render(state)
    #expect(snapshotMismatch(screen.snapshot(), named: "layout-sre-compact-80x24") == nil)
  }

  @Test func everyPanelZooms() {
    var state = demoState(from: 480, seconds: 60, size: Size(width: 100, height: 30))
    state.layout = Self.widgets
    for i in 0..<state.dashboardPanelCount {
      state.ui.focus = i
      state.ui.zoomed = false
      _ = update(&state, .key(.enter))
      #expect(state.ui.zoomed)
      let text = render(state).lines().joined(separator: "\n")
      #expect(text.contains("Esc back"))
      // The breakdown lists the panel's series with their statistics.
      #expect(text.contains("count") && text.contains("p99"), "panel \(i)\n\(text)")
      // A heatmap zooms into a heatmap (its caption), the others into the line chart.
      let heat = DashboardModel(state).panels[i].widget == .heatmap
      #expect(text.contains("samples per 10s by value") == heat, "panel \(i)\n\(text)")
    }
  }

  @Test func alertsAndStalenessFollowTheLayoutsMetrics() {
    // Minute 9 of the demo: the payment retry ratio rule is pending or firing.
    var state = demoState(from: 360, seconds: 180)
    state.layout = Self.widgets
    let model = DashboardModel(state)
    #expect(model.panels[2].alert != nil, "the retry gauge shows the retry-ratio alert")
    #expect(model.panels[5].alert != nil, "a panel on payment_attempts shows it too")
    #expect(model.panels[4].alert == nil || model.panels[4].title == "Tickets")
    // The others list leaves out the layout's metrics.
    send(&state, [#"{"metric":"queue_depth","value":3}"#], at: state.now)
    #expect(DashboardModel(state).others.map { $0[0] } == ["queue_depth"])
    state.layout = Self.layout("panels: {q: {metric: queue_depth}}\ngrid: [[q]]\n")
    #expect(DashboardModel(state).others.isEmpty)
  }

  @Test func rPasksForTheLayoutAndAReloadIsAtomic() throws {
    var state = demoState(from: 300, seconds: 20)
    state.config.layoutPath = "/etc/vigil/layout.yaml"
    #expect(
      update(&state, .key(.character("r"))) == [.reloadLayout(path: "/etc/vigil/layout.yaml")])
    state.config.rulesPath = "/etc/vigil/rules.yaml"
    #expect(
      update(&state, .key(.character("r")))
        == [
          .reloadRules(path: "/etc/vigil/rules.yaml"),
          .reloadLayout(path: "/etc/vigil/layout.yaml"),
        ])
    // A good file replaces the layout whole; the focus stays inside it.
    state.ui.focus = 5
    _ = update(
      &state,
      .layoutLoaded(
        LayoutLoader.parse("panels: {a: {metric: x}}\ngrid: [[a, api_latency]]\n", file: "l.yaml")))
    #expect(state.layout.panels.count == 2)
    #expect(state.ui.focus == 1)
    #expect(state.notice?.text == "layout reloaded: 2 panels" && state.notice?.isError == false)
    let good = state.layout
    // A bad one changes nothing but the notice, which names the problem's position.
    _ = update(
      &state,
      .layoutLoaded(
        LayoutLoader.parse("panels: {a: {metric: x, widget: pie}}\ngrid: [[a]]\n", file: "l.yaml")))
    #expect(state.layout == good)
    #expect(state.notice?.isError == true)
    #expect(
      state.notice?.text.contains(
        "layout NOT reloaded, old layout kept: l.yaml:1:33: unknown widget") == true,
      "\(state.notice?.text ?? "")")
    let title = render(state).lines()[0]
    #expect(title.contains("layout NOT reloaded"), "\(title)")
    #expect(render(state).lines().joined().contains("API latency by service"), "old panels stay")
  }

  @Test func theWatcherNoticesAChangeOncePerInterval() throws {
    let path = NSTemporaryDirectory() + "vigil-watch-\(getpid()).yaml"
    try "grid: [[api_latency]]\n".write(toFile: path, atomically: true, encoding: .utf8)
    defer { unlink(path) }
    var watcher = LayoutWatcher(path: path)
    var seen: [Bool] = []
    seen.append(watcher.changed(mono: 0))
    try "grid: [[api_latency, checkout_latency]]\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    // At most one look a second: the change is seen at the next look, and once.
    seen.append(watcher.changed(mono: LayoutWatcher.interval / 2))
    seen.append(watcher.changed(mono: LayoutWatcher.interval))
    seen.append(watcher.changed(mono: 2 * LayoutWatcher.interval))
    unlink(path)
    // A missing file is no change (the layout in force stays).
    seen.append(watcher.changed(mono: 3 * LayoutWatcher.interval))
    #expect(seen == [false, false, true, false, false])
  }
}
