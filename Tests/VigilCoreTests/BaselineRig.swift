import Foundation
import VigilTestSupport

@testable import VigilCore

/// A seeded synthetic feed for baseline rules: lognormal latencies and binomial-ish ratios,
/// second by second, into the real store, recording the minute history and ticking the
/// evaluator as the Engine does (history first, at each tick that starts a minute).
struct BaselineRig {
  var store = MetricStore()
  var interner = SeriesInterner()
  var history = MinuteHistory()
  var evaluator: AlertEvaluator
  var rng: SplitMix64
  var transitions: [AlertTransition] = []
  /// The first second of the feed (a whole hour, so minutes and ticks line up).
  let start = noon

  init(rules yaml: String, seed: UInt64 = 1) throws {
    evaluator = AlertEvaluator(rules: try RulesLoader.parse(yaml, file: "rules.yaml").get())
    rng = SplitMix64(seed: seed)
  }

  func at(_ second: Int) -> Timestamp { start.adding(Int64(second) * Nanos.second) }

  mutating func normal() -> Double {
    let u = max(rng.unit(), 1e-12)
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * rng.unit())
  }

  /// A Poisson draw (small means; inversion).
  mutating func poisson(_ mean: Double) -> Int {
    var k = 0
    var p = exp(-mean)
    var s = p
    let u = rng.unit()
    while u > s && k < 10_000 {
      k += 1
      p *= mean / Double(k)
      s += p
    }
    return k
  }

  mutating func put(_ metric: String, _ labels: LabelSet, _ value: Double, at t: Timestamp) {
    guard let id = interner.intern(SeriesKey(metric, labels)) else { return }
    _ = store.ingest(Sample(series: id, timestamp: t, value: value), now: t)
  }

  /// `count` lognormal samples (median, sigma) spread over second `s`.
  mutating func latency(
    _ metric: String, _ labels: LabelSet, second s: Int, count: Int, median: Double,
    sigma: Double
  ) {
    for k in 0..<count {
      let t = at(s).adding(Int64(k + 1) * Nanos.second / Int64(count + 1))
      put(metric, labels, median * exp(sigma * normal()), at: t)
    }
  }

  /// One second of a ratio: `den` events (Poisson) of which each is a `num` event with
  /// probability `ratio`.
  mutating func ratio(
    num: String, den: String, _ labels: LabelSet, second s: Int, rate: Double, ratio: Double
  ) {
    let n = poisson(rate)
    var hits = 0
    for _ in 0..<n where rng.unit() < ratio { hits += 1 }
    let t = at(s).adding(Nanos.second / 2)
    put(den, labels, Double(n), at: t)
    put(num, labels, Double(hits), at: t)
  }

  /// Evaluates the ticks due once second `s` is over (the samples of second `s` have landed).
  mutating func evaluate(after s: Int) {
    let now = at(s + 1)
    for t in evaluator.ticksDue(now: now) where t > start {
      if history.newestMinute != MinuteHistory.minute(endingAtOrBefore: t) {
        history.record(through: t, store: store)
      }
      let data = MetricStoreAlertSource(store: store, interner: interner, history: history)
      transitions += evaluator.tick(at: t, data: data)
    }
  }

  /// Runs seconds `range`, calling `feed` for each, then evaluating.
  mutating func run(_ range: Range<Int>, _ feed: (inout BaselineRig, Int) -> Void) {
    for s in range {
      feed(&self, s)
      evaluate(after: s)
    }
  }

  /// Transitions of `rule` (optionally one instance) to firing.
  func fired(_ rule: String, _ labels: LabelSet? = nil) -> [AlertTransition] {
    transitions.filter {
      $0.rule == rule && $0.to == .firing && (labels == nil || $0.labels == labels)
    }
  }
}

/// A baseline p99 rule `Slow` on `api_latency_ms`.
func latencyRule(
  _ baseline: String =
    "{over: 1h, factor: 2, floor: 150, min_minutes: 10, min_count: 20, gap: 2m}",
  op: String = ">"
) -> String {
  """
  evaluation_interval: 10s
  eval_delay: 2s
  rules:
    - alert: Slow
      metric: api_latency_ms
      aggregate: p99
      window: 1m
      op: "\(op)"
      baseline: \(baseline)
      for: 0s
  """
}
