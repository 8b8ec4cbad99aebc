import VigilApp
import VigilCore

/// The report as one self-contained HTML file: inline CSS and SVG, one small inline script
/// (allowed by hash in the page's content security policy, which also forbids any network
/// access), readable in light and dark, printed, and without colour (severity and state are
/// always words or patterns too).
public enum ReportHTML {
  public static func render(_ report: IncidentReport) -> String {
    var h = HTMLBuilder(reserving: 64 << 10)
    ReportPage(report).document(&h)
    return h.html
  }

  /// The page's only script: marks the page as loaded (`data-ok`, with the number of charts,
  /// which the browser test reads) and opens every `<details>` before printing. The report
  /// reads the same without it.
  static let script = """
    (function () {
      var root = document.documentElement;
      root.setAttribute("data-charts", String(document.querySelectorAll("svg.chart").length));
      root.setAttribute("data-ok", "1");
      window.addEventListener("beforeprint", function () {
        document.querySelectorAll("details").forEach(function (d) { d.open = true; });
      });
    })();
    """

  static let css = """
    :root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e;
      --grid: #d1d9e0; --line: #0550ae; --firing: #cf222e; --firing-bg: rgba(207, 34, 46, 0.16);
      --pending: #9a6700; --pending-bg: rgba(191, 135, 0, 0.20); --threshold: #cf222e;
      --clear: #1a7f37; --marker: #8250df; --card: #f6f8fa; --border: #d1d9e0; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --grid: #30363d; --line: #4493f8;
        --firing: #ff7b72; --firing-bg: rgba(248, 81, 73, 0.24); --pending: #d29922;
        --pending-bg: rgba(210, 153, 34, 0.24); --threshold: #ff7b72; --clear: #3fb950;
        --marker: #bc8cff; --card: #161b22; --border: #30363d; }
    }
    * { box-sizing: border-box; }
    html { background: var(--bg); color: var(--fg); }
    body { margin: 0 auto; max-width: 1100px; padding: 24px 20px 48px;
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    h1 { font-size: 1.6em; margin: 0 0 4px; overflow-wrap: anywhere; }
    h2 { font-size: 1.2em; margin: 32px 0 8px; border-bottom: 1px solid var(--border);
      padding-bottom: 4px; }
    h3 { font-size: 1em; margin: 0 0 4px; }
    .sub, .muted, figcaption { color: var(--muted); }
    p.summary { font-size: 1.1em; margin: 12px 0; padding: 8px 12px; background: var(--card);
      border: 1px solid var(--border); border-left: 4px solid var(--line); border-radius: 4px; }
    dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
    dl.meta dt { color: var(--muted); }
    dl.meta dd { margin: 0; overflow-wrap: anywhere; }
    .warnings { border: 1px solid var(--pending); border-left-width: 4px; padding: 8px 12px;
      margin: 16px 0; background: var(--pending-bg); }
    .warnings ul { margin: 4px 0 0; padding-left: 20px; }
    .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr));
      gap: 12px; margin: 0; }
    .figures div { background: var(--card); border: 1px solid var(--border); border-radius: 6px;
      padding: 10px 12px; }
    .figures dt { color: var(--muted); font-size: 0.9em; }
    .figures dd { margin: 2px 0 0; font-size: 1.5em; font-weight: 600; }
    .figures dd.detail { font-size: 0.85em; font-weight: normal; color: var(--muted); }
    table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 0.93em; }
    th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--border);
      vertical-align: top; overflow-wrap: anywhere; }
    th { background: var(--card); font-weight: 600; }
    thead th { white-space: nowrap; }
    tbody th { overflow-wrap: break-word; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
    .sev { font-weight: 600; white-space: nowrap; }
    .sev-critical { color: var(--firing); }
    .sev-warning { color: var(--pending); }
    figure { margin: 16px 0 24px; break-inside: avoid; }
    figure h3 { margin-bottom: 2px; }
    svg { display: block; width: 100%; height: auto; overflow: visible; }
    svg text { fill: var(--fg); font-size: 11px; font-family: inherit; }
    svg .axis text { fill: var(--muted); }
    svg .grid line { stroke: var(--grid); stroke-width: 1; }
    svg .frame { fill: none; stroke: var(--border); }
    svg .line { fill: none; stroke: var(--line); stroke-width: 1.8; stroke-linejoin: round; }
    svg .dot { fill: var(--line); }
    svg .band-firing { fill: var(--firing-bg); }
    svg .band-pending { fill: var(--pending-bg); }
    svg .hatch line { stroke: var(--pending); stroke-width: 1; opacity: 0.6; }
    svg .threshold { stroke: var(--threshold); stroke-width: 1.2; stroke-dasharray: 6 4; }
    svg .clear { stroke: var(--clear); stroke-width: 1.2; stroke-dasharray: 2 3; }
    svg .threshold-label { fill: var(--threshold); }
    svg .clear-label { fill: var(--clear); }
    svg .marker { stroke: var(--marker); stroke-width: 1.2; stroke-dasharray: 3 3; }
    svg .marker-label { fill: var(--marker); font-weight: 600; }
    svg .seg-firing { fill: var(--firing); }
    svg .seg-recovering { fill: var(--firing-bg); stroke: var(--firing); stroke-width: 1; }
    svg .seg-pending { stroke: var(--pending); stroke-width: 1; }
    svg .lane-label { font-size: 12px; }
    svg .nodata { fill: var(--muted); font-size: 13px; }
    .legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 4px 0; color: var(--muted);
      font-size: 0.9em; }
    .swatch { display: inline-block; width: 14px; height: 10px; margin-right: 4px;
      vertical-align: middle; border: 1px solid var(--border); }
    .swatch.firing { background: var(--firing); }
    .swatch.firing-band { background: var(--firing-bg); }
    .swatch.pending { background: repeating-linear-gradient(45deg, var(--pending-bg),
      var(--pending-bg) 2px, var(--pending) 2px, var(--pending) 3px); }
    .swatch.recovering { background: var(--firing-bg); border-color: var(--firing); }
    .swatch.threshold { border: 0; border-top: 2px dashed var(--threshold); height: 0; }
    .swatch.marker { border: 0; border-left: 2px dashed var(--marker); width: 2px; }
    details summary { cursor: pointer; margin: 8px 0; }
    footer { margin-top: 40px; color: var(--muted); font-size: 0.85em; }
    @media print {
      :root { --bg: #ffffff; --fg: #000000; --muted: #444444; --grid: #cccccc; --line: #003f9e;
        --firing: #b00020; --firing-bg: rgba(176, 0, 32, 0.15); --pending: #8a5a00;
        --pending-bg: rgba(191, 135, 0, 0.2); --threshold: #b00020; --clear: #1a7f37;
        --marker: #5b2fb5; --card: #f3f3f3; --border: #bbbbbb; }
      html, body, svg, .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      body { max-width: none; padding: 0; font-size: 11pt; }
      h2 { break-after: avoid; }
      tr { break-inside: avoid; }
    }
    """
}

