import VigilApp
import VigilCore

/// Wording shared by the HTML and Markdown reports: times, durations, labels, kinds.
struct ReportText {
  let report: IncidentReport
  /// The charts' span lies within one UTC day: times print as `10:04:40`.
  let sameDay: Bool

  init(_ report: IncidentReport) {
    self.report = report
    let a = CivilTime(report.start)
    let b = CivilTime(report.end)
    sameDay = a.year == b.year && a.month == b.month && a.day == b.day
  }

  /// A time on the dashboard's clock: `10:04:40`, with the date when the report spans days.
  func time(_ t: Timestamp) -> String {
    let c = CivilTime(t)
    return sameDay ? c.clock : date(t) + " " + c.clock
  }

  func date(_ t: Timestamp) -> String { String(CivilTime(t).rfc3339(fractionDigits: 0).prefix(10)) }

  /// `2026-11-26T10:04:40Z`.
  func full(_ t: Timestamp) -> String { CivilTime(t).rfc3339(fractionDigits: 0) }

  /// `2026-11-26 10:04:40Z`.
  func stamp(_ t: Timestamp) -> String { date(t) + " " + CivilTime(t).clock + "Z" }

  func duration(_ ns: Int64) -> String { shortDuration(ns) }

  /// Labels to show, without `severity` (shown as a word): `service=payment pair=oms-erp`.
  func labels(_ l: LabelSet) -> String {
    l.labels.filter { $0.name != "severity" }.map { "\($0.name)=\($0.value)" }
      .joined(separator: " ")
  }

  /// A severity as a word: `PAGE`, `TICKET`, `WARN`; `—` when the rule has none.
  func severity(_ s: String?) -> String { s.map { $0.uppercased() } ?? "—" }

  /// An instance: `ApiLatencyP99High service=payment`.
  func instance(_ rule: String, _ l: LabelSet?) -> String {
    let shown = l.map(labels) ?? ""
    return shown.isEmpty ? rule : rule + " " + shown
  }

  func kind(_ k: IncidentReport.Note.Kind) -> String {
    switch k {
    case .marker: "marker"
    case .ack: "ack"
    case .note: "ack note"
    case .unack: "unack"
    case .silence: "silence"
    case .unsilence: "unsilence"
    }
  }

  /// The headline numbers in words (the same in HTML and Markdown).
  var timeToFirstAlert: String {
    guard let t = report.timeToFirstAlert else { return "no alert fired" }
    return duration(t)
  }

  var timeToFirstAlertDetail: String {
    guard let f = report.firstFiring else {
      if let b = report.firstBreach {
        return "first breach at \(time(b)); nothing reached firing"
      }
      return "no rule was breached"
    }
    var s =
      "from the start of the recording (\(time(report.start))) to "
      + "\(instance(f.rule, f.labels)) firing at \(time(f.time))"
    if let fromBreach = report.timeToFirstAlertFromBreach, let b = report.firstBreach {
      s += "; \(duration(fromBreach)) after the first breach at \(time(b))"
    }
    return s
  }

  /// The incident window's length (`18m57s`, `54m49s+` while open).
  var incidentWindow: String {
    guard let w = report.incidentWindow else { return "no alert went pending or fired" }
    return duration(w.to.since(w.from)) + (w.open ? "+" : "")
  }

  var incidentWindowDetail: String {
    guard let w = report.incidentWindow else { return "" }
    return "\(time(w.from)) – \(time(w.to))"
      + (w.open ? ", still open when the recording ended" : "")
  }

  /// The incident window's definition, stated once in each report.
  static let windowDefinition =
    "The incident window runs from the first time an alert (other than FeedStale, which is "
    + "about the feeds) went pending or straight to firing, to the last time one went back to "
    + "inactive (resolved, or ended without firing); when one was still pending, firing or "
    + "recovering at the end of the recording, it runs to that end and is marked +. When an "
    + "alert fired, one that was only pending and ended before the first firing one began is "
    + "left out (a blip, not the incident). Quiet gaps "
    + "between alerts are inside it. Time to detection, time to resolution and the impact "
    + "totals are measured on it; the recording length is only how much was recorded."

  var timeToDetection: String {
    guard report.incidentWindow != nil else { return "no alert went pending or fired" }
    guard let t = report.timeToDetection else { return "no alert fired" }
    return duration(t)
  }

  var timeToDetectionDetail: String {
    guard let w = report.incidentWindow, let f = report.firstIncidentFiring, let t = f.fired
    else { return "" }
    return "from the incident's start (\(time(w.from))) to the first firing: "
      + "\(instance(f.rule, f.labels)) at \(time(t))"
  }

