import VigilCore
import VigilRender

/// Draws one signal panel: border and title, headline with trend, detail lines, then the
/// sparkline (or the per-service table) in the remaining rows.
func renderPanel(
  _ panel: PanelModel, in rect: Rect, focused: Bool, zoomed: Bool, into buffer: inout ScreenBuffer,
  glyphs: GlyphSet, theme: Theme
) {
  let inner = drawPanelFrame(
    panel, in: rect, focused: focused, zoomed: zoomed, into: &buffer, glyphs: glyphs, theme: theme)
  guard !inner.isEmpty else { return }
  drawHeadline(panel, in: inner, into: &buffer, glyphs: glyphs, theme: theme)
  var y = inner.y + 1
  if zoomed {
    renderZoomBody(
      panel, in: Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y), into: &buffer,
      glyphs: glyphs, theme: theme)
    return
  }
  if let widget = panel.widget {
    renderWidgetBody(
      panel, widget, in: Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y),
      into: &buffer, glyphs: glyphs, theme: theme)
    return
  }
  if !panel.table.isEmpty || !panel.tableHeader.isEmpty {
    let rect = Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y)
    drawTable(
      into: &buffer, rect, header: panel.tableHeader, rows: panel.table,
      numericFrom: 1, glyphs: glyphs, theme: theme)
    return
  }
  y = drawDetails(
    panel.details, in: Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y),
    into: &buffer, glyphs: glyphs, style: theme.text)
  guard y < inner.maxY, !panel.spark.isEmpty else { return }
  let sparkRect = Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y)
  drawChart(
    into: &buffer, sparkRect, values: panel.spark, glyphs: glyphs, theme: theme,
    threshold: panel.threshold, unit: panel.unit)
}

/// A panel's detail lines from the top of `area`, each cut to the items that fit whole
/// (``fitItems(_:toWidth:separator:ellipsis:)``); returns the row below the last one drawn.
func drawDetails(
  _ lines: [String], in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet,
  style: Style
) -> Int {
  var y = area.y
  for line in lines where y < area.maxY {
    buffer.put(
      fitItems(line, toWidth: area.width, ellipsis: glyphs.ellipsis), at: Point(x: area.x, y: y),
      style: style, clip: area)
    y += 1
  }
  return y
}

/// The panel's border and title, with the alert marker (glyph and word; the border and title
/// in the alert's style), how long its feed has been quiet, and `Esc back` when zoomed.
/// Returns the rect inside the border.
private func drawPanelFrame(
  _ panel: PanelModel, in rect: Rect, focused: Bool, zoomed: Bool, into buffer: inout ScreenBuffer,
  glyphs: GlyphSet, theme: Theme
) -> Rect {
  var marker: String?
  var alertStyle: Style?
  switch panel.alert {
  case .firing:
    marker = glyphs.statusCritical + " FIRING"
    alertStyle = theme.bad
  case .pending:
    marker = glyphs.statusWarning + " PENDING"
    alertStyle = theme.warning
  case nil: break
  }
  // A quiet feed: the word (not just a style) and how long, beside any alert marker.
  let stale = panel.staleFor.map { "STALE " + coarseDuration($0) }
  let right = [marker, stale, zoomed ? "Esc back" : nil].compactMap { $0 }.joined(
    separator: "  ")
  if let alertStyle {
    // The breach shows in the border and the title (glyph and word, not colour alone).
    return Box(
      title: panel.title, rightTitle: right, borderStyle: alertStyle, titleStyle: alertStyle,
      focused: focused, focusedBorderStyle: alertStyle, shortTitle: panel.shortTitle
    ).draw(in: rect, on: &buffer, glyphs: glyphs)
  } else {
    return drawBox(
      into: &buffer, rect, title: panel.title, rightTitle: right.isEmpty ? nil : right,
      focused: focused, glyphs: glyphs, theme: theme, shortTitle: panel.shortTitle)
  }
}

