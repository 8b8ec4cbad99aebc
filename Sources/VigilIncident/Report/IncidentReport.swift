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

  /// From the first breach of an episode that fired to the end of the last one that fired
  /// (open: still firing when the recording ended).
  public var incidentWindow: (from: Timestamp, to: Timestamp, open: Bool)? {
    let fired = episodes.filter { $0.fired != nil }
    guard let from = fired.map(\.firstBreach).min() else { return nil }
    let open = fired.contains { $0.isOpen }
    let to = open ? end : (fired.compactMap(\.ended).max() ?? end)
    return (from, to, open)
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
    maxPoints: Int = IncidentReport.maxPoints
  ) -> IncidentReport {
    var builder = ReportBuilder(file: file, sidecar: sidecar, maxPoints: maxPoints)
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
    guard rule.op.isUpward || rule.op.isDownward else { return false }
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

  /// A rule's condition in words, e.g. `p99 of api_latency_ms over 5m > 1.50s for 5m`.
  static func condition(_ rule: AlertRule, format: (Double) -> String) -> String {
    func selector(_ s: SeriesSelector) -> String {
      guard !s.matchers.isEmpty else { return s.metric }
      let m = s.matchers.map { m -> String in
        let op = m.isRegex ? (m.negated ? "!~" : "=~") : (m.negated ? "!=" : "=")
        return m.name + op + "\"" + m.value + "\""
      }
      return s.metric + "{" + m.joined(separator: ",") + "}"
    }
    var text: String
    switch rule.aggregate {
    case .series(let m):
      text = "\(m.rawValue) of \(selector(rule.selector)) over \(Nanos.format(rule.window))"
    case .ratio(let n, let d):
      text = "\(selector(n)) / \(selector(d)) over \(Nanos.format(rule.window))"
    case .burnRate(let slo):
      let events: String
      switch slo.events {
      case .bad(let s): events = "bad " + selector(s)
      case .good(let s): events = "good " + selector(s)
      }
      let pairs = slo.windows.map {
        "\(Nanos.format($0.long))/\(Nanos.format($0.short)) at \($0.factor)x"
      }
      return "error budget burn rate (\(events) of \(selector(slo.total)), objective "
        + "\(Format.percent(slo.objective.doubleValue)) over \(Nanos.format(slo.period))): "
        + pairs.joined(separator: ", ")
    }
    if !rule.by.isEmpty { text += " by " + rule.by.joined(separator: ",") }
    text += " \(rule.op.rawValue) \(format(rule.threshold.doubleValue))"
    if rule.forDuration > 0 { text += " for \(Nanos.format(rule.forDuration))" }
    if let c = rule.clearThreshold { text += ", clears at \(format(c.doubleValue))" }
    if rule.keepFiringFor > 0 { text += ", keeps firing \(Nanos.format(rule.keepFiringFor))" }
    return text
  }
}

/// The replay and the sampling behind ``IncidentReport/build(file:sidecar:title:maxPoints:)``.
private struct ReportBuilder {
  let file: RecordingFile
  var replayer: Replayer
  let step: Int64
  let maxPoints: Int
  let signals: SignalNames
  var nextSample = Timestamp(nanoseconds: .min)
  var series: [IncidentReport.Signal]
  var transitions: [AlertTransition] = []
  var seenTransitions = 0
  var droppedTransitions = 0
  var episodeIndex: [String: Int] = [:]
  var rawEpisodes: [AlertEpisode] = []
  var notes: [IncidentReport.Note] = []
  var sidecar: [(time: Timestamp, text: String)]
  var sidecarNext = 0
  var ruleOrder: [String] = []
  var ruleInfo: [String: IncidentReport.Rule] = [:]
  var firstTime: Timestamp?

  init(file: RecordingFile, sidecar: [(time: Timestamp, text: String)], maxPoints: Int) {
    self.file = file
    var split = file
    if ReportBuilder.clock(of: file) == .event {
      split.records = ReportBuilder.split(file.records)
    }
    replayer = Replayer(file: split)
    replayer.keepsCheckpoints = false
    self.sidecar = sidecar.sorted { $0.time < $1.time }
    signals = replayer.state.config.signals
    let interval = max(Nanos.second, replayer.state.alerts.evaluator.ruleSet.evaluationInterval)
    let span = max(0, replayer.endTime.since(replayer.startTime))
    // Event time can span far more than the recording (a file read at full speed): then the
    // points are thinned at the end (see `thin`).
    let n = max(1, (span / interval + Int64(maxPoints) - 1) / Int64(maxPoints))
    step = interval * n
    let model = DashboardModel(Self.commerce(replayer.state))
    series = model.panels.enumerated().map { i, p in
      IncidentReport.Signal(
        key: i < IncidentReport.signalKeys.count ? IncidentReport.signalKeys[i] : "signal\(i)",
        title: p.title, label: "", unit: p.unit)
    }
    self.maxPoints = maxPoints
    noteRules()
  }

