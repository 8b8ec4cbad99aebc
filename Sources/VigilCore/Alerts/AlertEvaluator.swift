/// The alert engine: a pure state machine over (rules, a data source, tick times).
///
/// Call ``tick(at:data:)`` with epoch-aligned tick times `k · evaluationInterval`, in increasing
/// order (``ticksDue(now:)`` lists them for a clock). At each tick, following SEMANTICS §3.3:
/// 1. every rule computes its value(s) over `(t − W, t]`;
/// 2. its health: NoData when no series has samples in the window or the newest is older than
///    `no_data_after` (then `no_data_state` decides), Error when the evaluation cannot run
///    (duplicate label sets, a window the source cannot serve; then `error_state` decides);
/// 3. every instance takes its transition;
/// 4. the transitions come out sorted by rule name, then by label set.
///
/// The same rules, data and ticks always give the same transitions: nothing here reads a clock.
public struct AlertEvaluator: Sendable {
  public private(set) var ruleSet: RuleSet
  /// Flap detection thresholds for new instances (percent).
  public var flapLow: Int
  public var flapHigh: Int
  /// The last tick evaluated.
  public private(set) var lastTick: Timestamp?
  /// Each rule's health at the last tick, by rule name.
  public private(set) var health: [String: RuleHealth] = [:]

  /// Rule indices sorted by name (UTF-8 order).
  private var order: [Int] = []
  /// Per rule index: its instances.
  private var instances: [[LabelSet: Instance]] = []
  /// `FeedStale` instances, keyed by their labels.
  private var feedStale: [LabelSet: Instance] = [:]

  /// Catching up after a long pause evaluates at most this many ticks (the newest ones).
  public static let maxCatchUpTicks = 360

  public init(rules: RuleSet, flapLow: Int = 5, flapHigh: Int = 20) {
    ruleSet = rules
    self.flapLow = flapLow
    self.flapHigh = flapHigh
    instances = Array(repeating: [:], count: rules.rules.count)
    order = AlertEvaluator.sortedOrder(rules.rules)
  }

  private static func sortedOrder(_ rules: [AlertRule]) -> [Int] {
    rules.indices.sorted {
      let a = rules[$0].name.utf8
      let b = rules[$1].name.utf8
      return a.elementsEqual(b) ? $0 < $1 : a.lexicographicallyPrecedes(b)
    }
  }

  /// Replaces the rules. Instances of a rule whose definition is unchanged (same name, same
  /// fields) carry over; an edited or removed rule loses its instances (as Grafana resets them).
  public mutating func replaceRules(_ rules: RuleSet) {
    var kept: [[LabelSet: Instance]] = Array(repeating: [:], count: rules.rules.count)
    for (i, r) in rules.rules.enumerated() {
      if let j = ruleSet.rules.firstIndex(of: r) { kept[i] = instances[j] }
    }
    ruleSet = rules
    instances = kept
    order = AlertEvaluator.sortedOrder(rules.rules)
    health = health.filter { name, _ in rules.rules.contains { $0.name == name } }
  }

  /// Makes the first tick the first multiple of the interval after `t` (a headless check starts
  /// ticking at its first sample instead of evaluating a tick before any data).
  public mutating func startTicks(after t: Timestamp) {
    guard lastTick == nil else { return }
    lastTick = Timestamp(
      nanoseconds: floorToMultiple(t.nanoseconds, of: ruleSet.evaluationInterval))
  }

  /// The tick times due when the clock reads `now`: every `k · interval` with
  /// `k · interval + evalDelay ≤ now` after the last tick (only the newest one on the first
  /// call, and at most ``maxCatchUpTicks``).
  public func ticksDue(now: Timestamp) -> [Timestamp] {
    let i = ruleSet.evaluationInterval
    let latest = floorToMultiple(now.nanoseconds &- ruleSet.evalDelay, of: i)
    guard let last = lastTick?.nanoseconds else { return [Timestamp(nanoseconds: latest)] }
    guard latest > last else { return [] }
    var t = last + i
    let count = (latest - last) / i
    if count > Int64(AlertEvaluator.maxCatchUpTicks) {
      t = latest - Int64(AlertEvaluator.maxCatchUpTicks - 1) * i
    }
    var out: [Timestamp] = []
    while t <= latest {
      out.append(Timestamp(nanoseconds: t))
      t += i
    }
    return out
  }

