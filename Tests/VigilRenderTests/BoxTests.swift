import Testing

@testable import VigilRender

@Suite struct BoxTests {
  private func draw(_ box: Box, _ w: Int, _ h: Int, _ glyphs: GlyphSet = .unicode) -> (
    ScreenBuffer, Rect
  ) {
    var b = ScreenBuffer(size: Size(width: w, height: h))
    let inner = box.draw(in: b.bounds, on: &b, glyphs: glyphs)
    return (b, inner)
  }

  @Test func bothTitlesFit() {
    let (b, inner) = draw(Box(title: "checkout", rightTitle: "p99 231ms"), 24, 3)
    #expect(inner == Rect(x: 1, y: 1, width: 22, height: 1))
    expectSnapshot(
      b,
      """
      ScreenBuffer 24x3
      "┌ checkout ─ p99 231ms ┐"
      "│                      │"
      "└──────────────────────┘"
      styles: plain
      """)
  }

  @Test func rightTitleDroppedBeforeLeftIsSqueezed() {
    #expect(
      draw(Box(title: "checkout", rightTitle: "p99 231ms"), 16, 2).0.lines() == [
        "┌ checkout ────┐", "└──────────────┘",
      ])
    #expect(
      draw(Box(title: "checkout", rightTitle: "p99"), 15, 2).0.lines()
        == ["┌ chec… ─ p99 ┐", "└─────────────┘"])
  }

  @Test func leftTitleTruncatesWithEllipsis() {
    #expect(draw(Box(title: "checkout"), 8, 2).0.lines() == ["┌ che… ┐", "└──────┘"])
    #expect(draw(Box(title: "checkout"), 4, 2).0.lines() == ["┌c…┐", "└──┘"])
    #expect(draw(Box(title: "checkout"), 3, 2).0.lines() == ["┌…┐", "└─┘"])
    #expect(draw(Box(title: "服务服务"), 8, 2).0.lines() == ["┌ 服… ─┐", "└──────┘"])
  }

  /// A short title takes the place of one that does not fit; one that fits stays.
  @Test func aShortTitleStandsInForOneThatDoesNotFit() {
    let box = Box(title: "Support tickets", rightTitle: "● FIRING", shortTitle: "Tickets")
    #expect(draw(box, 32, 2).0.lines()[0] == "┌ Support tickets ─── ● FIRING ┐")
    #expect(draw(box, 24, 2).0.lines()[0] == "┌ Tickets ─── ● FIRING ┐")
    var focused = box
    focused.focused = true
    #expect(draw(focused, 24, 2).0.lines()[0] == "┌ ▶ Tickets ─ ● FIRING ┐")
  }

  @Test func tinyRects() {
    let (two, inner2) = draw(Box(title: "x"), 2, 2)
    #expect(two.lines() == ["┌┐", "└┘"])
    #expect(inner2.isEmpty)
    let (one, inner1) = draw(Box(title: "x"), 1, 1)
    #expect(one.lines() == [" "])
    #expect(inner1.isEmpty)
    #expect(draw(Box(title: "x"), 5, 1).0.lines() == ["     "])
  }

  @Test func focusedUsesMarkerAndStyle() {
    let box = Box(
      title: "db", borderStyle: Style(foreground: .ansi(8)), focused: true,
      focusedBorderStyle: Style(foreground: .ansi(6), attributes: .bold))
    expectSnapshot(
      draw(box, 10, 3).0,
      """
      ScreenBuffer 10x3
      "┌ ▶ db ──┐"
      "│        │"
      "└────────┘"
      styles:
        a: fg=cyan bold
      "aaaaaaaaaa"
      "a........a"
      "aaaaaaaaaa"
      """)
  }

  @Test func asciiAndTitleStyle() {
    let box = Box(title: "api", rightTitle: "ok", titleStyle: Style(attributes: .bold))
    expectSnapshot(
      draw(box, 14, 3, .ascii).0,
      """
      ScreenBuffer 14x3
      "+ api --- ok +"
      "|            |"
      "+------------+"
      styles:
        a: bold
      ".aaaaa...aaaa."
      ".............."
      ".............."
      """)
  }

  @Test func drawsOnlyInItsRect() {
    var b = sentinelBuffer(8, 5)
    let rect = Rect(x: 2, y: 1, width: 5, height: 3)
    let inner = Box(title: "abc").draw(in: rect, on: &b, glyphs: .unicode)
    #expect(inner == Rect(x: 3, y: 2, width: 3, height: 1))
    #expect(b.lines() == ["xxxxxxxx", "xx┌abc┐x", "xx│xxx│x", "xx└───┘x", "xxxxxxxx"])
    expectUntouchedOutside(rect, b)
  }
}
