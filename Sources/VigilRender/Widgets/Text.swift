/// Horizontal placement of text within its area.
public enum Alignment: Hashable, Sendable {
  case left, center, right
}

/// `text`, a list of items joined by `separator`, cut to the items that fit whole in `width`
/// columns: `pay 3.46s  inv 198ms  tax 69ms` at 20 columns is `pay 3.46s  inv 198ms`, never
/// `… tax` with its number cut off. A first item too wide alone is truncated with `ellipsis`.
///
/// ```swift
/// fitItems("p50 898ms  p90 1.50s  10.1/s", toWidth: 20)  // "p50 898ms  p90 1.50s"
/// ```
public func fitItems(
  _ text: String, toWidth width: Int, separator: String = "  ", ellipsis: String = "…"
) -> String {
  if displayWidth(text) <= width { return text }
  var out = ""
  for item in text.split(separator: separator, omittingEmptySubsequences: false) {
    let next = out.isEmpty ? String(item) : out + separator + item
    if displayWidth(next) > width { break }
    out = next
  }
  return out.isEmpty ? truncate(text, toWidth: width, ellipsis: ellipsis) : out
}

/// `text` cut to at most `width` display columns, ending in `ellipsis` when something was cut.
///
/// Widths are measured like ``displayWidth(_:)``; a wide character that does not fit is left
/// out whole, so the result may be one column narrower than `width`. When even the ellipsis
/// does not fit, the text is cut without one.
///
/// ```swift
/// truncate("checkout-service", toWidth: 8)          // "checkou…"
/// truncate("checkout", toWidth: 8)                  // "checkout"
/// truncate("checkout-service", toWidth: 8, ellipsis: ">")  // "checkou>"
/// ```
///
/// Complexity: O(n) in the length of `text`.
public func truncate(_ text: String, toWidth width: Int, ellipsis: String = "…") -> String {
  guard width > 0 else { return "" }
  if displayWidth(text) <= width { return text }
  let ellipsisWidth = displayWidth(ellipsis)
  let room = ellipsisWidth <= width ? width - ellipsisWidth : width
  var result = ""
  var used = 0
  for character in text {
    let w = sanitizedGrapheme(character).width
    if used + w > room { break }
    result.append(character)
    used += w
  }
  return ellipsisWidth <= width ? result + ellipsis : result
}

extension ScreenBuffer {
  /// Draws `text` on the first row of `rect`, aligned, truncated with `ellipsis` if it is wider
  /// than the rectangle, and clipped to it.
  ///
  /// ```swift
  /// buffer.putAligned("231 ms", in: valueArea, alignment: .right, style: valueStyle)
  /// ```
  ///
  /// - Returns: the columns drawn.
  @discardableResult
  public mutating func putAligned(
    _ text: String, in rect: Rect, alignment: Alignment, style: Style, ellipsis: String = "…"
  ) -> Int {
    guard !rect.isEmpty else { return 0 }
    let shown = truncate(text, toWidth: rect.width, ellipsis: ellipsis)
    let w = displayWidth(shown)
    let x: Int
    switch alignment {
    case .left: x = rect.x
    case .center: x = rect.x + (rect.width - w) / 2
    case .right: x = rect.maxX - w
    }
    return put(shown, at: Point(x: x, y: rect.y), style: style, clip: rect)
  }
}

/// `lower..<upper`, or an empty range when `upper < lower` (where `..<` would trap).
func span(_ lower: Int, _ upper: Int) -> Range<Int> {
  lower < upper ? lower..<upper : lower..<lower
}
