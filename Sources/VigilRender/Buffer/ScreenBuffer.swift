/// A grid of cells: what a view draws into and what the terminal is diffed against.
///
/// Views never talk to the terminal: they render a value, and the ``Frame`` sends only the
/// cells that differ from the previous frame.
public struct ScreenBuffer: Equatable, Sendable {
  public private(set) var size: Size
  /// Row-major cells, `size.width * size.height` of them.
  public var cells: [Cell]

  /// A buffer of `size` filled with `fill`.
  public init(size: Size, fill: Cell = .blank) {
    let w = max(0, size.width)
    let h = max(0, size.height)
    self.size = Size(width: w, height: h)
    cells = Array(repeating: fill, count: w * h)
  }

  public var width: Int { size.width }
  public var height: Int { size.height }
  public var bounds: Rect { Rect(size: size) }

  /// The cell at column `x`, row `y` (must be inside).
  public subscript(x: Int, y: Int) -> Cell {
    get { cells[y * size.width + x] }
    set { cells[y * size.width + x] = newValue }
  }
}

/// A horizontal run of changed cells, as a backend writes it: start column, row, cells.
///
/// `cells[i]` belongs at column `x + i`. A run from ``ScreenBuffer/diff(to:mergeGap:)`` never
/// starts or ends inside a wide character: a double-width cell is always followed, in the same
/// run, by its continuation cell (`""`). Backends write every other cell in order and skip
/// continuation cells, which the wide glyph already covers.
public struct ChangeRun: Equatable, Sendable {
  public var x: Int
  public var y: Int
  public var cells: [Cell]
  public init(x: Int, y: Int, cells: [Cell]) {
    self.x = x
    self.y = y
    self.cells = cells
  }
}
