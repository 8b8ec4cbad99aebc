@testable import VigilCore

/// Minute `m` as a tick time.
func minute(_ m: Int) -> Timestamp { Timestamp(nanoseconds: Int64(m) * Nanos.minute) }

/// A scripted data source: series given as samples at minutes, read without windows
/// machinery, so the vectors of SEMANTICS §13 (written as value sequences per minute) become
/// tests directly.
///
/// - A gauge's reading is its newest sample in `(t − W, t]` (for `.sum`, the sum of them).
/// - A cumulative counter's `.sum` is its increase over `(t − W, t]`: each sample's delta from the
///   previous sample (the value itself after a reset) counts in the window of the later sample,
///   with no extrapolation (SEMANTICS §8.2).
/// - `fixedSums` answers `.sum` for (metric, window) directly, whatever the tick.
struct ScriptedSource: AlertDataSource {
  enum Kind { case gauge, counter }
  struct Series {
    var metric: String
    var labels: LabelSet
    var kind: Kind
    /// Sorted by time.
    var samples: [(t: Int64, v: Double)]
    /// An explicit staleness marker (promtool's `stale`).
    var staleAt: Int64?
  }
  var all: [Series] = []
  var fixedSums: [String: [Int64: Double]] = [:]
  var unservable: Set<Int64> = []

  /// Adds a series from a promtool-style value list, one value per minute from minute 0:
  /// numbers, `_` (no sample), `stale`, `a+bxN` (N+1 values a, a+b, ...), `axN` (N+1 copies).
  mutating func add(_ metric: String, _ values: String, kind: Kind = .gauge) {
    add(metric, LabelSet.empty, values, kind: kind)
  }

  mutating func add(_ metric: String, _ labels: LabelSet, _ values: String, kind: Kind = .gauge) {
    var samples: [(Int64, Double)] = []
    var staleAt: Int64?
    var m: Int64 = 0
    for token in values.split(separator: " ") {
      if token == "_" {
        m += 1
      } else if token == "stale" {
        staleAt = m * Nanos.minute
        m += 1
      } else if let x = token.firstIndex(of: "x") {
        let head = token[..<x]
        let n = Int64(token[token.index(after: x)...]) ?? 0
        var start: Double
        var step: Double = 0
        if let plus = head.dropFirst().firstIndex(where: { $0 == "+" || $0 == "-" }) {
          start = Double(head[..<plus]) ?? .nan
          step = Double(head[plus...].dropFirst()) ?? .nan
          if head[plus] == "-" { step = -step }
        } else {
          start = Double(head) ?? .nan
        }
        if head.hasPrefix("_") {
          m += n  // promtool: `_xN` is N missing samples
          continue
        }
        for i in 0...n {
          samples.append((m * Nanos.minute, start + Double(i) * step))
          m += 1
        }
      } else {
        samples.append((m * Nanos.minute, Double(token) ?? .nan))
        m += 1
      }
    }
    all.append(
      Series(
        metric: metric, labels: labels, kind: kind, samples: samples.map { (t: $0.0, v: $0.1) },
        staleAt: staleAt))
  }

  func series(_ selector: SeriesSelector) -> [SeriesRef] {
    var out: [SeriesRef] = []
    for (i, s) in all.enumerated()
    where s.metric == selector.metric && selector.matchers.allSatisfy({ $0.matches(s.labels) }) {
      out.append(SeriesRef(id: SeriesID(UInt32(i)), labels: s.labels))
    }
    if out.isEmpty, fixedSums[selector.metric] != nil {
      out.append(
        SeriesRef(id: SeriesID(UInt32(10_000 + fixedIndex(selector.metric))), labels: .empty))
    }
    return out.sorted { $0.labels < $1.labels }
  }

  private func fixedIndex(_ metric: String) -> Int {
    fixedSums.keys.sorted().firstIndex(of: metric) ?? 0
  }

