/// One event pair: a start event and an end event with the same key (the id label's value)
/// make one latency, `end − start`; starts with no end are open until they time out (config
/// `pairs:`, see `PairsConfig.swift`).
///
/// The key label is taken off the events before they are interned (``ParseSink``): it never
/// becomes a label of any series and never counts toward the series limits. The events
/// themselves still land, without the key, as counters (`order_placed` counts orders placed).
public struct PairSpec: Sendable, Equatable {
  /// The pair's name: the `pair` label of its latency series, and the default metric names.
  public var name: String
  /// The start and end events: a metric and optional label matchers (rules' `select:`).
  public var start: SeriesSelector
  public var end: SeriesSelector
  /// The label whose value pairs a start with its end (`order_id`).
  public var key: String
  /// A start older than this (event time) with no end is timed out.
  public var timeout: Int64
  /// The most keys held open (starts, and ends waiting for a late start); the oldest is
  /// evicted past it.
  public var maxOpen: Int
  /// The metrics it writes: latency in milliseconds `{pair=NAME}`, the open gauge, and the
  /// timed-out counter (value = how many timed out at that instant).
  public var latencyMetric: String
  public var openMetric: String
  public var timedOutMetric: String
  /// The built-in pair: its latency follows the `order_confirmation_delay` signal's name.
  public var builtIn = false

  public static let defaultMaxOpen = 100_000
  public static let defaultTimeout = 15 * Nanos.minute
  /// Keys longer than this are refused (counted as bad keys).
  public static let maxKeyBytes = 128

  public init(
    name: String, start: SeriesSelector, end: SeriesSelector, key: String,
    timeout: Int64 = PairSpec.defaultTimeout, maxOpen: Int = PairSpec.defaultMaxOpen,
    latencyMetric: String? = nil, openMetric: String? = nil, timedOutMetric: String? = nil
  ) {
    self.name = name
    self.start = start
    self.end = end
    self.key = key
    self.timeout = max(1, timeout)
    self.maxOpen = max(1, maxOpen)
    self.latencyMetric = latencyMetric ?? name + "_ms"
    self.openMetric = openMetric ?? name + "_open"
    self.timedOutMetric = timedOutMetric ?? name + "_timed_out_total"
  }

  /// `order_placed` → `order_confirmed` by `order_id`, 15 minutes, into
  /// `order_confirmation_delay_ms{pair="order_confirmation"}` (beside ready delays, which
  /// have no `pair` label), `order_confirmation_open` and
  /// `order_confirmation_timed_out_total`.
  public static var orderConfirmation: PairSpec {
    var p = PairSpec(
      name: "order_confirmation", start: SeriesSelector(metric: "order_placed"),
      end: SeriesSelector(metric: "order_confirmed"), key: "order_id",
      latencyMetric: "order_confirmation_delay_ms")
    p.builtIn = true
    return p
  }

  /// The pairs in force when the config says nothing.
  public static var defaults: [PairSpec] { [.orderConfirmation] }

  /// The label every latency sample carries.
  public static let pairLabel = "pair"
}

extension SeriesLimits {
  /// The same limits with the built-in pair's latency under the signals' metric name.
  func pairsFollowing(_ signals: SignalNames) -> [PairSpec] {
    pairs.map { p in
      var p = p
      if p.builtIn { p.latencyMetric = signals.orderConfirmationDelay }
      return p
    }
  }
}
