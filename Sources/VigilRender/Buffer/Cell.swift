/// One terminal cell: a grapheme (or nothing, for the right half of a wide character) and its
/// style.
public struct Cell: Hashable, Sendable {
  /// The grapheme shown in this cell: one printable character, `" "` for blank, and `""` for
  /// the continuation cell to the right of a double-width character.
  public var text: String
  public var style: Style

  public init(_ text: String = " ", style: Style = .plain) {
    self.text = text
    self.style = style
  }

  /// A space in the plain style.
  public static let blank = Cell()
  /// The right half of a wide character.
  public static let continuation = Cell("")

  /// True for the right half of a wide character.
  public var isContinuation: Bool { text.isEmpty }
}
