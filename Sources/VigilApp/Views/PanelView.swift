import VigilCore
import VigilRender

/// Draws one signal panel: border and title, headline with trend, detail lines, then the
/// sparkline (or the per-service table) in the remaining rows.
func renderPanel(
  _ panel: PanelModel, in rect: Rect, focused: Bool, zoomed: Bool, into buffer: inout ScreenBuffer,
  glyphs: GlyphSet, theme: Theme
) {
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
  let inner: Rect
  if let alertStyle {
    // The breach shows in the border and the title (glyph and word, not colour alone).
    inner = Box(
      title: panel.title, rightTitle: right, borderStyle: alertStyle, titleStyle: alertStyle,
      focused: focused, focusedBorderStyle: alertStyle
    ).draw(in: rect, on: &buffer, glyphs: glyphs)
  } else {
    inner = drawBox(
      into: &buffer, rect, title: panel.title, rightTitle: right.isEmpty ? nil : right,
      focused: focused, glyphs: glyphs, theme: theme)
  }
  guard !inner.isEmpty else { return }
  var y = inner.y
  // Headline: value, label, trend.
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
  y += 1
  if zoomed {
    renderZoomBody(
      panel, in: Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y), into: &buffer,
      glyphs: glyphs, theme: theme)
    return
  }
  if !panel.table.isEmpty || !panel.tableHeader.isEmpty {
    let rect = Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y)
    drawTable(
      into: &buffer, rect, header: panel.tableHeader, rows: panel.table,
      numericFrom: 1, glyphs: glyphs, theme: theme)
    return
  }
  for line in panel.details where y < inner.maxY {
    buffer.put(line, at: Point(x: inner.x, y: y), style: theme.text, clip: inner)
    y += 1
  }
  guard y < inner.maxY, !panel.spark.isEmpty else { return }
  let sparkRect = Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y)
  drawSpark(
    into: &buffer, sparkRect, values: panel.spark, glyphs: glyphs, theme: theme,
    threshold: panel.threshold)
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
  for line in panel.details where y < area.maxY {
    buffer.put(line, at: Point(x: area.x, y: y), style: theme.text, clip: area)
    y += 1
  }
  // The breakdown takes up to half of what is left (header plus rows); the chart the rest.
  if !panel.breakdown.isEmpty && y < area.maxY {
    let rows = min(panel.breakdown.count + 1, max(2, (area.maxY - y) / 2))
    let rect = Rect(x: area.x, y: y + 1, width: area.width, height: rows)
    drawTable(
      into: &buffer, rect, header: panel.breakdownHeader, rows: panel.breakdown, numericFrom: 1,
      glyphs: glyphs, theme: theme)
    y += rows + 2
  }
  guard y + 1 < area.maxY, !panel.spark.isEmpty else { return }
  // Value axis on the left (max at the top, 0 at the bottom), time axis below.
  let top = sparkTop(panel.spark, threshold: panel.threshold)
  let maxLabel = panel.unit.format(top)
  let zeroLabel = panel.unit.format(0)
  let axisWidth = max(displayWidth(maxLabel), displayWidth(zeroLabel)) + 1
  let chart = Rect(
    x: area.x + axisWidth, y: y, width: area.width - axisWidth, height: area.maxY - y - 1)
  guard !chart.isEmpty else { return }
  buffer.put(maxLabel, at: Point(x: area.x, y: chart.y), style: theme.label, clip: area)
  buffer.put(zeroLabel, at: Point(x: area.x, y: chart.maxY - 1), style: theme.label, clip: area)
  drawSpark(
    into: &buffer, chart, values: panel.spark, glyphs: glyphs, theme: theme, minimum: 0,
    threshold: panel.threshold)
  let columns = min(chart.width, panel.spark.count)
  let start = chart.maxX - columns
  var caption = panel.sparkCaption
  if let threshold = panel.threshold {
    caption += "   \(glyphs.horizontal) alert threshold \(panel.unit.format(threshold))"
  }
  buffer.put(caption, at: Point(x: start, y: chart.maxY), style: theme.label, clip: area)
  let now = "now"
  buffer.put(
    now, at: Point(x: chart.maxX - displayWidth(now), y: chart.maxY), style: theme.label, clip: area
  )
}

