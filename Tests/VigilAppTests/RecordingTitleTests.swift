import Testing
import VigilAppTestSupport
import VigilCore
import VigilRender

@testable import VigilApp

/// `REC` in the title bar while recording (issue 15, item 9).
@Suite struct RecordingTitleTests {
  @Test func theTitleSaysRECAndTheFilesNameCutToFit() {
    var state = demoState(seconds: 30)
    #expect(!render(state).lines()[0].contains("REC"))
    state.config.recordingTo =
      "/var/tmp/incidents/checkout-2026-11-26-payment-gateway.incident.jsonl"
    let title = render(state).lines()[0]
    #expect(title.contains(" REC checko…ncident.jsonl "), "\(title)")
    #expect(title.hasPrefix(" Vigil · commerce"), "\(title)")
    // A short name whole; ASCII glyphs cut with `>`.
    state.config.recordingTo = "x.incident.jsonl"
    #expect(render(state).lines()[0].contains(" REC x.incident.jsonl "))
    #expect(
      recordingTag("/a/checkout-payment-gateway.jsonl", glyphs: .ascii)
        == " REC checko>gateway.jsonl "
    )
  }

  /// The demo's banner, alerts firing: the counts and the banner's first 48 columns ("minute
  /// 12") keep their place and the name gets what is left; frozen at 80 columns, `REC` alone.
  @Test func theNameGivesWayToTheCountsAndTheBanner() {
    var state = demoState(seconds: 600, size: Size(width: 100, height: 30))
    state.config.banner = { _ in "demo at 60x, minute 12: payment slow, checkout slows" }
    state.config.recordingTo = "/tmp/vigil-rr-demo-12345.incident.jsonl"
    var title = render(state).lines()[0]
    #expect(title.contains("firing") && title.contains("minute 12"), "\(title)")
    #expect(title.contains(" REC vigil-…ncident.jsonl "), "\(title)")
    state.ui.size = Size(width: 80, height: 24)
    state.ui.frozenAt = state.now
    title = render(state).lines()[0]
    #expect(title.contains("FROZEN") && title.contains("firing"), "\(title)")
    #expect(title.contains(" REC  "), "\(title)")
  }
}
