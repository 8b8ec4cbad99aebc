import Testing
import VigilAppTestSupport
import VigilCore

@testable import VigilApp

/// Every formatter at the edges of Double and Int64 (issue 12): no trap, and short output.
@Suite struct FormatEdgeTests {
  @Test func everyPanelFormatterStaysShort() {
    for v in edgeDoubles {
      let texts = [
        Format.millis(v), Format.rate(v), Format.percent(v), Format.count(v), Format.value(v),
        ValueUnit.milliseconds.format(v), ValueUnit.ratio.format(v), ValueUnit.count.format(v),
        ValueUnit.plain.format(v), FrameRate.formatBytes(v), FrameRate.format(v),
      ]
      for text in texts {
        #expect(text.count <= 16, "\(v) prints as \(text)")
        #expect(!text.isEmpty)
      }
      #expect(Format.scientific(v).count <= 9, "\(v) → \(Format.scientific(v))")
      for decimals in [-3, 0, 1, 2, 15, 400] {
        #expect(Format.fixed(v, decimals).count <= 40, "\(v), \(decimals)")
      }
      #expect(!formatJSONNumber(v).isEmpty)
    }
  }

  @Test(arguments: [
    (1.2345678901234568e29, "1.2e29"), (-1e300, "-1.0e300"), (9.96e22, "1.0e23"),
    (.leastNonzeroMagnitude, "4.9e-324"), (0, "0.0e0"), (1.7976931348623157e308, "1.8e308"),
  ])
  func scientific(value: Double, text: String) { #expect(Format.scientific(value) == text) }

  /// The two values, and where minutes give way to powers of ten.
  @Test func hugeLatencies() {
    #expect(Format.millis(Double("123456789012345678901234567890")) == "1.2e26s")
    #expect(Format.millis(1e300) == "1.0e297s")
    #expect(Format.millis(5_999_999_000) == "99999m59s")
    #expect(Format.millis(6e9) == "6.0e6s")
    #expect(Format.millis(-6e9) == "-6.0e6s")
    #expect(Format.count(1e12) == "1.0e12")
    #expect(Format.fixed(1e19, 0) == "1.0e19")
  }

  @Test func durationsAtTheEndsOfInt64() {
    for ns in [Int64.min, .min + 1, -1, 0, 1, .max] {
      #expect(!Nanos.format(ns).isEmpty)
    }
    #expect(Nanos.format(.min).hasPrefix("-2562047h"))
  }
}
