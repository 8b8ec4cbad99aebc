import VigilCore
import VigilRender

/// Word and style of a severity (never colour alone). Severity is a word; the glyphs mean
/// states everywhere (● firing or failing, ▲ pending or warning, ✔ ok), so `●` never means
/// PAGE in one place and FIRING in another.
func severityMark(_ severity: String?, theme: Theme) -> (String, Style) {
  let word = (severity ?? "info").uppercased()
  switch AlertSeverityClass(severity) {
  case .critical: return (word, theme.bad)
  case .warning: return (word, theme.warning)
  case .info: return (word, theme.headline)
  }
}

/// The glyph of an alert state: as in panel titles and the title bar.
func stateGlyph(_ state: AlertState, glyphs: GlyphSet) -> String {
  switch state {
  case .firing, .recovering: glyphs.statusCritical
  case .pending: glyphs.statusWarning
  case .resolved: glyphs.statusOK
  case .inactive: " "
  }
}

/// A duration rounded down to whole seconds: `45s`, `3m10s`, `1h2m`.
public func shortDuration(_ ns: Int64) -> String {
  Nanos.format(max(0, ns) / Nanos.second * Nanos.second)
}

/// When the instance entered its current state.
private func since(_ i: AlertInstance) -> Timestamp? {
  switch i.state {
  case .firing: i.firedAt ?? i.activeAt
  case .recovering: i.keepSince ?? i.firedAt
  case .pending: i.activeAt
  case .resolved: i.resolvedAt
  case .inactive: nil
  }
}

/// The alerts overlay (`a`): every instance, two rows each.
func renderAlerts(
  _ state: AppState, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  let alerts = state.alertHistory
  let rect = overlayRect(in: area, width: area.width - 4, height: area.height - 2)
  buffer.fill(rect, with: Cell(" ", style: theme.overlay))
  let title = "Alerts (\(alerts.firing.count) firing, \(alerts.pending.count) pending)"
  let inner = drawBox(
    into: &buffer, rect, title: title, rightTitle: "H history  Esc close", focused: true,
    glyphs: glyphs, theme: theme)
  guard !inner.isEmpty else { return }
  var y = inner.y
  let evaluator = state.engine.evaluator
  let rules = evaluator.ruleSet
  let unhealthy = evaluator.health.values.filter { $0 != .ok }.count
  var head = "\(rules.rules.count) rules, every \(Nanos.format(rules.evaluationInterval))"
  if let last = evaluator.lastTick { head += ", last at \(CivilTime(last).clock)" }
  if unhealthy > 0 { head += ", \(unhealthy) without data or failing" }
  if let warm = evaluator.baselineWarmUp { head += ", baseline \(warm.least.text)" }
  buffer.put(
    fitItems(head, toWidth: inner.width, separator: ", ", ellipsis: glyphs.ellipsis),
    at: Point(x: inner.x, y: y), style: theme.label, clip: inner)
  y += 1
  buffer.put(
    state.ui.ackNote.map {
      "acked " + alertName($0.key) + ", note (Enter saves, Esc skips): " + $0.text + "_"
    }
      ?? (state.config.isReplay
        ? "j k select  d suspects  (acks and silences are the recording's)"
        : "j k select  A ack (with a note)  s silence 15m, 1h, 4h, off  d suspects"),
    at: Point(x: inner.x, y: y),
    style: theme.label, clip: inner)
  let list = alerts.listed
  if list.isEmpty {
    buffer.put(
      "\(glyphs.statusOK) OK: no alert is pending or firing.", at: Point(x: inner.x, y: y + 2),
      style: theme.headline, clip: inner)
    return
  }
  y += 1
  // Two rows per alert (three for a firing one with a suspect); scrolled so the selected one
  // is on screen.
  let selected = alerts.selectedIndex(state.ui.alertSelection)
  let heights = list.enumerated().map { i, inst in
    alertRows(inst, state) + (i == selected ? alertDetails(inst, state).count : 0)
  }
  let first = firstShown(heights, selected: selected, rows: inner.maxY - y)
  for (i, inst) in list.enumerated().dropFirst(first) where y + heights[i] <= inner.maxY {
    renderAlertRow(
      inst, selected: i == selected, state: state, y: y, inner: inner, into: &buffer,
      glyphs: glyphs, theme: theme)
    if i == selected {
      // What to do next: the rule's summary and runbook, and its condition, under the alert.
      for (k, line) in alertDetails(inst, state).enumerated() {
        let row = y + alertRows(inst, state) + k
        buffer.put(
          "    " + truncate(line, toWidth: inner.width - 4, ellipsis: glyphs.ellipsis),
          at: Point(x: inner.x, y: row), style: k == 0 ? theme.headline : theme.label,
          clip: inner)
      }
    }
    y += heights[i]
  }
}

/// Rows an alert takes in the list: its line, its details, and its top suspect when it fires.
func alertRows(_ inst: AlertInstance, _ state: AppState) -> Int {
  inst.state.isProblem && topSuspect(inst, state) != nil ? 3 : 2
}

