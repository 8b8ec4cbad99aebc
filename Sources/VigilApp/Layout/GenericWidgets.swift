import VigilCore
import VigilRender

/// Draws a generic layout panel's body (under its headline) with its widget.
func renderWidgetBody(
  _ panel: PanelModel, _ widget: PanelWidget, in area: Rect, into buffer: inout ScreenBuffer,
  glyphs: GlyphSet, theme: Theme
) {
  guard !area.isEmpty else { return }
  var y = area.y
  if widget == .text {
    for line in panel.text where y < area.maxY {
      buffer.put(line, at: Point(x: area.x, y: y), style: theme.text, clip: area)
      y += 1
    }
  }
  guard panel.hasData else {
    _ = drawDetails(
      panel.details, in: Rect(x: area.x, y: y, width: area.width, height: area.maxY - y),
      into: &buffer, glyphs: glyphs, style: theme.label)
    return
  }
  let rest = Rect(x: area.x, y: y, width: area.width, height: area.maxY - y)
  switch widget {
  case .sparkline:
    let left = renderDetails(panel, in: rest, into: &buffer, glyphs: glyphs, theme: theme)
    drawSpark(
      into: &buffer, left, values: panel.spark, glyphs: glyphs, theme: theme,
      threshold: panel.threshold)
  case .line:
    if panel.groups.count > 1 {
      renderSmallMultiples(panel, in: rest, into: &buffer, glyphs: glyphs, theme: theme)
    } else {
      let left = renderDetails(panel, in: rest, into: &buffer, glyphs: glyphs, theme: theme)
      drawLine(
        panel.spark, panel, in: left, maximum: nil, into: &buffer, glyphs: glyphs, theme: theme)
    }
  case .gauge, .bar:
    renderBars(
      panel, gauge: widget == .gauge, in: rest, into: &buffer, glyphs: glyphs, theme: theme)
  case .table:
    drawTable(
      into: &buffer, rest, header: panel.tableHeader, rows: panel.table, numericFrom: 1,
      glyphs: glyphs, theme: theme)
  case .text:
    for group in panel.groups where y < area.maxY {
      let x =
        area.x + buffer.put(group.name, at: Point(x: area.x, y: y), style: theme.label, clip: area)
      buffer.put("  " + group.text, at: Point(x: x, y: y), style: theme.headline, clip: area)
      y += 1
    }
  case .histogram, .heatmap:
    renderDistributionPanel(panel, widget, in: rest, into: &buffer, glyphs: glyphs, theme: theme)
  case .waterfall:
    renderWaterfall(panel, in: rest, into: &buffer, glyphs: glyphs, theme: theme)
  }
}

/// The one place the latency distribution widgets are drawn: a heatmap over time (the p99 bin
/// of each bucket marked, the threshold as a line) or the window's histogram, under a caption.
func renderDistributionPanel(
  _ panel: PanelModel, _ widget: PanelWidget, in area: Rect, into buffer: inout ScreenBuffer,
  glyphs: GlyphSet, theme: Theme
) {
  guard !area.isEmpty, let d = panel.distribution else { return }
  let unit = panel.unit
  let label: (Double) -> String = { unit.format($0) }
  let caption: String
  switch widget {
  case .heatmap:
    caption =
      "samples per \(Nanos.format(d.bucketNanos)) by value, \(Heatmap.overlayGlyph(glyphs)) p99"
  default:
    caption = "\(Format.count(Double(d.total))) samples by value"
  }
  buffer.put(caption, at: Point(x: area.x, y: area.y), style: theme.label, clip: area)
  let plot = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
  guard !plot.isEmpty else { return }
  if widget == .heatmap {
    Heatmap(d, label: label, threshold: panel.threshold, theme: theme)
      .draw(in: plot, on: &buffer, glyphs: glyphs)
  } else {
    Histogram(d, label: label, theme: theme).draw(in: plot, on: &buffer, glyphs: glyphs)
  }
}

/// The detail lines (as many as leave a chart row); returns what is left below them.
private func renderDetails(
  _ panel: PanelModel, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet,
  theme: Theme
) -> Rect {
  let y = drawDetails(
    panel.details, in: Rect(x: area.x, y: area.y, width: area.width, height: area.height - 1),
    into: &buffer, glyphs: glyphs, style: theme.text)
  return Rect(x: area.x, y: y, width: area.width, height: area.maxY - y)
}

/// A braille line chart with min/max labels (a sparkline in one row).
private func drawLine(
  _ values: [Double?], _ panel: PanelModel, in rect: Rect, maximum: Double?,
  labels: Bool = true, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  guard !rect.isEmpty else { return }
  guard rect.height >= 2 else {
    drawSpark(
      into: &buffer, rect, values: values, glyphs: glyphs, theme: theme,
      threshold: panel.threshold)
    return
  }
  let threshold = panel.threshold.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
  let unit = panel.unit
  LineChart(
    values: values, minimum: 0, maximum: maximum ?? sparkTop(values, threshold: threshold),
    threshold: threshold, style: theme.chart, thresholdStyle: theme.threshold,
    labelStyle: theme.label, label: labels ? { $0 == 0 ? "0" : unit.format($0) } : nil
  ).draw(in: rect, on: &buffer, glyphs: glyphs)
}

