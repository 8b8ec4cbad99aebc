/// Every sink of one run (`--on-alert`, `--webhook`, `--alertmanager`, `notify:`), fed by one
/// ``AlertDispatcher``: the loop hands it transitions and ticks; each sink's ``DeliveryWorker``
/// sends on its own thread. Used on the loop's thread only.
public final class AlertDeliveries {
  public let workers: [DeliveryWorker]
  public private(set) var dispatcher: AlertDispatcher
  /// The newest notifications handed to the sinks, oldest first (at most ``maxRecent``).
  public private(set) var recent: [AlertNotification] = []
  public let maxRecent = 100

  public init(sinks: [any DeliverySink], resendInterval: Int64 = Nanos.minute) {
    workers = sinks.map { DeliveryWorker(sink: $0) }
    dispatcher = AlertDispatcher(resendInterval: resendInterval)
  }

  /// Hands `tr` to the dispatcher and queues what it decides on every sink; returns it.
  @discardableResult
  public func handle(
    _ tr: AlertTransition, rule: AlertRule?, series: String?, isNews: Bool, isQuiet: Bool,
    suspect: String? = nil
  ) -> AlertNotification? {
    guard
      let n = dispatcher.notification(
        for: tr, rule: rule, series: series, isNews: isNews, isQuiet: isQuiet, suspect: suspect,
        now: monotonicNanos())
    else { return nil }
    for w in workers { w.send(n) }
    recent.append(n)
    if recent.count > maxRecent { recent.removeFirst(recent.count - maxRecent) }
    return n
  }

  /// Sends due resends to the sinks that want them (only when one does).
  public func tick() {
    let wanting = workers.filter { $0.sink.wantsResends }
    guard !wanting.isEmpty else { return }
    for n in dispatcher.resends(now: monotonicNanos()) {
      for w in wanting { w.send(n) }
    }
  }

  /// What each sink has done, and the newest notifications.
  public var status: DeliveryStatus {
    DeliveryStatus(
      targets: workers.map { DeliveryStatus.Target(name: $0.sink.name, stats: $0.stats) },
      recent: recent.suffix(20).map {
        DeliveryStatus.Sent(
          status: $0.status, rule: $0.rule, labels: $0.labels.description, at: $0.at)
      })
  }

  /// At shutdown: a last attempt at what was not tried yet, for at most `limit` in all.
  @discardableResult
  public func finish(limit: Int64 = 5 * Nanos.second) -> [DeliveryStatus.Target] {
    let deadline = monotonicNanos() + limit
    return workers.map { w in
      DeliveryStatus.Target(
        name: w.sink.name, stats: w.finish(limit: max(0, deadline - monotonicNanos())))
    }
  }
}

/// A snapshot of alert delivery for the screen: each sink's counts and the newest
/// notifications.
public struct DeliveryStatus: Sendable, Equatable {
  public struct Target: Sendable, Equatable {
    public var name: String
    public var stats: DeliveryWorker.Stats
    public init(name: String, stats: DeliveryWorker.Stats) {
      self.name = name
      self.stats = stats
    }
  }
  public struct Sent: Sendable, Equatable {
    public var status: AlertNotification.Status
    public var rule: String
    public var labels: String
    public var at: Timestamp
    public init(status: AlertNotification.Status, rule: String, labels: String, at: Timestamp) {
      self.status = status
      self.rule = rule
      self.labels = labels
      self.at = at
    }
  }
  public var targets: [Target]
  public var recent: [Sent]
  public init(targets: [Target] = [], recent: [Sent] = []) {
    self.targets = targets
    self.recent = recent
  }

  /// The first target whose newest attempt failed, with why (the status bar says it).
  public var failing: (name: String, error: String)? {
    targets.first { $0.stats.failing }.map { ($0.name, $0.stats.lastError ?? "failed") }
  }
}
