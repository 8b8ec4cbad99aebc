import VigilCore
import VigilRender

/// The smallest terminal the dashboard draws in; below it a "too small" message is shown.
public let minimumSize = Size(width: 60, height: 16)

/// Renders the whole app (dashboard, zoom, overlays, status bar) into `buffer`.
///
/// Pure: the same state gives the same cells. `buffer.size` is the terminal size.
/// `theme` defaults to the state's (``AppState/theme``); pass one already adapted to the
/// terminal (``Theme/adapted(to:)``) when drawing for a monochrome terminal.
public func renderApp(
  _ state: AppState, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme? = nil
) {
  let theme = theme ?? state.theme
  buffer.clear()
  defer { theme.paintScreen(&buffer) }
  let size = buffer.size
  guard size.width >= minimumSize.width, size.height >= minimumSize.height else {
    renderTooSmall(state, size, into: &buffer, glyphs: glyphs, theme: theme)
    return
  }
  let model = DashboardModel(state)
  let titleRow = Rect(x: 0, y: 0, width: size.width, height: 1)
  let statusRow = Rect(x: 0, y: size.height - 1, width: size.width, height: 1)
  let body = Rect(x: 0, y: 1, width: size.width, height: size.height - 2)
  renderTitle(state, in: titleRow, into: &buffer, glyphs: glyphs, theme: theme)
  if state.ui.zoomed, !model.panels.isEmpty {
    let focus = min(state.ui.focus, model.panels.count - 1)
    // The alert on the panel, and what to do about it, under it (the panel keeps 8 rows).
    let guide = model.panels[focus].shownAlert.map { DashboardModel.guidance($0, state) } ?? []
    let rows = min(guide.count, max(0, body.height - 8))
    let panelRect = Rect(x: body.x, y: body.y, width: body.width, height: body.height - rows)
    renderPanel(
      model.panels[focus], in: panelRect, focused: true, zoomed: true, into: &buffer,
      glyphs: glyphs, theme: theme)
    for (k, line) in guide.prefix(rows).enumerated() {
      buffer.put(
        " " + truncate(line, toWidth: body.width - 2, ellipsis: glyphs.ellipsis),
        at: Point(x: body.x, y: panelRect.maxY + k),
        style: k == 0
          ? (model.panels[focus].alert == .firing ? theme.bad : theme.warning)
          : theme.label, clip: body)
    }
  } else {
    let showOthers =
      state.layout.otherMetrics && othersStripShown(body, othersEmpty: model.others.isEmpty)
    let grid = panelGrid(body, othersShown: showOthers)
    let gridHeight = grid.height
    let rects = layoutRects(state.layout, in: grid, focus: state.focus)
    for (i, rect) in rects.enumerated() where i < model.panels.count {
      guard let rect else { continue }
      renderPanel(
        model.panels[i], in: rect, focused: state.focus == i, zoomed: false, into: &buffer,
        glyphs: glyphs, theme: theme)
    }
    renderHiddenNote(rects.filter { $0 == nil }.count, grid: grid, into: &buffer, theme: theme)
    if showOthers {
      let rect = Rect(
        x: body.x, y: body.y + gridHeight, width: body.width, height: body.height - gridHeight)
      renderOthers(model.others, in: rect, into: &buffer, glyphs: glyphs, theme: theme)
    }
  }
  switch state.ui.overlay {
  case .help: renderHelp(state, in: body, into: &buffer, glyphs: glyphs, theme: theme)
  case .rejected: renderRejected(state, in: body, into: &buffer, glyphs: glyphs, theme: theme)
  case .others:
    let rect = overlayRect(in: body, width: body.width - 4, height: body.height - 2)
    buffer.fill(rect, with: Cell(" ", style: theme.overlay))
    renderOthers(
      model.others, in: rect, into: &buffer, glyphs: glyphs, theme: theme,
      first: scrollFirst(state, scrollExtent(state)), rightTitle: scrollLabel(state) + "Esc close")
  case .alerts: renderAlerts(state, in: body, into: &buffer, glyphs: glyphs, theme: theme)
  case .alertHistory:
    renderAlertHistory(state, in: body, into: &buffer, glyphs: glyphs, theme: theme)
  case .feeds: renderFeeds(state, in: body, into: &buffer, glyphs: glyphs, theme: theme)
  case .suspects: renderSuspects(state, in: body, into: &buffer, glyphs: glyphs, theme: theme)
  case .notifications:
    renderNotifications(state, in: body, into: &buffer, glyphs: glyphs, theme: theme)
  case nil: break
  }
  renderStatus(state, in: statusRow, into: &buffer, glyphs: glyphs, theme: theme)
  if !glyphs.isUnicode { asciify(&buffer) }
}

