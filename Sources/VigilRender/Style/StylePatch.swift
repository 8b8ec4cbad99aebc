/// A change to a ``Style``: colours to replace and attributes to add or remove.
///
/// Widgets use patches for highlights that must keep per-cell colours, such as a selected
/// table row: `StylePatch(adding: .reverse)`.
public struct StylePatch: Hashable, Sendable {
  /// The new foreground, or nil to keep it.
  public var foreground: Color?
  /// The new background, or nil to keep it.
  public var background: Color?
  public var addAttributes: Attributes
  public var removeAttributes: Attributes

  public init(
    foreground: Color? = nil, background: Color? = nil, adding: Attributes = [],
    removing: Attributes = []
  ) {
    self.foreground = foreground
    self.background = background
    self.addAttributes = adding
    self.removeAttributes = removing
  }

  /// Changes nothing.
  public static let none = StylePatch()
}

extension Style {
  /// This style with `patch` applied (attributes are removed first, then added).
  public func applying(_ patch: StylePatch) -> Style {
    var s = self
    if let fg = patch.foreground { s.foreground = fg }
    if let bg = patch.background { s.background = bg }
    s.attributes.subtract(patch.removeAttributes)
    s.attributes.formUnion(patch.addAttributes)
    return s
  }

  /// This style with `attributes` added.
  public func adding(_ attributes: Attributes) -> Style {
    var s = self
    s.attributes.formUnion(attributes)
    return s
  }
}
