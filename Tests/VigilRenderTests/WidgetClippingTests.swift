import Testing

@testable import VigilRender

/// Every widget, at every size and position, draws only inside its rectangle, leaves the
/// buffer well formed, and does not crash (ratatui's `it_draws_double_height` idea).
@Suite struct WidgetClippingTests {
  static let rects: [Rect] = [
    Rect(x: 0, y: 0, width: 0, height: 0), Rect(x: 0, y: 0, width: 1, height: 1),
    Rect(x: 5, y: 3, width: 1, height: 1), Rect(x: 2, y: 1, width: 3, height: 2),
    Rect(x: 1, y: 1, width: 2, height: 2), Rect(x: -2, y: -1, width: 5, height: 3),
    Rect(x: 4, y: 2, width: 10, height: 10), Rect(x: -100, y: -100, width: 1000, height: 1000),
    Rect(x: 9, y: 5, width: 1, height: 1), Rect(x: 3, y: 0, width: 0, height: 5),
    Rect(x: 0, y: 0, width: 10, height: 6), Rect(x: 1, y: 1, width: 8, height: 4),
    Rect(x: 0, y: 0, width: 1 << 40, height: 1 << 40), Rect(x: 12, y: 9, width: 3, height: 3),
    Rect(x: 2, y: 2, width: -4, height: 3),
  ]

  static let values: [Double?] = [0, 3, nil, 1e300, -2, .nan, .infinity, 7, nil, 0.5, 1]
  static let rows: [[TableCell]] = [
    ["checkout", "1204", "0"],
    ["搜索服务-search", "12", TableCell("5", style: Style(attributes: .bold))],
    ["pay\u{1B}[31m", "😀😀😀", "\u{202E}x"],
  ]

  static let widgets: [(String, @Sendable (Rect, inout ScreenBuffer, GlyphSet) -> Void)] = [
    (
      "box",
      { r, b, g in
        Box(title: "checkout 服务", rightTitle: "p99 231ms", focused: true).draw(
          in: r, on: &b, glyphs: g)
      }
    ),
    ("box-empty", { r, b, g in Box().draw(in: r, on: &b, glyphs: g) }),
    ("sparkline", { r, b, g in Sparkline(values: values).draw(in: r, on: &b, glyphs: g) }),
    ("sparkline-empty", { r, b, g in Sparkline(values: []).draw(in: r, on: &b, glyphs: g) }),
    ("gauge", { r, b, g in Gauge(ratio: 0.6, label: "60% 预算").draw(in: r, on: &b, glyphs: g) }),
    (
      "table",
      { r, b, g in
        Table(
          columns: [
            TableColumn("feed"), TableColumn("lines/s", width: .fixed(7), alignment: .right),
            TableColumn("err", width: .min(3), alignment: .right),
          ], rows: rows, selectedRow: 2
        ).draw(in: r, on: &b, glyphs: g)
      }
    ),
    (
      "paragraph",
      { r, b, g in
        Paragraph(
          lines: [
            "the quick brown 狐狸 jumps",
            TextLine(spans: [
              TextSpan("bold", style: Style(attributes: .bold)), TextSpan(" \u{1B}]0;x\u{7}"),
            ]),
          ], alignment: .center
        ).draw(in: r, on: &b, glyphs: g)
      }
    ),
    (
      "paragraph-truncate",
      { r, b, g in
        Paragraph("a very long line of text 很长\nsecond", overflow: .truncate).draw(
          in: r, on: &b, glyphs: g)
      }
    ),
    (
      "putAligned",
      { r, b, _ in b.putAligned("right 界 aligned", in: r, alignment: .right, style: .plain) }
    ),
  ]

  @Test(arguments: 0..<widgets.count)
  func drawsOnlyInsideItsRect(widget: Int) {
    let (name, draw) = Self.widgets[widget]
    for glyphs in [GlyphSet.unicode, .ascii] {
      for rect in Self.rects {
        var buffer = sentinelBuffer(10, 6)
        draw(rect, &buffer, glyphs)
        expectUntouchedOutside(rect.intersection(buffer.bounds), buffer)
        expectWellFormed(buffer)
        for line in buffer.lines() where line.unicodeScalars.contains(where: isTerminalUnsafe) {
          Issue.record("\(name) wrote an unsafe scalar in \(rect)")
        }
      }
    }
  }

  @Test func zeroSizedBufferIsSafe() {
    for (_, draw) in Self.widgets {
      var buffer = ScreenBuffer(size: Size(width: 0, height: 0))
      for rect in Self.rects { draw(rect, &buffer, .unicode) }
      #expect(buffer.cells.isEmpty)
    }
  }
}
