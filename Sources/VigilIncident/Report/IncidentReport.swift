import VigilApp
import VigilCore

/// What `vigil report` shows about an incident recording: the recording replayed headless to
/// its end with the same engine as `vigil replay`, and sampled on the way.
///
/// Sampling: after every record the replay applies, the dashboard's clock (wall or event time,
/// as the recording ran) is compared with the next sample time; each multiple of ``step`` it
/// passes takes one sample of the six panels' headline figures, computed by the dashboard's
/// own ``DashboardModel`` at the dashboard's window (5m unless the recording says otherwise).
/// The step is the rules' evaluation interval (10 s), made coarser for long recordings so a
/// chart has at most ``maxPoints`` points (four hours at 10 s). Transitions, episodes, acks,
/// notes and markers are not sampled: every one of them is kept.
public struct IncidentReport: Sendable {
  /// One sample of a signal: the headline at the dashboard's time `time` (nil: no data).
  public struct Point: Sendable, Equatable {
    public var time: Timestamp
    public var value: Double?
  }

  /// A rule's threshold as it was in force from `from` to `to` (rules can be reloaded).
  public struct Threshold: Sendable, Equatable {
    public var rule: String
    public var severity: String?
    public var op: AlertOp
    public var value: Double
    public var clear: Double?
    public var from: Timestamp
    public var to: Timestamp
  }

  /// A period in which an alert on a signal was pending, or firing (firing or recovering).
  public struct Band: Sendable, Equatable {
    public var from: Timestamp
    public var to: Timestamp
    public var firing: Bool
    /// The rules (with labels) behind the band, for its tooltip.
    public var alerts: [String]
  }

  /// One of the six signals over the incident.
  public struct Signal: Sendable {
    /// The signal's key (`api_latency`, ...), its panel title and what the headline is.
    public var key: String
    public var title: String
    public var label: String
    public var unit: ValueUnit
    public var points: [Point] = []
    public var thresholds: [Threshold] = []
    public var bands: [Band] = []
    /// Every rule watching this signal (also those whose value is not comparable with the
    /// headline, such as burn rates), by name.
    public var rules: [String] = []

    /// The worst (highest) headline value, and when.
    public var worst: (time: Timestamp, value: Double)? {
      var best: (time: Timestamp, value: Double)?
      for p in points {
        guard let v = p.value, v.isFinite else { continue }
        if let b = best, b.value >= v { continue }
        best = (p.time, v)
      }
      return best
    }

    public func format(_ v: Double?) -> String { unit.format(v) }
  }

  /// An alert episode (see ``AlertEpisode``), with its severity and the time it was a problem.
  public struct Episode: Sendable, Equatable {
    public var rule: String
    public var labels: LabelSet
    public var severity: String?
    public var firstBreach: Timestamp
    public var fired: Timestamp?
    public var resolved: Timestamp?
    public var ended: Timestamp?
    public var peak: Double?
    public var peakText: String
    /// From the first breach to its end (or to the end of the recording when still open).
    public var duration: Int64
    /// Firing or recovering: from `fired` to `resolved` (or the end of the recording).
    public var firing: Int64
    public var isOpen: Bool { ended == nil }
  }

  /// One stretch of an instance's state (not inactive or resolved).
  public struct Segment: Sendable, Equatable {
    public var state: AlertState
    public var from: Timestamp
    public var to: Timestamp
    /// The stretch was still going at the end of the recording.
    public var open: Bool
  }

  /// One row of the alert timeline: a rule instance and its stretches.
  public struct Lane: Sendable, Equatable {
    public var rule: String
    public var labels: LabelSet
    public var severity: String?
    public var signal: Int?
    public var segments: [Segment]
  }

  /// A marker, or an operator action on an alert (ack, ack note, silence, ...).
  public struct Note: Sendable, Equatable {
    public enum Kind: String, Sendable {
      case marker, ack, note, unack, silence, unsilence
    }
    public var time: Timestamp
    public var kind: Kind
    public var text: String
    /// The alert the action was on (nil for a marker).
    public var rule: String?
    public var labels: LabelSet?
    /// A marker added while replaying (the sidecar file), not during the incident.
    public var fromSidecar = false
  }

  /// A rule in force, with its condition in words.
  public struct Rule: Sendable, Equatable {
    public var name: String
    public var severity: String?
    public var condition: String
    public var signal: Int?
    /// The time any instance of this rule was firing or recovering (union over instances).
    public var firing: Int64
    public var episodes: Int
    public var fired: Int
    /// What the rule computes, without its comparison: `p99 of checkout_latency_ms{stage="total"}
    /// over 5m` (empty for a burn rate or FeedStale).
    public var measure = ""
    /// What to do when it fires: the rule's `runbook` (or `runbook_url`) annotation, over the
    /// rule's own labels (empty when it has none).
    public var runbook = ""
  }

