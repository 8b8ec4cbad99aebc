/// A latency histogram: one horizontal bar per bin, with the bin's lower edge on the left and
/// its count and share of the total on the right.
///
/// ```text
///   1ms ▍                  3   1%     (unicode: eighth blocks; ASCII: "#")
///   4ms ████████▊        212  53%
///  16ms ████▌            110  28%
///  64ms █▌                38  10%
/// 256ms ▎                  7   2%
/// ```
///
/// - Rows run from the lowest bin at the top (as latency reports print them), or from the
///   bottom with ``lowAtBottom`` (to sit beside a ``Heatmap``).
/// - With more bins than rows, adjacent bins are summed in groups of `⌈bins/rows⌉`, and each
///   row is labelled with its group's lower edge; with fewer, the rows left over stay blank.
/// - Bars are scaled to the largest row; any non-zero count draws at least an eighth (ASCII: a
///   `#`), so a rare slow bin stays visible. NaN and negative counts are zero; +∞ is the
///   largest.
/// - When the width is short, the percentages go first, then the counts, then the labels.
/// - Counts of 10,000 and more are shortened (`12.3k`, `4.5M`).
///
/// ```swift
/// Histogram(counts: d.histogram.map { Double($0) }, edges: d.edges, label: unit.format)
///   .draw(in: area, on: &buffer, glyphs: glyphs)
/// ```
public struct Histogram {
  /// Count per bin, lowest first.
  public var counts: [Double]
  /// The bins' edges (`bins + 1`) for the labels; with fewer than 2 there are no labels.
  public var edges: [Double]
  /// Formats a bin's lower edge; nil draws no labels.
  public var label: ((Double) -> String)?
  public var lowAtBottom: Bool
  public var showCounts: Bool
  public var showPercent: Bool
  public var style: Style
  public var labelStyle: Style
  public var textStyle: Style

  public init(
    counts: [Double], edges: [Double] = [], label: ((Double) -> String)? = nil,
    lowAtBottom: Bool = false, showCounts: Bool = true, showPercent: Bool = true,
    style: Style = .plain, labelStyle: Style? = nil, textStyle: Style? = nil
  ) {
    self.counts = counts
    self.edges = edges
    self.label = label
    self.lowAtBottom = lowAtBottom
    self.showCounts = showCounts
    self.showPercent = showPercent
    self.style = style
    self.labelStyle = labelStyle ?? style
    self.textStyle = textStyle ?? style
  }

