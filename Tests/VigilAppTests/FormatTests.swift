import Testing
import VigilApp

@Suite struct FormatTests {
  @Test(arguments: [
    (0.423, "0.42ms"), (4.25, "4.3ms"), (231.4, "231ms"), (1234, "1.23s"), (12_340, "12.3s"),
    (125_000, "2m05s"), (-5, "-5.0ms"),
  ])
  func millis(value: Double, text: String) { #expect(Format.millis(value) == text) }

  @Test func missingAndNonFinite() {
    #expect(Format.millis(nil) == "—")
    #expect(Format.percent(.nan) == "—")
    #expect(Format.rate(.infinity) == "—")
  }

  @Test(arguments: [
    (0.0, "0/s"), (1234.4, "1234/s"), (12.34, "12.3/s"), (0.05, "3.0/m"), (0.0001, "0.4/h"),
  ])
  func rates(value: Double, text: String) { #expect(Format.rate(value) == text) }

  /// Issue 15 item 11: a table's rate column is in one unit, the largest rate's.
  @Test func aRateColumnIsInOneUnit() {
    #expect(
      Format.rates([2.4, 0.5, 0.001, nil, 0]) == ["2.4/s", "0.50/s", "<0.01/s", "—", "0/s"])
    #expect(Format.rates([0.5, 0.05]) == ["30.0/m", "3.0/m"])
    #expect(Format.rates([0.0001]) == ["0.36/h"])
    var rows = [["a", ""], ["b", ""]]
    Format.rateColumn(&rows, 1, [1.5, 0.02])
    #expect(rows == [["a", "1.5/s"], ["b", "0.02/s"]])
  }

  @Test(arguments: [(0.0005, "0.05%"), (0.012, "1.2%"), (0.14, "14%"), (0.0, "0%")])
  func percents(value: Double, text: String) { #expect(Format.percent(value) == text) }

  @Test(arguments: [(987.0, "987"), (12_345.0, "12.3k"), (4_500_000.0, "4.5M"), (2.5, "2.5")])
  func counts(value: Double, text: String) { #expect(Format.count(value) == text) }

  @Test func fixedRoundsHalfAwayFromZero() {
    #expect(Format.fixed(2.5, 0) == "3")
    #expect(Format.fixed(-0.04, 1) == "0.0")
  }
}
