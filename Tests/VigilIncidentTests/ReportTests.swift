import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilDemo
import VigilIncident
import VigilRender
import VigilTestSupport

/// `vigil report`: the report model against a known recording (the demo recorded headless as
/// the live loop records it), the HTML and Markdown renderings, and escaping of everything a
/// recording can carry.
@Suite struct ReportTests {
  static func tempPath(_ name: String) -> String {
    "/tmp/vigil-report-\(getpid())-\(name).incident.jsonl"
  }

  /// The demo's first ten minutes, with an ack and note at 9m20s and a replay marker (sidecar)
  /// at 5m; the report, the file and the live state. Built once for all the tests.
  static func demoReport() throws -> (IncidentReport, RecordingFile, AppState) {
    try shared.get()
  }

  static let shared = Result { try makeDemoReport() }

  static func makeDemoReport() throws -> (IncidentReport, RecordingFile, AppState) {
    let path = tempPath("demo")
    let sidecar = SidecarNotes.path(for: path)
    defer {
      try? FileManager.default.removeItem(atPath: path)
      try? FileManager.default.removeItem(atPath: sidecar)
    }
    let live = try RecordingTests.recordDemo(path: path, seconds: 600, ackAt: 560)
    SidecarNotes.append(path: sidecar, time: demoStart.adding(5 * Nanos.minute), text: "deploy")
    let file = try RecordingFile.load(path: path)
    let report = IncidentReport.build(file: file, sidecar: SidecarNotes.load(path: sidecar))
    return (report, file, live)
  }

  // MARK: The model

