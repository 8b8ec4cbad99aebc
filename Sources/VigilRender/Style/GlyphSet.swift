/// The symbols widgets draw with: Unicode for UTF-8 terminals, ASCII for everything else.
///
/// Pick ``unicode`` when the locale's codeset is UTF-8 and ``ascii`` otherwise (or on request);
/// widgets take the set as a parameter, so one frame never mixes the two. Every glyph is one
/// column wide in both sets.
///
/// ```swift
/// let glyphs: GlyphSet = utf8 ? .unicode : .ascii
/// Box(title: "checkout").draw(in: area, on: &buffer, glyphs: glyphs)
/// ```
public struct GlyphSet: Hashable, Sendable {
  // Box drawing.
  public var horizontal: String
  public var vertical: String
  public var topLeft: String
  public var topRight: String
  public var bottomLeft: String
  public var bottomRight: String
  /// `├`: a vertical line with a branch to the right.
  public var teeRight: String
  /// `┤`: a vertical line with a branch to the left.
  public var teeLeft: String
  /// `┬`: a horizontal line with a branch down.
  public var teeDown: String
  /// `┴`: a horizontal line with a branch up.
  public var teeUp: String
  public var cross: String

  /// Sparkline levels from lowest to full cell; a present value always draws at least the
  /// first, so it never looks like a gap.
  public var sparkLevels: [String]
  /// Drawn where a series has no data (a gap), never confused with zero.
  public var gap: String
  /// The alert threshold line across a chart; never one of ``sparkLevels``, so a threshold is
  /// never mistaken for a bar.
  public var thresholdLine: String

  /// Trend arrows.
  public var arrowUp: String
  public var arrowDown: String
  public var arrowFlat: String

  /// Marks truncated text.
  public var ellipsis: String

  /// Gauge cells.
  public var gaugeFilled: String
  public var gaugeEmpty: String

  /// Status glyphs, shown with text (severity is never shown by colour alone).
  public var statusCritical: String
  public var statusWarning: String
  public var statusInfo: String
  public var statusOK: String

  /// Marks the focused panel or the selected row.
  public var focusMarker: String

  /// True for ``unicode``.
  public var isUnicode: Bool

  /// Whether a threshold line has a cell at column `x`: every column with Unicode (its thin
  /// line stays behind the bars), every other column in ASCII, where a solid row of `~` would
  /// drown the sparkline it crosses.
  public func drawsThreshold(atColumn x: Int) -> Bool { isUnicode || x % 2 == 0 }

  /// Light box drawing, eighth-block sparklines and geometric status glyphs.
  public static let unicode = GlyphSet(
    horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└",
    bottomRight: "┘", teeRight: "├", teeLeft: "┤", teeDown: "┬", teeUp: "┴", cross: "┼",
    sparkLevels: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], gap: "·", thresholdLine: "─",
    arrowUp: "↑", arrowDown: "↓", arrowFlat: "→", ellipsis: "…",
    gaugeFilled: "█", gaugeEmpty: "░",
    statusCritical: "●", statusWarning: "▲", statusInfo: "■", statusOK: "✔",
    focusMarker: "▶", isUnicode: true)

  /// Seven-bit ASCII only: safe on any terminal and locale.
  ///
  /// Sparklines climb an eight-step ladder from a floor line to the densest glyph,
  /// `_ - = + * # % @`, as many steps as the eighth blocks, so bars keep their heights; a gap
  /// is `.` and a threshold a dashed `~ ~ ~`, neither on the ladder. Cut text ends in `>`
  /// ("continues", as vim's `extends`), so `~` means the threshold and nothing else.
  public static let ascii = GlyphSet(
    horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+",
    bottomRight: "+", teeRight: "+", teeLeft: "+", teeDown: "+", teeUp: "+", cross: "+",
    sparkLevels: ["_", "-", "=", "+", "*", "#", "%", "@"], gap: ".", thresholdLine: "~",
    arrowUp: "^", arrowDown: "v", arrowFlat: "-", ellipsis: ">",
    gaugeFilled: "#", gaugeEmpty: ".",
    statusCritical: "*", statusWarning: "!", statusInfo: "#", statusOK: "+",
    focusMarker: ">", isUnicode: false)
}
