/// A line chart: braille dots (2×4 per cell) with Unicode glyphs, an ASCII line otherwise.
///
/// ```text
/// 10%        ⢀⠔⢢⠔⠉       values 2, 3, gap, gap, 2, 3, 5, 8, 9, 7, 9, 9.9 from 0 to 10%;
///     ⠉⠉⠉⠉⠉⠉⢠⠊⠉⠉⠉⠉       the threshold (6%) is dotted where there is no data
/// 0%  ⠔⠒⠊  ⠐⠁
///
/// 10%        _-_-'       the same in ASCII: _ - ' are the bottom, middle and top third
///     ~~~~~~-|~~~~       of a row, | joins rows, ~ is the threshold
/// 0%  ''  ''
/// ```
///
/// - Values run oldest to newest, left to right. With more values than dot columns, the
///   newest fill the width one per column; with fewer, they are spread over the whole width
///   and joined by straight segments.
/// - `nil` (and NaN) is a gap: the line stops before it and starts again after it; a value
///   with gaps on both sides is a single dot.
/// - The range is ``minimum``...``maximum`` where given; otherwise the visible finite values
///   and the threshold, starting at 0 unless some are negative (an all-zero series uses 0...1).
///   Values outside it are clamped; a degenerate range draws at mid height.
/// - With a ``label`` formatter and at least two rows, the range's top and bottom are written
///   at the left of the first and last rows (the min/max labels), and the plot takes the
///   rest of the width (when at least 4 columns remain).
/// - The threshold is drawn only in cells that hold no data, in ``thresholdStyle``.
///
/// ```swift
/// LineChart(values: p99s, minimum: 0, threshold: 1500, label: { "\(Int($0))ms" })
///   .draw(in: area, on: &buffer, glyphs: glyphs)
/// ```
public struct LineChart {
  public var values: [Double?]
  /// The value drawn on the bottom dot row; nil for automatic.
  public var minimum: Double?
  /// The value drawn on the top dot row; nil for automatic.
  public var maximum: Double?
  /// A value to mark with a horizontal line (an alert threshold), or nil.
  public var threshold: Double?
  public var style: Style
  public var thresholdStyle: Style
  public var labelStyle: Style
  /// Formats the min/max labels; nil draws none.
  public var label: ((Double) -> String)?

  public init(
    values: [Double?], minimum: Double? = nil, maximum: Double? = nil, threshold: Double? = nil,
    style: Style = .plain, thresholdStyle: Style? = nil, labelStyle: Style? = nil,
    label: ((Double) -> String)? = nil
  ) {
    self.values = values
    self.minimum = minimum
    self.maximum = maximum
    self.threshold = threshold
    self.style = style
    self.thresholdStyle = thresholdStyle ?? style
    self.labelStyle = labelStyle ?? style
    self.label = label
  }

  /// ASCII glyphs for a point in the top, middle and bottom third of a row.
  public static let asciiLevels = ["'", "-", "_"]
  /// ASCII glyph joining a point to the previous one more than a row away.
  public static let asciiJoin = "|"

  /// The range drawn: `(low, high)` with `low <= high`.
  public func range() -> (low: Double, high: Double) {
    plotRange(values, including: threshold, minimum: minimum, maximum: maximum)
  }

  /// Where the plot goes in `rect`: right of the min/max labels when there are labels and
  /// room for them, else all of `rect`.
  public func plotArea(in rect: Rect) -> Rect {
    guard let label, rect.height >= 2 else { return rect }
    let (low, high) = range()
    let axis = Swift.max(displayWidth(label(high)), displayWidth(label(low))) + 1
    guard rect.width - axis >= 4 else { return rect }
    return Rect(x: rect.x + axis, y: rect.y, width: rect.width - axis, height: rect.height)
  }

