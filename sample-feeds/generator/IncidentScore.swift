import VigilCore

/// How well `vigil check --suspects` did on one generated incident, scored against its truth.
///
/// - detected: a transition to `firing` of a rule other than `FeedStale` at or after the onset;
/// - delay: ticks (10 s) from `visible` to that first firing (negative when it fired earlier);
/// - top-1 / top-3: the first component (or any of the first three) of that firing's suspects
///   line is the truth's component; `nil` when no suspects line followed (`--suspects` missing);
/// - on demand: the first suspects line with `"alert":null` (`vigil check --suspects-at TIME`,
///   what the `d` key shows; the bench asks for it two ticks after `visible`), judged the same way
///   whatever fired;
/// - false alerts: transitions to `firing` (not `FeedStale`) before the onset, or any in `none`;
/// - quiet time: the fault-free seconds (the baseline, spikes included; all of `none`).
public struct IncidentScore: Sendable, Equatable {
  public var kind: IncidentKind
  public var seed: UInt64
  public var detected = false
  /// The first firing at or after the onset.
  public var firing: Timestamp?
  public var rule: String?
  /// Ticks of 10 s from `visible` to `firing`.
  public var delayTicks: Double?
  /// Ticks from the truth's `visible_expected` (the expected statistic alone) to `firing`.
  public var expectedDelayTicks: Double?
  /// The components of the first firing's suspects line, best first.
  public var suspects: [String]?
  public var top1: Bool?
  public var top3: Bool?
  /// The components of the first on-demand suspects line (`"alert":null`), best first.
  public var onDemand: [String]?
  public var onDemandTop1: Bool?
  public var falseAlerts = 0
  /// Rules that fired falsely (first few).
  public var falseRules: [String] = []
  public var quietSeconds: Int64 = 0
  /// Lines that were not JSON objects (counted, not fatal).
  public var unreadable = 0

  public static let tick = 10 * Nanos.second

  /// Scores `output` (the lines `vigil check --suspects` printed) against `truth`.
  public init(truth: IncidentTruth, output: String) {
    kind = truth.kind
    seed = truth.seed
    let quietEnd = truth.kind == .none ? truth.end : truth.onset
    quietSeconds = quietEnd.since(truth.start) / Nanos.second
    var awaitingSuspects = false
    for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
      guard let v = try? JSONValue.parse(String(line)), v.objectMembers != nil else {
        unreadable += 1
        continue
      }
      if let list = v["suspects"]?.array {
        if v["alert"] == .null && onDemand == nil {
          onDemand = list.compactMap { $0["component"]?.string }
          onDemandTop1 = onDemand?.first == truth.component
        }
        if awaitingSuspects && v["alert"]?.string == rule {
          record(suspects: list, truth: truth)
          awaitingSuspects = false
        }
        continue
      }
      guard let name = v["rule"]?.string, v["to"]?.string == "firing",
        name != RuleSet.feedStaleRule, let t = v["t"]?.string.flatMap(IncidentScore.time)
      else { continue }
      if truth.kind == .none || t < truth.onset {
        falseAlerts += 1
        if falseRules.count < 5 && !falseRules.contains(name) { falseRules.append(name) }
      } else if !detected {
        detected = true
        (firing, rule) = (t, name)
        delayTicks = truth.visible.map { Double(t.since($0)) / Double(IncidentScore.tick) }
        expectedDelayTicks = truth.visibleExpected.map {
          Double(t.since($0)) / Double(IncidentScore.tick)
        }
        awaitingSuspects = true
      }
    }
  }

  mutating func record(suspects list: [JSONValue], truth: IncidentTruth) {
    let names = list.compactMap { $0["component"]?.string }
    suspects = names
    top1 = names.first == truth.component
    top3 = names.prefix(3).contains { $0 == truth.component }
  }

  /// An RFC 3339 time, or nil.
  static func time(_ s: String) -> Timestamp? {
    if case .timestamp(let t) = RFC3339.parse(s) { return t }
    return nil
  }
}

