import VigilCore
import VigilRender

/// One alert episode of one instance: from the first breach (Pending, or straight to Firing) to
/// Resolved, or back to Inactive without firing. Derived from the transitions.
public struct AlertEpisode: Sendable, Equatable {
  public var rule: String
  public var labels: LabelSet
  /// The first breach: the tick the instance left Inactive/Resolved.
  public var pendingAt: Timestamp
  public var firedAt: Timestamp?
  public var resolvedAt: Timestamp?
  /// When it ended: resolved, or back to Inactive without firing.
  public var endedAt: Timestamp?
  /// The worst value seen during the episode (highest for `>` rules, lowest for `<` rules).
  public var peak: Double?
  /// True for `<`/`<=` rules (lower is worse).
  public var downward: Bool

  public var isOpen: Bool { endedAt == nil }

  mutating func see(_ value: Double?) {
    guard let value, value.isFinite else { return }
    guard let p = peak else {
      peak = value
      return
    }
    peak = downward ? min(p, value) : max(p, value)
  }
}

/// The alert engine as the app runs it: the evaluator, the transitions it produced, the episodes
/// derived from them, and when the bell last rang per rule.
public struct AlertsState: Sendable {
  public var evaluator: AlertEvaluator
  /// The newest transitions, oldest first (at most ``historyLimit``).
  public private(set) var history: [AlertTransition] = []
  public static let historyLimit = 500
  /// Transitions recorded since the start (``history`` keeps only the newest).
  public private(set) var transitionsTotal = 0
  /// Episodes, oldest first (at most ``episodeLimit``).
  public private(set) var episodes: [AlertEpisode] = []
  public static let episodeLimit = 200
  /// Event time of the last bell per rule.
  public var lastBell: [String: Timestamp] = [:]
  /// The bell rings at most once per rule in this much event time.
  public static let bellInterval = 5 * Nanos.minute
  /// Every instance after the last tick (cached: views read it every frame).
  public private(set) var instances: [AlertInstance] = []
  /// Acknowledged instances: an ack lasts until the episode ends (Resolved or Inactive).
  public var acked: Set<AlertKey> = []
  /// Notes given with acks (optional), kept as long as the ack.
  public var ackNotes: [AlertKey: String] = [:]
  /// The ack note being typed in the alerts overlay, and whose it is.
  public var noteEntry: (key: AlertKey, text: String)?
  /// Silenced instances and when each silence ends (event time). A silence outlives episodes.
  public var silences: [AlertKey: Silence] = [:]
  /// The durations `s` cycles through in the alerts overlay (then off).
  public static let silenceSteps: [Int64] = [15 * Nanos.minute, Nanos.hour, 4 * Nanos.hour]
  /// Evaluation starts one interval after the first sample, so every feed has had a chance to
  /// send something before an empty signal counts as a stale feed.
  public internal(set) var startAt: Timestamp?
  /// Event time at which ingest next evaluates (event-time mode only).
  var nextCheck = Timestamp(nanoseconds: .min)
  /// The bell was asked for while ingesting (returned by the feed message).
  var ringPending = false

  /// Registers the series that rules read over long windows (SLO burn rates) with the store.
  public private(set) var longWindows: LongWindowTracker

  public init(rules: RuleSet, windows: WindowsConfig = WindowsConfig()) {
    evaluator = AlertEvaluator(rules: rules)
    longWindows = LongWindowTracker(rules: rules, config: windows)
  }

  /// Puts new rules in force (instances of unchanged rules keep their state).
  public mutating func replaceRules(_ rules: RuleSet, windows: WindowsConfig) {
    evaluator.replaceRules(rules)
    longWindows = LongWindowTracker(rules: rules, config: windows)
  }

  /// Tracks long windows for the series interned since the last call.
  mutating func trackLongWindows(store: inout MetricStore, interner: SeriesInterner) {
    longWindows.update(store: &store, interner: interner)
  }

  /// The shipped rules for these signal names.
  public static func defaultRules(_ signals: SignalNames) -> RuleSet {
    switch RulesLoader.parse(DefaultRules.yaml(signals: signals), file: "default rules") {
    case .success(let rules): rules
    case .failure: RuleSet()
    }
  }

