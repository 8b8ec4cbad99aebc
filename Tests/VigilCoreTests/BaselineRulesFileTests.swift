import Testing

@testable import VigilCore

/// `baseline:` in rules files: what it reads and what it refuses, with positions.
@Suite struct BaselineRulesFileTests {
  @Test func readsEveryKey() throws {
    let text = """
      rules:
        - alert: Slow
          metric: api_latency_ms
          aggregate: p99
          window: 1m
          baseline: {over: 30m, factor: 2.5, floor: 150, min_minutes: 5, min_count: 40, gap: 1m, sigmas: 4}
      """
    let rule = try #require(try RulesLoader.parse(text, file: "f.yaml").get().rules.first)
    let spec = try #require(rule.baseline)
    #expect(spec.over == 30 * Nanos.minute)
    #expect(spec.factor == Rational(5, 2))
    #expect(spec.floor == Rational(150))
    #expect(spec.minMinutes == 5)
    #expect(spec.minCount == 40)
    #expect(spec.gap == Nanos.minute)
    #expect(spec.sigmas == Rational(4))
    #expect(rule.op == .greater)
  }

  @Test func defaultsAndRatios() throws {
    let text = """
      rules:
        - alert: Retries
          aggregate: ratio
          num: r
          den: a
          op: "<"
          baseline: {}
      """
    let rule = try #require(try RulesLoader.parse(text, file: "f.yaml").get().rules.first)
    #expect(rule.baseline == BaselineSpec())
    #expect(rule.baseline?.overMinutes == 60 && rule.baseline?.gapMinutes == 2)
    #expect(rule.op == .less)
  }

  static let head = "rules:\n  - alert: A\n    metric: m\n    aggregate: p99\n"

  @Test(arguments: [
    (
      "unknown key", head + "    baseline: {over: 1h, factr: 2}\n",
      "f.yaml:5:26: unknown baseline key \"factr\"; known: over, factor, floor"
    ),
    (
      "aggregate without minutes",
      "rules:\n  - alert: A\n    metric: m\n    aggregate: max\n    baseline: {}\n",
      "f.yaml:5:15: baseline applies to aggregate p50, p90, p95, p99, mean, rate, ratio, not max"
    ),
    (
      "equality op", head + "    op: \"==\"\n    baseline: {}\n",
      "f.yaml:6:15: a baseline rule's op must be >, >=, < or <=, not \"==\""
    ),
    (
      "threshold too", head + "    threshold: 5\n    baseline: {}\n",
      "f.yaml:5:16: threshold does not apply with baseline: (use baseline.floor)"
    ),
    (
      "over past the hour", head + "    baseline: {over: 90m}\n",
      "f.yaml:5:22: baseline.over must be whole minutes from 1m to 60m"
    ),
    (
      "over not whole minutes", head + "    baseline: {over: 90s}\n",
      "f.yaml:5:22: baseline.over must be whole minutes"
    ),
    (
      "factor of zero", head + "    baseline: {factor: 0}\n",
      "f.yaml:5:24: baseline.factor must be above 0"
    ),
    (
      "negative floor", head + "    baseline: {floor: -1}\n",
      "f.yaml:5:23: baseline.floor must not be negative"
    ),
    (
      "min_minutes past over", head + "    baseline: {over: 5m, min_minutes: 10}\n",
      "f.yaml:5:39: baseline.min_minutes (10) must not exceed baseline.over (5 minutes)"
    ),
    (
      "min_count not a number", head + "    baseline: {min_count: many}\n",
      "f.yaml:5:27: baseline.min_count must be a whole number"
    ),
    (
      "significance on a latency", head + "    baseline: {significance: 1e-6}\n",
      "f.yaml:5:30: baseline.significance judges counts: it applies to aggregate ratio or rate, "
        + "not p99"
    ),
    (
      "significance not a probability",
      "rules:\n  - alert: A\n    metric: m\n    aggregate: rate\n    baseline: {significance: 2}\n",
      "f.yaml:5:30: baseline.significance must be a probability between 0 and 1 (e.g. 1e-6), not \"2\""
    ),
    (
      "significance of nan",
      "rules:\n  - alert: A\n    metric: m\n    aggregate: rate\n    baseline: {significance: nan}\n",
      "f.yaml:5:30: baseline.significance must be a probability"
    ),
    (
      "not a mapping", head + "    baseline: 2x\n",
      "f.yaml:5:15: baseline must be a mapping"
    ),
  ])
  func everyProblemHasItsPosition(kind: String, text: String, expected: String) {
    RulesFileTests.expectRefused(kind: kind, text, with: expected)
  }
}
