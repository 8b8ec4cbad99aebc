/// What the suspects ranking compares with its own baseline: one series' p99 or rate, or one
/// ratio group (`Σnum / Σden`), with the component it belongs to and its key text.
struct SuspectProbe: Sendable {
  enum Kind: Sendable, Equatable {
    /// A latency's p99 (a rise matters).
    case p99
    /// Events per second of a counter.
    case rate
    /// `Σnum / Σden` (a rise matters).
    case ratio
  }

  /// Which way a change must go to count.
  enum Direction: Sendable, Equatable {
    case up, down, both

    func allows(_ current: Double, _ median: Double) -> Bool {
      switch self {
      case .up: current > median
      case .down: current < median
      case .both: current != median
      }
    }
  }

  var kind: Kind
  var direction: Direction
  var component: String
  var key: String
  /// The series (the numerator's, for a ratio).
  var ids: [SeriesID]
  /// The denominator's series (ratios only).
  var dens: [SeriesID] = []

  var measure: String {
    switch kind {
    case .p99: "p99"
    case .rate: "rate"
    case .ratio: "ratio"
    }
  }

  /// The least change that counts, in the measure's unit (ms, a share, events per second), and
  /// the least samples (den events for a ratio) a minute or window needs to give a value.
  var floor: Double {
    switch kind {
    case .p99: 20
    case .ratio: 0.002
    case .rate: 0.1
    }
  }
  var minCount: UInt64 { kind == .rate ? 0 : 20 }
  /// The least scale, as a share of the median (a flat baseline does not make every wiggle
  /// infinite).
  var relativeScale: Double { kind == .ratio ? 0.1 : 0.05 }

  /// The value of minute `minute` (its end, in minutes since the epoch) from the history.
  func minuteValue(_ history: MinuteHistory, minute: Int64) -> Double? {
    switch kind {
    case .p99:
      guard let s = history.summary(ids[0], minute: minute), s.count >= minCount else { return nil }
      return s.p99
    case .rate:
      guard let s = history.summary(ids[0], minute: minute) else { return nil }
      return s.sum / 60
    case .ratio:
      var num = 0.0
      var den = 0.0
      var seen = false
      for id in dens {
        guard let s = history.summary(id, minute: minute) else { continue }
        den += s.sum
        seen = true
      }
      guard seen, den >= Double(minCount) else { return nil }
      for id in ids { num += history.summary(id, minute: minute)?.sum ?? 0 }
      return num / den
    }
  }

  /// A ratio's numerator and denominator events in minute `minute` (nil: not recorded).
  func minuteCounts(_ history: MinuteHistory, minute: Int64) -> (num: Double, den: Double)? {
    var num = 0.0
    var den = 0.0
    var seen = false
    for id in dens {
      guard let s = history.summary(id, minute: minute) else { continue }
      den += s.sum
      seen = true
    }
    guard seen else { return nil }
    for id in ids { num += history.summary(id, minute: minute)?.sum ?? 0 }
    return (num, den)
  }

  /// The value of the one-minute window ending at `t`, from the store's windows at `level`.
  func windowValue(_ store: MetricStore, at t: Timestamp, level: Int) -> Double? {
    window(store, at: t, level: level)?.value
  }

  /// The window's value and its weight (samples; a ratio's denominator events), over the
  /// `minutes` ending at `t`.
  func window(_ store: MetricStore, at t: Timestamp, level: Int, minutes: Int = 1)
    -> (value: Double, weight: Double)?
  {
    let length = Int64(minutes) * Nanos.minute
    switch kind {
    case .p99:
      let st = store.stats(ids[0], window: length, at: t, quantiles: true, level: level)
      guard st.count >= minCount, let p99 = st.p99 else { return nil }
      return (p99, Double(st.count))
    case .rate:
      let st = store.stats(ids[0], window: length, at: t, quantiles: false, level: level)
      return (st.sum / Double(60 * minutes), Double(st.count))
    case .ratio:
      var num = 0.0
      var den = 0.0
      for id in dens {
        den += store.stats(id, window: length, at: t, quantiles: false, level: level).sum
      }
      guard den >= Double(minCount), den > 0 else { return nil }
      for id in ids {
        num += store.stats(id, window: length, at: t, quantiles: false, level: level).sum
      }
      return (num / den, den)
    }
  }