func renderOthers(
  _ rows: [[String]], in rect: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet,
  theme: Theme
) {
  let inner = drawBox(
    into: &buffer, rect, title: "Other metrics (\(rows.count))", rightTitle: nil, focused: false,
    glyphs: glyphs, theme: theme)
  if rows.isEmpty {
    buffer.put(
      "No other metrics yet: series outside the six signals are listed here.",
      at: Point(x: inner.x, y: inner.y), style: theme.label, clip: inner)
    return
  }
  drawTable(
    into: &buffer, inner, header: ["series", "last", "mean", "p99", "rate"], rows: rows,
    numericFrom: 1, glyphs: glyphs, theme: theme)
}

/// A centred box over the dashboard, `width` x `height` at most.
func overlayRect(in area: Rect, width: Int, height: Int) -> Rect {
  let w = min(area.width, width)
  let h = min(area.height, height)
  return Rect(
    x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h)
}

/// Every key, for the `?` overlay (and the README).
public let helpKeys: [(key: String, action: String)] = [
  ("q", "quit (also Ctrl-C)"),
  ("space", "freeze / resume the display (data keeps flowing in)"),
  ("1 5 f", "window 1m / 5m / 15m"),
  ("Tab, arrows, h j k l", "move focus between panels"),
  ("Enter", "zoom the focused panel"),
  ("Esc", "back from zoom or an overlay"),
  ("e", "rejected lines: feed, line number, reason"),
  ("o", "other metrics: every series outside the six signals"),
  ("a", "alerts: every pending or firing alert"),
  ("A, s", "in alerts: ack+note, silence 15m/1h/4h"),
  ("H", "alert history: every episode"),
  ("F", "feeds: state, rates, errors, command output"),
  ("r", "reload rules; a bad file keeps the old"),
  ("?", "this help"),
]

/// The keys of `vigil replay` (the player's first, then the dashboard's that still apply).
public let replayHelpKeys: [(key: String, action: String)] = [
  ("q", "quit"),
  ("space", "pause / play"),
  (". ,", "step one evaluation tick forward / back"),
  ("+ - =", "speed x2 / /2 (0.25x to 1000x) / 1x"),
  ("] [", "next / previous alert transition"),
  ("e E", "next / previous transition to firing"),
  ("} {", "next / previous marker"),
  ("g G", "start / end of the recording"),
  (":", "go to a time: 16:20, 16:20:05, +5m, -30s"),
  ("m", "add a marker (saved beside the recording)"),
  ("1 5 f", "window 1m / 5m / 15m"),
  ("Tab, arrows, Enter", "move focus, zoom"),
  ("a H o", "alerts / alert history / other metrics"),
  ("Esc", "back from zoom or an overlay"),
  ("?", "this help"),
]

func renderHelp(
  _ state: AppState, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  let helpKeys = state.config.isReplay ? replayHelpKeys : helpKeys
  let rect = overlayRect(in: area, width: 64, height: helpKeys.count + 4)
  buffer.fill(rect, with: Cell(" ", style: theme.overlay))
  let inner = drawBox(
    into: &buffer, rect, title: "Keys", rightTitle: "Esc close", focused: true, glyphs: glyphs,
    theme: theme)
  let keyWidth = (helpKeys.map { displayWidth($0.key) }.max() ?? 0) + 2
  for (i, entry) in helpKeys.enumerated() where inner.y + i < inner.maxY {
    let y = inner.y + i
    buffer.put(entry.key, at: Point(x: inner.x, y: y), style: theme.headline, clip: inner)
    buffer.put(entry.action, at: Point(x: inner.x + keyWidth, y: y), style: theme.text, clip: inner)
  }
}

func renderRejected(
  _ state: AppState, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  let rect = overlayRect(in: area, width: area.width - 4, height: area.height - 2)
  buffer.fill(rect, with: Cell(" ", style: theme.overlay))
  let inner = drawBox(
    into: &buffer, rect, title: "Rejected lines (\(state.totalRejected))", rightTitle: "Esc close",
    focused: true, glyphs: glyphs, theme: theme)
  guard !inner.isEmpty else { return }
  var y = inner.y
  // Per feed and reason counts first.
  for feed in state.feeds where feed.rejectedTotal > 0 && y < inner.maxY {
    let counts = feed.rejected.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
    buffer.put(
      "\(feed.spec.displayName): " + counts.joined(separator: ", "), at: Point(x: inner.x, y: y),
      style: theme.headline, clip: inner)
    y += 1
  }
  if state.issues.isEmpty {
    buffer.put("No rejected lines.", at: Point(x: inner.x, y: y), style: theme.label, clip: inner)
    return
  }
  y += 1
  // Newest first, two rows each: where and why, then the excerpt.
  for record in state.issues.reversed() where y + 1 < inner.maxY {
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
