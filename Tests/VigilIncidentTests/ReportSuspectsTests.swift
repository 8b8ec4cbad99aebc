import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilIncident
import VigilTestSupport

/// The report's suspects section: one part per firing with its ranked suspects and an onset
/// timeline, in HTML and Markdown, with everything from the recording escaped. Rankings are
/// injected (one per instance that fired, at its firing time).
@Suite struct ReportSuspectsTests {
  static func suspects(firedAt t: Timestamp) -> [Suspect] {
    func s(_ c: String, _ series: String, _ m: String, _ change: Double, _ before: Int64) -> Suspect
    {
      Suspect(
        component: c, series: series, measure: m, score: 5, change: change, current: change,
        baseline: Baseline(median: 1, scale: 0.2, minutes: 30),
        onset: t.adding(-before * Nanos.second))
    }
    return [
      s("payment", "api_latency_ms{service=payment}", "p99", 7.1, 110),
      s("checkout", "checkout_latency_ms{stage=total}", "p99", 2.3, 40),
      s("<script>alert(1)</script>", "api_latency_ms{service=<b>&\"x`|}", "p99", 0.2, -20),
    ]
  }

  static let atFiring = SuspectSource(
    now: { _, t in SuspectRanking(t: t, alert: nil, labels: .empty, suspects: []) },
    atFiring: { engine in
      engine.evaluator.allInstances.compactMap { i in
        i.firedAt.map {
          SuspectRanking(t: $0, alert: i.rule, labels: i.labels, suspects: suspects(firedAt: $0))
        }
      }.sorted { $0.t < $1.t }
    })

  /// The demo's first ten minutes, built once for the tests that read it (they run in
  /// parallel, and the recording's file is removed when it is read).
  static let tenMinutes = Result { try report(seconds: 600) }

  static func report(seconds: Int) throws -> IncidentReport {
    let path = ReportTests.tempPath("suspects-\(seconds)")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try RecordingTests.recordDemo(path: path, seconds: seconds)
    return IncidentReport.build(file: try RecordingFile.load(path: path), suspects: Self.atFiring)
  }

  @Test func aSectionPerFiringWithItsSuspectsAndOnsets() throws {
    let report = try Self.tenMinutes.get()
    let fired = report.transitions.filter { $0.to == .firing }
    #expect(!fired.isEmpty)
    #expect(report.firings.count == fired.count)
    #expect(report.firings.map(\.t) == fired.map(\.t).sorted())
    let first = try #require(report.firings.first)
    #expect(first.suspects.first?.component == "payment")
    // The onset timeline: payment 1m50s before, checkout 40s before, the alert, the last after.
    #expect(
      first.onsets.map { $0.suspect?.component ?? "alert" } == [
        "payment", "checkout", "alert", "<script>alert(1)</script>",
      ])
    let html = ReportHTML.render(report)
    #expect(html.contains("<section id=\"suspects\">"))
    #expect(html.contains("Top suspect: payment (x7.1 p99 on api_latency_ms{service=payment})"))
    #expect(html.contains("which started to move 1m50s before the alert."))
    #expect(html.contains("(1m50s before) <strong>payment</strong>"))
    #expect(html.contains("<strong>alert fired: \(first.rule)</strong>"))
    #expect(html.contains("(20s after)"))
    #expect(!html.contains("<script>alert(1)") && !html.contains("<b>&"))
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    // The suspects come after the timeline and before the episodes.
    let at = { (s: String) in html.range(of: s)?.lowerBound }
    #expect(at("id=\"suspects\"")! > at("id=\"timeline\"") ?? at("id=\"headline\"")!)
    #expect(at("id=\"suspects\"")! < at("id=\"episodes\"")!)
  }

  @Test func markdownHasTheSameSectionEscaped() throws {
    let report = try Self.tenMinutes.get()
    let md = ReportMarkdown.render(report)
    #expect(md.contains("## Suspects"))
    #expect(md.contains("| 1 | payment | api\\_latency\\_ms\\{service=payment\\} | x7.1 p99 |"))
    #expect(md.contains("**alert fired: \(report.firings[0].rule)**"))
    #expect(!md.contains("<script>") && !md.contains("`|"))
    #expect(md.contains("&lt;script>alert(1)&lt;/script>"))
  }

  @Test func nothingFiredSaysSo() throws {
    let report = try Self.report(seconds: 60)
    #expect(report.firings.isEmpty)
    #expect(ReportHTML.render(report).contains("No alert fired, so no suspects were ranked."))
    #expect(ReportMarkdown.render(report).contains("No alert fired, so no suspects were ranked."))
  }
}
