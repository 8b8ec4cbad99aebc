#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A latency distribution: lognormal around `median`, except a fraction that hits `timeout`.
public struct LatencyModel: Sendable, Equatable {
  public var median: Double
  public var sigma: Double
  /// Fraction of requests that wait for the timeout instead (0 when healthy).
  public var timeoutFraction: Double = 0
  public var timeout: Double = 0

  /// The mean (lognormal mean mixed with the timeouts).
  public var mean: Double {
    (1 - timeoutFraction) * median * exp(sigma * sigma / 2) + timeoutFraction * timeout
  }

  /// P(X <= x).
  public func cdf(_ x: Double) -> Double {
    guard x > 0 else { return 0 }
    let body = 0.5 * erfc(-(log(x / median) / sigma) / 2.0.squareRoot())
    let out = timeoutFraction > 0 ? 0.5 * erfc(-(log(x / timeout) / 0.03) / 2.0.squareRoot()) : 0
    return (1 - timeoutFraction) * body + timeoutFraction * out
  }

  /// P(X > x).
  public func tail(_ x: Double) -> Double { 1 - cdf(x) }

  mutating func scale(_ f: Double) { median *= f }
}

/// The checkout backend as curves of time: what each series' distribution or ratio is at a
/// given second of a plan. The generator draws from these; the ground truth reads them.
///
/// Baseline (average traffic): 3 requests/s per service (2/s to erp and oms), 2 checkouts/s,
/// retries 2 % of attempts, failures 0.5 % of checkouts, inventory checks 20/s per pair with
/// 0.2 % mismatches, a trickle of support tickets; see ``IncidentKind`` for what each fault moves.
public struct IncidentModel: Sendable {
  public let plan: IncidentPlan

  public init(plan: IncidentPlan) { self.plan = plan }

  /// Service, median ms and sigma of `api_latency_ms` at baseline.
  public static let services: [(String, Double, Double)] = [
    ("checkout", 120, 0.45), ("cart", 45, 0.45), ("catalog", 30, 0.45), ("search", 80, 0.45),
    ("pricing", 40, 0.35), ("tax", 35, 0.3), ("inventory", 50, 0.4), ("payment", 300, 0.5),
    ("erp", 150, 0.5), ("oms", 60, 0.4),
  ]
  /// Stage, median ms and sigma of `checkout_latency_ms` at baseline (`total` is their sum plus
  /// an overhead of about 30 ms).
  public static let stages: [(String, Double, Double)] = [
    ("pricing", 40, 0.35), ("tax", 35, 0.3), ("inventory", 55, 0.4), ("payment", 320, 0.5),
  ]
  public static let pairs = ["storefront-oms", "oms-erp", "storefront-erp"]
  public static let checkoutsPerSecond = 2.0
  /// Sampled requests per second to `service` at average traffic.
  public static func requestsPerSecond(_ service: String) -> Double {
    service == "erp" || service == "oms" ? 2 : 3
  }
  public static let baseRetryRatio = 0.02
  public static let baseFailureRatio = 0.005
  public static let baseMismatchRatio = 0.002
  /// Inventory checks per second per pair, as the generator draws them (Poisson(20 x scale) + 1).
  public static func inventoryChecksPerSecond(rateScale: Double) -> Double { 20 * rateScale + 1 }
  /// A payment gateway call that times out takes this long (ms); so does an ERP call.
  public static let paymentTimeout = 3_000.0
  public static let erpTimeout = 5_000.0
  /// An order still unconfirmed after this long (ms) counts as failed for the support desk.
  public static let unconfirmedAfter = 10_000.0

  var f: IncidentKind { plan.kind }

  /// How much the fault multiplies a latency median at intensity `r` (1 at 0, severity at 1).
  func slow(_ r: Double) -> Double { 1 + (plan.severity - 1) * r }

  /// Extra retries per attempt from `payment-timeouts` (and a little from `payment-slow`).
  func extraRetryRatio(_ r: Double) -> Double {
    switch f {
    case .paymentTimeouts: IncidentModel.baseRetryRatio * (plan.severity - 1) * r
    case .paymentSlow: IncidentModel.baseRetryRatio * 0.5 * r
    default: 0
    }
  }

