// One alert instance's state machine (SEMANTICS §3.3 step 3): Inactive → Pending → Firing →
// Recovering → Resolved, with the timers it steps by.

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
