import Testing

@testable import VigilRender

@Suite struct TableTests {
  let columns = [
    TableColumn("feed"), TableColumn("lines/s", width: .fixed(7), alignment: .right),
    TableColumn("err", width: .fixed(3), alignment: .right),
  ]
  let rows: [[TableCell]] = [
    ["checkout", "1204", "0"],
    ["payments-gateway", "87", TableCell("3", style: Style(foreground: .ansi(1)))],
    ["搜索服务", "12", "0"],
  ]

  private func draw(_ table: Table, _ w: Int, _ h: Int, _ glyphs: GlyphSet = .unicode)
    -> ScreenBuffer
  {
    var b = ScreenBuffer(size: Size(width: w, height: h))
    table.draw(in: b.bounds, on: &b, glyphs: glyphs)
    return b
  }

  @Test func headerRowsSelectionAndCellStyles() {
    expectSnapshot(
      draw(Table(columns: columns, rows: rows, selectedRow: 1), 20, 5),
      """
      ScreenBuffer 20x5
      "feed     lines/s err"
      "checkout    1204   0"
      "payment…      87   3"
      "搜索服务      12   0"
      "                    "
      styles:
        a: bold
        b: reverse
        c: fg=red reverse
      "aaaaaaaaaaaaaaaaaaaa"
      "...................."
      "bbbbbbbbbbbbbbbbbbbc"
      "...................."
      "...................."
      """)
  }

  @Test func narrowTableTruncatesByDisplayWidth() {
    let b = draw(Table(columns: columns, rows: rows), 14, 4, .ascii)
    #expect(b.lines() == ["f> lines/s err", "c>    1204   0", "p>      87   3", ">       12   0"])
  }

  @Test func scrollsToKeepTheSelectionVisible() {
    let table = Table(columns: columns, rows: rows, selectedRow: 2)
    #expect(table.firstVisibleRow(height: 3) == 1)
    #expect(
      draw(table, 20, 3).lines() == [
        "feed     lines/s err", "payment…      87   3", "搜索服务      12   0",
      ])
    var scrolled = table
    scrolled.selectedRow = 0
    scrolled.scrollOffset = 2
    #expect(scrolled.firstVisibleRow(height: 3) == 0)
    scrolled.selectedRow = nil
    #expect(scrolled.firstVisibleRow(height: 3) == 1)  // clamped so the last page is full
    #expect(scrolled.firstVisibleRow(height: 1) == 2)
    #expect(scrolled.firstVisibleRow(height: 10) == 0)
  }

  @Test func noHeaderMissingCellsAndExtraCells() {
    let table = Table(
      columns: columns, rows: [["a"], ["b", "1", "2", "extra"]], showsHeader: false)
    #expect(
      draw(table, 20, 3).lines() == [
        "a                   ", "b              1   2", "                    ",
      ])
  }

  @Test func textRowsInitializer() {
    let table = Table(columns: [TableColumn("k", width: .fixed(2))], textRows: [["ab\u{1B}"]])
    #expect(draw(table, 3, 2).lines() == ["k  ", "a… "])
  }

  @Test func tinyAndOffsetRects() {
    // Spacing alone is wider than the table: every column is empty.
    #expect(draw(Table(columns: columns, rows: rows), 1, 1).lines() == [" "])
    var b = sentinelBuffer(12, 4)
    let rect = Rect(x: 2, y: 1, width: 9, height: 2)
    Table(columns: columns, rows: rows, selectedRow: 0).draw(in: rect, on: &b, glyphs: .ascii)
    expectUntouchedOutside(rect, b)
    #expect(b.lines() == ["xxxxxxxxxxxx", "xx lines/s x", "xx    1204 x", "xxxxxxxxxxxx"])
  }
}
