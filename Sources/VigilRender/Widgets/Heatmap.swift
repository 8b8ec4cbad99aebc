#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A latency heatmap: time runs left to right (newest at the right edge), value bins bottom to
/// top (lowest at the bottom), and each cell's glyph and colour say how many samples fell there.
///
/// ```text
/// 100ms   ░  ░      bins [1, 10), [10, 100), [100, ∞) ms bottom to top; six 1 s buckets,
///       ░   ░       the second with no data ("·"); " ░▒▓█" for 1 to 8 samples on a
/// 1.0ms ▒· █ ░      linear scale
///
///   o  o            the same in ASCII (" :-=+*#%@", "." a gap) with each bucket's p99
/// o   o             marked "o" ("•" in Unicode)
/// =. o :
/// ```
///
/// - Columns: with more buckets than columns, adjacent buckets are summed in groups of
///   `⌈buckets/width⌉`, grouped from the newest (the oldest group may hold fewer); with fewer,
///   each bucket takes `⌊width/buckets⌋` columns. Either way the newest bucket ends at the right
///   edge and the window's buckets are all shown (unlike a sparkline, which drops the oldest).
/// - Rows always fill the height: with more bins than rows, row `r` (from the bottom) holds
///   bins `⌊r·bins/rows⌋ ..< ⌊(r+1)·bins/rows⌋` and shows their mean count per bin (groups
///   differ by at most one bin, so a row is a density, not a sum); with fewer, each bin takes
///   one or two row counts. Ask for as many bins as the plot has rows and each row is one bin.
/// - Intensity: a cell's count against ``maximum`` (default: the hottest visible cell), on a
///   ``Scale-swift.enum`` of counts, picks a level of the glyph ladder (``unicodeLevels`` or
///   ``asciiLevels``) and, when ``ramp`` has styles, a colour from it (cold → hot). The glyph
///   carries the level on its own, so monochrome works. A zero count is blank; any non-zero
///   count draws at least the first level, so a lone slow request stays visible. NaN and
///   negative counts are zero, +∞ is the hottest.
/// - A bucket with no data at all is the gap glyph on the bottom row, in ``gapStyle``.
/// - ``overlay`` (one value per bucket, e.g. the p99) marks the row of its bin with
///   ``overlayGlyph(_:)``; a merged column marks the largest of its buckets' values.
/// - ``threshold`` draws the threshold line in the empty cells of its bin's row, and beside
///   the axis labels when they are shown.
/// - With a ``label`` formatter and a plot of at least 4 columns left, rows are labelled on
///   the left with the lower edge of their bin (the bottom row, then rows at least
///   ``labelSpacing`` apart).
///
/// ```swift
/// Heatmap(columns: cols, edges: d.edges, overlay: p99s, label: { unit.format($0) },
///         ramp: Heatmap.defaultRamp).draw(in: area, on: &buffer, glyphs: glyphs)
/// ```
public struct Heatmap {
  /// How counts map to the intensity ladder.
  public enum Scale: Sendable, Hashable {
    /// Level ∝ count.
    case linear
    /// Level ∝ log(1 + count): shows structure when one bin dwarfs the rest.
    case logarithmic
  }

  /// Per time bucket (oldest first), the count of each bin (lowest first); nil for a bucket with
  /// no data. Columns shorter than the bin count are padded with zeros.
  public var columns: [[Double]?]
  /// The bins' edges (`bins + 1`), for the labels, the overlay and the threshold; with fewer
  /// than 2 edges there are none of those.
  public var edges: [Double]
  public var scale: Scale
  /// The count drawn at the hottest level; nil for the hottest visible cell.
  public var maximum: Double?
  /// A value per bucket (same order as ``columns``) to mark, or empty.
  public var overlay: [Double?]
  /// A value whose row is marked with the threshold line, or nil.
  public var threshold: Double?
  /// Formats the axis labels; nil draws none.
  public var label: ((Double) -> String)?
  /// Rows between two labels, at least (1: every row that starts a bin may be labelled).
  public var labelSpacing: Int
  /// Blank cells, and the ladder when ``ramp`` is empty.
  public var style: Style
  /// Styles from cold to hot, spread over the ladder's levels; empty: ``style`` for all.
  public var ramp: [Style]
  public var labelStyle: Style
  public var gapStyle: Style
  public var overlayStyle: Style
  public var thresholdStyle: Style

