// What a rule measures at a tick: its value(s) over the window from the data source, its health
// (ok, NoData, Error), and the condition with hysteresis (SEMANTICS §3.3 steps 1-2).

extension AlertEvaluator {
  /// What one rule measured at a tick.
  enum Outcome {
    case ok([LabelSet: Measured])
    case noData
    case error(String)
  }

  /// One instance's measurement.
  struct Measured {
    var value: Double?
    /// An exact ratio to compare with the threshold (ratios, counts).
    var exact: (num: UInt64, den: UInt64)?
    /// A burn-rate rule decides its condition itself.
    var burnCondition: Bool?
    /// A baseline rule: what its baseline is computed over, and the baseline it compares with
    /// (nil while warming up; see AlertBaselineEvaluation.swift).
    var subject: BaselineSubject?
    var baseline: Baseline?
    /// With `baseline.significance`: `(Σnum, Σden)` of a ratio, or `(events, seconds)` of a
    /// rate, over each of the spec's ``BaselineSpec/countWindows(window:)``, the rule's window
    /// first.
    var counts: [(num: UInt64, den: UInt64)] = []
  }

  /// The condition for `m` given the instance's current state (hysteresis).
  static func condition(_ rule: AlertRule, _ m: Measured, state: AlertState) -> Bool {
    if let b = m.burnCondition { return b }
    if let spec = rule.baseline {
      guard let v = m.value, let b = m.baseline else { return false }
      if !m.counts.isEmpty { return spec.breached(counts: m.counts, baseline: b, op: rule.op) }
      return spec.breached(v, baseline: b, op: rule.op)
    }
    let threshold =
      state.isProblem ? (rule.clearThreshold ?? rule.threshold) : rule.threshold
    if let e = m.exact {
      return rule.op.holds(compareExact(e.num, e.den, threshold))
    }
    guard let v = m.value, !v.isNaN else { return false }
    let d = threshold.doubleValue
    return rule.op.holds(v < d ? -1 : (v > d ? 1 : 0))
  }

  /// `num/den` (non-negative) vs a signed rational, exactly.
  static func compareExact(_ num: UInt64, _ den: UInt64, _ r: Rational) -> Int {
    if r.negative { return 1 }
    return compareMagnitudes(num, den, r.num, r.den)
  }

  static func measure(_ rule: AlertRule, data: some AlertDataSource, at t: Timestamp) -> Outcome {
    switch rule.aggregate {
    case .series(let measure): return measureSeries(rule, measure, data: data, at: t)
    case .ratio(let num, let den): return measureRatio(rule, num, den, data: data, at: t)
    case .burnRate(let slo): return measureBurn(rule, slo, data: data, at: t)
    }
  }

  private static func merged(_ series: LabelSet, _ rule: LabelSet) -> LabelSet {
    if rule.isEmpty { return series }
    if series.isEmpty { return rule }
    return LabelSet(
      series.labels.map { ($0.name, $0.value) } + rule.labels.map { ($0.name, $0.value) })
  }

  private static func isStale(_ newest: Timestamp?, _ rule: AlertRule, _ t: Timestamp) -> Bool {
    guard let newest else { return false }
    return t.since(newest) > rule.noDataAfter
  }

