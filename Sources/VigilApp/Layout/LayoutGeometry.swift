import VigilRender

/// The fewest rows and columns a panel is readable in (its border and one line).
let panelMinimumHeight = 3
let panelMinimumWidth = 12

/// Where each panel of `layout` goes in `area` (the part of the body the grid takes): one
/// rectangle per panel of ``Layout/panels``, nil for a panel left out.
///
/// Rows divide the height by their sizes (``Rect/split(_:_:spacing:)``), then each row's cells
/// divide its width. When the area is below the grid's minimum (a fixed size, or
/// ``panelMinimumHeight`` rows and ``panelMinimumWidth`` columns per panel), rows (and a row's
/// columns) are dropped: the ones around the focused panel stay, so Tab brings every panel
/// into view. The one function the renderer, the mouse's hit test and the focus keys use.
public func layoutRects(_ layout: Layout, in area: Rect, focus: Int) -> [Rect?] {
  var out = [Rect?](repeating: nil, count: layout.panels.count)
  guard !layout.rows.isEmpty, !area.isEmpty else { return out }
  let focusRow = layout.rows.firstIndex { $0.cells.contains { $0.panel == focus } } ?? 0
  let rows = fitting(
    layout.rows.map { $0.height.minimum(panelMinimumHeight) }, in: area.height, keep: focusRow)
  let rowRects = area.split(.vertical, rows.map { layout.rows[$0].height.constraint })
  for (k, ri) in rows.enumerated() {
    let row = layout.rows[ri]
    guard !row.cells.isEmpty else { continue }
    let keep = row.cells.firstIndex { $0.panel == focus } ?? 0
    let columns = fitting(
      row.cells.map { $0.width.minimum(panelMinimumWidth) }, in: rowRects[k].width, keep: keep)
    let cellRects = rowRects[k].split(.horizontal, columns.map { row.cells[$0].width.constraint })
    for (j, ci) in columns.enumerated() where !cellRects[j].isEmpty {
      let panel = row.cells[ci].panel
      if panel >= 0 && panel < out.count { out[panel] = cellRects[j] }
    }
  }
  return out
}

/// The indices of `minimums` to show in `length` cells: all when they fit, else a run around
/// `keep`, grown one neighbour at a time (below first, then above) while it fits.
func fitting(_ minimums: [Int], in length: Int, keep: Int) -> [Int] {
  guard !minimums.isEmpty else { return [] }
  if minimums.reduce(0, +) <= length { return Array(minimums.indices) }
  let k = min(max(0, keep), minimums.count - 1)
  var low = k
  var high = k
  var used = minimums[k]
  var grew = true
  while grew {
    grew = false
    if high + 1 < minimums.count && used + minimums[high + 1] <= length {
      high += 1
      used += minimums[high]
      grew = true
    }
    if low > 0 && used + minimums[low - 1] <= length {
      low -= 1
      used += minimums[low]
      grew = true
    }
  }
  return Array(low...high)
}

/// The panel below (`rows` 1) or above (-1) `focus`: in the next row, the cell whose middle is
/// nearest the focused one's at the grid's `width`; wraps from the last row to the first.
func verticalNeighbour(_ layout: Layout, of focus: Int, rows step: Int, width: Int) -> Int {
  let count = layout.panels.count
  guard count > 0 else { return 0 }
  // Every row fits in this height; a column a narrow terminal drops is placed as if wide.
  let tall = layoutRects(
    layout, in: Rect(x: 0, y: 0, width: max(1, width), height: 100_000), focus: focus)
  let wide = layoutRects(layout, in: Rect(x: 0, y: 0, width: 10_000, height: 100_000), focus: focus)
  func middle(_ i: Int) -> Int? {
    if let r = tall[i] { return (r.x * 2 + r.width) * 10_000 / max(1, width) }
    return wide[i].map { $0.x * 2 + $0.width }
  }
  guard let r = layout.rows.firstIndex(where: { $0.cells.contains { $0.panel == focus } }),
    let here = middle(focus)
  else { return (focus + step + count) % count }
  var ri = r
  for _ in 0..<layout.rows.count {
    ri = (ri + step + layout.rows.count) % layout.rows.count
    let candidates = layout.rows[ri].cells.compactMap { cell -> (Int, Int)? in
      middle(cell.panel).map { (cell.panel, abs($0 - here)) }
    }
    if let best = candidates.min(by: { $0.1 < $1.1 }) { return best.0 }
  }
  return focus
}
