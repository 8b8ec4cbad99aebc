import Testing

@testable import VigilRender

@Suite struct SparklineTests {
  private func draw(
    _ values: [Double?], _ w: Int, _ h: Int = 1, minimum: Double? = nil, maximum: Double? = nil,
    glyphs: GlyphSet = .unicode
  ) -> [String] {
    var b = ScreenBuffer(size: Size(width: w, height: h))
    Sparkline(values: values, minimum: minimum, maximum: maximum).draw(
      in: b.bounds, on: &b, glyphs: glyphs)
    return b.lines()
  }

  @Test func everyLevel() {
    #expect(draw([0, 1, 2, 3, 4, 5, 6, 7], 8) == ["▁▂▃▄▅▆▇█"])
    // The ASCII ladder has as many steps as the eighth blocks, so bars keep their heights.
    #expect(draw([0, 1, 2, 3, 4, 5, 6, 7], 8, glyphs: .ascii) == ["_-=+*#%@"])
    #expect(draw([0, 1, 2, 3, 4], 5, glyphs: .ascii) == ["_=*#@"])
  }

  @Test func rightAlignedNewestAtTheRightEdge() {
    #expect(draw([7, 0], 5) == ["   █▁"])
  }

  @Test func dropsTheOldestWhenTooMany() {
    #expect(draw([100, 100, 6, 7, 8, 9], 4) == ["▆▆▇█"])
  }

  @Test func gapsAreVisibleAndNeverZero() {
    #expect(draw([1, nil, 3], 5) == ["  ▃·█"])
    #expect(draw([1, nil, 3], 5, glyphs: .ascii) == ["  =.@"])
    #expect(draw([nil, nil, nil], 3) == ["···"])
    #expect(draw([0, .nan, 0], 3) == ["▁·▁"])
  }

  @Test func allZeroIsAFlatLineAtTheBottom() {
    #expect(draw([0, 0, 0], 3) == ["▁▁▁"])
    #expect(draw([0, 0, 0], 3, 2) == ["   ", "▁▁▁"])
  }

  @Test func flatSeriesDrawsMidHeight() {
    #expect(draw([5, 5], 2, minimum: 5, maximum: 5) == ["▄▄"])
    #expect(draw([-3, -3], 2) == ["▄▄"])
    #expect(draw([5, 5], 2, 2, minimum: 5, maximum: 5) == ["  ", "██"])
    #expect(draw([5, 5], 2) == ["██"])  // the automatic range starts at 0
  }

  @Test func singleValue() {
    #expect(draw([42], 3) == ["  █"])
    #expect(draw([42], 1, 3) == ["█", "█", "█"])
  }

  @Test func explicitRangeClamps() {
    #expect(draw([-10, 0, 50, 100, 500], 5, minimum: 0, maximum: 100) == ["▁▁▅██"])
  }

  @Test func negativeValuesShiftTheRange() {
    #expect(draw([-7, 0], 2) == ["▁█"])
  }

  @Test func hugeAndInfiniteValuesDoNotBreak() {
    #expect(draw([1e300, 0], 2) == ["█▁"])
    #expect(draw([-1e308, 0, 1e308], 3) == ["▁▅█"])
    #expect(draw([.infinity, -.infinity, .greatestFiniteMagnitude, 0], 4) == ["█▁█▁"])
    #expect(draw([.infinity], 1) == ["█"])
    #expect(draw([5], 1, minimum: .nan, maximum: .infinity) == ["█"])
    #expect(draw([Double.leastNonzeroMagnitude, 0], 2) == ["█▁"])
  }

  /// ratatui's `it_draws_double_height`, with a sentinel around it.
  @Test func drawsDoubleHeight() {
    var b = sentinelBuffer(6, 4)
    let rect = Rect(x: 1, y: 1, width: 4, height: 2)
    Sparkline(values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 15, nil]).draw(in: rect, on: &b, glyphs: .unicode)
    // Shown: 7, 8, 15, gap on a 0...15 range of 16 levels.
    #expect(b.lines() == ["xxxxxx", "x ▁█ x", "x███·x", "xxxxxx"])
    expectUntouchedOutside(rect, b)
  }

  @Test func multiRowLevels() {
    #expect(draw([0, 7, 15, nil], 4, 2) == ["  █ ", "▁██·"])
    #expect(draw([0, 4, 9], 3, 2, glyphs: .ascii) == ["  @", "_@@"])
  }

  @Test func stylesBarsAndGaps() {
    var b = ScreenBuffer(size: Size(width: 3, height: 1))
    let line = Style(foreground: .ansi(6))
    let gap = Style(attributes: .dim)
    Sparkline(values: [1, nil], style: line, gapStyle: gap).draw(
      in: b.bounds, on: &b, glyphs: .unicode)
    expectSnapshot(
      b,
      """
      ScreenBuffer 3x1
      " █·"
      styles:
        a: fg=cyan
        b: dim
      "aab"
      """)
  }
}