/// The headline row at the top of `inner`: value, label, trend (glyph and word).
private func drawHeadline(
  _ panel: PanelModel, in inner: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet,
  theme: Theme
) {
  let y = inner.y
  var x = inner.x
  // Numbers from before a feed went quiet are dimmed: they are not current.
  let headlineStyle = panel.staleFor == nil ? theme.headline : theme.label
  x += buffer.put(panel.headline, at: Point(x: x, y: y), style: headlineStyle, clip: inner)
  if !panel.headlineLabel.isEmpty {
    x += buffer.put(
      " " + panel.headlineLabel, at: Point(x: x, y: y), style: theme.label, clip: inner)
  }
  if let trend = panel.trend {
    let (glyph, word, style): (String, String, Style) =
      switch trend {
      case .up: (glyphs.arrowUp, "rising", theme.trendUp)
      case .down: (glyphs.arrowDown, "falling", theme.trendDown)
      case .flat: (glyphs.arrowFlat, "steady", theme.label)
      }
    buffer.put(" " + glyph + " " + word, at: Point(x: x, y: y), style: style, clip: inner)
  }
}

/// A duration to its largest unit, rounded down: `45s`, `2m`, `3h`.
func coarseDuration(_ ns: Int64) -> String {
  let s = max(0, ns) / Nanos.second
  if s < 60 { return "\(s)s" }
  if s < 3600 { return "\(s / 60)m" }
  return "\(s / 3600)h"
}

/// The zoomed panel: details, the breakdown of every series, then the chart with its axes.
func renderZoomBody(
  _ panel: PanelModel, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet,
  theme: Theme
) {
  var y = area.y
  y = drawDetails(panel.details, in: area, into: &buffer, glyphs: glyphs, style: theme.text)
  if panel.widget == .waterfall && y < area.maxY {
    // The waterfall and its legend above the breakdown.
    let rows = min(area.maxY - y, panel.waterfall.count + 1)
    renderWaterfall(
      panel, in: Rect(x: area.x, y: y + 1, width: area.width, height: rows), into: &buffer,
      glyphs: glyphs, theme: theme)
    y += rows + 1
  }
  // The breakdown takes up to half of what is left (header plus rows); the chart the rest. With
  // a chart per group below it, the charts get two thirds.
  let multiples = panel.spark.isEmpty && !panel.groups.isEmpty
  if !panel.breakdown.isEmpty && y < area.maxY {
    let share = multiples ? (area.maxY - y) / 3 : (area.maxY - y) / 2
    let rows = min(panel.breakdown.count + 1, max(2, share))
    let rect = Rect(x: area.x, y: y + 1, width: area.width, height: rows)
    drawTable(
      into: &buffer, rect, header: panel.breakdownHeader, rows: panel.breakdown, numericFrom: 1,
      glyphs: glyphs, theme: theme, optional: panel.breakdownOptional)
    y += rows + 2
  }
  if multiples, y + 1 < area.maxY {
    let rect = Rect(x: area.x, y: y, width: area.width, height: area.maxY - y - 1)
    renderSmallMultiples(panel, in: rect, into: &buffer, glyphs: glyphs, theme: theme)
    renderChartCaption(
      panel, at: Point(x: area.x, y: rect.maxY), thresholdGlyph: glyphs.thresholdLine,
      clip: area, into: &buffer, theme: theme)
    return
  }
  if let widget = panel.widget, widget == .heatmap || widget == .histogram {
    // A distribution panel zooms into its own widget, with the room that is left.
    renderDistributionPanel(
      panel, widget, in: Rect(x: area.x, y: y, width: area.width, height: area.maxY - y),
      into: &buffer, glyphs: glyphs, theme: theme)
    return
  }
  guard y + 1 < area.maxY, !panel.spark.isEmpty else { return }
  // The chart with its min/max labels on the left, the caption and "now" below it.
  let rect = Rect(x: area.x, y: y, width: area.width, height: area.maxY - y - 1)
  let (plot, thresholdGlyph) = drawChart(
    into: &buffer, rect, values: panel.spark, glyphs: glyphs, theme: theme,
    threshold: panel.threshold, unit: panel.unit, minimum: 0)
  guard !plot.isEmpty else { return }
  let lineChart = rect.height >= lineChartMinimumRows
  let x = lineChart ? plot.x : plot.maxX - min(plot.width, panel.spark.count)
  renderChartCaption(
    panel, at: Point(x: x, y: rect.maxY), thresholdGlyph: thresholdGlyph, clip: area,
    into: &buffer, theme: theme)
  let now = "now"
  buffer.put(
    now, at: Point(x: plot.maxX - displayWidth(now), y: rect.maxY), style: theme.label, clip: area)
}

