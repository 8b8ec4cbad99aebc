import VigilApp
import VigilCore

/// The replay and the sampling behind ``IncidentReport/build(file:sidecar:title:maxPoints:)``.
struct ReportBuilder {
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
  /// The suspects ranked at each transition to firing, as the replay made them.
  var rankings: [SuspectRanking] = []
  /// The impact counts per 10 s bucket, read from the store as the replay goes (ImpactCounts).
  var impact = ImpactCounts()

  init(
    file: RecordingFile, sidecar: [(time: Timestamp, text: String)], maxPoints: Int,
    suspects: SuspectSource = .engine
  ) {
    self.file = file
    var split = file
    if ReportBuilder.clock(of: file) == .event {
      split.records = ReportBuilder.split(file.records)
    }
    replayer = Replayer(file: split, suspects: suspects)
    replayer.keepsCheckpoints = false
    self.sidecar = sidecar.sorted { $0.time < $1.time }
    signals = replayer.state.config.signals
    let interval = max(Nanos.second, replayer.state.engine.rules.evaluationInterval)
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
    let total = state.alertHistory.transitionsTotal
    if total != seenTransitions {
      let fresh = total - seenTransitions
      let kept = min(fresh, state.alertHistory.history.count)
      droppedTransitions += fresh - kept
      transitions.append(contentsOf: state.alertHistory.history.suffix(kept))
      seenTransitions = total
      mergeEpisodes()
      collectRankings()
    }
    if final || (settled && now >= nextSample) {
      sample()
      mergeEpisodes()
    }
    if final || impact.due(at: now) { impact.harvest(state, at: now) }
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
    let rules = state.engine.rules.rules
    for i in series.indices {
      for rule in rules where rule.panel(signals: signals) == i {
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
    for e in replayer.state.alertHistory.episodes {
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
    let set = replayer.state.engine.rules
    let alerts = replayer.state.engine.rules
    for rule in set.rules {
      if ruleInfo[rule.name] == nil { ruleOrder.append(rule.name) }
      ruleInfo[rule.name] = IncidentReport.Rule(
        name: rule.name, severity: rule.severity,
        condition: RuleText.conditionText(rule) { alerts.formatValue($0, rule: rule.name) },
        signal: rule.panel(signals: signals), firing: 0, episodes: 0, fired: 0,
        measure: RuleText.measureText(rule),
        runbook: rule.annotation("runbook", labels: rule.labels, value: nil)
          ?? rule.annotation("runbook_url", labels: rule.labels, value: nil) ?? "")
      if let i = rule.panel(signals: signals), i < series.count,
        !series[i].rules.contains(rule.name)
      {
        series[i].rules.append(rule.name)
      }
    }
  }
}
