import Foundation
import VigilTestSupport

/// Random Prometheus alerting cases for the promtool agreement suite: gauge series with gaps
/// (some longer than the 5m lookback, some exactly 5m), values equal to the threshold or the
/// doubles beside it, random
/// operators (the number on either side), selectors, `for` and `keep_firing_for`.
///
/// A batch is one rules file (a group per case), one `promtool test rules` file (one test group
/// holding every case's series, and for every case's alert at every evaluation time the alerts
/// Vigil had firing then) and one feed (JSON lines with the same samples). promtool passes iff
/// it agrees with Vigil everywhere; its failures name the alert, so the case.
struct AgreementCase {
  var id: Int
  var metric: String { "m_\(id)" }
  var alert: String { "A_\(id)" }
  /// Each series: its `inst` label and its value at each step (nil: no sample).
  var series: [(inst: String, values: [String?])]
  /// The selector as written in `expr`, and its Vigil-format equivalent (`select:` entries).
  var selector: String
  var vigilSelect: String
  var op: String
  var threshold: String
  var numberOnLeft: Bool
  var forSeconds: Int
  var keepSeconds: Int
  /// Static rule labels, and whether the rule adds `who: "{{ $labels.inst }}"`.
  var labels: [(String, String)]
  var templatedLabel: Bool

  var expr: String {
    let flipped = ["<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="][op] ?? op
    return numberOnLeft ? "\(threshold) \(flipped) \(selector)" : "\(selector) \(op) \(threshold)"
  }

  /// Generates case `id` of a batch with `steps` samples per series.
  static func random(id: Int, steps: Int, secondsPerTick: Int, rng: inout SplitMix64)
    -> AgreementCase
  {
    let thresholds = ["5", "0.5", "-2", "100", "0"]
    let threshold = thresholds[Int(rng.next() % UInt64(thresholds.count))]
    let base = Double(threshold) ?? 0
    let insts = Array(["a", "b", "c"].prefix(1 + Int(rng.next() % 3)))
    let gapChance = 0.05 + 0.4 * rng.unit()
    var series: [(inst: String, values: [String?])] = []
    for inst in insts {
      var values: [String?] = []
      var level = Int(rng.next() % 5) - 2
      while values.count < steps {
        if rng.unit() < 0.12 {
          // A gap: sometimes just under, at or past the 5m lookback.
          let n = 2 + Int(rng.next() % 9)
          values.append(contentsOf: repeatElement(nil, count: min(n, steps - values.count)))
          continue
        }
        if rng.unit() < 0.3 { level = Int(rng.next() % 5) - 2 }
        // Mostly on a 0.5 grid around the threshold (equal to it included); sometimes the
        // doubles just beside it.
        let v =
          rng.unit() < 0.08
          ? (rng.unit() < 0.5 ? base.nextUp : base.nextDown) : base + Double(level) * 0.5
        values.append(rng.unit() < gapChance ? nil : number(v))
      }
      series.append((inst, values))
    }
    let metric = "m_\(id)"
    let forms: [(String, String)] = [
      (metric, ""), ("\(metric){inst=\"a\"}", "inst: a"), ("{__name__=\"\(metric)\"}", ""),
      ("\(metric){inst!=\"b\"}", "inst: {not: b}"),
      ("\(metric){inst=~\"a|b\"}", "inst: {match: \"a|b\"}"),
      ("\(metric){inst!~\"c\"}", "inst: {not_match: c}"),
    ]
    let form = forms[Int(rng.next() % UInt64(forms.count))]
    let ops = [">", ">=", "<", "<=", "==", "!="]
    let durations = [0, 0, 0, 1, 1, 2, 3, 4, 5, 8]
    let unit = max(15, secondsPerTick / 2)
    return AgreementCase(
      id: id, series: series,
      selector: form.0, vigilSelect: form.1, op: ops[Int(rng.next() % 6)], threshold: threshold,
      numberOnLeft: rng.unit() < 0.2,
      forSeconds: durations[Int(rng.next() % 10)] * unit,
      keepSeconds: durations[Int(rng.next() % 10)] * unit,
      labels: rng.unit() < 0.5 ? [("sev", "page")] : [],
      templatedLabel: rng.unit() < 0.4)
  }