  /// Every instance (the `FeedStale` ones included), sorted by rule name then labels.
  public var allInstances: [AlertInstance] {
    var out: [AlertInstance] = []
    var stalePlaced = false
    func appendStale() {
      for labels in feedStale.keys.sorted() {
        if let inst = feedStale[labels] {
          out.append(inst.snapshot(rule: RuleSet.feedStaleRule, labels: labels))
        }
      }
      stalePlaced = true
    }
    for ri in order {
      let name = ruleSet.rules[ri].name
      if !stalePlaced && RuleSet.feedStaleRule.utf8.lexicographicallyPrecedes(name.utf8) {
        appendStale()
      }
      for labels in instances[ri].keys.sorted() {
        if let inst = instances[ri][labels] {
          out.append(inst.snapshot(rule: name, labels: labels))
        }
      }
    }
    if !stalePlaced { appendStale() }
    return out
  }

  /// Evaluates every rule at tick `t` and returns the transitions, sorted by rule name, then by
  /// label set. `t` is aligned down to the evaluation interval; a tick at or before the last one
  /// does nothing and returns `[]`.
  public mutating func tick(at time: Timestamp, data: some AlertDataSource) -> [AlertTransition] {
    let t = Timestamp(
      nanoseconds: floorToMultiple(time.nanoseconds, of: ruleSet.evaluationInterval))
    if let last = lastTick, t <= last { return [] }
    lastTick = t

    // Steps 1-2: values and health for every rule.
    var outcomes: [Outcome] = []
    outcomes.reserveCapacity(ruleSet.rules.count)
    var staleFeeds: Set<String> = []
    var feeds: Set<String> = []
    for rule in ruleSet.rules {
      let outcome = AlertEvaluator.measure(rule, data: data, at: t)
      feeds.insert(rule.feedKey)
      switch outcome {
      case .ok: health[rule.name] = .ok
      case .noData:
        health[rule.name] = .noData
        if rule.noDataState == .hold { staleFeeds.insert(rule.feedKey) }
      case .error(let message): health[rule.name] = .error(message)
      }
      outcomes.append(outcome)
    }

    // Steps 3-4: transitions, in rule-name order.
    var out: [AlertTransition] = []
    var stalePlaced = false
    for ri in order {
      let rule = ruleSet.rules[ri]
      if !stalePlaced && RuleSet.feedStaleRule.utf8.lexicographicallyPrecedes(rule.name.utf8) {
        stepFeedStale(feeds: feeds, stale: staleFeeds, at: t, into: &out)
        stalePlaced = true
      }
      step(rule: ri, outcome: outcomes[ri], at: t, into: &out)
    }
    if !stalePlaced { stepFeedStale(feeds: feeds, stale: staleFeeds, at: t, into: &out) }
    return out
  }

  // MARK: - Transitions

