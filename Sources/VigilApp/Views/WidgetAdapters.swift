import VigilRender

/// A bordered panel in the theme's styles; returns the inner rect.
@discardableResult
func drawBox(
  into buffer: inout ScreenBuffer, _ rect: Rect, title: String, rightTitle: String?,
  focused: Bool, glyphs: GlyphSet, theme: Theme
) -> Rect {
  Box(
    title: title, rightTitle: rightTitle ?? "", borderStyle: theme.border,
    titleStyle: focused ? theme.borderFocused : theme.panelTitle, focused: focused,
    focusedBorderStyle: theme.borderFocused
  ).draw(in: rect, on: &buffer, glyphs: glyphs)
}

/// A sparkline, newest bucket at the right edge; gaps stay gaps.
func drawSpark(
  into buffer: inout ScreenBuffer, _ rect: Rect, values: [Double?], glyphs: GlyphSet, theme: Theme,
  minimum: Double? = nil
) {
  Sparkline(values: values, minimum: minimum, style: theme.spark, gapStyle: theme.label)
    .draw(in: rect, on: &buffer, glyphs: glyphs)
}

/// A table whose first column is a name and the rest numbers (right-aligned).
func drawTable(
  into buffer: inout ScreenBuffer, _ rect: Rect, header: [String], rows: [[String]],
  numericFrom: Int, glyphs: GlyphSet, theme: Theme
) {
  let columns = header.enumerated().map { i, title in
    i < numericFrom
      ? TableColumn(title, width: .fill(1), alignment: .left)
      : TableColumn(title, width: .fixed(max(7, displayWidth(title))), alignment: .right)
  }
  Table(
    columns: columns, rows: rows.map { $0.map { TableCell($0) } }, headerStyle: theme.tableHeader,
    rowStyle: theme.text
  ).draw(in: rect, on: &buffer, glyphs: glyphs)
}
