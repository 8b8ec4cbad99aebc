import Foundation
import Testing
import VigilTestSupport

/// A raw order-event feed (no ready confirmation delays) with checkout stages, through
/// `vigil check` and the dashboard at 80x24 and 200x60.
@Suite(.serialized) struct PairsEndToEndTests {
  /// 20 minutes from 10:00: an order a second, confirmed 2-4 s later except every tenth (never
  /// confirmed), and one checkout a second with its four stages and total.
  static let feed: String = {
    let path = "/tmp/vigil-pairs-e2e-\(getpid()).jsonl"
    var text = ""
    let start = 1_795_687_200  // 2026-11-26T10:00:00Z
    func ts(_ s: Int) -> String { "\(start + s)000" }
    var due: [(Int, Int)] = []
    for s in 0..<1_200 {
      text += #"{"ts":\#(ts(s)),"metric":"order_placed","value":1,"labels":{"order_id":"o-\#(s)"}}"#
      text += "\n"
      if s % 10 != 0 { due.append((s + 2 + s % 3, s)) }
      for (at, id) in due where at == s {
        text +=
          #"{"ts":\#(ts(s)),"metric":"order_confirmed","value":1,"labels":{"order_id":"o-\#(id)"}}"#
        text += "\n"
      }
      due.removeAll { $0.0 <= s }
      var total = 30
      for (stage, ms) in [("pricing", 110), ("tax", 60), ("inventory", 180), ("payment", 700)] {
        let v = ms + (s % 7) * ms / 10
        total += v
        text +=
          #"{"ts":\#(ts(s)),"metric":"checkout_latency_ms","value":\#(v),"labels":{"stage":"\#(stage)"}}"#
        text += "\n"
      }
      text +=
        #"{"ts":\#(ts(s)),"metric":"checkout_latency_ms","value":\#(total),"labels":{"stage":"total"}}"#
      text += "\n"
    }
    try? text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }()

  @Test func checkPairsTheRawEvents() throws {
    let (status, out, err) = try runVigil(["check", "--stats", "5m", Self.feed])
    #expect(status == 0, "\(err)")
    // 1,080 confirmed orders (a few at the very end are still open), 30 older than 15 minutes.
    #expect(err.contains("pair order_confirmation: 1,077 matched, 93 open, 30 timed out"), "\(err)")
    #expect(err.contains("0 rejected"), "\(err)")
    #expect(!out.contains("order_id"), "the key is never a label")
    let delay = out.split(separator: "\n").filter {
      $0.contains(#""metric":"order_confirmation_delay_ms","labels":{"pair":"order_confirmation"}"#)
    }
    #expect(delay.count == 4, "\(out.prefix(2000))")
    #expect(delay.allSatisfy { $0.contains(#""min":2000,"#) && $0.contains(#""max":4000,"#) })
    #expect(out.contains(#""metric":"order_confirmation_open""#))
    #expect(out.contains(#""metric":"order_confirmation_timed_out_total""#))
  }

  @Test(arguments: [(80, 24), (200, 60)])
  func theDashboardShowsPendingOrdersAndTheWaterfall(size: (Int, Int)) throws {
    let tmux = try Tmux(width: size.0, height: size.1)
    try tmux.type("\(vigilBinary()) \(Self.feed)")
    let screen = tmux.waitForText(
      ["Order confirmation delay", "pending 9", "timed out", "Checkout latency", " tax ", "pay"],
      timeout: 20)
    #expect(screen != nil, "\(tmux.screen().joined(separator: "\n"))")
    let text = (screen ?? []).joined(separator: "\n")
    #expect(text.contains("4.00s p99") || text.contains("3.9"), "\(text)")
    #expect(!text.contains("order_id"))
    if size.0 >= 200 { #expect(text.contains("overhead"), "\(text)") }
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }
}
