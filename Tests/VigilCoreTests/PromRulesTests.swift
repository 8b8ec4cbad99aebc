import Testing
import VigilTestSupport

@testable import VigilCore

/// Prometheus alerting rules files: the `expr` subset, templates, the loader and its positions.
@Suite struct PromExprTests {
  @Test(arguments: [
    ("m > 5", "m", 0, AlertOp.greater, "5"),
    ("5 < m", "m", 0, .greater, "5"),
    ("5 >= m", "m", 0, .lessOrEqual, "5"),
    ("{__name__=\"m\", job=\"a\"} >= -1.5", "m", 1, .greaterOrEqual, "-1.5"),
    ("m{a!=\"x\",b=~\"y|z\",c!~'w',} != 0x10", "m", 3, .notEqual, "0x10"),
    ("(m) == (2)", "m", 0, .equal, "2"),
    ("(m:rate5m <= 3e2)", "m:rate5m", 0, .lessOrEqual, "3e2"),
    ("m > 5 # a comment", "m", 0, .greater, "5"),
    ("+5 < m", "m", 0, .greater, "+5"),
  ])
  func supported(_ text: String, _ metric: String, _ matchers: Int, _ op: AlertOp, _ n: String)
    throws
  {
    let e = try PromExpr.parse(text)
    #expect(e.selector.metric == metric)
    #expect(e.selector.matchers.count == matchers)
    #expect(e.op == op)
    #expect(e.number == n)
  }

  @Test func matchersKeepTheirKindAndValue() throws {
    let e = try PromExpr.parse(#"m{a="x\"y", b!="", c=~"p.*", d!~`raw\d`} > 1"#)
    let labels: LabelSet = ["a": "x\"y", "b": "set", "c": "pq", "d": "other"]
    #expect(e.selector.matchers.allSatisfy { $0.matches(labels) })
    #expect(e.selector.matchers.map(\.isRegex) == [false, false, true, true])
    #expect(!e.selector.matchers[3].matches(["d": "raw7"]))
    #expect(!e.selector.matchers[1].matches(.empty))  // b!="" needs a b label
  }

  @Test(arguments: [
    ("rate(m[5m]) > 1", 0, "the function rate() is not supported"),
    ("sum(m) > 1", 0, "the aggregation sum() is not supported"),
    ("sum by (a) (m) > 1", 0, "the aggregation sum is not supported"),
    ("m + 1 > 5", 2, "the operator + is not supported"),
    ("m > 5 and m < 9", 6, "the operator and is not supported"),
    ("m > bool 5", 4, "the bool modifier is not supported"),
    ("m > on(a) n", 4, "vector matching (on) is not supported"),
    ("m > n", 2, "comparisons between two vectors are not supported"),
    ("1 > 2", 2, "comparing two numbers is not supported"),
    ("m offset 5m > 1", 2, "offset is not supported"),
    ("m[5m] > 1", 1, "range selectors ([5m]) are not supported"),
    ("m @ 100 > 1", 2, "the @ modifier is not supported"),
    ("-m > 1", 0, "unary - on a vector is not supported"),
    ("m", 0, "a bare selector is not supported"),
    ("{job=\"a\"} > 1", 0, "a selector needs a metric name"),
    ("{__name__=~\"m.*\"} > 1", 9, "__name__=~ is not supported"),
    ("m{__name__=\"n\"} > 1", 2, "the metric name is given twice"),
    ("m{a=~\"(\"} > 1", 5, "invalid regular expression"),
    ("m > 1 > 2", 6, "only one comparison is supported"),
    ("m{a=\"x} > 1", 4, "unterminated string"),
    ("m > ", 4, "expected a selector or a number"),
    ("m{a} > 1", 3, "expected =, !=, =~ or !~"),
  ])
  func refused(_ text: String, _ offset: Int, _ message: String) {
    #expect(throws: PromExpr.Problem.self) { try PromExpr.parse(text) }
    do {
      _ = try PromExpr.parse(text)
    } catch {
      #expect(error.offset == offset, "\(error)")
      #expect(error.message.contains(message), "\(error.message)")
    }
  }
}

@Suite struct PromTemplateTests {
  @Test(arguments: [
    (1e6, "1e+06"), (123_456, "123456"), (1_234_567, "1.234567e+06"), (0.0001, "0.0001"),
    (0.00001, "1e-05"), (1.5e-5, "1.5e-05"), (-2.5, "-2.5"), (0, "0"), (1e21, "1e+21"),
    (1e100, "1e+100"), (0.1 + 0.2, "0.30000000000000004"), (5, "5"), (100_000, "100000"),
    (999_999, "999999"), (-0.001, "-0.001"), (123.456, "123.456"), (.infinity, "+Inf"),
    (-.infinity, "-Inf"), (.nan, "NaN"), (9_007_199_254_740_992, "9.007199254740992e+15"),
  ])
  func valuesPrintAsGoPrintsThem(_ v: Double, _ text: String) {
    #expect(goFloat(v) == text)
  }

