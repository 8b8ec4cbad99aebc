/// The direction ``Rect/split(_:_:spacing:)`` divides along.
public enum Axis: Hashable, Sendable {
  /// Side by side: divides the width into columns.
  case horizontal
  /// Stacked: divides the height into rows.
  case vertical
}

/// How much of a split an area asks for (ratatui's `Constraint`, simplified).
public enum Constraint: Hashable, Sendable {
  /// Exactly `n` cells, if there is room.
  case fixed(Int)
  /// At least `n` cells, then a share of the leftover like `fill(1)`.
  case min(Int)
  /// `n` percent of the space left after spacing, rounded down.
  case percent(Int)
  /// `numerator / denominator` of the space left after spacing, rounded down.
  case ratio(Int, Int)
  /// A share of whatever is left, in proportion to the weight.
  case fill(Int)
}
