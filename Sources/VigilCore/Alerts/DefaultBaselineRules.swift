/// The default rules that compare each series with its own baseline (`baseline:`), one per
/// signal, next to the fixed-threshold rules of ``DefaultRules``.
///
/// | rule | signal | fires when (1m window unless said) |
/// | --- | --- | --- |
/// | ApiLatencyAboveBaseline | API p95 per service | > 1.75x its median of the last hour and > 100 ms |
/// | ApiLatencyTailAboveBaseline | API p99 per service | > 4x and > 500 ms |
/// | CheckoutStageAboveBaseline | checkout p95 per stage (and `total`) | > 1.75x and > 100 ms |
/// | CheckoutStageTailAboveBaseline | checkout p99 per stage (and `total`) | > 4x and > 500 ms |
/// | OrderConfirmationAboveBaseline | order confirmation delay p95 | > 1.75x and > 3 s |
/// | PaymentRetryRatioAboveBaseline | payment retries / attempts | > 2.5x and > 5 %, counts p < 1e-6 |
/// | PaymentFailureRatioAboveBaseline | payment failures / attempts, 5m | > 3x and > 1 %, counts p < 1e-6 |
/// | InventoryMismatchAboveBaseline | mismatches / checks per pair | > 2.5x and > 0.5 %, counts p < 1e-6 |
/// | SupportOrderErrorsAboveBaseline | `reason=order_error` tickets per second, 10m | > 3x and > 0.03/s, counts p < 1e-6 |
///
/// Every one has an absolute floor (a quiet series cannot page on noise), a minimum count per
/// minute for the baseline (20 requests, 50 attempts, 200 checks), `for: 0s` (a 1-minute window
/// against a robust hour-long baseline is already quiet on noise, and the target is detection
/// within two ticks of the first minute that plainly shows the change) and `keep_firing_for: 1m`
/// (a value hovering at the line does not flap). A traffic spike (3-6x the traffic, latencies up
/// 10-40 %, ratios unchanged) stays under the factors. The factors and floors were tuned on
/// `vigil-bench --diagnosis` over 50 seeds (README, Diagnosis): 2.25x on the p99 of ~100-200
/// requests a minute fired on noise 0.1 times per quiet hour (the p99 of such a minute is its
/// second-largest value); the p95 at 1.75x and the p99 at 4x raised none and detect sooner. The
/// ratio rules and the ticket rate are rare events, judged by their counts against the hour's
/// pooled rate (`significance: 1e-6`, DECISIONS D43) rather than by a floor high enough to
/// outrun counting noise at one volume; their floors say what matters. Each instance
/// warms up for 10 usable minutes before it is evaluated (about 12 minutes after a fresh start,
/// the newest 2 being left out).
extension DefaultRules {
  static func baselineRules(signals: SignalNames) -> [(metrics: [String], yaml: String)] {
    [
      latency(
        "ApiLatencyAboveBaseline", metric: signals.apiLatency, floor: "100", label: "service",
        severity: "page"),
      latency(
        "CheckoutStageAboveBaseline", metric: signals.checkoutLatency, floor: "100",
        label: "stage", severity: "page"),
      latency(
        "OrderConfirmationAboveBaseline", metric: signals.orderConfirmationDelay, floor: "3000",
        label: nil, severity: "ticket"),
      latency(
        "ApiLatencyTailAboveBaseline", metric: signals.apiLatency, floor: "500", label: "service",
        severity: "page", tail: true),
      latency(
        "CheckoutStageTailAboveBaseline", metric: signals.checkoutLatency, floor: "500",
        label: "stage", severity: "page", tail: true),
      ratio(
        "PaymentRetryRatioAboveBaseline", num: signals.paymentRetries,
        den: signals.paymentAttempts, by: nil, window: "1m", factor: "2.5", floor: "0.05",
        minCount: 50, severity: "page"),
      ratio(
        "PaymentFailureRatioAboveBaseline", num: signals.paymentFailures,
        den: signals.paymentAttempts, by: nil, window: "5m", factor: "3", floor: "0.01",
        minCount: 50, severity: "page"),
      ratio(
        "InventoryMismatchAboveBaseline", num: signals.inventoryMismatches,
        den: signals.inventoryChecks, by: "pair", window: "1m", factor: "2.5", floor: "0.005",
        minCount: 200, severity: "ticket"),
      (
        [signals.supportTickets],
        """
          - alert: SupportOrderErrorsAboveBaseline
            metric: \(signals.supportTickets)
            select: {reason: order_error}
            aggregate: rate
            window: 10m
            op: ">"
            baseline: {over: 1h, factor: 3, floor: 0.03, min_minutes: 10, min_count: 0, gap: 2m, significance: 1e-6}
            for: 0s
            keep_firing_for: 1m
            # Tickets are sparse: none in the window means zero, not a stale feed.
            no_data_state: ok
            severity: ticket
            annotations:
              summary: "{{ $value }} order-error tickets/s, over 3x their usual rate"
              runbook: "Look for failed or unconfirmed orders 10-30 minutes before the tickets."
        """ + "\n"
      ),
    ]
  }

  /// A latency rule: the p95 at 1.75x its median (the bulk of the distribution moved), or with
  /// `tail`, the p99 at 4x (a fraction of calls timing out: the bulk stays put). The p99 of a
  /// minute of 100-200 calls is close to its largest two, so a p99 rule near 2x fires on noise.
  private static func latency(
    _ name: String, metric: String, floor: String, label: String?, severity: String,
    tail: Bool = false
  ) -> (metrics: [String], yaml: String) {
    let on = label.map { " on {{ $labels.\($0) }}" } ?? ""
    let (measure, factor) = tail ? ("p99", "4") : ("p95", "1.75")
    return (
      [metric],
      """
        - alert: \(name)
          metric: \(metric)
          aggregate: \(measure)
          window: 1m
          op: ">"
          baseline: {over: 1h, factor: \(factor), floor: \(floor), min_minutes: 10, min_count: 20, gap: 2m}
          for: 0s
          keep_firing_for: 1m
          severity: \(severity)
          annotations:
            summary: "\(measure) {{ $value }} ms\(on), over \(factor)x its median of the last hour"
            runbook: "Open the suspects (d): the series that moved first and most."
      """ + "\n"
    )
  }

  private static func ratio(
    _ name: String, num: String, den: String, by: String?, window: String, factor: String,
    floor: String, minCount: Int, severity: String
  ) -> (metrics: [String], yaml: String) {
    let group = by.map { "\n    by: [\($0)]" } ?? ""
    let on = by.map { " on {{ $labels.\($0) }}" } ?? ""
    return (
      [num, den],
      """
        - alert: \(name)
          aggregate: ratio
          num: \(num)
          den: \(den)\(group)
          window: \(window)
          op: ">"
          baseline: {over: 1h, factor: \(factor), floor: \(floor), min_minutes: 10, min_count: \(minCount), gap: 2m, significance: 1e-6}
          for: 0s
          keep_firing_for: 1m
          severity: \(severity)
          annotations:
            summary: "ratio {{ $value }}\(on), over \(factor)x its rate of the last hour"
            runbook: "Open the suspects (d): the series that moved first and most."
      """ + "\n"
    )
  }
}
