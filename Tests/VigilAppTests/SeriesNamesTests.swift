import Testing
import VigilAppTestSupport
import VigilCore
import VigilRender

@testable import VigilApp

/// Rows name their series by what tells them apart (issue 15 item 6): the API table groups by
/// service, the zoomed breakdown shows the labels that differ, and zoom draws a chart per
/// service.
@Suite struct SeriesNamesTests {
  static func key(_ metric: String, _ labels: [(String, String)]) -> SeriesKey {
    SeriesKey(metric, LabelSet(labels))
  }

  @Test func onlyTheLabelsThatDifferAreShown() {
    let keys = [
      Self.key("api_latency_ms", [("service", "payment"), ("status", "200"), ("zone", "a")]),
      Self.key("api_latency_ms", [("service", "payment"), ("status", "500"), ("zone", "a")]),
      Self.key("api_latency_ms", [("service", "checkout"), ("status", "200"), ("zone", "a")]),
    ]
    #expect(
      distinguishingNames(keys, primary: "service") == [
        "payment status=200", "payment status=500", "checkout status=200",
      ])
    // Without a primary label every differing label is name=value, sorted.
    #expect(
      distinguishingNames(keys) == [
        "service=payment status=200", "service=payment status=500",
        "service=checkout status=200",
      ])
  }

  @Test func metricsShowWhenTheyDifferAndAMissingLabelIsADifference() {
    let keys = [
      Self.key("payment_attempts_total", []),
      Self.key("payment_retries_total", [("reason", "timeout")]),
      Self.key("payment_retries_total", [("reason", "declined")]),
    ]
    #expect(
      distinguishingNames(keys) == [
        "payment_attempts_total", "payment_retries_total reason=timeout",
        "payment_retries_total reason=declined",
      ])
    let partial = [
      Self.key("api_latency_ms", [("service", "payment")]),
      Self.key("api_latency_ms", [("service", "payment"), ("status", "500")]),
    ]
    #expect(distinguishingNames(partial) == ["(no status)", "status=500"])
  }

  @Test func oneRowIsNamedByItsLabelsAndOddValuesAreQuoted() {
    #expect(distinguishingNames([Self.key("m", [("stage", "total")])]) == ["stage=total"])
    #expect(distinguishingNames([Self.key("m", [])]) == ["m"])
    let odd = [
      Self.key("m", [("pair", "oms erp")]), Self.key("m", [("pair", "")]),
      Self.key("m", [("pair", "a=b")]),
    ]
    // An empty value is no label (as in Prometheus).
    #expect(distinguishingNames(odd) == [#"pair="oms erp""#, "(no pair)", #"pair="a=b""#])
  }

  /// A log with an extra `status` label: two payment series and one per other service.
  static func statusState(size: Size) -> AppState {
    var state = freshState()
    state.ui.size = size
    for s in 0..<120 {
      var lines: [String] = []
      for (service, status, ms) in [
        ("payment", "200", 400), ("payment", "500", 900), ("checkout", "200", 120),
        ("tax", "200", 60),
      ] {
        lines.append(
          #"{"metric":"api_latency_ms","value":\#(ms + s % 7),"labels":{"service":"\#(service)","status":"\#(status)"}}"#
        )
      }
      send(&state, lines, at: demoStart.adding(Int64(s + 1) * Nanos.second))
    }
    return state
  }

  @Test func theAPITableHasOneRowPerServiceOverItsSeries() {
    let state = Self.statusState(size: Size(width: 80, height: 24))
    let panel = DashboardModel(state).panels[0]
    #expect(panel.table.map(\.[0]) == ["payment", "checkout", "tax"])
    // payment's two series read as one: both rates added, the p99 is the slow one's.
    #expect(panel.table[0][3] == "2.0/s" && panel.table[1][3] == "1.0/s", "\(panel.table)")
    #expect(
      panel.headline == panel.table[0][1] && panel.table[0][1].hasPrefix("90"), "\(panel.table)")
    // Not zoomed: no per-service charts are computed.
    #expect(panel.groups.isEmpty)
    let screen = render(state).lines().joined(separator: "\n")
    #expect(screen.components(separatedBy: "│payment ").count == 2, "\(screen)")
  }

  @Test(arguments: [80, 100])
  func zoomNamesEverySeriesAndDrawsAChartPerService(width: Int) {
    var state = Self.statusState(size: Size(width: width, height: 24))
    _ = update(&state, .key(.enter))
    #expect(state.ui.zoomed)
    let lines = render(state).lines()
    let screen = lines.joined(separator: "\n")
    // The breakdown names the series by the labels that differ, never `api_latency_ms{service="p…`.
    for name in ["payment status=500", "payment status=200", "checkout status=200"] {
      #expect(screen.contains("│" + name + " "), "\(screen)")
    }
    #expect(!screen.contains("api_l"), "\(screen)")
    // A chart per service below the breakdown: its name and p99 at the left, the chart beside.
    let caption = lines.firstIndex { $0.contains("one chart per service") } ?? 0
    let tableEnd = lines.lastIndex { $0.contains("status=") } ?? lines.count
    let charts = Array(lines[(tableEnd + 1)..<max(tableEnd + 1, caption)])
    let p99s = DashboardModel(state).panels[0].table.map { ($0[0], $0[1]) }
    #expect(p99s.map(\.0) == ["payment", "checkout", "tax"])
    for (service, p99) in p99s {
      guard let at = charts.firstIndex(where: { $0.hasPrefix("│" + service + " ") }) else {
        Issue.record("no chart for \(service): \(screen)")
        continue
      }
      let band = charts[at...].prefix(2).joined()
      #expect(band.contains(p99), "\(service): \(screen)")
      #expect(band.unicodeScalars.contains { (0x2581...0x28FF).contains($0.value) }, "\(band)")
    }
    #expect(screen.contains("p99 per 10s, one chart per service"), "\(screen)")
    #expect(screen.contains("alert threshold 1.50s"), "\(screen)")
  }
}
