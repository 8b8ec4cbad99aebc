import Testing

@testable import VigilCore

@Suite struct AlertTransitionJSONTests {
  let t0 =
    CivilTime(year: 2026, month: 11, day: 26, hour: 10, minute: 5).timestamp
    ?? Timestamp(nanoseconds: 0)

  @Test func theIssueShapeWithKeysInOrder() {
    let tr = AlertTransition(
      t: t0, rule: "CheckoutP99High", labels: ["severity": "page", "service": "checkout"],
      from: .pending, to: .firing, value: 2.5)
    #expect(
      tr.jsonLine
        == #"{"t":"2026-11-26T10:05:00Z","rule":"CheckoutP99High","labels":{"service":"checkout","severity":"page"},"from":"pending","to":"firing","value":2.5}"#
    )
  }

  @Test(arguments: [
    (2.0, "2"), (0.1, "0.1"), (1e-05, "1e-05"), (-3.25, "-3.25"), (1e22, "1e+22"),
    (Double.nan, "null"), (Double.infinity, "null"), (-0.0, "0"),
    (14.399999999999999, "14.399999999999999"),
  ])
  func numbersAreShortestRoundTrip(value: Double, text: String) {
    #expect(formatJSONNumber(value) == text)
    if value.isFinite { #expect(Double(text) == value) }
  }

  @Test func missingValueReasonAndFractionalTime() {
    let tr = AlertTransition(
      t: t0.adding(1_500_000), rule: "R", labels: .empty, from: .firing, to: .resolved,
      value: nil, reason: .missingSeries)
    #expect(
      tr.jsonLine
        == #"{"t":"2026-11-26T10:05:00.001500Z","rule":"R","labels":{},"from":"firing","to":"resolved","value":null,"reason":"MissingSeries"}"#
    )
  }

  @Test func stringsAreEscaped() {
    let tr = AlertTransition(
      t: t0.adding(Nanos.millisecond * 120), rule: "a\"b\\c", labels: ["k": "line\nnext\t\u{01}é"],
      from: .inactive, to: .firing, value: 1)
    #expect(
      tr.jsonLine
        == #"{"t":"2026-11-26T10:05:00.120Z","rule":"a\"b\\c","labels":{"k":"line\nnext\t\u0001é"},"from":"inactive","to":"firing","value":1}"#
    )
  }
}
