import VigilApp
import VigilCore

extension IncidentReport {
  /// A transition to firing and the suspects ranked then: the series that had moved most from
  /// their own baseline, best first (suspects, not proven causes).
  public struct Firing: Sendable, Equatable {
    public var rule: String
    public var labels: LabelSet
    public var t: Timestamp
    /// The series the alert watches (`metric{label=value}`), when its rule is known.
    public var watched: String?
    public var suspects: [Suspect]

    /// Suspects with a known onset, and the alert itself, in time order: which series moved
    /// when, relative to the alert. The alert is the entry with no suspect.
    public var onsets: [(t: Timestamp, suspect: Suspect?)] {
      var out: [(t: Timestamp, suspect: Suspect?)] = suspects.compactMap { s in
        s.onset.map { ($0, s) }
      }
      out.append((t, nil))
      // Stable: equal times keep rank order, the alert after the series that moved with it.
      return out.enumerated().sorted { a, b in
        a.element.t != b.element.t ? a.element.t < b.element.t : a.offset < b.offset
      }.map(\.element)
    }
  }

  /// Firings listed in a report at most (the newest kept), and suspects per firing.
  public static let maxFirings = 50
  public static let maxSuspects = 10
}

// MARK: - Collected during the replay

extension ReportBuilder {
  /// Takes the rankings the engine made at transitions to firing since the last look.
  mutating func collectRankings() {
    let state = replayer.state
    let newest = rankings.last?.t ?? Timestamp(nanoseconds: .min)
    for r in state.config.suspects.atFiring(state.engine)
    where r.t > newest || (r.t == newest && !rankings.contains(r)) {
      rankings.append(r)
    }
  }

  func firings() -> [IncidentReport.Firing] {
    let rules = replayer.state.engine.rules.rules
    return rankings.suffix(IncidentReport.maxFirings).map { r in
      let rule = r.alert ?? "on demand"
      return IncidentReport.Firing(
        rule: rule, labels: r.labels, t: r.t,
        watched: rules.first { $0.name == rule }?.watchedSeries(labels: r.labels),
        suspects: Array(r.suspects.prefix(IncidentReport.maxSuspects)))
    }
  }
}

// MARK: - Words

/// The suspects section's wording, shared by the HTML and Markdown reports.
enum SuspectsWords {
  static let intro =
    "When an alert fired, Vigil ranked the series that had moved most from their own baseline "
    + "(their median over the previous hour), and noted when each started to move. These are "
    + "suspects to check first, not proven causes: a cause usually moves first and most."

  static let none = "No alert fired, so no suspects were ranked."

  static func summary(_ f: IncidentReport.Firing) -> String {
    guard let top = f.suspects.first else {
      return "No series deviated from its baseline when this alert fired."
    }
    var s = "Top suspect: \(top.component) (\(SuspectText.change(top)) on \(top.series))"
    if let onset = top.onset {
      let d = f.t.since(onset)
      s +=
        d > 0
        ? ", which started to move \(shortDuration(d)) before the alert"
        : d == 0 ? ", which moved as the alert fired" : ", which moved after the alert"
    }
    return s + "."
  }

  /// `1m50s before`, `as it fired`, `20s after`.
  static func relative(_ t: Timestamp, to alert: Timestamp) -> String {
    let d = alert.since(t)
    if d == 0 { return "as it fired" }
    return shortDuration(abs(d)) + (d > 0 ? " before" : " after")
  }

  static func title(_ f: IncidentReport.Firing, _ text: ReportText) -> String {
    let labels = text.labels(f.labels)
    return f.rule + (labels.isEmpty ? "" : " " + labels) + ", fired " + text.time(f.t)
  }
}

// MARK: - HTML

extension ReportPage {
  func suspectsSection(_ h: inout HTMLBuilder) {
    section(&h, "suspects", "Suspects", empty: r.firings.isEmpty ? SuspectsWords.none : nil) {
      h in
      h.element("p", breaks: .after, text: SuspectsWords.intro)
      for f in r.firings { firing(&h, f) }
    }
  }

