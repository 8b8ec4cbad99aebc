import VigilCore

/// An id-carrying checkout feed (issue 12, part 2): the six signals' metrics at a steady rate,
/// plus one `order_placed` and one `order_confirmed` event per order, each with its own
/// `order_id`, and a payment-gateway incident during which `payment_retries_total{reason=timeout}`
/// and `support_tickets_total{reason=order_error}` appear for the first time.
///
/// With the defaults: 60 minutes, about 25 orders a second (90 k orders), about 1.5 M JSON
/// lines; the incident runs from minute 25 to minute 40 with a retry ratio of about 55 %
/// (1 % outside). Seeded: the same settings give the same bytes.
public struct CheckoutFeed: Sendable {
  public var seconds = 3_600
  public var ordersPerSecond = 25.0
  /// Sampled requests per service and second (`api_latency_ms`).
  public var requestsPerService = 25
  /// Seconds from the start during which the payment gateway times out.
  public var incident = 1_500..<2_400
  /// Whether the `order_placed`/`order_confirmed` lines (with `order_id`) are written.
  public var orderLines = true
  public var seed: UInt64 = 7
  public var start = Timestamp.seconds(1_795_687_200)

  /// Retries per attempt during the incident (timeouts) and outside it (declines).
  public static let timeoutRatio = 0.54
  public static let declineRatio = 0.01

  public init() {}

  /// The feed's lines of second `second`, each ending in a newline, appended to `out`.
  public func lines(second: Int, into out: inout String) {
    var rng = DemoRandom(seed: seed &+ UInt64(second) &* 0x85EB_CA6B)
    let base = start.adding(Int64(second) * Nanos.second)
    let inIncident = incident.contains(second)
    func put(_ offset: Int64, _ metric: String, _ value: Double, _ labels: [(String, String)]) {
      let ts = CivilTime(base.adding(offset)).rfc3339(fractionDigits: 3)
      out += "{\"ts\":\"\(ts)\",\"metric\":\"\(metric)\",\"value\":\(DemoFormatter.number(value))"
      if !labels.isEmpty {
        out += ",\"labels\":{"
        out += labels.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",")
        out += "}"
      }
      out += "}\n"
    }
    func at() -> Int64 { Int64(rng.unit() * Double(Nanos.second / 2)) }
    for (service, median) in DemoScenario.services {
      let slow = inIncident && (service == "payment" || service == "checkout") ? 6.0 : 1.0
      for _ in 0..<requestsPerService {
        put(
          at(), "api_latency_ms", rng.logNormal(median: median * slow, sigma: 0.5),
          [
            ("service", service)
          ])
      }
    }
    let orders = max(1, rng.poisson(ordersPerSecond))
    for k in 0..<orders {
      let t = at()
      let id = "o\(second)-\(k)"
      if orderLines { put(t, "order_placed", 1, [("order_id", id)]) }
      var total = 0.0
      for stage in DemoScenario.stages {
        let v = rng.logNormal(median: stage == "payment" && inIncident ? 2_400 : 120, sigma: 0.4)
        total += v
        put(t, "checkout_latency_ms", v, [("stage", stage)])
      }
      put(t, "checkout_latency_ms", total, [("stage", "total")])
      let delay = rng.logNormal(median: inIncident ? 9_000 : 900, sigma: 0.4)
      put(t + Nanos.second / 4, "order_confirmation_delay_ms", delay, [])
      if orderLines { put(t + Nanos.second / 4, "order_confirmed", 1, [("order_id", id)]) }
    }
    let tick = Nanos.second - Nanos.millisecond
    put(tick, "payment_attempts_total", Double(orders), [])
    let declined = rng.binomial(orders, Self.declineRatio)
    if declined > 0 {
      put(tick, "payment_retries_total", Double(declined), [("reason", "declined")])
    }
    if inIncident {
      let timeouts = rng.binomial(orders, Self.timeoutRatio)
      if timeouts > 0 {
        put(tick, "payment_retries_total", Double(timeouts), [("reason", "timeout")])
      }
      let tickets = rng.poisson(0.8)
      if tickets > 0 {
        put(tick, "support_tickets_total", Double(tickets), [("reason", "order_error")])
      }
    }
    let failures = rng.binomial(orders, inIncident ? 0.05 : 0.005)
    if failures > 0 { put(tick, "payment_failures_total", Double(failures), []) }
    for (pair, _) in DemoScenario.inventoryPairs {
      let checks = rng.poisson(40) + 1
      put(tick, "inventory_checks_total", Double(checks), [("pair", pair)])
      put(tick, "inventory_mismatches_total", Double(rng.binomial(checks, 0.002)), [("pair", pair)])
    }
    let other = rng.poisson(0.05)
    if other > 0 { put(tick, "support_tickets_total", Double(other), [("reason", "other")]) }
  }

  /// The whole feed (small feeds: tests).
  public var text: String {
    var out = ""
    for s in 0..<seconds { lines(second: s, into: &out) }
    return out
  }
}