  var timeToResolution: String {
    guard report.incidentWindow != nil else { return "no alert went pending or fired" }
    return report.timeToResolution.map(duration) ?? "not resolved"
  }

  var timeToResolutionDetail: String {
    guard let w = report.incidentWindow else { return "" }
    return w.open
      ? "still open after \(duration(w.to.since(w.from))): an alert was still active when the "
        + "recording ended at \(time(w.to))"
      : "from the incident's start (\(time(w.from))) to the last alert resolving at \(time(w.to))"
  }

  /// Fired and pending-only episodes, counted apart: `5 fired (2 paging), 4 pending only`.
  var episodesSummary: String {
    let fired = report.firedEpisodes
    let pages = fired.filter { AlertSeverityClass($0.severity) == .critical }.count
    return
      "\(fired.count) fired (\(pages) paging), \(report.pendingOnlyEpisodes.count) pending only"
  }

  /// `5 fired episodes and 4 pending-only episodes (breached, never fired).`
  var episodesCount: String {
    let f = report.firedEpisodes.count
    let p = report.pendingOnlyEpisodes.count
    return "\(f) fired episode\(f == 1 ? "" : "s") and \(p) pending-only episode"
      + "\(p == 1 ? "" : "s") (breached, never fired)."
  }

  var episodesDetail: String {
    let n = report.episodes.count
    return "\(n) episode\(n == 1 ? "" : "s") in all; pending only: breached, but back to "
      + "inactive before its for: duration (or still pending at the end)"
  }

  // MARK: Summary

  /// The summary at the top: what happened (which alerts, on what), when it began, how long
  /// until detection and until resolution, and the top suspect once diagnosis had one.
  var summary: String {
    guard let w = report.incidentWindow else {
      return "No alert went pending or fired during the \(duration(report.span)) recorded "
        + "from \(when(report.start))."
    }
    let eps = report.incidentEpisodes
    let fired = eps.filter { $0.fired != nil }
    var s: String
    if fired.isEmpty {
      let rules = alertList(eps)
      s =
        "No alert fired; \(rules.count) went pending without firing"
        + "\(onWhat(rules.names)): \(rules.text). It began at \(when(w.from))"
      s +=
        w.open
        ? " and was still pending when the recording ended."
        : " and was over "
          + "\(duration(w.to.since(w.from))) later, at \(time(w.to))."
    } else {
      let rules = alertList(
        fired.sorted { ($0.fired ?? $0.firstBreach) < ($1.fired ?? $1.firstBreach) })
      let n = rules.count
      s = "\(n) alert\(n == 1 ? "" : "s") fired\(onWhat(rules.names)): \(rules.text). "
      s += "The incident began at \(when(w.from))"
      if let f = report.firstIncidentFiring, let t = f.fired, let d = report.timeToDetection {
        s +=
          "; it was detected \(d == 0 ? "at once" : duration(d) + " later"), when "
          + "\(instance(f.rule, f.labels)) fired at \(time(t))"
      }
      if let r = report.timeToResolution {
        s += ", and resolved \(duration(r)) after it began, at \(time(w.to))."
      } else {
        s +=
          ", and was not resolved: alerts were still active when the recording ended, "
          + "\(duration(w.to.since(w.from))) after it began."
      }
    }
    if let top = report.topSuspect {
      s +=
        " Top suspect when \(instance(top.firing.rule, top.firing.labels)) fired: "
        + "\(top.suspect.component) (\(SuspectText.change(top.suspect)) on \(top.suspect.series))."
    }
    return s
  }

  /// `10:25:10 UTC on 2026-11-26`.
  func when(_ t: Timestamp) -> String { CivilTime(t).clock + " UTC on " + date(t) }

  /// Up to three rules with their instances' labels, `and N more`; the rules, in order.
  func alertList(_ eps: [IncidentReport.Episode]) -> (names: [String], text: String, count: Int) {
    var names: [String] = []
    var labels: [String: [String]] = [:]
    for e in eps {
      if !names.contains(e.rule) { names.append(e.rule) }
      let l = self.labels(e.labels)
      if !l.isEmpty && !(labels[e.rule] ?? []).contains(l) { labels[e.rule, default: []].append(l) }
    }
    let shown = names.prefix(3).map { name -> String in
      let l = labels[name] ?? []
      guard !l.isEmpty else { return name }
      return name + " (" + l.prefix(3).joined(separator: ", ") + (l.count > 3 ? ", …" : "") + ")"
    }
    let text: String
    if names.count > 3 {
      text = shown.joined(separator: ", ") + " and \(names.count - 3) more"
    } else if shown.count > 1 {
      text = shown.dropLast().joined(separator: ", ") + " and " + (shown.last ?? "")
    } else {
      text = shown.first ?? ""
    }
    return (names, text, names.count)
  }