/// The selected alert's guidance: its rule's `summary` and `description`, its `runbook`
/// (or `runbook_url`), templated with the instance's labels and value, then its condition
/// (threshold, window, `for`), as the report states it. An ack's note comes first: a narrow
/// alert row has no room for it.
func alertDetails(_ inst: AlertInstance, _ state: AppState) -> [String] {
  let note = state.notifier.ackNotes[inst.key].map { ["ACK: " + $0] } ?? []
  return note + ruleGuidance(inst, state)
}

private func ruleGuidance(_ inst: AlertInstance, _ state: AppState) -> [String] {
  let rules = state.engine.rules
  if inst.rule == RuleSet.feedStaleRule {
    return [
      "when no sample of \(inst.labels["feed"] ?? "the feed") comes for its no_data_after "
        + "(default 5m), for \(Nanos.format(rules.feedStaleFor))"
    ]
  }
  guard let rule = rules.rules.first(where: { $0.name == inst.rule }) else { return [] }
  var out: [String] = []
  for (key, label) in [
    ("summary", ""), ("description", ""), ("runbook", "runbook: "), ("runbook_url", "runbook: "),
  ] {
    if let text = rule.annotation(key, labels: inst.labels, value: inst.value), !text.isEmpty {
      out.append(label + printableExcerpt(Array(text.utf8), limit: 300))
    }
  }
  out.append("when " + RuleText.conditionText(rule) { rules.formatValue($0, rule: rule.name) })
  return out
}

/// The top suspect ranked when this instance fired, if any.
func topSuspect(_ inst: AlertInstance, _ state: AppState) -> (Suspect, SuspectRanking)? {
  guard let r = state.firingRanking(inst.key), let s = r.suspects.first else { return nil }
  return (s, r)
}

/// The first row to list so that the selected one (and those before it, as far as they fit)
/// shows within `rows`.
private func firstShown(_ heights: [Int], selected: Int, rows: Int) -> Int {
  guard selected < heights.count else { return 0 }
  var first = selected
  var used = heights[selected]
  while first > 0 && used + heights[first - 1] <= rows {
    first -= 1
    used += heights[first]
  }
  // Fill the screen: from the end, as many as fit.
  var last = selected + 1
  while last < heights.count && used + heights[last] <= rows {
    used += heights[last]
    last += 1
  }
  while first > 0 && used + heights[first - 1] <= rows {
    first -= 1
    used += heights[first]
  }
  return first
}

/// One alert of the list: severity, state, rule, value, ack and silence; then the series it
/// watches and since when; then, firing, its top suspect.
private func renderAlertRow(
  _ inst: AlertInstance, selected isSelected: Bool, state: AppState, y: Int, inner: Rect,
  into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  let notifier = state.notifier
  let rules = state.engine.evaluator.ruleSet
  var x = inner.x
  x += buffer.put(
    isSelected ? glyphs.focusMarker + " " : "  ", at: Point(x: x, y: y),
    style: theme.borderFocused, clip: inner)
  let stateStyle =
    inst.state.isProblem
    ? theme.alertFiring : inst.state == .pending ? theme.alertPending : theme.label
  x += buffer.put(
    stateGlyph(inst.state, glyphs: glyphs) + " " + inst.state.rawValue.uppercased() + " ",
    at: Point(x: x, y: y), style: stateStyle, clip: inner)
  let (mark, style) = severityMark(inst.severity, theme: theme)
  x += buffer.put(" " + mark + " ", at: Point(x: x, y: y), style: style, clip: inner)
  x += buffer.put(" " + inst.rule, at: Point(x: x, y: y), style: theme.headline, clip: inner)
  let value = rules.formatValue(inst.value, rule: inst.rule)
  x += buffer.put("  " + value, at: Point(x: x, y: y), style: theme.text, clip: inner)
  // ACK and SILENCED share what is left of the row: the note is cut first, then the silence's
  // end time goes whole (`SILENCED 14m`), so no part is cut mid-word.
  let rowRoom = inner.maxX - x
  var silenced = ""
  if let silence = notifier.silences[inst.key], state.now < silence.until {
    let left = "  SILENCED \(shortDuration(silence.until.since(state.now)))"
    let full = left + " (to \(CivilTime(silence.until).clock))"
    let ackWidth = notifier.acked.contains(inst.key) ? 5 : 0
    silenced = ackWidth + displayWidth(full) <= rowRoom ? full : left
  }
  if notifier.acked.contains(inst.key) {
    var ack = "  ACK"
    if let note = notifier.ackNotes[inst.key] {
      let noteRoom = rowRoom - displayWidth(silenced) - 7
      if noteRoom >= 6 {
        ack += ": " + truncate(note, toWidth: noteRoom, ellipsis: glyphs.ellipsis)
      }
    }
    x += buffer.put(ack, at: Point(x: x, y: y), style: theme.headline, clip: inner)
  }
  buffer.put(silenced, at: Point(x: x, y: y), style: theme.headline, clip: inner)
  var sinceText = ""
  if let t = since(inst) {
    sinceText = "since \(shortDuration(state.now.since(t))) ago (\(CivilTime(t).clock))"
  }
  // The watched series, abbreviated to leave room for "since" (in full in the Suspects view).
  let room = inner.width - 4 - displayWidth(sinceText) - 2
  var detail = "    "
  if let what = watchedText(inst, rules: rules), room > 8 {
    detail += truncate(what, toWidth: room, ellipsis: glyphs.ellipsis) + "  "
  }
  detail += sinceText
  x = inner.x + buffer.put(detail, at: Point(x: inner.x, y: y + 1), style: theme.text, clip: inner)
  if inst.flap.isFlapping {
    let psc = Format.fixed(inst.flap.psc, 0)
    buffer.put(
      "  FLAPPING (PSC \(psc)%)", at: Point(x: x, y: y + 1), style: theme.warning, clip: inner)
  }
  if inst.state.isProblem, let (s, r) = topSuspect(inst, state) {
    var line = "    top suspect: " + SuspectText.component(s) + " "
    line += SuspectText.change(s, unicode: glyphs.isUnicode)
    if let off = SuspectText.offset(s, in: r) { line += ", moved at " + off }
    line += "  (d: all suspects)"
    buffer.put(line, at: Point(x: inner.x, y: y + 2), style: theme.warning, clip: inner)
  }
}

