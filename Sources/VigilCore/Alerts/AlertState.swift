/// The state of one alert instance (SEMANTICS §3.3).
public enum AlertState: String, Sendable, CaseIterable {
  case inactive, pending, firing, recovering, resolved

  /// Firing or Recovering: what Prometheus calls firing, and what flap detection counts as a
  /// problem (SEMANTICS §6).
  public var isProblem: Bool { self == .firing || self == .recovering }
}

/// Why a transition happened, when it is not the plain condition.
public enum TransitionReason: String, Sendable {
  /// The series left a multi-series rule while its feed stayed fresh (A13).
  case missingSeries = "MissingSeries"
  /// No data, mapped by `no_data_state: alerting|ok|keep_last`.
  case noData = "NoData"
  /// An evaluation error, mapped by `error_state: alerting|ok|keep_last`.
  case error = "Error"
}

/// The health of a rule at its last tick.
public enum RuleHealth: Hashable, Sendable {
  case ok
  /// The window was empty or its newest sample older than `no_data_after`.
  case noData
  /// The evaluation could not run (duplicate label sets, a window the source cannot serve).
  case error(String)
}

/// One state change of one instance: what the engine emits per tick.
public struct AlertTransition: Hashable, Sendable {
  /// The tick.
  public var t: Timestamp
  public var rule: String
  /// Series labels plus the rule's static labels.
  public var labels: LabelSet
  public var from: AlertState
  public var to: AlertState
  /// The value the rule computed at `t` (nil when there was none: no data, missing series).
  public var value: Double?
  public var reason: TransitionReason?

  public init(
    t: Timestamp, rule: String, labels: LabelSet, from: AlertState, to: AlertState,
    value: Double?, reason: TransitionReason? = nil
  ) {
    self.t = t
    self.rule = rule
    self.labels = labels
    self.from = from
    self.to = to
    self.value = value
    self.reason = reason
  }

  /// Whether the notification layer should hear about it: into Firing, or out of a problem
  /// state. Pending → Inactive is recorded (history, headless output) but never notified (A6),
  /// and neither is Inactive/Resolved → Pending.
  public var notifies: Bool {
    (to == .firing && !from.isProblem) || (from.isProblem && !to.isProblem)
  }

  public static func == (a: AlertTransition, b: AlertTransition) -> Bool {
    a.t == b.t && a.rule == b.rule && a.labels == b.labels && a.from == b.from && a.to == b.to
      && a.reason == b.reason && a.value?.bitPattern == b.value?.bitPattern
  }

  public func hash(into h: inout Hasher) {
    h.combine(t)
    h.combine(rule)
    h.combine(labels)
    h.combine(from)
    h.combine(to)
    h.combine(value?.bitPattern)
    h.combine(reason)
  }
}

/// A read-only view of one instance, for the UI.
public struct AlertInstance: Hashable, Sendable {
  public var rule: String
  public var labels: LabelSet
  public var state: AlertState
  /// When the current Pending/Firing episode started (the first true tick).
  public var activeAt: Timestamp?
  /// When it last went to Firing.
  public var firedAt: Timestamp?
  /// When it went to Resolved.
  public var resolvedAt: Timestamp?
  /// Recovering since (the first false tick while firing).
  public var keepSince: Timestamp?
  public var value: Double?
  /// Consecutive ticks the series has been missing (A13).
  public var missingEvals: Int
  public var flap: FlapDetector

  public static func == (a: AlertInstance, b: AlertInstance) -> Bool {
    a.rule == b.rule && a.labels == b.labels && a.state == b.state && a.activeAt == b.activeAt
      && a.firedAt == b.firedAt && a.resolvedAt == b.resolvedAt && a.keepSince == b.keepSince
      && a.value?.bitPattern == b.value?.bitPattern && a.missingEvals == b.missingEvals
      && a.flap == b.flap
  }

  public func hash(into h: inout Hasher) {
    h.combine(rule)
    h.combine(labels)
    h.combine(state)
  }
}
