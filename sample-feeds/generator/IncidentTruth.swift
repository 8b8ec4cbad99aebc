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
public struct IncidentTruth: Sendable, Equatable {
  public var kind: IncidentKind
  public var component: String?
  /// The series whose change defines `visible`.
  public var series: String?
  public var seed: UInt64
  public var start: Timestamp
  public var onset: Timestamp
  public var visible: Timestamp?
  public var end: Timestamp
  public var severity: Double
  public var ramp: Int
  public var spikes: [(start: Timestamp, end: Timestamp, factor: Double)]

  public static func == (a: IncidentTruth, b: IncidentTruth) -> Bool {
    a.json == b.json
  }

  public init(plan: IncidentPlan, start: Timestamp) {
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
    visible = IncidentTruth.visibleSecond(model, start: start).map(at)
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
  /// which the faulty series plainly shows the change; nil for `none` or when it never does.
  static func visibleSecond(_ model: IncidentModel, start: Timestamp) -> Int? {
    let plan = model.plan
    guard plan.kind != .none else { return nil }
    let phase = Int(start.nanoseconds / Nanos.second % 10)
    var tick = plan.onset + (10 - (plan.onset + phase) % 10) % 10
    let quiet = IncidentModel(plan: plan.quiet)
    let factor = plan.kind.isRatioFault ? 3.0 : 2.0
    let baseline = statistic(quiet, of: plan, window: max(0, plan.onset - 60)..<plan.onset)
    while tick <= plan.seconds {
      if statistic(model, of: plan, window: (tick - 60)..<tick) >= factor * baseline {
        return tick
      }
      tick += 10
    }
    return nil
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