  /// One impact total over the incident window (see ``impact``).
  public struct Impact: Sendable, Equatable {
    /// `failed_payments`, `payment_retries`, `order_error_tickets`, `slow_checkouts`,
    /// `late_confirmations`.
    public var key: String
    /// `Failed payments`, ...
    public var title: String
    public var total: Double
    /// What was counted: `payment_failures_total`, or `checkout_latency_ms{stage="total"} > 3.00s
    /// (CheckoutLatencyP99High's threshold)`.
    public var counted: String
  }

  /// A signal whose chart's worst headline differs from the highest episode peak of a rule drawn
  /// on it: the two are computed over different windows (and often series).
  public struct PeakDifference: Sendable, Equatable {
    public var signal: Int
    public var rule: String
    public var headline: Double
    public var headlineAt: Timestamp
    public var episodePeak: Double
  }

  public var title: String
  /// The recording's clock span (when it was recorded) and the dashboard's span (wall or
  /// event time: what the charts show).
  public var recordedFrom: Timestamp
  public var recordedTo: Timestamp
  public var start: Timestamp
  public var end: Timestamp
  public var clock: ClockMode
  public var recordedWith: String
  public var reportedWith = vigilVersion
  /// The recording's configuration hash and where its rules came from.
  public var configHash = ""
  public var rulesSource = ""
  public var feeds: [String]
  public var warnings: [String]
  public var records: Int
  public var window: Int64
  public var step: Int64
  public var signals: [Signal]
  public var rules: [Rule]
  public var episodes: [Episode]
  public var lanes: [Lane]
  public var transitions: [AlertTransition]
  /// Each transition's value as the alerts view prints it (`7.06s`, `12%`, `6.67x`).
  public var transitionValues: [String]
  public var notes: [Note]
  /// Transitions that differ from the recorded ones (a recording from another version).
  public var mismatches: Int
  /// Each transition to firing with the suspects ranked then (see ReportSuspects.swift).
  public var firings: [Firing] = []
  /// Impact totals over the incident window, in a fixed order; a signal absent from the
  /// recording (or, for slow checkouts and late confirmations, without a rule giving the
  /// threshold) is left out. Counted from the windows' 10 s buckets (see ``impactRange``).
  public var impact: [Impact] = []
  /// The whole 10 s buckets the impact totals cover: the incident window rounded out.
  public var impactRange: (from: Timestamp, to: Timestamp)?
  /// The buckets' length (the store's coarsest level: 10 s by default).
  public var impactStep: Int64 = 10 * Nanos.second

  public static let maxPoints = 1440

  // MARK: Headline numbers

  /// The first breach of any rule (the first episode's start).
  public var firstBreach: Timestamp? { episodes.map(\.firstBreach).min() }

  /// The first time any rule fired, and which.
  public var firstFiring: (time: Timestamp, rule: String, labels: LabelSet)? {
    let fired = episodes.compactMap { e in e.fired.map { ($0, e.rule, e.labels) } }
    return fired.min { $0.0 < $1.0 }
  }

  /// From the start of the recording to the first firing.
  public var timeToFirstAlert: Int64? { firstFiring.map { $0.time.since(start) } }

  /// From the first breach (of any rule) to the first firing.
  public var timeToFirstAlertFromBreach: Int64? {
    guard let f = firstFiring, let b = firstBreach else { return nil }
    return f.time.since(b)
  }

  /// The episodes the incident is made of: every rule's but FeedStale's (a feed gone quiet says
  /// nothing about the shop).
  public var incidentEpisodes: [Episode] { episodes.filter { $0.rule != RuleSet.feedStaleRule } }

  /// Episodes that fired, and episodes that were only pending (breached, then recovered before
  /// their `for:`, or still pending at the end).
  public var firedEpisodes: [Episode] { episodes.filter { $0.fired != nil } }
  public var pendingOnlyEpisodes: [Episode] { episodes.filter { $0.fired == nil } }