  private func firing(_ h: inout HTMLBuilder, _ f: IncidentReport.Firing) {
    subheading(&h, SuspectsWords.title(f, text))
    if let w = f.watched { h.element("p", breaks: .after, text: "The alert watches " + w + ".") }
    h.element("p", breaks: .after) { h in h.element("strong", text: SuspectsWords.summary(f)) }
    guard !f.suspects.isEmpty else { return }
    table(
      &h,
      [
        ("#", .number), ("Component", .text), ("Series", .text), ("Change", .text),
        ("Started to move", .text),
      ]
    ) { h in
      for (i, s) in f.suspects.enumerated() {
        row(&h) { h in
          h.element("td", [("class", "num")], text: "\(i + 1)")
          h.element("td", text: s.component)
          h.element("td") { h in h.element("code", text: s.series) }
          h.element("td", text: SuspectText.change(s))
          h.element("td") { h in
            if let onset = s.onset {
              timeElement(&h, onset)
              h.text(" (" + SuspectsWords.relative(onset, to: f.t) + ")")
            } else {
              h.text("unknown")
            }
            if let by = s.explainedBy { h.text("; follows " + by) }
          }
        }
      }
    }
    h.element("p", breaks: .after, text: "Onset timeline (which series moved when):")
    h.element("ol", [("class", "onsets")], breaks: .block) { h in
      for (t, s) in f.onsets {
        h.element("li", breaks: .after) { h in
          timeElement(&h, t)
          h.text(" (" + SuspectsWords.relative(t, to: f.t) + ") ")
          if let s {
            h.element("strong", text: s.component)
            h.text(": ")
            h.element("code", text: s.series)
            h.text(" started to move (" + SuspectText.change(s) + ")")
          } else {
            h.element("strong", text: "alert fired: " + f.rule)
          }
        }
      }
    }
  }
}

// MARK: - Markdown

enum SuspectsMarkdown {
  /// The section's lines; `e` escapes text from the recording.
  static func lines(_ r: IncidentReport, _ e: (String) -> String) -> [String] {
    var out = ["## Suspects", ""]
    guard !r.firings.isEmpty else { return out + [SuspectsWords.none, ""] }
    out += [SuspectsWords.intro, ""]
    let text = ReportText(r)
    for f in r.firings {
      out += ["### " + e(SuspectsWords.title(f, text)), ""]
      if let w = f.watched { out += ["The alert watches " + e(w) + ".", ""] }
      out += ["**" + e(SuspectsWords.summary(f)) + "**", ""]
      guard !f.suspects.isEmpty else { continue }
      out += [
        "| # | Component | Series | Change | Started to move |", "| ---: | --- | --- | --- | --- |",
      ]
      for (i, s) in f.suspects.enumerated() {
        var onset = s.onset.map { text.time($0) + " (" + SuspectsWords.relative($0, to: f.t) + ")" }
        if let by = s.explainedBy { onset = (onset ?? "unknown") + "; follows " + by }
        let cells = [
          "\(i + 1)", e(s.component), e(s.series), e(SuspectText.change(s)),
          e(onset ?? "unknown"),
        ]
        out.append("| " + cells.joined(separator: " | ") + " |")
      }
      out += ["", "Onset timeline:", ""]
      for (t, s) in f.onsets {
        let when = text.time(t) + " (" + SuspectsWords.relative(t, to: f.t) + ")"
        if let s {
          out.append(
            "- \(e(when)) **\(e(s.component))**: \(e(s.series)) started to move "
              + "(\(e(SuspectText.change(s))))")
        } else {
          out.append("- \(e(when)) **alert fired: \(e(f.rule))**")
        }
      }
      out.append("")
    }
    return out
  }
}