  /// ` on Checkout latency and Payment retries`: the signals of the rules, where known.
  func onWhat(_ rules: [String]) -> String {
    var titles: [String] = []
    for name in rules {
      guard let i = report.rules.first(where: { $0.name == name })?.signal,
        i < report.signals.count, !titles.contains(report.signals[i].title)
      else { continue }
      titles.append(report.signals[i].title)
    }
    guard !titles.isEmpty else { return "" }
    if titles.count == 1 { return " on " + titles[0] }
    return " on " + titles.dropLast().joined(separator: ", ") + " and " + (titles.last ?? "")
  }

  // MARK: Impact and peaks

  /// An impact total: a whole number of events.
  func impactValue(_ i: IncidentReport.Impact) -> String {
    Format.fixed(i.total.rounded(), 0)
  }

  var impactIntro: String {
    guard let r = report.impactRange, let w = report.incidentWindow else { return "" }
    return "Counted over the incident window (\(time(w.from)) – \(time(w.to))"
      + (w.open ? ", still open" : "") + ") from the samples the replay's windows held, in "
      + "whole \(Nanos.format(report.impactStep)) steps "
      + "(\(time(r.from)) – \(time(r.to))). A signal absent from the recording is left out. "
      + "Slow checkouts and late confirmations count the samples of the rule's own series above "
      + "its threshold as its quantiles read them: a value within 0.4% of the threshold may "
      + "count on either side."
  }

  /// Where a chart's worst headline and a rule's episode peak differ, why.
  func peakDifference(_ d: IncidentReport.PeakDifference) -> String {
    let s = report.signals[d.signal]
    let measure = report.rules.first { $0.name == d.rule }?.measure ?? ""
    return "\(s.title): the chart's worst is \(s.format(d.headline)) at \(time(d.headlineAt)), "
      + "\(lineCaption(s)); \(d.rule)'s highest episode peak is "
      + "\(s.format(d.episodePeak)), its "
      + (measure.isEmpty ? "own value" : measure)
      + " at each evaluation while an episode was open. They are computed over different "
      + "windows (and possibly different series), so the numbers differ."
  }

  /// What a signal's headline is: `worst p99 over 5m`, `in 5m`.
  func headlineWords(_ s: IncidentReport.Signal) -> String {
    let label = s.label.isEmpty ? "headline" : s.label
    return label.hasPrefix("in ") ? label : label + " over " + Nanos.format(report.window)
  }

  /// What the chart's line is: `worst p99 over 5m, sampled every 10s`.
  func lineCaption(_ s: IncidentReport.Signal) -> String {
    let label = s.label.isEmpty ? "headline" : s.label
    return "the dashboard's headline (\(label)) over its \(Nanos.format(report.window)) window, "
      + "sampled every \(Nanos.format(report.step))"
  }

  /// A signal's thresholds in words, each different one once (`; ` between).
  func thresholds(_ s: IncidentReport.Signal) -> String {
    var seen: [String] = []
    for th in s.thresholds {
      let t = thresholdText(th, s)
      if !seen.contains(t) { seen.append(t) }
    }
    return seen.joined(separator: "; ")
  }

  func thresholdText(_ th: IncidentReport.Threshold, _ s: IncidentReport.Signal) -> String {
    var t = "\(th.rule) \(th.op.rawValue) \(s.format(th.value))"
    if let c = th.clear { t += ", clears at \(s.format(c))" }
    return t
  }

  /// The recording's length on the dashboard's clock: `21m30s (2026-11-26 10:00:00Z – 10:21:30Z)`.
  var recordingLength: String {
    "\(duration(report.span)) (\(stamp(report.start)) – "
      + "\(sameDay ? CivilTime(report.end).clock + "Z" : stamp(report.end)))"
  }

  var span: String {
    "\(stamp(report.start)) – \(sameDay ? CivilTime(report.end).clock + "Z" : stamp(report.end)) "
      + "(\(duration(report.span)))"
  }

  var recorded: String {
    "\(stamp(report.recordedFrom)) – \(stamp(report.recordedTo)) "
      + "(\(duration(report.recordedTo.since(report.recordedFrom))))"
  }

  /// Which clock the span and charts are on.
  var clockWords: String {
    switch report.clock {
    case .event: "on event time (the feeds' own timestamps)"
    case .wall: "on the wall clock (as the dashboard ran)"
    case .auto: "with no data (the clock never settled)"
    }
  }
}
