import Testing

@testable import VigilRender

@Suite struct ParagraphTests {
  private func draw(_ p: Paragraph, _ w: Int, _ h: Int, _ glyphs: GlyphSet = .unicode) -> [String] {
    var b = ScreenBuffer(size: Size(width: w, height: h))
    p.draw(in: b.bounds, on: &b, glyphs: glyphs)
    return b.lines()
  }

  @Test func wrapsAtWords() {
    let p = Paragraph("the quick brown fox")
    #expect(draw(p, 10, 3) == ["the quick ", "brown fox ", "          "])
    #expect(p.height(forWidth: 10) == 2)
    #expect(p.height(forWidth: 100) == 1)
    #expect(p.height(forWidth: 0) == 0)
  }

  @Test func breaksLongWords() {
    #expect(draw(Paragraph("abcdefghijkl"), 5, 3) == ["abcde", "fghij", "kl   "])
    #expect(draw(Paragraph("ab cdefghij"), 5, 3) == ["ab cd", "efghi", "j    "])
  }

  @Test func alignment() {
    #expect(draw(Paragraph("ab", alignment: .center), 7, 1) == ["  ab   "])
    #expect(draw(Paragraph("ab", alignment: .right), 7, 1) == ["     ab"])
    #expect(draw(Paragraph("one two three", alignment: .right), 7, 2) == ["one two", "  three"])
  }

  @Test func truncates() {
    #expect(
      draw(Paragraph("the quick brown fox\nok", overflow: .truncate), 10, 3) == [
        "the quick…", "ok        ", "          ",
      ])
    #expect(
      draw(Paragraph("the quick brown fox", overflow: .truncate), 10, 1, .ascii) == ["the quick>"])
  }

  @Test func indentationAndSpaces() {
    #expect(draw(Paragraph("  indented text"), 8, 3) == ["indented", "text    ", "        "])
    #expect(draw(Paragraph("  a  b"), 8, 1) == ["  a  b  "])
    #expect(draw(Paragraph("a    b"), 3, 2) == ["a  ", "b  "])
  }

  @Test func wideCharactersWrapWhole() {
    #expect(draw(Paragraph("狐狸狐狸狐"), 5, 3) == ["狐狸 ", "狐狸 ", "狐   "])
    #expect(draw(Paragraph("狐"), 1, 1) == [" "])
  }

  @Test func emptyLinesAndScroll() {
    var p = Paragraph("a\n\nb\r\nc")
    #expect(draw(p, 2, 4) == ["a ", "  ", "b ", "c "])
    p.scroll = 2
    #expect(draw(p, 2, 4) == ["b ", "c ", "  ", "  "])
  }

  @Test func controlCharactersAreSanitized() {
    #expect(draw(Paragraph("a\u{1B}[2Jb\tc"), 10, 1) == ["a?[2Jb?c  "])
  }

  @Test func spansKeepTheirStyles() {
    let bold = Style(attributes: .bold)
    let p = Paragraph(lines: [
      TextLine(spans: [TextSpan("Fee", style: bold), TextSpan("dStale x")])
    ])
    var b = ScreenBuffer(size: Size(width: 6, height: 2))
    p.draw(in: b.bounds, on: &b, glyphs: .unicode)
    expectSnapshot(
      b,
      """
      ScreenBuffer 6x2
      "FeedSt"
      "ale x "
      styles:
        a: bold
      "aaa..."
      "......"
      """)
    #expect(TextLine(spans: [TextSpan("ab"), TextSpan("界")]).width == 4)
  }

  @Test func drawsOnlyInItsRect() {
    var b = sentinelBuffer(7, 4)
    let rect = Rect(x: 1, y: 1, width: 5, height: 2)
    Paragraph("one two three four").draw(in: rect, on: &b, glyphs: .unicode)
    #expect(b.lines() == ["xxxxxxx", "xonexxx", "xtwoxxx", "xxxxxxx"])
    expectUntouchedOutside(rect, b)
  }
}