  private static func measureSeries(
    _ rule: AlertRule, _ measure: SeriesMeasure, data: some AlertDataSource, at t: Timestamp
  ) -> Outcome {
    if let p = data.problem(window: rule.window, measure: measure) { return .error(p) }
    var elements: [LabelSet: Measured] = [:]
    var newest: Timestamp?
    let inclusive = rule.windowStart == .inclusive && measure == .last
    for ref in data.series(rule.selector) {
      let r =
        inclusive
        ? data.latest(series: ref.id, lookback: rule.window, at: t)
        : data.reading(measure, series: ref.id, window: rule.window, at: t)
      guard !r.ended, let v = r.value else { continue }
      if let n = r.newest { newest = max(newest ?? n, n) }
      let labels =
        rule.templates.map { $0.labels(rule, series: ref.labels, value: v) }
        ?? merged(ref.labels, rule.labels)
      if elements[labels] != nil { return .error("duplicate alert label set \(labels)") }
      var m = Measured(value: v)
      if rule.baseline != nil { m.subject = .series(ref.id, measure) }
      if measure == .rate, let spec = rule.baseline, spec.significance != nil {
        // The count test's windows: events (the window's sum) out of seconds.
        m.counts = spec.countWindows(window: rule.window).map { w in
          let events = data.reading(.sum, series: ref.id, window: w, at: t).value ?? 0
          return (countValue(events), UInt64(max(1, w / Nanos.second)))
        }
      }
      if measure == .count, v >= 0, let c = UInt64(exactly: v.rounded()) { m.exact = (c, 1) }
      elements[labels] = m
    }
    // Prometheus: an absent series is simply not in the result; there is no NoData.
    if rule.absent == .conditionFalse { return .ok(elements) }
    if elements.isEmpty || isStale(newest, rule, t) { return .noData }
    return .ok(elements)
  }

  /// Σ over a window of each group (by `by` labels) of a selector's series, as integers.
  /// `covered` becomes true when some series' data covers the whole window.
  private static func groupedSums(
    _ selector: SeriesSelector, by: [String], window: Int64, data: some AlertDataSource,
    at t: Timestamp, newest: inout Timestamp?, covered: inout Bool
  ) -> [LabelSet: UInt64] {
    var out: [LabelSet: UInt64] = [:]
    for ref in data.series(selector) {
      let r = data.reading(.sum, series: ref.id, window: window, at: t)
      guard !r.ended, let v = r.value else { continue }
      if let n = r.newest { newest = max(newest ?? n, n) }
      if !r.warmingUp { covered = true }
      let key = by.isEmpty ? LabelSet.empty : LabelSet(by.map { ($0, ref.labels[$0] ?? "") })
      out[key, default: 0] &+= countValue(v)
    }
    return out
  }

  /// The series of a selector by group (`by` labels), for a ratio's baseline.
  private static func groupIDs(
    _ selector: SeriesSelector, _ by: [String], _ data: some AlertDataSource
  )
    -> [LabelSet: [SeriesID]]
  {
    var out: [LabelSet: [SeriesID]] = [:]
    for ref in data.series(selector) {
      let key = by.isEmpty ? LabelSet.empty : LabelSet(by.map { ($0, ref.labels[$0] ?? "") })
      out[key, default: []].append(ref.id)
    }
    return out
  }

  /// A window sum as an event count: rounded to the nearest integer, negatives as 0.
  static func countValue(_ v: Double) -> UInt64 {
    guard v.isFinite, v > 0 else { return 0 }
    return UInt64(exactly: v.rounded()) ?? UInt64.max
  }

  private static func measureRatio(
    _ rule: AlertRule, _ num: SeriesSelector, _ den: SeriesSelector, data: some AlertDataSource,
    at t: Timestamp
  ) -> Outcome {
    if let p = data.problem(window: rule.window, measure: .sum) { return .error(p) }
    var newest: Timestamp?
    var covered = false
    let nums = groupedSums(
      num, by: rule.by, window: rule.window, data: data, at: t, newest: &newest,
      covered: &covered)
    let dens = groupedSums(
      den, by: rule.by, window: rule.window, data: data, at: t, newest: &newest,
      covered: &covered)
    var elements: [LabelSet: Measured] = [:]
    let groups =
      rule.baseline == nil
      ? nil : (num: groupIDs(num, rule.by, data), den: groupIDs(den, rule.by, data))
    // `baseline.significance`: the count test also reads the longer windows.
    let counted = rule.baseline?.significance != nil
    let longerWindows = counted ? rule.baseline?.countWindows(window: rule.window).dropFirst() : nil
    var ignored: Timestamp?
    var ignoredCover = false
    let longer = (longerWindows ?? []).map { w in
      (
        nums: groupedSums(
          num, by: rule.by, window: w, data: data, at: t, newest: &ignored, covered: &ignoredCover),
        dens: groupedSums(
          den, by: rule.by, window: w, data: data, at: t, newest: &ignored, covered: &ignoredCover)
      )
    }
    for (key, d) in dens where d > 0 {
      let n = nums[key] ?? 0
      let labels = merged(key, rule.labels)
      if elements[labels] != nil { return .error("duplicate alert label set \(labels)") }
      var m = Measured(value: Double(n) / Double(d), exact: (n, d))
      if let groups { m.subject = .ratio(num: groups.num[key] ?? [], den: groups.den[key] ?? []) }
      if counted { m.counts = [(n, d)] + longer.map { ($0.nums[key] ?? 0, $0.dens[key] ?? 0) } }
      elements[labels] = m
    }
    if elements.isEmpty || isStale(newest, rule, t) { return .noData }
    return .ok(elements)
  }

