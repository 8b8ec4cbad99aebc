import Testing
import VigilApp
import VigilCore

/// `widget: waterfall` and `budget:` in layout files.
@Suite struct WaterfallLayoutTests {
  static func panels(_ yaml: String) throws -> (specs: [PanelSpec], warnings: [String]) {
    let load = try LayoutLoader.parse(yaml, file: "l.yaml").get()
    return (load.layout.panels, load.warnings.map(\.description))
  }

  @Test func theDefaultLayoutDrawsTheCheckoutAsAWaterfall() {
    let checkout = Layout.commerce.panels.first { $0.kind == .checkoutLatency }
    #expect(checkout?.widget == .waterfall)
    #expect(checkout?.budget == 3 * Nanos.second)
  }

  @Test func aKindAndAMetricPanelTakeTheWaterfall() throws {
    let (specs, warnings) = try Self.panels(
      """
      panels:
        a: {kind: checkout_latency, widget: waterfall, budget: 2500ms}
        b: {metric: cart_latency_ms, by: step, widget: waterfall, budget: 1s}
        c: {kind: checkout_latency}
      grid: [{columns: [a, b, c]}]
      """)
    #expect(warnings.isEmpty, "\(warnings)")
    #expect(specs[0].widget == .waterfall && specs[0].budget == 2_500 * Nanos.millisecond)
    #expect(specs[1].widget == .waterfall && specs[1].by == "step")
    #expect(specs[1].budget == Nanos.second)
    #expect(specs[2].widget == .sparkline && specs[2].budget == nil)
  }

  @Test func problemsHaveTheirPlace() {
    let text = """
      panels:
        a: {kind: checkout_latency, widget: gauge}
        b: {metric: x, widget: waterfall, budget: soon}
        c: {metric: y, budget: 3s}
      grid: [{columns: [a, b, c]}]
      """
    guard case .failure(let p) = LayoutLoader.parse(text, file: "l.yaml") else {
      Issue.record("accepted")
      return
    }
    #expect(
      p.problems.map(\.description) == [
        "l.yaml:2:39: kind: checkout_latency takes widget: waterfall only, not \"gauge\"",
        "l.yaml:3:45: budget: \"soon\" is not a duration like 90s, 5m or 1h",
        "l.yaml:4:26: warning: budget is shown by widget: waterfall only",
      ], "\(p.problems)")
  }
}
