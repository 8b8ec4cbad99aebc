import VigilCore

/// Series of the current state grouped by metric name, built once per frame.
struct SeriesIndex {
  var byMetric: [String: [(labels: LabelSet, id: SeriesID)]] = [:]

  init(_ interner: SeriesInterner) {
    for (i, key) in interner.allKeys.enumerated() {
      byMetric[key.metric, default: []].append((key.labels, SeriesID(UInt32(i))))
    }
  }

  func series(_ metric: String) -> [(labels: LabelSet, id: SeriesID)] { byMetric[metric] ?? [] }

  func series(_ metric: String, where label: String, is value: String) -> [SeriesID] {
    series(metric).filter { $0.labels[label] == value }.map(\.id)
  }
}

/// Computes the panels of ``DashboardModel`` from one state: the built-in signals' rows,
/// sparklines, thresholds and trends, the "Other metrics" rows and staleness.
struct ModelBuilder {
  let state: AppState
  let index: SeriesIndex
  let names: SignalNames
  /// The panel's window: the one in force, or a layout panel's own.
  var window: Int64
  let now: Timestamp
  let store: MetricStore

  init(state: AppState) {
    self.state = state
    index = SeriesIndex(state.engine.interner)
    names = state.config.signals
    window = state.window
    now = state.viewTime
    store = state.engine.store
  }

  /// How long the feeds behind `metrics` have been quiet, when every one of them is stale
  /// (SEMANTICS §7); nil when any of them is fresh, or none delivered these metrics yet.
  func staleness(of metrics: [String]) -> Int64? {
    var feeds = Set<Int>()
    for metric in metrics {
      for (_, id) in index.series(metric) where id.index < state.engine.seriesFeed.count {
        let f = Int(state.engine.seriesFeed[id.index])
        if f >= 0 && f < state.feeds.count { feeds.insert(f) }
      }
    }
    guard !feeds.isEmpty else { return nil }
    var newest: Timestamp?
    for f in feeds {
      let feed = state.feeds[f]
      guard feed.isStale(at: now), let last = feed.lastSampleTime else { return nil }
      newest = max(newest ?? last, last)
    }
    return newest.map { now.since($0) }
  }

  /// The ring level the window reads: its bucket length and how far back it reaches.
  var level: WindowLevel? {
    state.config.windows.levels.first { $0.horizon >= window && window % $0.bucketNanos == 0 }
  }

  var bucketLabel: String { Nanos.format(level?.bucketNanos ?? window) }

  func stats(_ id: SeriesID) -> WindowStats { store.stats(id, window: window, at: now) }

  /// Buckets for a sparkline: as far back as the window's level holds (a wide panel shows more
  /// history than the window; a narrow one drops the oldest), newest last.
  func spark(_ id: SeriesID, _ stat: BucketStatistic) -> [Double?] {
    store.buckets(id, window: level?.horizon ?? window, at: now, statistic: stat)
  }

  /// How many of the newest sparkline buckets fall inside the window.
  var windowBuckets: Int {
    guard let level, level.bucketNanos > 0 else { return 1 }
    return Int(window / level.bucketNanos)
  }

  /// Element-wise sum of bucket series (nil only where every input is nil).
  func sumBuckets(_ ids: [SeriesID]) -> [Double?] {
    var out: [Double?] = []
    for id in ids {
      let b = spark(id, .sum)
      if out.isEmpty { out = b; continue }
      for i in 0..<min(out.count, b.count) {
        if let v = b[i] { out[i] = (out[i] ?? 0) + v }
      }
    }
    return out
  }

  func ratioBuckets(_ num: [SeriesID], _ den: [SeriesID]) -> [Double?] {
    let n = sumBuckets(num)
    let d = sumBuckets(den)
    return d.enumerated().map { i, dv in
      guard let dv, dv > 0 else { return nil }
      return (i < n.count ? n[i] ?? 0 : 0) / dv
    }
  }