  /// Records one tick's transitions (history and episodes) and refreshes the instances.
  mutating func record(_ transitions: [AlertTransition]) {
    transitionsTotal += transitions.count
    history.append(contentsOf: transitions)
    if history.count > AlertsState.historyLimit {
      history.removeFirst(history.count - AlertsState.historyLimit)
    }
    for tr in transitions {
      apply(tr)
      if tr.to == .resolved || tr.to == .inactive {
        acked.remove(AlertKey(rule: tr.rule, labels: tr.labels))
        ackNotes[AlertKey(rule: tr.rule, labels: tr.labels)] = nil
      }
    }
    instances = evaluator.allInstances
    if let t = evaluator.lastTick, !silences.isEmpty {
      silences = silences.filter { $0.value.until > t }
    }
    // Peaks: every open episode sees its instance's value at every tick.
    for i in episodes.indices where episodes[i].isOpen {
      let e = episodes[i]
      if let inst = instances.first(where: { $0.rule == e.rule && $0.labels == e.labels }) {
        episodes[i].see(inst.value)
      }
    }
  }

  private mutating func apply(_ tr: AlertTransition) {
    let open = episodes.lastIndex { $0.rule == tr.rule && $0.labels == tr.labels && $0.isOpen }
    switch (tr.from, tr.to) {
    case (.inactive, .pending), (.resolved, .pending), (.inactive, .firing), (.resolved, .firing):
      if let open { episodes[open].endedAt = tr.t }
      let rule = evaluator.ruleSet.rules.first { $0.name == tr.rule }
      var e = AlertEpisode(
        rule: tr.rule, labels: tr.labels, pendingAt: tr.t,
        firedAt: tr.to == .firing ? tr.t : nil, resolvedAt: nil, endedAt: nil, peak: nil,
        downward: rule?.op.isDownward ?? false)
      e.see(tr.value)
      episodes.append(e)
      if episodes.count > AlertsState.episodeLimit {
        episodes.removeFirst(episodes.count - AlertsState.episodeLimit)
      }
    default:
      guard let i = open else { return }
      episodes[i].see(tr.value)
      if tr.to == .firing && episodes[i].firedAt == nil { episodes[i].firedAt = tr.t }
      if tr.to == .resolved {
        episodes[i].resolvedAt = tr.t
        episodes[i].endedAt = tr.t
      }
      if tr.to == .inactive { episodes[i].endedAt = tr.t }
    }
  }

  /// Whether the bell is held back for this instance: acknowledged, or silenced at `now`.
  public func isQuiet(_ key: AlertKey, at now: Timestamp) -> Bool {
    acked.contains(key) || silences[key].map { now < $0.until } == true
  }

  /// The instances the alerts overlay lists, in its order: firing, recovering, pending,
  /// resolved; then by severity and rule.
  public var listed: [AlertInstance] {
    instances.filter { $0.state != .inactive }.sorted {
      let a = (AlertsState.stateRank($0.state), AlertSeverityClass($0.severity).rank, $0.rule)
      let b = (AlertsState.stateRank($1.state), AlertSeverityClass($1.severity).rank, $1.rule)
      return a < b
    }
  }

  /// The row of the selected alert in ``listed`` (the first when none or gone).
  public func selectedIndex(_ key: AlertKey?) -> Int {
    key.flatMap { k in listed.firstIndex { $0.key == k } } ?? 0
  }

  static func stateRank(_ s: AlertState) -> Int {
    switch s {
    case .firing: 0
    case .recovering: 1
    case .pending: 2
    case .resolved: 3
    case .inactive: 4
    }
  }

  /// `A` on the selected alert: acknowledge it, or take the ack back.
  /// A new ack opens a note prompt (Enter saves it, Esc leaves the ack without a note).
  mutating func toggleAck(_ key: AlertKey) -> OperatorAction {
    let action: OperatorAction = acked.contains(key) ? .unack(key) : .ack(key)
    apply(action)
    if case .ack = action { noteEntry = (key, "") }
    return action
  }

