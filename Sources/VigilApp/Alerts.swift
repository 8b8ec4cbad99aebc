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

/// The alerts as the dashboard remembers them: the newest transitions, the episodes derived from
/// them, and every instance after the last tick. Filled tick by tick from the ``Engine``
/// (``DashboardAlerts``); views, recordings and reports read it.
public struct AlertHistory: Sendable {
  /// The newest transitions, oldest first (at most ``historyLimit``).
  public private(set) var history: [AlertTransition] = []
  public static let historyLimit = 500
  /// Transitions recorded since the start (``history`` keeps only the newest).
  public private(set) var transitionsTotal = 0
  /// Episodes, oldest first (at most ``episodeLimit``).
  public private(set) var episodes: [AlertEpisode] = []
  public static let episodeLimit = 200
  /// Every instance after the last tick (cached: views read it every frame).
  public private(set) var instances: [AlertInstance] = []

  public init() {}

  /// Records one tick's transitions (history and episodes) and refreshes the instances from
  /// the evaluator as the tick left it.
  mutating func record(_ transitions: [AlertTransition], evaluator: AlertEvaluator) {
    transitionsTotal += transitions.count
    history.append(contentsOf: transitions)
    if history.count > AlertHistory.historyLimit {
      history.removeFirst(history.count - AlertHistory.historyLimit)
    }
    for tr in transitions { apply(tr, rules: evaluator.ruleSet) }
    instances = evaluator.allInstances
    // Peaks: every open episode sees its instance's value at every tick.
    for i in episodes.indices where episodes[i].isOpen {
      let e = episodes[i]
      if let inst = instances.first(where: { $0.rule == e.rule && $0.labels == e.labels }) {
        episodes[i].see(inst.value)
      }
    }
  }