  static func number(_ v: Double) -> String {
    let s = "\(v)"
    return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
  }

  /// A Prometheus duration for whole seconds (`0s`, `45s`, `2m`, `1m30s`).
  static func duration(_ seconds: Int) -> String {
    if seconds == 0 { return "0s" }
    let m = seconds / 60
    let s = seconds % 60
    return (m > 0 ? "\(m)m" : "") + (s > 0 ? "\(s)s" : "")
  }

  /// The case's group in the Prometheus rules file.
  var promGroup: String {
    var y = "  - name: g_\(id)\n    rules:\n      - alert: \(alert)\n"
    y += "        expr: '\(expr)'\n"
    y += "        for: \(AgreementCase.duration(forSeconds))\n"
    y += "        keep_firing_for: \(AgreementCase.duration(keepSeconds))\n"
    if !labels.isEmpty || templatedLabel {
      y += "        labels:\n"
      for (k, v) in labels { y += "          \(k): \(v)\n" }
      if templatedLabel { y += "          who: \"{{ $labels.inst }}\"\n" }
    }
    return y
  }

  /// The same rule in Vigil's own format with the settings that reproduce Prometheus's timeline
  /// (without the templated label).
  func vigilRule(_ settings: VigilTimeline) -> String {
    var y = "  - alert: \(alert)\n    metric: \(metric)\n    aggregate: last\n    window: 5m\n"
    if settings.inclusive { y += "    window_start: inclusive\n" }
    if settings.absentFalse { y += "    absent: \"false\"\n" }
    if !vigilSelect.isEmpty { y += "    select: {\(vigilSelect)}\n" }
    y += "    op: \"\(op)\"\n    threshold: \(threshold)\n"
    y += "    for: \(forSeconds)s\n    keep_firing_for: \(keepSeconds)s\n"
    if !labels.isEmpty {
      y += "    labels: {" + labels.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}\n"
    }
    return y
  }
}

/// Which of the settings that reproduce Prometheus's timeline a Vigil-format rules file uses.
struct VigilTimeline {
  var inclusive = true
  var absentFalse = true
  var firstSample = true
  var nanosecondDelay = true
}

/// One batch: its cases and timing.
struct AgreementBatch {
  var name: String
  var evalSeconds: Int
  var sampleSeconds: Int
  var steps: Int
  var cases: [AgreementCase]

  init(
    name: String, evalSeconds: Int, sampleSeconds: Int, steps: Int, count: Int, firstID: Int,
    rng: inout SplitMix64
  ) {
    self.name = name
    self.evalSeconds = evalSeconds
    self.sampleSeconds = sampleSeconds
    self.steps = steps
    cases = (0..<count).map {
      AgreementCase.random(
        id: firstID + $0, steps: steps, secondsPerTick: evalSeconds, rng: &rng)
    }
  }

  /// Every evaluation time compared: from 0 to the last sample.
  var evalTimes: [Int] {
    Array(stride(from: 0, through: (steps - 1) * sampleSeconds, by: evalSeconds))
  }

  var promRules: String {
    "groups:\n"
      + cases.map {
        $0.promGroup.replacingOccurrences(
          of: "    rules:", with: "    interval: \(AgreementCase.duration(evalSeconds))\n    rules:"
        )
      }.joined()
  }

  func vigilRules(_ settings: VigilTimeline = VigilTimeline()) -> String {
    "evaluation_interval: \(evalSeconds)s\n"
      + (settings.nanosecondDelay ? "eval_delay: 1ns\n" : "")
      + (settings.firstSample ? "first_evaluation: first_sample\n" : "")
      + "rules:\n" + cases.map { $0.vigilRule(settings) }.joined()
  }

