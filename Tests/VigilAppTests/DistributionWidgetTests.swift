import Testing
import VigilCore
import VigilRender
import VigilTestSupport

@testable import VigilApp

/// A store's latency distribution drawn by the heatmap and histogram widgets in theme styles.
@Suite struct DistributionWidgetTests {
  static let t0 = Timestamp.seconds(1_795_687_200)

  /// Six 1 s buckets of latencies in ms; the second has no data.
  static func distribution(quantiles: [Double] = [0.99]) -> Distribution {
    let config = WindowsConfig(
      levels: [WindowLevel(bucketNanos: Nanos.second, slots: 6)], windows: [6 * Nanos.second])
    var store = MetricStore(config: config)
    let now = t0.adding(6 * Nanos.second)
    let buckets: [[Double]] = [
      [5, 5, 5, 50], [], [500], Array(repeating: 5, count: 8), [50, 50], [2, 200, 900],
    ]
    for (j, values) in buckets.enumerated() {
      for v in values {
        let ts = t0.adding(Int64(j) * Nanos.second + Nanos.second / 2)
        _ = store.ingest(Sample(series: SeriesID(0), timestamp: ts, value: v), now: now)
      }
    }
    return store.distribution(
      [SeriesID(0)], window: 6 * Nanos.second, at: now,
      bins: .logarithmic(from: 1, to: 1000, count: 3), quantiles: quantiles)
  }

  @Test func heatmapOfAStoreInTheDefaultTheme() {
    let d = Self.distribution()
    #expect(d.edges == [1, 10, 100, 1000])
    var b = ScreenBuffer(size: Size(width: 12, height: 3))
    var map = Heatmap(d, label: { Format.millis($0) }, overlay: nil, theme: .standard)
    map.scale = .linear
    map.draw(in: b.bounds, on: &b, glyphs: .unicode)
    // Bins of [1, 10), [10, 100), [100, ∞) ms; the hottest cell (8 samples) is red.
    #expect(
      b.snapshot() == """
        ScreenBuffer 12x3
        "100ms   ░  ░"
        "      ░   ░ "
        "1.0ms ▒· █ ░"
        styles:
          a: dim
          b: fg=cyan
          c: fg=red
        "aaaaa...b..b"
        "......b...b."
        "aaaaa.ba.c.b"

        """)
    // Monochrome: the same glyphs, no colour.
    var mono = ScreenBuffer(size: Size(width: 12, height: 3))
    var plain = Heatmap(
      d, label: { Format.millis($0) }, overlay: nil, theme: Theme.standard.adapted(to: .monochrome))
    plain.scale = .linear
    plain.draw(in: mono.bounds, on: &mono, glyphs: .unicode)
    #expect(mono.lines() == b.lines())
    #expect(mono.cells.allSatisfy { $0.style.foreground == .default })
  }

  @Test func heatmapOverlaysTheP99PerBucket() {
    let d = Self.distribution()
    #expect(d.bucketQuantiles[0] == [50, nil, 500, 5, 50, 900])
    var b = ScreenBuffer(size: Size(width: 6, height: 3))
    var map = Heatmap(d, label: nil, theme: .standard)
    map.scale = .linear
    map.draw(in: b.bounds, on: &b, glyphs: .ascii)
    #expect(b.lines() == ["  o  o", "o   o ", "=. o :"])
  }

  @Test func histogramOfTheWindow() {
    let d = Self.distribution(quantiles: [])
    #expect(d.histogram == [12, 3, 3])
    var b = ScreenBuffer(size: Size(width: 30, height: 3))
    Histogram(d, label: { Format.millis($0) }).draw(in: b.bounds, on: &b, glyphs: .unicode)
    #expect(
      b.lines() == [
        "1.0ms █████████████████ 12 67%",
        " 10ms ████▎              3 17%",
        "100ms ████▎              3 17%",
      ])
  }

  @Test func everyBuiltInThemeHasARampFromColdToHot() {
    let themes = ThemeLoader.builtins()
    #expect(themes.count >= 6)
    for theme in themes {
      let ramp = theme.heatRamp
      #expect(ramp.count == 3)
      #expect(ramp.allSatisfy { $0.background == .default && $0.attributes.isEmpty })
      let mono = theme.adapted(to: .monochrome).heatRamp
      #expect(mono.allSatisfy { $0 == .plain }, "\(theme.name)")
      if theme.name != "monochrome" {
        #expect(ramp.first != ramp.last, "\(theme.name)")
      }
    }
  }
}
