import VigilCore

/// Layout panels: a built-in panel by its kind, or a generic one from its metric, matchers,
/// aggregate, window and `by:` label.
extension ModelBuilder {
  /// The model of one layout panel, at the panel's own window when it has one.
  func panel(for spec: PanelSpec) -> PanelModel {
    var b = self
    if let w = spec.window, w > 0 { b.window = w }
    var panel: PanelModel
    if spec.widget == .waterfall {
      panel = b.waterfall(spec)
      if let title = spec.title { panel.title = title }
      return panel
    }
    switch spec.kind {
    case .apiLatency?: panel = b.apiLatency()
    case .checkoutLatency?: panel = b.checkout()
    case .orderConfirmation?: panel = b.confirmation()
    case .paymentRetries?: panel = b.payments()
    case .inventoryMismatch?: panel = b.inventory()
    case .supportTickets?: panel = b.tickets()
    case nil: panel = b.generic(spec)
    }
    if let title = spec.title {
      panel.title = title
    } else {
      panel.shortTitle = spec.kind?.shortTitle
    }
    return panel
  }

  /// The metrics an alert instance watches (its rule's; a silent feed's `feed` label).
  func alertMetrics(_ inst: AlertInstance) -> [String] {
    if inst.rule == RuleSet.feedStaleRule { return inst.labels["feed"].map { [$0] } ?? [] }
    guard let rule = state.engine.rules.rules.first(where: { $0.name == inst.rule })
    else { return [] }
    switch rule.aggregate {
    case .series: return [rule.selector.metric]
    case .ratio(let num, let den): return [num.metric, den.metric]
    case .burnRate(let slo): return [slo.total.metric]
    }
  }

  /// Whether a panel shows what an alert on `metrics` with `labels` watches: a built-in panel
  /// by its signals; a generic one by its metrics, and by its matchers on the labels the alert
  /// carries.
  func shows(_ spec: PanelSpec, _ metrics: [String], _ labels: LabelSet) -> Bool {
    if let kind = spec.kind { return kind.metrics(names).contains { metrics.contains($0) } }
    guard let selector = spec.selector, spec.metrics(names).contains(where: metrics.contains)
    else { return false }
    return selector.matchers.allSatisfy { labels[$0.name] == nil || $0.matches(labels) }
  }

  /// The series of `selector`, in label order.
  func matching(_ selector: SeriesSelector) -> [(labels: LabelSet, id: SeriesID)] {
    index.series(selector.metric).filter { s in
      selector.matchers.allSatisfy { $0.matches(s.labels) }
    }
    .sorted { $0.labels < $1.labels }
  }

  /// A generic panel: the aggregate over the window as the headline, per bucket as the chart,
  /// and per group of the `by:` label for the widget.
  func generic(_ spec: PanelSpec) -> PanelModel {
    let selector = spec.selector ?? SeriesSelector(metric: "")
    var panel = PanelModel(title: spec.title ?? selector.metric)
    panel.widget = spec.widget
    panel.unit = spec.unit
    panel.threshold = spec.threshold
    panel.gaugeMax = spec.max
    panel.text = spec.text
    let series = matching(selector)
    let den = spec.den.map { matching($0) } ?? []
    let quick = series.map { store.stats($0.id, window: window, at: now, quantiles: false) }
    guard quick.contains(where: { $0.count > 0 }) else {
      panel.details = noData([selector.metric])
      return panel
    }
    let agg = spec.aggregate
    let total = aggregateValue(agg, series.map(\.id), den.map(\.id))
    let spark = bucketValues(agg, series.map(\.id), den.map(\.id))
    panel.hasData = true
    panel.headline = format(spec, total)
    panel.headlineLabel = headlineLabel(spec)
    panel.headlineValue = total
    panel.trend = trend(spark)
    panel.spark = spark
    panel.sparkCaption = "\(agg.name) per \(bucketLabel)"
    if spec.widget == .heatmap || spec.widget == .histogram {
      // Bins over the data's own range; the widgets merge or stretch them to the rows they get.
      panel.distribution = store.distribution(
        series.map(\.id), window: window, at: now,
        bins: .fromData(count: PanelModel.distributionBins, fallback: 1...1000))
    }
    if let by = spec.by {
      panel.groups = groups(spec, by: by, series, den)
      panel.details = [
        panel.groups.prefix(6).map { "\($0.name) \($0.text)" }.joined(separator: "  ")
      ]
      panel.tableHeader = [by, agg.name]
    } else {
      panel.groups = [
        PanelGroup(name: selector.metric, value: total, text: panel.headline, spark: spark)
      ]
      let withData = quick.filter { $0.count > 0 }.count
      panel.details = [
        "\(withData) series, \(Format.count(Double(quick.reduce(0) { $0 + $1.count }))) samples"
      ]
      panel.tableHeader = ["series", agg.name]
    }
    if spec.widget == .table {
      panel.table =
        spec.by == nil
        ? seriesTable(spec, selector, series, den) : panel.groups.map { [$0.name, $0.text] }
    }
    panel.breakdownHeader = ["series", "count", "rate", "min", "mean", "p50", "p99", "max", "last"]
    panel.breakdownOptional = [3, 4, 8, 1, 7]
    panel.breakdown = breakdown(spec.unit, series + den)
    return panel
  }

