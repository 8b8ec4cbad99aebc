/// A bar per value, newest at the right edge, with gaps for missing data.
///
/// ```text
/// ▁▂▂▃▅▇█▆·▁▁     (unicode, height 1; "·" is a gap)
/// ```
///
/// - One column per value, right-aligned: the last value sits in the rightmost column, and
///   when there are more values than columns the oldest are dropped.
/// - `nil` (and NaN) is a gap: the gap glyph on the bottom row, never drawn as zero.
/// - The range is ``minimum``...``maximum`` where given; otherwise computed from the visible
///   finite values, starting at 0 unless some are negative. An all-zero series uses 0...1, so
///   it draws as a flat line at the bottom.
/// - A present value always draws at least the lowest level. With `h` rows and `n` glyph
///   levels, values map to levels 1...n·h (each row below the top one drawn full).
/// - A degenerate explicit range (minimum == maximum) or a flat negative series draws at mid
///   height. Values outside the range are clamped; +∞ draws full, −∞ at the lowest level.
///
/// ```swift
/// Sparkline(values: latencies, style: Style(foreground: .ansi(6)))
///   .draw(in: area, on: &buffer, glyphs: glyphs)
/// ```
public struct Sparkline: Hashable, Sendable {
  public var values: [Double?]
  /// The value drawn at the lowest level; nil for automatic.
  public var minimum: Double?
  /// The value drawn full height; nil for automatic.
  public var maximum: Double?
  public var style: Style
  /// The style of gap glyphs; nil means ``style``.
  public var gapStyle: Style?

  public init(
    values: [Double?], minimum: Double? = nil, maximum: Double? = nil, style: Style = .plain,
    gapStyle: Style? = nil
  ) {
    self.values = values
    self.minimum = minimum
    self.maximum = maximum
    self.style = style
    self.gapStyle = gapStyle
  }

  /// The range used for `visible` values: `(low, high)`, with `high < low` never returned.
  func range(of visible: ArraySlice<Double?>) -> (low: Double, high: Double) {
    plotRange(visible, including: nil, minimum: minimum, maximum: maximum)
  }

  /// Draws the sparkline into `rect` (clipped to the buffer). Every cell of `rect` is written:
  /// columns without values and rows above the bars become spaces in ``style``.
  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: GlyphSet) {
    let visibleArea = rect.intersection(buffer.bounds)
    guard !visibleArea.isEmpty, !glyphs.sparkLevels.isEmpty else { return }
    buffer.fill(visibleArea, with: Cell(" ", style: style))
    let shown = values.suffix(rect.width)
    let (low, high) = range(of: shown)
    let perRow = glyphs.sparkLevels.count
    // Capped so that absurd heights cannot overflow; only visible rows are ever drawn.
    let total = perRow * Swift.min(rect.height, 1 << 24)
    let gapStyle = self.gapStyle ?? style
    var x = rect.maxX - shown.count
    for value in shown {
      defer { x += 1 }
      guard x >= visibleArea.x && x < visibleArea.maxX else { continue }
      guard let value, !value.isNaN else {
        buffer.put(glyphs.gap, at: Point(x: x, y: rect.maxY - 1), style: gapStyle, clip: rect)
        continue
      }
      let level: Int
      if high <= low {
        level = (total + 1) / 2
      } else {
        let f = Sparkline.fraction(value, low, high)
        level = 1 + Int(clamping: (f * Double(total - 1)).rounded())
      }
      for y in span(visibleArea.y, visibleArea.maxY) {
        let fromBottom = rect.maxY - 1 - y
        let rowLevel = level - fromBottom * perRow
        guard rowLevel > 0 else { continue }
        let glyph = glyphs.sparkLevels[Swift.min(rowLevel, perRow) - 1]
        buffer.put(glyph, at: Point(x: x, y: y), style: style, clip: rect)
      }
    }
  }

  /// Where `value` lies between `low` and `high` (`low < high`), clamped to 0...1.
  static func fraction(_ value: Double, _ low: Double, _ high: Double) -> Double {
    if value == .infinity { return 1 }
    if value == -.infinity { return 0 }
    var f = (value - low) / (high - low)
    if !(high - low).isFinite { f = (value / 2 - low / 2) / (high / 2 - low / 2) }
    guard f.isFinite else { return value >= high ? 1 : 0 }
    return Swift.min(1, Swift.max(0, f))
  }
}

/// The value range a chart plots (shared by ``Sparkline`` and ``LineChart``): the finite
/// values' range (and a finite `threshold` in it) widened to 0, `minimum` and `maximum` in
/// place of the ends when given (and finite), `0...1` when all is zero, never `high < low`.
func plotRange<Values: Collection<Double?>>(
  _ values: Values, including threshold: Double?, minimum: Double?, maximum: Double?
) -> (low: Double, high: Double) {
  var lowest = Double.infinity
  var highest = -Double.infinity
  for case let v? in values where v.isFinite {
    lowest = Swift.min(lowest, v)
    highest = Swift.max(highest, v)
  }
  if let t = threshold, t.isFinite {
    lowest = Swift.min(lowest, t)
    highest = Swift.max(highest, t)
  }
  if lowest > highest { (lowest, highest) = (0, 0) }
  var low = minimum.flatMap { $0.isFinite ? $0 : nil } ?? Swift.min(0, lowest)
  var high = maximum.flatMap { $0.isFinite ? $0 : nil } ?? highest
  if minimum == nil && maximum == nil && low == 0 && high == 0 { high = 1 }
  if high < low { (low, high) = (high, low) }
  return (low, high)
}
