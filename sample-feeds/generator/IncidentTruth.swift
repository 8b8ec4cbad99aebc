import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What an incident feed really holds (`--truth FILE`): the fault, where and when it starts,
/// when it became plainly visible, its severity and the traffic spikes.
///
/// `visible` is computed from the model's curves, never from Vigil: the first 10 s tick at or
/// after the onset at which the expected statistic of the faulty series over the trailing
/// 1-minute window reaches twice its fault-free, spike-free baseline (p99 of the pooled
/// distribution, for latency faults) or three times it (the retry or mismatch ratio, for
/// `payment-timeouts` and `sync-lag`). Spikes count in the window (their +10-40 % can bring
/// `visible` a little earlier); the baseline never includes them.
///
/// A ratio of rare events must also show in its counts: 2.5 mismatches a minute tripled is 7.5,
/// which a fault-free minute reaches once in 170. So for the ratio faults `visible` is also no
/// earlier than the first tick at which a 1-minute window plainly shows the change in its
/// counts: its expected count is such that a typical window (the median one) holds more events than a
/// fault-free minute reaches once in a million (``plainCount``). `visibleExpected` keeps the
/// first tick by the expected statistic alone (the same as `visible` for latency faults).
/// The generator's events are Poisson or binomial draws, so this is the data's own limit, not
/// a property of Vigil (DECISIONS D43).
public struct IncidentTruth: Sendable, Equatable {
  public var kind: IncidentKind
  public var component: String?
  /// The series whose change defines `visible`.
  public var series: String?
  public var seed: UInt64
  public var start: Timestamp
  public var onset: Timestamp
  public var visible: Timestamp?
  /// The first tick by the expected statistic alone, before counts are considered.
  public var visibleExpected: Timestamp?
  public var end: Timestamp
  public var severity: Double
  public var ramp: Int
  public var spikes: [(start: Timestamp, end: Timestamp, factor: Double)]

  public static func == (a: IncidentTruth, b: IncidentTruth) -> Bool {
    a.json == b.json
  }

  /// The truth of `plan` from `start`, for a feed generated with `rateScale` (more traffic makes
  /// a ratio fault plainly visible in its counts sooner).
  public init(plan: IncidentPlan, start: Timestamp, rateScale: Double = 1) {
    let model = IncidentModel(plan: plan)
    kind = plan.kind
    component = plan.component
    series = IncidentTruth.faultySeries(plan)
    seed = plan.seed
    self.start = start
    func at(_ s: Int) -> Timestamp { start.adding(Int64(s) * Nanos.second) }
    onset = at(plan.onset)
    end = at(plan.seconds)
    severity = plan.severity
    ramp = plan.ramp
    spikes = plan.spikes.map { (at($0.start), at($0.end), $0.factor) }
    let ticks = IncidentTruth.visibleSeconds(model, start: start, rateScale: rateScale)
    visible = ticks.plain.map(at)
    visibleExpected = ticks.expected.map(at)
  }

  /// The series the fault moves first (the one `visible` is measured on).
  public static func faultySeries(_ plan: IncidentPlan) -> String? {
    switch plan.kind {
    case .none: nil
    case .paymentSlow: "api_latency_ms{service=payment}"
    case .paymentTimeouts: "payment_retries_total/payment_attempts_total"
    case .taxSlow: "api_latency_ms{service=tax}"
    case .pricingSlow: "api_latency_ms{service=pricing}"
    case .inventorySlow: "api_latency_ms{service=inventory}"
    case .serviceSlow: "api_latency_ms{service=\(plan.service)}"
    case .omsBacklog: "order_confirmation_delay_ms"
    case .erpOutage: "api_latency_ms{service=erp}"
    case .syncLag: "inventory_mismatches_total{pair=oms-erp}/inventory_checks_total{pair=oms-erp}"
    }
  }

  /// Seconds from the start of the first 10 s tick (in event time, so aligned to the epoch) at
  /// which the faulty series plainly shows the change (`plain`), and at which its expected
  /// statistic alone reaches the factor (`expected`); nil for `none` or when it never does.
  static func visibleSeconds(_ model: IncidentModel, start: Timestamp, rateScale: Double = 1)
    -> (plain: Int?, expected: Int?)
  {
    let plan = model.plan
    guard plan.kind != .none else { return (nil, nil) }
    let phase = Int(start.nanoseconds / Nanos.second % 10)
    var tick = plan.onset + (10 - (plan.onset + phase) % 10) % 10
    let quiet = IncidentModel(plan: plan.quiet)
    let factor = plan.kind.isRatioFault ? 3.0 : 2.0
    let baseline = statistic(quiet, of: plan, window: max(0, plan.onset - 60)..<plan.onset)
    var expected: Int?
    while tick <= plan.seconds {
      let window = (tick - 60)..<tick
      if expected == nil, statistic(model, of: plan, window: window) >= factor * baseline {
        expected = tick
      }
      if expected != nil,
        !plan.kind.isRatioFault || plainCount(model, window: window, rateScale: rateScale)
      {
        return (tick, expected)
      }
      tick += 10
    }
    return (nil, expected)
  }