  /// The words under a generic panel's headline: what the aggregate is, over which window.
  func headlineLabel(_ spec: PanelSpec) -> String {
    let span = Nanos.format(window)
    let agg = spec.aggregate
    switch agg {
    case .sum: return "in \(span)"
    case .count: return "samples in \(span)"
    case .rate: return spec.window != nil ? "over \(span)" : ""
    default: return agg.name + (spec.window != nil ? " over \(span)" : "")
    }
  }

  /// The series grouped by the `by:` label (at most 50 groups), largest value first.
  func groups(
    _ spec: PanelSpec, by: String, _ series: [(labels: LabelSet, id: SeriesID)],
    _ den: [(labels: LabelSet, id: SeriesID)]
  ) -> [PanelGroup] {
    let agg = spec.aggregate
    var names: [String] = []
    var members: [String: (num: [SeriesID], den: [SeriesID])] = [:]
    for s in series {
      let name = printableExcerpt(s.labels[by] ?? "(no \(by))", limit: 60)
      if members[name] == nil { names.append(name) }
      members[name, default: ([], [])].num.append(s.id)
    }
    for s in den {
      let name = printableExcerpt(s.labels[by] ?? "(no \(by))", limit: 60)
      members[name]?.den.append(s.id)
    }
    var groups = names.prefix(50).map { name -> PanelGroup in
      let m = members[name] ?? ([], [])
      let v = aggregateValue(agg, m.num, m.den)
      return PanelGroup(
        name: name, value: v, text: format(spec, v), spark: bucketValues(agg, m.num, m.den))
    }
    groups.sort { a, b in
      (a.value ?? -.infinity) != (b.value ?? -.infinity)
        ? (a.value ?? -.infinity) > (b.value ?? -.infinity) : a.name < b.name
    }
    return groups
  }

  /// A table widget's rows without `by:`: one per series, with its own denominator.
  func seriesTable(
    _ spec: PanelSpec, _ selector: SeriesSelector, _ series: [(labels: LabelSet, id: SeriesID)],
    _ den: [(labels: LabelSet, id: SeriesID)]
  ) -> [[String]] {
    let names = distinguishingNames(series.map { SeriesKey(selector.metric, $0.labels) })
    return zip(series, names).map { s, name in
      [
        name,
        format(
          spec,
          aggregateValue(spec.aggregate, [s.id], den.filter { $0.labels == s.labels }.map(\.id))),
      ]
    }
  }

