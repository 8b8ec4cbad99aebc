/// Decides what alert delivery sends, the same for `vigil watch` and the dashboard: a
/// transition to firing that is news (not history read from a backlog) and not acked or
/// silenced; later the resolve of an instance whose firing was sent (whatever the operator did
/// meanwhile: a receiver must not be left with an alert that never ends); and, for sinks that
/// want them (Alertmanager), the firing alerts again every `resendInterval` while they fire.
///
/// Pure: the caller passes the clock and what the screen decided (news, quiet).
public struct AlertDispatcher: Sendable {
  /// How often firing alerts are sent again (Prometheus's `resend_delay` is 1m).
  public var resendInterval: Int64
  /// Instances tracked at most (the firing ones that were sent); past it, a firing is still
  /// sent once but not resent, and its resolve is not sent (counted in ``untracked``).
  public var maxTracked = 10_000
  public private(set) var untracked = 0
  /// Sent firing instances: the notification and when (monotonic) it was last sent.
  public private(set) var firing: [AlertKey: (notification: AlertNotification, sent: Int64)] = [:]

  public init(resendInterval: Int64 = Nanos.minute) {
    self.resendInterval = max(Nanos.second, resendInterval)
  }

  /// Alertmanager's validity for a sent firing: 4 × the resend interval (as Prometheus), so
  /// an Alertmanager that stops hearing from Vigil resolves the alert by itself.
  public var validFor: Int64 { 4 * resendInterval }

  /// The notification to send for `tr` (nil when there is none): `isNews` and `isQuiet` say
  /// whether a firing is news and whether the instance is acked or silenced; `suspect` is the
  /// top suspect's one-line text, added as the `suspect` annotation.
  public mutating func notification(
    for tr: AlertTransition, rule: AlertRule?, series: String?, isNews: Bool, isQuiet: Bool,
    suspect: String? = nil, now: Int64
  ) -> AlertNotification? {
    let key = AlertKey(rule: tr.rule, labels: tr.labels)
    switch tr.to {
    case .firing:
      guard tr.notifies, isNews, !isQuiet,
        var n = AlertNotification(tr, rule: rule, series: series)
      else { return nil }
      if let suspect {
        n.annotations.append(("suspect", suspect))
        n.annotations.sort { $0.name < $1.name }
      }
      if firing[key] != nil || firing.count < maxTracked {
        firing[key] = (n, now)
      } else {
        untracked += 1
      }
      return n
    case .resolved:
      guard let sent = firing.removeValue(forKey: key),
        var n = AlertNotification(tr, rule: rule, series: series)
      else { return nil }
      n.startsAt = sent.notification.startsAt
      n.annotations = sent.notification.annotations
      return n
    default: return nil
    }
  }

  /// The firing alerts due to be sent again at `now` (marked as sent).
  public mutating func resends(now: Int64) -> [AlertNotification] {
    var due: [AlertNotification] = []
    for (key, entry) in firing where now - entry.sent >= resendInterval {
      var n = entry.notification
      n.isResend = true
      due.append(n)
      firing[key]?.sent = now
    }
    return due.sorted { ($0.startsAt, $0.instanceKey) < ($1.startsAt, $1.instanceKey) }
  }
}

extension Suspect {
  /// One line for an alert's `suspect` annotation: `payment p99 x2.0 (api_latency_ms{...})`.
  public var annotationText: String {
    var s = component + " " + measure
    if let change { s += " x" + formatJSONNumber((change * 10).rounded() / 10) }
    return s + " (" + series + ")"
  }
}
