import Testing
import VigilTestSupport

@testable import VigilCore

@Suite struct ParsingFloatGrammarTests {
  @Test(arguments: [
    "0", "-0", "123.4", "1e3", "1E+3", "1.5e-3", "-12.75", "0.1", "9007199254740993",
    "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308",
    "123456789012345678901234567890", "0.30000000000000004", "1e22", "1e23", "8.589973e9",
    "0.000001234", "1e-400",
  ])
  func jsonNumbersMatchTheStandardLibrary(_ text: String) {
    guard case .number(let v) = parseNumber(text, syntax: .json) else {
      Issue.record("\(text) rejected")
      return
    }
    #expect(v.bitPattern == Double(text)?.bitPattern, "\(text)")
  }

  @Test(arguments: [
    "", "-", "01", "-01", "1.", ".5", "+1", "1e", "1e+", "0x10", "1_000", " 1", "1 ", "NaN",
    "Infinity", "--1", "1.2.3", "1e5.5", "1,5", "١",
  ])
  func jsonGrammarRejects(_ text: String) {
    #expect(parseNumber(text, syntax: .json) == .invalid)
  }

  @Test(arguments: [
    (".5", 0.5), ("5.", 5.0), ("+1", 1.0), ("-0", -0.0), ("007", 7.0), ("1E-2", 0.01),
    ("12.5", 12.5), ("-3e2", -300.0),
  ])
  func decimalGrammarAccepts(_ text: String, _ expected: Double) {
    #expect(parseNumber(text, syntax: .decimal) == .number(expected))
    if case .number(let v) = parseNumber(text, syntax: .decimal) {
      #expect(v.sign == expected.sign)
    }
  }

  /// SEMANTICS §9.9 and F30: what `Double(String)` accepts but feeds must not.
  @Test(arguments: [
    "0x10", "0x1p4", "1_000", " 12 ", " 1", "1 ", "", ".", "+", "e5", "1,234", "12abc", "1e",
    "--5", "1.2.3", "0b101", "\t1",
  ])
  func decimalGrammarRejects(_ text: String) {
    #expect(parseNumber(text, syntax: .decimal) == .invalid)
  }

  @Test(arguments: ["NaN", "nan", "Inf", "-inf", "+Infinity", "INFINITY", "-NaN"])
  func nonFiniteWords(_ text: String) {
    #expect(parseNumber(text, syntax: .decimal) == .nonFinite)
    #expect(parseNumber(text, syntax: .json) == .invalid)
  }

  @Test func hostileMagnitudes() {
    #expect(parseNumber("1e400", syntax: .decimal) == .outOfRange)
    #expect(parseNumber("-1e400", syntax: .json) == .outOfRange)
    #expect(parseNumber("1" + String(repeating: "0", count: 400), syntax: .json) == .outOfRange)
    #expect(parseNumber("1e" + String(repeating: "9", count: 400), syntax: .json) == .outOfRange)
    #expect(parseNumber("1e-" + String(repeating: "9", count: 400), syntax: .json) == .number(0))
    #expect(parseNumber("0e" + String(repeating: "9", count: 400), syntax: .json) == .number(0))
    #expect(
      parseNumber("0." + String(repeating: "0", count: 400) + "1", syntax: .json) == .number(0))
    #expect(parseNumber("1.8e308", syntax: .json) == .outOfRange)
    // Long mantissas round correctly through the slow path.
    let long = "3." + String(repeating: "14159265358979", count: 30)
    #expect(parseNumber(long, syntax: .json) == .number(Double(long) ?? 0))
  }

  @Test func randomDoublesRoundTrip() {
    var rng = SplitMix64(seed: 7)
    for _ in 0..<20_000 {
      let d = Double(bitPattern: rng.next())
      guard d.isFinite else { continue }
      let text = "\(d)"
      #expect(parseNumber(text, syntax: .decimal) == .number(d), "\(text)")
    }
  }

  @Test func randomDecimalStringsMatchTheStandardLibrary() {
    var rng = SplitMix64(seed: 11)
    for _ in 0..<20_000 {
      let digits = Int(rng.next() % 25) + 1
      var s = rng.next() % 2 == 0 ? "-" : ""
      s += String(rng.next() % 9 + 1)
      for _ in 1..<digits { s += String(rng.next() % 10) }
      let dot = Int(rng.next() % UInt64(digits + 1))
      if dot > 0 && dot < digits {
        s.insert(".", at: s.index(s.endIndex, offsetBy: -(digits - dot)))
      }
      if rng.next() % 2 == 0 { s += "e\(Int(rng.next() % 60) - 30)" }
      #expect(parseNumber(s, syntax: .json) == .number(Double(s) ?? .nan), "\(s)")
    }
  }

  @Test func scaledIntegersAreExact() {
    func ns(_ s: String, _ scale: Int) -> Int64? {
      Array(s.utf8).withUnsafeBytes { p in
        parseScaledInteger(p, 0, p.count, json: false).flatMap { scaled($0.token, by: scale) }
      }
    }
    #expect(ns("1714564800.123", 9) == 1_714_564_800_123_000_000)
    #expect(ns("1714564800123", 6) == 1_714_564_800_123_000_000)
    #expect(ns("1714564800123456789", 0) == 1_714_564_800_123_456_789)
    #expect(ns("1.7145648001234567e9", 9) == 1_714_564_800_123_456_700)
    #expect(ns("-1.5", 9) == -1_500_000_000)
    #expect(ns("9223372036854775807", 0) == Int64.max)
    #expect(ns("-9223372036854775808", 0) == Int64.min)
    #expect(ns("9223372036854775808", 0) == nil)
    #expect(ns("1e400", 9) == nil)
    #expect(ns("1" + String(repeating: "0", count: 400), 0) == nil)
    #expect(ns("1e-400", 9) == 0)
    #expect(ns("0.0000000001", 9) == 0)
  }
}