  /// What an empty panel says. A panel whose metrics had a series before has "no data in the
  /// last 5m"; one whose metrics never had any is not configured, not stale: it says so
  /// quietly, with the metric it waits for and how to point it at another.
  func noData(_ metrics: [String]) -> [String] {
    if metrics.contains(where: { $0.isEmpty || !index.series($0).isEmpty }) || metrics.isEmpty {
      return ["no data in the last \(Nanos.format(window))"]
    }
    var lines = ["not configured: no data yet for", metrics[0]]
    if let key = names.overrides.first(where: { $0.metric == metrics[0] })?.key {
      lines.append("--signal \(key)=...")
    }
    return lines
  }

  func sumStats(_ ids: [SeriesID]) -> (sum: Double, count: UInt64, seconds: Double) {
    var sum = 0.0
    var count: UInt64 = 0
    var seconds = 0.0
    for id in ids {
      let s = stats(id)
      sum += s.sum
      count += s.count
      seconds = max(seconds, s.seconds)
    }
    return (sum, count, seconds)
  }

  /// One row per service (the signal's own label): the service's series read as one, so a
  /// log with an extra label (`status`) still shows one `payment` row. Series without the label
  /// are named by the labels that tell them apart. Zoomed, a p99 chart per row
  /// (``PanelModel/groups``) and a breakdown of every series.
  func apiLatency() -> PanelModel {
    let all = index.series(names.apiLatency)
    var members: [String: [SeriesID]] = [:]
    if all.contains(where: { $0.labels["service"] != nil }) {
      for s in all { members[s.labels["service"] ?? "(no service)", default: []].append(s.id) }
    } else {
      let names = distinguishingNames(all.map { SeriesKey(self.names.apiLatency, $0.labels) })
      for (s, name) in zip(all, names) {
        members[s.labels.isEmpty ? "(all)" : name, default: []].append(s.id)
      }
    }
    var rows: [(p99: Double, row: [String], rate: Double, ids: [SeriesID])] = []
    var worst: Double?
    for (name, ids) in members {
      let s = store.stats(of: ids, window: window, at: now)
      guard s.count > 0 else { continue }
      let p99 = s.p99 ?? s.max ?? 0
      worst = max(worst ?? p99, p99)
      rows.append((p99, [name, Format.millis(s.p99), Format.millis(s.p50), ""], s.eventRate, ids))
    }
    rows.sort { $0.p99 != $1.p99 ? $0.p99 > $1.p99 : $0.row[0] < $1.row[0] }
    for (i, text) in Format.rates(rows.map(\.rate)).enumerated() { rows[i].row[3] = text }
    var panel = PanelModel(
      title: "API latency by service", headline: Format.millis(worst), headlineLabel: "worst p99",
      details: [], sparkCaption: "", table: rows.map(\.row),
      tableHeader: ["service", "p99", "p50", "req/s"], hasData: !rows.isEmpty)
    if rows.isEmpty { panel.details = noData([names.apiLatency]) }
    panel.unit = .milliseconds
    panel.headlineValue = worst
    latencyBreakdown(&panel, all.map(\.id), primary: "service")
    panel.threshold = threshold { rule in
      if case .series(.p99) = rule.aggregate { return rule.selector.metric == names.apiLatency }
      return false
    }
    if state.ui.zoomed {
      panel.groups = rows.map { row in
        PanelGroup(
          name: row.row[0], value: row.p99, text: row.row[1],
          spark: store.buckets(
            of: row.ids, window: level?.horizon ?? window, at: now, statistic: .quantile(0.99)))
      }
      panel.sparkCaption = "p99 per \(bucketLabel), one chart per service"
    }
    return panel
  }

  func latencyPanel(title: String, metric: String, ids: [SeriesID], extra: [String] = [])
    -> PanelModel
  {
    // With several series (labels the signal does not split by), show the worst p99.
    let all = ids.map { ($0, stats($0)) }.filter { $0.1.count > 0 }
    guard let (id, s) = all.max(by: { ($0.1.p99 ?? 0) < ($1.1.p99 ?? 0) }) else {
      return PanelModel(title: title, details: noData([metric]))
    }
    let spark = spark(id, .quantile(0.99))
    var panel = PanelModel(
      title: title, headline: Format.millis(s.p99), headlineLabel: "p99", trend: trend(spark),
      details: [
        "p50 \(Format.millis(s.p50))  p90 \(Format.millis(s.p90))  \(Format.rate(s.eventRate))"
      ] + extra,
      spark: spark, sparkCaption: "p99 per \(bucketLabel)", hasData: true)
    panel.unit = .milliseconds
    panel.headlineValue = s.p99
    latencyBreakdown(&panel, ids)
    let metric = state.engine.interner.key(id).metric
    panel.threshold = threshold { rule in
      if case .series(.p99) = rule.aggregate { return rule.selector.metric == metric }
      return false
    }
    return panel
  }

