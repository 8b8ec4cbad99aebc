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
    // A short name whole; ASCII glyphs cut with `~`.
    state.config.recordingTo = "x.incident.jsonl"
    #expect(render(state).lines()[0].contains(" REC x.incident.jsonl "))
    #expect(
      recordingTag("/a/checkout-payment-gateway.jsonl", glyphs: .ascii)
        == " REC checko~gateway.jsonl "
    )
  }

  /// Frozen, with alerts firing, at 80 columns: `REC` stays (without the name) and the counts
  /// keep their place.
  @Test func frozenWithAlertsTheTagLosesTheNameNotTheCounts() {
    var state = demoState(seconds: 600)
    state.config.recordingTo = "/tmp/checkout-2026-11-26.incident.jsonl"
    state.ui.frozenAt = state.now
    let title = render(state).lines()[0]
    #expect(title.contains("FROZEN"), "\(title)")
    #expect(title.contains(" REC  "), "\(title)")
    #expect(title.contains("firing"), "\(title)")
  }
}