  /// Whether the faulty ratio's events over `window` plainly show the change: with `mean` the
  /// expected count there and `quiet` what the fault-free ratio gives on the same denominator,
  /// P(Poisson(mean) ≥ c) ≥ 0.5 where c is the least count with P(Poisson(quiet) ≥ c) < 1e-6.
  static func plainCount(_ model: IncidentModel, window: Range<Int>, rateScale: Double) -> Bool {
    let seconds = window.map { Double($0) + 0.5 }
    var mean = 0.0
    var quiet = 0.0
    switch model.plan.kind {
    case .paymentTimeouts:
      for s in seconds {
        let attempts = model.paymentAttempts(at: s) * rateScale
        mean += attempts * model.retryRatio(at: s)
        quiet += attempts * IncidentModel.baseRetryRatio
      }
    case .syncLag:
      let checks = IncidentModel.inventoryChecksPerSecond(rateScale: rateScale)
      for s in seconds {
        mean += checks * model.mismatchRatio("oms-erp", at: s)
        quiet += checks * IncidentModel.baseMismatchRatio
      }
    default: return true
    }
    var c = 0.0
    while PoissonTail.atLeast(c, mean: quiet) >= 1e-6 { c += 1 }
    return PoissonTail.atLeast(c, mean: mean) >= 0.5
  }

  /// The faulty series' expected statistic over the seconds of `window`: the ratio of expected
  /// sums, or the p99 of the pooled distribution (each second weighted by its traffic).
  static func statistic(_ model: IncidentModel, of plan: IncidentPlan, window: Range<Int>)
    -> Double
  {
    let seconds = window.map { Double($0) + 0.5 }
    switch plan.kind {
    case .paymentTimeouts:
      let ratio = seconds.map(model.retryRatio)
      return ratio.reduce(0, +) / Double(max(1, ratio.count))
    case .syncLag:
      let ratio = seconds.map { model.mismatchRatio("oms-erp", at: $0) }
      return ratio.reduce(0, +) / Double(max(1, ratio.count))
    case .omsBacklog:
      let parts = seconds.map { (model.confirmationDelay(at: $0), model.plan.traffic($0)) }
      return pooledQuantile(0.99, parts)
    default:
      let service = plan.kind == .serviceSlow ? plan.service : plan.component ?? ""
      let parts = seconds.map { (model.api(service, at: $0), model.plan.traffic($0)) }
      return pooledQuantile(0.99, parts)
    }
  }

  /// The `q` quantile of a mixture of latency distributions with weights (bisection on log x).
  static func pooledQuantile(_ q: Double, _ parts: [(LatencyModel, Double)]) -> Double {
    let total = parts.reduce(0) { $0 + $1.1 }
    guard total > 0 else { return 0 }
    var lo = 0.0  // log(1 ms)
    var hi = 14.0  // log(1.2 M ms)
    for _ in 0..<50 {
      let mid = (lo + hi) / 2
      let x = exp(mid)
      let c = parts.reduce(0) { $0 + $1.0.cdf(x) * $1.1 } / total
      if c < q { lo = mid } else { hi = mid }
    }
    return exp(hi)
  }

  /// The ground truth as one JSON object (`--truth FILE`).
  public var json: String {
    func time(_ t: Timestamp?) -> String { t.map { "\"\(rfc3339Shortest($0))\"" } ?? "null" }
    func str(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "null" }
    var s = "{\"kind\":\"\(kind.rawValue)\",\"component\":\(str(component)),\"seed\":\(seed)"
    s += ",\"onset\":\(time(onset)),\"visible\":\(time(visible)),\"end\":\(time(end))"
    s += ",\"visible_expected\":\(time(visibleExpected))"
    s += ",\"severity\":\(formatJSONNumber(severity)),\"ramp_s\":\(ramp)"
    s += ",\"series\":\(str(series)),\"start\":\(time(start)),\"spikes\":["
    s += spikes.map {
      "{\"start\":\(time($0.start)),\"end\":\(time($0.end)),\"factor\":\(formatJSONNumber($0.factor))}"
    }.joined(separator: ",")
    return s + "]}"
  }
}

extension IncidentPlan {
  /// The same plan without its fault or spikes (the baseline `visible` is measured against).
  var quiet: IncidentPlan {
    var p = self
    p.kind = .none
    p.spikes = []
    return p
  }
}
