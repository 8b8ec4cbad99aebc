/// What one ``Frame/render(to:)`` sent to the terminal.
public struct FrameStats: Hashable, Sendable {
  /// Runs passed to ``TerminalBackend/draw(_:)``.
  public var runs: Int
  /// Cells written, not counting wide-character continuation cells.
  public var cells: Int
  /// True when every cell was sent (first frame, resize or ``Frame/invalidate()``).
  public var fullRepaint: Bool

  public init(runs: Int = 0, cells: Int = 0, fullRepaint: Bool = false) {
    self.runs = runs
    self.cells = cells
    self.fullRepaint = fullRepaint
  }

  /// Nothing was sent.
  public static let none = FrameStats()
}

/// The double buffer between views and the terminal.
///
/// Views draw the whole screen into ``next``; ``render(to:)`` sends the terminal only the cells
/// that differ from ``current`` (what the terminal shows), then makes `next` current and hands
/// back a blank `next` for the following frame.
///
/// ```swift
/// var frame = Frame(size: backend.size)
/// view(state, into: &frame.next)
/// let stats = frame.render(to: backend)   // draw + one flush, or nothing at all
/// ```
public struct Frame: Sendable {
  /// What the terminal shows, as of the last render.
  public private(set) var current: ScreenBuffer
  /// The frame being drawn. Blank after each ``render(to:)``.
  public var next: ScreenBuffer

  /// A frame whose first render repaints every cell.
  public init(size: Size) {
    current = ScreenBuffer(size: Size(width: 0, height: 0))
    next = ScreenBuffer(size: size)
  }

  /// The size views draw at.
  public var size: Size { next.size }

  /// Starts over at `size`: `next` becomes blank and the next render repaints every cell.
  public mutating func resize(to size: Size) {
    next = ScreenBuffer(size: size)
    invalidate()
  }

  /// Forgets what the terminal shows, so the next render repaints every cell (after
  /// ``TerminalBackend/invalidate()``, a resume from suspend, or screen corruption).
  public mutating func invalidate() {
    current = ScreenBuffer(size: Size(width: 0, height: 0))
  }

  /// Sends the cells that changed, flushes once, and swaps the buffers.
  ///
  /// When nothing changed it calls neither `draw` nor `flush` and returns ``FrameStats/none``.
  /// Either way, ``next`` is blank afterwards, ready for the following frame's view.
  ///
  /// Complexity: O(width × height) to compare, plus the cost of the changed cells.
  @discardableResult
  public mutating func render(to backend: some TerminalBackend) -> FrameStats {
    let fullRepaint = current.size != next.size
    let runs = current.diff(to: next)
    guard !runs.isEmpty else {
      if fullRepaint { current = next }
      next.clear()
      return .none
    }
    backend.draw(runs)
    backend.flush()
    var cells = 0
    for run in runs {
      for cell in run.cells where !cell.isContinuation { cells += 1 }
    }
    swap(&current, &next)
    if next.size == current.size {
      next.clear()
    } else {
      next = ScreenBuffer(size: current.size)
    }
    return FrameStats(runs: runs.count, cells: cells, fullRepaint: fullRepaint)
  }
}