  /// Draws the chart into `rect` (clipped to the buffer); every cell of `rect` is written.
  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: GlyphSet) {
    let visible = rect.intersection(buffer.bounds)
    guard !visible.isEmpty else { return }
    buffer.fill(visible, with: Cell(" ", style: style))
    let (low, high) = range()
    let plot = plotArea(in: rect)
    if let label, plot.x > rect.x {
      buffer.put(label(high), at: Point(x: rect.x, y: rect.y), style: labelStyle, clip: rect)
      buffer.put(
        label(low), at: Point(x: rect.x, y: rect.maxY - 1), style: labelStyle, clip: rect)
    }
    // Capped so absurd sizes cannot overflow; the buffer clips what is drawn.
    let width = Swift.min(plot.width, 1 << 16)
    let height = Swift.min(plot.height, 1 << 16)
    guard width > 0, height > 0 else { return }
    if glyphs.isUnicode {
      drawBraille(plot, width: width, height: height, low: low, high: high, on: &buffer)
    } else {
      drawASCII(
        plot, width: width, height: height, low: low, high: high, on: &buffer, glyphs: glyphs)
    }
  }

  /// What the line covers in one column of the dot (or ASCII sub-row) grid.
  struct Trace: Equatable {
    /// The row of the line's point in this column (0 = top).
    var point: Int
    /// Rows covered from the previous column's point to this one (inclusive; contains `point`).
    var low: Int
    var high: Int
  }

  /// The line on a grid of `columns` × `rows` (top row 0), one entry per column.
  func trace(columns: Int, rows: Int, low: Double, high: Double) -> [Trace?] {
    var out = [Trace?](repeating: nil, count: columns)
    let shown = values.suffix(columns)
    let n = shown.count
    guard n > 0, columns > 0, rows > 0 else { return out }
    func x(_ i: Int) -> Int {
      if n >= columns { return i }
      if n == 1 { return columns - 1 }
      return (i * (columns - 1) + (n - 1) / 2) / (n - 1)
    }
    func row(_ v: Double) -> Int {
      guard high > low else { return (rows - 1) / 2 }
      let f = Sparkline.fraction(v, low, high)
      return rows - 1 - Int(clamping: (f * Double(rows - 1)).rounded())
    }
    var previous: (x: Int, y: Int)?
    for (i, value) in shown.enumerated() {
      guard let value, !value.isNaN else {
        previous = nil
        continue
      }
      let px = x(i)
      let py = row(value)
      if let p = previous, px > p.x {
        var lastY = p.y
        for cx in (p.x + 1)...px {
          let t = Double(cx - p.x) / Double(px - p.x)
          let cy = p.y + Int(clamping: (Double(py - p.y) * t).rounded())
          let (a, b) = cy > lastY ? (lastY + 1, cy) : cy < lastY ? (cy, lastY - 1) : (cy, cy)
          out[cx] = Trace(point: cy, low: a, high: b)
          lastY = cy
        }
      } else {
        out[px] = Trace(point: py, low: py, high: py)
      }
      previous = (px, py)
    }
    return out
  }

  /// The row a threshold falls on, or nil when there is none.
  func thresholdRow(rows: Int, low: Double, high: Double) -> Int? {
    guard let t = threshold, t.isFinite, rows > 0 else { return nil }
    guard high > low else { return (rows - 1) / 2 }
    return rows - 1 - Int(clamping: (Sparkline.fraction(t, low, high) * Double(rows - 1)).rounded())
  }

  /// The glyph the threshold line is drawn with in `rect` (for a caption that shows it), or
  /// nil without a threshold.
  public func thresholdGlyph(in rect: Rect, glyphs: GlyphSet) -> String? {
    let plot = plotArea(in: rect)
    guard glyphs.isUnicode else { return threshold == nil ? nil : glyphs.thresholdLine }
    let (low, high) = range()
    guard let tr = thresholdRow(rows: 4 * plot.height, low: low, high: high) else { return nil }
    return Self.braille(Self.brailleBits[0][tr % 4] | Self.brailleBits[1][tr % 4])
  }

  /// Bits of the braille dots, by dot column (0, 1) and dot row (0–3) inside a cell.
  static let brailleBits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

  /// The braille character with `bits` set (U+2800 + bits).
  static func braille(_ bits: UInt32) -> String {
    String(Character(Unicode.Scalar(0x2800 + (bits & 0xFF)) ?? " "))
  }

  private func drawBraille(
    _ plot: Rect, width: Int, height: Int, low: Double, high: Double,
    on buffer: inout ScreenBuffer
  ) {
    let columns = 2 * width
    let rows = 4 * height
    var cells = [UInt32](repeating: 0, count: width * height)
    for (cx, t) in trace(columns: columns, rows: rows, low: low, high: high).enumerated() {
      guard let t else { continue }
      for r in t.low...t.high {
        cells[(r / 4) * width + cx / 2] |= Self.brailleBits[cx % 2][r % 4]
      }
    }
    if let tr = thresholdRow(rows: rows, low: low, high: high) {
      let bits = Self.brailleBits[0][tr % 4] | Self.brailleBits[1][tr % 4]
      let y = tr / 4
      for x in 0..<width where cells[y * width + x] == 0 {
        buffer.put(
          Self.braille(bits), at: Point(x: plot.x + x, y: plot.y + y), style: thresholdStyle,
          clip: plot)
      }
    }
    for y in 0..<height {
      for x in 0..<width where cells[y * width + x] != 0 {
        buffer.put(
          Self.braille(cells[y * width + x]), at: Point(x: plot.x + x, y: plot.y + y),
          style: style, clip: plot)
      }
    }
  }

  private func drawASCII(
    _ plot: Rect, width: Int, height: Int, low: Double, high: Double,
    on buffer: inout ScreenBuffer, glyphs: GlyphSet
  ) {
    let rows = 3 * height
    let traces = trace(columns: width, rows: rows, low: low, high: high)
    if let tr = thresholdRow(rows: rows, low: low, high: high) {
      for (x, t) in traces.enumerated()
      where t.map({ $0.low / 3 > tr / 3 || $0.high / 3 < tr / 3 }) ?? true
        && glyphs.drawsThreshold(atColumn: plot.x + x)
      {
        buffer.put(
          glyphs.thresholdLine, at: Point(x: plot.x + x, y: plot.y + tr / 3),
          style: thresholdStyle, clip: plot)
      }
    }
    for (x, t) in traces.enumerated() {
      guard let t else { continue }
      for cellRow in (t.low / 3)...(t.high / 3) where cellRow != t.point / 3 {
        buffer.put(
          Self.asciiJoin, at: Point(x: plot.x + x, y: plot.y + cellRow), style: style, clip: plot)
      }
      buffer.put(
        Self.asciiLevels[t.point % 3], at: Point(x: plot.x + x, y: plot.y + t.point / 3),
        style: style, clip: plot)
    }
  }
}