  func reading(_ measure: SeriesMeasure, series: SeriesID, window: Int64, at t: Timestamp)
    -> SeriesReading
  {
    let now = t.nanoseconds
    if series.index >= 10_000 {
      let metric = fixedSums.keys.sorted()[series.index - 10_000]
      return SeriesReading(value: fixedSums[metric]?[window], newest: t)
    }
    let s = all[series.index]
    if let stale = s.staleAt, stale <= now {
      return SeriesReading(value: nil, newest: nil, ended: true)
    }
    var inWindow: [(t: Int64, v: Double, delta: Double)] = []
    var previous: Double?
    for (st, v) in s.samples {
      if st > now { break }
      let delta = previous.map { v >= $0 ? v - $0 : v } ?? 0
      previous = v
      if st > now - window { inWindow.append((st, v, delta)) }
    }
    guard let newest = inWindow.last else { return .empty }
    let value: Double
    switch (measure, s.kind) {
    case (.sum, .counter): value = inWindow.reduce(0) { $0 + $1.delta }
    case (.sum, .gauge): value = inWindow.reduce(0) { $0 + $1.v }
    case (.count, _): value = Double(inWindow.count)
    default: value = newest.v
    }
    return SeriesReading(value: value, newest: Timestamp(nanoseconds: newest.t))
  }

  /// The newest sample in `[t − lookback, t]` (a staleness marker at or before `t` ends it).
  func latest(series: SeriesID, lookback: Int64, at t: Timestamp) -> SeriesReading {
    guard series.index < all.count else { return .empty }
    let s = all[series.index]
    let now = t.nanoseconds
    if let stale = s.staleAt, stale <= now {
      return SeriesReading(value: nil, newest: nil, ended: true)
    }
    guard let newest = s.samples.last(where: { $0.t <= now }), newest.t >= now - lookback else {
      return .empty
    }
    return SeriesReading(value: newest.v, newest: Timestamp(nanoseconds: newest.t))
  }

  func problem(window: Int64, measure: SeriesMeasure) -> String? {
    unservable.contains(window) ? "window \(Nanos.format(window)) not served" : nil
  }
}

/// Runs ticks at each minute of `minutes` and returns the transitions in order.
func runMinutes(
  _ evaluator: inout AlertEvaluator, _ source: ScriptedSource, _ minutes: ClosedRange<Int>
) -> [AlertTransition] {
  var out: [AlertTransition] = []
  for m in minutes { out += evaluator.tick(at: minute(m), data: source) }
  return out
}

/// Compact form for assertions: `minute:rule{labels}:from>to`.
func brief(_ transitions: [AlertTransition], labels: Bool = false) -> [String] {
  transitions.map {
    let m = $0.t.nanoseconds / Nanos.minute
    let r = $0.reason.map { " (\($0.rawValue))" } ?? ""
    return
      "\(m):\($0.rule)\(labels ? $0.labels.description : ""):\($0.from.rawValue)>\($0.to.rawValue)\(r)"
  }
}

/// A one-minute-tick rule set.
func minuteRules(_ rules: AlertRule...) -> RuleSet {
  RuleSet(evaluationInterval: Nanos.minute, evalDelay: 0, rules: rules)
}

/// `x <op> threshold` over the newest sample in a 1-minute window.
func gaugeRule(
  _ name: String = "CheckoutP99High", metric: String = "x", op: AlertOp = .greater,
  threshold: String = "2", clear: String? = nil, for forMinutes: Int64 = 3, keep: Int64 = 0,
  window: Int64 = Nanos.minute, noDataAfter: Int64 = 5 * Nanos.minute,
  noDataState: FallbackState = .hold, labels: LabelSet = ["severity": "page"]
) -> AlertRule {
  AlertRule(
    name: name, selector: SeriesSelector(metric: metric), aggregate: .series(.last),
    window: window, op: op, threshold: Rational(parsing: threshold) ?? .zero,
    clearThreshold: clear.flatMap { Rational(parsing: $0) }, forDuration: forMinutes * Nanos.minute,
    keepFiringFor: keep * Nanos.minute, noDataAfter: noDataAfter, noDataState: noDataState,
    labels: labels)
}
