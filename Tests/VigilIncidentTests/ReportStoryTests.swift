import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilIncident
import VigilRender
import VigilTestSupport

/// The report's story for someone who never opens a terminal (issue 15, item 8): a summary at
/// the top, impact totals over the incident window, one definition of that window, fired and
/// pending-only episodes counted apart, headline and episode peaks explained where they differ,
/// marker numbers that never run together and timeline labels that are never cut.
///
/// Most tests read a known recording: twelve minutes on the wall clock of a feed written here,
/// with rules written here, so every count is known.
/// - A retry ratio rule (`for: 10m`) is pending from about 10:01 to 10:03 and never fires.
/// - The checkout rule (long name, `stage="total"`) fires from about 10:05 and resolves about
///   10:08.
/// - A rule on an ERP sync lag, which the feed sends only in its first seconds, makes
///   FeedStale fire from about 10:03 to the end (a signal never seen is not configured, not
///   stale): the incident window leaves it out, so it closes.
/// - Three markers a second apart at 10:10.
@Suite struct ReportStoryTests {
  static let start = demoStart
  static let seconds = 720
  static let checkoutRule = "CheckoutTotalLatencyP99AboveThreeSeconds"

  static let rulesYAML = """
    evaluation_interval: 10s
    rules:
      - alert: RetryRatioBlip
        aggregate: ratio
        num: payment_retries_total
        den: payment_attempts_total
        window: 1m
        op: ">"
        threshold: 0.5
        for: 10m
        severity: ticket
      - alert: \(checkoutRule)
        metric: checkout_latency_ms
        select: {stage: total}
        aggregate: p99
        window: 1m
        op: ">"
        threshold: 3000
        for: 1m
        severity: page
      - alert: ErpSyncSlow
        metric: erp_sync_lag_ms
        aggregate: p99
        window: 1m
        op: ">"
        threshold: 10000
        for: 1m
        severity: ticket
    """

  /// One generated sample: its time and line.
  struct Line {
    var t: Timestamp
    var metric: String
    var labels: [String: String]
    var value: Double