/// Under a zoomed chart: what it plots, then the threshold's glyph and value.
private func renderChartCaption(
  _ panel: PanelModel, at point: Point, thresholdGlyph: String, clip: Rect,
  into buffer: inout ScreenBuffer, theme: Theme
) {
  var x = point.x
  x += buffer.put(panel.sparkCaption, at: Point(x: x, y: point.y), style: theme.label, clip: clip)
  guard let threshold = panel.threshold else { return }
  x += buffer.put("   ", at: Point(x: x, y: point.y), style: theme.label, clip: clip)
  x += buffer.put(
    thresholdGlyph + thresholdGlyph, at: Point(x: x, y: point.y), style: theme.threshold,
    clip: clip)
  buffer.put(
    " alert threshold \(panel.unit.format(threshold))", at: Point(x: x, y: point.y),
    style: theme.label, clip: clip)
}

func renderOthers(
  _ rows: [[String]], in rect: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet,
  theme: Theme, first: Int = 0, rightTitle: String? = nil
) {
  let inner = drawBox(
    into: &buffer, rect, title: "Other metrics (\(rows.count))", rightTitle: rightTitle,
    focused: false, glyphs: glyphs, theme: theme)
  if rows.isEmpty {
    buffer.put(
      "No other metrics yet: series outside the six signals are listed here.",
      at: Point(x: inner.x, y: inner.y), style: theme.label, clip: inner)
    return
  }
  drawTable(
    into: &buffer, inner, header: ["series", "last", "mean", "p99", "rate"],
    rows: Array(rows.dropFirst(first)),
    numericFrom: 1, glyphs: glyphs, theme: theme)
}

/// A centred box over the dashboard, `width` x `height` at most.
func overlayRect(in area: Rect, width: Int, height: Int) -> Rect {
  let w = min(area.width, width)
  let h = min(area.height, height)
  return Rect(
    x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h)
}

/// One row of the help overlay.
struct HelpRow: Equatable {
  enum Kind: Equatable { case heading, entry, blank }
  var kind: Kind
  var key: String
  var text: String
}

/// The help overlay's rows: every key, then the settings in effect.
func helpRows(_ state: AppState, glyphs: GlyphSet = .unicode) -> [HelpRow] {
  var rows: [HelpRow] = []
  let contexts: [KeyContext] =
    state.config.isReplay ? [.replayPlayer] : [.dashboard, .alertsList, .lists]
  for entry in KeyMap.entries where contexts.contains(entry.context) {
    var text = entry.help
    switch entry.now {
    case .theme: text += " (now: \(state.theme.name))"
    case .fps: text += " (now: \(FrameRate.format(state.ui.fps)))"
    case nil: break
    }
    rows.append(HelpRow(kind: .entry, key: entry.label, text: text))
  }
  if state.config.mouse {
    for entry in KeyMap.mouse {
      rows.append(HelpRow(kind: .entry, key: entry.label, text: entry.help))
    }
  }
  // One meaning per glyph, everywhere (severity is a word: PAGE, TICKET, INFO).
  rows.append(HelpRow(kind: .blank, key: "", text: ""))
  rows.append(HelpRow(kind: .heading, key: "Glyphs", text: ""))
  for (glyph, meaning) in [
    (glyphs.statusCritical, "firing, failing, over its threshold"),
    (glyphs.statusWarning, "pending, warning"), (glyphs.statusInfo, "information"),
    (glyphs.statusOK, "ok, resolved"), (glyphs.focusMarker, "focused panel, selected row"),
  ] {
    rows.append(HelpRow(kind: .entry, key: glyph, text: meaning))
  }
  guard !state.config.isReplay else { return rows }
  rows.append(HelpRow(kind: .blank, key: "", text: ""))
  rows.append(HelpRow(kind: .heading, key: "In effect", text: ""))
  var settings = state.config.settings
  if settings.isEmpty { settings = [Setting("fps", FrameRate.format(state.config.fps))] }
  settings.append(Setting("fps now", FrameRate.format(state.ui.fps)))
  settings.append(Setting("theme", state.theme.name))
  settings.append(Setting("window", Nanos.format(state.window)))
  settings.append(
    Setting("mouse", state.config.mouse ? "on (--mouse)" : "off (--mouse turns it on)"))
  if state.config.overSSH { settings.append(Setting("ssh", "SSH_CONNECTION set: lower fps")) }
  settings.append(Setting("feeds", state.feeds.map(\.spec.displayName).joined(separator: ", ")))
  for s in settings { rows.append(HelpRow(kind: .entry, key: s.name, text: s.value)) }
  return rows
}

