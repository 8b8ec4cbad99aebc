import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender

/// The default layout's checkout waterfall and the order-confirmation panel fed by raw order
/// events, on screen at 80x24 and 200x60.
@Suite struct WaterfallScreenTests {
  /// Typical stage latencies (ms) and the checkout's own overhead.
  static let base: [(String, Double)] = [
    ("pricing", 110), ("tax", 60), ("inventory", 180), ("payment", 700),
  ]

  /// `minutes` of checkouts, one per stage and second; tax `slowTax` times slower in the last
  /// `slowFor` minutes.
  static func checkoutState(
    minutes: Int = 25, slowTax: Double = 4, slowFor: Int = 4, size: Size
  ) -> AppState {
    var state = freshState(now: demoStart)
    state.ui.size = size
    for s in 0..<(minutes * 60) {
      let t = demoStart.adding(Int64(s) * Nanos.second)
      let ts = CivilTime(t).rfc3339(fractionDigits: 0)
      let jitter = 1 + Double(s % 10) / 20
      var total = 40.0
      var lines: [String] = []
      for (stage, ms) in base {
        let slow = stage == "tax" && s >= (minutes - slowFor) * 60 ? slowTax : 1
        let v = (ms * jitter * slow).rounded()
        total += v
        lines.append(
          #"{"ts":"\#(ts)","metric":"checkout_latency_ms","value":\#(v),"labels":{"stage":"\#(stage)"}}"#
        )
      }
      lines.append(
        #"{"ts":"\#(ts)","metric":"checkout_latency_ms","value":\#(total),"labels":{"stage":"total"}}"#
      )
      send(&state, lines, at: t.adding(Nanos.second))
    }
    return state
  }

  /// The checkout panel's rows (the right half of the top row of panels).
  static func checkoutRows(_ buffer: ScreenBuffer, width: Int, rows: Range<Int>) -> [String] {
    buffer.lines()[rows].map { String(Array($0)[(width / 2)...]) }
  }

  @Test func theWaterfallNamesTheSlowStageAt80x24() {
    let state = Self.checkoutState(size: Size(width: 80, height: 24))
    for glyphs in [GlyphSet.unicode, .ascii] {
      let rows = Self.checkoutRows(render(state, glyphs: glyphs), width: 80, rows: 1..<8)
      let text = rows.joined(separator: "\n")
      #expect(rows[0].contains("Checkout latency"), "\(text)")
      #expect(rows[1].contains("p99  tax grew x4.0"), "\(text)")
      let critical = glyphs.statusCritical
      let tax = rows.first { $0.contains(" tax ") && !$0.contains("grew") } ?? ""
      #expect(tax.hasPrefix(glyphs.vertical + critical + " tax"), "\(text)")
      // Pricing, inventory and payment are steady: not flagged.
      for stage in ["price", "inv", "pay"] {
        let row = rows.first { $0.contains(" \(stage) ") } ?? ""
        #expect(row.hasPrefix(glyphs.vertical + "  \(stage)"), "\(text)")
      }
      // The budget marker is in the same column on every stage row.
      let marker = Waterfall.glyphs(glyphs).budget
      let columns = Set(
        rows[2..<6].map { row in Array(row).lastIndex { String($0) == marker } ?? -1 })
      #expect(columns.count == 1 && columns.first != -1, "\(text)")
      #expect(text.contains(Waterfall.glyphs(glyphs).solid))
    }
  }

  @Test func atLargeSizesTheOverheadAndLegendShow() {
    let state = Self.checkoutState(size: Size(width: 200, height: 60))
    let text = render(state, glyphs: .ascii).lines().joined(separator: "\n")
    #expect(text.contains("  overhead "), "\(text)")
    #expect(text.contains("# p50  - p99  | budget 3.00s"), "\(text)")
    #expect(text.contains("* tax "))
  }

  @Test func withoutABaselineNothingIsFlagged() {
    let state = Self.checkoutState(minutes: 3, slowFor: 1, size: Size(width: 80, height: 24))
    let rows = Self.checkoutRows(render(state), width: 80, rows: 1..<8)
    #expect(!rows.joined().contains("●"), "\(rows)")
    #expect(!rows[1].contains("grew"))
    #expect(rows.contains { $0.contains(" tax ") })
  }

  /// Raw order events only: orders placed every second for 20 minutes, each confirmed 2-4 s
  /// later, except every tenth, which is never confirmed.
  static func orderState(size: Size) -> AppState {
    var state = freshState(now: demoStart)
    state.ui.size = size
    var pending: [(Int, String)] = []
    for s in 0..<(20 * 60) {
      let t = demoStart.adding(Int64(s) * Nanos.second)
      var lines = [
        #"{"ts":"\#(CivilTime(t).rfc3339(fractionDigits: 3))","metric":"order_placed","value":1,"labels":{"order_id":"o\#(s)"}}"#
      ]
      if s % 10 != 0 { pending.append((s + 2 + s % 3, "o\(s)")) }
      while let first = pending.first, first.0 <= s {
        pending.removeFirst()
        lines.append(
          #"{"ts":"\#(CivilTime(t).rfc3339(fractionDigits: 3))","metric":"order_confirmed","value":1,"labels":{"order_id":"\#(first.1)"}}"#
        )
      }
      send(&state, lines, at: t.adding(Nanos.second))
    }
    return state
  }

  @Test func rawOrderEventsFillTheConfirmationPanel() {
    for size in [Size(width: 80, height: 24), Size(width: 200, height: 60)] {
      let state = Self.orderState(size: size)
      let text = render(state).lines().joined(separator: "\n")
      #expect(text.contains("Order confirmation delay"), "\(text)")
      #expect(text.contains("3.00s p99") || text.contains("4.00s p99"), "\(text)")
      // 15 orders a 15-minute timeout has not reached yet... minus the 5 s of confirmations due.
      #expect(text.contains("pending "), "\(text)")
      #expect(text.contains("timed out "), "\(text)")
      #expect(!state.engine.interner.allKeys.contains { $0.labels["order_id"] != nil })
      #expect(state.engine.pairs.counts[0].timedOut == 30, "\(state.engine.pairs.counts)")
    }
  }
}
