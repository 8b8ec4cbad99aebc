import Foundation
import Testing
import VigilTestSupport

/// Issue 15 item 6 as a user meets it: one application log with an extra `status` label,
/// through `--map`, in an 80x24 terminal.
@Suite(.serialized) struct SeriesRowsEndToEndTests {
  @Test func oneRowPerServiceAndZoomNamesSeriesAndChartsEachService() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "vigil-rows-\(getpid())"
    ).path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // Five minutes up to now: payment answers 200 and 500, the others 200.
    let end = Int(Date().timeIntervalSince1970)
    var text = ""
    for t in (end - 300)...end {
      for (svc, status, ms) in [
        ("payment", 200, 400), ("payment", 500, 900), ("checkout", 200, 120), ("tax", 200, 60),
      ] {
        text += "time=\(t) svc=\(svc) status=\(status) duration_ms=\(ms + t % 7)\n"
      }
    }
    try text.write(toFile: dir + "/app.log", atomically: true, encoding: .utf8)
    let map =
      "ts=time,value=duration_ms,metric=const:api_latency_ms,label.service=svc,label.status=status"
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("\(vigilBinary()) --map \(map) \(dir)/app.log")
    let overview = tmux.waitForText(["│payment ", "│checkout ", "│tax "], timeout: 20)
    #expect(overview != nil, "\(tmux.screen().joined(separator: "\n"))")
    // One payment row for its two series.
    #expect((overview ?? []).filter { $0.hasPrefix("│payment ") }.count == 1, "\(overview ?? [])")
    try tmux.keys("Enter")
    let zoom = tmux.waitForText(
      ["payment status=500", "payment status=200", "checkout status=200", "one chart per service"],
      timeout: 10)
    #expect(zoom != nil, "\(tmux.screen().joined(separator: "\n"))")
    let screen = (zoom ?? []).joined(separator: "\n")
    #expect(!screen.contains("api_l"), "\(screen)")
    // Below the table, each service's chart row starts with its name.
    let tableEnd = (zoom ?? []).lastIndex { $0.contains("status=") } ?? 0
    let charts = (zoom ?? []).dropFirst(tableEnd + 1)
    for service in ["payment", "checkout", "tax"] {
      #expect(charts.contains { $0.hasPrefix("│" + service + " ") }, "\(service): \(screen)")
    }
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }
}
