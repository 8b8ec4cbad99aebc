import VigilCore

/// Alert delivery as the loop sees it: after each message, the new transitions go to
/// ``AlertDeliveries`` with what the dashboard knows of them (news or backlog, acked or
/// silenced, the top suspect), and due resends are sent. The dashboard and `vigil watch` use
/// this one observer, so both deliver the same alerts.
public final class DeliveryObserver: AppLoopObserver {
  public let deliveries: AlertDeliveries
  /// Told each notification handed to delivery (the recorder notes them).
  public var onSent: ((AlertNotification) -> Void)?
  private var seen: Int
  private var lastResendCheck: Int64 = 0
  private var lastStatus: DeliveryStatus?

  public init(_ deliveries: AlertDeliveries, state: AppState) {
    self.deliveries = deliveries
    seen = state.alertHistory.transitionsTotal
  }

  public func willApply(_ message: Message) {}

  public func didApply(_ state: AppState) {
    let total = state.alertHistory.transitionsTotal
    let fresh = min(total - seen, state.alertHistory.history.count)
    seen = total
    if fresh > 0 {
      let settled = state.feeds.allSatisfy(\.isSettled)
      for tr in state.alertHistory.history.suffix(fresh) {
        let key = AlertKey(rule: tr.rule, labels: tr.labels)
        let suspect = state.engine.suspectRankings.last {
          $0.t == tr.t && $0.alert == tr.rule && $0.labels == tr.labels
        }?.suspects.first?.annotationText
        let sent = deliveries.handle(
          tr, rule: state.engine.rules.rules.first { $0.name == tr.rule },
          series: state.engine.rules.watchedSeries(rule: tr.rule, labels: tr.labels),
          isNews: alertIsNews(
            tr.t, clock: state.engine.clock, settled: settled, live: state.hasLiveFeed),
          isQuiet: state.notifier.isQuiet(key, at: tr.t), suspect: suspect)
        if let sent { onSent?(sent) }
      }
    }
    // Resends are checked once a second at most (a flood of input applies many messages).
    let now = monotonicNanos()
    if now - lastResendCheck >= Nanos.second {
      lastResendCheck = now
      deliveries.tick()
    }
  }

  /// The delivery status when it changed since the last call (the loop posts it as
  /// `.delivery`).
  public func statusIfChanged() -> DeliveryStatus? {
    let s = deliveries.status
    guard s != lastStatus else { return nil }
    lastStatus = s
    return s
  }

  public func rulesRead(_ text: RulesText, at time: Timestamp) {}
  public func layoutChanged(text: String, path: String?) {}
  public func finish(at time: Timestamp, reason: ExitReason) {}
}

/// Several observers told the same things in order (the recorder, then delivery).
public final class LoopObservers: AppLoopObserver {
  public let members: [any AppLoopObserver]
  public init(_ members: [any AppLoopObserver]) { self.members = members }
  public func willApply(_ message: Message) { for m in members { m.willApply(message) } }
  public func didApply(_ state: AppState) { for m in members { m.didApply(state) } }
  public func rulesRead(_ text: RulesText, at time: Timestamp) {
    for m in members { m.rulesRead(text, at: time) }
  }
  public func layoutChanged(text: String, path: String?) {
    for m in members { m.layoutChanged(text: text, path: path) }
  }
  public func finish(at time: Timestamp, reason: ExitReason) {
    for m in members { m.finish(at: time, reason: reason) }
  }
}