  /// A key while the ack note prompt is open: `handled` is false when the prompt is not open;
  /// `action` is the note when Enter saved one.
  mutating func noteKey(_ key: Key) -> (handled: Bool, action: OperatorAction?) {
    guard var entry = noteEntry else { return (false, nil) }
    switch key {
    case .enter:
      let note = String(entry.text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
      noteEntry = nil
      guard !note.isEmpty else { return (true, nil) }
      let action = OperatorAction.ackNote(entry.key, note)
      apply(action)
      return (true, action)
    case .escape:
      noteEntry = nil
      return (true, nil)
    case .backspace, .delete:
      if !entry.text.isEmpty { entry.text.removeLast() }
    case .character(let c) where !c.isNewline && entry.text.count < 120:
      entry.text.append(c)
    default: break
    }
    noteEntry = entry
    return (true, nil)
  }

  /// `s` on the selected alert: silence it for 15m, pressed again 1h, then 4h, then lifted.
  /// Each press counts from now.
  mutating func cycleSilence(_ key: AlertKey, now: Timestamp) -> OperatorAction {
    let steps = AlertsState.silenceSteps
    let next = silences[key].map { $0.until > now ? $0.step + 1 : 0 } ?? 0
    let action: OperatorAction =
      next < steps.count
      ? .silence(key, until: now.adding(steps[next]), step: next) : .unsilence(key)
    apply(action)
    return action
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

  /// Instances in Firing or Recovering (still a problem).
  public var firing: [AlertInstance] { instances.filter { $0.state.isProblem } }
  public var pending: [AlertInstance] { instances.filter { $0.state == .pending } }
}

// MARK: - Evaluation in update

/// Evaluates every tick due at the state's "now" over the real store; returns whether the bell
/// should ring. Waits for the first sample (so the auto clock has settled on wall or event).
///
/// The first evaluation starts one interval after the oldest sample the windows still hold and
/// walks every tick from there, so history already on screen (a file, the demo's history) is
/// evaluated as if it had been watched live, and every feed has had an interval to show up
/// before an empty signal counts as a stale feed.
///
/// In event time, ingest also calls it whenever a sample moves "now" past the next due tick
/// (``AlertsState/nextCheck``), so a file read at full speed is evaluated tick by tick, with the
/// same transitions however its lines are batched. `interner` is passed in because ingest holds
/// the sink while it parses.
func evaluateAlerts(_ state: inout AppState, interner: SeriesInterner? = nil) -> Bool {
  let ring = evaluateDue(&state, interner: interner ?? state.sink.interner)
  let rules = state.alerts.evaluator.ruleSet
  let next =
    state.alerts.evaluator.lastTick.map { $0.adding(rules.evaluationInterval) }
    ?? state.alerts.startAt
  state.alerts.nextCheck = next.map { $0.adding(rules.evalDelay) } ?? Timestamp(nanoseconds: .min)
  return ring
}

private func evaluateDue(_ state: inout AppState, interner: SeriesInterner) -> Bool {
  guard state.clockMode != .auto, let oldest = state.oldestEvent else { return false }
  let interval = state.alerts.evaluator.ruleSet.evaluationInterval
  if state.alerts.startAt == nil {
    let horizon = state.config.windows.levels.map(\.horizon).max() ?? 0
    let from = max(oldest, state.now.adding(-horizon)).nanoseconds
    let up = from >= 0 ? (from + interval - 1) / interval * interval : from / interval * interval
    state.alerts.startAt = Timestamp(nanoseconds: up + interval)
  }
  guard let start = state.alerts.startAt else { return false }
  // While a feed is still sending its backlog (the demo's history, a file's start), the wall
  // clock is ahead of what the windows hold: evaluate only up to the newest sample until then.
  var now = state.now
  if state.clockMode == .wall, let newest = state.newestEvent,
    !state.feeds.allSatisfy(\.isSettled)
  {
    now = min(now, newest)
  }
  var due = state.alerts.evaluator.ticksDue(now: now)
  if state.alerts.evaluator.lastTick == nil {
    guard let newest = due.last, newest >= start else { return false }
    due = []
    var t = start
    while t <= newest {
      due.append(t)
      t = t.adding(interval)
    }
  }
  guard !due.isEmpty else { return false }
  let source = MetricStoreAlertSource(store: state.store, interner: interner)
  var ring = false
  // History is not news: no bell while a feed is still sending its backlog (a file read from
  // its start, the demo's history), so reading a day of logs never rings in a burst. On the
  // wall clock, a tick of the last half minute is news anyway (a busy pipe never pauses long
  // enough to count as caught up).
  let settled = state.feeds.allSatisfy(\.isSettled)
  func isNews(_ t: Timestamp) -> Bool {
    settled || (state.clockMode == .wall && state.now.since(t) <= 30 * Nanos.second)
  }
  for t in due {
    let transitions = state.alerts.evaluator.tick(at: t, data: source)
    state.alerts.record(transitions)
    if !transitions.isEmpty { state.dirty = true }
    for tr in transitions where tr.to == .firing && tr.notifies {
      guard state.config.bell, isNews(tr.t) else { continue }
      let inst = state.alerts.instances.first { $0.rule == tr.rule && $0.labels == tr.labels }
      if inst?.flap.isFlapping == true { continue }
      if state.alerts.isQuiet(AlertKey(rule: tr.rule, labels: tr.labels), at: tr.t) { continue }
      if let last = state.alerts.lastBell[tr.rule], tr.t.since(last) < AlertsState.bellInterval {
        continue
      }
      state.alerts.lastBell[tr.rule] = tr.t
      ring = true
    }
  }
  return ring
}

/// A silence: until when, and which of ``AlertsState/silenceSteps`` it is.
public struct Silence: Hashable, Sendable {
  public var until: Timestamp
  public var step: Int
}

/// An alert instance's identity: its rule and labels.
/// What an operator did to an alert instance. Recorded, and applied again in replay.
public enum OperatorAction: Sendable, Equatable {
  case ack(AlertKey)
  case ackNote(AlertKey, String)
  case unack(AlertKey)
  case silence(AlertKey, until: Timestamp, step: Int)
  case unsilence(AlertKey)
}

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

// MARK: - Presentation helpers

/// How an alert's severity shows: a glyph class and a word.
public enum AlertSeverityClass: Sendable, Equatable {
  case critical, warning, info

  /// `page`/`critical` are critical; `ticket`/`warn`/`warning` warnings; anything else info.
  public init(_ severity: String?) {
    switch severity?.lowercased() {
    case "page", "critical", "crit", "error": self = .critical
    case "ticket", "warn", "warning": self = .warning
    default: self = .info
    }
  }
}

extension AlertInstance {
  /// The severity label (rule labels are merged into the instance's labels).
  public var severity: String? { labels["severity"] }

  /// The labels to show: everything but `severity` (shown as a word).
  public var shownLabels: String {
    labels.labels.filter { $0.name != "severity" }.map { "\($0.name)=\($0.value)" }
      .joined(separator: " ")
  }
}

extension AlertsState {
  /// The panel (0-5, as on the dashboard) a rule or `FeedStale` instance belongs to, by metric.
  public func panel(of instance: AlertInstance, signals: SignalNames) -> Int? {
    panel(rule: instance.rule, labels: instance.labels, signals: signals)
  }

  /// The panel of an instance given by its rule name and labels.
  public func panel(rule name: String, labels: LabelSet, signals: SignalNames) -> Int? {
    if name == RuleSet.feedStaleRule {
      return labels["feed"].flatMap { AlertsState.panel(metric: $0, signals) }
    }
    guard let rule = evaluator.ruleSet.rules.first(where: { $0.name == name }) else {
      return nil
    }
    return AlertsState.panel(of: rule, signals: signals)
  }

  /// The panel (0-5, as on the dashboard) whose signal a rule watches, by metric.
  public static func panel(of rule: AlertRule, signals: SignalNames) -> Int? {
    switch rule.aggregate {
    case .series: AlertsState.panel(metric: rule.selector.metric, signals)
    case .ratio(let num, let den):
      AlertsState.panel(metric: num.metric, signals)
        ?? AlertsState.panel(metric: den.metric, signals)
    case .burnRate(let slo): AlertsState.panel(metric: slo.total.metric, signals)
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

  /// How a rule's value prints: percent for ratios, a multiple for burn rates (`6.67x`: the
  /// budget is spent that many times too fast), milliseconds for latency metrics.
  public func formatValue(_ v: Double?, rule name: String) -> String {
    guard let rule = evaluator.ruleSet.rules.first(where: { $0.name == name }) else {
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
