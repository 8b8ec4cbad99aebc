import Testing

@testable import VigilRender

@Suite struct LineChartTests {
  private func draw(
    _ values: [Double?], _ w: Int, _ h: Int = 1, minimum: Double? = 0, maximum: Double? = 1,
    threshold: Double? = nil, glyphs: GlyphSet = .unicode, label: ((Double) -> String)? = nil
  ) -> ScreenBuffer {
    var b = ScreenBuffer(size: Size(width: w, height: h))
    LineChart(
      values: values, minimum: minimum, maximum: maximum, threshold: threshold,
      style: Style(foreground: .ansi(6)), thresholdStyle: Style(foreground: .ansi(3)),
      labelStyle: Style(attributes: .dim), label: label
    ).draw(in: b.bounds, on: &b, glyphs: glyphs)
    return b
  }

  /// Dots of a braille cell as a 4-row x 2-column picture, "#" for a dot.
  private func dots(_ cell: String) -> [String] {
    guard let v = cell.unicodeScalars.first?.value, v >= 0x2800, v <= 0x28FF else { return [] }
    let bits = v - 0x2800
    return (0..<4).map { row in
      (0..<2).map { col in bits & LineChart.brailleBits[col][row] != 0 ? "#" : "." }.joined()
    }
  }

  @Test func brailleBitsFollowTheUnicodeDotNumbers() {
    // Dots 1-2-3-7 down the left column, 4-5-6-8 down the right.
    #expect(LineChart.braille(0x01) == "⠁" && LineChart.braille(0x40) == "⡀")
    #expect(LineChart.braille(0x08) == "⠈" && LineChart.braille(0x80) == "⢀")
    #expect(LineChart.braille(0xFF) == "⣿" && LineChart.braille(0) == "⠀")
  }

  @Test func aRiseInOneCell() {
    // 0 at the bottom of the left column, 1 at the top of the right one; the right column
    // joins them (rows 0-2), so the line has no hole.
    let b = draw([0, 1], 1)
    #expect(b.lines() == ["⡸"])
    #expect(dots(b[0, 0].text) == [".#", ".#", ".#", "#."])
    #expect(b[0, 0].style == Style(foreground: .ansi(6)))
  }

  @Test func flatAndFalling() {
    #expect(draw([0, 0, 0, 0], 2).lines() == ["⣀⣀"])
    #expect(draw([1, 1, 1, 1], 2).lines() == ["⠉⠉"])
    // A fall: the right column drops from just below the left point to the bottom.
    #expect(draw([1, 0], 1).lines() == ["⢱"])
    #expect(dots("⢱") == ["#.", ".#", ".#", ".#"])
  }

  @Test func fewValuesAreSpreadOverTheWidth() {
    // Two values over four dot columns: a straight segment from bottom left to top right.
    let b = draw([0, 1], 2)
    #expect(b.lines() == ["⡠⠊"])
    #expect(dots(b[0, 0].text) == ["..", "..", ".#", "#."])
    #expect(dots(b[1, 0].text) == [".#", "#.", "..", ".."])
    // One value: a dot at the right edge (the newest is always at the right).
    #expect(draw([1], 3).lines() == ["  ⠈"])
  }

  @Test func manyValuesKeepTheNewestOnePerColumn() {
    // Seven values, four dot columns: the newest four (0, 0, 1, 1).
    #expect(draw([1, 1, 1, 0, 0, 1, 1], 2).lines() == ["⣀⠏"])
  }

  @Test func gapsBreakTheLine() {
    // 1, gap, 1, 1: a lone dot, a hole, then a segment.
    #expect(draw([1, nil, 1, 1], 2).lines() == ["⠁⠉"])
    #expect(draw([1, .nan, 1, 1], 2).lines() == ["⠁⠉"])
    // A gap between two different values: no join across it.
    let b = draw([0, nil, nil, 1], 2)
    #expect(dots(b[0, 0].text) == ["..", "..", "..", "#."])
    #expect(dots(b[1, 0].text) == [".#", "..", "..", ".."])
    #expect(draw([nil, nil], 2).lines() == ["  "])
  }