  /// The dashboard's time now.
  var now: Timestamp { replayer.state.viewTime }

  /// The state with the default layout: the report's charts are the six signals, whatever
  /// layout the recording was viewed with.
  static func commerce(_ state: AppState) -> AppState {
    var s = state
    s.layout = .commerce
    return s
  }

  /// Lines per applied batch on event time: a batch read from a file at full speed can span
  /// minutes, and the samples are taken between batches. Ingest gives the same windows and
  /// transitions however lines are batched (see `evaluateAlerts`); the replay's comparison
  /// checks it. (On the wall clock, samples follow the ticks: nothing to split.)
  static let batchLines = 64

  /// The clock the recording's dashboard ran on: the header's, or for `auto` what it settled
  /// on at the first sample (replayed up to there).
  static func clock(of file: RecordingFile) -> ClockMode {
    guard file.header.clockMode == .auto else { return file.header.clockMode }
    var probe = Replayer(file: file)
    probe.keepsCheckpoints = false
    while !probe.atEnd && probe.state.clockMode == .auto { probe.playNext() }
    return probe.state.clockMode
  }

  /// Records with long batches cut into pieces of ``batchLines`` (the records themselves when
  /// there is none; else held in memory).
  static func split(_ records: RecordingEntries) -> RecordingEntries {
    func long(_ r: RecordingEntry) -> Bool {
      if case .input(let i) = r, case .records(let b, _) = i.payload {
        b.count > batchLines
      } else {
        false
      }
    }
    guard
      let first = records.indices.first(where: {
        records.kind(at: $0) == .input && long(records[$0])
      })
    else { return records }
    var out: [RecordingEntry] = []
    out.reserveCapacity(records.count)
    for (i, r) in records.enumerated() {
      guard i >= first, case .input(let input) = r,
        case .records(let batch, let format) = input.payload, batch.count > batchLines
      else {
        out.append(r)
        continue
      }
      var start = 0
      while start < batch.count {
        var part = RecordBatch()
        for j in start..<min(batch.count, start + batchLines) {
          batch.withRecord(j) { bytes, line in part.append(bytes, line: line) }
        }
        if start == 0 { part.oversized = batch.oversized }
        var piece = input
        piece.payload = .records(part, format)
        out.append(.input(piece))
        start += batchLines
      }
    }
    return RecordingEntries(out)
  }

  mutating func run() {
    let records = replayer.file.records
    while !replayer.atEnd {
      let i = replayer.position
      let t = records.time(at: i)
      let kind = records.kind(at: i)
      flushSidecar(before: t)
      if kind == .mark || kind == .action {
        switch records[i] {
        case .mark(let t, let text):
          notes.append(IncidentReport.Note(time: markerTime(t), kind: .marker, text: text))
        case .action(let t, let action): notes.append(note(action, at: t))
        default: break
        }
      }
      replayer.playNext()
      if kind == .rules { noteRules() }
      // On the wall clock, samples see every record of their time (as the live loop drew its
      // frames); on event time, any batch can move the clock.
      let next = replayer.atEnd ? nil : records.time(at: replayer.position)
      observe(settled: next.map { $0 > t } ?? true || replayer.state.clockMode == .event)
    }
    replayer.playToEnd()
    observe(final: true)
    flushSidecar(before: Timestamp(nanoseconds: .max))
  }

  /// A recording-clock time as the dashboard's: the same on the wall clock, the dashboard's
  /// time at that point of the replay on event time.
  func markerTime(_ t: Timestamp) -> Timestamp {
    replayer.state.clockMode == .event ? now : t
  }

  mutating func flushSidecar(before t: Timestamp) {
    while sidecarNext < sidecar.count, sidecar[sidecarNext].time < t {
      let m = sidecar[sidecarNext]
      var n = IncidentReport.Note(time: markerTime(m.time), kind: .marker, text: m.text)
      n.fromSidecar = true
      notes.append(n)
      sidecarNext += 1
    }
  }

