import VigilApp
import VigilCore

/// The report as one self-contained HTML file: inline CSS and SVG, one small inline script
/// (allowed by hash in the page's content security policy, which also forbids any network
/// access), readable in light and dark, printed, and without colour (severity and state are
/// always words or patterns too).
public enum ReportHTML {
  public static func render(_ report: IncidentReport) -> String {
    var w = HTMLWriter(report)
    w.document()
    return w.out
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

/// Writes the document into ``out``.
private struct HTMLWriter {
  let r: IncidentReport
  let text: ReportText
  var out = ""

  init(_ report: IncidentReport) {
    r = report
    text = ReportText(report)
    out.reserveCapacity(64 << 10)
  }

  /// Escaped text from the recording (or anything else).
  func e(_ s: String) -> String { Markup.escape(s) }

  func num(_ v: Double) -> String { Format.fixed(v, 1) }

  // MARK: Document

  mutating func document() {
    let csp =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
      + "script-src \(Markup.scriptHash(ReportHTML.script)); base-uri 'none'; form-action 'none'"
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
    out += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(e(csp))\" />\n"
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
    out += "<meta name=\"color-scheme\" content=\"light dark\" />\n"
    out += "<meta name=\"generator\" content=\"Vigil \(e(r.reportedWith))\" />\n"
    out += "<title>\(e(r.title)) · incident report</title>\n"
    out += "<style>\n\(ReportHTML.css)\n</style>\n</head>\n<body>\n"
    header()
    headline()
    charts()
    timeline()
    episodesTable()
    notesTable()
    rulesTable()
    transitionsTable()
    out += "<footer>Generated by Vigil \(e(r.reportedWith)) from \(r.records) records. "
    out += "Charts: each signal's dashboard headline over its \(e(Nanos.format(r.window))) "
    out += "window, one point every \(e(Nanos.format(r.step))). "
    out += "Times are UTC.</footer>\n"
    out += "<script>\(ReportHTML.script)</script>\n</body>\n</html>\n"
  }

  mutating func header() {
    out += "<header>\n<h1>\(e(r.title))</h1>\n"
    out += "<p class=\"sub\">Incident report · \(e(text.span))</p>\n<dl class=\"meta\">\n"
    func item(_ k: String, _ v: String) { out += "<dt>\(k)</dt><dd>\(v)</dd>\n" }
    item("Incident span", e(text.span) + " " + e(text.clockWords))
    item("Recorded", e(text.recorded))
    item(
      "Vigil",
      "recorded with \(e(r.recordedWith)), report by \(e(r.reportedWith))")
    item("Config", "\(e(r.configHash)) (rules: \(e(r.rulesSource)))")
    item("Feeds", r.feeds.isEmpty ? "none" : r.feeds.map(e).joined(separator: "; "))
    item(
      "Charts",
      "window \(e(Nanos.format(r.window))), one point every \(e(Nanos.format(r.step))) "
        + "(\(r.signals.first?.points.count ?? 0) points per signal)")
    out += "</dl>\n</header>\n"
    if !r.warnings.isEmpty {
      out += "<section class=\"warnings\" role=\"note\" aria-label=\"Warnings\">"
      out += "<strong>Warnings</strong>\n<ul>\n"
      for w in r.warnings { out += "<li>\(e(w))</li>\n" }
      out += "</ul>\n</section>\n"
    }
  }

  mutating func headline() {
    out += "<section id=\"headline\">\n<h2>Headline numbers</h2>\n<dl class=\"figures\">\n"
    func card(_ k: String, _ v: String, _ detail: String) {
      out += "<div><dt>\(k)</dt><dd>\(e(v))</dd>"
      if !detail.isEmpty { out += "<dd class=\"detail\">\(e(detail))</dd>" }
      out += "</div>\n"
    }
    card("Time to first alert", text.timeToFirstAlert, text.timeToFirstAlertDetail)
    card("Incident window", text.incidentWindow, text.incidentWindowDetail)
    card("Alert episodes", text.episodesSummary, "")
    out += "</dl>\n"
    // Time firing per rule.
    out += "<h3 style=\"margin-top:16px\">Time firing per rule</h3>\n"
    out += "<table id=\"firing\">\n<thead><tr><th scope=\"col\">Rule</th>"
    out += "<th scope=\"col\">Severity</th><th scope=\"col\" class=\"num\">Episodes</th>"
    out += "<th scope=\"col\" class=\"num\">Fired</th>"
    out += "<th scope=\"col\" class=\"num\">Time firing</th></tr></thead>\n<tbody>\n"
    for rule in r.rules where rule.episodes > 0 || rule.firing > 0 {
      out += "<tr><th scope=\"row\">\(e(rule.name))</th>\(severityCell(rule.severity))"
      out += "<td class=\"num\">\(rule.episodes)</td><td class=\"num\">\(rule.fired)</td>"
      out += "<td class=\"num\">\(e(text.duration(rule.firing)))</td></tr>\n"
    }
    if !r.rules.contains(where: { $0.episodes > 0 || $0.firing > 0 }) {
      out += "<tr><td colspan=\"5\">No rule was breached.</td></tr>\n"
    }
    out += "</tbody>\n</table>\n"
    // Worst values.
    out += "<h3 style=\"margin-top:16px\">Worst values</h3>\n"
    out += "<table id=\"worst\">\n<thead><tr><th scope=\"col\">Signal</th>"
    out += "<th scope=\"col\">Headline</th><th scope=\"col\" class=\"num\">Worst</th>"
    out += "<th scope=\"col\">At</th><th scope=\"col\">Threshold</th></tr></thead>\n<tbody>\n"
    for s in r.signals {
      let worst = s.worst
      let th = thresholdsSummary(s)
      out += "<tr><th scope=\"row\"><a href=\"#signal-\(s.key)\">\(e(s.title))</a></th>"
      out += "<td>\(e(s.label.isEmpty ? "—" : s.label))</td>"
      out += "<td class=\"num\">\(e(s.format(worst?.value)))</td>"
      out += "<td class=\"time\">\(worst.map { timeCell($0.time) } ?? "—")</td>"
      out += "<td>\(e(th.isEmpty ? "—" : th))</td></tr>\n"
    }
    out += "</tbody>\n</table>\n</section>\n"
  }

  func thresholdsSummary(_ s: IncidentReport.Signal) -> String {
    var seen: [String] = []
    for th in s.thresholds {
      let t = text.thresholdText(th, s)
      if !seen.contains(t) { seen.append(t) }
    }
    return seen.joined(separator: "; ")
  }

  func timeCell(_ t: Timestamp) -> String {
    "<time datetime=\"\(text.full(t))\">\(e(text.time(t)))</time>"
  }

  func severityCell(_ s: String?) -> String {
    let cls: String
    switch AlertSeverityClass(s) {
    case .critical: cls = "sev sev-critical"
    case .warning: cls = "sev sev-warning"
    case .info: cls = "sev"
    }
    return "<td class=\"\(cls)\">\(e(text.severity(s)))</td>"
  }

  // MARK: Geometry

  static let width = 960.0
  static let left = 64.0
  static let right = 12.0
  var plotWidth: Double { Self.width - Self.left - Self.right }

  func x(_ t: Timestamp) -> Double {
    let span = Double(max(1, r.span))
    let f = Double(t.since(r.start)) / span
    return Self.left + min(1, max(0, f)) * plotWidth
  }

  /// Time ticks: the smallest step from a fixed list that gives at most 8 ticks.
  func timeTicks() -> (step: Int64, ticks: [Timestamp]) {
    let steps: [Int64] = [
      1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
      172_800, 604_800,
    ].map { $0 * Nanos.second }
    let span = max(1, r.span)
    let step = steps.first { span / $0 <= 8 } ?? max(1, span / 8)
    var ticks: [Timestamp] = []
    let s = r.start.nanoseconds
    var t = (s >= 0 ? (s + step - 1) / step : s / step) * step
    while t <= r.end.nanoseconds && ticks.count < 40 {
      ticks.append(Timestamp(nanoseconds: t))
      t += step
    }
    return (step, ticks)
  }

  func tickLabel(_ t: Timestamp, step: Int64) -> String {
    let c = CivilTime(t)
    if step >= Nanos.day { return text.date(t) }
    let hm = String(c.clock.prefix(5))
    return step % Nanos.minute == 0 ? hm : c.clock
  }

  /// Vertical grid lines and time labels below a plot from `top` to `bottom`.
  mutating func timeAxis(top: Double, bottom: Double) {
    let (step, ticks) = timeTicks()
    out += "<g class=\"grid\">"
    for t in ticks {
      out +=
        "<line x1=\"\(num(x(t)))\" y1=\"\(num(top))\" x2=\"\(num(x(t)))\" y2=\"\(num(bottom))\" />"
    }
    out += "</g>\n<g class=\"axis\" aria-hidden=\"true\">"
    for t in ticks {
      out += "<text x=\"\(num(x(t)))\" y=\"\(num(bottom + 14))\" text-anchor=\"middle\">"
      out += "\(e(tickLabel(t, step: step)))</text>"
    }
    out += "</g>\n"
  }

  /// The notes (markers, acks, ack notes, silences) drawn as numbered vertical lines.
  var drawnNotes: [(number: Int, note: IncidentReport.Note)] {
    Array(r.notes.enumerated().map { ($0.offset + 1, $0.element) }.prefix(Self.maxDrawnNotes))
  }
  static let maxDrawnNotes = 60

  mutating func markerLines(top: Double, bottom: Double) {
    guard !r.notes.isEmpty else { return }
    out += "<g class=\"markers\">"
    for (n, note) in drawnNotes {
      let xx = num(x(note.time))
      out +=
        "<g><title>\(e("\(n). \(text.time(note.time)) \(text.kind(note.kind)): \(note.text)"))</title>"
      out +=
        "<line class=\"marker\" x1=\"\(xx)\" y1=\"\(num(top))\" x2=\"\(xx)\" y2=\"\(num(bottom))\" />"
      out +=
        "<text class=\"marker-label\" x=\"\(xx)\" y=\"\(num(top - 3))\" text-anchor=\"middle\">\(n)</text></g>"
    }
    out += "</g>\n"
  }

  mutating func hatchPattern(_ id: String) {
    out += "<defs><pattern id=\"\(id)\" class=\"hatch\" width=\"6\" height=\"6\" "
    out += "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
    out += "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" /></pattern></defs>\n"
  }

  // MARK: Charts

  mutating func charts() {
    out += "<section id=\"signals\">\n<h2>Signals</h2>\n"
    out += "<div class=\"legend\" aria-hidden=\"true\"><span><span class=\"swatch firing-band\">"
    out += "</span>alert firing</span><span><span class=\"swatch pending\"></span>alert pending"
    out += "</span><span><span class=\"swatch threshold\"></span>rule threshold</span>"
    out +=
      "<span><span class=\"swatch marker\"></span>marker or note (numbered, see Markers and notes)</span></div>\n"
    for s in r.signals { chart(s) }
    out += "</section>\n"
  }

  mutating func chart(_ s: IncidentReport.Signal) {
    let height = 220.0
    let top = 18.0
    let bottom = height - 26
    let values = s.points.compactMap(\.value).filter(\.isFinite)
    let limits = values + s.thresholds.flatMap { [$0.value] + ($0.clear.map { [$0] } ?? []) }
    let yMax = niceCeiling((limits.max() ?? 0) * 1.08)
    let yMin = min(0, niceFloor(limits.min() ?? 0))
    func y(_ v: Double) -> Double {
      bottom - (v - yMin) / max(1e-12, yMax - yMin) * (bottom - top)
    }
    let worst = s.worst
    out += "<figure id=\"signal-\(s.key)\">\n<h3>\(e(s.title))</h3>\n"
    let titleID = "title-\(s.key)"
    let descID = "desc-\(s.key)"
    out +=
      "<svg class=\"chart\" data-signal=\"\(s.key)\" viewBox=\"0 0 \(num(Self.width)) \(num(height))\" "
    out +=
      "role=\"img\" aria-labelledby=\"\(titleID) \(descID)\" xmlns=\"http://www.w3.org/2000/svg\">\n"
    out += "<title id=\"\(titleID)\">\(e(s.title)): \(e(text.headlineWords(s)))</title>\n"
    var desc =
      worst.map { "Worst \(s.format($0.value)) at \(text.time($0.time))." } ?? "No data."
    let th = thresholdsSummary(s)
    if !th.isEmpty { desc += " Threshold: \(th)." }
    let firing = s.bands.filter(\.firing)
    if !firing.isEmpty {
      desc +=
        " Alert firing "
        + firing.map { "\(text.time($0.from))–\(text.time($0.to))" }.joined(separator: ", ") + "."
    }
    out += "<desc id=\"\(descID)\">\(e(desc))</desc>\n"
    let hatch = "hatch-\(s.key)"
    hatchPattern(hatch)
    // Alert bands under everything.
    out += "<g class=\"bands\">"
    for b in s.bands {
      let x0 = x(b.from)
      let x1 = max(x0 + 1, x(b.to))
      let state = b.firing ? "firing" : "pending"
      let box =
        "x=\"\(num(x0))\" y=\"\(num(top))\" width=\"\(num(x1 - x0))\" height=\"\(num(bottom - top))\""
      out +=
        "<g><title>\(e("\(state) \(text.time(b.from))–\(text.time(b.to)): " + b.alerts.joined(separator: ", ")))</title>"
      out += "<rect class=\"band-\(state)\" \(box) />"
      if !b.firing { out += "<rect \(box) fill=\"url(#\(hatch))\" />" }
      out += "</g>"
    }
    out += "</g>\n"
    timeAxis(top: top, bottom: bottom)
    // Value axis.
    out += "<g class=\"grid\">"
    let ticks = valueTicks(min: yMin, max: yMax)
    for v in ticks {
      out +=
        "<line x1=\"\(num(Self.left))\" y1=\"\(num(y(v)))\" x2=\"\(num(Self.width - Self.right))\" y2=\"\(num(y(v)))\" />"
    }
    out += "</g>\n<g class=\"axis\" aria-hidden=\"true\">"
    for v in ticks {
      out += "<text x=\"\(num(Self.left - 6))\" y=\"\(num(y(v) + 4))\" text-anchor=\"end\">"
      out += "\(v == 0 ? "0" : e(s.format(v)))</text>"
    }
    out += "</g>\n"
    out +=
      "<rect class=\"frame\" x=\"\(num(Self.left))\" y=\"\(num(top))\" width=\"\(num(plotWidth))\" height=\"\(num(bottom - top))\" />\n"
    // The line, broken where there is no data.
    var d = ""
    var pen = false
    for p in s.points {
      guard let v = p.value, v.isFinite else {
        pen = false
        continue
      }
      d += (pen ? "L" : "M") + num(x(p.time)) + " " + num(y(v)) + " "
      pen = true
    }
    if !d.isEmpty {
      out += "<path class=\"line\" d=\"\(d.dropLast())\"><title>\(e(s.label))</title></path>\n"
    } else {
      out +=
        "<text class=\"nodata\" x=\"\(num(Self.left + plotWidth / 2))\" y=\"\(num((top + bottom) / 2))\" "
      out += "text-anchor=\"middle\">no data in the recording</text>\n"
    }
    if let worst {
      out +=
        "<circle class=\"dot\" cx=\"\(num(x(worst.time)))\" cy=\"\(num(y(worst.value)))\" r=\"3\">"
      out +=
        "<title>\(e("worst \(s.format(worst.value)) at \(text.time(worst.time))"))</title></circle>\n"
    }
    // Thresholds, labelled at their right end (staggered when several share a height).
    out += "<g class=\"thresholds\">"
    var used: [Double] = []
    for t in s.thresholds {
      var levels = [("threshold", t.value, "\(t.rule) \(t.op.rawValue) \(s.format(t.value))")]
      if let c = t.clear { levels.append(("clear", c, "clears at \(s.format(c))")) }
      for (cls, v, label) in levels {
        let yy = y(v)
        let x0 = x(t.from)
        let x1 = x(t.to)
        out +=
          "<line class=\"\(cls)\" x1=\"\(num(x0))\" y1=\"\(num(yy))\" x2=\"\(num(x1))\" y2=\"\(num(yy))\">"
        out += "<title>\(e(label))</title></line>"
        var ly = yy - 4
        while used.contains(where: { abs($0 - ly) < 12 }) { ly -= 12 }
        used.append(ly)
        out += "<text class=\"\(cls)-label\" x=\"\(num(x1 - 4))\" y=\"\(num(max(top + 10, ly)))\" "
        out += "text-anchor=\"end\">\(Markup.escape(label, limit: 60))</text>"
      }
    }
    out += "</g>\n"
    markerLines(top: top, bottom: bottom)
    out += "</svg>\n<figcaption>The line: \(e(text.lineCaption(s))). "
    if !s.rules.isEmpty {
      out += "Rules on this signal: \(e(s.rules.joined(separator: ", "))) (see Rules; a rule "
      out += "compares its own series and window, which may differ from the headline's)."
    }
    out += "</figcaption>\n</figure>\n"
  }

  /// About five round values from `min` to `max`.
  func valueTicks(min lo: Double, max hi: Double) -> [Double] {
    guard hi > lo else { return [lo] }
    let step = niceStep((hi - lo) / 4)
    var out: [Double] = []
    var v = (lo / step).rounded(.up) * step
    while v <= hi * (1 + 1e-9) && out.count < 12 {
      out.append(v)
      v += step
    }
    return out
  }

  func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    var mag = 1.0
    while mag * 10 <= raw { mag *= 10 }
    while mag > raw { mag /= 10 }
    for m in [1.0, 2, 2.5, 5, 10] where m * mag >= raw { return m * mag }
    return 10 * mag
  }

  func niceCeiling(_ v: Double) -> Double {
    guard v > 0, v.isFinite else { return 1 }
    let step = niceStep(v / 4)
    return (v / step).rounded(.up) * step
  }

  func niceFloor(_ v: Double) -> Double {
    guard v < 0, v.isFinite else { return 0 }
    return -niceCeiling(-v)
  }

  // MARK: Timeline

  mutating func timeline() {
    out += "<section id=\"timeline\">\n<h2>Alert timeline</h2>\n"
    guard !r.lanes.isEmpty else {
      out += "<p>No alert left the inactive state during the recording.</p>\n</section>\n"
      return
    }
    out += "<div class=\"legend\" aria-hidden=\"true\"><span><span class=\"swatch pending\"></span>"
    out += "pending</span><span><span class=\"swatch firing\"></span>firing</span><span>"
    out += "<span class=\"swatch recovering\"></span>recovering</span><span><span class=\"swatch "
    out += "marker\"></span>marker or note</span></div>\n"
    let row = 24.0
    let labelWidth = 300.0
    let top = 18.0
    let bottom = top + row * Double(r.lanes.count)
    let height = bottom + 26
    // The lanes' labels sit left of the plot: a wider left margin than the charts.
    let scale = (Self.width - labelWidth - Self.right) / plotWidth
    func lx(_ t: Timestamp) -> Double { labelWidth + (x(t) - Self.left) * scale }
    out += "<svg class=\"timeline\" viewBox=\"0 0 \(num(Self.width)) \(num(height))\" role=\"img\" "
    out +=
      "aria-labelledby=\"title-timeline desc-timeline\" xmlns=\"http://www.w3.org/2000/svg\">\n"
    out += "<title id=\"title-timeline\">Alert timeline: \(r.lanes.count) alert instances</title>\n"
    out += "<desc id=\"desc-timeline\">One row per rule and labels; pending stretches are "
    out += "hatched, firing ones solid, recovering ones outlined. The episodes table lists "
    out += "the same times.</desc>\n"
    hatchPattern("hatch-timeline")
    let (step, ticks) = timeTicks()
    out += "<g class=\"grid\">"
    for t in ticks {
      out +=
        "<line x1=\"\(num(lx(t)))\" y1=\"\(num(top))\" x2=\"\(num(lx(t)))\" y2=\"\(num(bottom))\" />"
    }
    out += "</g>\n<g class=\"axis\" aria-hidden=\"true\">"
    for t in ticks {
      out += "<text x=\"\(num(lx(t)))\" y=\"\(num(bottom + 14))\" text-anchor=\"middle\">"
      out += "\(e(tickLabel(t, step: step)))</text>"
    }
    out += "</g>\n"
    for (i, lane) in r.lanes.enumerated() {
      let y0 = top + row * Double(i)
      let name = text.instance(lane.rule, lane.labels)
      let sev = text.severity(lane.severity)
      out += "<g class=\"lane\"><title>\(e(name + " (" + sev + ")"))</title>"
      out += "<text class=\"lane-label\" x=\"4\" y=\"\(num(y0 + 16))\">"
      out += "\(Markup.escape(sev, limit: 8)) \(Markup.escape(name, limit: 38))</text>"
      for seg in lane.segments {
        let x0 = lx(seg.from)
        let x1 = max(x0 + 1.5, lx(seg.to))
        let cls = "seg-" + seg.state.rawValue
        out +=
          "<rect class=\"\(cls)\" x=\"\(num(x0))\" y=\"\(num(y0 + 5))\" width=\"\(num(x1 - x0))\" height=\"\(num(row - 10))\""
        out += seg.state == .pending ? " fill=\"url(#hatch-timeline)\"" : ""
        let until = seg.open ? "the end (still \(seg.state.rawValue))" : text.time(seg.to)
        out +=
          "><title>\(e("\(seg.state.rawValue) \(text.time(seg.from)) – \(until) (\(text.duration(seg.to.since(seg.from))))"))</title></rect>"
      }
      out += "</g>\n"
    }
    if !r.notes.isEmpty {
      out += "<g class=\"markers\">"
      for (n, note) in drawnNotes {
        let xx = num(lx(note.time))
        out +=
          "<g><title>\(e("\(n). \(text.time(note.time)) \(text.kind(note.kind)): \(note.text)"))</title>"
        out +=
          "<line class=\"marker\" x1=\"\(xx)\" y1=\"\(num(top))\" x2=\"\(xx)\" y2=\"\(num(bottom))\" />"
        out +=
          "<text class=\"marker-label\" x=\"\(xx)\" y=\"\(num(top - 3))\" text-anchor=\"middle\">\(n)</text></g>"
      }
      out += "</g>\n"
    }
    out += "</svg>\n</section>\n"
  }

  // MARK: Tables

  mutating func episodesTable() {
    out += "<section id=\"episodes\">\n<h2>Alert episodes</h2>\n"
    guard !r.episodes.isEmpty else {
      out += "<p>No episodes: no rule was breached.</p>\n</section>\n"
      return
    }
    out += "<table>\n<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Severity</th>"
    out += "<th scope=\"col\">Labels</th><th scope=\"col\">First breach</th>"
    out += "<th scope=\"col\">Fired</th><th scope=\"col\">Resolved</th>"
    out +=
      "<th scope=\"col\" class=\"num\">Duration</th><th scope=\"col\" class=\"num\">Firing</th>"
    out += "<th scope=\"col\" class=\"num\">Peak</th></tr></thead>\n<tbody>\n"
    for ep in r.episodes {
      out += "<tr><th scope=\"row\">\(e(ep.rule))</th>\(severityCell(ep.severity))"
      let labels = text.labels(ep.labels)
      out += "<td>\(e(labels.isEmpty ? "—" : labels))</td>"
      out += "<td class=\"time\">\(timeCell(ep.firstBreach))</td>"
      out += "<td class=\"time\">\(ep.fired.map(timeCell) ?? "did not fire")</td>"
      let resolved: String =
        if let t = ep.resolved { timeCell(t) } else if let t = ep.ended {
          "ended " + timeCell(t) + " without firing"
        } else { "open at the end" }
      out += "<td class=\"time\">\(resolved)</td>"
      out += "<td class=\"num\">\(e(text.duration(ep.duration) + (ep.isOpen ? "+" : "")))</td>"
      out +=
        "<td class=\"num\">\(ep.fired == nil ? "—" : e(text.duration(ep.firing) + (ep.isOpen ? "+" : "")))</td>"
      out += "<td class=\"num\">\(e(ep.peakText))</td></tr>\n"
    }
    out += "</tbody>\n</table>\n<p class=\"muted\">Duration: first breach to resolution (or "
    out += "to the end of the recording, marked +). Firing: fired to resolved, including the "
    out += "recovering stretch. Peak: the worst value the rule computed during the episode.</p>\n"
    out += "</section>\n"
  }

  mutating func notesTable() {
    out += "<section id=\"notes\">\n<h2>Markers and notes</h2>\n"
    guard !r.notes.isEmpty else {
      out += "<p>No markers, acknowledgements or notes were recorded.</p>\n</section>\n"
      return
    }
    out += "<table>\n<thead><tr><th scope=\"col\" class=\"num\">#</th><th scope=\"col\">Time</th>"
    out += "<th scope=\"col\">Kind</th><th scope=\"col\">Alert</th><th scope=\"col\">Text</th>"
    out += "</tr></thead>\n<tbody>\n"
    for (i, n) in r.notes.enumerated() {
      out += "<tr><td class=\"num\">\(i + 1)</td><td class=\"time\">\(timeCell(n.time))</td>"
      out += "<td>\(e(text.kind(n.kind) + (n.fromSidecar ? " (added in replay)" : "")))</td>"
      out += "<td>\(n.rule.map { e(text.instance($0, n.labels)) } ?? "—")</td>"
      out += "<td>\(e(n.text))</td></tr>\n"
    }
    out += "</tbody>\n</table>\n"
    if r.notes.count > Self.maxDrawnNotes {
      out += "<p class=\"muted\">The charts draw the first \(Self.maxDrawnNotes).</p>\n"
    }
    out += "</section>\n"
  }

  mutating func rulesTable() {
    out += "<section id=\"rules\">\n<h2>Rules</h2>\n<table>\n<thead><tr>"
    out += "<th scope=\"col\">Rule</th><th scope=\"col\">Severity</th>"
    out += "<th scope=\"col\">Signal</th><th scope=\"col\">Condition</th></tr></thead>\n<tbody>\n"
    for rule in r.rules {
      let signal = rule.signal.flatMap { $0 < r.signals.count ? r.signals[$0].title : nil } ?? "—"
      out += "<tr><th scope=\"row\">\(e(rule.name))</th>\(severityCell(rule.severity))"
      out += "<td>\(e(signal))</td><td>\(e(rule.condition))</td></tr>\n"
    }
    out += "</tbody>\n</table>\n</section>\n"
  }

  mutating func transitionsTable() {
    out += "<section id=\"transitions\">\n<h2>Alert transitions</h2>\n"
    guard !r.transitions.isEmpty else {
      out += "<p>None.</p>\n</section>\n"
      return
    }
    out += "<details>\n<summary>All \(r.transitions.count) transitions, in time order</summary>\n"
    out += "<table>\n<thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Rule</th>"
    out += "<th scope=\"col\">Labels</th><th scope=\"col\">From</th><th scope=\"col\">To</th>"
    out += "<th scope=\"col\" class=\"num\">Value</th></tr></thead>\n<tbody>\n"
    for (i, tr) in r.transitions.enumerated() {
      let labels = text.labels(tr.labels)
      out += "<tr><td class=\"time\">\(timeCell(tr.t))</td><th scope=\"row\">\(e(tr.rule))</th>"
      out += "<td>\(e(labels.isEmpty ? "—" : labels))</td><td>\(tr.from.rawValue)</td>"
      out += "<td>\(tr.to.rawValue)\(tr.reason.map { " (" + e($0.rawValue) + ")" } ?? "")</td>"
      let value = i < r.transitionValues.count ? r.transitionValues[i] : Format.value(tr.value)
      out += "<td class=\"num\">\(e(value))</td></tr>\n"
    }
    out += "</tbody>\n</table>\n</details>\n</section>\n"
  }
}
