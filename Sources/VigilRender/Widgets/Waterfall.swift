/// The checkout waterfall: one row per stage, each stage's p50 as a solid segment starting
/// where the previous stage's p50 ended, its p99 as a lighter extension, against a budget
/// marked by a vertical line on every row.
///
/// ```text
///   pricing   ##                   |   115ms      (ASCII: `#` p50, `-` p99, `|` budget)
///   tax         #-                 |    68ms
/// * payment      ##########--------|-- 5.78s x3.2
///   overhead               #-      |    40ms
/// ```
///
/// - A stage whose change (current / its baseline median) reaches ``flagRatio`` is drawn in
///   ``overStyle`` and marked with the critical status glyph in its first column (and its
///   change in the value column), so a monochrome terminal sees it too.
/// - The scale runs to the furthest p99 end or a quarter past the budget, whichever is more.
///   A non-zero segment takes at least one cell. NaN, infinite and negative values count as
///   missing: the row keeps its name, shows `—`, and the next stage starts where this one
///   would have.
/// - Narrow rects drop the value column first (under 26 columns), then shorten the names.
/// - A budget that is not above zero (or not finite) is no budget.
/// - Rows: one per stage from the top, as many as fit; a legend row below when one is left.
public struct Waterfall {
  /// One stage: p50 and p99 (any unit, `label` formats them) and its change against its own
  /// baseline (nil: unknown).
  public struct Stage: Sendable, Equatable {
    public var name: String
    public var p50: Double?
    public var p99: Double?
    public var change: Double?

    public init(_ name: String, p50: Double?, p99: Double?, change: Double? = nil) {
      self.name = name
      self.p50 = p50
      self.p99 = p99
      self.change = change
    }
  }

  public var stages: [Stage]
  /// The budget (same unit), nil for none.
  public var budget: Double?
  /// Formats a value for the value column and the legend.
  public var label: (Double) -> String
  /// The change from which a stage is flagged.
  public var flagRatio: Double
  public var solidStyle: Style
  public var lightStyle: Style
  public var overStyle: Style
  public var budgetStyle: Style
  public var textStyle: Style

  public init(
    stages: [Stage], budget: Double?, label: @escaping (Double) -> String,
    flagRatio: Double = 2, solidStyle: Style = .plain, lightStyle: Style = .plain,
    overStyle: Style = .plain, budgetStyle: Style = .plain, textStyle: Style = .plain
  ) {
    self.stages = stages
    self.budget = budget
    self.label = label
    self.flagRatio = flagRatio
    self.solidStyle = solidStyle
    self.lightStyle = lightStyle
    self.overStyle = overStyle
    self.budgetStyle = budgetStyle
    self.textStyle = textStyle
  }

  /// The glyphs: p50, p99 and budget cells.
  public static func glyphs(_ g: GlyphSet) -> (solid: String, light: String, budget: String) {
    g.isUnicode ? ("█", "░", "│") : ("#", "-", "|")
  }

  /// A value usable on the scale, or nil.
  static func usable(_ v: Double?) -> Double? {
    guard let v, v.isFinite, v >= 0 else { return nil }
    return v
  }

  /// Per stage: where its segment starts, its p50 end and its p99 end (nil: missing).
  public func spans() -> [(start: Double, p50: Double, p99: Double)?] {
    var offset = 0.0
    return stages.map { s in
      guard let p50 = Self.usable(s.p50) ?? Self.usable(s.p99) else { return nil }
      let p99 = max(p50, Self.usable(s.p99) ?? p50)
      defer { offset = Self.capped(offset + p50) }
      return (offset, Self.capped(offset + p50), Self.capped(offset + p99))
    }
  }

  /// The budget when it is a finite value above zero.
  var positiveBudget: Double? { Self.usable(budget).flatMap { $0 > 0 ? $0 : nil } }

  private static func capped(_ v: Double) -> Double { v.isFinite ? v : .greatestFiniteMagnitude }

  /// The value the bar's full width stands for.
  public func scale() -> Double {
    let end = spans().compactMap { $0?.p99 }.max() ?? 0
    let b = positiveBudget.map { Self.capped($0 * 1.25) } ?? 0
    return max(end, b)
  }

  /// The column (from the bar's left) of value `v` on a bar `width` wide at `scale`.
  public static func column(_ v: Double, scale: Double, width: Int) -> Int {
    guard scale > 0, v > 0 else { return 0 }
    let x = (v / scale * Double(width)).rounded()
    return min(width, Int(clamping: x.isFinite ? x : Double(width)))
  }

