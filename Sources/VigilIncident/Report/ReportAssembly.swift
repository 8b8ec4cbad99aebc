import VigilApp
import VigilCore

/// The report put together from what the replay kept: episodes, lanes, bands, rules.
extension ReportBuilder {
  mutating func finish(title: String?) -> IncidentReport {
    let state = replayer.state
    let end = now
    let start = min(
      firstTime ?? file.header.start,
      state.clockMode == .event ? (state.oldestEvent ?? end) : file.header.start)
    let alerts = state.engine.rules
    let episodes = episodes(end: end)
    let lanes = lanes(end: end)
    let firingByRule = addBands(lanes)
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
    notes.sort { $0.time < $1.time }
    let h = file.header
    var report = IncidentReport(
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
      }, warnings: warnings(), records: file.records.count, window: state.window, step: step,
      signals: series, rules: rules(episodes: episodes, firingByRule: firingByRule),
      episodes: episodes, lanes: lanes, transitions: transitions,
      transitionValues: transitions.map { alerts.formatValue($0.value, rule: $0.rule) },
      notes: notes, mismatches: replayer.mismatches.count)
    report.firings = firings()
    if let w = report.incidentWindow {
      let totals = impact.totals(over: (w.from, w.to))
      report.impact = totals.impact
      report.impactRange = (totals.from, totals.to)
      report.impactStep = impact.width
    }
    return report
  }

  /// Episodes, with their durations against the end of the recording.
  func episodes(end: Timestamp) -> [IncidentReport.Episode] {
    let alerts = replayer.state.engine.rules
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
    return episodes
  }

  /// Lanes: each instance's stretches from the transitions.
  func lanes(end: Timestamp) -> [IncidentReport.Lane] {
    let alerts = replayer.state.engine.rules
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
    return lanes
  }

  /// Adds the lanes' stretches to their signals' bands; returns the time each rule was a
  /// problem.
  mutating func addBands(_ lanes: [IncidentReport.Lane]) -> [String: [(Timestamp, Timestamp)]] {
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
    return firingByRule
  }

  /// The rules in the order they were first seen, with their episodes and time firing.
  func rules(
    episodes: [IncidentReport.Episode], firingByRule: [String: [(Timestamp, Timestamp)]]
  ) -> [IncidentReport.Rule] {
    let alerts = replayer.state.engine.rules
    var rules = ruleOrder.compactMap { ruleInfo[$0] }
    if transitions.contains(where: { $0.rule == RuleSet.feedStaleRule }) {
      rules.append(
        IncidentReport.Rule(
          name: RuleSet.feedStaleRule, severity: "warn",
          condition: "a rule's metric has no samples in its window, or none for "
            + Nanos.format(alerts.feedStaleFor),
          signal: nil, firing: 0, episodes: 0, fired: 0))
    }
    for k in rules.indices {
      rules[k].firing = unionLength(firingByRule[rules[k].name] ?? [])
      rules[k].episodes = episodes.filter { $0.rule == rules[k].name }.count
      rules[k].fired = episodes.filter { $0.rule == rules[k].name && $0.fired != nil }.count
    }
    return rules
  }

  func warnings() -> [String] {
    var warnings = file.warnings
    if !replayer.mismatches.isEmpty {
      warnings.append(
        "\(replayer.mismatches.count) alert transitions recomputed by this Vigil differ from "
          + "the recorded ones; the report shows the recomputed ones")
    }
    if droppedTransitions > 0 {
      warnings.append("\(droppedTransitions) transitions came too fast to be kept")
    }
    return warnings
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
