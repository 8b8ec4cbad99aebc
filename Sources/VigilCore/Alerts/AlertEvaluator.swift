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
///
/// This file holds the evaluator's state, tick scheduling and the per-tick walk that turns
/// outcomes into transitions; steps 1-2 (measuring a rule) are in AlertMeasurement.swift and
/// one instance's state machine (step 3) is `Instance` in InstanceStateMachine.swift.
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
  /// Per rule index: the baselines of its instances (baseline rules only), cached per minute
  /// and frozen while the instance is pending or firing.
  var baselines: [[LabelSet: BaselineEntry]] = []
  /// The baseline instances not evaluated yet at the last tick, by rule name then labels (only
  /// rules with some).
  public internal(set) var warmingUp: [String: [LabelSet: BaselineWarmUp]] = [:]

  /// Catching up after a long pause evaluates at most this many ticks (the newest ones).
  public static let maxCatchUpTicks = 360

  public init(rules: RuleSet, flapLow: Int = 5, flapHigh: Int = 20) {
    ruleSet = rules
    self.flapLow = flapLow
    self.flapHigh = flapHigh
    instances = Array(repeating: [:], count: rules.rules.count)
    baselines = instances.map { _ in [:] }
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
    var keptBaselines: [[LabelSet: BaselineEntry]] = kept.map { _ in [:] }
    for (i, r) in rules.rules.enumerated() {
      if let j = ruleSet.rules.firstIndex(of: r) {
        kept[i] = instances[j]
        keptBaselines[i] = baselines[j]
      }
    }
    ruleSet = rules
    instances = kept
    baselines = keptBaselines
    warmingUp = warmingUp.filter { name, _ in rules.rules.contains { $0.name == name } }
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
    // Times near the ends of Int64 (a feed's year 1677 or 2262) must not overflow: a gap too
    // wide to subtract is a catch-up, and the walk stops before stepping past Int64.max.
    var t = last &+ i
    let (gap, wide) = latest.subtractingReportingOverflow(last)
    if wide || gap / i > Int64(AlertEvaluator.maxCatchUpTicks) {
      t = latest - Int64(AlertEvaluator.maxCatchUpTicks - 1) * i
    }
    var out: [Timestamp] = []
    while t <= latest {
      out.append(Timestamp(nanoseconds: t))
      if latest - t < i { break }
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
    for (ri, rule) in ruleSet.rules.enumerated() {
      var outcome = AlertEvaluator.measure(rule, data: data, at: t)
      if rule.baseline != nil { attachBaselines(rule: ri, to: &outcome, data: data, at: t) }
      feeds.insert(rule.feedKey)
      switch outcome {
      case .ok: health[rule.name] = .ok
      case .noData:
        health[rule.name] = .noData
        // Stale is for what has been seen: a signal that never had a series is not
        // configured (a log of one signal does not make the other five stale).
        if rule.noDataState == .hold && rule.hasSeries(in: data) {
          staleFeeds.insert(rule.feedKey)
        }
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

  /// The state of one instance of rule index `ri` (nil when it has none).
  func instanceState(rule ri: Int, labels: LabelSet) -> AlertState? {
    instances[ri][labels]?.state
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
        if rule.absent == .conditionFalse {
          // Not in the result: a false condition (Prometheus), `keep_firing_for` included.
          if let c = inst.step(cond: false, at: t, timers) {
            changes.append(transition(rule.name, labels, c, nil, nil, t))
          }
        } else if inst.missingEvals >= rule.missingSeriesEvals,
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
}

/// `x` rounded down to a multiple of `m` (`m > 0`), also for negative `x`.
func floorToMultiple(_ x: Int64, of m: Int64) -> Int64 {
  guard m > 0 else { return x }
  let r = x % m
  guard r < 0 else { return x - r }
  // Within one interval of Int64.min the floor does not exist: the nearest multiple above.
  let (floor, overflow) = (x - r).subtractingReportingOverflow(m)
  return overflow ? x - r : floor
}
