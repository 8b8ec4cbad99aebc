import VigilCore
import VigilRender

/// The checkout waterfall panel (`widget: waterfall`): each stage's p50 and p99 over the window,
/// laid end to end against the budget, each against its own baseline (``MinuteHistory``).
extension ModelBuilder {
  /// The stages in checkout order; `overhead` (total − the stages) is added after them.
  static let waterfallStages = ["pricing", "tax", "inventory", "payment"]
  /// The budget when the layout gives none (`budget: 3s`).
  static let defaultBudget: Int64 = 3 * Nanos.second
  /// The baseline: the hour before, the newest two minutes left out, minutes of 5+ samples.
  static let baselineMinutes = 60

  /// The waterfall of `spec`: its metric (the checkout latency signal by default) split by its
  /// `by:` label (`stage`), the value `total` being the whole checkout.
  func waterfall(_ spec: PanelSpec) -> PanelModel {
    let metric = spec.selector?.metric ?? names.checkoutLatency
    let label = spec.by ?? "stage"
    let series = index.series(metric).filter { s in
      spec.selector?.matchers.allSatisfy { $0.matches(s.labels) } ?? true
    }
    func ids(_ value: String) -> [SeriesID] {
      series.filter { $0.labels[label] == value }.map(\.id)
    }
    var panel = PanelModel(title: spec.kind == nil ? metric : "Checkout latency")
    panel.widget = .waterfall
    panel.unit = .milliseconds
    panel.budget = Double(spec.budget ?? Self.defaultBudget) / Double(Nanos.millisecond)
    let totalIDs = ids("total")
    let total = worst(totalIDs)
    var stages = Self.waterfallStages.map { name -> Waterfall.Stage in
      let s = worst(ids(name))
      return Waterfall.Stage(name, p50: s?.p50, p99: s?.p99, change: change(ids(name), s?.p99))
    }
    guard total != nil || stages.contains(where: { $0.p50 != nil }) else {
      panel.details = noData([metric])
      return panel
    }
    let sum50 = stages.compactMap(\.p50).reduce(0, +)
    let over50 = total?.p50.map { max(0, $0 - sum50) }
    // The overhead's p99 reaches the total's p99 from where the stages' p50s end.
    let over99 = total?.p99.map { max(over50 ?? 0, $0 - sum50) }
    stages.append(Waterfall.Stage("overhead", p50: over50, p99: over99))
    panel.waterfall = stages
    panel.hasData = true
    panel.headline = Format.millis(total?.p99 ?? stages.compactMap(\.p99).max())
    panel.headlineValue = total?.p99
    panel.headlineLabel = "p99" + (Self.growth(stages).map { "  " + $0 } ?? "")
    let spark = totalIDs.first.map { self.spark($0, .quantile(0.99)) } ?? []
    panel.spark = spark
    panel.sparkCaption = "total p99 per \(bucketLabel)"
    if let t = total {
      // Shown when zoomed (the waterfall takes the panel's rows otherwise).
      panel.details = [
        "p50 \(Format.millis(t.p50))  p90 \(Format.millis(t.p90))  \(Format.rate(t.eventRate))"
      ]
    }
    panel.trend = trend(spark)
    latencyBreakdown(&panel, series.map(\.id), primary: label)
    return panel
  }

  /// The series' statistics with the worst p99 (several series: labels the stage does not
  /// split by).
  private func worst(_ ids: [SeriesID]) -> WindowStats? {
    ids.map { stats($0) }.filter { $0.count > 0 }.max { ($0.p99 ?? 0) < ($1.p99 ?? 0) }
  }

  /// `p99 / its baseline median` for the series whose p99 is `p99` (nil: no baseline yet).
  private func change(_ ids: [SeriesID], _ p99: Double?) -> Double? {
    guard let p99, let last = state.engine.history.newestMinute else { return nil }
    let ratios = ids.compactMap { id -> Double? in
      state.engine.history.baseline(
        id, measure: .p99, last: last, over: Self.baselineMinutes, minCount: 5
      )?.ratio(p99)
    }
    return ratios.max()
  }

  /// `tax grew x3.1`: the stage that grew most against its baseline (nil when none grew).
  static func growth(_ stages: [Waterfall.Stage]) -> String? {
    guard
      let top = stages.filter({ ($0.change ?? 0).isFinite && ($0.change ?? 0) >= 1.2 })
        .max(by: { ($0.change ?? 0) < ($1.change ?? 0) }), let c = top.change
    else { return nil }
    return "\(top.name) grew x\(Waterfall.ratioText(c))"
  }
}

/// Draws a waterfall panel's body (the stages, then a legend when a row is left).
func renderWaterfall(
  _ panel: PanelModel, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet,
  theme: Theme
) {
  Waterfall(
    stages: panel.waterfall, budget: panel.budget, label: { Format.millis($0) },
    solidStyle: theme.spark, lightStyle: theme.gap, overStyle: theme.bad,
    budgetStyle: theme.threshold, textStyle: theme.text
  ).draw(in: area, on: &buffer, glyphs: glyphs)
}