  /// The feed: every sample as a JSON line, in time order; a `clock` series samples the last
  /// step so `vigil check` evaluates up to it.
  var feed: String {
    var lines: [String] = []
    for step in 0..<steps {
      let ts = isoTime(step * sampleSeconds)
      for c in cases {
        for s in c.series {
          guard let v = s.values[step] else { continue }
          lines.append(
            "{\"ts\":\"\(ts)\",\"metric\":\"\(c.metric)\",\"value\":\(v),"
              + "\"labels\":{\"inst\":\"\(s.inst)\"}}")
        }
      }
    }
    lines.append(
      "{\"ts\":\"\(isoTime((steps - 1) * sampleSeconds))\",\"metric\":\"clock\",\"value\":0}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// The promtool test file expecting `firing[alert][time]` (label sets as `k: v` maps).
  func promTest(rulesFile: String, firing: [String: [Int: [[String: String]]]]) -> String {
    var y = "rule_files: ['\(rulesFile)']\nevaluation_interval: "
    y += AgreementCase.duration(evalSeconds) + "\ntests:\n  - interval: "
    y += AgreementCase.duration(sampleSeconds) + "\n    input_series:\n"
    for c in cases {
      for s in c.series {
        y += "      - series: '\(c.metric){inst=\"\(s.inst)\"}'\n"
        y += "        values: '" + s.values.map { $0 ?? "_" }.joined(separator: " ") + "'\n"
      }
    }
    y += "    alert_rule_test:\n"
    for c in cases {
      for t in evalTimes {
        y += "      - eval_time: \(AgreementCase.duration(t))\n        alertname: \(c.alert)\n"
        let alerts = firing[c.alert]?[t] ?? []
        if alerts.isEmpty {
          y += "        exp_alerts: []\n"
          continue
        }
        y += "        exp_alerts:\n"
        for labels in alerts {
          let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key): '\($0.value)'" }
          y += "          - exp_labels: {" + pairs.joined(separator: ", ") + "}\n"
        }
      }
    }
    return y
  }
}

func isoTime(_ seconds: Int) -> String {
  let f = ISO8601DateFormatter()
  f.timeZone = TimeZone(identifier: "UTC")
  return f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
}

/// From `vigil check`'s transition lines: per alert, per evaluation time, the label sets in
/// Firing or Recovering (what Prometheus calls firing) after that tick.
func firingAt(_ output: String, times: [Int]) -> [String: [Int: [[String: String]]]] {
  var events: [(t: Int, rule: String, labels: [String: String], problem: Bool)] = []
  for line in output.split(separator: "\n") {
    guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
      let rule = obj["rule"] as? String, let ts = obj["t"] as? String,
      let to = obj["to"] as? String, let labels = obj["labels"] as? [String: String],
      let date = ISO8601DateFormatter().date(from: ts)
    else { continue }
    events.append(
      (Int(date.timeIntervalSince1970), rule, labels, to == "firing" || to == "recovering"))
  }
  var state: [String: [[String: String]: Bool]] = [:]
  var out: [String: [Int: [[String: String]]]] = [:]
  var i = 0
  for t in times {
    while i < events.count && events[i].t <= t {
      state[events[i].rule, default: [:]][events[i].labels] = events[i].problem
      i += 1
    }
    for (rule, instances) in state {
      let on = instances.filter(\.value).map(\.key)
      if !on.isEmpty { out[rule, default: [:]][t] = on }
    }
  }
  return out
}

/// The alerts promtool reported as disagreeing, by alert name, with its text for each.
func promtoolFailures(_ output: String) -> [String: String] {
  var out: [String: String] = [:]
  let lines = output.components(separatedBy: "\n")
  for (i, line) in lines.enumerated() {
    guard let r = line.range(of: "alertname: "),
      let comma = line[r.upperBound...].firstIndex(of: ",")
    else { continue }
    let name = String(line[r.upperBound..<comma])
    let block = lines[i..<min(i + 12, lines.count)].joined(separator: "\n")
    out[name, default: ""] += block + "\n"
  }
  return out
}
