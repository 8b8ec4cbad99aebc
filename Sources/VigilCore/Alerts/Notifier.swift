/// Who is told when an alert fires, and when not: the operator's acknowledgements and silences,
/// and the bell's throttle. The dashboard rings its bell through it; alert delivery (to
/// Alertmanager, webhooks), in the dashboard or in a headless watcher, is meant to ask it too.
///
/// Operator actions (``OperatorAction``) are recorded and applied again in replay, so the same
/// actions always leave the same acks and silences.
public struct Notifier: Sendable {
  /// Acknowledged instances: an ack lasts until the episode ends (Resolved or Inactive).
  public private(set) var acked: Set<AlertKey> = []
  /// Notes given with acks (optional), kept as long as the ack.
  public private(set) var ackNotes: [AlertKey: String] = [:]
  /// Silenced instances and when each silence ends (event time). A silence outlives episodes.
  public private(set) var silences: [AlertKey: Silence] = [:]
  /// Event time of the last bell per rule.
  public private(set) var lastBell: [String: Timestamp] = [:]
  /// The bell rings at most once per rule in this much event time.
  public static let bellInterval = 5 * Nanos.minute
  /// The durations a silence cycles through (then off).
  public static let silenceSteps: [Int64] = [15 * Nanos.minute, Nanos.hour, 4 * Nanos.hour]

  public init() {}

  /// Whether notifications are held back for this instance: acknowledged, or silenced at `now`.
  public func isQuiet(_ key: AlertKey, at now: Timestamp) -> Bool {
    acked.contains(key) || silences[key].map { now < $0.until } == true
  }

  /// Applies an operator action: from a key live, or from a recording in replay.
  public mutating func apply(_ action: OperatorAction) {
    switch action {
    case .ack(let key): acked.insert(key)
    case .ackNote(let key, let note): if acked.contains(key) { ackNotes[key] = note }
    case .unack(let key):
      acked.remove(key)
      ackNotes[key] = nil
    case .silence(let key, let until, let step): silences[key] = Silence(until: until, step: step)
    case .unsilence(let key): silences[key] = nil
    }
  }

  /// Acknowledges an instance, or takes the ack back; returns the action taken.
  public mutating func toggleAck(_ key: AlertKey) -> OperatorAction {
    let action: OperatorAction = acked.contains(key) ? .unack(key) : .ack(key)
    apply(action)
    return action
  }

  /// Silences an instance for the first of ``silenceSteps``; again, for the next; after the
  /// last, lifts it. Each step counts from `now`. Returns the action taken.
  public mutating func cycleSilence(_ key: AlertKey, now: Timestamp) -> OperatorAction {
    let steps = Notifier.silenceSteps
    let next = silences[key].map { $0.until > now ? $0.step + 1 : 0 } ?? 0
    let action: OperatorAction =
      next < steps.count
      ? .silence(key, until: now.adding(steps[next]), step: next) : .unsilence(key)
    apply(action)
    return action
  }

  /// Takes one tick's transitions: an episode that ended (Resolved or Inactive) loses its ack;
  /// silences that ended by the tick `t` are dropped.
  public mutating func evaluated(_ transitions: [AlertTransition], at t: Timestamp?) {
    for tr in transitions where tr.to == .resolved || tr.to == .inactive {
      let key = AlertKey(rule: tr.rule, labels: tr.labels)
      acked.remove(key)
      ackNotes[key] = nil
    }
    if let t, !silences.isEmpty {
      silences = silences.filter { $0.value.until > t }
    }
  }

  /// Whether a transition should ring the bell (and, later, be delivered): it went to Firing and
  /// notifies, is news (not history read from a backlog), its instance is not flapping, not
  /// acknowledged or silenced, and its rule has not rung in the last ``bellInterval``. A yes is
  /// remembered for the throttle.
  public mutating func shouldRing(_ tr: AlertTransition, isNews: Bool, flapping: Bool) -> Bool {
    guard tr.to == .firing && tr.notifies, isNews, !flapping else { return false }
    if isQuiet(AlertKey(rule: tr.rule, labels: tr.labels), at: tr.t) { return false }
    if let last = lastBell[tr.rule], tr.t.since(last) < Notifier.bellInterval { return false }
    lastBell[tr.rule] = tr.t
    return true
  }
}

/// A silence: until when, and which of ``Notifier/silenceSteps`` it is.
public struct Silence: Hashable, Sendable {
  public var until: Timestamp
  public var step: Int
}

/// What an operator did to an alert instance. Recorded, and applied again in replay.
public enum OperatorAction: Sendable, Equatable {
  case ack(AlertKey)
  case ackNote(AlertKey, String)
  case unack(AlertKey)
  case silence(AlertKey, until: Timestamp, step: Int)
  case unsilence(AlertKey)
}

/// An alert instance's identity: its rule and labels.
public struct AlertKey: Hashable, Sendable {
  public var rule: String
  public var labels: LabelSet
  public init(rule: String, labels: LabelSet) {
    self.rule = rule
    self.labels = labels
  }
}

extension AlertInstance {
  public var key: AlertKey { AlertKey(rule: rule, labels: labels) }
}
