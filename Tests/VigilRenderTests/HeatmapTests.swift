import Testing
import VigilTestSupport

@testable import VigilRender

@Suite struct HeatmapTests {
  private func draw(
    _ map: Heatmap, _ w: Int, _ h: Int, glyphs: GlyphSet = .unicode
  ) -> [String] {
    var b = ScreenBuffer(size: Size(width: w, height: h))
    map.draw(in: b.bounds, on: &b, glyphs: glyphs)
    expectWellFormed(b)
    return b.lines()
  }

  /// Three bins, four buckets; the third has no data.
  let basic: [[Double]?] = [[0, 1, 4], [2, 0, 0], nil, [4, 4, 4]]

  @Test func cellsClimbTheLadderLowBinAtTheBottom() {
    let map = Heatmap(columns: basic, scale: .linear)
    #expect(draw(map, 4, 3) == ["█  █", "░  █", " ▒·█"])
    // ASCII: eight levels, the gap "." is not one of them.
    #expect(draw(map, 4, 3, glyphs: .ascii) == ["@  @", "-  @", " +.@"])
  }

  @Test func logarithmicScaleShowsStructureLinearHidesIt() {
    let cols: [[Double]?] = [[1], [10], [100], [1000]]
    #expect(draw(Heatmap(columns: cols, scale: .logarithmic), 4, 1) == ["░▒▓█"])
    #expect(draw(Heatmap(columns: cols, scale: .linear), 4, 1) == ["░░░█"])
    // An explicit maximum: everything at or above it is the hottest level.
    #expect(draw(Heatmap(columns: cols, scale: .linear, maximum: 10), 4, 1) == ["░███"])
  }

  @Test func columnsAreMergedOrWidenedNewestAtTheRight() {
    #expect(Heatmap.columnGroups(buckets: 6, width: 3).map(\.buckets) == [0..<2, 2..<4, 4..<6])
    #expect(Heatmap.columnGroups(buckets: 5, width: 2).map(\.x) == [0, 1])
    #expect(Heatmap.columnGroups(buckets: 5, width: 2).map(\.buckets) == [0..<2, 2..<5])
    #expect(Heatmap.columnGroups(buckets: 2, width: 5).map(\.x) == [1, 3])
    #expect(Heatmap.columnGroups(buckets: 2, width: 5).map(\.width) == [2, 2])
    #expect(Heatmap.columnGroups(buckets: 90, width: 1 << 16).count == 90)
    // Merged columns sum their buckets; a gap merged with data is data.
    let cols: [[Double]?] = [[1], nil, [1], [1], nil, nil]
    #expect(draw(Heatmap(columns: cols, scale: .linear), 3, 1) == ["▒█·"])
    #expect(draw(Heatmap(columns: [[1], [4]], scale: .linear), 5, 1) == [" ░░██"])
  }

