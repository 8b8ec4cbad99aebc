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

  var incidentWindow: String {
    guard let w = report.incidentWindow else { return "no alert fired" }
    return "\(time(w.from)) – \(time(w.to))"
  }

  var incidentWindowDetail: String {
    guard let w = report.incidentWindow else { return "" }
    return duration(w.to.since(w.from))
      + (w.open
        ? ", from the first breach of an alert that fired; still firing when the recording ended"
        : ", from the first breach of an alert that fired to the last one's resolution")
  }

  var episodesSummary: String {
    let fired = report.episodes.filter { $0.fired != nil }
    let pages = fired.filter { AlertSeverityClass($0.severity) == .critical }.count
    let n = report.episodes.count
    return "\(n) episode\(n == 1 ? "" : "s"), \(fired.count) fired (\(pages) paging)"
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
