import VigilApp
import VigilCore

/// The impact totals of ``IncidentReport/impact``, counted from the replay's own windows: as the
/// replay goes, the buckets of the store's coarsest level (10 s by default) are read back for the
/// last few minutes, and each item's count per bucket is kept (a bucket only grows, so the
/// largest reading is its count). At the end, the buckets that cover the incident window are
/// added up. Nothing is parsed again: these are the samples the windows and rules saw.
///
/// - Failed payments, payment retries: the sum of the signal's counter series (each sample's
///   value is a count).
/// - Order-error tickets: the sum of the tickets series with `reason="order_error"`.
/// - Slow checkouts, late confirmations: the samples of the checkout (confirmation delay) rule's
///   own series above its threshold, counted from the bucket's quantile sketch as its quantiles
///   are (each value at its sketch bucket's midpoint, within 0.4 % of the true value).
///
/// An item is left out when no series of it is in the recording, or (slow checkouts, late
/// confirmations) no fixed-threshold upward rule on its panel is in force.
struct ImpactCounts {
  struct Item {
    var key: String
    var title: String
    var counted = ""
    /// Count per bucket index of the store's coarsest level.
    var buckets: [Int64: Double] = [:]
    /// A series of it was in the recording (and, for thresholds, a rule gave one).
    var present = false
  }

  var items: [Item] = [
    Item(key: "failed_payments", title: "Failed payments"),
    Item(key: "payment_retries", title: "Payment retries"),
    Item(key: "order_error_tickets", title: "Support tickets: order errors"),
    Item(key: "slow_checkouts", title: "Slow checkouts"),
    Item(key: "late_confirmations", title: "Orders confirmed late"),
  ]
  /// Whether a reading is due at `now` (the dashboard's time).
  func due(at now: Timestamp) -> Bool { now >= next || last.map { now < $0 } == true }

  /// The dashboard time of the next reading, and of the last one.
  var next = Timestamp(nanoseconds: .min)
  var last: Timestamp?
  /// The bucket length of the level read (set at the first reading).
  var width: Int64 = 10 * Nanos.second

  /// Readings this far apart (dashboard time), each going back `lookBack` before the previous
  /// one (for samples that arrived late), never beyond the level's horizon.
  static let every = 30 * Nanos.second
  static let lookBack = 2 * Nanos.minute

  mutating func harvest(_ state: AppState, at now: Timestamp) {
    let store = state.engine.store
    let levels = store.config.levels
    guard let li = levels.indices.max(by: { levels[$0].horizon < levels[$1].horizon }) else {
      return
    }
    let level = levels[li]
    width = level.bucketNanos
    let kNow = BucketIndex.bucket(now.nanoseconds, width: width)
    let oldest = kNow - Int64(level.slots) + 1
    // The dashboard's clock can move back once (an auto clock settling on event time).
    let kFrom =
      last.flatMap { t in
        t > now ? nil : max(oldest, BucketIndex.bucket(t.nanoseconds - Self.lookBack, width: width))
      } ?? oldest
    last = now
    next = now.adding(Self.every)
    guard kFrom <= kNow else { return }

    let names = state.config.signals
    let keys = state.engine.interner.allKeys
    func series(_ selector: SeriesSelector) -> [SeriesID] {
      keys.indices.filter { i in
        keys[i].metric == selector.metric
          && selector.matchers.allSatisfy { $0.matches(keys[i].labels) }
      }.map { SeriesID(UInt32($0)) }
    }
    let tickets = SeriesSelector(
      metric: names.supportTickets,
      matchers: [LabelMatcher("reason", "order_error")])
    let rules = state.engine.rules
    for i in items.indices {
      switch items[i].key {
      case "failed_payments":
        let ids = series(SeriesSelector(metric: names.paymentFailures))
        items[i].counted = names.paymentFailures
        read(&items[i], ids, kFrom...kNow, store, level: li) { $0.sum }
      case "payment_retries":
        let ids = series(SeriesSelector(metric: names.paymentRetries))
        items[i].counted = names.paymentRetries
        read(&items[i], ids, kFrom...kNow, store, level: li) { $0.sum }
      case "order_error_tickets":
        items[i].counted = RuleText.selectorText(tickets)
        read(&items[i], series(tickets), kFrom...kNow, store, level: li) { $0.sum }
      default:
        let panel = items[i].key == "slow_checkouts" ? 1 : 2
        guard
          let rule = rules.rules.first(where: {
            $0.panel(signals: names) == panel && $0.op.isUpward
              && IncidentReport.chartable($0, panel: panel, signals: names)
          })
        else { continue }
        let threshold = rule.threshold.doubleValue
        let inclusive = rule.op == .greaterOrEqual
        items[i].counted =
          "\(RuleText.selectorText(rule.selector)) \(rule.op.rawValue) "
          + "\(rules.formatValue(threshold, rule: rule.name)) (\(rule.name)'s threshold)"
        let ids = series(rule.selector)
        guard !ids.isEmpty else { continue }
        items[i].present = true
        for k in kFrom...kNow {
          var n = 0.0
          for id in ids {
            let at = Timestamp(nanoseconds: k * width)
            let sketch = store.sketch(id, window: width, at: at, level: li)
            n += Self.count(sketch, over: threshold, inclusive: inclusive)
          }
          items[i].buckets[k] = max(items[i].buckets[k] ?? 0, n)
        }
      }
    }
  }

