import VigilRender

/// A bordered panel in the theme's styles; returns the inner rect.
@discardableResult
func drawBox(
  into buffer: inout ScreenBuffer, _ rect: Rect, title: String, rightTitle: String?,
  focused: Bool, glyphs: GlyphSet, theme: Theme, shortTitle: String? = nil
) -> Rect {
  Box(
    title: title, rightTitle: rightTitle ?? "", borderStyle: theme.border,
    titleStyle: focused ? theme.borderFocused : theme.panelTitle, focused: focused,
    focusedBorderStyle: theme.borderFocused, shortTitle: shortTitle
  ).draw(in: rect, on: &buffer, glyphs: glyphs)
}

/// Rows from which a panel's chart is a line chart (braille dots, or an ASCII line) with
/// min/max labels instead of bars: zoomed panels and the big panels of a tall terminal. An
/// 80x24 dashboard keeps its block sparklines.
let lineChartMinimumRows = 6

/// A panel's chart: a ``LineChart`` when `rect` has ``lineChartMinimumRows`` rows, else a
/// sparkline. With a threshold, the scale runs from 0 to above it and a line marks it.
/// - Returns: where the plot itself is (right of the labels), and the glyph of its threshold
///   line (for a caption).
@discardableResult
func drawChart(
  into buffer: inout ScreenBuffer, _ rect: Rect, values: [Double?], glyphs: GlyphSet,
  theme: Theme, threshold: Double?, unit: ValueUnit, minimum: Double? = nil
) -> (plot: Rect, thresholdGlyph: String) {
  guard rect.height >= lineChartMinimumRows else {
    drawSpark(
      into: &buffer, rect, values: values, glyphs: glyphs, theme: theme, minimum: minimum,
      threshold: threshold)
    return (rect, glyphs.thresholdLine)
  }
  let usable = threshold.flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
  let chart = LineChart(
    values: values, minimum: usable != nil ? 0 : minimum,
    maximum: usable != nil ? sparkTop(values, threshold: usable) : nil, threshold: usable,
    style: theme.chart, thresholdStyle: theme.threshold, labelStyle: theme.label,
    label: { $0 == 0 ? "0" : unit.format($0) })
  chart.draw(in: rect, on: &buffer, glyphs: glyphs)
  return (
    chart.plotArea(in: rect), chart.thresholdGlyph(in: rect, glyphs: glyphs) ?? glyphs.thresholdLine
  )
}

/// A sparkline, newest bucket at the right edge; gaps stay gaps. With a threshold, the scale
/// runs from 0 to above it and a line marks it wherever no bar covers it.
func drawSpark(
  into buffer: inout ScreenBuffer, _ rect: Rect, values: [Double?], glyphs: GlyphSet, theme: Theme,
  minimum: Double? = nil, threshold: Double? = nil
) {
  guard let threshold, threshold > 0, threshold.isFinite, rect.height > 0 else {
    Sparkline(values: values, minimum: minimum, style: theme.spark, gapStyle: theme.gap)
      .draw(in: rect, on: &buffer, glyphs: glyphs)
    return
  }
  let top = sparkTop(values, threshold: threshold) ?? threshold
  Sparkline(values: values, minimum: 0, maximum: top, style: theme.spark, gapStyle: theme.gap)
    .draw(in: rect, on: &buffer, glyphs: glyphs)
  let fromBottom = min(rect.height - 1, Int(clamping: threshold / top * Double(rect.height)))
  let y = rect.maxY - 1 - fromBottom
  for x in rect.x..<rect.maxX where x >= 0 && x < buffer.width && y >= 0 && y < buffer.height {
    if buffer[x, y].text == " " && glyphs.drawsThreshold(atColumn: x) {
      buffer[x, y] = Cell(glyphs.thresholdLine, style: theme.threshold)
    }
  }
}

/// A table whose first column is a name and the rest numbers (right-aligned).
///
/// When the names would get fewer columns than they need (up to 24), the `optional` columns
/// are dropped, in that order, until they fit: a name cut to `api_l…` tells nothing, a p90
/// beside the p95 is a nicety.
func drawTable(
  into buffer: inout ScreenBuffer, _ rect: Rect, header: [String], rows: [[String]],
  numericFrom: Int, glyphs: GlyphSet, theme: Theme, optional: [Int] = []
) {
  let width = { (i: Int) in max(7, displayWidth(header[i])) }
  var kept = Array(header.indices)
  // Measured only for a table with columns to spare (the "Other metrics" list may be long).
  let names =
    optional.isEmpty
    ? 0 : rows.map { $0.prefix(numericFrom).map(displayWidth).reduce(0, +) }.max() ?? 0
  let need = min(24, max(names, header.prefix(numericFrom).map(displayWidth).reduce(0, +)))
  var numeric = kept.filter { $0 >= numericFrom }.reduce(0) { $0 + width($1) + 1 }
  for i in optional where rect.width - numeric < need {
    guard let at = kept.firstIndex(of: i), i >= numericFrom else { continue }
    kept.remove(at: at)
    numeric -= width(i) + 1
  }
  let columns = kept.map { i in
    i < numericFrom
      ? TableColumn(header[i], width: .fill(1), alignment: .left)
      : TableColumn(header[i], width: .fixed(width(i)), alignment: .right)
  }
  Table(
    columns: columns,
    rows: rows.map { row in kept.map { TableCell($0 < row.count ? row[$0] : "") } },
    headerStyle: theme.tableHeader, rowStyle: theme.text
  ).draw(in: rect, on: &buffer, glyphs: glyphs)
}

/// The value a sparkline draws at full height: the highest value, raised to leave room above a
/// threshold; nil when there is nothing to draw.
func sparkTop(_ values: [Double?], threshold: Double?) -> Double? {
  let highest = values.compactMap { $0 }.filter(\.isFinite).max()
  guard let threshold, threshold > 0, threshold.isFinite else { return highest }
  return max(highest ?? 0, threshold * 1.25)
}
