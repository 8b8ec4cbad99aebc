import Foundation
import Testing
import VigilTestSupport

@testable import VigilCore

/// Vigil's template expansion against the real `promtool test rules` (2.42): one rule per value,
/// its annotations and labels expanded by ``PromTemplate`` and written as promtool's expected
/// alerts; promtool passes only if Prometheus expands them to the same text.
@Suite struct PromTemplateAgreementTests {
  static let values: [String] = [
    "1000000", "123456", "1234567", "0.0001", "0.00001", "1.5e-5", "-2.5", "0", "1e21", "1e100",
    "0.30000000000000004", "5", "100000", "999999", "-0.001", "123.456", "9007199254740992",
    "1.7976931348623157e308", "4.9e-324", "-1234567.5",
  ]
  static let annotation =
    "v={{ $value }} l={{ $labels }} j={{ $labels.job }} n={{ $labels.nope }} .={{ .Value }}"
    + " {{- .Labels.job -}} ."

  @Test func expansionsMatchPromtool() throws {
    var rules = "groups:\n  - name: t\n    rules:\n"
    var test = "rule_files: [RULES]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n"
    test += "    input_series:\n"
    var alerts = ""
    for (i, v) in Self.values.enumerated() {
      rules += "      - alert: T\(i)\n        expr: t_\(i) != 12345.678\n"
      rules += "        labels:\n          who: 'w{{ $labels.job }}-{{ $value }}'\n"
      rules += "        annotations:\n          a: '\(Self.annotation)'\n"
      test += "      - series: 't_\(i){job=\"j\(i)\"}'\n        values: '\(v)'\n"
      let set = try RulesLoader.parse(rules, file: "r.yml").get()
      let rule = try #require(set.rules.last)
      let value = try #require(Double(v))
      let series: LabelSet = ["__name__": "t_\(i)", "job": "j\(i)"]
      let labels = try #require(rule.templates).labels(
        rule, series: ["job": "j\(i)"], value: value)
      let text = try #require(rule.annotation("a", labels: series, value: value))
      alerts += "      - eval_time: 0m\n        alertname: T\(i)\n        exp_alerts:\n"
      alerts +=
        "          - exp_labels: {"
        + labels.labels.map { "\($0.name): '\($0.value)'" }.joined(separator: ", ") + "}\n"
      alerts += "            exp_annotations: {a: '\(text)'}\n"
    }
    let dir = NSTemporaryDirectory() + "vigil-promtemplate-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try rules.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
    test = test.replacingOccurrences(of: "RULES", with: dir + "/rules.yml")
    try (test + "    alert_rule_test:\n" + alerts)
      .write(toFile: dir + "/test.yml", atomically: true, encoding: .utf8)
    let r = spawnAndWait(["promtool", "test", "rules", dir + "/test.yml"])
    #expect(r.status == 0, "\(r.stdout.prefix(3000))\(r.stderr.prefix(1000))")
    #expect(r.stdout.contains("SUCCESS"))
  }
}