  private mutating func step(
    rule ri: Int, outcome: Outcome, at t: Timestamp, into out: inout [AlertTransition]
  ) {
    let rule = ruleSet.rules[ri]
    var changes: [AlertTransition] = []
    var insts = instances[ri]
    let timers = Timers(
      forDuration: rule.forDuration, keepFiringFor: rule.keepFiringFor,
      retention: ruleSet.resolvedRetention)

    func forced(_ mode: FallbackState, reason: TransitionReason) {
      switch mode {
      case .hold: break
      case .alerting, .ok:
        if insts.isEmpty && mode == .alerting { insts[rule.labels] = Instance(flapLow, flapHigh) }
        for labels in insts.keys {
          guard var inst = insts[labels] else { continue }
          inst.value = nil
          if let c = inst.step(cond: mode == .alerting, at: t, timers) {
            changes.append(transition(rule.name, labels, c, inst.value, reason, t))
          }
          insts[labels] = inst
        }
      case .keepLast:
        for labels in insts.keys {
          guard var inst = insts[labels] else { continue }
          if let c = inst.promotePending(at: t, timers) {
            changes.append(transition(rule.name, labels, c, inst.value, reason, t))
          }
          insts[labels] = inst
        }
      }
    }

    switch outcome {
    case .noData: forced(rule.noDataState, reason: .noData)
    case .error: forced(rule.errorState, reason: .error)
    case .ok(let elements):
      for (labels, m) in elements {
        var inst = insts[labels] ?? Instance(flapLow, flapHigh)
        inst.missingEvals = 0
        inst.value = m.value
        let cond = AlertEvaluator.condition(rule, m, state: inst.state)
        if let c = inst.step(cond: cond, at: t, timers) {
          changes.append(transition(rule.name, labels, c, m.value, nil, t))
        }
        if inst.state != .inactive || insts[labels] != nil { insts[labels] = inst }
      }
      for labels in insts.keys where elements[labels] == nil {
        guard var inst = insts[labels] else { continue }
        inst.missingEvals += 1
        inst.value = nil
        if inst.missingEvals >= rule.missingSeriesEvals,
          let c = inst.dropMissing(at: t)
        {
          changes.append(transition(rule.name, labels, c, nil, .missingSeries, t))
        }
        insts[labels] = inst
      }
    }
    finish(&insts, at: t)
    instances[ri] = insts
    changes.sort { $0.labels < $1.labels }
    out.append(contentsOf: changes)
  }

  private mutating func stepFeedStale(
    feeds: Set<String>, stale: Set<String>, at t: Timestamp, into out: inout [AlertTransition]
  ) {
    let timers = Timers(
      forDuration: ruleSet.feedStaleFor, keepFiringFor: 0, retention: ruleSet.resolvedRetention)
    var changes: [AlertTransition] = []
    var insts = feedStale
    for feed in feeds {
      let labels: LabelSet = ["feed": feed, "severity": "warn"]
      let cond = stale.contains(feed)
      guard cond || insts[labels] != nil else { continue }
      var inst = insts[labels] ?? Instance(flapLow, flapHigh)
      if let c = inst.step(cond: cond, at: t, timers) {
        changes.append(transition(RuleSet.feedStaleRule, labels, c, nil, nil, t))
      }
      insts[labels] = inst
    }
    finish(&insts, at: t)
    feedStale = insts
    changes.sort { $0.labels < $1.labels }
    out.append(contentsOf: changes)
  }

  /// Records flap history, then drops Inactive instances and Resolved ones past retention.
  private func finish(_ insts: inout [LabelSet: Instance], at t: Timestamp) {
    for labels in insts.keys {
      guard var inst = insts[labels] else { continue }
      if inst.state == .inactive {
        insts[labels] = nil
        continue
      }
      if inst.state == .resolved, let r = inst.resolvedAt,
        t.since(r) >= ruleSet.resolvedRetention
      {
        insts[labels] = nil
        continue
      }
      inst.flap.record(inst.state.isProblem)
      insts[labels] = inst
    }
  }

  private func transition(
    _ rule: String, _ labels: LabelSet, _ change: (AlertState, AlertState), _ value: Double?,
    _ reason: TransitionReason?, _ t: Timestamp
  ) -> AlertTransition {
    AlertTransition(
      t: t, rule: rule, labels: labels, from: change.0, to: change.1, value: value, reason: reason)
  }

