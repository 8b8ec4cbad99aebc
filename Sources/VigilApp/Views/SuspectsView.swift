import VigilCore
import VigilRender

/// How the Suspects view lays out in a terminal: rows per suspect, rows before the first.
struct SuspectsLayout: Equatable {
  var inner: Rect
  /// Rows per suspect: the text row and the series row with its sparkline; a third (a taller
  /// sparkline) on a tall terminal.
  var block: Int
  /// Rows of header above the list.
  static let header = 2

  init(_ size: Size) {
    let body = dashboardBody(size)
    let rect = overlayRect(in: body, width: body.width - 4, height: body.height - 2)
    inner = Rect(
      x: rect.x + 1, y: rect.y + 1, width: max(0, rect.width - 2), height: max(0, rect.height - 2))
    block = inner.height >= 30 ? 3 : 2
  }

  /// Suspects that fit at once.
  var visible: Int { max(0, (inner.height - SuspectsLayout.header) / block) }
}

/// The Suspects view (`d`): the ranking, each suspect with its component, change, onset, series
/// and a sparkline of its per-minute values against its baseline band. Suspects, not causes.
func renderSuspects(
  _ state: AppState, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  let rect = overlayRect(in: area, width: area.width - 4, height: area.height - 2)
  buffer.fill(rect, with: Cell(" ", style: theme.overlay))
  let ranking = state.shownSuspects
  let inner = drawBox(
    into: &buffer, rect, title: suspectsTitle(state, ranking),
    rightTitle: scrollLabel(state) + "a alerts  Esc close", focused: true, glyphs: glyphs,
    theme: theme)
  guard !inner.isEmpty else { return }
  let layout = SuspectsLayout(state.ui.size)
  buffer.put(
    suspectsHeadline(state), at: Point(x: inner.x, y: inner.y), style: theme.label, clip: inner)
  let warm = state.baselineMinutes
  let warming =
    warm < state.suspectsWarmupMinutes
    ? "baseline warming up, \(warm) of \(state.suspectsWarmupMinutes) minutes" : nil
  guard let ranking else {
    buffer.put(
      "No suspects were ranked when this alert fired.", at: Point(x: inner.x, y: inner.y + 2),
      style: theme.label, clip: inner)
    return
  }
  if ranking.suspects.isEmpty {
    let (text, style) =
      warming.map { ($0 + ": suspects are ranked once series have a baseline", theme.warning) }
      ?? ("\(glyphs.statusOK) no series deviates from its baseline", theme.headline)
    buffer.put(text, at: Point(x: inner.x, y: inner.y + 2), style: style, clip: inner)
    return
  }
  let count = ranking.suspects.count
  var status = "\(count) suspect\(count == 1 ? "" : "s"), best first: moved most, and first"
  if let warming { status = warming + "; " + status }
  buffer.put(
    status, at: Point(x: inner.x, y: inner.y + 1),
    style: warming == nil ? theme.label : theme.warning, clip: inner)
  let first = scrollFirst(state, scrollExtent(state))
  var y = inner.y + SuspectsLayout.header
  for (i, s) in ranking.suspects.enumerated().dropFirst(first) where y + layout.block <= inner.maxY
  {
    let row = Rect(x: inner.x, y: y, width: inner.width, height: layout.block)
    renderSuspect(
      s, rank: i + 1, ranking: ranking, engine: state.engine, in: row, into: &buffer,
      glyphs: glyphs, theme: theme)
    y += layout.block
  }
}

private func suspectsTitle(_ state: AppState, _ ranking: SuspectRanking?) -> String {
  switch state.ui.suspectsSubject {
  case .now:
    return "Suspects at \(CivilTime(ranking?.t ?? state.suspectsTime).clock)"
  case .alert(let key):
    let fired = ranking.map { ", fired \(CivilTime($0.t).clock)" } ?? ""
    return "Suspects of \(printableExcerpt(key.rule, limit: 60))\(fired)"
  }
}

/// The first line: what the ranking is about (the alert's watched series, in full).
private func suspectsHeadline(_ state: AppState) -> String {
  guard case .alert(let key) = state.ui.suspectsSubject else {
    return "suspects, not root causes: series ranked by distance from their baseline"
  }
  let rule = state.engine.rules.rules.first { $0.name == key.rule }
  let watched = rule.map { printableExcerpt($0.watchedSeries(labels: key.labels), limit: 300) }
  return "watches " + (watched ?? "(rule no longer loaded)")
}

