/// A horizontal bar showing a ratio, with a label centred on its middle row.
///
/// ```text
/// ████████░░░░░░░░   (unicode)    ####....   (ascii)
/// ```
///
/// The ratio is clamped to 0...1 and NaN counts as 0; `⌊ratio × width⌋` cells are filled, so
/// the bar is full only at 1. Label characters over the filled part are drawn in
/// ``filledStyle`` reversed, so they stay readable on the bar.
///
/// ```swift
/// Gauge(ratio: budgetUsed, label: "42% budget").draw(in: area, on: &buffer, glyphs: glyphs)
/// ```
public struct Gauge: Hashable, Sendable {
  public var ratio: Double
  public var label: String
  public var filledStyle: Style
  public var emptyStyle: Style
  /// The style of label characters over the empty part.
  public var labelStyle: Style

  public init(
    ratio: Double, label: String = "", filledStyle: Style = .plain, emptyStyle: Style = .plain,
    labelStyle: Style = .plain
  ) {
    self.ratio = ratio
    self.label = label
    self.filledStyle = filledStyle
    self.emptyStyle = emptyStyle
    self.labelStyle = labelStyle
  }

  /// The number of filled columns out of `width`.
  public func filledColumns(width: Int) -> Int {
    guard width > 0, ratio > 0 else { return 0 }  // NaN fails `ratio > 0`
    if ratio >= 1 { return width }
    return Swift.min(width, Int(clamping: (ratio * Double(width)).rounded(.down)))
  }

  /// Draws the gauge over every row of `rect` (clipped to the buffer).
  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: GlyphSet) {
    let visible = rect.intersection(buffer.bounds)
    guard !visible.isEmpty else { return }
    let split = rect.x + filledColumns(width: rect.width)
    let filled = Rect(x: rect.x, y: rect.y, width: split - rect.x, height: rect.height)
    let empty = Rect(x: split, y: rect.y, width: rect.maxX - split, height: rect.height)
    buffer.fill(filled.intersection(visible), with: Cell(glyphs.gaugeFilled, style: filledStyle))
    buffer.fill(empty.intersection(visible), with: Cell(glyphs.gaugeEmpty, style: emptyStyle))
    guard !label.isEmpty else { return }
    let text = truncate(label, toWidth: rect.width, ellipsis: glyphs.ellipsis)
    let labelRow = Rect(x: rect.x, y: rect.y + (rect.height - 1) / 2, width: rect.width, height: 1)
    buffer.putAligned(text, in: labelRow, alignment: .center, style: labelStyle)
    // The label's cells over the filled part, drawn reversed.
    let labelWidth = displayWidth(text)
    let labelX = rect.x + (rect.width - labelWidth) / 2
    let onBar = Rect(
      x: labelX, y: labelRow.y, width: Swift.min(split, labelX + labelWidth) - labelX, height: 1)
    buffer.setStyle(onBar.intersection(labelRow)) { $0 = filledStyle.adding(.reverse) }
  }
}