  @Test func rowsAreMergedOrStretchedToFillTheHeight() {
    func rows(_ n: Int, _ h: Int) -> [Range<Int>] {
      (0..<h).map { Heatmap.bins(ofRow: $0, bins: n, rows: h) }
    }
    #expect(rows(6, 3) == [0..<2, 2..<4, 4..<6])
    #expect(rows(7, 3) == [0..<2, 2..<4, 4..<7])
    #expect(rows(2, 5) == [0..<1, 0..<1, 0..<1, 1..<2, 1..<2])
    // Every bin is shown, and `row(ofBin:)` finds it (the lowest of its rows).
    for (n, h) in [(1, 1), (3, 3), (7, 3), (40, 9), (2, 5), (3, 40), (1, 7)] {
      let all = rows(n, h)
      #expect(Set(all.flatMap { Array($0) }) == Set(0..<n), "\(n) bins on \(h) rows")
      for b in 0..<n {
        let r = Heatmap.row(ofBin: b, bins: n, rows: h)
        #expect(
          all[r].contains(b) && (r == 0 || !all[r - 1].contains(b)), "bin \(b) of \(n) on \(h)")
      }
    }
    // A merged row shows the mean per bin: (1+0)/2, (0+0)/2, (3+1)/2 against a top of 2.
    let map = Heatmap(columns: [[1, 0, 0, 0, 3, 1]], scale: .linear)
    #expect(draw(map, 1, 3) == ["█", " ", "░"])
    #expect(draw(Heatmap(columns: [[4, 1]], scale: .linear), 1, 5) == ["░", "░", "█", "█", "█"])
  }

  @Test func labelsShowLowerEdgesRightAligned() {
    let map = Heatmap(
      columns: basic, edges: [1, 10, 100, 1000], scale: .linear,
      label: { "\(Int(clamping: $0))ms" },
      labelSpacing: 1)
    #expect(draw(map, 10, 3) == ["100ms █  █", " 10ms ░  █", "  1ms  ▒·█"])
    #expect(map.plotArea(in: Rect(x: 0, y: 0, width: 10, height: 3)).x == 6)
    // Spacing 2 labels the bottom and then every other row; no room: no labels.
    var spaced = map
    spaced.labelSpacing = 2
    #expect(draw(spaced, 10, 3) == ["100ms █  █", "      ░  █", "  1ms  ▒·█"])
    #expect(draw(map, 9, 3) == [" ██    ██", " ░░    ██", "   ▒▒··██"])
  }

  @Test func overlayMarksTheBinOfEachBucketsValue() {
    let map = Heatmap(
      columns: basic, edges: [1, 10, 100, 1000], scale: .linear,
      overlay: [50, 5, 500, .nan])
    // The gap bucket keeps its gap; NaN marks nothing.
    #expect(draw(map, 4, 3) == ["█  █", "•  █", " •·█"])
    #expect(draw(map, 4, 3, glyphs: .ascii) == ["@  @", "o  @", " o.@"])
    // Values outside the edges mark the end rows.
    let ends = Heatmap(columns: [[0, 0], [0, 0]], edges: [1, 2, 4], overlay: [0.1, 1e9])
    #expect(draw(ends, 2, 2) == [" •", "• "])
  }

  @Test func thresholdFillsEmptyCellsOfItsRowAndTheAxis() {
    let map = Heatmap(
      columns: basic, edges: [1, 10, 100, 1000], scale: .linear, threshold: 20,
      label: { "\(Int(clamping: $0))" }, labelSpacing: 1)
    #expect(draw(map, 8, 3) == ["100 █  █", " 10─░──█", "  1  ▒·█"])
    #expect(draw(map, 8, 3, glyphs: .ascii) == ["100 @  @", " 10~-~~@", "  1  +.@"])
    var top = map
    top.threshold = 100
    #expect(draw(top, 8, 3) == ["100─█──█", " 10 ░  █", "  1  ▒·█"])
  }

  @Test func rampColoursCarryTheLevelTooWithALegend() {
    let ramp = [Style(foreground: .ansi(4)), Style(foreground: .ansi(1))]
    let map = Heatmap(
      columns: [[1], [2], [3], [4], nil], scale: .linear, ramp: ramp,
      gapStyle: Style(attributes: .dim))
    var b = ScreenBuffer(size: Size(width: 5, height: 1))
    map.draw(in: b.bounds, on: &b, glyphs: .unicode)
    expectSnapshot(
      b,
      """
      ScreenBuffer 5x1
      "░▒▓█·"
      styles:
        a: fg=blue
        b: fg=red
        c: dim
      "aabbc"
      """)
  }

  @Test func emptyOneSampleAndTinyAreas() {
    #expect(draw(Heatmap(columns: []), 3, 2) == ["   ", "   "])
    #expect(draw(Heatmap(columns: [nil, nil]), 3, 2) == ["   ", " ··"])
    #expect(draw(Heatmap(columns: [[0, 1]], edges: [1, 2, 3]), 1, 1) == ["█"])
    #expect(draw(Heatmap(columns: basic, scale: .linear), 1, 1) == ["█"])
    // Two columns (buckets 0-1 and 2-3) and two rows (bin 0, bins 1-2 as a mean).
    #expect(draw(Heatmap(columns: basic, scale: .linear), 3, 2) == [" ▓█", " ▒█"])
    // Labels never squeeze the plot below 4 columns.
    let labelled = Heatmap(columns: basic, edges: [1, 2, 3, 4], label: { "\($0)" })
    #expect(draw(labelled, 3, 2).count == 2)
    // A zero-sized or off-buffer rect draws nothing.
    var b = sentinelBuffer(4, 3)
    Heatmap(columns: basic).draw(
      in: Rect(x: 2, y: 1, width: 0, height: 5), on: &b, glyphs: .unicode)
    Heatmap(columns: basic).draw(
      in: Rect(x: 10, y: 10, width: 5, height: 5), on: &b, glyphs: .unicode)
    #expect(b == sentinelBuffer(4, 3))
  }

  @Test func drawsOnlyInsideItsRect() {
    var b = sentinelBuffer(12, 6)
    let rect = Rect(x: 2, y: 1, width: 8, height: 4)
    Heatmap(
      columns: basic + basic, edges: [1, 10, 100, 1000], overlay: [1, 2, 3, 4, 5, 6, 7],
      threshold: 50, label: { "\(Int(clamping: $0))" }
    ).draw(in: rect, on: &b, glyphs: .unicode)
    expectUntouchedOutside(rect, b)
    // Partly off the buffer.
    var c = sentinelBuffer(5, 3)
    Heatmap(columns: basic, edges: [1, 10, 100, 1000], label: { "\(Int(clamping: $0))" }).draw(
      in: Rect(x: -3, y: -1, width: 12, height: 6), on: &c, glyphs: .ascii)
    expectWellFormed(c)
  }

  @Test func hugeNaNAndInfiniteCountsNeverBreak() {
    let cols: [[Double]?] = [
      [.nan, 1], [-5, .infinity], [1e308, 1e308], [Double(UInt64.max), 1], [0, 0], [],
      [1, 2, 3, 4, 5],
    ]
    for glyphs in [GlyphSet.unicode, .ascii] {
      for scale in [Heatmap.Scale.linear, .logarithmic] {
        for (w, h) in [(1, 1), (3, 2), (7, 2), (20, 9)] {
          let lines = draw(
            Heatmap(
              columns: cols, edges: [1, 2], scale: scale, maximum: .nan,
              overlay: [.infinity, -.infinity, .nan], threshold: .infinity,
              label: { "\($0)" }), w, h, glyphs: glyphs)
          #expect(lines.count == h)
        }
      }
    }
    // +∞ is the hottest; finite counts next to it still show.
    #expect(
      draw(Heatmap(columns: [[.infinity], [1e300], [.nan]], scale: .linear), 3, 1) == ["█░ "])
    #expect(Heatmap.level(5, top: .nan, levels: 4, scale: .linear) == 0)
    #expect(Heatmap.level(1, top: 1e308, levels: 4, scale: .logarithmic) == 1)
    #expect(
      Heatmap.level(Double(UInt64.max), top: Double(UInt64.max), levels: 8, scale: .linear) == 8)
  }

  @Test func hugeAreaIsCappedAndClipped() {
    var b = ScreenBuffer(size: Size(width: 6, height: 3))
    Heatmap(columns: basic, edges: [1, 10, 100, 1000], label: { "\(Int(clamping: $0))" }).draw(
      in: Rect(x: 0, y: 0, width: Int.max / 4, height: Int.max / 4), on: &b, glyphs: .unicode)
    expectWellFormed(b)
  }

  @Test func rampInterpolatesColdToHot() {
    let r = Heatmap.ramp(from: .rgb(0, 0, 255), to: .rgb(255, 0, 0), steps: 3)
    #expect(r.map(\.foreground) == [.rgb(0, 0, 255), .rgb(128, 0, 128), .rgb(255, 0, 0)])
    #expect(Heatmap.ramp(from: .ansi(4), to: .ansi(1), steps: 0).count == 1)
    #expect(Heatmap.defaultRamp.count == 5)
  }

  @Test(arguments: [GlyphSet.unicode, GlyphSet.ascii])
  func laddersAreOneColumnAndDistinctFromGapAndLines(glyphs: GlyphSet) {
    let ladder = Heatmap.levels(glyphs)
    let special = [glyphs.gap, glyphs.thresholdLine, Heatmap.overlayGlyph(glyphs), " "]
    #expect(Set(ladder).count == ladder.count)
    #expect(Set(special).count == special.count)
    for g in ladder + special {
      #expect(displayWidth(g) == 1, "\(g)")
      if !glyphs.isUnicode { #expect(g.utf8.allSatisfy { $0 < 0x80 }) }
    }
    #expect(Set(ladder).isDisjoint(with: special))
  }
}
