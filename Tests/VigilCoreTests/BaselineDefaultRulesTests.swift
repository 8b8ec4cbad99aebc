import Testing

@testable import VigilCore

/// The default baseline rules on a synthetic incident: ten services and the checkout stages
/// (lognormal, as the incident generator's model), traffic spikes of x5 with latencies +30 %
/// in the baseline hour and over the fault, and the tax service slowing x4 at 65:00.
@Suite struct BaselineDefaultRulesTests {
  static let services: [(String, Double, Double)] = [
    ("checkout", 120, 0.45), ("cart", 45, 0.45), ("catalog", 30, 0.45), ("search", 80, 0.45),
    ("pricing", 40, 0.35), ("tax", 35, 0.3), ("inventory", 50, 0.4), ("payment", 300, 0.5),
    ("erp", 150, 0.5), ("oms", 60, 0.4),
  ]
  static let stages: [(String, Double, Double)] = [
    ("pricing", 40, 0.35), ("tax", 35, 0.3), ("inventory", 55, 0.4), ("payment", 320, 0.5),
    ("total", 500, 0.3),
  ]

  func run(seed: UInt64, fault: Bool) throws -> BaselineRig {
    let yaml = DefaultRules.yaml(only: ["api_latency_ms", "checkout_latency_ms"])
    var rig = try BaselineRig(rules: yaml, seed: seed)
    rig.run(0..<(80 * 60)) { r, s in
      let spike = (40 * 60..<46 * 60).contains(s) || (66 * 60..<72 * 60).contains(s)
      let traffic = spike ? 5 : 1
      let slower = spike ? 1.3 : 1
      let taxSlow = fault && s >= 65 * 60 ? 4.0 : 1
      for (name, median, sigma) in Self.services {
        r.latency(
          "api_latency_ms", ["service": name], second: s, count: 3 * traffic,
          median: median * slower * (name == "tax" ? taxSlow : 1), sigma: sigma)
      }
      for (name, median, sigma) in Self.stages {
        let m =
          median * slower * (name == "tax" ? taxSlow : 1)
          + (name == "total" ? 105 * (taxSlow - 1) : 0)
        r.latency(
          "checkout_latency_ms", ["stage": name], second: s, count: 2 * traffic, median: m,
          sigma: sigma)
      }
    }
    return rig
  }

  @Test func theSlowServiceFiresWithinTwoTicksAndTheSpikesDoNot() throws {
    for seed in UInt64(1)...2 {
      let rig = try run(seed: seed, fault: true)
      let onset = rig.at(65 * 60)
      #expect(rig.transitions.allSatisfy { $0.t > onset }, "seed \(seed): \(rig.transitions)")
      let api = rig.fired("ApiLatencyAboveBaseline", ["service": "tax", "severity": "page"])
      let stage = rig.fired("CheckoutStageAboveBaseline", ["stage": "tax", "severity": "page"])
      #expect(api.count == 1 && stage.count == 1, "seed \(seed): \(rig.transitions)")
      for t in api + stage { #expect(t.t <= rig.at(65 * 60 + 20), "seed \(seed): \(t)") }
      // Only tax (and the checkout total it slows) may fire; the fixed 1.5 s / 3 s lines do not.
      let fired = Set(rig.transitions.filter { $0.to == .firing }.map { $0.labels })
      let allowed: Set<LabelSet> = [
        ["service": "tax", "severity": "page"], ["stage": "tax", "severity": "page"],
        ["stage": "total", "severity": "page"],
      ]
      #expect(fired.isSubset(of: allowed), "seed \(seed): \(fired)")
    }
  }

  @Test func anHourWithSpikesAndNoFaultIsQuiet() throws {
    for seed in UInt64(3)...4 {
      let rig = try run(seed: seed, fault: false)
      #expect(rig.transitions.isEmpty, "seed \(seed): \(rig.transitions)")
    }
  }
}