  /// `api_latency_ms{service}` at `second`.
  public func api(_ service: String, at second: Double) -> LatencyModel {
    guard let base = IncidentModel.services.first(where: { $0.0 == service }) else {
      return LatencyModel(median: 1, sigma: 0.1)
    }
    var m = LatencyModel(median: base.1, sigma: base.2)
    let r = plan.fault(second)
    switch (f, service) {
    case (.paymentSlow, "payment"), (.taxSlow, "tax"), (.pricingSlow, "pricing"),
      (.inventorySlow, "inventory"):
      m.scale(slow(r))
    case (.serviceSlow, plan.service): m.scale(slow(r))
    case (.paymentTimeouts, "payment"):
      (m.timeoutFraction, m.timeout) = (extraRetryRatio(r), IncidentModel.paymentTimeout)
    case (.omsBacklog, "oms"): m.scale(1 + 0.15 * (plan.severity - 1) * r)
    case (.erpOutage, "oms"): m.scale(1 + 0.3 * plan.severity * r)
    case (.erpOutage, "erp"):
      (m.timeoutFraction, m.timeout) = (plan.severity * r, IncidentModel.erpTimeout)
      m.scale(1 + r)
    case (_, "checkout"): m.scale(checkoutSlowdown(at: second))
    default: break
    }
    m.scale(1 + plan.spikeExcess(second).latency)
    return m
  }

  /// `checkout_latency_ms{stage}` at `second` (not `total`).
  public func stage(_ stage: String, at second: Double) -> LatencyModel {
    guard let base = IncidentModel.stages.first(where: { $0.0 == stage }) else {
      return LatencyModel(median: 30, sigma: 0.3)
    }
    var m = LatencyModel(median: base.1, sigma: base.2)
    let r = plan.fault(second)
    switch (f, stage) {
    case (.paymentSlow, "payment"), (.taxSlow, "tax"), (.pricingSlow, "pricing"),
      (.inventorySlow, "inventory"):
      m.scale(slow(r))
    case (.paymentTimeouts, "payment"):
      (m.timeoutFraction, m.timeout) = (extraRetryRatio(r), IncidentModel.paymentTimeout)
    default: break
    }
    m.scale(1 + plan.spikeExcess(second).latency)
    return m
  }

  /// The checkout service's own latency follows the stages it calls: its median scales with the
  /// mean checkout total relative to the baseline's.
  func checkoutSlowdown(at second: Double) -> Double {
    guard f != .none, plan.fault(second) > 0 else { return 1 }
    let spike = 1 + plan.spikeExcess(second).latency
    let now = IncidentModel.stages.reduce(0) { $0 + stage($1.0, at: second).mean / spike }
    let base = IncidentModel.stages.reduce(0) {
      $0 + LatencyModel(median: $1.1, sigma: $1.2).mean
    }
    return now / base
  }

  /// `order_confirmation_delay_ms` at `second` (the OMS queue).
  public func confirmationDelay(at second: Double) -> LatencyModel {
    var m = LatencyModel(median: 900, sigma: 0.4)
    let r = plan.fault(second)
    if f == .omsBacklog { m.scale(slow(r)) }
    if f == .erpOutage { m.scale(1 + 0.3 * plan.severity * r) }
    m.scale(1 + plan.spikeExcess(second).latency)
    return m
  }

  /// Payment attempts per second: checkouts plus their retries (retries are `R` of attempts).
  public func paymentAttempts(at second: Double) -> Double {
    checkouts(at: second) / (1 - min(0.9, retryRatio(at: second)))
  }

  /// Retries per payment attempt.
  public func retryRatio(at second: Double) -> Double {
    IncidentModel.baseRetryRatio + extraRetryRatio(plan.fault(second))
  }

  /// Failed payments per checkout (a third of the extra retries end in a failure).
  public func failureRatio(at second: Double) -> Double {
    IncidentModel.baseFailureRatio + extraRetryRatio(plan.fault(second)) / 3
  }

  /// Mismatches per inventory check of `pair`.
  public func mismatchRatio(_ pair: String, at second: Double) -> Double {
    let r = plan.fault(second)
    let base = IncidentModel.baseMismatchRatio
    switch (f, pair) {
    case (.syncLag, "oms-erp"): return base * slow(r)
    case (.erpOutage, "oms-erp"), (.erpOutage, "storefront-erp"):
      return base * (1 + 15 * plan.severity * r)
    default: return base
    }
  }

  /// Checkouts per second.
  public func checkouts(at second: Double) -> Double {
    IncidentModel.checkoutsPerSecond * plan.traffic(second)
  }

  /// Orders per second that go wrong for the customer: failed payments and confirmations later
  /// than ``unconfirmedAfter``.
  public func badOrders(at second: Double) -> Double {
    let late = confirmationDelay(at: second).tail(IncidentModel.unconfirmedAfter)
    return checkouts(at: second) * (failureRatio(at: second) + late)
  }

  /// `support_tickets_total{reason=order_error}` per second: 30 % of the bad orders of 10-30
  /// minutes earlier (uniformly spread), plus a trickle.
  public func orderErrorTickets(at second: Double) -> Double {
    var sum = 0.0
    for k in 0...12 { sum += badOrders(at: second - 600 - Double(k) * 100) }
    return 0.3 * sum / 13 + 0.002
  }
}
