/// A feed as a config file declares it.
public struct FeedConfig: Sendable, Equatable {
  public var target: String
  public var format: FeedFormat?
  public var mapping = FieldMapping()
  public var timeUnit: TimeUnit?
  public var fromEnd = false
  /// Set for a `scrape:` feed (then `target` is its URL).
  public var poll: PollSettings?
  /// `command:` instead of `path:`: `target` is a shell command whose output is the feed.
  public var isCommand = false
  /// `no_data_after`: quiet this long, the feed is stale (default 5m).
  public var noDataAfter: Int64?

  public init(target: String) { self.target = target }
}

/// What a `--config` file sets. Anything it leaves out keeps its default; flags override it.
///
/// ```yaml
/// signals:                 # metric names of the six signals
///   api_latency: http_server_duration_ms
/// windows: [1m, 5m, 15m]
/// window: 5m
/// fps: 4
/// clock: auto              # wall | event | auto
/// feeds:
///   - path: /var/log/checkout.jsonl
///     map: ts=time,value=duration_ms,metric=const:api_latency_ms,label.service=svc
///   - path: /var/log/orders.csv
///     format: csv
///   - command: ssh db1 tail -F /var/log/orders.jsonl
///     no_data_after: 2m
/// series: {max: 2000, per_metric: 500, fold_after: 100}
/// drop_labels: {session_start: [session_id]}
/// pairs: [order_confirmation]   # event pairs (`Pairs/PairsConfig.swift`); [] for none
/// ```
public struct ConfigFile: Sendable, Equatable {
  public var signals = SignalNames()
  public var windows: [Int64]?
  public var window: Int64?
  public var fps: Double?
  public var clock: ClockMode?
  public var feeds: [FeedConfig] = []
  /// Prometheus HTTP API servers and their queries (see `NetConfig.swift`).
  public var prometheus: [PrometheusSourceConfig] = []
  /// `layout:` a built-in layout name or a layout file (relative to the config file).
  public var layout: String?
  /// `series:` limits, `drop_labels:` and `pairs:` (``SeriesLimits``; the signals' metrics
  /// are added where the engine is made).
  public var series = SeriesLimits()
  /// `components:` which series belong to which component, and what feeds what (suspects).
  public var components = ComponentsConfig()
  /// `notify:` where alerts are delivered (``NotifyConfig``).
  public var notify = NotifyConfig()

  public init() {}
}