  /// The widths of the flag, name and value columns at `width`.
  static func columns(_ width: Int) -> (flag: Int, name: Int, value: Int) {
    let flag = 2
    let name = width >= 60 ? 10 : width >= 30 ? 6 : 4
    let value = width >= 50 ? 14 : width >= 26 ? 12 : 0
    return (flag, min(name, max(0, width - flag)), value)
  }

  /// The name shortened to fit `width` columns with a space after it: `price`, `inv`, `pay`,
  /// `ovh`, then its first letters.
  static func shortName(_ name: String, _ width: Int) -> String {
    if displayWidth(name) < width { return name }
    let short = ["pricing": "price", "inventory": "inv", "payment": "pay", "overhead": "ovh"]
    if let s = short[name], displayWidth(s) < width { return s }
    return String(name.prefix(max(1, min(3, width - 1))))
  }

  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: GlyphSet) {
    let visible = rect.intersection(buffer.bounds)
    guard !visible.isEmpty else { return }
    let cols = Self.columns(rect.width)
    let barX = rect.x + cols.flag + cols.name
    let barWidth = max(0, rect.width - cols.flag - cols.name - cols.value)
    let scale = scale()
    let g = Self.glyphs(glyphs)
    let spans = spans()
    let budgetX = positiveBudget.map {
      barX + min(max(0, barWidth - 1), Self.column($0, scale: scale, width: barWidth))
    }
    for (i, stage) in stages.enumerated() where i < rect.height {
      let y = rect.y + i
      let flagged = (stage.change ?? 0) >= flagRatio
      if flagged {
        buffer.put(
          glyphs.statusCritical, at: Point(x: rect.x, y: y), style: overStyle, clip: visible)
      }
      let nameRect = Rect(x: rect.x + cols.flag, y: y, width: cols.name, height: 1)
      buffer.put(
        truncate(
          Self.shortName(stage.name, cols.name), toWidth: cols.name - 1, ellipsis: glyphs.ellipsis),
        at: Point(x: nameRect.x, y: y), style: flagged ? overStyle : textStyle,
        clip: nameRect.intersection(visible))
      let bar = Rect(x: barX, y: y, width: barWidth, height: 1).intersection(visible)
      if let span = spans[i], barWidth > 0 {
        var a = Self.column(span.start, scale: scale, width: barWidth)
        var b = Self.column(span.p50, scale: scale, width: barWidth)
        if b == a && span.p50 > span.start { b = min(barWidth, a + 1) }
        if a >= barWidth { a = barWidth - 1; b = barWidth }
        let c = max(b, Self.column(span.p99, scale: scale, width: barWidth))
        buffer.fill(
          Rect(x: barX + a, y: y, width: b - a, height: 1).intersection(bar),
          with: Cell(g.solid, style: flagged ? overStyle : solidStyle))
        buffer.fill(
          Rect(x: barX + b, y: y, width: c - b, height: 1).intersection(bar),
          with: Cell(g.light, style: flagged ? overStyle : lightStyle))
      }
      if let bx = budgetX, barWidth > 0 {
        buffer.put(g.budget, at: Point(x: bx, y: y), style: budgetStyle, clip: bar)
      }
      guard cols.value > 0 else { continue }
      var text = Self.usable(stage.p99).map(label) ?? "—"
      if let change = stage.change, change.isFinite, cols.value >= 12 {
        text += " x" + Self.ratioText(change)
      }
      buffer.putAligned(
        truncate(text, toWidth: cols.value - 1, ellipsis: glyphs.ellipsis),
        in: Rect(x: rect.maxX - cols.value, y: y, width: cols.value, height: 1).intersection(
          visible),
        alignment: .right, style: flagged ? overStyle : textStyle)
    }
    guard stages.count < rect.height else { return }
    var legend = "\(g.solid) p50  \(g.light) p99"
    if let b = positiveBudget { legend += "  \(g.budget) budget \(label(b))" }
    buffer.put(
      legend, at: Point(x: rect.x + cols.flag, y: rect.y + stages.count), style: textStyle,
      clip: visible)
  }

  /// `3.1`, `12`, `0.5`: a change with two significant figures at most.
  public static func ratioText(_ r: Double) -> String {
    guard r.isFinite else { return "?" }
    if r >= 9.95 { return String(Int(clamping: r.rounded())) }
    let tenths = Int(clamping: (r * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }
}
