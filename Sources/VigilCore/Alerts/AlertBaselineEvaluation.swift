// Baseline rules at a tick: each instance's baseline from the per-minute history, cached per
// minute, frozen while the instance is pending or firing, and the warm-up of the instances that
// do not have `min_minutes` usable minutes yet.

extension AlertEvaluator {
  /// One instance's baseline as last computed.
  struct BaselineEntry: Sendable {
    /// The newest minute of the baseline (`minute(t) − gap`) it was computed at.
    var minute: Int64
    var baseline: Baseline?
    /// Usable minutes it had.
    var usable: Int
  }

  /// Gives every measured instance of baseline rule `ri` its baseline (nil while warming up),
  /// and records which instances warm up.
  ///
  /// The baseline is recomputed when the minute changes, except for an instance that is
  /// pending, firing or recovering: its baseline stays as it was when the breach began, so a
  /// long anomaly does not become its own baseline.
  mutating func attachBaselines(
    rule ri: Int, to outcome: inout Outcome, data: some AlertDataSource, at t: Timestamp
  ) {
    let rule = ruleSet.rules[ri]
    guard let spec = rule.baseline, case .ok(var elements) = outcome else {
      warmingUp[rule.name] = nil
      return
    }
    let last = MinuteHistory.minute(endingAtOrBefore: t) - Int64(spec.gapMinutes)
    let over = spec.overMinutes
    var cache = baselines[ri]
    var warm: [LabelSet: BaselineWarmUp] = [:]
    for (labels, var m) in elements {
      guard let subject = m.subject else { continue }
      let state = instanceState(rule: ri, labels: labels)
      let frozen = state == .pending || state == .firing || state == .recovering
      var entry = cache[labels]
      if entry == nil || (!frozen && entry?.minute != last) {
        let b = subject.baseline(
          count: over, minCount: spec.minCount, pooled: spec.significance != nil
        ) { data.minutes(series: $0, last: last, count: over) }
        entry = BaselineEntry(minute: last, baseline: b.baseline, usable: b.usable)
      }
      guard let entry else { continue }
      cache[labels] = entry
      if entry.usable >= spec.minMinutes {
        m.baseline = entry.baseline
      } else {
        m.baseline = nil
        warm[labels] = BaselineWarmUp(minutes: entry.usable, needed: spec.minMinutes)
      }
      elements[labels] = m
    }
    // Entries of series gone from the result are kept only while their instance lives.
    for labels in cache.keys where elements[labels] == nil {
      if instanceState(rule: ri, labels: labels) == nil { cache[labels] = nil }
    }
    baselines[ri] = cache
    warmingUp[rule.name] = warm.isEmpty ? nil : warm
    outcome = .ok(elements)
  }

  /// The baseline instance `labels` of rule `rule` compares with now (frozen while it is
  /// pending or firing), or nil (not a baseline rule, unknown instance, or warming up).
  public func baseline(rule name: String, labels: LabelSet) -> Baseline? {
    guard let ri = ruleSet.rules.firstIndex(where: { $0.name == name }),
      let spec = ruleSet.rules[ri].baseline, ri < baselines.count,
      let entry = baselines[ri][labels], entry.usable >= spec.minMinutes
    else { return nil }
    return entry.baseline
  }

  /// The least advanced warm-up over every baseline instance, and how many instances warm up
  /// (nil when none does): what the dashboard shows as `baseline warming up 4 of 10 minutes`.
  public var baselineWarmUp: (least: BaselineWarmUp, instances: Int)? {
    var least: BaselineWarmUp?
    var count = 0
    for rule in warmingUp.values {
      for w in rule.values {
        count += 1
        if let l = least, l.needed - l.minutes >= w.needed - w.minutes { continue }
        least = w
      }
    }
    return least.map { ($0, count) }
  }
}
