/// The metric names of Vigil's six built-in signals. Feeds written for Vigil use these names;
/// every one can be overridden (`--signal api_latency=http_server_ms`).
public struct SignalNames: Sendable, Equatable {
  /// API latency per service, `{service}`, milliseconds, one sample per request.
  public var apiLatency = "api_latency_ms"
  /// Checkout completion latency, `{stage=pricing|tax|inventory|payment|total}`, milliseconds.
  public var checkoutLatency = "checkout_latency_ms"
  /// Delay from order placed to order confirmed, milliseconds.
  public var orderConfirmationDelay = "order_confirmation_delay_ms"
  /// Payment attempts; a sample's value is the count in that batch.
  public var paymentAttempts = "payment_attempts_total"
  /// Payment retries `{reason}`; value = count in the batch.
  public var paymentRetries = "payment_retries_total"
  /// Failed payments; value = count in the batch.
  public var paymentFailures = "payment_failures_total"
  /// Inventory comparisons `{pair}` (e.g. storefront-oms, oms-erp); value = count in the batch.
  public var inventoryChecks = "inventory_checks_total"
  /// Inventory mismatches `{pair}`; value = count in the batch.
  public var inventoryMismatches = "inventory_mismatches_total"
  /// Support tickets `{reason=order_error|...}`; value = count in the batch.
  public var supportTickets = "support_tickets_total"

  public init() {}

  /// The override keys accepted by `--signal KEY=METRIC`, with their current values.
  public var overrides: [(key: String, metric: String)] {
    [
      ("api_latency", apiLatency), ("checkout_latency", checkoutLatency),
      ("order_confirmation_delay", orderConfirmationDelay),
      ("payment_attempts", paymentAttempts), ("payment_retries", paymentRetries),
      ("payment_failures", paymentFailures), ("inventory_checks", inventoryChecks),
      ("inventory_mismatches", inventoryMismatches), ("support_tickets", supportTickets),
    ]
  }

  /// Applies `KEY=METRIC`; returns an error message when the key or metric is not valid.
  public mutating func apply(_ assignment: String) -> String? {
    guard let eq = assignment.firstIndex(of: "=") else {
      return "expected KEY=METRIC, got \"\(printableExcerpt(assignment, limit: 60))\""
    }
    let key = String(assignment[..<eq])
    let metric = String(assignment[assignment.index(after: eq)...])
    guard !metric.isEmpty,
      metric.unicodeScalars.allSatisfy({
        ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_"
          || $0 == ":" || $0 == "."
      })
    else { return "\"\(printableExcerpt(metric, limit: 60))\" is not a metric name" }
    switch key {
    case "api_latency": apiLatency = metric
    case "checkout_latency": checkoutLatency = metric
    case "order_confirmation_delay": orderConfirmationDelay = metric
    case "payment_attempts": paymentAttempts = metric
    case "payment_retries": paymentRetries = metric
    case "payment_failures": paymentFailures = metric
    case "inventory_checks": inventoryChecks = metric
    case "inventory_mismatches": inventoryMismatches = metric
    case "support_tickets": supportTickets = metric
    default:
      return "unknown signal \"\(printableExcerpt(key, limit: 40))\"; known: "
        + overrides.map(\.key).joined(separator: ", ")
    }
    return nil
  }

  /// Every metric name that belongs to a built-in signal.
  public var all: Set<String> { Set(overrides.map(\.metric)) }
}
