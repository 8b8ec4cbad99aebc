/// A table column: its title, how wide it is, and how its cells align.
public struct TableColumn: Hashable, Sendable {
  public var title: String
  public var width: Constraint
  public var alignment: Alignment

  public init(_ title: String, width: Constraint = .fill(1), alignment: Alignment = .left) {
    self.title = title
    self.width = width
    self.alignment = alignment
  }
}

/// One table cell: text and an optional style of its own (nil: the row style).
public struct TableCell: Hashable, Sendable, ExpressibleByStringLiteral {
  public var text: String
  public var style: Style?

  public init(_ text: String, style: Style? = nil) {
    self.text = text
    self.style = style
  }

  public init(stringLiteral value: String) { self.init(value) }
}

/// Rows of cells under a header, with one row optionally selected.
///
/// ```text
/// feed       lines/s  errors
/// checkout      1204       0
/// payments       87…       3      (a selected row is drawn reversed)
/// ```
///
/// Column widths come from ``TableColumn/width`` via ``Rect/split(_:_:spacing:)`` with
/// ``columnSpacing`` between columns. Cell text is truncated with the glyph set's ellipsis
/// (by display width, so CJK and emoji cannot overflow a column) and aligned in its column.
/// The table scrolls so the selected row is visible (see ``firstVisibleRow(height:)``).
///
/// ```swift
/// Table(columns: [TableColumn("feed"), TableColumn("lines/s", width: .fixed(8), alignment: .right)],
///       rows: [["checkout", "1204"]], selectedRow: 0)
///   .draw(in: area, on: &buffer, glyphs: glyphs)
/// ```
public struct Table: Hashable, Sendable {
  public var columns: [TableColumn]
  public var rows: [[TableCell]]
  public var showsHeader: Bool
  public var headerStyle: Style
  public var rowStyle: Style
  public var selectedRow: Int?
  /// Applied over the whole selected row, keeping per-cell colours.
  public var selectedPatch: StylePatch
  public var columnSpacing: Int
  /// The first row to show, before adjusting to keep the selected row visible.
  public var scrollOffset: Int

  public init(
    columns: [TableColumn], rows: [[TableCell]], showsHeader: Bool = true,
    headerStyle: Style = Style(attributes: .bold), rowStyle: Style = .plain,
    selectedRow: Int? = nil, selectedPatch: StylePatch = StylePatch(adding: .reverse),
    columnSpacing: Int = 1, scrollOffset: Int = 0
  ) {
    self.columns = columns
    self.rows = rows
    self.showsHeader = showsHeader
    self.headerStyle = headerStyle
    self.rowStyle = rowStyle
    self.selectedRow = selectedRow
    self.selectedPatch = selectedPatch
    self.columnSpacing = columnSpacing
    self.scrollOffset = scrollOffset
  }

  /// A table of plain-text rows.
  public init(columns: [TableColumn], textRows: [[String]]) {
    self.init(columns: columns, rows: textRows.map { $0.map { TableCell($0) } })
  }

  /// The index of the first data row shown in a table `height` rows tall (header included):
  /// ``scrollOffset`` clamped so the last page is full, then moved so ``selectedRow`` is
  /// visible.
  public func firstVisibleRow(height: Int) -> Int {
    let visible = Swift.max(0, height - (showsHeader ? 1 : 0))
    var first = Swift.max(0, Swift.min(scrollOffset, rows.count - visible))
    if let selected = selectedRow, visible > 0, selected >= 0, selected < rows.count {
      if selected < first {
        first = selected
      } else if selected >= first + visible {
        first = selected - visible + 1
      }
    }
    return first
  }

  /// Draws the table into `rect` (clipped to the buffer); every cell of `rect` is written.
  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: GlyphSet) {
    let visible = rect.intersection(buffer.bounds)
    guard !visible.isEmpty else { return }
    buffer.fill(visible, with: Cell(" ", style: rowStyle))
    let columnRects = Rect(x: rect.x, y: 0, width: rect.width, height: 1)
      .split(.horizontal, columns.map(\.width), spacing: columnSpacing)
    func drawRow(_ cells: [TableCell], y: Int, defaultStyle: Style) {
      for (index, (column, area)) in zip(columns, columnRects).enumerated() {
        guard index < cells.count, area.width > 0 else { continue }
        let cell = cells[index]
        buffer.putAligned(
          cell.text, in: Rect(x: area.x, y: y, width: area.width, height: 1),
          alignment: column.alignment, style: cell.style ?? defaultStyle,
          ellipsis: glyphs.ellipsis)
      }
    }
    var y = rect.y
    if showsHeader {
      let header = Rect(x: rect.x, y: y, width: rect.width, height: 1)
      buffer.fill(header.intersection(visible), with: Cell(" ", style: headerStyle))
      drawRow(columns.map { TableCell($0.title) }, y: y, defaultStyle: headerStyle)
      y += 1
    }
    var index = firstVisibleRow(height: rect.height)
    while y < visible.maxY && index < rows.count {
      if y >= visible.y {
        drawRow(rows[index], y: y, defaultStyle: rowStyle)
        if index == selectedRow {
          buffer.setStyle(Rect(x: rect.x, y: y, width: rect.width, height: 1), patch: selectedPatch)
        }
      }
      y += 1
      index += 1
    }
  }
}
