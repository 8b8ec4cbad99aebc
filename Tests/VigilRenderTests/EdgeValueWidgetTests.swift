import Testing

@testable import VigilRender

/// Every widget that turns doubles into cells, fed the edges of Double (issue 12): no trap,
/// nothing drawn outside its rectangle, and the range helpers never give NaN.
@Suite struct EdgeValueWidgetTests {
  static let edges: [Double] = [
    0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-300, 0.5,
    1, -1, 1e300, -1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .nan, .infinity,
    -.infinity, 9_007_199_254_740_992, 9_007_199_254_740_994, 9_223_372_036_854_775_808,
    -9_223_372_036_854_775_808, 18_446_744_073_709_551_616,
  ]
  static let rects = [
    Rect(x: 1, y: 1, width: 30, height: 8), Rect(x: 0, y: 0, width: 1, height: 1),
    Rect(x: 2, y: 2, width: 7, height: 3), Rect(x: 0, y: 0, width: 0, height: 0),
  ]

  /// Draws into a blank 40x12 buffer and checks that only cells inside `rect` changed.
  static func drawn(_ rect: Rect, _ draw: (inout ScreenBuffer) -> Void) {
    var buffer = ScreenBuffer(size: Size(width: 40, height: 12))
    buffer.fill(buffer.bounds, with: Cell("~"))
    draw(&buffer)
    for y in 0..<buffer.height {
      for x in 0..<buffer.width where !rect.contains(Point(x: x, y: y)) {
        #expect(buffer[x, y].text == "~", "drew at \(x),\(y) outside \(rect)")
      }
    }
  }

  /// Series that mix each edge with ordinary values and with each other.
  static var series: [[Double?]] {
    edges.map { [1, $0, nil, 2, $0] } + [edges.map { $0 }] + [edges.reversed().map { $0 }]
  }

  @Test func sparklinesAndLineCharts() {
    let label: (Double) -> String = { String(Int(clamping: $0)) }
    for values in Self.series {
      for rect in Self.rects {
        for glyphs in [GlyphSet.unicode, .ascii] {
          for (low, high) in [(nil, nil), (0, 1e300), (-Double.infinity, .nan)]
            as [(Double?, Double?)]
          {
            Self.drawn(rect) {
              Sparkline(values: values, minimum: low, maximum: high).draw(
                in: rect, on: &$0, glyphs: glyphs)
            }
            for threshold in [nil, 1e300, -1e300, Double.nan] as [Double?] {
              Self.drawn(rect) {
                LineChart(
                  values: values, minimum: low, maximum: high, threshold: threshold, label: label
                )
                .draw(in: rect, on: &$0, glyphs: glyphs)
              }
            }
          }
        }
      }
    }
  }

  @Test func gaugesHistogramsAndHeatmaps() {
    let label: (Double) -> String = { Histogram.formatCount($0) }
    for v in Self.edges {
      for rect in Self.rects {
        for glyphs in [GlyphSet.unicode, .ascii] {
          Self.drawn(rect) { Gauge(ratio: v, label: "x").draw(in: rect, on: &$0, glyphs: glyphs) }
          Self.drawn(rect) {
            Histogram(counts: [v, 1, v, 0], edges: [v, 1, 2, v, 1e300], label: label)
              .draw(in: rect, on: &$0, glyphs: glyphs)
          }
          Self.drawn(rect) {
            Heatmap(
              columns: [[v, 1, 2], nil, [0, v, v]], edges: [0, v, 1e300], maximum: v,
              overlay: [v, nil, 1], threshold: v, label: label
            ).draw(in: rect, on: &$0, glyphs: glyphs)
          }
        }
      }
      #expect(Histogram.formatCount(v).count <= 8)
      #expect(Histogram.formatPercent(v, of: 1e300).count <= 4)
      #expect(Histogram.formatPercent(1, of: v).count <= 4)
    }
    for scale in [Heatmap.Scale.linear, .logarithmic] {
      for v in Self.edges {
        for top in Self.edges {
          let level = Heatmap.level(v, top: top, levels: 4, scale: scale)
          #expect((0...4).contains(level))
        }
      }
    }
  }
}
