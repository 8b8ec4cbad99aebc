import VigilCore
import VigilRender

// The latency heatmap and histogram widgets fed from a `Distribution` in the theme's styles,
// for layout panels (`widget: heatmap`, `widget: histogram`).

extension Theme {
  /// Heatmap cells from cold to hot: the foregrounds of ``chart``, ``warning`` and ``bad`` (no
  /// attributes, no background), so every theme colours its heatmap in its own palette and
  /// monochrome (``adapted(to:)``) leaves the glyph ladder alone to carry the intensity.
  public var heatRamp: [Style] {
    [chart, warning, bad].map { Style(foreground: $0.foreground) }
  }
}

extension Heatmap {
  /// A heatmap of `distribution`: its buckets left to right, its bins bottom to top, labelled
  /// by `label` at the bins' lower edges (nil: no labels), and the bin of each bucket's
  /// nearest-rank `overlay` quantile marked (nil: no mark). The mark comes from the exact bin
  /// counts (``Distribution/quantileBin(_:bucket:)``), so the distribution needs no
  /// `quantiles` of its own.
  ///
  /// ```swift
  /// let d = store.distribution(ids, window: w, at: now, bins: .fromData(count: rows, fallback: 1...1000))
  /// Heatmap(d, label: { Format.millis($0) }, threshold: rule?.threshold, theme: theme)
  ///   .draw(in: plot, on: &buffer, glyphs: glyphs)
  /// ```
  public init(
    _ distribution: Distribution, label: ((Double) -> String)?, overlay: Double? = 0.99,
    threshold: Double? = nil, scale: Scale = .logarithmic, theme: Theme = .standard
  ) {
    let d = distribution
    let columns: [[Double]?] = (0..<d.bucketCount).map { j in
      d.column(j).map { $0.map { Double($0) } }
    }
    // A bin's lower edge lies in the bin, so the widget marks that bin's row.
    let marks: [Double?] =
      overlay.map { q in
        (0..<d.bucketCount).map { j in d.quantileBin(q, bucket: j).map { d.edges[$0] } }
      } ?? []
    self.init(
      columns: columns, edges: d.edges, scale: scale, overlay: marks, threshold: threshold,
      label: label, ramp: theme.heatRamp, labelStyle: theme.label, gapStyle: theme.gap,
      overlayStyle: theme.headline, thresholdStyle: theme.threshold)
  }
}

extension Histogram {
  /// The whole window's histogram of `distribution`, labelled by `label` at the bins' lower
  /// edges, bars in the theme's chart colour.
  public init(
    _ distribution: Distribution, label: ((Double) -> String)?, lowAtBottom: Bool = false,
    theme: Theme = .standard
  ) {
    self.init(
      counts: distribution.histogram.map { Double($0) }, edges: distribution.edges, label: label,
      lowAtBottom: lowAtBottom, style: theme.chart, labelStyle: theme.label,
      textStyle: theme.text)
  }
}
