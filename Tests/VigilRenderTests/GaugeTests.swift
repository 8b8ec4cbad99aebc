import Testing

@testable import VigilRender

@Suite struct GaugeTests {
  let filled = Style(foreground: .ansi(2))
  let empty = Style(foreground: .ansi(8))

  private func draw(_ gauge: Gauge, _ w: Int, _ h: Int = 1, _ glyphs: GlyphSet = .unicode)
    -> ScreenBuffer
  {
    var b = ScreenBuffer(size: Size(width: w, height: h))
    gauge.draw(in: b.bounds, on: &b, glyphs: glyphs)
    return b
  }

  @Test func halfWithLabel() {
    expectSnapshot(
      draw(Gauge(ratio: 0.5, label: "50%", filledStyle: filled, emptyStyle: empty), 10),
      """
      ScreenBuffer 10x1
      "███50%░░░░"
      styles:
        a: fg=green
        b: fg=green reverse
        c: fg=bright-black
      "aaabb.cccc"
      """)
  }

  @Test func labelOnMiddleRowInAscii() {
    expectSnapshot(
      draw(Gauge(ratio: 0.3, label: "ok"), 6, 3, .ascii),
      """
      ScreenBuffer 6x3
      "#....."
      "#.ok.."
      "#....."
      styles: plain
      """)
  }

  @Test(arguments: [
    (0.0, 0), (-1.0, 0), (Double.nan, 0), (0.05, 0), (0.1, 1), (0.999, 9), (1.0, 10), (7.0, 10),
    (Double.infinity, 10), (-Double.infinity, 0),
  ])
  func filledColumnsClampAndRoundDown(ratio: Double, columns: Int) {
    #expect(Gauge(ratio: ratio).filledColumns(width: 10) == columns)
    #expect(Gauge(ratio: ratio).filledColumns(width: 0) == 0)
  }

  @Test func labelTruncatesAndTinySizes() {
    #expect(draw(Gauge(ratio: 1, label: "budget used"), 6).lines() == ["budge…"])
    #expect(draw(Gauge(ratio: 1, label: "x"), 1).lines() == ["x"])
    #expect(draw(Gauge(ratio: .nan), 3).lines() == ["░░░"])
    #expect(draw(Gauge(ratio: 1, label: "界"), 1).lines() == ["…"])
  }

  @Test func drawsOnlyInItsRect() {
    var b = sentinelBuffer(8, 3)
    let rect = Rect(x: 1, y: 1, width: 6, height: 1)
    Gauge(ratio: 0.5, label: "50%").draw(in: rect, on: &b, glyphs: .ascii)
    #expect(b.lines() == ["xxxxxxxx", "x#50%..x", "xxxxxxxx"])
    expectUntouchedOutside(rect, b)
  }
}