/// With the ASCII glyph set, every cell must be ASCII (the locale may not be UTF-8): typographic
/// marks get ASCII stand-ins, anything else from feed text becomes `?`.
public func asciify(_ buffer: inout ScreenBuffer) {
  for i in buffer.cells.indices {
    let text = buffer.cells[i].text
    if text.utf8.allSatisfy({ $0 < 0x80 }) { continue }
    let replacement: String
    switch text {
    case "—", "–", "─": replacement = "-"
    case "…": replacement = ">"
    case "·", "•": replacement = "."
    case "│": replacement = "|"
    default: replacement = "?"
    }
    // A wide character's continuation cell becomes a second stand-in, keeping columns aligned.
    buffer.cells[i].text = replacement
    if i + 1 < buffer.cells.count && buffer.cells[i + 1].isContinuation {
      buffer.cells[i + 1].text = replacement == "?" ? "?" : " "
    }
  }
}

/// The dashboard's body (between the title and the status bar) at a terminal size.
func dashboardBody(_ size: Size) -> Rect {
  Rect(x: 0, y: 1, width: size.width, height: size.height - 2)
}

/// Whether the "other metrics" strip is drawn under the panels.
func othersStripShown(_ body: Rect, othersEmpty: Bool) -> Bool {
  !othersEmpty && body.height >= 30
}

/// The part of the body the panel grid takes.
func panelGrid(_ body: Rect, othersShown: Bool) -> Rect {
  let height = othersShown ? body.height - max(6, body.height / 4) : body.height
  return Rect(x: body.x, y: body.y, width: body.width, height: height)
}

/// The panel drawn at `point` on a dashboard of `size` (no overlay, not zoomed), or nil
/// (the title bar, the status bar, the other-metrics strip, a too-small terminal). Pure: the
/// mouse's hit test, the same layout ``renderApp(_:into:glyphs:theme:)`` draws.
public func panelIndex(
  at point: Point, size: Size, othersShown: Bool, layout: Layout = .commerce, focus: Int = 0
) -> Int? {
  guard size.width >= minimumSize.width, size.height >= minimumSize.height else { return nil }
  let grid = panelGrid(dashboardBody(size), othersShown: othersShown)
  return layoutRects(layout, in: grid, focus: focus).firstIndex { $0?.contains(point) == true }
}

/// Says how many panels a small terminal leaves out, on the grid's bottom line.
func renderHiddenNote(_ hidden: Int, grid: Rect, into buffer: inout ScreenBuffer, theme: Theme) {
  guard hidden > 0, grid.height > 0 else { return }
  let note = " +\(hidden) panel\(hidden == 1 ? "" : "s") hidden: Tab shows them, or enlarge "
  let width = min(displayWidth(note), grid.width)
  buffer.put(
    note, at: Point(x: grid.maxX - width, y: grid.maxY - 1), style: theme.warning,
    clip: Rect(x: grid.maxX - width, y: grid.maxY - 1, width: width, height: 1))
}

/// A terminal below the minimum: the alert count on the first row (the one thing worth
/// keeping at 20x6), then what is wrong, in as many words as fit.
func renderTooSmall(
  _ state: AppState, _ size: Size, into buffer: inout ScreenBuffer, glyphs: GlyphSet,
  theme: Theme
) {
  let firing = state.shownAlerts.count { $0.state.isProblem }
  let pending = state.shownAlerts.count { $0.state == .pending }
  var counts: [String] = []
  if firing > 0 { counts.append("\(glyphs.statusCritical) \(firing) firing") }
  if pending > 0 { counts.append("\(glyphs.statusWarning) \(pending) pending") }
  let head = counts.isEmpty ? "\(glyphs.statusOK) no alerts" : counts.joined(separator: " ")
  buffer.put(
    truncate(head, toWidth: size.width, ellipsis: glyphs.ellipsis), at: Point(x: 0, y: 0),
    style: firing > 0 ? theme.alertFiring : pending > 0 ? theme.alertPending : theme.headline)
  let need = "\(minimumSize.width)x\(minimumSize.height)"
  let rows = max(0, size.height - 1)
  var lines = wrap(
    "Terminal too small: \(size.width)x\(size.height). Vigil needs at least \(need). "
      + "Enlarge the window, or press q to quit.", width: max(1, size.width))
  if lines.count > rows {
    lines = wrap("Terminal too small: needs \(need). q quits.", width: max(1, size.width))
  }
  let top = 1 + max(0, (rows - lines.count) / 2)
  for (i, line) in lines.prefix(rows).enumerated() {
    let x = max(0, (size.width - displayWidth(line)) / 2)
    buffer.put(line, at: Point(x: x, y: top + i), style: theme.warning)
  }
}