  /// A latency panel's breakdown: its header, its rows, and the columns a narrow zoom drops
  /// first (min, p90, mean, p95, count, max: the name, p50, p99 and rate stay).
  func latencyBreakdown(_ panel: inout PanelModel, _ ids: [SeriesID], primary: String? = nil) {
    panel.breakdownHeader = [
      "series", "count", "rate", "min", "mean", "p50", "p90", "p95", "p99", "max",
    ]
    panel.breakdownOptional = [3, 6, 4, 7, 1, 9]
    panel.breakdown = latencyRows(ids, primary: primary)
  }

  /// One row per latency series, worst p99 first, named by what tells the rows apart.
  func latencyRows(_ ids: [SeriesID], primary: String? = nil) -> [[String]] {
    var rows: [(SeriesID, WindowStats)] = []
    for id in ids {
      let s = stats(id)
      if s.count > 0 { rows.append((id, s)) }
    }
    rows.sort { ($0.1.p99 ?? 0) > ($1.1.p99 ?? 0) }
    let names = rowNames(rows.map(\.0), primary: primary)
    var table = zip(rows, names).map { row, name -> [String] in
      let s = row.1
      return [
        name, Format.count(Double(s.count)), "",
        Format.millis(s.min), Format.millis(s.mean), Format.millis(s.p50), Format.millis(s.p90),
        Format.millis(s.p95), Format.millis(s.p99), Format.millis(s.max),
      ]
    }
    Format.rateColumn(&table, 2, rows.map(\.1.eventRate))
    return table
  }

  /// The rows' names: what tells their series apart (``distinguishingNames(_:primary:)``).
  func rowNames(_ ids: [SeriesID], primary: String? = nil) -> [String] {
    distinguishingNames(ids.map { state.engine.interner.key($0) }, primary: primary)
  }

  /// The fixed threshold of the first upward rule that has one and `matches`.
  func threshold(_ matches: (AlertRule) -> Bool) -> Double? {
    for rule in state.engine.rules.rules where rule.op.isUpward && matches(rule) {
      if let t = rule.fixedThreshold { return t.doubleValue }
    }
    return nil
  }

  /// The threshold of a ratio rule over exactly these metrics.
  func ratioThreshold(num: String, den: String) -> Double? {
    threshold { rule in
      if case .ratio(let n, let d) = rule.aggregate {
        return n.metric == num && d.metric == den
      }
      return false
    }
  }

  /// One row per counter series: events, total and rate over the window.
  func counterRows(_ ids: [SeriesID]) -> [[String]] {
    var rows: [(id: SeriesID, stats: WindowStats)] = []
    for id in ids {
      let s = stats(id)
      if s.count > 0 { rows.append((id, s)) }
    }
    rows.sort { a, b in a.stats.sum != b.stats.sum ? a.stats.sum > b.stats.sum : a.id < b.id }
    var table = zip(rows, rowNames(rows.map(\.id))).map { row, name -> [String] in
      let s = row.stats
      return [name, Format.count(Double(s.count)), Format.count(s.sum), ""]
    }
    Format.rateColumn(&table, 3, rows.map(\.stats.sumRate))
    return table
  }

