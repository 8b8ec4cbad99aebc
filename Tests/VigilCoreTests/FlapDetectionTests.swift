import Testing

@testable import VigilCore

/// SEMANTICS §13 group D: Nagios flap detection, history 21, low 5 %, high 20 %.
@Suite struct FlapDetectionTests {
  static func outcomes(_ text: String) -> [Bool] { text.map { $0 == "1" } }

  func detector(_ history: String, wasFlapping: Bool) -> FlapDetector {
    var d = FlapDetector()
    if wasFlapping { d.load(Self.outcomes(String(repeating: "01", count: 11))) }
    #expect(d.isFlapping == wasFlapping)
    d.load(Self.outcomes(history))
    return d
  }

  func psc2(_ d: FlapDetector) -> Double { (d.psc * 100).rounded() / 100 }

  @Test func d1AlternatingIs100PercentAndFlaps() {
    let d = detector("010101010101010101010", wasFlapping: false)
    #expect(psc2(d) == 100)
    #expect(d.isFlapping)
  }

  @Test(arguments: [false, true])
  func d2OneLateChangeIs6Point25AndLeavesTheFlag(wasFlapping: Bool) {
    let d = detector(String(repeating: "0", count: 20) + "1", wasFlapping: wasFlapping)
    #expect(psc2(d) == 6.25)
    #expect(d.isFlapping == wasFlapping)
  }

  @Test func d3OneEarlyChangeIs3Point75AndStopsFlapping() {
    let d = detector("0" + String(repeating: "1", count: 20), wasFlapping: true)
    #expect(psc2(d) == 3.75)
    #expect(!d.isFlapping)
  }

  @Test func d4FourLateChangesAre24Point21AndStartFlapping() {
    let d = detector(String(repeating: "0", count: 17) + "1010", wasFlapping: false)
    #expect(psc2(d) == 24.21)
    #expect(d.isFlapping)
  }

  @Test(arguments: [false, true])
  func d5OneBlipInTheMiddleIs10AndLeavesTheFlag(wasFlapping: Bool) {
    let zeros = String(repeating: "0", count: 10)
    let d = detector(zeros + "1" + zeros, wasFlapping: wasFlapping)
    #expect(psc2(d) == 10.0)
    #expect(d.isFlapping == wasFlapping)
  }

  @Test func thresholdsAreExactAtTheEdges() {
    // PSC = 5N/76: N = 304 is exactly 20 %.
    var d = FlapDetector()
    d.load(Self.outcomes(String(repeating: "0", count: 17) + "1010"))
    #expect(d.weightedChanges == (55 + 34) + (55 + 36) + (55 + 38) + (55 + 40))
    #expect(d.history.count == 21)
    d.record(false)
    #expect(d.history.last == false)
  }
}
