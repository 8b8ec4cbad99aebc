/// The faults `vigil generate --incident KIND` can inject (issue 13), each with the component a
/// diagnosis must name first and the range its severity is drawn from.
public enum IncidentKind: String, CaseIterable, Sendable {
  case none
  case paymentSlow = "payment-slow"
  case paymentTimeouts = "payment-timeouts"
  case taxSlow = "tax-slow"
  case pricingSlow = "pricing-slow"
  case inventorySlow = "inventory-slow"
  case serviceSlow = "service-slow"
  case omsBacklog = "oms-backlog"
  case erpOutage = "erp-outage"
  case syncLag = "sync-lag"

  /// The services `service-slow` picks from (by seed).
  public static let slowableServices = ["cart", "catalog", "search"]

  /// The component a diagnosis must rank first (`nil` for `none`). `service-slow` names the
  /// service its seed picked (``IncidentPlan/component``).
  public var fixedComponent: String? {
    switch self {
    case .none, .serviceSlow: nil
    case .paymentSlow, .paymentTimeouts: "payment"
    case .taxSlow: "tax"
    case .pricingSlow: "pricing"
    case .inventorySlow: "inventory"
    case .omsBacklog: "oms"
    case .erpOutage: "erp"
    case .syncLag: "oms-erp"
    }
  }

  /// The range severity is drawn from. For latency faults it multiplies the faulty series'
  /// median (so its p99); for `payment-timeouts` the retry ratio; for `sync-lag` the oms-erp
  /// mismatch ratio; for `erp-outage` it is the fraction of ERP calls that time out.
  public var severityRange: ClosedRange<Double> {
    switch self {
    case .none: 0...0
    case .paymentSlow, .paymentTimeouts, .omsBacklog: 3...10
    case .taxSlow, .pricingSlow, .inventorySlow: 3...7
    case .serviceSlow: 3...8
    case .erpOutage: 0.3...1
    case .syncLag: 4...15
    }
  }

  /// Whether the truth's `visible` is a ratio reaching 3x (else a p99 reaching 2x).
  public var isRatioFault: Bool { self == .paymentTimeouts || self == .syncLag }
}

/// Which order events an incident feed carries (`--order-events`).
public enum OrderEvents: String, CaseIterable, Sendable {
  /// No order events at all.
  case none
  /// `order_placed{order_id}` and `order_confirmed{order_id}` only.
  case raw
  /// The ready `order_confirmation_delay_ms` only.
  case delay
  /// Both (the default).
  case both

  var raw: Bool { self == .raw || self == .both }
  var delay: Bool { self == .delay || self == .both }
}
