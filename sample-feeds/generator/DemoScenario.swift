import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The built-in demo: a scripted 15-minute checkout incident, generated deterministically.
///
/// Timeline (minutes from the start of a cycle):
/// - 0-2 baseline;
/// - 2-4 a traffic spike ramps up (2.5x requests, every service a little slower);
/// - 4-6 the payment gateway slows down (payment p99 from ~0.8 s to ~6 s);
/// - 5-10 payment retries climb (1.5% to ~14% of attempts) and failures follow;
/// - 6-11 order confirmations lag (p99 from ~2 s to ~20 s);
/// - 7-12 inventory drifts between storefront, OMS and ERP (mismatch rate 0.2% to 3.5%);
/// - 8-13 support tickets tied to order errors follow;
/// - 12-15 recovery.
///
/// Events of scenario second `s` depend only on `(seed, cycle, s)`, so any slice of the
/// incident can be generated on its own and the output is reproducible byte for byte.
public struct DemoScenario: Sendable {
  /// Length of one cycle of the incident.
  public static let duration: Int64 = 15 * Nanos.minute
  public static let services = [
    ("checkout", 120.0), ("cart", 45.0), ("catalog", 30.0), ("search", 80.0),
    ("pricing", 40.0), ("tax", 35.0), ("inventory", 50.0), ("payment", 300.0),
  ]
  public static let stages = ["pricing", "tax", "inventory", "payment"]
  public static let inventoryPairs = [("storefront-oms", 1.0), ("oms-erp", 0.45)]

  public let seed: UInt64
  /// Multiplies every event rate (the committed sample files use 0.1).
  public let rateScale: Double

  public init(seed: UInt64 = 42, rateScale: Double = 1) {
    self.seed = seed
    self.rateScale = rateScale
  }

  /// One generated observation.
  public struct Event: Sendable, Equatable {
    /// Nanoseconds from the start of the scenario.
    public var offset: Int64
    public var metric: String
    public var labels: [(String, String)]
    public var value: Double

    public static func == (a: Event, b: Event) -> Bool {
      a.offset == b.offset && a.metric == b.metric && a.value == b.value
        && a.labels.elementsEqual(b.labels, by: { $0 == $1 })
    }
  }

  /// Quiet history the dashboard's demo plays before second 0 (negative seconds: traffic and
  /// services as in the first two minutes, no fault), so each series has the baseline the
  /// baseline rules and suspects need (10 minutes, after the newest 2-3 left out) by the time the
  /// fault (from minute 4) shows.
  public static let quietPrelude: Int64 = 8 * Nanos.minute

  /// The demo's banner at `second`: the minute of the incident and what is happening. The
  /// incident repeats every 15 minutes; from the second run on the banner says it started
  /// again (alerts of the run before may still be firing or recovering).
  public static func banner(atSecond second: Int, speedNote: String = "") -> String {
    let run = max(0, second) / 900 + 1
    let minute = max(0, second) % 900 / 60
    let again = run > 1 ? ", run \(run) (restarted)" : ""
    return "demo\(speedNote)\(again), minute \(minute): \(phase(atSecond: second))"
  }

  /// What is happening at `second` (for the demo banner).
  public static func phase(atSecond second: Int) -> String {
    if second < 0 { return "quiet history before the incident" }
    let m = Double(second % 900) / 60
    switch m {
    case ..<2: return "baseline"
    case ..<4: return "traffic spike"
    case ..<6: return "payment gateway slowing"
    case ..<8: return "retries climbing, confirmations lagging"
    case ..<10: return "inventory drifting: storefront/OMS/ERP"
    case ..<12.5: return "tickets following failed orders"
    default: return "recovery"
    }
  }

  // Intensity curves, each 0...1 (traffic 1...2.5), as functions of minutes into the cycle.
  static func ramp(_ m: Double, up a: Double, full b: Double, down c: Double, zero d: Double)
    -> Double
  {
    if m <= a || m >= d { return 0 }
    if m < b { return (m - a) / (b - a) }
    if m <= c { return 1 }
    return (d - m) / (d - c)
  }

  static func traffic(_ m: Double) -> Double {
    1 + 1.5 * ramp(m, up: 2, full: 3, down: 9, zero: 12.5)
  }
  static func paymentSlow(_ m: Double) -> Double { ramp(m, up: 4, full: 6, down: 10, zero: 13) }
  static func retryPressure(_ m: Double) -> Double {
    ramp(m, up: 5, full: 7, down: 10.5, zero: 13.5)
  }
  static func confirmLag(_ m: Double) -> Double { ramp(m, up: 6, full: 8, down: 11, zero: 14) }
  static func inventoryDrift(_ m: Double) -> Double { ramp(m, up: 7, full: 9, down: 12, zero: 14) }
  static func ticketWave(_ m: Double) -> Double { ramp(m, up: 8, full: 10, down: 12.5, zero: 14.5) }

