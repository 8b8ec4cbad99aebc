import VigilCore
import VigilRender

/// Direction of a signal over the window: newest third of the buckets against the rest.
public enum Trend: Sendable, Equatable {
  case up, down, flat
}

/// What one dashboard panel shows, computed from the state (no drawing).
public struct PanelModel: Sendable, Equatable {
  public var title: String
  /// What the border shows instead of ``title`` when the title and the alert or stale marker
  /// do not both fit; nil: the title is cut.
  public var shortTitle: String?
  /// The big number, e.g. `1.23s`, and what it is, e.g. `p99`.
  public var headline: String
  public var headlineLabel: String
  /// The headline as a number (in ``unit``), for reports and charts; nil when there is none.
  public var headlineValue: Double?
  public var trend: Trend?
  /// Detail lines under the headline.
  public var details: [String]
  /// One value per bucket, oldest first (nil = no data in that bucket).
  public var spark: [Double?]
  /// What the sparkline plots, e.g. `p99 per 10s`.
  public var sparkCaption: String
  /// Table rows (API latency per service), or empty.
  public var table: [[String]]
  public var tableHeader: [String]
  /// False when no sample of this signal has been seen in the window.
  public var hasData: Bool
  /// The zoomed view's breakdown: every series behind the panel with its window statistics.
  public var breakdownHeader: [String] = []
  public var breakdown: [[String]] = []
  /// Breakdown columns a narrow zoom drops first, in order, so the series names keep room.
  public var breakdownOptional: [Int] = []
  /// How sparkline values print (for the zoomed view's axis).
  public var unit: ValueUnit = .plain
  /// The threshold of the rule watching what the sparkline plots (drawn as a line on it).
  public var threshold: Double?
  /// The worst alert on this signal: firing (or recovering) beats pending; nil when none.
  public var alert: PanelAlert?
  /// The alert on the panel (firing before pending), whose guidance a zoomed panel shows
  /// under it (``DashboardModel/guidance(_:_:)``, built only when zoomed).
  public var shownAlert: AlertInstance?
  /// Every feed that delivered this signal is stale: how long since its newest sample (the
  /// panel says `STALE` and dims its numbers; its chart shows the gap). Nil when fed.
  public var staleFor: Int64?
  /// A generic layout panel's widget; nil for a built-in panel (headline, details, chart or
  /// table, as above).
  public var widget: PanelWidget?
  /// A generic panel's values per group (`by:`), or one group for all its series.
  public var groups: [PanelGroup] = []
  /// Gauge: the value of a full bar.
  public var gaugeMax: Double?
  /// Text widget: the layout's lines.
  public var text: [String] = []
  /// The latency distribution over the window, per bucket (`widget: heatmap` or `histogram`).
  public var distribution: Distribution?
  /// The checkout waterfall's stages, in order (`widget: waterfall`), and its budget (ms).
  public var waterfall: [Waterfall.Stage] = []
  public var budget: Double?
  /// Bins of ``distribution``: about a plot's height at 120x40, merged by the widgets below it.
  public static let distributionBins = 16

  public init(
    title: String, headline: String = "—", headlineLabel: String = "", trend: Trend? = nil,
    details: [String] = [], spark: [Double?] = [], sparkCaption: String = "",
    table: [[String]] = [], tableHeader: [String] = [], hasData: Bool = false
  ) {
    self.title = title
    self.headline = headline
    self.headlineLabel = headlineLabel
    self.trend = trend
    self.details = details
    self.spark = spark
    self.sparkCaption = sparkCaption
    self.table = table
    self.tableHeader = tableHeader
    self.hasData = hasData
  }
}

/// One group of a generic panel's series (one value of its `by:` label).
public struct PanelGroup: Sendable, Equatable {
  public var name: String
  public var value: Double?
  /// The value as the panel prints it (its unit, `/s` for a rate).
  public var text: String
  public var spark: [Double?]
  public init(name: String, value: Double?, text: String, spark: [Double?]) {
    self.name = name
    self.value = value
    self.text = text
    self.spark = spark
  }
}

/// An alert on a panel's signal, as its border and title show it.
public enum PanelAlert: Sendable, Equatable {
  case pending, firing
}

/// How a panel's values print.
public enum ValueUnit: Sendable, Equatable {
  case milliseconds, ratio, count, plain

  public func format(_ v: Double?) -> String {
    switch self {
    case .milliseconds: Format.millis(v)
    case .ratio: Format.percent(v)
    case .count: Format.count(v)
    case .plain: Format.value(v)
    }
  }
}

/// Builds the six signal panels (and the generic one) for the state at its view time.
public struct DashboardModel: Sendable, Equatable {
  /// An alert's lines under a zoomed panel: which alert, then what to do.
  public static func guidance(_ inst: AlertInstance, _ state: AppState) -> [String] {
    let labels = inst.shownLabels.isEmpty ? "" : " " + inst.shownLabels
    return [inst.state.rawValue.uppercased() + " " + inst.rule + labels]
      + alertDetails(inst, state)
  }

  public var panels: [PanelModel]
  /// Series that belong to no built-in signal, for the "Other metrics" panel.
  public var others: [[String]]

  public init(_ state: AppState) {
    let b = ModelBuilder(state: state)
    let layout = state.layout
    let signals = state.config.signals
    panels = layout.panels.map { b.panel(for: $0) }
    for inst in state.shownAlerts where inst.state.isProblem || inst.state == .pending {
      let metrics = b.alertMetrics(inst)
      guard !metrics.isEmpty else { continue }
      for (i, spec) in layout.panels.enumerated() where b.shows(spec, metrics, inst.labels) {
        if inst.state.isProblem {
          if panels[i].alert != .firing { panels[i].shownAlert = inst }
          panels[i].alert = .firing
        } else if panels[i].alert == nil {
          panels[i].alert = .pending
          panels[i].shownAlert = inst
        }
      }
    }
    others = b.otherMetrics(known: signals.all.union(layout.metrics(signals)))
    for (i, spec) in layout.panels.enumerated() {
      panels[i].staleFor = b.staleness(of: spec.metrics(signals))
    }
  }
}