    var json: String {
      let ts = CivilTime(t).rfc3339(fractionDigits: 3)
      let l = labels.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }
      return "{\"ts\":\"\(ts)\",\"metric\":\"\(metric)\",\"value\":\(value),"
        + "\"labels\":{\(l.joined(separator: ","))}}"
    }
  }

  /// The lines of second `s`, stamped half a second into it.
  static func lines(second s: Int) -> [Line] {
    let t = start.adding(Int64(s) * Nanos.second + 500 * Nanos.millisecond)
    var out: [Line] = [
      Line(t: t, metric: "payment_attempts_total", labels: [:], value: 10),
      Line(
        t: t, metric: "payment_retries_total", labels: ["reason": "timeout"],
        value: (60..<120).contains(s) ? 8 : 1),
      Line(t: t, metric: "payment_failures_total", labels: [:], value: s % 3 == 0 ? 2 : 0),
      Line(
        t: t, metric: "checkout_latency_ms", labels: ["stage": "total"],
        value: (240..<420).contains(s) ? 5000 : 1000),
      Line(t: t, metric: "checkout_latency_ms", labels: ["stage": "total"], value: 1200),
      // Another stage, always slow: not the rule's series, never a slow checkout.
      Line(t: t, metric: "checkout_latency_ms", labels: ["stage": "payment"], value: 9000),
    ]
    if s < 3 {
      out.append(Line(t: t, metric: "erp_sync_lag_ms", labels: [:], value: 900))
    }
    if s % 5 == 0 {
      out.append(
        Line(t: t, metric: "support_tickets_total", labels: ["reason": "order_error"], value: 1))
    }
    if s % 7 == 0 {
      out.append(Line(t: t, metric: "support_tickets_total", labels: ["reason": "other"], value: 1))
    }
    return out
  }

  static let markers = [600, 601, 602]

  static func record(path: String) throws {
    guard case .success(let rules) = RulesLoader.parse(rulesYAML, file: "story.yaml") else {
      Issue.record("the rules did not load")
      throw CheckFailed()
    }
    var config = AppConfig()
    config.clockMode = .wall
    config.rules = rules
    var state = AppState(
      config: config,
      feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "/var/log/story.jsonl", format: .json)],
      now: start)
    state.ui.size = Size(width: 100, height: 30)
    let recorder = try Recorder(
      path: path, state: state, rulesYAML: rulesYAML, title: "story")
    func apply(_ m: Message) { _ = update(&state, m, observer: recorder) }
    for s in 0..<seconds {
      let t = start.adding(Int64(s + 1) * Nanos.second)
      apply(.tick(t))
      apply(
        .feed(
          FeedInput(
            feed: FeedID(0), arrival: t, seq: UInt64(s + 1),
            payload: .records(batch(lines(second: s).map(\.json), firstLine: s * 10 + 1), .json))))
      if markers.contains(s) { recorder.record(.mark(t, "marker \(s)")) }
    }
    recorder.finish(at: state.now, reason: "quit")
  }

  /// The report, built once (with a suspect ranked at every firing).
  static let shared = Result { () throws -> IncidentReport in
    let path = ReportTests.tempPath("story")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try record(path: path)
    let file = try RecordingFile.load(path: path)
    #expect(file.warnings.isEmpty, "\(file.warnings)")
    return IncidentReport.build(file: file, suspects: ReportSuspectsTests.atFiring)
  }

  static func report() throws -> IncidentReport { try shared.get() }

  /// The episodes the story is made of, as the recording had them.
  struct Story {
    var blip: IncidentReport.Episode
    var checkout: IncidentReport.Episode
    var stale: IncidentReport.Episode
  }

  static func story(_ r: IncidentReport) throws -> Story {
    let blip = try #require(r.episodes.first { $0.rule == "RetryRatioBlip" })
    let checkout = try #require(r.episodes.first { $0.rule == checkoutRule })
    let stale = try #require(r.episodes.first { $0.rule == "FeedStale" })
    // The story happened as designed.
    #expect(blip.fired == nil && blip.ended != nil)
    #expect(checkout.fired != nil && checkout.resolved != nil)
    #expect(stale.fired != nil && stale.isOpen && stale.firstBreach < checkout.firstBreach)
    #expect(blip.firstBreach < checkout.firstBreach)
    #expect(r.episodes.count == 3, "\(r.episodes.map(\.rule))")
    return Story(blip: blip, checkout: checkout, stale: stale)
  }

  // MARK: The summary

  /// The summary at the top says which alerts fired on what, when the incident began, how long
  /// until detection and until resolution, and the top suspect.
  @Test func aSummaryAtTheTop() throws {
    let r = try Self.report()
    let s = try Self.story(r)
    let html = ReportHTML.render(r)
    // The blip ended before the checkout alert began: the incident begins with the latter.
    let began = CivilTime(s.checkout.firstBreach).clock + " UTC on 2026-11-26"
    let fired = try #require(s.checkout.fired)
    let resolved = try #require(s.checkout.ended)
    let detected = shortDurationText(fired.since(s.checkout.firstBreach))
    let resolution = shortDurationText(resolved.since(s.checkout.firstBreach))
    let expected = [
      "1 alert fired on Checkout latency: \(Self.checkoutRule) (stage=total).",
      "The incident began at \(began);",
      "it was detected \(detected) later, when \(Self.checkoutRule) stage=total fired at "
        + clockText(fired),
      "and resolved \(resolution) after it began, at \(clockText(resolved)).",
      // The top suspect of the first firing that is not FeedStale's.
      "Top suspect when \(Self.checkoutRule) stage=total fired: payment (",
    ]
    // In the HTML, first thing under the title.
    let summary = try #require(element("p", id: "summary", in: html))
    let h1 = try #require(html.range(of: "</h1>"))
    let at = try #require(html.range(of: "<p class=\"summary\" id=\"summary\">"))
    #expect(h1.upperBound < at.lowerBound)
    #expect(!html[h1.upperBound..<at.lowerBound].contains("<section"))
    for e in expected { #expect(summary.contains(Markup.escape(e)), "\(e)\n\(summary)") }
    // FeedStale is not one of the alerts that "fired" in the summary.
    #expect(!summary.contains("FeedStale"))
    // Markdown: the same words, right under the title.
    let md = ReportMarkdown.render(r)
    let lines = md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.count > 3 && lines[2].hasPrefix("**Summary.** "), "\(lines.prefix(3))")
    for e in expected {
      #expect(lines[2].contains(ReportMarkdown.escape(e)), "\(e)\n\(lines[2])")
    }
  }

  /// Nothing happened: the summary says so.
  @Test func aSummaryOfNothing() throws {
    let report = try ReportSuspectsTests.report(seconds: 60)
    #expect(report.episodes.isEmpty)
    let html = ReportHTML.render(report)
    let summary = try #require(element("p", id: "summary", in: html))
    #expect(summary.contains("No alert went pending or fired during the 1m recorded from 10:00:00"))
    #expect(ReportMarkdown.render(report).contains("**Summary.** No alert went pending or fired"))
  }

  // MARK: Impact

  /// Impact totals: the recorded samples stamped within the incident window (rounded out to
  /// whole 10 s buckets), counted here from the lines the recording was made of. The rule's
  /// series only for slow checkouts; order-error tickets only; order confirmations, absent
  /// from the recording, are left out (not shown as 0).
  @Test func impactTotalsOverTheIncidentWindow() throws {
    let r = try Self.report()
    let s = try Self.story(r)
    let from = s.checkout.firstBreach
    let to = try #require(s.checkout.ended)
    let width = 10 * Nanos.second
    let lo = (from.nanoseconds + 1 + width - 1) / width * width - width
    let hi = (to.nanoseconds + width - 1) / width * width
    var failed = 0.0
    var retries = 0.0
    var tickets = 0.0
    var slow = 0.0
    for sec in 0..<Self.seconds {
      for l in Self.lines(second: sec) where l.t.nanoseconds > lo && l.t.nanoseconds <= hi {
        switch (l.metric, l.labels) {
        case ("payment_failures_total", _): failed += l.value
        case ("payment_retries_total", _): retries += l.value
        case ("support_tickets_total", ["reason": "order_error"]): tickets += l.value
        case ("checkout_latency_ms", ["stage": "total"]) where l.value > 3000: slow += 1
        default: break
        }
      }
    }
    #expect(failed > 0 && retries > 0 && tickets > 0 && slow > 0)
    let expected: [(String, Double)] = [
      ("Failed payments", failed), ("Payment retries", retries),
      ("Support tickets: order errors", tickets), ("Slow checkouts", slow),
    ]
    let html = ReportHTML.render(r)
    let table = try #require(element("table", id: "impact", in: html))
    for (title, n) in expected {
      #expect(
        table.contains("<th scope=\"row\">\(title)</th><td class=\"num\">\(Int(n))</td>"),
        "\(title) \(n)\n\(table)")
    }
    #expect(table.contains("checkout_latency_ms{stage=&quot;total&quot;} &gt; 3.00s"))
    #expect(!html.contains("Orders confirmed late"))
    let md = ReportMarkdown.render(r)
    for (title, n) in expected { #expect(md.contains("| \(title) | \(Int(n)) |"), "\(title)") }
    #expect(!md.contains("Orders confirmed late"))
    #expect(md.contains("### Impact over the incident window"))
  }

  // MARK: The incident window

  /// One incident window, defined once: from the first alert going pending (here one that never
  /// fired) to the last one resolving, FeedStale left out (so the window closes though FeedStale
  /// is still firing). The recording's length is called that, not an "incident span".
  @Test func oneIncidentWindowDefinedOnce() throws {
    let r = try Self.report()
    let s = try Self.story(r)
    let to = try #require(s.checkout.ended)
    // The retry ratio's pending-only blip ended before the checkout alert began to breach:
    // a blip, not the incident, so the window starts with the checkout alert.
    #expect(try #require(s.blip.ended) < s.checkout.firstBreach)
    #expect(r.incidentWindow?.from == s.checkout.firstBreach)
    let length = shortDurationText(to.since(s.checkout.firstBreach))
    let html = ReportHTML.render(r)
    #expect(!html.contains("Incident span"))
    let recorded = shortDurationText(r.span)
    #expect(html.contains("<dt>Recording length</dt><dd>\(recorded) (2026-11-26 10:00:00Z"))
    let headline = try #require(section("headline", of: html))
    #expect(
      headline.contains(
        "<dt>Incident window</dt><dd>\(length)</dd><dd class=\"detail\">"
          + "\(clockText(s.checkout.firstBreach)) – \(clockText(to))</dd>"), "\(headline)")
    // Time to resolution is the closed window's length.
    #expect(headline.contains("<dt>Time to resolution</dt><dd>\(length)</dd>"))
    let definition = "The incident window runs from the first time an alert (other than FeedStale"
    #expect(count(definition, in: html) == 1)
    let md = ReportMarkdown.render(r)
    #expect(count(ReportMarkdown.escape(definition), in: md) == 1)
    #expect(md.contains("| Incident window | **\(length)** |"))
    #expect(md.contains("- **Recording length:** \(recorded) (") && !md.contains("Incident span"))
  }

  // MARK: Episodes

  /// Fired and pending-only episodes are counted apart, in the headline and above the
  /// episodes table.
  @Test func firedAndPendingOnlyEpisodesCountedApart() throws {
    for r in [try Self.report(), try ReportTests.demoReport().0] {
      let fired = r.episodes.filter { $0.fired != nil }
      let pending = r.episodes.count - fired.count
      let pages = fired.filter { $0.severity == "page" }.count
      #expect(pending > 0 && !fired.isEmpty)
      let html = ReportHTML.render(r)
      let headline = try #require(section("headline", of: html))
      let figure = "\(fired.count) fired (\(pages) paging), \(pending) pending only"
      #expect(headline.contains("<dt>Alert episodes</dt><dd>\(figure)</dd>"), "\(headline)")
      let sentence =
        "\(fired.count) fired episode\(fired.count == 1 ? "" : "s") and \(pending) "
        + "pending-only episode\(pending == 1 ? "" : "s")"
      #expect(try #require(section("episodes", of: html)).contains(sentence))
      let md = ReportMarkdown.render(r)
      #expect(md.contains("| Alert episodes | **\(figure)** |"))
      #expect(md.contains(sentence))
    }
  }

  // MARK: Peaks

  /// Where a chart's worst headline and the highest episode peak of a rule drawn on it differ
  /// as printed, the report says so and why (different windows).
  @Test func differingHeadlineAndEpisodePeaksAreExplained() throws {
    let (r, _, _) = try ReportTests.demoReport()
    var differences: [(signal: String, rule: String, worst: String, peak: String)] = []
    for s in r.signals {
      guard let worst = s.worst else { continue }
      for rule in Set(s.thresholds.map(\.rule)).sorted() {
        guard let peak = r.episodes.filter({ $0.rule == rule }).compactMap(\.peak).max() else {
          continue
        }
        if s.format(peak) != s.format(worst.value) {
          differences.append((s.title, rule, s.format(worst.value), s.format(peak)))
        }
      }
    }
    // The demo has some: the final sample is taken after the last evaluation, and the
    // inventory rule reads 15 minutes where the chart reads 5.
    #expect(differences.count >= 2, "\(differences)")
    let html = ReportHTML.render(r)
    let headline = try #require(section("headline", of: html))
    let md = ReportMarkdown.render(r)
    for d in differences {
      let words =
        "\(d.signal): the chart&#39;s worst is \(d.worst) at "
      #expect(headline.contains(words), "\(d)")
      #expect(headline.contains("\(d.rule)&#39;s highest episode peak is \(d.peak)"), "\(d)")
      #expect(md.contains("- \(ReportMarkdown.escape(d.signal)): the chart's worst is \(d.worst)"))
    }
    #expect(headline.contains("computed over different windows"))
    #expect(count("highest episode peak is", in: headline) == differences.count)
  }

  // MARK: Markers and timeline labels

  /// Markers close together (three a second apart; the demo's ack, note and silence at the
  /// same second): no two numbers share a row where they would touch, so `1` `2` `3` never
  /// read `123`. Every chart and the timeline.
  @Test func closeMarkersNeverRunTogether() throws {
    for r in [try Self.report(), try ReportTests.demoReport().0] {
      let html = ReportHTML.render(r)
      let svgs = html.components(separatedBy: "<svg ").dropFirst()
      #expect(svgs.count == 7)
      for svg in svgs {
        let labels = markerLabels(in: svg)
        #expect(labels.count == r.notes.count)
        for (i, a) in labels.enumerated() {
          for b in labels[(i + 1)...] where a.y == b.y {
            // 11 px bold digits are at most 7 px wide; 2 px apart at least.
            let room = Double(a.text.count + b.text.count) * 7 / 2 + 2
            #expect(abs(a.x - b.x) >= room, "\(a) and \(b) touch")
          }
        }
        // Every note has its number.
        #expect(Set(labels.map(\.text)) == Set((1...r.notes.count).map(String.init)))
      }
    }
  }

  /// Timeline labels are whole: a long rule name and its labels wrap onto more lines of the
  /// lane instead of being cut with `…`; the lanes do not overlap.
  @Test func timelineLabelsAreNeverCut() throws {
    for r in [try Self.report(), try ReportTests.hostileReport()] {
      let html = ReportHTML.render(r)
      let timeline = try #require(section("timeline", of: html))
      let lanes = timeline.components(separatedBy: "<g class=\"lane\">").dropFirst()
      #expect(lanes.count == r.lanes.count)
      var longest = 0
      var lastBottom = 0.0
      for (lane, model) in zip(lanes, r.lanes) {
        let lines = laneLabelLines(in: lane)
        #expect(!lines.isEmpty)
        let shown = lines.map(\.text).joined(separator: " ")
        let severity = model.severity.map { $0.uppercased() } ?? "—"
        let labels = model.labels.labels.filter { $0.name != "severity" }
          .map { "\($0.name)=\($0.value)" }.joined(separator: " ")
        let whole = severity + " " + model.rule + (labels.isEmpty ? "" : " " + labels)
        func squeezed(_ s: String) -> String { s.filter { !$0.isWhitespace } }
        #expect(squeezed(shown) == squeezed(Markup.escape(whole)), "\(shown)\n\(whole)")
        #expect(!shown.contains("…"))
        longest = max(longest, whole.count)
        // Lines stay in their lane: below the previous lane's last line.
        let ys = lines.map(\.y)
        #expect((ys.first ?? 0) > lastBottom)
        lastBottom = ys.last ?? lastBottom
      }
      #expect(longest > 45, "a label long enough to have been cut")
    }
  }
}