  func note(_ action: OperatorAction, at t: Timestamp) -> IncidentReport.Note {
    func make(_ kind: IncidentReport.Note.Kind, _ key: AlertKey, _ text: String)
      -> IncidentReport.Note
    {
      IncidentReport.Note(time: t, kind: kind, text: text, rule: key.rule, labels: key.labels)
    }
    switch action {
    case .ack(let k): return make(.ack, k, "acknowledged")
    case .ackNote(let k, let text): return make(.note, k, text)
    case .unack(let k): return make(.unack, k, "acknowledgement taken back")
    case .silence(let k, let until, _):
      return make(.silence, k, "silenced until " + CivilTime(until).rfc3339(fractionDigits: 0))
    case .unsilence(let k): return make(.unsilence, k, "silence lifted")
    }
  }

  mutating func observe(settled: Bool = true, final: Bool = false) {
    let state = replayer.state
    if firstTime == nil, state.clockMode != .auto { firstTime = now }
    let total = state.alerts.transitionsTotal
    if total != seenTransitions {
      let fresh = total - seenTransitions
      let kept = min(fresh, state.alerts.history.count)
      droppedTransitions += fresh - kept
      transitions.append(contentsOf: state.alerts.history.suffix(kept))
      seenTransitions = total
      mergeEpisodes()
    }
    if final || (settled && now >= nextSample) {
      sample()
      mergeEpisodes()
    }
  }

  mutating func sample() {
    let state = replayer.state
    guard state.clockMode != .auto else { return }
    let t = now
    if let last = series.first?.points.last, last.time >= t { return }
    let model = DashboardModel(Self.commerce(state))
    for (i, panel) in model.panels.enumerated() where i < series.count {
      series[i].points.append(IncidentReport.Point(time: t, value: panel.headlineValue))
      if panel.hasData {
        series[i].label = panel.headlineLabel
        series[i].unit = panel.unit
      }
    }
    let rules = state.alerts.evaluator.ruleSet.rules
    for i in series.indices {
      for rule in rules where AlertsState.panel(of: rule, signals: signals) == i {
        guard IncidentReport.chartable(rule, panel: i, signals: signals) else { continue }
        let value = rule.threshold.doubleValue
        let clear = rule.clearThreshold?.doubleValue
        if let k = series[i].thresholds.lastIndex(where: { $0.rule == rule.name }),
          series[i].thresholds[k].value == value, series[i].thresholds[k].clear == clear,
          series[i].thresholds[k].op == rule.op
        {
          series[i].thresholds[k].to = t
        } else {
          series[i].thresholds.append(
            IncidentReport.Threshold(
              rule: rule.name, severity: rule.severity, op: rule.op, value: value, clear: clear,
              from: t, to: t))
        }
      }
    }
    let n = t.nanoseconds
    nextSample = Timestamp(nanoseconds: (n >= 0 ? n / step : (n - step + 1) / step) * step + step)
  }

  /// About `maxPoints` points at most (a quarter more is left alone): runs of `k` consecutive
  /// samples become one, at the run's first time with its worst (highest) value, so peaks
  /// survive. Only event time can need it (a file whose timestamps span far more than the
  /// recording took).
  func thin(_ points: [IncidentReport.Point]) -> [IncidentReport.Point] {
    guard points.count > maxPoints + maxPoints / 4, maxPoints > 0 else { return points }
    let k = (points.count + maxPoints - 1) / maxPoints
    return stride(from: 0, to: points.count, by: k).map { i in
      let run = points[i..<min(points.count, i + k)]
      let worst = run.compactMap(\.value).max()
      return IncidentReport.Point(time: run[run.startIndex].time, value: worst)
    }
  }

  /// Keeps every episode the state holds (the state keeps only its newest 200).
  mutating func mergeEpisodes() {
    for e in replayer.state.alerts.episodes {
      let key = e.rule + "\u{0}" + e.labels.description + "\u{0}" + String(e.pendingAt.nanoseconds)
      if let i = episodeIndex[key] {
        rawEpisodes[i] = e
      } else {
        episodeIndex[key] = rawEpisodes.count
        rawEpisodes.append(e)
      }
    }
  }

