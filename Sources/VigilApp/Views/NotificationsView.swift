import VigilCore
import VigilRender

/// The alert delivery overlay (`N`): one row per target (sent, failed, waiting, dropped, why
/// the last attempt failed), then the newest notifications handed to delivery, newest first.
func renderNotifications(
  _ state: AppState, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  let rect = overlayRect(in: area, width: area.width - 4, height: area.height - 2)
  buffer.fill(rect, with: Cell(" ", style: theme.overlay))
  let inner = drawBox(
    into: &buffer, rect, title: "Alert delivery", rightTitle: "Esc close", focused: true,
    glyphs: glyphs, theme: theme)
  guard !inner.isEmpty else { return }
  var y = inner.y
  func line(_ text: String, _ style: Style) {
    guard y < inner.maxY else { return }
    buffer.put(
      truncate(text, toWidth: inner.width, ellipsis: glyphs.ellipsis), at: Point(x: inner.x, y: y),
      style: style, clip: inner)
    y += 1
  }
  guard let delivery = state.delivery, !delivery.targets.isEmpty else {
    line("No alert delivery. Start Vigil with one or more of:", theme.label)
    line("  --on-alert CMD      run a command on firing and resolved", theme.text)
    line("  --webhook URL       Alertmanager's webhook payload (version 4)", theme.text)
    line("  --alertmanager URL  Alertmanager's API v2, resent while firing", theme.text)
    line("or a notify: section in the config file.", theme.label)
    return
  }
  for t in delivery.targets {
    let s = t.stats
    let style = s.failing ? theme.bad : theme.text
    let mark = s.failing ? glyphs.statusCritical + " " : "  "
    line(mark + printableExcerpt(t.name, limit: 200), style.adding(.bold))
    var counts = "    sent \(s.delivered), failed \(s.failed), waiting \(s.waiting)"
    if s.retries > 0 { counts += ", retries \(s.retries)" }
    if s.dropped > 0 { counts += ", dropped \(s.dropped) (queue full)" }
    line(counts, style)
    if let e = s.lastError {
      line(
        "    last error: " + printableExcerpt(e, limit: 300), s.failing ? theme.bad : theme.label)
    }
  }
  y += 1
  line(
    delivery.recent.isEmpty
      ? "Nothing sent yet: a live alert that starts firing is sent, and again when it resolves."
      : "Newest notifications", theme.tableHeader)
  for n in delivery.recent.reversed() {
    let text =
      CivilTime(n.at).clock + "  " + n.status.rawValue.padding(8) + " "
      + printableExcerpt(n.rule + n.labels, limit: 300)
    line(text, n.status == .firing ? theme.bad : theme.text)
  }
}

extension String {
  /// Padded with spaces to `width` characters (never cut).
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