// MARK: - Helpers

/// `10:05:30`: a time as the report prints it within a day.
func clockText(_ t: Timestamp) -> String { CivilTime(t).clock }

/// The element `<name … id="id">…</name>` (with no nested element of the same name).
func element(_ name: String, id: String, in html: String) -> String? {
  guard let attribute = html.range(of: " id=\"\(id)\""),
    let open = html.range(
      of: "<\(name)", options: .backwards, range: html.startIndex..<attribute.lowerBound),
    let end = html.range(of: "</\(name)>", range: attribute.upperBound..<html.endIndex)
  else { return nil }
  return String(html[open.lowerBound..<end.upperBound])
}

/// The marker numbers of one SVG: position and text.
func markerLabels(in svg: String) -> [(x: Double, y: Double, text: String)] {
  let pattern = #"<text class="marker-label" x="([-0-9.]+)" y="([-0-9.]+)"[^>]*>([^<]*)</text>"#
  return matches(pattern, in: svg).map { m in (Double(m[0]) ?? .nan, Double(m[1]) ?? .nan, m[2]) }
}

/// A lane's label lines: their y and text.
func laneLabelLines(in lane: String) -> [(y: Double, text: String)] {
  let body = lane.components(separatedBy: "</g>")[0]
  let pattern = #"<text class="lane-label" x="[-0-9.]+" y="([-0-9.]+)">([^<]*)</text>"#
  return matches(pattern, in: body).map { m in (Double(m[0]) ?? .nan, m[1]) }
}

func matches(_ pattern: String, in s: String) -> [[String]] {
  guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
  let ns = s as NSString
  return re.matches(in: s, range: NSRange(location: 0, length: ns.length)).map { m in
    (1..<m.numberOfRanges).map { ns.substring(with: m.range(at: $0)) }
  }

}

extension ReportStoryTests {
  /// Issue 15 item 7: the rules table says what to do: each rule's runbook, next to its
  /// condition, in HTML and Markdown.
  @Test func theRulesTableCarriesEachRulesRunbook() throws {
    let r = try ReportTests.demoReport().0
    let api = try #require(r.rules.first { $0.name == "ApiLatencyP99High" })
    #expect(api.runbook == "Check the slowest service's dependencies and recent deploys.")
    let html = ReportHTML.render(r)
    let rules = try #require(section("rules", of: html))
    #expect(rules.contains("<th>Runbook</th>") || rules.contains(">Runbook<"), "\(rules)")
    #expect(rules.contains(Markup.escape(api.runbook)))
    #expect(ReportMarkdown.render(r).contains(ReportMarkdown.escape(api.runbook)))
  }
}
