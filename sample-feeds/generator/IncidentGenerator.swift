import VigilCore

/// Draws the events of an incident second by second from ``IncidentModel``'s curves.
///
/// Call ``events(second:)`` for seconds 0, 1, 2, ... in order: an order's confirmation lands
/// seconds later than its placement (later still when the OMS queue backs up), so confirmations
/// wait in `pending` until their second. Every second's draws come from a generator seeded by
/// `(seed, second)`: the same plan gives the same bytes.
public struct IncidentGenerator: Sendable {
  public let model: IncidentModel
  public let rateScale: Double
  public let orderEvents: OrderEvents
  var pending: [DemoScenario.Event] = []
  /// The next second ``events(second:)`` expects.
  var next = 0

  public init(plan: IncidentPlan, rateScale: Double = 1, orderEvents: OrderEvents = .both) {
    model = IncidentModel(plan: plan)
    self.rateScale = rateScale
    self.orderEvents = orderEvents
  }

  public var plan: IncidentPlan { model.plan }

  /// Every event stamped in `second` (0-based from the start), sorted by time.
  public mutating func events(second: Int) -> [DemoScenario.Event] {
    next = second + 1
    var rng = DemoRandom(seed: plan.seed &* 0x9E37_79B9 &+ UInt64(max(0, second)) &* 0x85EB_CA6B)
    let t = Double(second) + 0.5
    let base = Int64(second) * Nanos.second
    let end = base + Nanos.second
    var out: [DemoScenario.Event] = []
    let traffic = plan.traffic(t) * rateScale
    func at() -> Int64 { base + Int64(clamping: rng.unit() * Double(Nanos.second - 1)) }
    func put(_ offset: Int64, _ metric: String, _ value: Double, _ labels: [(String, String)]) {
      out.append(DemoScenario.Event(offset: offset, metric: metric, labels: labels, value: value))
    }
    for (service, _, _) in IncidentModel.services {
      let m = model.api(service, at: t)
      let rate = IncidentModel.requestsPerSecond(service)
      for _ in 0..<rng.poisson(rate * traffic) {
        put(at(), "api_latency_ms", rng.latency(m), [("service", service)])
      }
    }
    let checkouts = rng.poisson(IncidentModel.checkoutsPerSecond * traffic)
    for k in 0..<checkouts { checkout(k, second: second, at: at(), rng: &rng, into: &out) }
    counters(checkouts, second: second, at: end - Nanos.millisecond, rng: &rng, into: &out)
    var kept: [DemoScenario.Event] = []
    for e in pending { if e.offset < end { out.append(e) } else { kept.append(e) } }
    pending = kept
    out.sort { $0.offset < $1.offset }
    return out
  }

  /// One checkout: its stages and total now, the order placed now, confirmed after the OMS delay.
  mutating func checkout(
    _ k: Int, second: Int, at t: Int64, rng: inout DemoRandom, into out: inout [DemoScenario.Event]
  ) {
    let now = Double(t) / Double(Nanos.second)
    var total = rng.logNormal(median: 30, sigma: 0.3)
    for (stage, _, _) in IncidentModel.stages {
      let v = rng.latency(model.stage(stage, at: now))
      total += v
      out.append(
        .init(offset: t, metric: "checkout_latency_ms", labels: [("stage", stage)], value: v))
    }
    out.append(
      .init(
        offset: t, metric: "checkout_latency_ms", labels: [("stage", "total")],
        value: (total * 10).rounded() / 10))
    let id = "o\(plan.seed)-\(second)-\(k)"
    if orderEvents.raw {
      out.append(.init(offset: t, metric: "order_placed", labels: [("order_id", id)], value: 1))
    }
    let delay = rng.latency(model.confirmationDelay(at: now))
    let done = t + Int64(clamping: delay * Double(Nanos.millisecond))
    if orderEvents.raw {
      pending.append(
        .init(offset: done, metric: "order_confirmed", labels: [("order_id", id)], value: 1))
    }
    if orderEvents.delay {
      pending.append(
        .init(offset: done, metric: "order_confirmation_delay_ms", labels: [], value: delay))
    }
  }

