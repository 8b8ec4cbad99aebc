import Testing
import VigilDemo

@testable import VigilCore

/// The id-carrying checkout feed of issue 12 at a small scale: with a series limit its order
/// ids would fill before the incident, the order ids fold, the incident-only series are made,
/// and the retry ratio `check` prints equals the one on the same feed without its order lines.
@Suite struct SeriesFoldCheckTests {
  /// Ten minutes, 3,000 orders, the incident from minute 5 to 7:30.
  static func feed(orderLines: Bool) -> String {
    var f = CheckoutFeed()
    f.seconds = 600
    f.ordersPerSecond = 5
    f.requestsPerService = 2
    f.incident = 300..<450
    f.orderLines = orderLines
    return f.text
  }

  /// `check --stats 1m` over `text`: the ratio lines and the report.
  /// Without the built-in order pair, which takes `order_id` off before interning (so the ids
  /// would neither fold nor fill the limits: `PairEngineTests`).
  static func check(_ text: String, limits given: SeriesLimits) throws -> (
    [String], Checker.Report
  ) {
    var limits = given
    limits.pairs = []
    let rules = try RulesLoader.parse(DefaultRules.yaml(), file: "default").get()
    var checker = Checker(rules: rules, statsWindow: Nanos.minute, limits: limits)
    var framer = LineFramer()
    var batch = RecordBatch()
    Array(text.utf8).withUnsafeBytes { framer.push($0, into: &batch) }
    framer.finish(into: &batch)
    checker.add(batch, format: .json, feed: FeedSpec(id: FeedID(0), kind: .file, target: "f"))
    var ratios: [String] = []
    let report = checker.run { line in if line.contains("\"ratio\":") { ratios.append(line) } }
    return (ratios, report)
  }

  /// The retry ratio lines (`payment_retries_total/payment_attempts_total`).
  static func retryRatios(_ lines: [String]) -> [String] {
    lines.filter { $0.contains("payment_retries_total/") }
  }

  @Test func incidentSeriesAreMadeAndTheRetryRatioIsRight() throws {
    let small = SeriesLimits(maxSeries: 300, perMetric: 200, signalReserve: 100, foldAfter: 50)
    let (withIDs, report) = try Self.check(Self.feed(orderLines: true), limits: small)
    let (plain, _) = try Self.check(Self.feed(orderLines: false), limits: .global(100_000))
    #expect(Self.retryRatios(withIDs) == Self.retryRatios(plain))
    #expect(report.rejected.isEmpty, "\(report.rejected)")
    // During the incident (10:06 covers minute 5 to 6) retries are about 55 % of attempts.
    let during = try #require(Self.retryRatios(withIDs).first { $0.contains("T10:06:00Z") })
    let value = try #require(
      during.split(separator: "\"value\":").last.flatMap { Double($0.dropLast()) })
    #expect(value > 0.45 && value < 0.65, "\(during)")
    let folded = report.cardinality.filter { !$0.folds.isEmpty }.map(\.metric)
    #expect(folded == ["order_confirmed", "order_placed"])
    #expect(
      report.cardinalityLines.contains { $0.hasPrefix("folded order_placed: order_id (≈3") },
      "\(report.cardinalityLines)")
  }

  @Test func withoutFoldingTheIdsStarveTheIncidentSeries() throws {
    let noFold = SeriesLimits(maxSeries: 300, perMetric: 10_000, signalReserve: 0, foldAfter: 0)
    let (withIDs, report) = try Self.check(Self.feed(orderLines: true), limits: noFold)
    let (plain, _) = try Self.check(Self.feed(orderLines: false), limits: .global(100_000))
    #expect(Self.retryRatios(withIDs) != Self.retryRatios(plain))
    #expect((report.rejected[.seriesLimit] ?? 0) > 1_000)
    #expect(report.cardinalityLines.contains { $0.hasPrefix("refused order_placed: series limit") })
  }
}