  private mutating func apply(_ tr: AlertTransition, rules: RuleSet) {
    let open = episodes.lastIndex { $0.rule == tr.rule && $0.labels == tr.labels && $0.isOpen }
    switch (tr.from, tr.to) {
    case (.inactive, .pending), (.resolved, .pending), (.inactive, .firing), (.resolved, .firing):
      if let open { episodes[open].endedAt = tr.t }
      let rule = rules.rules.first { $0.name == tr.rule }
      var e = AlertEpisode(
        rule: tr.rule, labels: tr.labels, pendingAt: tr.t,
        firedAt: tr.to == .firing ? tr.t : nil, resolvedAt: nil, endedAt: nil, peak: nil,
        downward: rule?.op.isDownward ?? false)
      e.see(tr.value)
      episodes.append(e)
      if episodes.count > AlertHistory.episodeLimit {
        episodes.removeFirst(episodes.count - AlertHistory.episodeLimit)
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

  /// The instances the alerts overlay lists, in its order: firing, recovering, pending,
  /// resolved; then by severity and rule.
  public var listed: [AlertInstance] {
    instances.filter { $0.state != .inactive }.sorted {
      let a = (AlertHistory.stateRank($0.state), AlertSeverityClass($0.severity).rank, $0.rule)
      let b = (AlertHistory.stateRank($1.state), AlertSeverityClass($1.severity).rank, $1.rule)
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

  /// Instances in Firing or Recovering (still a problem).
  public var firing: [AlertInstance] { instances.filter { $0.state.isProblem } }
  public var pending: [AlertInstance] { instances.filter { $0.state == .pending } }
}

// MARK: - The engine's ticks in the dashboard

/// How the dashboard takes what the ``Engine`` evaluated, tick by tick: into the history and
/// episodes, through the ``Notifier`` (acks end with their episode, silences expire), and to the
/// bell.
struct DashboardAlerts: EngineObserver {
  var history = AlertHistory()
  var notifier = Notifier()
  /// The bell is on (`--no-bell` turns it off).
  let bell: Bool
  /// Every feed is settled (caught up, or not expected to send more soon).
  let settled: Bool
  /// Some feed's data is current (``FeedState/live``).
  let live: Bool
  /// Some tick produced transitions.
  var changed = false
  /// The bell should ring.
  var ring = false

  mutating func engine(_ engine: Engine, evaluated t: Timestamp, transitions: [AlertTransition]) {
    history.record(transitions, evaluator: engine.evaluator)
    notifier.evaluated(transitions, at: engine.evaluator.lastTick)
    if !transitions.isEmpty { changed = true }
    for tr in transitions where tr.to == .firing && tr.notifies {
      guard bell else { continue }
      let inst = history.instances.first { $0.rule == tr.rule && $0.labels == tr.labels }
      let flapping = inst?.flap.isFlapping == true
      if notifier.shouldRing(tr, isNews: isNews(tr.t, engine.clock), flapping: flapping) {
        ring = true
      }
    }
  }

  /// History is not news: no bell while a feed is still sending its backlog (a file read from
  /// its start, the demo's history), so reading a day of logs never rings in a burst; and none
  /// when no feed's data is current (a pipe of old lines, a file last written minutes ago).
  /// On the wall clock, a tick of the last half minute is news anyway (a busy pipe never
  /// pauses long enough to count as caught up).
  func isNews(_ t: Timestamp, _ clock: EngineClock) -> Bool {
    alertIsNews(t, clock: clock, settled: settled, live: live)
  }
}

/// Whether an alert transition at `t` is news rather than history: some feed is live (its
/// newest sample was current when it came, ``FeedState/live``), and every feed has settled
/// or, on the wall clock, the transition is of the last half minute. The bell and alert
/// delivery (`vigil watch`, `--alertmanager`) ask the same question.
public func alertIsNews(_ t: Timestamp, clock: EngineClock, settled: Bool, live: Bool) -> Bool {
  live && (settled || (clock.mode == .wall && clock.now.since(t) <= 30 * Nanos.second))
}

extension AppState {
  /// Some feed's data is current (``FeedState/live``): alerts can be news.
  public var hasLiveFeed: Bool { feeds.contains(where: \.live) }
}

/// Runs `body` on the engine with the dashboard's alert observer (the history and notifier are
/// moved out of the state and back, so nothing is copied); returns whether the bell should ring.
func withDashboardAlerts(
  _ state: inout AppState, _ body: (inout Engine, inout DashboardAlerts) -> Void
) -> Bool {
  var alerts = DashboardAlerts(
    bell: state.config.bell, settled: state.feeds.allSatisfy(\.isSettled),
    live: state.hasLiveFeed)
  swap(&alerts.history, &state.alertHistory)
  swap(&alerts.notifier, &state.notifier)
  body(&state.engine, &alerts)
  swap(&alerts.history, &state.alertHistory)
  swap(&alerts.notifier, &state.notifier)
  if alerts.changed { state.dirty = true }
  return alerts.ring
}

/// Evaluates every tick due at the state's "now" (``Engine/evaluateDue(now:backlog:through:observer:)``);
/// returns whether the bell should ring. In event time, ingest also evaluates whenever a sample
/// moves "now" past the next due tick, so a file read at full speed is evaluated tick by tick,
/// with the same transitions however its lines are batched.
func evaluateAlerts(_ state: inout AppState) -> Bool {
  // While a feed is still sending its backlog (the demo's history, a file's start), the wall
  // clock is ahead of what the windows hold: evaluate only up to the newest sample until then.
  withDashboardAlerts(&state) { engine, alerts in
    engine.evaluateDue(now: engine.clock.now, backlog: !alerts.settled, observer: &alerts)
  }
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

extension AppState {
  /// Pins the alerts list's selection to the alert the list shows selected (the first row
  /// when none was chosen, or when the chosen one left the list), before a message can reorder
  /// the list: `A` and `s` then act on the alert the user saw, never on one that sorted above it.
  mutating func pinAlertSelection() {
    guard ui.overlay == .alerts else { return }
    if let chosen = ui.alertSelection,
      alertHistory.instances.contains(where: { $0.key == chosen && $0.state != .inactive })
    {
      return
    }
    let list = alertHistory.listed
    ui.alertSelection = list.isEmpty ? nil : list[alertHistory.selectedIndex(ui.alertSelection)].key
  }
}