  private static func measureBurn(
    _ rule: AlertRule, _ slo: SLOSpec, data: some AlertDataSource, at t: Timestamp
  ) -> Outcome {
    for w in slo.windows {
      if let p = data.problem(window: w.long, measure: .sum)
        ?? data.problem(window: w.short, measure: .sum)
      {
        return .error(p)
      }
    }
    let budget = slo.budget
    var newest: Timestamp?
    var cache: [Int64: (bad: UInt64, total: UInt64, covered: Bool)] = [:]
    func counts(_ window: Int64) -> (bad: UInt64, total: UInt64, covered: Bool) {
      if let c = cache[window] { return c }
      var covered = false
      var ignored = false
      let total =
        groupedSums(
          slo.total, by: [], window: window, data: data, at: t, newest: &newest,
          covered: &covered)[.empty] ?? 0
      func sum(_ s: SeriesSelector) -> UInt64 {
        groupedSums(
          s, by: [], window: window, data: data, at: t, newest: &newest, covered: &ignored)[
            .empty] ?? 0
      }
      let bad: UInt64
      switch slo.events {
      case .bad(let s): bad = sum(s)
      case .good(let s):
        let good = sum(s)
        bad = total > good ? total - good : 0
      }
      cache[window] = (bad, total, covered)
      return (bad, total, covered)
    }
    // One instance per severity; OR across its pairs, AND inside a pair.
    var groups: [String: (cond: Bool, burn: Double?)] = [:]
    for w in slo.windows {
      guard let limit = w.factor.multiplied(by: budget) else {
        return .error("factor \(w.factor) × budget \(budget) does not fit in 64 bits")
      }
      let long = counts(w.long)
      let short = counts(w.short)
      // Zero traffic in either window: that pair has no data and counts as false (C4). Until
      // the data covers the short window, the pair is warming up and counts as false too: a
      // page from the first seconds of data would be a page on noise.
      let fires =
        long.total > 0 && short.total > 0 && short.covered
        && rule.op.holds(compareExact(long.bad, long.total, limit))
        && rule.op.holds(compareExact(short.bad, short.total, limit))
      var burn: Double?
      if long.total > 0 && short.total > 0 && budget.num > 0 {
        let b = budget.doubleValue
        burn = min(
          Double(long.bad) / Double(long.total) / b, Double(short.bad) / Double(short.total) / b)
      }
      let severity = w.severity ?? rule.severity ?? ""
      var g = groups[severity] ?? (false, nil)
      g.cond = g.cond || fires
      if let burn { g.burn = max(g.burn ?? burn, burn) }
      groups[severity] = g
    }
    if newest == nil && cache.values.allSatisfy({ $0.total == 0 }) { return .noData }
    if isStale(newest, rule, t) { return .noData }
    var elements: [LabelSet: Measured] = [:]
    for (severity, g) in groups {
      let labels = severity.isEmpty ? rule.labels : merged(rule.labels, ["severity": severity])
      elements[labels] = Measured(value: g.burn, burnCondition: g.cond)
    }
    return .ok(elements)
  }
}