func renderHelp(
  _ state: AppState, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  let rows = helpRows(state, glyphs: glyphs)
  let extent = scrollExtent(state)
  let first = scrollFirst(state, extent)
  let rect = overlayRect(in: area, width: 76, height: rows.count + 2)
  buffer.fill(rect, with: Cell(" ", style: theme.overlay))
  let more = extent?.label(first: first).map { $0 + "  " } ?? ""
  let inner = drawBox(
    into: &buffer, rect, title: "Keys", rightTitle: more + "Esc close", focused: true,
    glyphs: glyphs, theme: theme)
  let keyWidth =
    (rows.filter { $0.kind == .entry }.map { displayWidth($0.key) }.max() ?? 0) + 2
  for (i, row) in rows.dropFirst(first).enumerated() where inner.y + i < inner.maxY {
    let y = inner.y + i
    switch row.kind {
    case .blank: continue
    case .heading:
      buffer.put(row.key, at: Point(x: inner.x, y: y), style: theme.tableHeader, clip: inner)
    case .entry:
      buffer.put(row.key, at: Point(x: inner.x, y: y), style: theme.headline, clip: inner)
      buffer.put(row.text, at: Point(x: inner.x + keyWidth, y: y), style: theme.text, clip: inner)
    }
  }
}

func renderRejected(
  _ state: AppState, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  let rect = overlayRect(in: area, width: area.width - 4, height: area.height - 2)
  buffer.fill(rect, with: Cell(" ", style: theme.overlay))
  let inner = drawBox(
    into: &buffer, rect, title: "Rejected lines (\(state.totalRejected))",
    rightTitle: scrollLabel(state) + "Esc close", focused: true, glyphs: glyphs, theme: theme)
  guard !inner.isEmpty else { return }
  var y = inner.y
  // Per feed and reason counts first.
  for feed in state.feeds where (feed.rejectedTotal > 0 || feed.dropped > 0) && y < inner.maxY {
    var counts = feed.rejected.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
    if feed.dropped > 0 {
      counts.append(
        "dropped \(feed.dropped) (kernel \(feed.droppedByKernel), vigil \(feed.droppedByVigil))")
    }
    buffer.put(
      "\(feed.spec.displayName): " + counts.joined(separator: ", "), at: Point(x: inner.x, y: y),
      style: theme.headline, clip: inner)
    y += 1
  }
  if let refused = SeriesNotes.refused(state.engine.interner), y < inner.maxY {
    buffer.put(refused, at: Point(x: inner.x, y: y), style: theme.headline, clip: inner)
    y += 1
  }
  if state.issues.isEmpty {
    buffer.put("No rejected lines.", at: Point(x: inner.x, y: y), style: theme.label, clip: inner)
    return
  }
  y += 1
  // Newest first, two rows each: where and why, then the excerpt.
  let first = scrollFirst(state, scrollExtent(state))
  for record in state.issues.reversed().dropFirst(first) where y + 1 < inner.maxY {
    let head = "\(record.feed):\(record.issue.line)  \(record.issue.reason.rawValue)"
    let x =
      inner.x + buffer.put(head, at: Point(x: inner.x, y: y), style: theme.warning, clip: inner)
    if !record.issue.detail.isEmpty {
      buffer.put("  " + record.issue.detail, at: Point(x: x, y: y), style: theme.text, clip: inner)
    }
    buffer.put(
      "  " + record.issue.excerpt, at: Point(x: inner.x, y: y + 1), style: theme.label, clip: inner)
    y += 2
  }
}

/// "1-9 of 200, j/k  " when the open overlay scrolls, else "".
func scrollLabel(_ state: AppState) -> String {
  let extent = scrollExtent(state)
  return extent?.label(first: scrollFirst(state, extent)).map { $0 + "  " } ?? ""
}