/// What the alert watches: the rule's series key for this instance, with any other labels
/// (static ones but `severity`) after it; the labels alone when the rule is gone.
private func watchedText(_ inst: AlertInstance, rules: RuleSet) -> String? {
  guard let rule = rules.rules.first(where: { $0.name == inst.rule }) else {
    return inst.shownLabels.isEmpty ? nil : inst.shownLabels
  }
  let key = printableExcerpt(rule.watchedSeries(labels: inst.labels), limit: 300)
  let extra = inst.labels.labels.filter {
    $0.name != "severity" && !key.contains("\($0.name)=\($0.value)")
  }.map { "\($0.name)=\($0.value)" }
  return extra.isEmpty ? key : key + " " + extra.joined(separator: " ")
}

extension AlertSeverityClass {
  var rank: Int {
    switch self {
    case .critical: 0
    case .warning: 1
    case .info: 2
    }
  }
}

/// The alert history (`H`): every episode, newest first, one row each.
func renderAlertHistory(
  _ state: AppState, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  let alerts = state.alertHistory
  let rules = state.engine.rules
  let rect = overlayRect(in: area, width: area.width - 4, height: area.height - 2)
  buffer.fill(rect, with: Cell(" ", style: theme.overlay))
  let inner = drawBox(
    into: &buffer, rect, title: "Alert history (\(alerts.episodes.count) episodes)",
    rightTitle: scrollLabel(state) + "a alerts  Esc close", focused: true, glyphs: glyphs,
    theme: theme)
  guard !inner.isEmpty else { return }
  if alerts.episodes.isEmpty {
    buffer.put(
      "No episodes yet: every breach is listed here with when it fired and resolved.",
      at: Point(x: inner.x, y: inner.y), style: theme.label, clip: inner)
    return
  }
  // Fixed columns on the right, the episode (rule and labels) takes the rest.
  let columns = ["breach", "fired", "resolved", "lasted", "peak"]
  let widths = [8, 8, 8, 7, 7]
  let fixed = widths.reduce(0, +) + widths.count
  let nameWidth = max(8, inner.width - fixed)
  func row(_ name: String, _ cells: [String], y: Int, style: Style) {
    buffer.put(name, at: Point(x: inner.x, y: y), style: style, clip: inner)
    var x = inner.x + nameWidth
    for (cell, w) in zip(cells, widths) {
      x += 1
      let text = String(cell.prefix(w))
      buffer.put(
        text, at: Point(x: x + w - displayWidth(text), y: y), style: style, clip: inner)
      x += w
    }
  }
  row("episode", columns, y: inner.y, style: theme.tableHeader)
  var y = inner.y + 1
  let first = scrollFirst(state, scrollExtent(state))
  for e in alerts.episodes.reversed().dropFirst(first) where y < inner.maxY {
    let labels = e.labels.labels.filter { $0.name != "severity" }.map { "\($0.name)=\($0.value)" }
    var name = e.rule
    if !labels.isEmpty { name += " " + labels.joined(separator: " ") }
    // By display width: CJK and emoji labels must not push the columns right.
    name = truncate(name, toWidth: nameWidth - 1, ellipsis: glyphs.ellipsis)
    let end = e.endedAt ?? state.now
    let lasted = shortDuration(end.since(e.pendingAt)) + (e.isOpen ? "+" : "")
    let resolved: String =
      if let r = e.resolvedAt { CivilTime(r).clock } else if e.endedAt != nil { "no fire" } else {
        "open"
      }
    let cells = [
      CivilTime(e.pendingAt).clock, e.firedAt.map { CivilTime($0).clock } ?? "—", resolved, lasted,
      rules.formatValue(e.peak, rule: e.rule),
    ]
    row(name, cells, y: y, style: e.isOpen && e.firedAt != nil ? theme.bad : theme.text)
    y += 1
  }
}