/// Greedy word wrap by display width; long words are cut.
func wrap(_ text: String, width: Int) -> [String] {
  var lines: [String] = []
  var current = ""
  for word in text.split(separator: " ") {
    var w = String(word)
    while displayWidth(w) > width {
      if !current.isEmpty {
        lines.append(current)
        current = ""
      }
      let cut = String(w.prefix(width))
      lines.append(cut)
      w = String(w.dropFirst(cut.count))
    }
    if current.isEmpty {
      current = w
    } else if displayWidth(current) + 1 + displayWidth(w) <= width {
      current += " " + w
    } else {
      lines.append(current)
      current = w
    }
  }
  if !current.isEmpty { lines.append(current) }
  return lines
}

func renderTitle(
  _ state: AppState, in rect: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  buffer.fill(rect, with: Cell(" ", style: theme.titleBar))
  let dot = glyphs.isUnicode ? " · " : " - "
  var left = " Vigil" + dot + state.layout.title
  if let banner = state.config.banner?(state.viewTime) { left += dot + banner }
  // A notice (a rules reload) takes the banner's place while it lasts.
  var leftStyle = theme.titleBar
  if let notice = state.notice {
    left = " Vigil" + dot + notice.text
    if notice.isError { leftStyle = theme.frozen }
  }
  // Right to left: the frozen tag, then the alert counts; the banner is clipped before them.
  var right = rect.maxX
  if state.ui.frozenAt != nil {
    let tag = " FROZEN (space resumes) "
    right = max(rect.x, right - displayWidth(tag))
    buffer.put(tag, at: Point(x: right, y: rect.y), style: theme.frozen, clip: rect)
  }
  let firing = state.shownAlerts.count { $0.state.isProblem }
  let pending = state.shownAlerts.count { $0.state == .pending }
  var tags: [(String, Style)] = []
  if state.config.debug { tags.append((" \(debugIndicator(state)) ", theme.label)) }
  if firing > 0 { tags.append((" \(glyphs.statusCritical) \(firing) firing ", theme.alertFiring)) }
  if pending > 0 {
    tags.append((" \(glyphs.statusWarning) \(pending) pending ", theme.alertPending))
  }
  let tagsWidth = tags.reduce(0) { $0 + displayWidth($1.0) }
  // Recording: always said, with as much of the file's name as the counts and the first 48
  // columns of the title (the demo's "minute 12") leave room for.
  if let path = state.config.recordingTo {
    let keep = min(displayWidth(left) + 1, 48)
    let tag = recordingTag(path, room: right - tagsWidth - keep - rect.x, glyphs: glyphs)
    right = max(rect.x, right - displayWidth(tag))
    buffer.put(tag, at: Point(x: right, y: rect.y), style: theme.alertFiring, clip: rect)
  }
  if tagsWidth > 0 && right - tagsWidth >= rect.x + 20 {
    right -= tagsWidth
    var x = right
    for (text, style) in tags {
      x += buffer.put(text, at: Point(x: x, y: rect.y), style: style, clip: rect)
    }
  }
  let leftWidth = right == rect.maxX ? rect.width : max(0, right - rect.x - 1)
  let leftClip = Rect(x: rect.x, y: rect.y, width: leftWidth, height: 1)
  // A cut banner ends in an ellipsis, so "minute 11" never reads as "minute 1".
  if displayWidth(left) > leftWidth && leftWidth > 1 {
    var cut = ""
    for ch in left {
      if displayWidth(cut + String(ch)) > leftWidth - 1 { break }
      cut.append(ch)
    }
    left = cut + glyphs.ellipsis
  }
  buffer.put(left, at: Point(x: rect.x, y: rect.y), style: leftStyle, clip: leftClip)
}