/// One suspect: rank, component, change and onset; then its series, sparkline and band.
private func renderSuspect(
  _ s: Suspect, rank: Int, ranking: SuspectRanking, engine: Engine, in row: Rect,
  into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  var x = row.x
  let head = rank < 10 ? " \(rank). " : "\(rank). "
  x += buffer.put(head, at: Point(x: x, y: row.y), style: theme.headline, clip: row)
  let component = truncate(
    SuspectText.component(s), toWidth: 14, ellipsis: glyphs.ellipsis)
  buffer.put(component, at: Point(x: x, y: row.y), style: theme.headline, clip: row)
  x += 15
  let change = SuspectText.change(s, unicode: glyphs.isUnicode)
  let changeStyle = rank == 1 ? theme.bad : theme.warning
  buffer.put(change, at: Point(x: x, y: row.y), style: changeStyle, clip: row)
  x += max(14, displayWidth(change) + 2)
  var onset = SuspectText.onset(s, in: ranking)
  if let by = s.explainedBy { onset += "; follows " + printableExcerpt(by, limit: 40) }
  buffer.put(onset, at: Point(x: x, y: row.y), style: theme.text, clip: row)
  // The series and its sparkline against the band, on the rows below.
  let indent = 4
  let band = "band " + SuspectText.band(s, unicode: glyphs.isUnicode)
  let seriesText = SuspectText.series(s)
  // The sparkline gives up columns (down to 8) before the series' name is cut: at 80 columns
  // `api_latency_ms{service=payment}` lost its last letter to a wider chart.
  let preferred = min(60, max(8, (row.width - indent) / 4))
  let bandWidth = min(21, max(0, row.width - indent - preferred - 2))
  let room = row.width - indent - bandWidth - 2
  let sparkWidth = max(min(8, preferred), min(preferred, room - displayWidth(seriesText) - 1))
  let sparkX = row.maxX - bandWidth - 1 - sparkWidth
  let seriesWidth = max(0, sparkX - row.x - indent - 1)
  let series = truncate(seriesText, toWidth: seriesWidth, ellipsis: glyphs.ellipsis)
  buffer.put(series, at: Point(x: row.x + indent, y: row.y + 1), style: theme.text, clip: row)
  let sparkRect = Rect(x: sparkX, y: row.y + 1, width: sparkWidth, height: row.height - 1)
  let values = engine.suspectValues(s, at: ranking.t, count: sparkWidth)
  drawBandSpark(
    into: &buffer, sparkRect, values: values, baseline: s.baseline, glyphs: glyphs, theme: theme)
  buffer.put(
    truncate(band, toWidth: bandWidth, ellipsis: glyphs.ellipsis),
    at: Point(x: row.maxX - bandWidth, y: row.maxY - 1), style: theme.label, clip: row)
}

/// A sparkline (0 at the bottom) whose bars past the baseline band (more than three scales from
/// the median) are drawn in the alarm style, and whose band rows show the band's glyph where no
/// bar covers them, so the band reads without colour.
func drawBandSpark(
  into buffer: inout ScreenBuffer, _ rect: Rect, values: [Double?], baseline: Baseline,
  glyphs: GlyphSet, theme: Theme
) {
  guard rect.width > 0, rect.height > 0 else { return }
  let high = baseline.median + baseline.scale
  let finite = values.compactMap { $0 }.filter(\.isFinite)
  let top = max(finite.max() ?? 0, high * 1.1, .leastNormalMagnitude)
  Sparkline(values: values, minimum: 0, maximum: top, style: theme.spark, gapStyle: theme.gap)
    .draw(in: rect, on: &buffer, glyphs: glyphs)
  let far = max(3 * baseline.scale, 0.05 * abs(baseline.median))
  let shown = values.suffix(rect.width)
  var x = rect.maxX - shown.count
  for v in shown {
    defer { x += 1 }
    guard let v, v.isFinite, abs(v - baseline.median) > far else { continue }
    for y in rect.y..<rect.maxY where buffer.bounds.contains(Point(x: x, y: y)) {
      if buffer[x, y].text != " " { buffer[x, y].style = theme.bad }
    }
  }
  // The band's rows (median ± scale), marked where no bar reaches.
  let rows = rect.height
  func row(_ v: Double) -> Int {
    let f = max(0, min(1, v / top))
    return rect.maxY - 1 - min(rows - 1, Int(clamping: (f * Double(rows)).rounded(.down)))
  }
  let bandTop = row(high)
  let bandBottom = row(max(0, baseline.median - baseline.scale))
  guard rows > 1 else { return }
  for y in bandTop...bandBottom {
    for x in rect.x..<rect.maxX where buffer.bounds.contains(Point(x: x, y: y)) {
      if buffer[x, y].text == " " && glyphs.drawsThreshold(atColumn: x) {
        buffer[x, y] = Cell(glyphs.thresholdLine, style: theme.threshold)
      }
    }
  }
}
