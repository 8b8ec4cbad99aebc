import Testing
import VigilTestSupport

@testable import VigilRender

@Suite struct HistogramTests {
  private func draw(_ h: Histogram, _ w: Int, _ rows: Int, glyphs: GlyphSet = .unicode) -> [String]
  {
    var b = ScreenBuffer(size: Size(width: w, height: rows))
    h.draw(in: b.bounds, on: &b, glyphs: glyphs)
    expectWellFormed(b)
    return b.lines()
  }

  let latency = Histogram(
    counts: [3, 212, 110, 38, 7], edges: [1, 4, 16, 64, 256, 1024],
    label: { "\(Int(clamping: $0))ms" })

  @Test func barsLabelsCountsAndPercents() {
    // 370 samples; bars of 16 cells scaled to the largest (212 = 128 eighths).
    #expect(
      draw(latency, 30, 5) == [
        "  1ms ▎                  3 <1%",
        "  4ms ████████████████ 212 57%",
        " 16ms ████████▎        110 30%",
        " 64ms ██▉               38 10%",
        "256ms ▌                  7  2%",
      ])
    #expect(
      draw(latency, 30, 5, glyphs: .ascii) == [
        "  1ms #                  3 <1%",
        "  4ms ################ 212 57%",
        " 16ms ########         110 30%",
        " 64ms ###               38 10%",
        "256ms #                  7  2%",
      ])
  }

  @Test func lowAtBottomAndSpareRows() {
    var h = latency
    h.lowAtBottom = true
    h.showPercent = false
    // Without the percentages the bar has 10 cells: 3 of 212 is 1 eighth, 7 is 3.
    let lines = draw(h, 20, 6)
    #expect(lines[0] == String(repeating: " ", count: 20))
    #expect(lines[5] == "  1ms ▏            3")
    #expect(lines[1] == "256ms ▍            7")
    #expect(
      Array(draw(latency, 30, 7)[5...])
        == Array(repeating: String(repeating: " ", count: 30), count: 2))
  }

  @Test func mergesBinsToFitTheHeight() {
    // Five bins in two rows: groups of three, labelled by their lower edge.
    // 45 of 325 on an 11-cell bar: 12 eighths.
    #expect(draw(latency, 24, 2) == [" 1ms ███████████ 325 88%", "64ms █▌           45 12%"])
    #expect(Histogram(counts: [1, 2, 3, 4, 5, 6, 7]).rows(height: 3).map(\.count) == [6, 15, 7])
  }

  @Test func narrowWidthsDropPercentThenCountThenLabel() {
    #expect(draw(latency, 16, 1) == ["1ms ███ 370 100%"])
    #expect(draw(latency, 14, 1) == ["1ms ██████ 370"])
    #expect(draw(latency, 9, 1) == ["1ms █████"])
    #expect(draw(latency, 5, 1) == ["█████"])
    #expect(draw(latency, 1, 1) == ["█"])
    #expect(draw(latency, 3, 2) == ["███", "▍  "])
  }

  @Test func emptyOneSampleAndZeros() {
    #expect(draw(Histogram(counts: []), 4, 2) == ["    ", "    "])
    #expect(
      draw(Histogram(counts: [0, 0], edges: [1, 2, 3], label: { "\(Int(clamping: $0))" }), 10, 2)
        == ["1     0 0%", "2     0 0%"])
    #expect(
      draw(Histogram(counts: [0, 1, 0]), 10, 3) == ["    0   0%", "███ 1 100%", "    0   0%"])
  }

  @Test func hugeNaNAndInfiniteCountsNeverBreak() {
    #expect(Histogram.formatCount(9_999) == "9999")
    #expect(Histogram.formatCount(12_345) == "12.3k")
    #expect(Histogram.formatCount(999_499) == "999k")
    #expect(Histogram.formatCount(999_500) == "1.0M")
    #expect(Histogram.formatCount(Double(UInt64.max)) == "18.4E")
    #expect(Histogram.formatCount(1e300) == "1e300")
    #expect(Histogram.formatCount(.infinity) == "inf")
    #expect(Histogram.formatCount(.nan) == "0")
    #expect(Histogram.formatPercent(1, of: 1e300) == "<1%")
    #expect(Histogram.formatPercent(1e300, of: 1e300) == "100%")
    #expect(Histogram.formatPercent(99.7, of: 100) == "99%")
    let hostile = Histogram(
      counts: [.nan, -3, .infinity, 1e308, Double(UInt64.max), 0], edges: [.nan, 1],
      label: { "\($0)" })
    for glyphs in [GlyphSet.unicode, .ascii] {
      for (w, h) in [(1, 1), (3, 2), (12, 3), (40, 8)] {
        #expect(draw(hostile, w, h, glyphs: glyphs).count == h)
      }
    }
    #expect(Histogram.barLength(1, top: .infinity, cells: 4, unicode: true) == 1)
    #expect(Histogram.barLength(.infinity, top: .infinity, cells: 4, unicode: true) == 32)
  }

  @Test func drawsOnlyInsideItsRect() {
    var b = sentinelBuffer(40, 8)
    let rect = Rect(x: 3, y: 2, width: 30, height: 4)
    latency.draw(in: rect, on: &b, glyphs: .unicode)
    expectUntouchedOutside(rect, b)
    var c = sentinelBuffer(6, 2)
    latency.draw(in: Rect(x: -4, y: -1, width: 40, height: 9), on: &c, glyphs: .unicode)
    expectWellFormed(c)
    var d = ScreenBuffer(size: Size(width: 8, height: 3))
    latency.draw(
      in: Rect(x: 0, y: 0, width: Int.max / 4, height: Int.max / 4), on: &d, glyphs: .ascii)
    expectWellFormed(d)
  }

  @Test func stylesLegend() {
    let h = Histogram(
      counts: [1, 2], edges: [1, 2, 3], label: { "\(Int(clamping: $0))" }, showPercent: false,
      style: Style(foreground: .ansi(6)), labelStyle: Style(attributes: .dim))
    var b = ScreenBuffer(size: Size(width: 8, height: 2))
    h.draw(in: b.bounds, on: &b, glyphs: .unicode)
    expectSnapshot(
      b,
      """
      ScreenBuffer 8x2
      "1 ██   1"
      "2 ████ 2"
      styles:
        a: dim
        b: fg=cyan
      "abbbbbbb"
      "abbbbbbb"
      """)
  }
}
