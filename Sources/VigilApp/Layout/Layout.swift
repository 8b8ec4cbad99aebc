import VigilCore
import VigilRender

/// A dashboard layout: panels and the grid that places them (format: `layouts/README.md`).
///
/// ```yaml
/// name: one-service
/// panels:
///   latency: {metric: api_latency_ms, select: {service: checkout}, aggregate: p99, unit: ms}
///   retries: {kind: payment_retries}
/// grid:
///   - height: fill
///     columns: [latency, retries]
/// ```
///
/// ``panels`` are in focus order: the grid's cells read row by row, left to right.
public struct Layout: Sendable, Equatable {
  public var name: String
  /// Shown in the title bar after "Vigil · ".
  public var title: String
  /// Every panel placed in the grid, in reading order (Tab's order).
  public var panels: [PanelSpec]
  public var rows: [LayoutRow]
  /// Whether the "other metrics" strip may take the bottom of a tall terminal.
  public var otherMetrics = true

  public init(name: String, title: String, panels: [PanelSpec], rows: [LayoutRow]) {
    self.name = name
    self.title = title
    self.panels = panels
    self.rows = rows
  }

  /// The built-in default, `layouts/commerce.yaml` (embedded in the binary).
  public static let commerce: Layout = {
    if case .success(let load) = LayoutLoader.builtin(named: LayoutLoader.defaultName) {
      return load.layout
    }
    // The embedded file is tested (LayoutLoaderTests); this is only a safety net.
    let kinds = BuiltinPanel.allCases
    let panels = kinds.map { PanelSpec(id: $0.rawValue, kind: $0) }
    let rows = stride(from: 0, to: kinds.count, by: 2).map { first in
      LayoutRow(
        height: .fill(1),
        cells: [
          LayoutCell(width: .fill(1), panel: first), LayoutCell(width: .fill(1), panel: first + 1),
        ]
      )
    }
    return Layout(name: "commerce", title: "commerce", panels: panels, rows: rows)
  }()

  /// Every metric name the layout's panels show (the "other metrics" list leaves them out).
  public func metrics(_ signals: SignalNames) -> Set<String> {
    Set(panels.flatMap { $0.metrics(signals) })
  }
}

/// One row of the grid: its height and its cells, left to right.
public struct LayoutRow: Sendable, Equatable {
  public var height: LayoutSize
  public var cells: [LayoutCell]
  public init(height: LayoutSize, cells: [LayoutCell]) {
    self.height = height
    self.cells = cells
  }
}

/// A cell of a row: its width and the panel in it (an index into ``Layout/panels``).
public struct LayoutCell: Sendable, Equatable {
  public var width: LayoutSize
  public var panel: Int
  public init(width: LayoutSize, panel: Int) {
    self.width = width
    self.panel = panel
  }
}

/// A row height or a column width: `8` (cells), `30%`, `fill` or `2fill` (a share of the rest).
public enum LayoutSize: Sendable, Equatable {
  case fixed(Int)
  case percent(Int)
  case fill(Int)

  var constraint: Constraint {
    switch self {
    case .fixed(let n): .fixed(n)
    case .percent(let p): .percent(p)
    case .fill(let w): .fill(w)
    }
  }

  /// The fewest cells a panel is readable in along this axis (a fixed size is its own).
  func minimum(_ readable: Int) -> Int {
    if case .fixed(let n) = self { return n }
    return readable
  }
}

/// The six commerce panels with their rich content (per-service table, checkout stages, ...).
public enum BuiltinPanel: String, Sendable, Equatable, CaseIterable {
  case apiLatency = "api_latency"
  case checkoutLatency = "checkout_latency"
  case orderConfirmation = "order_confirmation"
  case paymentRetries = "payment_retries"
  case inventoryMismatch = "inventory_mismatch"
  case supportTickets = "support_tickets"

  /// The signal metrics the panel shows (its staleness and alert markers follow them).
  public func metrics(_ n: SignalNames) -> [String] {
    switch self {
    case .apiLatency: [n.apiLatency]
    case .checkoutLatency: [n.checkoutLatency]
    case .orderConfirmation: [n.orderConfirmationDelay]
    case .paymentRetries: [n.paymentAttempts, n.paymentRetries, n.paymentFailures]
    case .inventoryMismatch: [n.inventoryChecks, n.inventoryMismatches]
    case .supportTickets: [n.supportTickets]
    }
  }

