/// A terminal in memory: for tests and `vigil --headless`.
///
/// It applies ``ChangeRun``s exactly as a terminal does: a wide character covers two columns,
/// continuation cells are skipped, and overwriting half of a wide character blanks its other
/// half. What is drawn becomes visible in ``screen`` only at ``flush()``. Input comes from a
/// script of ``InputEvent``s.
///
/// ```swift
/// let backend = RecordingBackend(size: Size(width: 80, height: 24))
/// backend.enqueue(.key(.character("q")))
/// frame.render(to: backend)
/// print(backend.screen.lines().joined(separator: "\n"))
/// ```
///
/// Like every backend, it belongs to one thread.
public final class RecordingBackend: TerminalBackend {
  /// What the terminal shows, as of the last ``flush()``.
  public private(set) var screen: ScreenBuffer
  /// What has been drawn, flushed or not.
  public private(set) var pending: ScreenBuffer
  /// Scripted input, returned by ``pollInput(timeoutMilliseconds:)`` first to last.
  public var input: [InputEvent]

  public private(set) var drawCount = 0
  public private(set) var flushCount = 0
  public private(set) var invalidateCount = 0
  public private(set) var bellCount = 0
  public private(set) var isShutDown = false
  /// Cells written (continuation cells not counted), over all draws.
  public private(set) var cellsWritten = 0
  /// A rough count of the bytes a terminal would receive: cursor moves where runs are not
  /// adjacent, an SGR sequence per style change, and each cell's UTF-8 text.
  public private(set) var bytesEstimate = 0

  private var cursor: Point?
  private var lastStyle: Style?

  public init(size: Size, input: [InputEvent] = []) {
    screen = ScreenBuffer(size: size)
    pending = screen
    self.input = input
  }

  public var size: Size { pending.size }

  /// Adds events to the end of the input script.
  public func enqueue(_ events: InputEvent...) {
    input.append(contentsOf: events)
  }

  /// The terminal was resized: the screen becomes blank at `size`, and `.resize(size)` is
  /// queued, as a real terminal reports it.
  public func resize(to size: Size) {
    pending = ScreenBuffer(size: size)
    screen = pending
    cursor = nil
    input.append(.resize(size))
  }

  public func draw(_ runs: [ChangeRun]) {
    drawCount += 1
    for run in runs { apply(run) }
  }

  public func flush() {
    flushCount += 1
    screen = pending
  }

  public func invalidate() {
    invalidateCount += 1
    cursor = nil
    lastStyle = nil
  }

  public func pollInput(timeoutMilliseconds: Int) -> InputEvent? {
    input.isEmpty ? nil : input.removeFirst()
  }

  public func bell() { bellCount += 1 }

  public func shutdown() { isShutDown = true }

  private func apply(_ run: ChangeRun) {
    guard run.y >= 0 && run.y < pending.height else { return }
    var x = run.x
    for cell in run.cells {
      defer { x += 1 }
      // A continuation cell is covered by the wide glyph before it: nothing to send.
      if cell.isContinuation || x < 0 || x >= pending.width { continue }
      var (text, width) = cell.text.first.map(sanitizedGrapheme) ?? (" ", 1)
      if width == 0 || (width == 2 && x + 1 >= pending.width) {
        (text, width) = (" ", 1)
      }
      if cursor != Point(x: x, y: run.y) {
        bytesEstimate += 4 + decimalDigits(run.y + 1) + decimalDigits(x + 1)
      }
      if lastStyle != cell.style {
        bytesEstimate += sgrBytes(cell.style)
        lastStyle = cell.style
      }
      bytesEstimate += text.utf8.count
      cellsWritten += 1
      pending.writeCell(x: x, y: run.y, Cell(text, style: cell.style), width: width)
      cursor = Point(x: x + width, y: run.y)
    }
  }
}

private func decimalDigits(_ n: Int) -> Int {
  var n = n
  var digits = 1
  while n >= 10 {
    n /= 10
    digits += 1
  }
  return digits
}

/// `ESC [ 0 ; … m`: a reset plus each attribute and colour.
private func sgrBytes(_ style: Style) -> Int {
  func colorBytes(_ color: Color) -> Int {
    switch color {
    case .default: return 0
    case .ansi: return 3
    case .indexed: return 9
    case .rgb: return 17
    }
  }
  return 4 + 2 * style.attributes.rawValue.nonzeroBitCount + colorBytes(style.foreground)
    + colorBytes(style.background)
}