/// The title bar's ` REC name ` while recording, in at most `room` columns: the file's (or
/// black box directory's) name, its middle cut to at most 20 columns; ` REC ` alone when fewer
/// than 8 are left for the name.
func recordingTag(_ path: String, room: Int = 26, glyphs: GlyphSet) -> String {
  var name = printableExcerpt(String(path.split(separator: "/").last ?? Substring(path)))
  let limit = min(20, room - 6)
  guard limit >= 8 else { return " REC " }
  if name.count > limit {
    let head = (limit - 1) / 3
    name = String(name.prefix(head)) + glyphs.ellipsis + String(name.suffix(limit - 1 - head))
  }
  return " REC " + name + " "
}

func renderStatus(
  _ state: AppState, in rect: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  buffer.fill(rect, with: Cell(" ", style: theme.statusBar))
  if let text = state.ui.markerEntry {
    let prompt = " marker (Enter saves, Esc cancels): " + printableExcerpt(text, limit: 60) + "_"
    buffer.put(
      prompt, at: Point(x: rect.x, y: rect.y), style: theme.statusBar.adding(.bold), clip: rect)
    return
  }
  let now = state.now
  let healthy = state.feeds.filter { $0.isHealthy(at: now) }.count
  var feedsText = "feeds \(healthy)/\(state.feeds.count) ok"
  // Name the first feed that needs attention (failing or stale first, then one that ended).
  let notable =
    state.feeds.first(where: { !$0.isHealthy(at: now) })
    ?? state.feeds.first(where: { $0.health == .ended })
  if let bad = notable {
    feedsText =
      "feeds \(healthy)/\(state.feeds.count) ok, \(bad.spec.displayName) \(bad.stateWord(at: now))"
  }
  let clockText =
    CivilTime(state.viewTime).clock + (state.clockMode == .event ? " (event time)" : "")
  var rejected = "rejected \(Format.count(Double(state.totalRejected)))"
  // Input lost before parsing (UDP) is never silent.
  let dropped = state.feeds.reduce(0) { $0 + $1.dropped }
  if dropped > 0 { rejected += " dropped \(Format.count(Double(dropped)))" }
  let attention = state.totalRejected > 0 || dropped > 0
  var parts: [(String, Style)] = [
    (feedsText, theme.statusBar),
    ("\(Format.count(Double(state.lineRate.perSecond))) lines/s", theme.statusBar),
    (
      rejected + (attention ? " (e)" : ""),
      attention ? theme.statusBar.adding(.bold) : theme.statusBar
    ),
    (clockText, theme.statusBar), ("window \(Nanos.format(state.window))", theme.statusBar),
  ]
  // A folded label is said next to the rejected count (the feeds view, F, has the details).
  if let folded = SeriesNotes.status(state.engine.interner) {
    parts.insert((folded, theme.statusBar.adding(.bold)), at: 3)
  }
  // Delivery that fails is said at once (N has the details).
  if let failing = state.delivery?.failing {
    parts.insert(
      (
        "delivery failing: " + printableExcerpt(failing.name, limit: 40) + " (N)",
        theme.statusBar.adding(.bold)
      ),
      at: 0)
  }
  // Over SSH the lower frame rate is said; "? help" goes first when the row is full.
  if state.config.overSSH {
    parts.append(("ssh: \(FrameRate.format(state.ui.fps)) fps", theme.statusBar))
  }
  let used = parts.reduce(0) { $0 + displayWidth($1.0) + 3 }
  if used + 6 <= rect.width { parts.append(("? help", theme.statusBar)) }
  var x = rect.x + 1
  for (i, part) in parts.enumerated() {
    if i > 0 {
      x += buffer.put(
        " \(glyphs.vertical) ", at: Point(x: x, y: rect.y), style: theme.statusBar, clip: rect)
    }
    x += buffer.put(part.0, at: Point(x: x, y: rect.y), style: part.1, clip: rect)
  }
}

/// The `--debug` indicator: the frame rate measured (and the one asked for) and the bytes per
/// second sent to the terminal.
func debugIndicator(_ state: AppState) -> String {
  let target = FrameRate.format(state.ui.fps)
  guard let rates = state.loopRates else { return "debug: \(target) fps max, measuring" }
  let bytes = rates.bytesPerSecond.map(FrameRate.formatBytes) ?? "bytes n/a"
  return "debug: \(Format.fixed(rates.framesPerSecond, 1))/\(target) fps \(bytes)"
}