  // MARK: - Values

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
  }

  /// The condition for `m` given the instance's current state (hysteresis).
  static func condition(_ rule: AlertRule, _ m: Measured, state: AlertState) -> Bool {
    if let b = m.burnCondition { return b }
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
    for ref in data.series(rule.selector) {
      let r = data.reading(measure, series: ref.id, window: rule.window, at: t)
      guard !r.ended, let v = r.value else { continue }
      if let n = r.newest { newest = max(newest ?? n, n) }
      let labels = merged(ref.labels, rule.labels)
      if elements[labels] != nil { return .error("duplicate alert label set \(labels)") }
      var m = Measured(value: v)
      if measure == .count, v >= 0, let c = UInt64(exactly: v.rounded()) { m.exact = (c, 1) }
      elements[labels] = m
    }
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
    for (key, d) in dens where d > 0 {
      let n = nums[key] ?? 0
      let labels = merged(key, rule.labels)
      if elements[labels] != nil { return .error("duplicate alert label set \(labels)") }
      elements[labels] = Measured(value: Double(n) / Double(d), exact: (n, d))
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

/// The timers one instance steps with.
struct Timers {
  var forDuration: Int64
  var keepFiringFor: Int64
  var retention: Int64
}

/// One instance's mutable state.
struct Instance: Sendable {
  var state: AlertState = .inactive
  var activeAt: Timestamp?
  var firedAt: Timestamp?
  var keepSince: Timestamp?
  var resolvedAt: Timestamp?
  var value: Double?
  var missingEvals = 0
  var flap: FlapDetector

  init(_ low: Int, _ high: Int) { flap = FlapDetector(low: low, high: high) }

  func snapshot(rule: String, labels: LabelSet) -> AlertInstance {
    AlertInstance(
      rule: rule, labels: labels, state: state, activeAt: activeAt, firedAt: firedAt,
      resolvedAt: resolvedAt, keepSince: keepSince, value: value, missingEvals: missingEvals,
      flap: flap)
  }

  /// SEMANTICS §3.3 step 3. Returns (from, to) when the state changed.
  mutating func step(cond: Bool, at t: Timestamp, _ timers: Timers) -> (AlertState, AlertState)? {
    let from = state
    switch state {
    case .inactive, .resolved:
      guard cond else { return nil }
      activeAt = t
      keepSince = nil
      resolvedAt = nil
      if timers.forDuration <= 0 {
        state = .firing
        firedAt = t
      } else {
        state = .pending
      }
    case .pending:
      if !cond {
        state = .inactive
        activeAt = nil
      } else if let a = activeAt, t.since(a) >= timers.forDuration {
        state = .firing
        firedAt = t
      }
    case .firing:
      guard !cond else { return nil }
      if timers.keepFiringFor > 0 {
        state = .recovering
        keepSince = t
      } else {
        state = .resolved
        resolvedAt = t
      }
    case .recovering:
      if cond {
        state = .firing
        keepSince = nil
      } else if let k = keepSince, t.since(k) >= timers.keepFiringFor {
        state = .resolved
        resolvedAt = t
        keepSince = nil
      }
    }
    return from == state ? nil : (from, state)
  }

  /// `keep_last`: the state stays, but a Pending instance still reaches Firing after `for`.
  mutating func promotePending(at t: Timestamp, _ timers: Timers) -> (AlertState, AlertState)? {
    guard state == .pending, let a = activeAt, t.since(a) >= timers.forDuration else { return nil }
    state = .firing
    firedAt = t
    return (.pending, .firing)
  }

  /// The N-th missing evaluation: Firing/Recovering → Resolved (skipping `keep_firing_for`),
  /// Pending → Inactive.
  mutating func dropMissing(at t: Timestamp) -> (AlertState, AlertState)? {
    let from = state
    switch state {
    case .firing, .recovering:
      state = .resolved
      resolvedAt = t
      keepSince = nil
    case .pending:
      state = .inactive
      activeAt = nil
    case .inactive, .resolved:
      return nil
    }
    return (from, state)
  }
}

/// `x` rounded down to a multiple of `m` (`m > 0`), also for negative `x`.
func floorToMultiple(_ x: Int64, of m: Int64) -> Int64 {
  guard m > 0 else { return x }
  let r = x % m
  return r < 0 ? x - r - m : x - r
}
