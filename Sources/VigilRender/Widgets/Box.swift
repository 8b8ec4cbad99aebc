/// A bordered panel with a title on the left and an optional title on the right.
///
/// ```text
/// ┌ checkout ─────── p99 231ms ┐
/// │                            │
/// └────────────────────────────┘
/// ```
///
/// When focused, the border takes ``focusedBorderStyle`` and the title is prefixed with the
/// glyph set's focus marker (`▶`/`>`), so focus shows without colour. The left title is
/// truncated with an ellipsis (losing its padding spaces in very narrow boxes); the right title
/// is dropped when the left one would otherwise keep fewer than six columns. A rectangle
/// smaller than 2×2 draws nothing.
///
/// ```swift
/// let inner = Box(title: "checkout", rightTitle: "p99 231ms", focused: true)
///   .draw(in: area, on: &buffer, glyphs: glyphs)
/// ```
public struct Box: Hashable, Sendable {
  public var title: String
  public var rightTitle: String
  /// Drawn instead of ``title`` when the title does not fit beside ``rightTitle``; nil: the
  /// title is cut.
  public var shortTitle: String?
  public var borderStyle: Style
  /// The style of both titles; nil means the border style.
  public var titleStyle: Style?
  public var focused: Bool
  public var focusedBorderStyle: Style

  public init(
    title: String = "", rightTitle: String = "", borderStyle: Style = .plain,
    titleStyle: Style? = nil, focused: Bool = false,
    focusedBorderStyle: Style = Style(attributes: .bold), shortTitle: String? = nil
  ) {
    self.title = title
    self.rightTitle = rightTitle
    self.shortTitle = shortTitle
    self.borderStyle = borderStyle
    self.titleStyle = titleStyle
    self.focused = focused
    self.focusedBorderStyle = focusedBorderStyle
  }

  /// The area inside the border of `rect` (empty when `rect` is smaller than 3×3).
  public static func inner(_ rect: Rect) -> Rect {
    rect.width < 2 || rect.height < 2
      ? Rect(x: rect.x, y: rect.y, width: 0, height: 0) : rect.inset(by: 1)
  }

  /// Draws the border and titles inside `rect` (clipped to the buffer).
  ///
  /// - Returns: the area inside the border, ``inner(_:)``.
  @discardableResult
  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: GlyphSet) -> Rect {
    let inner = Box.inner(rect)
    guard rect.width >= 2 && rect.height >= 2 else { return inner }
    let border = focused ? focusedBorderStyle : borderStyle
    let titleStyle = self.titleStyle ?? border
    let top = rect.y
    let bottom = rect.maxY - 1
    let right = rect.maxX - 1
    func put(_ s: String, _ x: Int, _ y: Int, _ style: Style) {
      buffer.put(s, at: Point(x: x, y: y), style: style, clip: rect)
    }
    put(glyphs.topLeft, rect.x, top, border)
    put(glyphs.topRight, right, top, border)
    put(glyphs.bottomLeft, rect.x, bottom, border)
    put(glyphs.bottomRight, right, bottom, border)
    // Loops run over the visible part only, so a huge rectangle costs nothing extra.
    let visible = rect.intersection(buffer.bounds)
    for x in span(Swift.max(rect.x + 1, visible.x), Swift.min(right, visible.maxX)) {
      put(glyphs.horizontal, x, top, border)
      put(glyphs.horizontal, x, bottom, border)
    }
    for y in span(Swift.max(top + 1, visible.y), Swift.min(bottom, visible.maxY)) {
      put(glyphs.vertical, rect.x, y, border)
      put(glyphs.vertical, right, y, border)
    }

    // Titles live between the corners: " left " at the start, " right " at the end.
    let room = rect.width - 2
    func marked(_ t: String) -> String {
      focused ? glyphs.focusMarker + (t.isEmpty ? "" : " " + t) : t
    }
    var left = marked(title)
    var leftWidth = left.isEmpty ? 0 : displayWidth(left) + 2
    let rightWidth = rightTitle.isEmpty ? 0 : displayWidth(rightTitle) + 2
    var leftRoom = room
    if rightWidth > 0 && rightWidth + 1 + Swift.min(leftWidth, 6) <= room {
      leftRoom = room - rightWidth - 1
      put(" " + rightTitle + " ", right - rightWidth, top, titleStyle)
    }
    if leftWidth > leftRoom, let shortTitle {
      left = marked(shortTitle)
      leftWidth = left.isEmpty ? 0 : displayWidth(left) + 2
    }
    if leftWidth > 0 && leftRoom > 0 {
      let text: String
      if leftWidth <= leftRoom {
        text = " " + left + " "
      } else if leftRoom >= 5 {
        text = " " + truncate(left, toWidth: leftRoom - 2, ellipsis: glyphs.ellipsis) + " "
      } else {
        text = truncate(left, toWidth: leftRoom, ellipsis: glyphs.ellipsis)
      }
      put(text, rect.x + 1, top, titleStyle)
    }
    return inner
  }
}