  /// Every sampled headline is the dashboard's own figure at that time: a straight replay to
  /// the sample's time gives the same DashboardModel headline for all six panels.
  @Test func samplesAreTheDashboardsHeadlinesAtTheirTimes() throws {
    let (report, file, _) = try Self.demoReport()
    #expect(
      report.signals.map(\.key) == [
        "api_latency", "checkout_latency", "order_confirmation_delay", "payment_retries",
        "inventory_mismatch", "support_tickets",
      ])
    #expect(report.step == 10 * Nanos.second)
    #expect(report.clock == .wall)
    #expect(report.start == demoStart && report.end >= demoStart.adding(599 * Nanos.second))
    let points = report.signals[0].points
    // One point per 10 s of the 600 s, plus the last state.
    #expect((60...62).contains(points.count), "\(points.count)")
    #expect(report.signals.allSatisfy { $0.points.map(\.time) == points.map(\.time) })
    for k in [6, 30, 45, points.count - 1] {
      let t = points[k].time
      var straight = Replayer(file: file)
      straight.play(until: t)
      #expect(straight.state.viewTime == t)
      let model = DashboardModel(straight.state)
      for (i, s) in report.signals.enumerated() {
        #expect(s.points[k].value == model.panels[i].headlineValue, "\(s.key) at \(k)")
      }
    }
    // The units and captions are the panels'.
    #expect(
      report.signals.map(\.unit) == [
        .milliseconds, .milliseconds, .milliseconds, .ratio, .ratio, .count,
      ])
    #expect(report.signals[0].label == "worst p99")
    // Worst values: the highest sample, and the demo's incident makes them large.
    let api = try #require(report.signals[0].worst)
    #expect(api.value == points.compactMap(\.value).max())
    #expect(api.value > 1500)
  }

  /// Episodes, transitions and headline numbers agree with a straight replay and with the
  /// transitions recorded live.
  @Test func episodesTransitionsAndHeadlineNumbers() throws {
    let (report, file, live) = try Self.demoReport()
    var straight = Replayer(file: file)
    straight.playToEnd()
    let text = { (trs: [AlertTransition]) in trs.map { RecordingEntry.alert($0).json.text } }
    #expect(text(report.transitions) == text(live.alertHistory.history))
    #expect(report.transitionValues.count == report.transitions.count)
    #expect(report.mismatches == 0 && report.warnings.isEmpty, "\(report.warnings)")
    let episodes = straight.state.alertHistory.episodes
    #expect(!episodes.isEmpty)
    #expect(report.episodes.count == episodes.count)
    for e in episodes {
      let mine = report.episodes.first {
        $0.rule == e.rule && $0.labels == e.labels && $0.firstBreach == e.pendingAt
      }
      #expect(mine?.fired == e.firedAt && mine?.resolved == e.resolvedAt && mine?.peak == e.peak)
      #expect(mine?.severity == e.labels["severity"])
    }
    // Time to first alert: the recording's start to the first transition to firing.
    let firstFiring = try #require(live.alertHistory.history.first { $0.to == .firing })
    #expect(report.firstFiring?.time == firstFiring.t)
    #expect(report.timeToFirstAlert == firstFiring.t.since(demoStart))
    let firstBreach = try #require(live.alertHistory.history.map(\.t).min())
    #expect(report.timeToFirstAlertFromBreach == firstFiring.t.since(firstBreach))
    // Time firing of a rule with one instance: from its firing to the end (or resolution).
    for rule in report.rules where rule.fired > 0 {
      let trs = live.alertHistory.history.filter { $0.rule == rule.name }
      guard Set(trs.map(\.labels)).count == 1 else { continue }
      var total: Int64 = 0
      var since: Timestamp?
      for tr in trs {
        if tr.to.isProblem, since == nil { since = tr.t }
        if !tr.to.isProblem, let s = since {
          total += tr.t.since(s)
          since = nil
        }
      }
      if let s = since { total += report.end.since(s) }
      #expect(rule.firing == total, "\(rule.name)")
    }
    // The incident window opens at the first breach of any alert but FeedStale.
    let window = try #require(report.incidentWindow)
    let breaches = report.episodes.filter { $0.rule != "FeedStale" }.map(\.firstBreach)
    #expect(window.from == breaches.min())
  }

  /// Thresholds of the rules comparable with each headline, bands where alerts fired, rules
  /// per signal, and the ack, note, silence and sidecar marker.
  @Test func thresholdsBandsAndNotes() throws {
    let (report, _, live) = try Self.demoReport()
    let th = report.signals.map { $0.thresholds.map { "\($0.rule) \($0.value) \($0.clear ?? -1)" } }
    #expect(th[0] == ["ApiLatencyP99High 1500.0 1200.0"])
    #expect(th[1] == ["CheckoutLatencyP99High 3000.0 -1.0"])
    #expect(th[2] == ["OrderConfirmationDelayHigh 10000.0 -1.0"])
    #expect(th[3] == ["PaymentRetryRatioHigh 0.05 -1.0"])
    #expect(th[4] == ["InventoryMismatchHigh 0.005 0.003"])
    #expect(th[5] == ["SupportTicketsOrderErrors 60.0 -1.0"])
    for s in report.signals {
      for t in s.thresholds { #expect(t.from == report.start && t.to == report.end) }
    }
    // A baseline rule has no fixed line (none drawn above); its condition says what it compares.
    let tax = try #require(report.rules.first { $0.name == "ApiLatencyAboveBaseline" })
    #expect(
      tax.condition.hasPrefix("p95 of api_latency_ms over 1m > 1.75x its own median"),
      "\(tax.condition)")
    #expect(tax.condition.contains("over the last 1h and > 100ms"), "\(tax.condition)")
    #expect(!tax.condition.contains("chance"))
    // A ratio judged by its counts says so: against its pooled rate, beyond chance.
    let sync = try #require(report.rules.first { $0.name == "InventoryMismatchAboveBaseline" })
    #expect(
      sync.condition.contains("> 2.50x its own rate over the last 1h and > 0.50%"),
      "\(sync.condition)")
    #expect(sync.condition.contains("and counts beyond chance (p < 1e-06)"), "\(sync.condition)")
    // The burn-rate rule watches payments but is not on the ratio's scale: listed, not drawn.
    #expect(report.signals[3].rules.contains("PaymentErrorBudgetBurn"))
    // The checkout chart's firing band starts where its rule fired.
    let fired = try #require(
      live.alertHistory.history.first { $0.rule == "CheckoutLatencyP99High" && $0.to == .firing })
    let band = report.signals[1].bands.first(where: \.firing)
    #expect(band?.from == fired.t)
    #expect(band?.alerts.first?.hasPrefix("CheckoutLatencyP99High") == true)
    // Pending stretches never overlap firing ones on the same chart.
    for s in report.signals {
      for p in s.bands where !p.firing {
        #expect(!s.bands.contains { $0.firing && $0.from < p.to && p.from < $0.to })
      }
    }
    // Lanes: one per instance, each starting with its first transition.
    #expect(
      report.lanes.count
        == Set(live.alertHistory.history.map { $0.rule + $0.labels.description }).count)
    // Notes: the ack, its note and the silence at 9m21s, and the marker added in replay at 5m.
    let kinds = report.notes.map(\.kind)
    #expect(kinds.contains(.ack) && kinds.contains(.note) && kinds.contains(.silence))
    #expect(report.notes.first { $0.kind == .note }?.text == "on")
    let marker = try #require(report.notes.first { $0.kind == .marker })
    #expect(marker.text == "deploy" && marker.fromSidecar)
    #expect(marker.time == demoStart.adding(5 * Nanos.minute))
    #expect(report.notes.map(\.time) == report.notes.map(\.time).sorted())
  }

  /// A file read at full speed on event time: the whole incident in one input. The report
  /// still samples it every 10 s of event time, and recomputes the recorded transitions.
  @Test func eventTimeInOneBatchIsSampledThroughout() throws {
    let path = Self.tempPath("event")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let arrival = demoStart.adding(Nanos.hour)
    var state = freshState(now: arrival, clock: .auto)
    let recorder = try Recorder(path: path, state: state, rulesYAML: DefaultRules.yaml())
    func apply(_ m: Message) { _ = update(&state, m, observer: recorder) }
    let scenario = DemoScenario(seed: 42)
    let lines = (0..<600).flatMap { s in
      scenario.events(second: s).map { DemoFormatter.line($0, start: demoStart, format: .json) }
    }
    apply(.tick(arrival))
    apply(
      .feed(
        FeedInput(
          feed: FeedID(0), arrival: arrival, seq: 1, payload: .records(batch(lines), .json))))
    apply(.tick(arrival.adding(Nanos.second)))
    recorder.finish(at: arrival.adding(Nanos.second), reason: "quit")
    #expect(state.clockMode == .event && state.alertHistory.transitionsTotal > 5)
    let file = try RecordingFile.load(path: path)
    #expect(file.records.filter { if case .input = $0 { true } else { false } }.count == 1)
    let report = IncidentReport.build(file: file)
    #expect(report.clock == .event)
    #expect(report.mismatches == 0, "\(report.warnings)")
    let text = { (trs: [AlertTransition]) in trs.map { RecordingEntry.alert($0).json.text } }
    #expect(text(report.transitions) == text(state.alertHistory.history))
    let times = report.signals[0].points.map(\.time)
    #expect((55...62).contains(times.count), "\(times.count)")
    #expect(times == times.sorted() && Set(times).count == times.count)
    #expect(times.first.map { $0 < demoStart.adding(20 * Nanos.second) } == true)
    #expect(
      report.start < demoStart.adding(Nanos.second)
        && report.end > demoStart.adding(599 * Nanos.second))
    // Gaps between samples stay near the step (no jump over a batch).
    let gaps = zip(times.dropFirst(), times).map { $0.since($1) }
    #expect(gaps.allSatisfy { $0 <= 12 * Nanos.second }, "\(gaps.max() ?? 0)")
  }

  /// A recording cut off mid-line still gives a report, with the replay's warning in it.
  @Test func aCutRecordingIsReportedAsFarAsItGoes() throws {
    let path = Self.tempPath("cut")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try RecordingTests.recordDemo(path: path, seconds: 300)
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes.removeLast(bytes.count / 3)
    let file = try RecordingFile.parse(bytes, name: "cut")
    let report = IncidentReport.build(file: file)
    #expect(report.warnings == file.warnings)
    #expect(report.warnings.contains { $0.contains("cut off at byte") })
    #expect(report.signals[0].points.count > 10)
    let html = ReportHTML.render(report)
    #expect(html.contains("cut off at byte"))
    #expect(ReportMarkdown.render(report).contains("> - the recording is cut off at byte"))
  }

  /// Long recordings keep at most `maxPoints` points, and the thinning keeps the worst value.
  @Test func longRecordingsAreThinnedKeepingPeaks() throws {
    let path = Self.tempPath("thin")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try RecordingTests.recordDemo(path: path, seconds: 600)
    let file = try RecordingFile.load(path: path)
    let full = IncidentReport.build(file: file)
    let thin = IncidentReport.build(file: file, maxPoints: 20)
    // The step grows with the recording's span (600 s / 20 points = 30 s).
    #expect(thin.step == 30 * Nanos.second)
    for (a, b) in zip(full.signals, thin.signals) {
      #expect(b.points.count <= 21)
      #expect((b.worst?.value ?? 0) <= (a.worst?.value ?? 0))
      #expect(b.worst != nil)
    }
  }

  // MARK: Rendering

  @Test func htmlHasAChartPerSignalTheTimelineAndTables() throws {
    let (report, _, _) = try Self.demoReport()
    let html = ReportHTML.render(report)
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(count("<svg class=\"chart\"", in: html) == 6)
    for s in report.signals { #expect(html.contains("data-signal=\"\(s.key)\"")) }
    #expect(count("<svg class=\"timeline\"", in: html) == 1)
    // Every episode is a row of the episodes table; severity is a word, not only a colour.
    let episodes = try #require(section("episodes", of: html))
    #expect(count("<tr><th scope=\"row\">", in: episodes) == report.episodes.count)
    #expect(episodes.contains(">PAGE</td>") && episodes.contains(">TICKET</td>"))
    // Accessible charts: a title and a description each, table headers with scope.
    #expect(count("<title id=\"title-", in: html) == 7)
    #expect(count("<desc id=\"desc-", in: html) == 7)
    // Nothing from the network: no URL but in-page anchors and the SVG namespace.
    let withoutNamespace = html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
    #expect(!withoutNamespace.contains("http:") && !withoutNamespace.contains("https:"))
    #expect(!html.contains("src=") && !html.contains("@import") && !html.contains("url(http"))
    #expect(html.contains("default-src &#39;none&#39;"))
    #expect(html.contains("prefers-color-scheme: dark") && html.contains("@media print"))
    // The page parses as XML (so every tag is closed and every attribute quoted).
    let check = try checkMarkup(html)
    #expect(check.scripts == 1)
    #expect(check.svgs == 7)
    #expect(check.cspAllowsScript)
  }

  @Test func markdownHasTheSameContent() throws {
    let (report, _, _) = try Self.demoReport()
    let md = ReportMarkdown.render(report)
    #expect(md.hasPrefix("# demo incident: incident report\n"))
    for heading in [
      "## Headline numbers", "### Time firing per rule", "### Worst values", "## Signals",
      "## Timeline", "## Alert episodes", "## Markers and notes", "## Rules",
    ] {
      #expect(md.contains("\n" + heading + "\n"), "\(heading)")
    }
    #expect(
      md.contains("| Time to first alert | **\(shortDurationText(report.timeToFirstAlert!))** |"))
    // The episodes table: one row per episode, as many cells as the header.
    let lines = md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let start = try #require(lines.firstIndex(of: "## Alert episodes"))
    let rows = lines[(start + 2)...].prefix { $0.hasPrefix("|") }
    #expect(rows.count == report.episodes.count + 2)
    #expect(Set(rows.map { cells($0) }).count == 1)
    // A sparkline and a band row per signal, at most 72 columns.
    let sparks = lines.indices.filter { lines[$0] == "```text" }.map { lines[$0 + 1] }
    #expect(sparks.count == 6)
    for s in sparks {
      #expect(s.count <= ReportMarkdown.sparkWidth && s.count > 40)
      #expect(s.allSatisfy { "▁▂▃▄▅▆▇█ ".contains($0) })
    }
    #expect(md.contains("F"))
    // The timeline lists every transition and note.
    let timeline = lines[(lines.firstIndex(of: "## Timeline")! + 2)...].prefix {
      $0.hasPrefix("- ")
    }
    #expect(timeline.count == report.transitions.count + report.notes.count)
    #expect(timeline.contains { $0.contains("ack note") && $0.hasSuffix(": on") })
  }

  // MARK: Escaping

  static let hostile = [
    "<script>alert(1)</script>", "\"quoted\" & 'single'", "</svg><img src=x onerror=alert(2)>",
    "\u{1B}[31mred\u{7}", "\u{202E}evil\u{2066}", "nul\u{0}byte", "c1\u{85}\u{9B}", "]]><!--",
    "pipe | star * _under_ `tick` [link](javascript:x)",
    "nonchar" + scalar(0xFFFE) + scalar(0xFDD0), "tab\there",
  ]

  /// A recording whose title, feed, rules, labels, notes and markers all carry markup, quotes,
  /// ampersands, control, bidi and noncharacters: nothing of it reaches the page as markup.
  static func hostileReport() throws -> IncidentReport {
    let path = tempPath("hostile")
    let sidecar = SidecarNotes.path(for: path)
    defer {
      try? FileManager.default.removeItem(atPath: path)
      try? FileManager.default.removeItem(atPath: sidecar)
    }
    let rulesYAML = """
      rules:
        - alert: "<script>alert(1)</script>&\\"'"
          metric: api_latency_ms
          aggregate: p99
          window: 1m
          op: ">"
          threshold: 100
          for: 0s
          severity: "<i>page</i>"
          labels: {team: "</svg><script>x</script>"}
      """
    guard case .success(let rules) = RulesLoader.parse(rulesYAML, file: "hostile.yaml") else {
      Issue.record("hostile rules did not load")
      throw CheckFailed()
    }
    var config = AppConfig()
    config.clockMode = .wall
    config.rules = rules
    var state = AppState(
      config: config,
      feeds: [
        FeedSpec(
          id: FeedID(0), kind: .file, target: "/var/log/<script>feed</script>&.jsonl", format: .json
        )
      ], now: demoStart)
    state.ui.size = Size(width: 100, height: 30)
    let recorder = try Recorder(
      path: path, state: state, rulesYAML: rulesYAML, title: hostile.joined(separator: " "))
    func apply(_ m: Message) { _ = update(&state, m, observer: recorder) }
    for s in 0..<120 {
      let t = demoStart.adding(Int64(s + 1) * Nanos.second)
      apply(.tick(t))
      let lines = hostile.enumerated().map { i, h -> String in
        let label = JSONValue.string(h).text
        let ts = CivilTime(t.adding(-Int64(i) * Nanos.millisecond)).rfc3339(fractionDigits: 3)
        return "{\"ts\":\"\(ts)\",\"metric\":\"api_latency_ms\",\"value\":\(200 + i),"
          + "\"labels\":{\"service\":\(label)}}"
      }
      apply(
        .feed(
          FeedInput(
            feed: FeedID(0), arrival: t, seq: UInt64(s + 1),
            payload: .records(batch(lines, firstLine: s * 20 + 1), .json))))
      if s == 60 {
        // Ack the first alert with a hostile note, typed at the prompt.
        apply(.key(.character("a")))
        apply(.key(.character("A")))
        for c in "<script>n</script>&\"\u{1B}\u{202E}" { apply(.key(.character(c))) }
        apply(.key(.enter))
        apply(.key(.escape))
      }
      if s % 30 == 0 { recorder.record(.mark(t, hostile[(s / 30) % hostile.count])) }
    }
    recorder.finish(at: state.now, reason: "quit")
    for (i, h) in hostile.enumerated() {
      SidecarNotes.append(
        path: sidecar, time: demoStart.adding(Int64(i + 1) * Nanos.second), text: h)
    }
    let file = try RecordingFile.load(path: path)
    #expect(file.warnings.isEmpty, "\(file.warnings)")
    let report = IncidentReport.build(file: file, sidecar: SidecarNotes.load(path: sidecar))
    // The hostile strings made it into the report's data (so the checks below mean something).
    #expect(report.title.contains("<script>"))
    #expect(report.rules.contains { $0.name.hasPrefix("<script>") })
    #expect(report.episodes.contains { $0.labels["service"] == hostile[0] })
    #expect(report.notes.contains { $0.kind == .note && $0.text.hasPrefix("<script>n") })
    #expect(report.notes.filter { $0.kind == .marker }.count == hostile.count + 4)
    return report
  }

  @Test func htmlEscapesEverythingFromTheRecording() throws {
    let html = ReportHTML.render(try Self.hostileReport())
    // Our one script, no other script or element from the data.
    #expect(count("<script", in: html) == 1)
    #expect(html.contains("<script>(function () {"))
    #expect(!html.contains("<img") && !html.contains("<i>") && !html.contains("<!--"))
    #expect(!html.contains("]]>"))
    // No raw control, bidi or noncharacter: they show as text.
    for u in html.unicodeScalars {
      #expect(u == "\n" || (u.value >= 0x20 && u.value != 0x7F && !(0x80...0x9F).contains(u.value)))
      #expect(![0x202E, 0x2066, 0xFFFE, 0xFDD0].contains(u.value))
    }
    #expect(html.contains("\\x1B[31mred\\x07") && html.contains("\\u{202E}evil\\u{2066}"))
    #expect(html.contains("nul\\x00byte") && html.contains("c1\\u{0085}\\u{009B}"))
    // It parses as XML and HTML; only our elements and attributes; the hostile text is there
    // as text.
    let check = try checkMarkup(html)
    #expect(check.scripts == 1)
    let allowedTags: Set<String> = [
      "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "dl", "dt",
      "dd", "section", "strong", "ul", "li", "div", "table", "thead", "tbody", "tr", "th", "td",
      "a", "time", "span", "figure", "figcaption", "svg", "desc", "defs", "pattern", "line", "g",
      "rect", "text", "path", "circle", "details", "summary", "footer", "script",
    ]
    #expect(check.tags.isSubset(of: allowedTags), "\(check.tags.subtracting(allowedTags))")
    #expect(!check.attributes.contains { $0.hasPrefix("on") || $0 == "src" }, "\(check.attributes)")
    #expect(check.hrefs.allSatisfy { $0.hasPrefix("#signal-") }, "\(check.hrefs)")
    for h in ["<script>alert(1)</script>&\"'", "</svg><img src=x onerror=alert(2)>", "]]><!--"] {
      #expect(check.text.contains(h), "\(h)")
    }
    #expect(check.text.contains("<script>n</script>&\"\\x1B\\u{202E}"))
  }

  @Test func markdownEscapesEverythingFromTheRecording() throws {
    let md = ReportMarkdown.render(try Self.hostileReport())
    #expect(!md.contains("<"))
    #expect(md.contains("&lt;script&gt;") == false && md.contains("&lt;script>"))
    for u in md.unicodeScalars {
      #expect(u == "\n" || (u.value >= 0x20 && u.value != 0x7F && !(0x80...0x9F).contains(u.value)))
      #expect(![0x202E, 0x2066, 0xFFFE].contains(u.value))
    }
    #expect(md.contains("\\\\x1B[31mred") == false && md.contains("\\\\x1B\\[31mred"))
    #expect(md.contains("pipe \\| star \\* \\_under\\_ \\`tick\\` \\[link\\](javascript:x)"))
    // Every table keeps its column count: a `|` from the data never splits a cell.
    var header: Int?
    for line in md.split(separator: "\n").map(String.init) {
      guard line.hasPrefix("|") else {
        header = nil
        continue
      }
      if let h = header { #expect(cells(line) == h, "\(line)") } else { header = cells(line) }
    }
  }

  @Test func escapingFunctions() {
    #expect(Markup.escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
    #expect(Markup.escape("a\u{1B}b\u{7F}c\u{0}") == "a\\x1Bb\\x7Fc\\x00")
    #expect(
      Markup.escape("\u{202E}\u{200F}" + scalar(0xFFFF) + scalar(0x1FFFE))
        == "\\u{202E}\\u{200F}\\u{FFFF}\\u{1FFFE}")
    #expect(Markup.escape("line\nbreak\ttab") == "line break tab")
    // Invalid UTF-8 never gets this far raw: decoding makes it U+FFFD, which is kept.
    let decoded = String(decoding: [0x61, 0xFF, 0xC3, 0x62] as [UInt8], as: UTF8.self)
    #expect(Markup.escape(decoded) == "a\u{FFFD}\u{FFFD}b")
    #expect(Markup.escape("ünï 日本 🚀") == "ünï 日本 🚀")
    #expect(Markup.escape(String(repeating: "x", count: 50), limit: 10) == "xxxxxxxxx…")
    #expect(ReportMarkdown.escape("a|b*c_d<e&f>\\") == "a\\|b\\*c\\_d&lt;e&amp;f>\\\\")
    #expect(ReportMarkdown.escape("\u{1B}") == "\\\\x1B")
  }

  /// A recording line with invalid UTF-8 (in a note) is a damaged line: the report says so and
  /// covers what came before it.
  @Test func invalidUTF8InARecordingIsADamagedLine() throws {
    let path = Self.tempPath("utf8")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try RecordingTests.recordDemo(path: path, seconds: 120)
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    let end = bytes.lastIndex(of: 0x0A).map { bytes[..<$0].lastIndex(of: 0x0A) ?? 0 } ?? 0
    let note =
      Array(
        "{\"k\":\"mark\",\"t\":\(demoStart.adding(Nanos.minute).nanoseconds),\"text\":\"bad ".utf8)
      + [0xFF, 0xC3, 0x28] + Array("\"}\n".utf8)
    bytes.insert(contentsOf: note, at: end + 1)
    let file = try RecordingFile.parse(bytes, name: "utf8")
    #expect(file.warnings.contains { $0.contains("damaged") })
    let report = IncidentReport.build(file: file)
    let html = ReportHTML.render(report)
    #expect(html.contains("damaged at line"))
    _ = try checkMarkup(html)
  }
}

