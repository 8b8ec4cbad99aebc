import VigilCore
import VigilRender

/// The app's alert side seen as one value, as it was before it was split: the history
/// (``AppState/alertHistory``), the engine's evaluator (``Engine/evaluator``), the
/// ``Notifier``'s acks and silences (``AppState/notifier``) and the ack note being typed
/// (``UIState/ackNote``). ``AppState/alerts`` assembles it; setting it back keeps only the
/// notifier and the note.
///
/// It keeps the callers that still use the old names working: `handleKey` (whose key table is
/// being reworked at the same time), recordings, replay and reports. New code reads the parts.
public struct AlertsState: Sendable {
  public let log: AlertHistory
  public let evaluator: AlertEvaluator
  public private(set) var notifier: Notifier
  /// The ack note being typed in the alerts overlay, and whose it is.
  public private(set) var noteEntry: AckNoteEntry?

  public init(
    log: AlertHistory, evaluator: AlertEvaluator, notifier: Notifier, noteEntry: AckNoteEntry?
  ) {
    self.log = log
    self.evaluator = evaluator
    self.notifier = notifier
    self.noteEntry = noteEntry
  }

  /// Nothing evaluated yet, under these rules.
  public init(rules: RuleSet, windows: WindowsConfig = WindowsConfig()) {
    self.init(
      log: AlertHistory(), evaluator: AlertEvaluator(rules: rules), notifier: Notifier(),
      noteEntry: nil)
  }

  /// The shipped rules for these signal names.
  public static func defaultRules(_ signals: SignalNames) -> RuleSet {
    RuleSet.defaults(for: signals)
  }

  public static let historyLimit = AlertHistory.historyLimit
  public static let episodeLimit = AlertHistory.episodeLimit
  public static let bellInterval = Notifier.bellInterval
  public static let silenceSteps = Notifier.silenceSteps

  public var history: [AlertTransition] { log.history }
  public var transitionsTotal: Int { log.transitionsTotal }
  public var episodes: [AlertEpisode] { log.episodes }
  public var instances: [AlertInstance] { log.instances }
  public var listed: [AlertInstance] { log.listed }
  public var firing: [AlertInstance] { log.firing }
  public var pending: [AlertInstance] { log.pending }
  public func selectedIndex(_ key: AlertKey?) -> Int { log.selectedIndex(key) }

  public var acked: Set<AlertKey> { notifier.acked }
  public var ackNotes: [AlertKey: String] { notifier.ackNotes }
  public var silences: [AlertKey: Silence] { notifier.silences }
  public var lastBell: [String: Timestamp] { notifier.lastBell }
  public func isQuiet(_ key: AlertKey, at now: Timestamp) -> Bool { notifier.isQuiet(key, at: now) }

  /// Applies an operator action: from a key live, or from a recording in replay.
  public mutating func apply(_ action: OperatorAction) { notifier.apply(action) }

  /// A key while the ack note prompt is open: `handled` is false when the prompt is not open;
  /// `action` is the note when Enter saved one.
  mutating func noteKey(_ key: Key) -> (handled: Bool, action: OperatorAction?) {
    guard var entry = noteEntry else { return (false, nil) }
    let (done, action) = entry.take(key)
    noteEntry = done ? nil : entry
    if let action { notifier.apply(action) }
    return (true, action)
  }

  public func panel(of instance: AlertInstance, signals: SignalNames) -> Int? {
    evaluator.ruleSet.panel(rule: instance.rule, labels: instance.labels, signals: signals)
  }

  public func panel(rule name: String, labels: LabelSet, signals: SignalNames) -> Int? {
    evaluator.ruleSet.panel(rule: name, labels: labels, signals: signals)
  }

  public static func panel(of rule: AlertRule, signals: SignalNames) -> Int? {
    rule.panel(signals: signals)
  }

  public func formatValue(_ v: Double?, rule name: String) -> String {
    evaluator.ruleSet.formatValue(v, rule: name)
  }
}

extension AppState {
  /// The alert side as one value (see ``AlertsState``).
  public var alerts: AlertsState {
    get {
      AlertsState(
        log: alertHistory, evaluator: engine.evaluator, notifier: notifier, noteEntry: ui.ackNote)
    }
    set {
      notifier = newValue.notifier
      ui.ackNote = newValue.noteEntry
    }
  }
}

/// The ack note being typed in the alerts overlay, and whose it is.
public struct AckNoteEntry: Sendable, Equatable {
  public var key: AlertKey
  public var text: String

  /// Takes a key: `done` when the prompt closes; `action` is the note when Enter saved one.
  mutating func take(_ key: Key) -> (done: Bool, action: OperatorAction?) {
    switch key {
    case .enter:
      let note = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
      return (true, note.isEmpty ? nil : .ackNote(self.key, note))
    case .escape:
      return (true, nil)
    case .backspace, .delete:
      if !text.isEmpty { text.removeLast() }
    case .character(let c) where !c.isNewline && text.count < 120:
      text.append(c)
    default: break
    }
    return (false, nil)
  }
}

// MARK: - Rules as the dashboard shows them

extension RuleSet {
  /// The shipped rules for these signal names.
  public static func defaults(for signals: SignalNames) -> RuleSet {
    switch RulesLoader.parse(DefaultRules.yaml(signals: signals), file: "default rules") {
    case .success(let rules): rules
    case .failure: RuleSet()
    }
  }

  /// The panel (0-5, as on the dashboard) of an instance given by its rule name and labels: a
  /// `FeedStale` instance's by its feed, any other by the metric its rule watches.
  public func panel(rule name: String, labels: LabelSet, signals: SignalNames) -> Int? {
    if name == RuleSet.feedStaleRule {
      return labels["feed"].flatMap { AlertRule.panel(metric: $0, signals) }
    }
    return rules.first { $0.name == name }?.panel(signals: signals)
  }

  /// How a rule's value prints: percent for ratios, a multiple for burn rates (`6.67x`: the
  /// budget is spent that many times too fast), milliseconds for latency metrics.
  public func formatValue(_ v: Double?, rule name: String) -> String {
    guard let rule = rules.first(where: { $0.name == name }) else {
      return Format.value(v)
    }
    switch rule.aggregate {
    case .ratio: return Format.percent(v)
    case .burnRate: return v.map { Format.value($0) + "x" } ?? Format.value(v)
    case .series(let m):
      let metric = rule.selector.metric
      let latency =
        metric.hasSuffix("_ms") || metric.contains("latency") || metric.contains("delay")
      return latency && m != .count && m != .rate ? Format.millis(v) : Format.value(v)
    }
  }
}

extension AlertRule {
  /// The panel (0-5, as on the dashboard) whose signal this rule watches, by metric.
  public func panel(signals: SignalNames) -> Int? {
    switch aggregate {
    case .series: AlertRule.panel(metric: selector.metric, signals)
    case .ratio(let num, let den):
      AlertRule.panel(metric: num.metric, signals) ?? AlertRule.panel(metric: den.metric, signals)
    case .burnRate(let slo): AlertRule.panel(metric: slo.total.metric, signals)
    }
  }

  static func panel(metric: String, _ s: SignalNames) -> Int? {
    switch metric {
    case s.apiLatency: 0
    case s.checkoutLatency: 1
    case s.orderConfirmationDelay: 2
    case s.paymentRetries, s.paymentAttempts, s.paymentFailures: 3
    case s.inventoryMismatches, s.inventoryChecks: 4
    case s.supportTickets: 5
    default: nil
    }
  }
}