  /// The per-second counters: payments, inventory checks per pair, support tickets.
  func counters(
    _ checkouts: Int, second: Int, at tick: Int64, rng: inout DemoRandom,
    into out: inout [DemoScenario.Event]
  ) {
    let t = Double(second) + 0.5
    func put(_ metric: String, _ value: Int, _ labels: [(String, String)]) {
      out.append(.init(offset: tick, metric: metric, labels: labels, value: Double(value)))
    }
    // Retries per attempt R, where attempts = checkouts + retries: retries = checkouts R/(1-R).
    let ratio = min(0.9, model.retryRatio(at: t))
    let n = Double(checkouts) / (1 - ratio)
    let base = IncidentModel.baseRetryRatio
    let declined = rng.poisson(n * base * 0.6)
    let gateway = rng.poisson(n * base * 0.25)
    let timeouts = rng.poisson(n * (base * 0.15 + ratio - base))
    put("payment_attempts_total", checkouts + declined + gateway + timeouts, [])
    for (reason, count) in [
      ("declined", declined), ("gateway_error", gateway), ("timeout", timeouts),
    ]
    where count > 0 {
      put("payment_retries_total", count, [("reason", reason)])
    }
    let failures = rng.binomial(checkouts, model.failureRatio(at: t))
    if failures > 0 { put("payment_failures_total", failures, []) }
    for pair in IncidentModel.pairs {
      let checks = rng.poisson(20 * rateScale) + 1  // IncidentModel.inventoryChecksPerSecond
      put("inventory_checks_total", checks, [("pair", pair)])
      put(
        "inventory_mismatches_total", rng.binomial(checks, model.mismatchRatio(pair, at: t)),
        [
          ("pair", pair)
        ])
    }
    let errors = rng.poisson(model.orderErrorTickets(at: t) * rateScale)
    if errors > 0 { put("support_tickets_total", errors, [("reason", "order_error")]) }
    let other = rng.poisson(0.01 * rateScale)
    if other > 0 { put("support_tickets_total", other, [("reason", "other")]) }
  }

  /// Seconds `seconds` as feed lines (each ending in a newline), written by `writer`. Seconds
  /// before `seconds` that were not generated yet are generated and dropped (the queue of
  /// confirmations needs them).
  public mutating func text(seconds: Range<Int>, writer: inout IncidentFormat) -> String {
    var out = ""
    while next < seconds.lowerBound { _ = events(second: next) }
    for s in seconds {
      for e in events(second: s) { writer.append(e, to: &out) }
    }
    return out
  }

  /// Seconds `seconds` as feed lines in `format` (tests, small slices).
  public mutating func text(seconds: Range<Int>, start: Timestamp, format: FeedFormat) -> String {
    var writer = IncidentFormat(format: format, start: start)
    return text(seconds: seconds, writer: &writer)
  }
}

extension DemoRandom {
  /// One request's latency (ms, to 0.1): a timeout, or a lognormal draw.
  mutating func latency(_ m: LatencyModel) -> Double {
    if m.timeoutFraction > 0 && unit() < m.timeoutFraction {
      return logNormal(median: m.timeout, sigma: 0.03)
    }
    return logNormal(median: m.median, sigma: m.sigma)
  }
}

extension Int {
  /// `Double` to `Int`, saturating (NaN is 0): the house rule's conversion (D36), local to
  /// this module, which does not link the other modules' guard file.
  init(clamping v: Double) {
    if v.isNaN {
      self = 0
    } else if v <= -9.2e18 {
      self = .min
    } else if v >= 9.2e18 {
      self = .max
    } else {
      self = Int(exactly: v.rounded(.towardZero)) ?? 0
    }
  }
}

extension Int64 {
  init(clamping v: Double) { self.init(Int(clamping: v)) }
}