  public init(
    columns: [[Double]?], edges: [Double] = [], scale: Scale = .logarithmic,
    maximum: Double? = nil, overlay: [Double?] = [], threshold: Double? = nil,
    label: ((Double) -> String)? = nil, labelSpacing: Int = 2, style: Style = .plain,
    ramp: [Style] = [], labelStyle: Style? = nil, gapStyle: Style? = nil,
    overlayStyle: Style? = nil, thresholdStyle: Style? = nil
  ) {
    self.columns = columns
    self.edges = edges
    self.scale = scale
    self.maximum = maximum
    self.overlay = overlay
    self.threshold = threshold
    self.label = label
    self.labelSpacing = labelSpacing
    self.style = style
    self.ramp = ramp
    self.labelStyle = labelStyle ?? style
    self.gapStyle = gapStyle ?? style
    self.overlayStyle = overlayStyle ?? style
    self.thresholdStyle = thresholdStyle ?? style
  }

  /// Unicode intensity levels, lowest first (blank is zero).
  public static let unicodeLevels = ["░", "▒", "▓", "█"]
  /// ASCII intensity levels, lowest first: ` .:-=+*#%@` without the `.`, which is the gap.
  public static let asciiLevels = [":", "-", "=", "+", "*", "#", "%", "@"]

  /// The intensity levels drawn with `glyphs`.
  public static func levels(_ glyphs: GlyphSet) -> [String] {
    glyphs.isUnicode ? unicodeLevels : asciiLevels
  }

  /// The overlay mark: off both ladders, the gap and the threshold line.
  public static func overlayGlyph(_ glyphs: GlyphSet) -> String { glyphs.isUnicode ? "•" : "o" }

  /// A cold-to-hot ramp in the 16 ANSI colours (blue, cyan, green, yellow, red): readable on
  /// dark and light backgrounds, and mapped down by the backend like any theme colour.
  public static let defaultRamp: [Style] = [4, 6, 2, 3, 1].map { Style(foreground: .ansi($0)) }

  /// A ramp of `steps` foreground styles from `cold` to `hot` (RGB interpolation; ANSI and
  /// indexed colours through their approximate RGB).
  public static func ramp(from cold: Color, to hot: Color, steps: Int) -> [Style] {
    let n = Swift.max(1, Swift.min(steps, 64))
    let a = cold.approximateRGB
    let b = hot.approximateRGB
    func mix(_ x: UInt8, _ y: UInt8, _ t: Double) -> UInt8 {
      UInt8(clamping: (Double(x) + (Double(y) - Double(x)) * t).rounded())
    }
    return (0..<n).map { i in
      let t = n == 1 ? 1 : Double(i) / Double(n - 1)
      return Style(foreground: .rgb(mix(a.0, b.0, t), mix(a.1, b.1, t), mix(a.2, b.2, t)))
    }
  }

  /// Where the plot goes in `rect`: right of the axis labels when there are labels and room.
  public func plotArea(in rect: Rect) -> Rect {
    guard let axis = axisWidth(in: rect) else { return rect }
    return Rect(x: rect.x + axis, y: rect.y, width: rect.width - axis, height: rect.height)
  }

  /// The level (0 = blank … `levels`) of a cell holding `value`, with `top` the hottest count.
  static func level(_ value: Double, top: Double, levels: Int, scale: Scale) -> Int {
    guard value > 0, top > 0, levels > 0 else { return 0 }  // NaN fails both
    if value >= top || value == .infinity { return levels }
    guard top.isFinite else { return 1 }
    let f: Double
    switch scale {
    case .linear: f = value / top
    case .logarithmic: f = log1p(value) / log1p(top)
    }
    guard f.isFinite else { return 1 }
    return Swift.min(levels, Swift.max(1, Int(clamping: (f * Double(levels)).rounded(.up))))
  }

  /// Display columns, right-aligned in `width`: each group's first column, its width, and the
  /// buckets it shows. At most `min(buckets, width)` groups.
  static func columnGroups(buckets m: Int, width w: Int) -> [(
    x: Int, width: Int, buckets: Range<Int>
  )] {
    guard m > 0, w > 0 else { return [] }
    var out: [(x: Int, width: Int, buckets: Range<Int>)] = []
    if m > w {
      let f = (m + w - 1) / w
      var hi = m
      var x = w - 1
      while hi > 0 && x >= 0 {
        out.append((x, 1, Swift.max(0, hi - f)..<hi))
        hi -= f
        x -= 1
      }
      out.reverse()
    } else {
      let s = w / m
      for i in 0..<m { out.append((w - (m - i) * s, s, i..<(i + 1))) }
    }
    return out
  }

  /// The bins row `r` (0 at the bottom) shows when `n` bins share `h` rows: with more bins
  /// than rows, `⌊r·n/h⌋ ..< ⌊(r+1)·n/h⌋` (one or two group sizes, filling every row); with
  /// fewer, the one bin `⌊r·n/h⌋` (each bin takes one or two row counts).
  static func bins(ofRow r: Int, bins n: Int, rows h: Int) -> Range<Int> {
    let lo = r * n / h
    return lo..<Swift.min(Swift.max((r + 1) * n / h, lo + 1), n)
  }