/// The report's page, written into an ``HTMLBuilder``: the document and its tables here, the
/// charts and the alert timeline in ReportCharts.swift.
struct ReportPage {
  let r: IncidentReport
  let text: ReportText

  init(_ report: IncidentReport) {
    r = report
    text = ReportText(report)
  }

  // MARK: Document

  func document(_ h: inout HTMLBuilder) {
    let csp =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
      + "script-src \(Markup.scriptHash(ReportHTML.script)); base-uri 'none'; form-action 'none'"
    h.raw("<!DOCTYPE html>\n")
    h.element("html", [("lang", "en")], breaks: .block) { h in
      h.element("head", breaks: .block) { h in
        h.empty("meta", [("charset", "utf-8")], breaks: .after)
        h.empty(
          "meta", [("http-equiv", "Content-Security-Policy"), ("content", csp)], breaks: .after)
        h.empty(
          "meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")],
          breaks: .after)
        h.empty("meta", [("name", "color-scheme"), ("content", "light dark")], breaks: .after)
        h.empty(
          "meta", [("name", "generator"), ("content", "Vigil " + r.reportedWith)], breaks: .after)
        h.element("title", breaks: .after, text: r.title + " · incident report")
        h.element("style", breaks: .block) { h in
          h.raw(ReportHTML.css)
          h.newline()
        }
      }
      h.element("body", breaks: .block) { h in
        header(&h)
        headline(&h)
        charts(&h)
        timeline(&h)
        suspectsSection(&h)
        episodesTable(&h)
        notesTable(&h)
        rulesTable(&h)
        transitionsTable(&h)
        h.element("footer", breaks: .after) { h in
          h.raw("Generated by Vigil ")
          h.text(r.reportedWith)
          h.raw(" from \(r.records) records. Charts: each signal's dashboard headline over its ")
          h.text(Nanos.format(r.window))
          h.raw(" window, one point every ")
          h.text(Nanos.format(r.step))
          h.raw(". Times are UTC.")
        }
        h.element("script", breaks: .after) { $0.raw(ReportHTML.script) }
      }
    }
  }

  func header(_ h: inout HTMLBuilder) {
    h.element("header", breaks: .block) { h in
      h.element("h1", breaks: .after, text: r.title)
      h.element(
        "p", [("class", "sub")], breaks: .after,
        text: "Incident report · recording length " + text.recordingLength)
      h.element("p", [("class", "summary"), ("id", "summary")], breaks: .after, text: text.summary)
      h.element("dl", [("class", "meta")], breaks: .block) { h in
        func item(_ k: String, _ v: String) {
          h.element("dt", text: k)
          h.element("dd", breaks: .after, text: v)
        }
        item("Recording length", text.recordingLength + " " + text.clockWords)
        item("Recorded", text.recorded)
        item("Vigil", "recorded with \(r.recordedWith), report by \(r.reportedWith)")
        item("Config", "\(r.configHash) (rules: \(r.rulesSource))")
        item("Feeds", r.feeds.isEmpty ? "none" : r.feeds.joined(separator: "; "))
        item(
          "Charts",
          "window \(Nanos.format(r.window)), one point every \(Nanos.format(r.step)) "
            + "(\(r.signals.first?.points.count ?? 0) points per signal)")
      }
    }
    guard !r.warnings.isEmpty else { return }
    let attributes = [("class", "warnings"), ("role", "note"), ("aria-label", "Warnings")]
    h.element("section", attributes, breaks: .after) { h in
      h.element("strong", breaks: .after, text: "Warnings")
      h.element("ul", breaks: .block) { h in
        for w in r.warnings { h.element("li", breaks: .after, text: w) }
      }
    }
  }

  func headline(_ h: inout HTMLBuilder) {
    section(&h, "headline", "Headline numbers") { h in
      h.element("dl", [("class", "figures")], breaks: .block) { h in
        func card(_ k: String, _ v: String, _ detail: String) {
          h.element("div", breaks: .after) { h in
            h.element("dt", text: k)
            h.element("dd", text: v)
            if !detail.isEmpty { h.element("dd", [("class", "detail")], text: detail) }
          }
        }
        card("Time to detection", text.timeToDetection, text.timeToDetectionDetail)
        card("Time to resolution", text.timeToResolution, text.timeToResolutionDetail)
        card("Incident window", text.incidentWindow, text.incidentWindowDetail)
        card("Alert episodes", text.episodesSummary, text.episodesDetail)
        card("Time to first alert", text.timeToFirstAlert, text.timeToFirstAlertDetail)
      }
      h.element(
        "p", [("class", "muted"), ("id", "window-definition")], breaks: .after,
        text: ReportText.windowDefinition)
      impact(&h)
      subheading(&h, "Time firing per rule")
      let breached = r.rules.filter { $0.episodes > 0 || $0.firing > 0 }
      table(
        &h, id: "firing",
        [
          ("Rule", .text), ("Severity", .text), ("Episodes", .number), ("Fired", .number),
          ("Pending only", .number), ("Time firing", .number),
        ]
      ) { h in
        for rule in breached {
          row(&h) { h in
            h.element("th", [("scope", "row")], text: rule.name)
            severityCell(&h, rule.severity)
            h.element("td", [("class", "num")], text: String(rule.episodes))
            h.element("td", [("class", "num")], text: String(rule.fired))
            h.element("td", [("class", "num")], text: String(rule.episodes - rule.fired))
            h.element("td", [("class", "num")], text: text.duration(rule.firing))
          }
        }
        if breached.isEmpty {
          row(&h) { $0.element("td", [("colspan", "6")], text: "No rule was breached.") }
        }
      }
      subheading(&h, "Worst values")
      table(
        &h, id: "worst",
        [
          ("Signal", .text), ("Headline", .text), ("Worst", .number), ("At", .text),
          ("Threshold", .text),
        ]
      ) { h in
        for s in r.signals {
          let worst = s.worst
          let th = text.thresholds(s)
          row(&h) { h in
            h.element("th", [("scope", "row")]) { h in
              h.element("a", [("href", "#signal-\(s.key)")], text: s.title)
            }
            h.element("td", text: s.label.isEmpty ? "—" : s.label)
            h.element("td", [("class", "num")], text: s.format(worst?.value))
            h.element("td", [("class", "time")]) { h in
              if let worst { timeElement(&h, worst.time) } else { h.text("—") }
            }
            h.element("td", text: th.isEmpty ? "—" : th)
          }
        }
      }
      let differences = r.peakDifferences
      if !differences.isEmpty {
        h.element("div", [("id", "peaks")], breaks: .block) { h in
          h.element(
            "p", breaks: .after,
            text: "Where a chart's worst value and an episode peak differ, and why:")
          h.element("ul", breaks: .block) { h in
            for d in differences { h.element("li", breaks: .after, text: text.peakDifference(d)) }
          }
        }
      }
    }
  }

  /// Impact totals over the incident window.
  func impact(_ h: inout HTMLBuilder) {
    subheading(&h, "Impact over the incident window")
    guard r.incidentWindow != nil else {
      h.element(
        "p", breaks: .after, text: "No alert went pending or fired: there is no incident window.")
      return
    }
    guard !r.impact.isEmpty else {
      h.element(
        "p", breaks: .after,
        text: "None of the impact signals (payments, retries, order-error tickets, checkout "
          + "latency, confirmation delay) is in the recording.")
      return
    }
    table(&h, id: "impact", [("Impact", .text), ("Total", .number), ("Counted", .text)]) { h in
      for i in r.impact {
        row(&h) { h in
          h.element("th", [("scope", "row")], text: i.title)
          h.element("td", [("class", "num")], text: text.impactValue(i))
          h.element("td", text: i.counted)
        }
      }
    }
    h.element("p", [("class", "muted")], breaks: .after, text: text.impactIntro)
  }

  // MARK: Building blocks

  /// `<section id=…>` under its `<h2>`; `empty` (when given) is all it says.
  func section(
    _ h: inout HTMLBuilder, _ id: String, _ title: String, empty: String? = nil,
    _ body: (inout HTMLBuilder) -> Void
  ) {
    h.element("section", [("id", id)], breaks: .block) { h in
      h.element("h2", breaks: .after, text: title)
      if let empty {
        h.element("p", breaks: .after, text: empty)
      } else {
        body(&h)
      }
    }
  }

  func subheading(_ h: inout HTMLBuilder, _ title: String) {
    h.element("h3", [("style", "margin-top:16px")], breaks: .after, text: title)
  }

  enum Column { case text, number }

  /// A table with a header row of `columns`; `rows` writes the body's rows.
  func table(
    _ h: inout HTMLBuilder, id: String? = nil, _ columns: [(String, Column)],
    rows: (inout HTMLBuilder) -> Void
  ) {
    h.element("table", id.map { [("id", $0)] } ?? [], breaks: .block) { h in
      h.element("thead", breaks: .after) { h in
        h.element("tr") { h in
          for (name, kind) in columns {
            let attributes = [("scope", "col")] + (kind == .number ? [("class", "num")] : [])
            h.element("th", attributes, text: name)
          }
        }
      }
      h.element("tbody", breaks: .block, rows)
    }
  }

  func row(_ h: inout HTMLBuilder, _ cells: (inout HTMLBuilder) -> Void) {
    h.element("tr", breaks: .after, cells)
  }

  func timeElement(_ h: inout HTMLBuilder, _ t: Timestamp) {
    h.element("time", [("datetime", text.full(t))], text: text.time(t))
  }

  func timeCell(_ h: inout HTMLBuilder, _ t: Timestamp) {
    h.element("td", [("class", "time")]) { timeElement(&$0, t) }
  }

  func severityCell(_ h: inout HTMLBuilder, _ s: String?) {
    let cls: String
    switch AlertSeverityClass(s) {
    case .critical: cls = "sev sev-critical"
    case .warning: cls = "sev sev-warning"
    case .info: cls = "sev"
    }
    h.element("td", [("class", cls)], text: text.severity(s))
  }

  // MARK: Tables

  func episodesTable(_ h: inout HTMLBuilder) {
    let empty = r.episodes.isEmpty ? "No episodes: no rule was breached." : nil
    section(&h, "episodes", "Alert episodes", empty: empty) { h in
      table(
        &h,
        [
          ("Rule", .text), ("Severity", .text), ("Labels", .text), ("First breach", .text),
          ("Fired", .text), ("Resolved", .text), ("Duration", .number), ("Firing", .number),
          ("Peak", .number),
        ]
      ) { h in
        for ep in r.episodes { episodeRow(&h, ep) }
      }
      h.element("p", breaks: .after, text: text.episodesCount)
      h.element("p", [("class", "muted")], breaks: .after) { h in
        h.raw("Duration: first breach to resolution (or to the end of the recording, marked +). ")
        h.raw("Firing: fired to resolved, including the recovering stretch. ")
        h.raw("Peak: the worst value the rule computed during the episode.")
      }
    }
  }

  func episodeRow(_ h: inout HTMLBuilder, _ ep: IncidentReport.Episode) {
    row(&h) { h in
      h.element("th", [("scope", "row")], text: ep.rule)
      severityCell(&h, ep.severity)
      let labels = text.labels(ep.labels)
      h.element("td", text: labels.isEmpty ? "—" : labels)
      timeCell(&h, ep.firstBreach)
      h.element("td", [("class", "time")]) { h in
        if let t = ep.fired { timeElement(&h, t) } else { h.text("did not fire") }
      }
      h.element("td", [("class", "time")]) { h in
        if let t = ep.resolved {
          timeElement(&h, t)
        } else if let t = ep.ended {
          h.text("ended ")
          timeElement(&h, t)
          h.text(" without firing")
        } else {
          h.text("open at the end")
        }
      }
      let open = ep.isOpen ? "+" : ""
      h.element("td", [("class", "num")], text: text.duration(ep.duration) + open)
      h.element(
        "td", [("class", "num")], text: ep.fired == nil ? "—" : text.duration(ep.firing) + open)
      h.element("td", [("class", "num")], text: ep.peakText)
    }
  }

  func notesTable(_ h: inout HTMLBuilder) {
    let empty = r.notes.isEmpty ? "No markers, acknowledgements or notes were recorded." : nil
    section(&h, "notes", "Markers and notes", empty: empty) { h in
      table(
        &h, [("#", .number), ("Time", .text), ("Kind", .text), ("Alert", .text), ("Text", .text)]
      ) { h in
        for (i, n) in r.notes.enumerated() {
          row(&h) { h in
            h.element("td", [("class", "num")], text: String(i + 1))
            timeCell(&h, n.time)
            h.element("td", text: text.kind(n.kind) + (n.fromSidecar ? " (added in replay)" : ""))
            h.element("td", text: n.rule.map { text.instance($0, n.labels) } ?? "—")
            h.element("td", text: n.text)
          }
        }
      }
      if r.notes.count > Self.maxDrawnNotes {
        h.element(
          "p", [("class", "muted")], breaks: .after,
          text: "The charts draw the first \(Self.maxDrawnNotes).")
      }
    }
  }

  func rulesTable(_ h: inout HTMLBuilder) {
    section(&h, "rules", "Rules") { h in
      table(
        &h,
        [
          ("Rule", .text), ("Severity", .text), ("Signal", .text), ("Condition", .text),
          ("Runbook", .text),
        ]
      ) { h in
        for rule in r.rules {
          let signal =
            rule.signal.flatMap { $0 < r.signals.count ? r.signals[$0].title : nil } ?? "—"
          row(&h) { h in
            h.element("th", [("scope", "row")], text: rule.name)
            severityCell(&h, rule.severity)
            h.element("td", text: signal)
            h.element("td", text: rule.condition)
            h.element("td", text: rule.runbook.isEmpty ? "—" : rule.runbook)
          }
        }
      }
    }
  }

  func transitionsTable(_ h: inout HTMLBuilder) {
    section(&h, "transitions", "Alert transitions", empty: r.transitions.isEmpty ? "None." : nil) {
      h in
      h.element("details", breaks: .block) { h in
        h.element(
          "summary", breaks: .after, text: "All \(r.transitions.count) transitions, in time order")
        table(
          &h,
          [
            ("Time", .text), ("Rule", .text), ("Labels", .text), ("From", .text), ("To", .text),
            ("Value", .number),
          ]
        ) { h in
          for (i, tr) in r.transitions.enumerated() {
            let labels = text.labels(tr.labels)
            let value =
              i < r.transitionValues.count ? r.transitionValues[i] : Format.value(tr.value)
            row(&h) { h in
              timeCell(&h, tr.t)
              h.element("th", [("scope", "row")], text: tr.rule)
              h.element("td", text: labels.isEmpty ? "—" : labels)
              h.element("td", text: tr.from.rawValue)
              h.element(
                "td", text: tr.to.rawValue + (tr.reason.map { " (" + $0.rawValue + ")" } ?? ""))
              h.element("td", [("class", "num")], text: value)
            }
          }
        }
      }
    }
  }
}
