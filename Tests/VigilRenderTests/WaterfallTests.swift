import Testing

@testable import VigilRender

/// The checkout waterfall widget: segments, budget, flags, the ASCII form, narrow and hostile
/// input.
@Suite struct WaterfallTests {
  static func ms(_ v: Double) -> String { "\(Int(clamping: v.rounded()))ms" }

  static let checkout = [
    Waterfall.Stage("pricing", p50: 100, p99: 200, change: 1),
    Waterfall.Stage("tax", p50: 100, p99: 100, change: 3.14),
    Waterfall.Stage("inventory", p50: nil, p99: nil),
    Waterfall.Stage("payment", p50: 1_000, p99: 1_500, change: 1.2),
  ]

  static func draw(
    _ stages: [Waterfall.Stage], budget: Double? = 3_000, _ w: Int, _ h: Int,
    _ glyphs: GlyphSet = .ascii
  ) -> ScreenBuffer {
    var b = ScreenBuffer(size: Size(width: w, height: h))
    Waterfall(stages: stages, budget: budget, label: ms, overStyle: Style(foreground: .ansi(1)))
      .draw(in: b.bounds, on: &b, glyphs: glyphs)
    return b
  }

  @Test func theASCIIFormAt40Columns() {
    // Bar: 20 columns from column 8 for 3,750 ms (a quarter past the budget): the budget at
    // 3,000 ms is 16 columns in; payment starts where tax's p50 ends (200 ms: 1 column), its
    // p50 ends at 1,200 ms (6), its p99 at 1,700 ms (9); a 100 ms p50 still takes a cell.
    expectSnapshot(
      Self.draw(Self.checkout, 40, 5),
      """
      ScreenBuffer 40x5
      "  price #               |     200ms x1.0"
      "* tax    #              |     100ms x3.1"
      "  inv                   |              —"
      "  pay    #####---       |    1500ms x1.2"
      "  # p50  - p99  | budget 3000ms         "
      styles:
        a: fg=red
      "........................................"
      "a.aaa....a....................aaaaaaaaaa"
      "........................................"
      "........................................"
      "........................................"
      """)
  }

  @Test func segmentsAreProportionalAndEndToEnd() {
    let stages = [
      Waterfall.Stage("a", p50: 1_000, p99: 1_000), Waterfall.Stage("b", p50: 2_000, p99: 3_000),
    ]
    let w = Waterfall(stages: stages, budget: 4_000, label: Self.ms)
    #expect(w.scale() == 5_000)
    let spans = w.spans()
    #expect(spans[0]! == (0, 1_000, 1_000))
    #expect(spans[1]! == (1_000, 3_000, 4_000))
    for width in [20, 33, 50, 80] {
      let b = Self.draw(stages, budget: 4_000, width, 2)
      let cols = Waterfall.columns(width)
      let barX = cols.flag + cols.name
      let bar = width - barX - cols.value
      let rowB = Array(b.lines()[1])
      let hashes = rowB.indices.filter { rowB[$0] == "#" }
      // b's p50 runs from a's end (1/5 of the bar) to 3/5, its p99 on to 4/5 (the budget).
      #expect(hashes.first == barX + Waterfall.column(1_000, scale: 5_000, width: bar), "\(width)")
      #expect(hashes.last == barX + Waterfall.column(3_000, scale: 5_000, width: bar) - 1)
      let budgetX = barX + min(bar - 1, Waterfall.column(4_000, scale: 5_000, width: bar))
      #expect(rowB[budgetX] == "|", "\(b.lines()[1])")
      #expect(Array(b.lines()[0])[budgetX] == "|")
    }
  }

  @Test func aFlaggedStageIsMarkedWithAGlyphNotOnlyColour() {
    let b = Self.draw(Self.checkout, 60, 4, .unicode)
    let lines = b.lines()
    #expect(lines[1].hasPrefix("● tax"), "\(lines)")
    #expect(lines[1].contains("x3.1"))
    #expect(!lines[0].hasPrefix("●") && !lines[3].hasPrefix("●"))
    #expect(lines[3].contains("█") && lines[3].contains("░") && lines[0].contains("│"))
  }

  @Test func narrowWidthsNeverSpill() {
    for width in 1...80 {
      var b = sentinelBuffer(width + 4, 8)
      let rect = Rect(x: 2, y: 1, width: width, height: 6)
      Waterfall(stages: Self.checkout, budget: 3_000, label: Self.ms)
        .draw(in: rect, on: &b, glyphs: .unicode)
      expectUntouchedOutside(rect, b)
      expectWellFormed(b)
    }
    // Under 26 columns the value column goes; the names stay.
    let narrow = Self.draw(Self.checkout, 20, 4).lines()
    #expect(narrow[0].hasPrefix("  pri ") && !narrow[0].contains("ms"), "\(narrow)")
  }

  @Test func hostileValuesDrawNothingWrong() {
    let stages = [
      Waterfall.Stage("nan", p50: .nan, p99: .nan, change: .nan),
      Waterfall.Stage("inf", p50: .infinity, p99: -.infinity, change: .infinity),
      Waterfall.Stage("neg", p50: -5, p99: -1),
      Waterfall.Stage("zero", p50: 0, p99: 0, change: 0),
      Waterfall.Stage("huge", p50: 1e300, p99: .greatestFiniteMagnitude, change: 1e300),
    ]
    for budget in [nil, 0, -1, .nan, 1e308] as [Double?] {
      let b = Self.draw(stages, budget: budget, 50, 6)
      expectWellFormed(b)
      let lines = b.lines()
      #expect(!lines[0].contains("#") && !lines[1].contains("#") && !lines[2].contains("#"))
      #expect(lines[4].contains("#"), "\(lines)")
      #expect(lines[4].hasPrefix("* huge"))
    }
    // Nothing at all: names only, and no legend budget.
    let empty = Self.draw([], budget: nil, 30, 2).lines()
    #expect(empty[0].trimmingCharacters(in: .whitespaces) == "# p50  - p99")
  }

  @Test func changesReadShort() {
    #expect(Waterfall.ratioText(3.14) == "3.1")
    #expect(Waterfall.ratioText(0.04) == "0.0")
    #expect(Waterfall.ratioText(12.6) == "13")
    #expect(Waterfall.ratioText(.infinity) == "?")
    #expect(Waterfall.ratioText(1e300) == String(Int.max))
  }
}