  @Test func labelsValueAndTrimming() throws {
    let labels: LabelSet = ["__name__": "m", "job": "api"]
    let t = try PromTemplate(
      parsing:
        "{{ $labels.job }}/{{.Labels.job}}/{{ $labels.nope }}/{{ $labels }}  {{- $value -}}  !")
    #expect(t.expand(labels: labels, value: 2.5) == "api/api//map[__name__:m job:api]2.5!")
    #expect(try PromTemplate(parsing: "{{ .Value }}").expand(labels: .empty, value: 1e6) == "1e+06")
    #expect(try PromTemplate(parsing: "{{ $labels }}").expand(labels: .empty, value: 0) == "map[]")
    #expect(try PromTemplate(parsing: "plain {text}").isConstant)
    #expect(try !PromTemplate(parsing: "{{ $value }}").isConstant)
  }

  @Test(arguments: [
    ("x {{ humanize $value }}", 2, "function or action \"humanize\" is not supported"),
    ("{{ $value | printf \"%.2f\" }}", 0, "pipelines"),
    ("{{ if gt $value 1.0 }}hi{{ end }}", 0, "\"if\" is not supported"),
    ("{{/* note */}}", 0, "comments are not supported"),
    ("ok {{ $value", 3, "unclosed action"),
    ("{{ $labels.a-b }}", 0, "action \"$labels.a-b\" is not supported"),
    ("{{ $externalURL }}", 0, "not supported"),
  ])
  func refused(_ text: String, _ offset: Int, _ message: String) {
    do {
      _ = try PromTemplate(parsing: text)
      Issue.record("\(text) was accepted")
    } catch {
      #expect(error.offset == offset)
      #expect(error.message.contains(message), "\(error.message)")
    }
  }

  @Test func alertLabelsAreBuiltAsPrometheusBuildsThem() throws {
    var rule = AlertRule(name: "A", selector: SeriesSelector(metric: "m"))
    rule.templates = RuleTemplates(labels: [
      .init(name: "who", template: try PromTemplate(parsing: "{{ $labels.inst }}-{{ $value }}")),
      .init(name: "gone", template: try PromTemplate(parsing: "{{ $labels.nope }}")),
      .init(name: "job", template: try PromTemplate(parsing: "rule")),
      .init(name: "name", template: try PromTemplate(parsing: "{{ $labels.__name__ }}")),
    ])
    let series: LabelSet = ["inst": "a", "job": "series", "gone": "x", "alertname": "y"]
    let labels = try #require(rule.templates).labels(rule, series: series, value: 3)
    #expect(labels == ["inst": "a", "job": "rule", "who": "a-3", "name": "m"])
  }
}

@Suite struct PromDurationTests {
  @Test func parsesPrometheusDurations() {
    #expect(parsePromDuration("0") == 0)
    #expect(parsePromDuration("0s") == 0)
    #expect(parsePromDuration("90s") == 90 * Nanos.second)
    #expect(parsePromDuration("1h30m") == 90 * Nanos.minute)
    #expect(parsePromDuration("500ms") == 500 * Nanos.millisecond)
    #expect(parsePromDuration("1w2d") == 9 * Nanos.day)
    #expect(parsePromDuration("1y") == 365 * Nanos.day)
    for bad in ["", "5", "1.5m", "30m1h", "5mm", "-1m", "1m1m", "5 m", "99999999999999999y"] {
      #expect(parsePromDuration(bad) == nil, "\(bad)")
    }
  }
}

/// Whatever the text, the expression parser, the template parser and the loader answer (a
/// value or a positioned refusal) and never trap.
@Suite struct PromHostileInputTests {
  static let fragments = [
    "m", "{", "}", "(", ")", "[", "]", ",", "=", "==", "!=", "=~", "!~", "!", ">", ">=", "<", "<=",
    "\"", "'", "`", "\"a\\", "\\x4", "\\u12", "0x", "0x1F", "1e", "1e+", ".", "-", "+", "*", "@",
    "Inf", "NaN", "sum", "by", "offset", "bool", "and", "__name__", "#", "\n", " ", "5m", "é",
    "{{", "}}", "{{-", "-}}", "$value", "$labels", ".Labels.", "|", "/*", "\u{0}",
  ]

  @Test func randomTextNeverTraps() {
    var rng = SplitMix64(seed: 12)
    for _ in 0..<20_000 {
      let n = Int(rng.next() % 12)
      let text = (0..<n).map { _ in Self.fragments[Int(rng.next() % UInt64(Self.fragments.count))] }
        .joined()
      do {
        _ = try PromExpr.parse(text)
      } catch {
        #expect(error.offset >= 0 && error.offset <= text.count, "\(text.debugDescription)")
      }
      do {
        _ = try PromTemplate(parsing: text)
      } catch {
        #expect(error.offset >= 0 && error.offset <= text.count, "\(text.debugDescription)")
      }
      let file = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: \(text)\n"
      _ = RulesLoader.parse(file, file: "f.yml")
    }
  }
}