  /// Adds `value` of each series' bucket `k` for every `k` of `range`.
  private func read(
    _ item: inout Item, _ ids: [SeriesID], _ range: ClosedRange<Int64>, _ store: MetricStore,
    level: Int, _ value: (WindowStats) -> Double
  ) {
    guard !ids.isEmpty else { return }
    item.present = true
    for k in range {
      var n = 0.0
      for id in ids {
        let st = store.stats(
          id, window: width, at: Timestamp(nanoseconds: k * width), quantiles: false,
          level: level)
        if st.count > 0 { n += value(st) }
      }
      item.buckets[k] = max(item.buckets[k] ?? 0, n)
    }
  }

  /// The weight of a sketch's values above `threshold` (at or above, `inclusive`), each value
  /// taken at its bucket's midpoint as the sketch's quantiles are (the exact minimum and maximum
  /// decide when every value, or none, is above).
  static func count(_ s: QuantileSketch, over threshold: Double, inclusive: Bool) -> Double {
    guard let lo = s.min, let hi = s.max else { return 0 }
    func over(_ v: Double) -> Bool { inclusive ? v >= threshold : v > threshold }
    if !over(hi) { return 0 }
    if over(lo) { return Double(s.count) }
    var n: UInt64 = 0
    if over(0) { n &+= s.nonPositiveCount }
    s.forEachPositiveBucket { lower, upper, c in
      var mid = lower + (upper - lower) * (lower / (lower + upper))
      if !mid.isFinite { mid = lower }
      if over(min(hi, max(lo, mid))) { n &+= c }
    }
    return Double(n)
  }

  /// The totals over `window`, rounded out to whole buckets, and the span they cover.
  func totals(over window: (from: Timestamp, to: Timestamp))
    -> (impact: [IncidentReport.Impact], from: Timestamp, to: Timestamp)
  {
    let first = BucketIndex.bucket(window.from.nanoseconds &+ 1, width: width)
    let last = max(first, BucketIndex.bucket(window.to.nanoseconds, width: width))
    let impact = items.filter(\.present).map { item in
      var total = 0.0
      for k in item.buckets.keys.sorted() where k >= first && k <= last {
        total += item.buckets[k] ?? 0
      }
      return IncidentReport.Impact(
        key: item.key, title: item.title, total: total, counted: item.counted)
    }
    return (
      impact, Timestamp(nanoseconds: (first - 1) * width), Timestamp(nanoseconds: last * width)
    )
  }
}