// MARK: - Helpers

/// A string of one scalar (Swift literals refuse noncharacters).
func scalar(_ v: UInt32) -> String { Unicode.Scalar(v).map { String(Character($0)) } ?? "" }

func count(_ needle: String, in haystack: String) -> Int {
  haystack.components(separatedBy: needle).count - 1
}

/// The `<section id="...">` of a page.
func section(_ id: String, of html: String) -> String? {
  guard let start = html.range(of: "<section id=\"\(id)\">") else { return nil }
  guard let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex) else {
    return nil
  }
  return String(html[start.lowerBound..<end.upperBound])
}

/// Cells of a Markdown table row: unescaped `|` separators.
func cells(_ row: String) -> Int {
  var n = 0
  var escaped = false
  for c in row {
    if escaped {
      escaped = false
    } else if c == "\\" {
      escaped = true
    } else if c == "|" {
      n += 1
    }
  }
  return n
}

func shortDurationText(_ ns: Int64) -> String {
  Nanos.format(max(0, ns) / Nanos.second * Nanos.second)
}

/// What Python's XML parser (strict well-formedness) and HTML parser find in a page.
struct MarkupCheck {
  var tags: Set<String>
  var attributes: Set<String>
  var hrefs: [String]
  var text: String
  var scripts: Int
  var svgs: Int
  /// The page's CSP names its script's SHA-256 (computed by Python's hashlib).
  var cspAllowsScript: Bool
}

