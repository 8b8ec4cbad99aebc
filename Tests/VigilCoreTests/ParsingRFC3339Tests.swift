import Testing
import VigilTestSupport

@testable import VigilCore

private func ns(_ text: String) -> Int64? {
  if case .timestamp(let t) = RFC3339.parse(text) { return t.nanoseconds }
  return nil
}

@Suite struct ParsingRFC3339Tests {
  /// F21–F23 and RFC 3339 §5.6 forms.
  @Test(
    arguments: [
      ("2024-05-01T12:00:00.123Z", 1_714_564_800_123_000_000),  // F21
      ("2024-05-01T12:00:00Z", 1_714_564_800_000_000_000),  // F21
      ("2024-05-01 12:00:00Z", 1_714_564_800_000_000_000),  // F22
      ("2024-05-01t12:00:00z", 1_714_564_800_000_000_000),  // F22
      ("2016-12-31T23:59:60Z", 1_483_228_800_000_000_000),  // F23
      ("2024-05-01T14:00:00+02:00", 1_714_564_800_000_000_000),
      ("2024-05-01T06:30:00-05:30", 1_714_564_800_000_000_000),
      ("2024-05-01T12:00:00-00:00", 1_714_564_800_000_000_000),
      ("2024-05-01T12:00:00.123456789Z", 1_714_564_800_123_456_789),
      ("2024-05-01T12:00:00.123456789999Z", 1_714_564_800_123_456_789),
      ("2024-05-01T12:00:00.5Z", 1_714_564_800_500_000_000),
      ("2024-02-29T00:00:00Z", 1_709_164_800_000_000_000),
      ("2000-02-29T00:00:00Z", 951_782_400_000_000_000),
      ("1970-01-01T00:00:00Z", 0),
      ("1969-12-31T23:59:59.999999999Z", -1),
      ("2262-04-11T23:47:16.854775807Z", Int64.max),
    ] as [(String, Int64)])
  func accepted(_ text: String, _ expected: Int64) {
    #expect(ns(text) == expected, "\(text)")
  }

  @Test func f24NoOffsetIsRejected() {
    #expect(RFC3339.parse("2024-05-01T12:00:00") == .noOffset)
    #expect(RFC3339.parse("2024-05-01T12:00:00.123") == .noOffset)
  }

  @Test(arguments: [
    "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-00-10T00:00:00Z",
    "2024-05-00T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01T12:00:61Z",
    "2024-05-01T12:00Z", "2024-05-01", "2024-05-01X12:00:00Z", "2024-05-01T12:00:00.Z",
    "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00+24:00", "2024-05-01T12:00:00Zjunk",
    "2024-5-01T12:00:00Z", "24-05-01T12:00:00Z", "2024-05-01T12:00:00 Z", "",
    "2024-05-01T12:00:00UTC",
  ])
  func rejected(_ text: String) {
    guard case .invalid = RFC3339.parse(text) else {
      Issue.record("\(text) was not rejected as invalid: \(RFC3339.parse(text))")
      return
    }
  }

  @Test func outsideInt64NanosecondsIsOutOfRange() {
    #expect(RFC3339.parse("9999-12-31T23:59:59Z") == .outOfRange)
    #expect(RFC3339.parse("0001-01-01T00:00:00Z") == .outOfRange)
    #expect(RFC3339.parse("2262-04-11T23:47:16.854775808Z") == .outOfRange)
  }

  @Test func randomTimestampsRoundTripThroughCivilTime() {
    var rng = SplitMix64(seed: 3)
    for _ in 0..<5_000 {
      let t = Timestamp(nanoseconds: Int64(bitPattern: rng.next()) / 4)
      let text = CivilTime(t).rfc3339(fractionDigits: 9)
      #expect(ns(text) == t.nanoseconds, "\(text)")
    }
  }
}