  /// The row showing bin `b` (its bottom row when the bin takes several).
  static func row(ofBin b: Int, bins n: Int, rows h: Int) -> Int {
    let r = n >= h ? ((b + 1) * h + n - 1) / n - 1 : (b * h + n - 1) / n
    return Swift.min(Swift.max(r, 0), h - 1)
  }

  /// The bin count: the edges' bins, or the longest column when there are no edges.
  var binCount: Int {
    if edges.count >= 2 { return edges.count - 1 }
    return columns.reduce(0) { Swift.max($0, $1?.count ?? 0) }
  }

  /// The bin of `value` by ``edges`` (end bins open); nil for NaN or without edges.
  func bin(of value: Double) -> Int? {
    guard edges.count >= 2, !value.isNaN else { return nil }
    var lo = 0
    var hi = edges.count - 2
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if edges[mid] <= value { lo = mid } else { hi = mid - 1 }
    }
    return lo
  }

  /// The labelled rows (counted from the bottom) and their text, for `rows` rows: rows where
  /// a bin starts, at least ``labelSpacing`` apart, from the bottom.
  func labels(rows: Int) -> [(row: Int, text: String)] {
    guard let label, edges.count >= 2, rows > 0 else { return [] }
    let n = binCount
    var out: [(row: Int, text: String)] = []
    var last = Int.min / 2
    var previous = -1
    let spacing = Swift.max(1, labelSpacing)
    for r in 0..<rows {
      let first = Self.bins(ofRow: r, bins: n, rows: rows).lowerBound
      defer { previous = first }
      guard first != previous, r - last >= spacing else { continue }
      out.append((r, label(edges[first])))
      last = r
    }
    return out
  }

  /// The axis width (labels plus a separator column), or nil when no labels are drawn.
  func axisWidth(in rect: Rect) -> Int? {
    guard label != nil, rect.height >= 1 else { return nil }
    let texts = labels(rows: Swift.min(rect.height, 1 << 16))
    guard !texts.isEmpty else { return nil }
    let axis = texts.reduce(0) { Swift.max($0, displayWidth($1.text)) } + 1
    guard rect.width - axis >= 4 else { return nil }
    return axis
  }

  /// Draws the heatmap into `rect` (clipped to the buffer); every cell of `rect` is written.
  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: GlyphSet) {
    let visible = rect.intersection(buffer.bounds)
    guard !visible.isEmpty else { return }
    buffer.fill(visible, with: Cell(" ", style: style))
    let plot = plotArea(in: rect)
    // Capped so absurd sizes cannot overflow; the buffer clips what is drawn.
    let width = Swift.min(plot.width, 1 << 16)
    let height = Swift.min(plot.height, 1 << 16)
    guard width > 0, height > 0 else { return }
    let n = Swift.max(binCount, 1)  // no bins at all: one empty row, for the gaps
    let cols = Self.columnGroups(buckets: columns.count, width: width)
    let ladder = Self.levels(glyphs)

    if plot.x > rect.x {
      drawLabels(rows: height, plot: plot, rect: rect, on: &buffer, glyphs: glyphs)
    }
    guard !cols.isEmpty else { return }

    let merged = cols.map { mergedColumn($0.buckets, bins: n) }
    var top = Self.top(of: merged, bins: n, rows: height)
    if let m = maximum, m > 0 { top = m }

    let grid = PlotGrid(
      visible: visible, originX: plot.maxX - width, bottom: plot.maxY - 1, bins: n,
      rows: height,
      // Rows (from the bottom) that are on the buffer.
      rLow: Swift.max(0, plot.maxY - visible.maxY),
      rHigh: Swift.min(height - 1, plot.maxY - 1 - visible.y),
      thresholdRow: threshold.flatMap { bin(of: $0) }.map {
        Self.row(ofBin: $0, bins: n, rows: height)
      })
    for c in cols.indices {
      drawColumn(
        cols[c], merged[c], grid: grid, top: top, ladder: ladder, glyphs: glyphs, on: &buffer)
    }
    if let tr = grid.thresholdRow, plot.x > rect.x {
      buffer.put(
        glyphs.thresholdLine, at: Point(x: plot.x - 1, y: grid.bottom - tr),
        style: thresholdStyle, clip: rect)
    }
  }

  /// The axis labels, right-aligned in the columns left of the plot.
  private func drawLabels(
    rows height: Int, plot: Rect, rect: Rect, on buffer: inout ScreenBuffer, glyphs: GlyphSet
  ) {
    for (r, text) in labels(rows: height) {
      let y = plot.maxY - 1 - r
      let row = Rect(x: rect.x, y: y, width: plot.x - rect.x - 1, height: 1)
      buffer.putAligned(
        text, in: row, alignment: .right, style: labelStyle, ellipsis: glyphs.ellipsis)
    }
  }

  /// A column group's buckets summed per bin; nil when none of them has data.
  private func mergedColumn(_ buckets: Range<Int>, bins n: Int) -> [Double]? {
    var sum: [Double]?
    for b in buckets {
      guard let column = columns[b] else { continue }
      var s = sum ?? [Double](repeating: 0, count: n)
      for (i, x) in column.prefix(n).enumerated() where x > 0 { s[i] += x }  // NaN, < 0: 0
      sum = s
    }
    return sum
  }

  /// A cell's value: the mean count per bin of the row's bins (a density, since rows may
  /// hold one bin more than others).
  private static func density(_ column: [Double], _ bins: Range<Int>) -> Double {
    var v = 0.0
    for i in bins { v += column[i] }
    return v / Double(bins.count)
  }

  /// The largest cell value of the merged columns.
  private static func top(of merged: [[Double]?], bins n: Int, rows height: Int) -> Double {
    var top = 0.0
    for case let column? in merged {
      // Every distinct row: at most min(bins, rows) of them.
      for g in 0..<Swift.min(n, height) {
        let bins = n >= height ? Self.bins(ofRow: g, bins: n, rows: height) : g..<(g + 1)
        top = Swift.max(top, density(column, bins))
      }
    }
    return top
  }

  /// One column group: its cells bottom to top (a gap mark when it has no data), the threshold
  /// line where a cell is empty, and the overlay mark.
  private func drawColumn(
    _ group: ColumnGroup, _ column: [Double]?, grid: PlotGrid, top: Double, ladder: [String],
    glyphs: GlyphSet, on buffer: inout ScreenBuffer
  ) {
    let bottom = grid.bottom
    let visible = grid.visible
    guard let column else {
      if bottom < visible.maxY { grid.paint(glyphs.gap, group, y: bottom, gapStyle, on: &buffer) }
      if let tr = grid.thresholdRow, tr > 0, bottom - tr >= visible.y, bottom - tr < visible.maxY {
        grid.paint(glyphs.thresholdLine, group, y: bottom - tr, thresholdStyle, on: &buffer)
      }
      return
    }
    if grid.rLow <= grid.rHigh {
      for r in grid.rLow...grid.rHigh {
        let v = Self.density(column, Self.bins(ofRow: r, bins: grid.bins, rows: grid.rows))
        let level = Self.level(v, top: top, levels: ladder.count, scale: scale)
        if level == 0 {
          if r == grid.thresholdRow {
            grid.paint(glyphs.thresholdLine, group, y: bottom - r, thresholdStyle, on: &buffer)
          }
          continue
        }
        let s = ramp.isEmpty ? style : ramp[(level - 1) * ramp.count / ladder.count]
        grid.paint(ladder[level - 1], group, y: bottom - r, s, on: &buffer)
      }
    }
    // The overlay: the largest of the group's bucket values, on its bin's (bottom) row.
    var mark: Double?
    for b in group.buckets where b < overlay.count {
      if let v = overlay[b], !v.isNaN { mark = Swift.max(mark ?? v, v) }
    }
    if let mark, let b = bin(of: mark) {
      let y = bottom - Self.row(ofBin: b, bins: grid.bins, rows: grid.rows)
      if y >= visible.y && y < visible.maxY {
        grid.paint(Self.overlayGlyph(glyphs), group, y: y, overlayStyle, on: &buffer)
      }
    }
  }

  /// A display column group, as `columnGroups` lays them out.
  private typealias ColumnGroup = (x: Int, width: Int, buckets: Range<Int>)

  /// Where one draw puts things: the plot's bins and rows, its bottom row and first column on
  /// the buffer, the rows that are visible, and the threshold's row.
  private struct PlotGrid {
    let visible: Rect
    let originX: Int
    let bottom: Int
    let bins: Int
    let rows: Int
    let rLow: Int
    let rHigh: Int
    let thresholdRow: Int?

    /// The visible columns (buffer x) of `group`.
    func xs(_ group: ColumnGroup) -> Range<Int> {
      let lo = Swift.max(originX + group.x, visible.x)
      let hi = Swift.min(originX + group.x + group.width, visible.maxX)
      return lo < hi ? lo..<hi : lo..<lo
    }

    /// The rect was just filled with one-column blanks, so one-column glyphs can be written
    /// straight into its cells (no wide character to split).
    func paint(
      _ text: String, _ group: ColumnGroup, y: Int, _ s: Style, on buffer: inout ScreenBuffer
    ) {
      let cell = Cell(text, style: s)
      for x in xs(group) { buffer.writeCell(x: x, y: y, cell, width: 1) }
    }
  }
}