  mutating func noteRules() {
    let set = replayer.state.alerts.evaluator.ruleSet
    let alerts = replayer.state.alerts
    for rule in set.rules {
      if ruleInfo[rule.name] == nil { ruleOrder.append(rule.name) }
      ruleInfo[rule.name] = IncidentReport.Rule(
        name: rule.name, severity: rule.severity,
        condition: IncidentReport.condition(rule) { alerts.formatValue($0, rule: rule.name) },
        signal: AlertsState.panel(of: rule, signals: signals), firing: 0, episodes: 0, fired: 0)
      if let i = AlertsState.panel(of: rule, signals: signals), i < series.count,
        !series[i].rules.contains(rule.name)
      {
        series[i].rules.append(rule.name)
      }
    }
  }

  mutating func finish(title: String?) -> IncidentReport {
    let state = replayer.state
    let end = now
    let start = min(
      firstTime ?? file.header.start,
      state.clockMode == .event ? (state.oldestEvent ?? end) : file.header.start)
    let alerts = state.alerts
    // Episodes, with their durations against the end of the recording.
    var episodes: [IncidentReport.Episode] = rawEpisodes.map { e in
      let until = e.endedAt ?? end
      let firing = e.firedAt.map { (e.resolvedAt ?? until).since($0) } ?? 0
      return IncidentReport.Episode(
        rule: e.rule, labels: e.labels, severity: e.labels["severity"], firstBreach: e.pendingAt,
        fired: e.firedAt, resolved: e.resolvedAt, ended: e.endedAt, peak: e.peak,
        peakText: alerts.formatValue(e.peak, rule: e.rule),
        duration: max(0, until.since(e.pendingAt)),
        firing: max(0, firing))
    }
    episodes.sort { ($0.firstBreach, $0.rule) < ($1.firstBreach, $1.rule) }
    // Lanes: each instance's stretches from the transitions.
    var lanes: [IncidentReport.Lane] = []
    var laneIndex: [String: Int] = [:]
    for tr in transitions {
      let key = tr.rule + "\u{0}" + tr.labels.description
      let i: Int
      if let k = laneIndex[key] {
        i = k
      } else {
        i = lanes.count
        laneIndex[key] = i
        lanes.append(
          IncidentReport.Lane(
            rule: tr.rule, labels: tr.labels, severity: tr.labels["severity"],
            signal: alerts.panel(rule: tr.rule, labels: tr.labels, signals: signals),
            segments: []))
      }
      if let last = lanes[i].segments.indices.last, lanes[i].segments[last].open {
        lanes[i].segments[last].to = tr.t
        lanes[i].segments[last].open = false
      }
      if tr.to == .pending || tr.to == .firing || tr.to == .recovering {
        lanes[i].segments.append(
          IncidentReport.Segment(state: tr.to, from: tr.t, to: end, open: true))
      }
    }
    lanes.sort { a, b in
      (a.segments.first?.from ?? end, a.rule, a.labels) < (
        b.segments.first?.from ?? end, b.rule, b.labels
      )
    }
    // Bands per signal, and the time each rule was a problem.
    var firingByRule: [String: [(Timestamp, Timestamp)]] = [:]
    for lane in lanes {
      let name = lane.rule + (lane.labels.isEmpty ? "" : " " + shownLabels(lane.labels))
      for s in lane.segments {
        let firing = s.state.isProblem
        if firing { firingByRule[lane.rule, default: []].append((s.from, s.to)) }
        guard let i = lane.signal, i < series.count else { continue }
        series[i].bands.append(
          IncidentReport.Band(from: s.from, to: s.to, firing: firing, alerts: [name]))
      }
    }
    for i in series.indices {
      series[i].bands = merge(series[i].bands)
      series[i].points = thin(series[i].points)
      // A rule's threshold holds from the start until it changed, and from its last change to
      // the end.
      var seen = Set<String>()
      for k in series[i].thresholds.indices where seen.insert(series[i].thresholds[k].rule).inserted
      {
        series[i].thresholds[k].from = start
      }
      seen = []
      for k in series[i].thresholds.indices.reversed()
      where seen.insert(series[i].thresholds[k].rule).inserted {
        series[i].thresholds[k].to = max(start, end)
      }
    }
    var rules = ruleOrder.compactMap { ruleInfo[$0] }
    if transitions.contains(where: { $0.rule == RuleSet.feedStaleRule }) {
      rules.append(
        IncidentReport.Rule(
          name: RuleSet.feedStaleRule, severity: "warn",
          condition: "a rule's metric has no samples in its window, or none for "
            + Nanos.format(alerts.evaluator.ruleSet.feedStaleFor),
          signal: nil, firing: 0, episodes: 0, fired: 0))
    }
    for k in rules.indices {
      rules[k].firing = unionLength(firingByRule[rules[k].name] ?? [])
      rules[k].episodes = episodes.filter { $0.rule == rules[k].name }.count
      rules[k].fired = episodes.filter { $0.rule == rules[k].name && $0.fired != nil }.count
    }
    var warnings = file.warnings
    if !replayer.mismatches.isEmpty {
      warnings.append(
        "\(replayer.mismatches.count) alert transitions recomputed by this Vigil differ from "
          + "the recorded ones; the report shows the recomputed ones")
    }
    if droppedTransitions > 0 {
      warnings.append("\(droppedTransitions) transitions came too fast to be kept")
    }
    notes.sort { $0.time < $1.time }
    let h = file.header
    return IncidentReport(
      title: title ?? h.title ?? "Incident", recordedFrom: replayer.startTime,
      recordedTo: replayer.endTime, start: start, end: max(start, end),
      clock: state.clockMode, recordedWith: h.appVersion, configHash: h.configHash,
      rulesSource: h.rulesPath ?? "built-in rules",
      feeds: h.feeds.map { f in
        switch f.kind {
        case .file, .command: "\(f.kind.rawValue) \(f.target)"
        case _ where f.displayName != f.kind.rawValue: "\(f.kind.rawValue) \(f.displayName)"
        default: f.kind.rawValue
        }
      }, warnings: warnings, records: file.records.count, window: state.window, step: step,
      signals: series, rules: rules, episodes: episodes, lanes: lanes, transitions: transitions,
      transitionValues: transitions.map { alerts.formatValue($0.value, rule: $0.rule) },
      notes: notes, mismatches: replayer.mismatches.count)
  }