  /// Every event whose offset falls in scenario second `second` (0-based, any cycle), sorted by
  /// offset. A negative second is quiet history (``quietPrelude``): the baseline's traffic and
  /// latencies, no fault.
  public func events(second: Int) -> [Event] {
    let quiet = second < 0
    let cycle = quiet ? -1 - (-(second + 1)) / 900 : second / 900
    let within = second - cycle * 900
    var rng = DemoRandom(
      seed: seed &+ UInt64(bitPattern: Int64(cycle)) &* 0x9E37_79B9 &+ UInt64(within)
        &* 0x85EB_CA6B)
    let m = quiet ? Double(within % 120) / 60 : Double(within) / 60
    let base = Int64(second) * Nanos.second
    let load = DemoScenario.traffic(m)
    let slow = DemoScenario.paymentSlow(m)
    var out: [Event] = []
    func at() -> Int64 { base + Int64(rng.unit() * Double(Nanos.second - 1)) }

    // API latency per service (sampled requests).
    for (service, median) in DemoScenario.services {
      var med = median * (1 + 0.25 * (load - 1))
      if service == "payment" { med *= 1 + 5 * slow }
      if service == "checkout" { med *= 1 + 1.8 * slow }
      let n = rng.poisson(12 * load * rateScale)
      for _ in 0..<n {
        out.append(
          Event(
            offset: at(), metric: "api_latency_ms", labels: [("service", service)],
            value: rng.logNormal(median: med, sigma: 0.45)))
      }
    }

    // Checkouts: one line per stage plus the total.
    let checkouts = rng.poisson(5 * load * rateScale)
    for _ in 0..<checkouts {
      let t = at()
      let pricing = rng.logNormal(median: 40 * (1 + 0.2 * (load - 1)), sigma: 0.35)
      let tax = rng.logNormal(median: 35, sigma: 0.3)
      let inventory = rng.logNormal(median: 55 * (1 + 0.3 * (load - 1)), sigma: 0.4)
      let payment = rng.logNormal(median: 320 * (1 + 5 * slow), sigma: 0.5)
      let total = pricing + tax + inventory + payment + rng.logNormal(median: 30, sigma: 0.3)
      for (stage, v) in [
        ("pricing", pricing), ("tax", tax), ("inventory", inventory), ("payment", payment),
        ("total", total),
      ] {
        out.append(
          Event(offset: t, metric: "checkout_latency_ms", labels: [("stage", stage)], value: v))
      }
      // Order confirmation for this checkout.
      let lag = DemoScenario.confirmLag(m)
      out.append(
        Event(
          offset: t, metric: "order_confirmation_delay_ms", labels: [],
          value: rng.logNormal(median: 900 * (1 + 8 * lag), sigma: 0.4)))
    }

    // Payments: per-second batch counters.
    let attempts = max(1, checkouts + rng.poisson(0.2 * rateScale))
    let pressure = DemoScenario.retryPressure(m)
    let retryRate = 0.015 + 0.125 * pressure
    let retries = rng.binomial(attempts, retryRate)
    let failures = rng.binomial(attempts, 0.005 + 0.055 * pressure)
    let tick = base + Nanos.second - Nanos.millisecond
    out.append(
      Event(
        offset: tick, metric: "payment_attempts_total", labels: [],
        value: Double(attempts + retries)))
    if retries > 0 {
      let timeouts = rng.binomial(retries, 0.3 + 0.5 * slow)
      let declined = rng.binomial(retries - timeouts, 0.5)
      for (reason, n) in [
        ("timeout", timeouts), ("declined", declined),
        ("gateway_error", retries - timeouts - declined),
      ] where n > 0 {
        out.append(
          Event(
            offset: tick, metric: "payment_retries_total", labels: [("reason", reason)],
            value: Double(n)))
      }
    }
    if failures > 0 {
      out.append(
        Event(offset: tick, metric: "payment_failures_total", labels: [], value: Double(failures)))
    }

    // Inventory reconciliation between systems.
    let drift = DemoScenario.inventoryDrift(m)
    for (pair, weight) in DemoScenario.inventoryPairs {
      let checks = rng.poisson(40 * rateScale) + 1
      let mismatches = rng.binomial(checks, 0.002 + 0.033 * drift * weight)
      out.append(
        Event(
          offset: tick, metric: "inventory_checks_total", labels: [("pair", pair)],
          value: Double(checks)))
      out.append(
        Event(
          offset: tick, metric: "inventory_mismatches_total", labels: [("pair", pair)],
          value: Double(mismatches)))
    }

    // Support tickets.
    let orderErrors = rng.poisson((0.03 + 0.8 * DemoScenario.ticketWave(m)) * max(rateScale, 0.3))
    if orderErrors > 0 {
      out.append(
        Event(
          offset: tick, metric: "support_tickets_total", labels: [("reason", "order_error")],
          value: Double(orderErrors)))
    }
    let other = rng.poisson(0.05 * max(rateScale, 0.3))
    if other > 0 {
      out.append(
        Event(
          offset: tick, metric: "support_tickets_total", labels: [("reason", "other")],
          value: Double(other)))
    }
    out.sort { $0.offset < $1.offset }
    return out
  }
}

/// SplitMix64 with the few distributions the demo needs.
struct DemoRandom {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in [0, 1).
  mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
  /// Standard normal (Box-Muller).
  mutating func normal() -> Double {
    let u1 = max(unit(), 1e-300)
    let u2 = unit()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }
  mutating func logNormal(median: Double, sigma: Double) -> Double {
    (median * exp(sigma * normal()) * 10).rounded() / 10
  }
  mutating func poisson(_ lambda: Double) -> Int {
    if lambda <= 0 { return 0 }
    if lambda > 30 { return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded())) }
    let l = exp(-lambda)
    var k = 0
    var p = 1.0
    repeat {
      k += 1
      p *= unit()
    } while p > l
    return k - 1
  }
  mutating func binomial(_ n: Int, _ p: Double) -> Int {
    if n <= 0 || p <= 0 { return 0 }
    if n > 200 { return min(n, poisson(Double(n) * p)) }
    var k = 0
    for _ in 0..<n where unit() < p { k += 1 }
    return k
  }
}