/// Scores of many incidents, summed per kind and overall.
public struct IncidentTally: Sendable {
  public var incidents = 0
  public var faults = 0
  public var detected = 0
  public var delays: [Double] = []
  /// Delays from `visible_expected` (differs from `delays` for ratio faults only).
  public var expectedDelays: [Double] = []
  public var top1 = 0
  public var top3 = 0
  /// Incidents that had a suspects line to judge.
  public var ranked = 0
  /// Incidents with an on-demand suspects line, and those whose first suspect was right.
  public var onDemandRanked = 0
  public var onDemandTop1 = 0
  public var falseAlerts = 0
  public var quietSeconds: Int64 = 0

  public init() {}

  public mutating func add(_ s: IncidentScore) {
    incidents += 1
    falseAlerts += s.falseAlerts
    quietSeconds += s.quietSeconds
    guard s.kind != .none else { return }
    faults += 1
    if s.detected { detected += 1 }
    if let d = s.delayTicks { delays.append(d) }
    if let d = s.expectedDelayTicks { expectedDelays.append(d) }
    if let t = s.onDemandTop1 {
      onDemandRanked += 1
      if t { onDemandTop1 += 1 }
    }
    if let t = s.top1 {
      ranked += 1
      if t { top1 += 1 }
      if s.top3 == true { top3 += 1 }
    }
  }

  /// The `q` quantile of the delays (nearest rank), nil when none; of `expectedDelays` with
  /// `expected`.
  public func delay(_ q: Double, expected: Bool = false) -> Double? {
    let list = expected ? expectedDelays : delays
    guard !list.isEmpty else { return nil }
    let sorted = list.sorted()
    let rank = (q * Double(sorted.count)).rounded(.up)
    return sorted[min(sorted.count - 1, max(0, Int(clamping: rank) - 1))]
  }

  public var falseAlertsPerQuietHour: Double {
    quietSeconds > 0 ? Double(falseAlerts) * 3_600 / Double(quietSeconds) : 0
  }

  /// Detected faults that fired within two ticks of `visible` (the target), of the
  /// `delays.count` that had a `visible` (a rare-event ratio fault may never plainly show in
  /// one minute's counts).
  public var withinTwoTicks: Int { delays.filter { $0 <= 2 }.count }

  /// One row of the bench's table: `kind n detected% median p90 max ≤2 top1 top3 false/h`.
  public func row(_ name: String) -> String {
    func pct(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : "\(a * 100 / b)%" }
    func ticks(_ d: Double?) -> String {
      d.map { String(($0 * 10).rounded() / 10) } ?? "-"
    }
    let cells = [
      name, String(incidents), faults == 0 ? "-" : "\(detected)/\(faults)",
      ticks(delay(0.5)), ticks(delay(0.9)), ticks(delay(1)),
      faults == 0 ? "-" : "\(withinTwoTicks)/\(delays.count)",
      ranked == 0 ? (faults == 0 ? "-" : "n/a") : pct(top1, ranked),
      ranked == 0 ? (faults == 0 ? "-" : "n/a") : pct(top3, ranked),
      String(falseAlerts), String((falseAlertsPerQuietHour * 100).rounded() / 100),
      onDemandRanked == 0 ? "-" : pct(onDemandTop1, onDemandRanked),
    ]
    return IncidentTally.format(cells)
  }

  public static let header = format([
    "kind", "n", "detected", "delay p50", "p90", "max", "<=2", "top-1", "top-3", "false",
    "false/quiet h",
    "d top-1",
  ])

  static func format(_ cells: [String]) -> String {
    let widths = [17, 4, 9, 10, 6, 6, 8, 6, 6, 6, 14, 8]
    return zip(cells, widths).map { c, w in
      c.count >= w ? c + " " : c + String(repeating: " ", count: w - c.count)
    }.joined().trimmingSuffixSpaces
  }
}

extension String {
  var trimmingSuffixSpaces: String {
    var s = self
    while s.last == " " { s.removeLast() }
    return s
  }
}