  func shownLabels(_ l: LabelSet) -> String {
    l.labels.filter { $0.name != "severity" }.map { "\($0.name)=\($0.value)" }
      .joined(separator: " ")
  }

  /// Merges overlapping bands of the same kind; where one alert fires while another is
  /// pending, the band is a firing one (pending bands are cut around firing ones).
  func merge(_ bands: [IncidentReport.Band]) -> [IncidentReport.Band] {
    var out: [IncidentReport.Band] = []
    for firing in [true, false] {
      let sorted = bands.filter { $0.firing == firing }.sorted { $0.from < $1.from }
      var cur: IncidentReport.Band?
      for b in sorted {
        if var c = cur, b.from <= c.to {
          c.to = max(c.to, b.to)
          for a in b.alerts where !c.alerts.contains(a) { c.alerts.append(a) }
          cur = c
        } else {
          if let c = cur { out.append(c) }
          cur = b
        }
      }
      if let c = cur { out.append(c) }
    }
    let firing = out.filter(\.firing)
    var result = firing
    for b in out where !b.firing {
      var pieces = [b]
      for f in firing {
        pieces = pieces.flatMap { p -> [IncidentReport.Band] in
          guard f.from < p.to && p.from < f.to else { return [p] }
          var parts: [IncidentReport.Band] = []
          if p.from < f.from {
            parts.append(.init(from: p.from, to: f.from, firing: false, alerts: p.alerts))
          }
          if f.to < p.to {
            parts.append(.init(from: f.to, to: p.to, firing: false, alerts: p.alerts))
          }
          return parts
        }
      }
      result += pieces
    }
    return result.sorted { ($0.from, $0.firing ? 1 : 0) < ($1.from, $1.firing ? 1 : 0) }
  }

  /// The total length covered by intervals (overlaps counted once).
  func unionLength(_ intervals: [(Timestamp, Timestamp)]) -> Int64 {
    var total: Int64 = 0
    var cur: (Timestamp, Timestamp)?
    for (a, b) in intervals.sorted(by: { $0.0 < $1.0 }) {
      if let c = cur, a <= c.1 {
        cur = (c.0, max(c.1, b))
      } else {
        if let c = cur { total += c.1.since(c.0) }
        cur = (a, b)
      }
    }
    if let c = cur { total += c.1.since(c.0) }
    return total
  }
}
