import Foundation
import VigilTestSupport

@testable import VigilCore

/// A small synthetic shop for the suspects tests: every second, API calls to ten services,
/// checkouts through four stages (total = the stages + overhead), payment attempts with retries
/// and failures, inventory checks per pair with mismatches, confirmation delays and tickets,
/// each with log-normal noise; `effect` multiplies what a fault or a spike moves.
struct SuspectWorld {
  enum Effect: Hashable {
    case api(String)
    case stage(String)
    case retryRatio, failureRatio, tickets, delay, traffic
    case mismatch(String)
    /// Latencies everywhere (a traffic spike's +10-40 %).
    case allLatency
  }

  static let start = Timestamp.seconds(1_795_687_200)  // 2026-11-26T10:00:00Z
  static let services: [(String, Double)] = [
    ("checkout", 300), ("cart", 40), ("catalog", 60), ("search", 90), ("pricing", 80),
    ("tax", 60), ("inventory", 100), ("payment", 400), ("erp", 200), ("oms", 150),
  ]
  static let stages: [(String, Double)] = [
    ("pricing", 80), ("tax", 60), ("inventory", 100), ("payment", 400),
  ]
  static let pairs = ["storefront-oms", "oms-erp", "storefront-erp"]

  var seconds: Int
  var seed: UInt64 = 1
  /// The multiplier of `effect` at second `s` (1: unchanged).
  var effect: (Effect, Int) -> Double = { _, _ in 1 }

  /// Every sample in time order: `body(key, t, value)`.
  func forEachSample(_ body: (SeriesKey, Timestamp, Double) -> Void) {
    var rng = SplitMix64(seed: seed)
    func noise(_ sigma: Double) -> Double {
      let u1 = max(rng.unit(), 1e-12)
      let u2 = rng.unit()
      return exp(sigma * sqrt(-2 * log(u1)) * cos(2 * .pi * u2))
    }
    func count(_ mean: Double) -> Double {
      // A rounded count with the mean's fraction kept on average.
      let base = mean.rounded(.down)
      return base + (rng.unit() < mean - base ? 1 : 0)
    }
    for s in 0..<seconds {
      let t = SuspectWorld.start.adding(Int64(s) * Nanos.second)
      let traffic = effect(.traffic, s)
      let lat = effect(.allLatency, s)
      for (name, base) in SuspectWorld.services {
        for _ in 0..<2 {
          body(
            SeriesKey("api_latency_ms", ["service": name]), t,
            base * noise(0.25) * effect(.api(name), s) * lat)
        }
      }
      var total = 50 * noise(0.2)
      for (name, base) in SuspectWorld.stages {
        let v = base * noise(0.25) * effect(.stage(name), s) * lat
        total += v
        body(SeriesKey("checkout_latency_ms", ["stage": name]), t, v)
      }
      body(SeriesKey("checkout_latency_ms", ["stage": "total"]), t, total)
      body(SeriesKey("order_confirmation_delay_ms"), t, 2_000 * noise(0.3) * effect(.delay, s))
      let attempts = count(10 * traffic)
      body(SeriesKey("payment_attempts_total"), t, attempts)
      body(
        SeriesKey("payment_retries_total", ["reason": "timeout"]), t,
        count(attempts * 0.02 * effect(.retryRatio, s)))
      body(
        SeriesKey("payment_failures_total"), t, count(attempts * 0.005 * effect(.failureRatio, s)))
      for pair in SuspectWorld.pairs {
        let checks = count(10 * traffic)
        body(SeriesKey("inventory_checks_total", ["pair": pair]), t, checks)
        body(
          SeriesKey("inventory_mismatches_total", ["pair": pair]), t,
          count(checks * 0.002 * effect(.mismatch(pair), s)))
      }
      body(
        SeriesKey("support_tickets_total", ["reason": "order_error"]), t,
        count(0.02 * effect(.tickets, s)))
    }
  }

  /// An engine that has seen the whole world (ticks evaluated up to the last second).
  func engine(rules: RuleSet = RuleSet()) -> Engine {
    var engine = Engine(rules: rules, clockMode: .event)
    var observer = NoEngineObserver()
    forEachSample { key, t, v in
      guard let id = engine.sink.interner.lookup(key) ?? engine.sink.interner.intern(key) else {
        return
      }
      engine.trackLongWindows()
      let sample = Sample(series: id, timestamp: t, value: v)
      let now = engine.advance(to: sample, arrival: t, observer: &observer)
      _ = engine.land(sample, now: now, feed: 0)
    }
    return engine
  }

  /// The world as JSON lines (`vigil check`'s default feed format).
  func jsonLines() -> [String] {
    var lines: [String] = []
    forEachSample { key, t, v in
      var s = "{\"ts\":\"" + rfc3339Shortest(t) + "\",\"metric\":\"" + key.metric + "\""
      s += ",\"value\":" + formatJSONNumber(v)
      if !key.labels.isEmpty {
        s += ",\"labels\":{"
        s += key.labels.labels.map { "\"\($0.name)\":\"\($0.value)\"" }.joined(separator: ",")
        s += "}"
      }
      lines.append(s + "}")
    }
    return lines
  }

  /// A ramp from 1 to `factor` over `ramp` seconds from second `onset`.
  static func ramp(_ s: Int, onset: Int, factor: Double, ramp: Int = 30) -> Double {
    guard s >= onset else { return 1 }
    let f = min(1, Double(s - onset + 1) / Double(max(1, ramp)))
    return 1 + (factor - 1) * f
  }

  /// The time `s` seconds into the world.
  static func at(_ s: Int) -> Timestamp { start.adding(Int64(s) * Nanos.second) }
}