  @Test func tallChartsUseFourDotRowsPerCell() {
    // 0 to 1 over two rows (8 dot rows) in one cell: the right column climbs all of it.
    let b = draw([0, 1], 1, 2)
    #expect(b.lines() == ["⢸", "⡸"])
  }

  @Test func thresholdIsDrawnWhereThereIsNoData() {
    // One value at the bottom right; the threshold (top dot row) shows in the empty cell.
    let b = draw([0], 2, threshold: 1)
    #expect(b.lines() == ["⠉⢀"])
    #expect(b[0, 0].style == Style(foreground: .ansi(3)))
    #expect(b[1, 0].style == Style(foreground: .ansi(6)))
    // Without bounds the range grows to include the threshold.
    let auto = draw([1, 1], 1, 2, minimum: nil, maximum: nil, threshold: 4)
    #expect(auto.lines()[0] == "⠉" && auto[0, 0].style.foreground == .ansi(3))
    let chart = LineChart(values: [1, 1], threshold: 4)
    #expect(chart.range() == (0, 4))
    #expect(
      chart.thresholdGlyph(in: Rect(x: 0, y: 0, width: 1, height: 2), glyphs: .unicode) == "⠉")
  }

  @Test func minAndMaxLabels() {
    let b = draw([0, 10], 8, 2, minimum: 0, maximum: 10, label: { String(Int(clamping: $0)) })
    let lines = b.lines()
    #expect(lines[0].hasPrefix("10 "))
    #expect(lines[1].hasPrefix("0  "))
    #expect(b[0, 0].style == Style(attributes: .dim))
    // The plot takes what the labels leave: 5 columns right of "10 ".
    let chart = LineChart(
      values: [0, 10], minimum: 0, maximum: 10, label: { String(Int(clamping: $0)) })
    #expect(
      chart.plotArea(in: Rect(x: 0, y: 0, width: 8, height: 2))
        == Rect(x: 3, y: 0, width: 5, height: 2))
    // No room or one row: no labels, the plot is the whole rect.
    #expect(chart.plotArea(in: Rect(x: 0, y: 0, width: 6, height: 2)).width == 6)
    #expect(chart.plotArea(in: Rect(x: 0, y: 0, width: 20, height: 1)).width == 20)
  }

  @Test func asciiLineUsesThirdsOfARow() {
    #expect(draw([0, 1, 2], 3, minimum: 0, maximum: 2, glyphs: .ascii).lines() == ["_-'"])
    // A climb of more than a row is joined with |.
    #expect(
      draw([0, 10], 2, 3, minimum: 0, maximum: 10, glyphs: .ascii).lines() == [" '", " |", "_|"])
    // Gaps break it; the threshold is a dashed ~ where there is no data (a solid row of ~
    // drowned the line it crossed).
    #expect(draw([1, nil, 1], 3, glyphs: .ascii).lines() == ["' '"])
    #expect(draw([0], 3, 2, threshold: 1, glyphs: .ascii).lines() == ["~ ~", "  _"])
    #expect(draw([0], 3, 2, threshold: 1, glyphs: .unicode).lines()[0] == "⠉⠉⠉")
    let only = draw([0, 1], 4, 2, glyphs: .ascii).lines().joined()
    #expect(only.unicodeScalars.allSatisfy { $0.isASCII })
  }

  @Test func hostileValuesNeverTrap() {
    let nasty: [Double?] = [.infinity, -.infinity, .nan, nil, .greatestFiniteMagnitude, -1e308, 0]
    for glyphs in [GlyphSet.unicode, .ascii] {
      for (w, h) in [(0, 0), (1, 1), (3, 2), (40, 5)] {
        _ = draw(nasty, w, h, minimum: nil, maximum: nil, threshold: .nan, glyphs: glyphs)
        _ = draw(nasty, w, h, minimum: 5, maximum: 5, threshold: 1e300, glyphs: glyphs)
      }
    }
    // Drawn partly outside the buffer: clipped, the rest untouched.
    var b = ScreenBuffer(size: Size(width: 4, height: 2))
    LineChart(values: [0, 1, 0, 1], minimum: 0, maximum: 1).draw(
      in: Rect(x: 2, y: 1, width: 10, height: 3), on: &b, glyphs: .unicode)
    #expect(b.lines()[0] == "    ")
  }
}
