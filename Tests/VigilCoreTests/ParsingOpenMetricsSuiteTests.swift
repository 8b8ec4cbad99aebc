import Foundation
import Testing

@testable import VigilCore

/// One case of the OpenMetrics project's parser test suite (tests/testdata/parsers, copied to
/// Tests/OpenMetricsTestData/parsers with its Apache-2.0 notice): a body and whether a
/// conforming parser accepts it.
struct OpenMetricsSuiteCase: Sendable, CustomTestStringConvertible {
  var name: String
  var body: [UInt8]
  var shouldParse: Bool
  var testDescription: String { name }

  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("OpenMetricsTestData/parsers")

  static func all() -> [OpenMetricsSuiteCase] {
    let names =
      (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []
    return names.compactMap { name in
      let dir = directory.appendingPathComponent(name)
      guard let json = try? Data(contentsOf: dir.appendingPathComponent("test.json")),
        let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
        let shouldParse = object["shouldParse"] as? Bool,
        let body = try? Data(contentsOf: dir.appendingPathComponent("metrics"))
      else { return nil }
      return OpenMetricsSuiteCase(name: name, body: Array(body), shouldParse: shouldParse)
    }
  }
}

@Suite struct ParsingOpenMetricsSuiteTests {
  /// The whole suite is there: a missing or unreadable case would shrink it silently.
  @Test func suiteIsComplete() {
    let cases = OpenMetricsSuiteCase.all()
    #expect(cases.count == 211)
    #expect(cases.filter(\.shouldParse).count == 44)
  }

  /// Every case: a valid exposition is accepted whole (every sample line gives its sample, but
  /// for a timestamp beyond what Vigil stores, dropped with one issue), an invalid one is
  /// rejected whole (one issue, no sample), as `lint-feed --format openmetrics` and the scrape
  /// source read them.
  @Test(arguments: OpenMetricsSuiteCase.all())
  func specSuite(_ c: OpenMetricsSuiteCase) {
    var h = PromHarness(.openMetrics, output: .raw)
    let r = h.parse(c.body)
    if c.shouldParse {
      let sampleLines = c.body.split(separator: 0x0A).filter { $0.first != UInt8(ascii: "#") }
      #expect(
        r.issues.allSatisfy { $0.reason == .badTimestamp && $0.detail.hasSuffix("dropped") },
        "\(r.issues.map { "\($0.line): \($0.detail)" })")
      #expect(r.samples.count + r.issues.count == sampleLines.count)
    } else {
      #expect(r.issues.count == 1, "accepted \(r.samples.count) samples")
      #expect(r.samples.isEmpty)
    }
  }
}
