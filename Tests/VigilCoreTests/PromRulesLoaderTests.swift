import Testing

@testable import VigilCore

@Suite struct PromRulesLoaderTests {
  static let file = """
    groups:
      - name: api
        interval: 30s
        rules:
          - alert: HighLatency
            expr: api_latency_ms{service="edge", stage!="total"} > 250.5
            for: 2m
            keep_firing_for: 1m
            labels:
              severity: page
              service: "{{ $labels.service }}"
            annotations:
              summary: "{{ $labels.service }} at {{ $value }}"
      - name: more
        interval: 30s
        rules:
          - alert: Down
            expr: |
              0 == up
    """

  @Test func readsGroupsRulesAndPrometheusSettings() throws {
    let set = try RulesLoader.parse(Self.file, file: "p.yml").get()
    #expect(set.evaluationInterval == 30 * Nanos.second)
    #expect(set.evalDelay == 1)
    #expect(set.firstEvaluation == .firstSample)
    #expect(set.rules.map(\.name) == ["HighLatency", "Down"])
    let r = set.rules[0]
    #expect(r.selector.metric == "api_latency_ms")
    #expect(
      r.selector.matchers == [
        LabelMatcher("service", "edge"), LabelMatcher("stage", "total", negated: true),
      ])
    #expect(r.aggregate == .series(.last))
    #expect(r.window == 5 * Nanos.minute)
    #expect(r.windowStart == .inclusive)
    #expect(r.absent == .conditionFalse)
    #expect(r.op == .greater)
    #expect(r.threshold == Rational(parsing: "250.5"))
    #expect(r.forDuration == 2 * Nanos.minute)
    #expect(r.keepFiringFor == Nanos.minute)
    #expect(r.labels == ["severity": "page"])  // the constant ones, for display
    #expect(r.templates?.labels.map(\.name) == ["severity", "service"])
    let shown = r.annotation(
      "summary", labels: ["__name__": "api_latency_ms", "service": "edge"], value: 300)
    #expect(shown == "edge at 300")
    #expect(set.rules[1].op == .equal)
    #expect(set.rules[1].selector.metric == "up")
  }

  @Test func aGroupWithoutIntervalTakesPrometheusDefault() throws {
    let set = try RulesLoader.parse(
      "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: m > 1\n", file: "p.yml"
    ).get()
    #expect(set.evaluationInterval == Nanos.minute)
    #expect(set.rules[0].forDuration == 0)
  }

  /// Every problem, with where it is.
  @Test(arguments: [
    (
      "groups:\n  - name: a\n    interval: 30s\n    rules: []\n  - name: b\n    rules: []\n",
      "p.yml:5:11: group \"b\" is evaluated every 1m, group \"a\" (line 2) every 30s"
    ),
    (
      "groups:\n  - name: a\n    rules:\n      - record: job:m:sum\n        expr: sum(m)\n",
      "p.yml:4:17: recording rule \"job:m:sum\": recording rules are not supported"
    ),
    (
      "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: m > 1\n        severity: x\n",
      "p.yml:6:9: unknown rule key \"severity\"; known: alert, expr"
    ),
    (
      "groups:\n  - name: a\n    partial_response_strategy: warn\n    rules: []\n",
      "p.yml:3:5: unknown group key \"partial_response_strategy\""
    ),
    ("groups:\n  - name: a\n    rules:\n      - alert: A\n", "p.yml:4:9: rule \"A\" needs expr:"),
    (
      "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: m > 1\n        for: 5 minutes\n",
      "p.yml:6:14: for: \"5 minutes\" is not a Prometheus duration"
    ),
    (
      "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: |\n          m{a=\"b\"}\n            > 5 or m\n",
      "p.yml:7:17: expr: the operator or is not supported"
    ),
    (
      "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: \"m[5m] > 1\"\n",
      "p.yml:5:17: expr: range selectors ([5m]) are not supported"
    ),
    (
      "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: m > NaN\n",
      "p.yml:5:19: expr: the number NaN is not supported"
    ),
    (
      "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: m > 1\n        annotations:\n          s: x {{ humanize $value }}\n",
      "p.yml:7:16: annotations.s: template function or action \"humanize\" is not supported"
    ),
    (
      "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: m > 1\n        labels:\n          a-b: x\n",
      "p.yml:7:11: labels: \"a-b\" is not a valid label name"
    ),
    (
      "groups:\n  - name: a\n    limit: 10\n    rules: []\n",
      "p.yml:3:12: limit is not supported"
    ),
    (
      "groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n",
      "p.yml:4:11: duplicate group name \"a\" (first at line 2)"
    ),
    (
      "groups:\n  - name: a\n    rules:\n      - alert: FeedStale\n        expr: m > 1\n",
      "p.yml:4:16: FeedStale is Vigil's rule for silent feeds"
    ),
  ])
  func problemsArePositioned(_ text: String, _ expected: String) {
    switch RulesLoader.parse(text, file: "p.yml") {
    case .success: Issue.record("accepted: \(text)")
    case .failure(let problems):
      #expect(problems.description.contains(expected), "\(problems)")
    }
  }

  @Test func aVigilFileWithBothKeysStaysAVigilFile() {
    #expect(!PromRulesLoader.looksLikePrometheus("rules: []\ngroups: []\n"))
    #expect(PromRulesLoader.looksLikePrometheus("# c\ngroups:\n  - name: a\n"))
    #expect(PromRulesLoader.looksLikePrometheus("---\ngroups: []\n"))
    #expect(!PromRulesLoader.looksLikePrometheus("rules:\n  - alert: A\n    groups: x\n"))
  }

  /// The Vigil-format keys for Prometheus's timeline, and where they do not apply.
  @Test func vigilRulesOptIn() throws {
    let ok = """
      first_evaluation: first_sample
      eval_delay: 1ns
      rules:
        - alert: A
          metric: m
          aggregate: last
          window: 5m
          window_start: inclusive
          absent: "false"
          op: ">"
          threshold: 1
      """
    let set = try RulesLoader.parse(ok, file: "r.yaml").get()
    #expect(set.firstEvaluation == .firstSample)
    #expect(set.evalDelay == 1)
    #expect(set.rules[0].windowStart == .inclusive)
    #expect(set.rules[0].absent == .conditionFalse)
    let defaults = try RulesLoader.parse("rules: []\n", file: "r.yaml").get()
    #expect(defaults.firstEvaluation == .oneIntervalLater)

    let bad = """
      first_evaluation: sometime
      rules:
        - alert: A
          metric: m
          aggregate: p99
          window_start: inclusive
          absent: maybe
          threshold: 1
        - alert: B
          metric: m
          absent: "false"
          no_data_state: ok
          threshold: 1
        - alert: C
          aggregate: ratio
          num: a
          den: b
          absent: "false"
          threshold: 1
      """
    guard case .failure(let problems) = RulesLoader.parse(bad, file: "r.yaml") else {
      Issue.record("accepted")
      return
    }
    let text = problems.description
    #expect(
      text.contains("r.yaml:1:19: first_evaluation must be one_interval_later or first_sample"))
    #expect(text.contains("r.yaml:6:19: window_start: inclusive needs aggregate: last"))
    #expect(text.contains("r.yaml:7:13: absent must be missing or false"))
    #expect(text.contains("r.yaml:12:20: no_data_state does not apply with absent: false"))
    #expect(
      text.contains("r.yaml:18:13: absent: false applies to one-series aggregates, not ratio"))
  }
}