  /// The incident window, the one definition every figure uses: from the first time an alert
  /// other than FeedStale left inactive (went pending, or straight to firing) to the last time
  /// one went back (resolved, or ended without firing); open, to the end of the recording, when
  /// one was still pending, firing or recovering then. Quiet gaps between alerts are inside.
  ///
  /// When some alert fired, a pending-only episode that ended before the first firing episode
  /// began is a blip (a ratio breaching for 10 s while the windows warm up), not the incident:
  /// it would stretch time to detection from minutes to the recording's start.
  public var incidentWindow: (from: Timestamp, to: Timestamp, open: Bool)? {
    var eps = incidentEpisodes
    if let anchor = eps.filter({ $0.fired != nil }).map(\.firstBreach).min() {
      eps = eps.filter { $0.fired != nil || ($0.ended ?? end) >= anchor }
    }
    guard let from = eps.map(\.firstBreach).min() else { return nil }
    let open = eps.contains { $0.isOpen }
    let to = open ? end : (eps.compactMap(\.ended).max() ?? end)
    return (from, max(from, to), open)
  }

  /// The first firing of the incident (FeedStale left out).
  public var firstIncidentFiring: Episode? {
    let fired = incidentEpisodes.compactMap { e in e.fired.map { (t: $0, episode: e) } }
    return fired.min { $0.t < $1.t }?.episode
  }

  /// Time to detection: from the incident window's start to the first firing.
  public var timeToDetection: Int64? {
    guard let w = incidentWindow, let t = firstIncidentFiring?.fired else { return nil }
    return max(0, t.since(w.from))
  }

  /// Time to resolution: from the incident window's start to its end; nil while it is open.
  public var timeToResolution: Int64? {
    guard let w = incidentWindow, !w.open else { return nil }
    return w.to.since(w.from)
  }

  /// The top suspect when diagnosis first had one during the incident: the first firing (not
  /// FeedStale) whose ranking is not empty, and its first suspect.
  public var topSuspect: (firing: Firing, suspect: Suspect)? {
    for f in firings where f.rule != RuleSet.feedStaleRule {
      if let s = f.suspects.first { return (f, s) }
    }
    return nil
  }

  /// Signals whose worst headline differs (as printed) from the highest episode peak of an
  /// upward rule drawn on their chart.
  public var peakDifferences: [PeakDifference] {
    var out: [PeakDifference] = []
    for (i, s) in signals.enumerated() {
      guard let worst = s.worst else { continue }
      var names: [String] = []
      for th in s.thresholds where th.op.isUpward && !names.contains(th.rule) {
        names.append(th.rule)
      }
      for name in names {
        guard let peak = episodes.filter({ $0.rule == name }).compactMap(\.peak).max(),
          peak.isFinite, s.format(peak) != s.format(worst.value)
        else { continue }
        out.append(
          PeakDifference(
            signal: i, rule: name, headline: worst.value, headlineAt: worst.time,
            episodePeak: peak))
      }
    }
    return out
  }

  /// The start of the dashboard's time axis and the span of the charts.
  public var span: Int64 { max(0, end.since(start)) }
}

// MARK: - Building

extension IncidentReport {
  /// Replays `file` to its end and samples it. `sidecar` are the markers added while
  /// replaying it (`SidecarNotes.load`); `title` overrides the recording's.
  public static func build(
    file: RecordingFile, sidecar: [(time: Timestamp, text: String)] = [], title: String? = nil,
    maxPoints: Int = IncidentReport.maxPoints, suspects: SuspectSource = .engine
  ) -> IncidentReport {
    var builder = ReportBuilder(
      file: file, sidecar: sidecar, maxPoints: maxPoints, suspects: suspects)
    builder.run()
    return builder.finish(title: title)
  }

  /// The six signals' keys, in panel order.
  static let signalKeys = [
    "api_latency", "checkout_latency", "order_confirmation_delay", "payment_retries",
    "inventory_mismatch", "support_tickets",
  ]

  /// Whether a rule's threshold is on the same scale as a panel's headline, so it can be drawn
  /// on its chart: latency quantiles and extremes on the latency panels, the panel's own ratio
  /// on the ratio panels, a sum of tickets on the tickets panel. Burn rates never are.
  static func chartable(_ rule: AlertRule, panel: Int, signals: SignalNames) -> Bool {
    guard rule.fixedThreshold != nil, rule.op.isUpward || rule.op.isDownward else { return false }
    switch (panel, rule.aggregate) {
    case (0...2, .series(let m)):
      return m.quantile != nil || m == .max || m == .min || m == .mean || m == .last
    case (3, .ratio(let n, let d)):
      return n.metric == signals.paymentRetries && d.metric == signals.paymentAttempts
    case (4, .ratio(let n, let d)):
      return n.metric == signals.inventoryMismatches && d.metric == signals.inventoryChecks
    case (5, .series(.sum)): return true
    default: return false
    }
  }
}