  func checkout() -> PanelModel {
    let total = index.series(names.checkoutLatency, where: "stage", is: "total")
    // Slowest stage first, so a narrow panel cuts the least important ones.
    var stages: [(String, Double)] = []
    for stage in ["pricing", "tax", "inventory", "payment"] {
      let ids = index.series(names.checkoutLatency, where: "stage", is: stage)
      if let p99 = ids.compactMap({ stats($0).p99 }).max() { stages.append((stage, p99)) }
    }
    stages.sort { $0.1 > $1.1 }
    let stageParts = stages.map { "\(short($0.0)) \(Format.millis($0.1))" }
    let ids = total.isEmpty ? index.series(names.checkoutLatency).map(\.id) : total
    return latencyPanel(
      title: "Checkout latency", metric: names.checkoutLatency, ids: ids,
      extra: stageParts.isEmpty ? [] : [stageParts.joined(separator: "  ")])
  }

  func short(_ stage: String) -> String {
    switch stage {
    case "inventory": "inv"
    case "payment": "pay"
    default: stage
    }
  }

  func confirmation() -> PanelModel {
    let pending = pendingOrders()
    var panel = latencyPanel(
      title: "Order confirmation delay", metric: names.orderConfirmationDelay,
      ids: index.series(names.orderConfirmationDelay).map(\.id), extra: pending)
    if !panel.hasData { panel.details += pending }
    return panel
  }

  /// `pending 12  timed out 3`: the open gauge (its last value) and the timed-out count over the
  /// window of the event pair whose latency is the confirmation delay (none without its series).
  func pendingOrders() -> [String] {
    guard
      let pair = state.engine.pairs.specs.first(where: {
        $0.latencyMetric == names.orderConfirmationDelay
      })
    else { return [] }
    let open = index.series(pair.openMetric).map(\.id)
    guard let last = open.compactMap({ stats($0).last }).first else { return [] }
    let timedOut = sumStats(index.series(pair.timedOutMetric).map(\.id)).sum
    return ["pending \(Format.count(last))  timed out \(Format.count(timedOut))"]
  }

  func payments() -> PanelModel {
    let attempts = index.series(names.paymentAttempts).map(\.id)
    let retrySeries = index.series(names.paymentRetries)
    let retries = retrySeries.map(\.id)
    let failures = index.series(names.paymentFailures).map(\.id)
    let a = sumStats(attempts)
    let r = sumStats(retries)
    let f = sumStats(failures)
    guard a.count + r.count + f.count > 0 else {
      return PanelModel(
        title: "Payment retries",
        details: noData([names.paymentRetries, names.paymentAttempts, names.paymentFailures]))
    }
    let ratio = a.sum > 0 ? r.sum / a.sum : nil
    let failRatio = a.sum > 0 ? f.sum / a.sum : nil
    var reasons: [(String, Double)] = []
    for (labels, id) in retrySeries {
      let s = stats(id)
      if s.sum > 0 { reasons.append((labels["reason"] ?? "other", s.sum)) }
    }
    reasons.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    let spark = ratioBuckets(retries, attempts)
    var details = [
      "\(Format.rate(r.seconds > 0 ? r.sum / r.seconds : 0)) retries  failed \(Format.percent(failRatio))"
    ]
    if !reasons.isEmpty {
      details.append(
        reasons.prefix(3).map { "\($0.0) \(Format.count($0.1))" }.joined(separator: "  "))
    }
    var panel = PanelModel(
      title: "Payment retries", headline: Format.percent(ratio), headlineLabel: "of attempts",
      trend: trend(spark), details: details, spark: spark,
      sparkCaption: "retry ratio per \(bucketLabel)", hasData: true)
    panel.unit = .ratio
    panel.headlineValue = ratio
    panel.breakdownHeader = ["series", "samples", "total", "rate"]
    panel.breakdown = counterRows(attempts + retries + failures)
    panel.threshold = ratioThreshold(num: names.paymentRetries, den: names.paymentAttempts)
    return panel
  }