  /// The breakdown rows: every series with data in the window, its stats in `unit`.
  func breakdown(_ u: ValueUnit, _ series: [(labels: LabelSet, id: SeriesID)]) -> [[String]] {
    let shown = series.map { ($0.id, stats($0.id)) }.filter { $0.1.count > 0 }
    var rows = zip(shown, rowNames(shown.map(\.0))).map { row, name -> [String] in
      let st = row.1
      return [
        name, Format.count(Double(st.count)), "",
        u.format(st.min), u.format(st.mean), u.format(st.p50), u.format(st.p99),
        u.format(st.max), u.format(st.last),
      ]
    }
    Format.rateColumn(&rows, 2, shown.map(\.1.eventRate))
    return rows
  }

  /// A value in the panel's unit; a rate per second.
  func format(_ spec: PanelSpec, _ v: Double?) -> String {
    guard spec.aggregate == .rate else { return spec.unit.format(v) }
    return spec.unit == .count || spec.unit == .plain ? Format.rate(v) : spec.unit.format(v) + "/s"
  }

  /// The aggregate over the window of a group of series (a ratio's `den` series apart).
  func aggregateValue(_ agg: PanelAggregate, _ ids: [SeriesID], _ den: [SeriesID]) -> Double? {
    switch agg {
    case .quantile(let q):
      var merged = QuantileSketch.mergeTarget()
      for id in ids { merged.merge(store.sketch(id, window: window, at: now)) }
      return merged.quantile(q)
    case .ratio:
      let n = ids.reduce(0.0) {
        $0 + store.stats($1, window: window, at: now, quantiles: false).sum
      }
      let d = den.reduce(0.0) {
        $0 + store.stats($1, window: window, at: now, quantiles: false).sum
      }
      return d > 0 ? n / d : nil
    default:
      let all = ids.map { store.stats($0, window: window, at: now, quantiles: false) }
        .filter { $0.count > 0 }
      guard !all.isEmpty else { return nil }
      let sum = all.reduce(0.0) { $0 + $1.sum }
      let count = all.reduce(0.0) { $0 + Double($1.count) }
      switch agg {
      case .count: return count
      case .sum: return sum
      case .rate:
        let seconds = all.map(\.seconds).max() ?? 0
        return seconds > 0 ? sum / seconds : nil
      case .mean: return count > 0 ? sum / count : nil
      case .min: return all.compactMap(\.min).min()
      case .max: return all.compactMap(\.max).max()
      default: return all.reduce(0.0) { $0 + ($1.last ?? 0) }
      }
    }
  }

  /// The aggregate per bucket, oldest first. Several series: counts, sums, rates and lasts
  /// add up; min and max are taken across them; a quantile is the worst series' (the headline
  /// merges their sketches instead).
  func bucketValues(_ agg: PanelAggregate, _ ids: [SeriesID], _ den: [SeriesID]) -> [Double?] {
    switch agg {
    case .ratio: return ratioBuckets(ids, den)
    case .sum: return sumBuckets(ids)
    case .rate:
      let seconds = Double(level?.bucketNanos ?? window) / Double(Nanos.second)
      return sumBuckets(ids).map { $0.map { $0 / seconds } }
    case .count: return combine(ids, .count, +)
    case .last: return combine(ids, .last, +)
    case .min: return combine(ids, .min, Swift.min)
    case .max: return combine(ids, .max, Swift.max)
    case .quantile(let q): return combine(ids, .quantile(q), Swift.max)
    case .mean:
      let sums = sumBuckets(ids)
      let counts = combine(ids, .count, +)
      return sums.indices.map { i in
        guard let s = sums[i], i < counts.count, let c = counts[i], c > 0 else { return nil }
        return s / c
      }
    }
  }

  /// Element-wise `op` of the series' buckets (nil only where every series is nil).
  func combine(
    _ ids: [SeriesID], _ stat: BucketStatistic, _ op: (Double, Double) -> Double
  ) -> [Double?] {
    var out: [Double?] = []
    for id in ids {
      let b = spark(id, stat)
      if out.isEmpty {
        out = b
        continue
      }
      for i in 0..<Swift.min(out.count, b.count) {
        if let v = b[i] { out[i] = out[i].map { op($0, v) } ?? v }
      }
    }
    return out
  }
}
