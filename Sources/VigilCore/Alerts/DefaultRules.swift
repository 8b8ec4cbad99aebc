/// The rules Vigil ships for the six signals (SEMANTICS §3.5), as a rules file.
///
/// The thresholds are starting points, tuned so the built-in demo incident stays quiet at its
/// baseline and fires during the incident; override them with your own rules file. Units follow
/// the signals: latencies in milliseconds, counters as event counts per sample.
///
/// | rule | signal | condition |
/// | --- | --- | --- |
/// | ApiLatencyP99High | API latency per service | p99 over 5m > 1500 ms for 5m (clears below 1200 ms) |
/// | CheckoutLatencyP99High | checkout completion (`stage=total`) | p99 over 5m > 3000 ms for 3m |
/// | OrderConfirmationDelayHigh | order confirmation delay | p99 over 5m > 10000 ms for 2m |
/// | PaymentRetryRatioHigh | payment retries / attempts | > 5 % over 5m for 3m |
/// | InventoryMismatchHigh | mismatches / checks per system pair | > 0.5 % over 15m for 5m, clears at 0.3 % |
/// | SupportTicketsOrderErrors | support tickets, `reason=order_error` | > 60 in 5m for 2m |
/// | PaymentErrorBudgetBurn | payment failures / attempts, SLO 99 % over 30 days | the SRE Workbook's pairs: 1h/5m at 14.4 and 6h/30m at 6 page, 3d/6h at 1 tickets |
///
/// Differences from SEMANTICS §3.5's examples: API p99 at 1.5 s (the demo's payment service
/// sits near 0.9-1.2 s at baseline), shorter `for` on the ratio rules (a 10-15 minute `for` never
/// fires within the demo's 15-minute incident), and support tickets as a plain count over 5m (the
/// 7-day EWMA baseline needs more history than the store keeps). The SLO rule reads its 1h-3d
/// windows from the long-window counters (SEMANTICS §8.1); a fresh start has only the history
/// it has seen, so its long windows cover less until they fill.
public enum DefaultRules {
  /// The default rules file for the given signal metric names. With `only`, the rules that
  /// read a metric outside it are left out (a replay of a few Prometheus queries should not
  /// raise `FeedStale` for the signals it did not ask for).
  public static func yaml(signals: SignalNames = SignalNames(), only: Set<String>? = nil)
    -> String
  {
    let kept = rules(signals: signals).filter { rule in
      only.map { rule.metrics.allSatisfy($0.contains) } ?? true
    }
    guard !kept.isEmpty else { return header.replacing("rules:\n", with: "rules: []\n") }
    return header + kept.map(\.yaml).joined()
  }

  static let header = """
    # Vigil default alert rules (thresholds are starting points: override them).
    evaluation_interval: 10s
    eval_delay: 2s
    rules:
    """ + "\n"

  /// Each default rule: the metrics it reads and its text in the rules file.
  static func rules(signals: SignalNames) -> [(metrics: [String], yaml: String)] {
    absoluteRules(signals: signals) + baselineRules(signals: signals)
  }

  /// The fixed-threshold rules (their names are an interface: users script against them).
  static func absoluteRules(signals: SignalNames) -> [(metrics: [String], yaml: String)] {
    [
      (
        [signals.apiLatency],
        """
          - alert: ApiLatencyP99High
            metric: \(signals.apiLatency)
            aggregate: p99
            window: 5m
            op: ">"
            threshold: 1500
            clear_threshold: 1200
            for: 5m
            severity: page
            annotations:
              summary: "API p99 {{ $value }} ms on {{ $labels.service }}"
              runbook: "Check the slowest service's dependencies and recent deploys."
        """ + "\n"
      ),
      (
        [signals.checkoutLatency],
        """
          - alert: CheckoutLatencyP99High
            metric: \(signals.checkoutLatency)
            select: {stage: total}
            aggregate: p99
            window: 5m
            op: ">"
            threshold: 3000
            for: 3m
            severity: page
            annotations:
              summary: "Checkout p99 {{ $value }} ms"
              runbook: "Compare the stages (pricing, tax, inventory, payment) to find the slow one."
        """ + "\n"
      ),
      (
        [signals.orderConfirmationDelay],
        """
          - alert: OrderConfirmationDelayHigh
            metric: \(signals.orderConfirmationDelay)
            aggregate: p99
            window: 5m
            op: ">"
            threshold: 10000
            for: 2m
            severity: ticket
            annotations:
              summary: "Order confirmations lag: p99 {{ $value }} ms"
              runbook: "Check the order queue consumers and the OMS."
        """ + "\n"
      ),
      (
        [signals.paymentRetries, signals.paymentAttempts],
        """
          - alert: PaymentRetryRatioHigh
            aggregate: ratio
            num: \(signals.paymentRetries)
            den: \(signals.paymentAttempts)
            window: 5m
            op: ">"
            threshold: 0.05
            for: 3m
            severity: page
            annotations:
              summary: "{{ $value }} of payment attempts are retries"
              runbook: "Check the payment gateway's status and error reasons."
        """ + "\n"
      ),
      (
        [signals.inventoryMismatches, signals.inventoryChecks],
        """
          - alert: InventoryMismatchHigh
            aggregate: ratio
            num: \(signals.inventoryMismatches)
            den: \(signals.inventoryChecks)
            by: [pair]
            window: 15m
            op: ">"
            threshold: 0.005
            clear_threshold: 0.003
            for: 5m
            severity: ticket
            annotations:
              summary: "Inventory mismatch {{ $value }} between {{ $labels.pair }}"
              runbook: "Check the sync jobs between storefront, OMS and ERP."
        """ + "\n"
      ),
      (
        [signals.supportTickets],
        """
          - alert: SupportTicketsOrderErrors
            metric: \(signals.supportTickets)
            select: {reason: order_error}
            aggregate: sum
            window: 5m
            op: ">"
            threshold: 60
            for: 2m
            # Tickets are sparse: none in the window means zero, not a stale feed.
            no_data_state: ok
            severity: ticket
            annotations:
              summary: "{{ $value }} order-error tickets in 5m"
              runbook: "Look for failed orders behind the tickets."
        """ + "\n"
      ),
      (
        [signals.paymentFailures, signals.paymentAttempts],
        """
          - alert: PaymentErrorBudgetBurn
            aggregate: burn_rate
            slo:
              objective: 0.99
              period: 30d
              bad: \(signals.paymentFailures)
              total: \(signals.paymentAttempts)
            # The SRE Workbook's pairs for a 30-day SLO (the default when windows is left out).
            windows:
              - {long: 1h, short: 5m, factor: 14.4, severity: page}
              - {long: 6h, short: 30m, factor: 6, severity: page}
              - {long: 3d, short: 6h, factor: 1, severity: ticket}
            annotations:
              summary: "Payments burn their error budget {{ $value }}x too fast"
              runbook: "Failed payments spend the 1 % budget: check the gateway and declines."
        """ + "\n"
      ),
    ]
  }
}