  func inventory() -> PanelModel {
    let checks = index.series(names.inventoryChecks)
    let mismatches = index.series(names.inventoryMismatches)
    let c = sumStats(checks.map(\.id))
    let m = sumStats(mismatches.map(\.id))
    guard c.count + m.count > 0 else {
      return PanelModel(
        title: "Inventory mismatch",
        details: noData([names.inventoryMismatches, names.inventoryChecks]))
    }
    var pairs: [(String, Double?)] = []
    let pairNames = Set(checks.compactMap { $0.labels["pair"] }).sorted()
    for pair in pairNames {
      let cs = sumStats(checks.filter { $0.labels["pair"] == pair }.map(\.id))
      let ms = sumStats(mismatches.filter { $0.labels["pair"] == pair }.map(\.id))
      pairs.append((pair, cs.sum > 0 ? ms.sum / cs.sum : nil))
    }
    pairs.sort { ($0.1 ?? -1) > ($1.1 ?? -1) }
    let spark = ratioBuckets(mismatches.map(\.id), checks.map(\.id))
    let ratio = c.sum > 0 ? m.sum / c.sum : nil
    var panel = PanelModel(
      title: "Inventory mismatch", headline: Format.percent(ratio),
      headlineLabel: "of checks", trend: trend(spark),
      details: [pairs.map { "\($0.0) \(Format.percent($0.1))" }.joined(separator: "  ")],
      spark: spark, sparkCaption: "mismatch ratio per \(bucketLabel)", hasData: true)
    panel.unit = .ratio
    panel.headlineValue = ratio
    panel.breakdownHeader = ["series", "samples", "total", "rate"]
    panel.breakdown = counterRows(mismatches.map(\.id) + checks.map(\.id))
    panel.threshold = ratioThreshold(num: names.inventoryMismatches, den: names.inventoryChecks)
    return panel
  }

  func tickets() -> PanelModel {
    let all = index.series(names.supportTickets)
    guard !all.isEmpty else {
      return PanelModel(
        title: "Support tickets: order errors", details: noData([names.supportTickets]))
    }
    let orderErrors = all.filter {
      $0.labels["reason"] == "order_error" || $0.labels["reason"] == nil
    }.map(\.id)
    let others = all.filter { !orderErrors.contains($0.id) }.map(\.id)
    let oe = sumStats(orderErrors)
    let ot = sumStats(others)
    let spark = sumBuckets(orderErrors)
    let perHour = oe.seconds > 0 ? oe.sum / oe.seconds * 3600 : 0
    var panel = PanelModel(
      title: "Support tickets: order errors", headline: Format.count(oe.sum),
      headlineLabel: "in \(Nanos.format(window))", trend: trend(spark),
      details: ["\(Format.count(perHour.rounded()))/h  other reasons \(Format.count(ot.sum))"],
      spark: spark, sparkCaption: "tickets per \(bucketLabel)", hasData: oe.count + ot.count > 0)
    panel.unit = .count
    panel.headlineValue = oe.sum
    panel.breakdownHeader = ["series", "samples", "total", "rate"]
    panel.breakdown = counterRows(all.map(\.id))
    return panel
  }

  func otherMetrics(known: Set<String>) -> [[String]] {
    var rows: [[String]] = []
    var rates: [Double?] = []
    for (metric, list) in index.byMetric.sorted(by: { $0.key < $1.key })
    where !known.contains(metric) {
      for (labels, id) in list.sorted(by: { $0.labels < $1.labels }) {
        // A series a fold retired would list one row per id until it ages out.
        guard !state.engine.interner.isRetired(id) else { continue }
        let s = stats(id)
        guard s.count > 0 else { continue }
        rows.append([
          metric + labels.description, Format.value(s.last), Format.value(s.mean),
          Format.value(s.p99), "",
        ])
        rates.append(s.eventRate)
      }
    }
    Format.rateColumn(&rows, 4, rates)
    return rows
  }

  /// Within the window, the newest third of the buckets against the older two thirds: more
  /// than 10% apart is a trend.
  func trend(_ all: [Double?]) -> Trend? {
    let values = Array(all.suffix(windowBuckets))
    let present = values.compactMap { $0 }
    guard present.count >= 3 else { return nil }
    let cut = values.count - max(1, values.count / 3)
    let recent = values[cut...].compactMap { $0 }
    let older = values[..<cut].compactMap { $0 }
    guard !recent.isEmpty, !older.isEmpty else { return nil }
    let r = recent.reduce(0, +) / Double(recent.count)
    let o = older.reduce(0, +) / Double(older.count)
    if o == 0 { return r > 0 ? .up : .flat }
    if r > o * 1.1 { return .up }
    if r < o * 0.9 { return .down }
    return .flat
  }
}
