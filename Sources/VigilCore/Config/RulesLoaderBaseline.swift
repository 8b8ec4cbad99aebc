/// A rule's `baseline: {over, factor, floor, min_minutes, min_count, gap, sigmas,
/// significance}` (see
/// ``BaselineSpec``), validated with `file:line:column` like the rest of the rules file.
extension ConfigReader {
  static let baselineKeys = [
    "over", "factor", "floor", "min_minutes", "min_count", "gap", "sigmas", "significance",
  ]

  mutating func baseline(
    of rule: inout AlertRule, _ node: YAMLNode, nodes: [String: YAMLNode], aggregateName: String
  ) {
    guard
      let map = self.map(
        node, else: "baseline must be a mapping {over, factor, floor, min_minutes, min_count, gap}")
    else { return }
    if !BaselineSpec.aggregates.contains(aggregateName) {
      report(
        node,
        "baseline applies to aggregate "
          + BaselineSpec.aggregates.filter { $0 != "avg" }.joined(separator: ", ")
          + ", not \(aggregateName)")
    }
    if !rule.op.isUpward && !rule.op.isDownward {
      report(node, "a baseline rule's op must be >, >=, < or <=, not \"\(rule.op.rawValue)\"")
    }
    for key in ["threshold", "clear_threshold"] {
      if let v = nodes[key] {
        report(v, "\(key) does not apply with baseline: (use baseline.floor)")
      }
    }
    var spec = BaselineSpec()
    var fields: [String: YAMLNode] = [:]
    for (k, v) in map {
      guard let key = k.scalar, Self.baselineKeys.contains(key) else {
        report(
          k,
          "unknown baseline key \"\(Self.shown(key: k))\"; known: "
            + Self.baselineKeys.joined(separator: ", "))
        continue
      }
      fields[key] = v
      baselineField(key, v, into: &spec)
    }
    if spec.significance != nil, aggregateName != "ratio", aggregateName != "rate",
      let v = fields["significance"]
    {
      report(
        v,
        "baseline.significance judges counts: it applies to aggregate ratio or rate, not "
          + aggregateName)
    }
    if spec.minMinutes > spec.overMinutes, let v = fields["min_minutes"] ?? fields["over"] {
      report(
        v,
        "baseline.min_minutes (\(spec.minMinutes)) must not exceed baseline.over "
          + "(\(spec.overMinutes) minutes)")
    }
    rule.baseline = spec
  }

  private mutating func baselineField(_ key: String, _ v: YAMLNode, into spec: inout BaselineSpec) {
    switch key {
    case "over":
      if let d = wholeMinutes(v, "baseline.over", in: 1...60) { spec.over = d }
    case "gap":
      if let d = wholeMinutes(v, "baseline.gap", in: 0...30) { spec.gap = d }
    case "factor":
      if let f = decimal(v, "baseline.factor") {
        if f.negative || f.num == 0 {
          report(v, "baseline.factor must be above 0, not \(f)")
        } else {
          spec.factor = f
        }
      }
    case "floor":
      if let f = decimal(v, "baseline.floor") {
        if f.negative { report(v, "baseline.floor must not be negative, not \(f)") }
        spec.floor = f
      }
    case "sigmas":
      if let f = decimal(v, "baseline.sigmas") {
        if f.negative { report(v, "baseline.sigmas must not be negative, not \(f)") }
        spec.sigmas = f
      }
    case "significance":
      guard let text = scalar(v, "baseline.significance") else { return }
      if let p = Double(text), p.isFinite, p > 0, p < 1 {
        spec.significance = p
      } else {
        report(
          v,
          "baseline.significance must be a probability between 0 and 1 (e.g. 1e-6), not "
            + "\"\(Self.shown(text))\"")
      }
    case "min_minutes":
      if let n = int(
        v, "baseline.min_minutes", in: 1...60,
        else: "baseline.min_minutes must be a whole number from 1 to 60")
      {
        spec.minMinutes = n
      }
    default:  // min_count
      if let n = int(
        v, "baseline.min_count", in: 0...1_000_000_000,
        else: "baseline.min_count must be a whole number from 0 to 1000000000")
      {
        spec.minCount = UInt64(n)
      }
    }
  }

  /// A duration of whole minutes within `range` (the history keeps an hour of minutes).
  private mutating func wholeMinutes(_ v: YAMLNode, _ what: String, in range: ClosedRange<Int>)
    -> Int64?
  {
    guard let d = duration(v, what, allowZero: range.lowerBound == 0) else { return nil }
    let minutes = d / Nanos.minute
    guard d % Nanos.minute == 0, range.contains(Int(clamping: minutes)) else {
      report(
        v,
        "\(what) must be whole minutes from \(range.lowerBound)m to \(range.upperBound)m "
          + "(the history keeps an hour of minutes), not \(Nanos.format(d))")
      return nil
    }
    return d
  }
}