  /// Partial blocks, one to seven eighths.
  public static let eighths = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]
  /// The full block (Unicode) and the ASCII bar cell.
  public static let fullBlock = "█"
  public static let asciiBar = "#"

  /// A count as shown: exact below 10,000, then three significant digits and a suffix.
  public static func formatCount(_ v: Double) -> String {
    guard v.isFinite else { return v > 0 ? "inf" : "0" }
    let x = Swift.max(0, v)
    if x < 10_000 { return String(Int(clamping: x.rounded())) }
    var m = x
    for suffix in ["k", "M", "G", "T", "P", "E"] {
      m /= 1000
      if m < 999.5 {
        if m < 99.95 {
          let tenths = Int(clamping: (m * 10).rounded())
          return "\(tenths / 10).\(tenths % 10)\(suffix)"
        }
        return "\(Int(clamping: m.rounded()))\(suffix)"
      }
    }
    var e = 18
    while m >= 10 {
      m /= 10
      e += 1
    }
    return "\(Int(clamping: m))e\(e)"
  }

  /// A share as shown: `0%`, `<1%`, then whole percents (`100%` only for everything).
  public static func formatPercent(_ part: Double, of total: Double) -> String {
    guard part > 0, total > 0 else { return "0%" }
    if part >= total { return "100%" }
    let p = part / total * 100
    guard p.isFinite else { return "<1%" }
    if p < 1 { return "<1%" }
    return "\(Swift.min(99, Int(clamping: p.rounded())))%"
  }

  /// One row: its lower edge's bin and its count.
  struct Row {
    var firstBin: Int
    var count: Double
  }

  /// The rows for `height` rows, lowest bin first.
  func rows(height: Int) -> [Row] {
    let n = counts.count
    guard n > 0, height > 0 else { return [] }
    let f = n > height ? (n + height - 1) / height : 1
    return stride(from: 0, to: n, by: f).map { start in
      var v = 0.0
      for i in start..<Swift.min(start + f, n) where counts[i] > 0 { v += counts[i] }
      return Row(firstBin: start, count: v)
    }
  }

  /// Draws the histogram into `rect` (clipped to the buffer); every cell of `rect` is written.
  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: GlyphSet) {
    let visible = rect.intersection(buffer.bounds)
    guard !visible.isEmpty else { return }
    buffer.fill(visible, with: Cell(" ", style: style))
    let rows = rows(height: Swift.min(rect.height, 1 << 16))
    guard !rows.isEmpty else { return }
    var total = 0.0
    var top = 0.0
    for r in rows {
      total += r.count
      top = Swift.max(top, r.count)
    }
    let labels: [String] = rows.map { r in
      guard let label, r.firstBin < edges.count, edges.count >= 2 else { return "" }
      return label(edges[r.firstBin])
    }
    let countTexts = rows.map { Self.formatCount($0.count) }
    let percentTexts = rows.map { Self.formatPercent($0.count, of: total) }
    func widest(_ texts: [String]) -> Int { texts.reduce(0) { Swift.max($0, displayWidth($1)) } }
    var labelWidth = label == nil ? 0 : widest(labels)
    var countWidth = showCounts ? widest(countTexts) : 0
    var percentWidth = showPercent ? widest(percentTexts) : 0
    func barWidth() -> Int {
      rect.width - (labelWidth > 0 ? labelWidth + 1 : 0) - (countWidth > 0 ? countWidth + 1 : 0)
        - (percentWidth > 0 ? percentWidth + 1 : 0)
    }
    let minimumBar = 3
    if barWidth() < minimumBar { percentWidth = 0 }
    if barWidth() < minimumBar { countWidth = 0 }
    if barWidth() < minimumBar { labelWidth = 0 }
    let bar = Swift.min(Swift.max(0, barWidth()), 1 << 16)
    let barX = rect.x + (labelWidth > 0 ? labelWidth + 1 : 0)

    for (i, r) in rows.enumerated() {
      let y = lowAtBottom ? rect.maxY - 1 - i : rect.y + i
      guard y >= visible.y && y < visible.maxY else { continue }
      if labelWidth > 0 {
        buffer.putAligned(
          labels[i], in: Rect(x: rect.x, y: y, width: labelWidth, height: 1), alignment: .right,
          style: labelStyle, ellipsis: glyphs.ellipsis)
      }
      drawBar(r.count, top: top, at: Point(x: barX, y: y), width: bar, on: &buffer, glyphs: glyphs)
      var x = barX + bar + 1
      if countWidth > 0 {
        buffer.putAligned(
          countTexts[i], in: Rect(x: x, y: y, width: countWidth, height: 1), alignment: .right,
          style: textStyle, ellipsis: glyphs.ellipsis)
        x += countWidth + 1
      }
      if percentWidth > 0 {
        buffer.putAligned(
          percentTexts[i], in: Rect(x: x, y: y, width: percentWidth, height: 1),
          alignment: .right, style: textStyle, ellipsis: glyphs.ellipsis)
      }
    }
  }

  /// The bar's length in eighths of a cell (ASCII: whole cells) for `value` against `top`.
  static func barLength(_ value: Double, top: Double, cells: Int, unicode: Bool) -> Int {
    let units = cells * (unicode ? 8 : 1)
    guard value > 0, top > 0, units > 0 else { return 0 }
    if value >= top { return units }
    guard top.isFinite else { return 1 }
    let f = value / top
    return Swift.min(units, Swift.max(1, Int(clamping: (f * Double(units)).rounded())))
  }

  private func drawBar(
    _ value: Double, top: Double, at origin: Point, width: Int, on buffer: inout ScreenBuffer,
    glyphs: GlyphSet
  ) {
    guard width > 0 else { return }
    let clip = Rect(x: origin.x, y: origin.y, width: width, height: 1)
    let length = Self.barLength(value, top: top, cells: width, unicode: glyphs.isUnicode)
    if !glyphs.isUnicode {
      buffer.fill(
        Rect(x: origin.x, y: origin.y, width: length, height: 1),
        with: Cell(Self.asciiBar, style: style))
      return
    }
    let full = length / 8
    buffer.fill(
      Rect(x: origin.x, y: origin.y, width: full, height: 1),
      with: Cell(Self.fullBlock, style: style))
    if length % 8 > 0 {
      buffer.put(
        Self.eighths[length % 8 - 1], at: Point(x: origin.x + full, y: origin.y), style: style,
        clip: clip)
    }
  }
}