  /// The title a narrow panel shows when its title and its alert marker do not both fit (at
  /// 80 columns `Support tickets: order e… ● FIRING` told less than `Tickets: order errors`).
  public var shortTitle: String? {
    switch self {
    case .apiLatency: "API latency"
    case .orderConfirmation: "Confirmation delay"
    case .supportTickets: "Tickets: order errors"
    default: nil
    }
  }
}

/// How a generic panel draws its values.
public enum PanelWidget: String, Sendable, Equatable, CaseIterable {
  /// Headline, a summary line and a block sparkline.
  case sparkline
  /// A braille line chart (one small chart per group with `by:`).
  case line
  /// A bar filled to value / max.
  case gauge
  /// One horizontal bar per group, scaled to the largest.
  case bar
  /// One row per group (or series).
  case table
  /// Fixed text, then one line per group.
  case text
  /// The latency distribution now (drawn by ``renderDistributionPanel``).
  case histogram
  /// The latency distribution over time (drawn by ``renderDistributionPanel``).
  case heatmap
  /// The checkout path's stages end to end against a budget (``renderWaterfall``).
  case waterfall
}

/// What a generic panel computes over its window for a group of series.
public enum PanelAggregate: Sendable, Equatable {
  case count, sum, rate, mean, min, max, last
  /// A quantile in (0, 1): `p99` is 0.99, `p99.9` is 0.999.
  case quantile(Double)
  /// Σ metric / Σ den (counters whose samples carry counts).
  case ratio

  /// `p99`, `rate`, `ratio`, ...
  public var name: String {
    switch self {
    case .count: "count"
    case .sum: "sum"
    case .rate: "rate"
    case .mean: "mean"
    case .min: "min"
    case .max: "max"
    case .last: "last"
    case .ratio: "ratio"
    case .quantile(let q):
      // Tenths of a percent: p99, p99.9, p75.
      (q * 1000).rounded().truncatingRemainder(dividingBy: 10) == 0
        ? "p\(Int(clamping: (q * 100).rounded()))" : "p\((q * 1000).rounded() / 10)"
    }
  }

  /// Parses an aggregate name (`avg` is `mean`, `pN` any quantile).
  public init?(name: String) {
    switch name {
    case "count": self = .count
    case "sum": self = .sum
    case "rate": self = .rate
    case "mean", "avg": self = .mean
    case "min": self = .min
    case "max": self = .max
    case "last": self = .last
    case "ratio": self = .ratio
    default:
      guard name.hasPrefix("p"), name.count > 1, let p = Double(name.dropFirst()), p > 0,
        p < 100, !name.dropFirst().hasPrefix("+")
      else { return nil }
      // Rounded to millionths, so p99.9 is exactly 0.999.
      self = .quantile((p * 10_000).rounded() / 1_000_000)
    }
  }
}

/// One panel of a layout: a built-in commerce panel (``kind``) or a generic one.
public struct PanelSpec: Sendable, Equatable {
  /// The name the grid refers to it by (`row 2 column 1` for an inline panel).
  public var id: String
  /// Replaces the default title (a built-in panel's own, or the metric name).
  public var title: String?
  /// A built-in panel; nil for a generic one.
  public var kind: BuiltinPanel?
  /// Generic: the metric and label matchers (the numerator of a ratio).
  public var selector: SeriesSelector?
  /// Generic `ratio`: the denominator.
  public var den: SeriesSelector?
  public var aggregate: PanelAggregate = .last
  /// Overrides the window the 1/5/f keys choose.
  public var window: Int64?
  /// Splits the series by this label (one row, bar, gauge or chart per value).
  public var by: String?
  public var unit: ValueUnit = .plain
  public var threshold: Double?
  public var widget: PanelWidget = .sparkline
  /// Gauge: the value of a full bar (default: the threshold, 100% for ratios, else the largest).
  public var max: Double?
  /// Text widget: the lines shown above the values.
  public var text: [String] = []
  /// Waterfall widget: the budget its marker shows (nil: 3 s).
  public var budget: Int64?

  public init(id: String, kind: BuiltinPanel? = nil) {
    self.id = id
    self.kind = kind
  }

  /// Every metric name the panel shows.
  public func metrics(_ signals: SignalNames) -> [String] {
    if let kind { return kind.metrics(signals) }
    return [selector?.metric, den?.metric].compactMap { $0 }
  }
}