func checkMarkup(_ html: String) throws -> MarkupCheck {
  let path = "/tmp/vigil-report-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).html"
  try html.write(toFile: path, atomically: true, encoding: .utf8)
  defer { try? FileManager.default.removeItem(atPath: path) }
  let script = #"""
    import base64, hashlib, json, sys
    import xml.etree.ElementTree as ET
    from html.parser import HTMLParser
    data = open(sys.argv[1], encoding="utf-8", errors="strict").read()
    root = ET.fromstring(data)  # raises on anything not well-formed
    tags, attrs, hrefs = set(), set(), []
    for el in root.iter():
        tags.add(el.tag.split("}")[-1])
        for k, v in el.attrib.items():
            attrs.add(k.split("}")[-1])
            if k == "href":
                hrefs.append(v)
    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.scripts = 0
            self.svgs = 0
        def handle_starttag(self, tag, a):
            if tag == "script": self.scripts += 1
            if tag == "svg": self.svgs += 1
    p = P()
    p.feed(data)
    p.close()
    # The content security policy allows the page's script by its SHA-256.
    csp = [m.get("content") for m in root.iter("meta")
           if m.get("http-equiv") == "Content-Security-Policy"]
    script = "".join(s.text or "" for s in root.iter("script"))
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    csp_ok = len(csp) == 1 and ("'sha256-" + digest + "'") in csp[0]
    print(json.dumps({"tags": sorted(tags), "attrs": sorted(attrs), "hrefs": hrefs,
        "text": "".join(root.itertext()), "scripts": p.scripts, "svgs": p.svgs,
        "csp_ok": csp_ok}))
    """#
  let r = spawnAndWait(["python3", "-c", script, path], timeoutSeconds: 60)
  guard r.status == 0, let data = r.stdout.data(using: .utf8),
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
  else {
    Issue.record("the page is not well-formed (python3 exit \(r.status)): \(r.stderr)")
    throw CheckFailed()
  }
  return MarkupCheck(
    tags: Set(json["tags"] as? [String] ?? []), attributes: Set(json["attrs"] as? [String] ?? []),
    hrefs: json["hrefs"] as? [String] ?? [], text: json["text"] as? String ?? "",
    scripts: json["scripts"] as? Int ?? -1, svgs: json["svgs"] as? Int ?? -1,
    cspAllowsScript: json["csp_ok"] as? Bool ?? false)
}

struct CheckFailed: Error {}