/// One small line chart per group on a shared scale, the group's name and value at the left.
///
/// Two rows or more per group while they fit; else one row each (a sparkline, the value after
/// the name), so every group shows, and past the area's last row a `+N more` line.
func renderSmallMultiples(
  _ panel: PanelModel, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet,
  theme: Theme
) {
  guard !panel.groups.isEmpty, area.height > 0 else { return }
  let count = panel.groups.count
  let shown =
    count * 2 <= area.height ? count : count <= area.height ? count : max(1, area.height - 1)
  // Every band the same height, so the charts compare; spare rows stay at the bottom.
  let per = shown < count ? 1 : area.height / shown
  let bands = (0..<shown).map { i in
    Rect(x: area.x, y: area.y + i * per, width: area.width, height: per)
  }
  let top = panel.groups.prefix(shown).flatMap(\.spark).compactMap { $0 }.filter(\.isFinite).max()
  let maximum = sparkTop(top.map { [$0] } ?? [], threshold: panel.threshold)
  let nameWidth = min(20, max(6, area.width / 4))
  if shown < count {
    buffer.put(
      "+\(count - shown) more", at: Point(x: area.x, y: area.maxY - 1),
      style: theme.label, clip: area)
  }
  for (group, band) in zip(panel.groups, bands) {
    let label = Rect(x: band.x, y: band.y, width: nameWidth, height: band.height)
    if band.height > 1 {
      buffer.put(
        truncate(group.name, toWidth: nameWidth - 1, ellipsis: glyphs.ellipsis),
        at: Point(x: band.x, y: band.y), style: theme.label, clip: label)
      buffer.put(
        group.text, at: Point(x: band.x, y: band.y + 1), style: theme.headline, clip: label)
    } else {
      // One row: the name, then the value where at least four letters of the name are left.
      let value = displayWidth(group.text)
      let withValue = nameWidth - value - 2 >= 4
      buffer.put(
        truncate(
          group.name, toWidth: withValue ? nameWidth - value - 2 : nameWidth - 1,
          ellipsis: glyphs.ellipsis),
        at: Point(x: band.x, y: band.y), style: theme.label, clip: label)
      if withValue {
        buffer.put(
          group.text, at: Point(x: band.x + nameWidth - value - 1, y: band.y),
          style: theme.headline, clip: label)
      }
    }
    let chart = Rect(
      x: band.x + nameWidth, y: band.y, width: band.width - nameWidth, height: band.height)
    drawLine(
      group.spark, panel, in: chart, maximum: maximum, labels: false, into: &buffer,
      glyphs: glyphs, theme: theme)
  }
}

/// Gauges (a value against the panel's maximum) or bars (against the largest), one row per
/// group. Over the threshold a bar turns `bad` and its label says so (not colour alone).
private func renderBars(
  _ panel: PanelModel, gauge: Bool, in area: Rect, into buffer: inout ScreenBuffer,
  glyphs: GlyphSet, theme: Theme
) {
  let groups = panel.groups
  guard !groups.isEmpty, !area.isEmpty else { return }
  let largest = groups.compactMap(\.value).filter(\.isFinite).max() ?? 0
  let full: Double =
    panel.gaugeMax
    ?? (gauge
      ? (panel.threshold.map { $0 * 1.25 } ?? (panel.unit == .ratio ? 1 : max(largest, 1e-9)))
      : max(largest, 1e-9))
  let single = groups.count == 1
  let nameWidth = single ? 0 : min(16, max(6, area.width / 4))
  let valueWidth = single ? 0 : min(10, max(6, groups.map { displayWidth($0.text) }.max() ?? 6) + 1)
  // One group: the gauge takes up to three rows; several: one row each.
  let rowHeight = single ? min(3, area.height) : 1
  for (i, group) in groups.enumerated() {
    let y = area.y + i * rowHeight
    guard y < area.maxY else { break }
    let over = panel.threshold.map { (group.value ?? 0) >= $0 } ?? false
    let ratio = (group.value ?? 0) / full
    var label = single ? group.text + (gauge ? " of " + panel.unit.format(full) : "") : ""
    if over, let t = panel.threshold {
      label += (label.isEmpty ? "" : " ") + glyphs.statusCritical + " over " + panel.unit.format(t)
    }
    let bar = Rect(
      x: area.x + nameWidth, y: y, width: max(0, area.width - nameWidth - valueWidth),
      height: rowHeight)
    if !single {
      buffer.put(
        truncate(group.name, toWidth: nameWidth - 1, ellipsis: glyphs.ellipsis),
        at: Point(x: area.x, y: y), style: theme.label,
        clip: Rect(x: area.x, y: y, width: nameWidth, height: 1))
      let text = group.text + (over ? glyphs.statusCritical : "")
      buffer.putAligned(
        text, in: Rect(x: bar.maxX, y: y, width: valueWidth, height: 1), alignment: .right,
        style: over ? theme.bad : theme.text)
    }
    Gauge(
      ratio: ratio.isFinite ? ratio : 0, label: label,
      filledStyle: over ? theme.bad : theme.spark, emptyStyle: theme.gap,
      labelStyle: over ? theme.bad : theme.text
    ).draw(in: bar, on: &buffer, glyphs: glyphs)
  }
}