  /// The least scale a z is taken with: a share of the median, a quarter of the floor, and for
  /// a ratio the counting noise of its numerator at the baseline's ratio over `weight`
  /// denominator events (√(median·den)/den, with at least 3 events expected), so a ratio
  /// whose baseline minutes were mostly zero does not page on a couple of events.
  func minScale(median: Double, weight: Double) -> Double {
    var s = max(relativeScale * abs(median), floor / 4)
    if kind == .ratio, weight > 0 { s = max(s, max(median * weight, 3).squareRoot() / weight) }
    return s
  }
}

extension SuspectProbe {
  /// The probes of every series the interner holds (at most `limit`, the signals' metrics
  /// first) and of every ratio group the components declare. A ratio's numerator series are not
  /// probed alone (their counts move with traffic; the ratio does not); its denominator's only
  /// for a drop (a sync that stops); open-count gauges not at all.
  static func all(
    interner: SeriesInterner, components: ComponentMap, signals: Set<String>, limit: Int
  ) -> [SuspectProbe] {
    let keys = interner.allKeys
    let nums = Set(components.ratios.map(\.num))
    let dens = Set(components.ratios.map(\.den))
    var order = keys.indices.filter { signals.contains(keys[$0].metric) }
    order += keys.indices.filter { !signals.contains(keys[$0].metric) }
    var out: [SuspectProbe] = []
    for i in order.prefix(max(0, limit)) {
      let key = keys[i]
      if nums.contains(key.metric) || key.metric.hasSuffix("_open") { continue }
      let counter = isCounter(key.metric) || dens.contains(key.metric)
      let direction: Direction =
        !counter ? .up : dens.contains(key.metric) || isTraffic(key.metric) ? .down : .both
      out.append(
        SuspectProbe(
          kind: counter ? .rate : .p99, direction: direction,
          component: components.component(of: key), key: SeriesKeyText.key(key),
          ids: [SeriesID(UInt32(i))]))
    }
    out += ratioProbes(keys: keys, ratios: components.ratios)
    return out
  }

  /// Counters: their samples carry counts (`_total`, `_count`, the order events).
  static func isCounter(_ metric: String) -> Bool {
    metric.hasSuffix("_total") || metric.hasSuffix("_count") || isTraffic(metric)
  }

  /// Counters that follow traffic: only a drop is news.
  static func isTraffic(_ metric: String) -> Bool {
    metric == "order_placed" || metric == "order_confirmed"
  }

  private static func ratioProbes(keys: [SeriesKey], ratios: [RatioSpec]) -> [SuspectProbe] {
    var out: [SuspectProbe] = []
    for r in ratios {
      var groups: [LabelSet: (nums: [SeriesID], dens: [SeriesID])] = [:]
      for (i, key) in keys.enumerated() where key.metric == r.num || key.metric == r.den {
        let group = LabelSet(r.by.compactMap { n in key.labels[n].map { (n, $0) } })
        if key.metric == r.num { groups[group, default: ([], [])].nums.append(SeriesID(UInt32(i))) }
        if key.metric == r.den { groups[group, default: ([], [])].dens.append(SeriesID(UInt32(i))) }
      }
      for (group, ids) in groups.sorted(by: { $0.key < $1.key }) where !ids.dens.isEmpty {
        out.append(
          SuspectProbe(
            kind: .ratio, direction: .up, component: r.component(group: group),
            key: SeriesKeyText.ratio(r.num, r.den, group), ids: ids.nums, dens: ids.dens))
      }
    }
    return out
  }
}
