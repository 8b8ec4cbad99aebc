/// A key press, decoded.
public enum Key: Hashable, Sendable {
  case character(Character)
  case up, down, left, right
  case pageUp, pageDown, home, end
  case tab, backTab, enter, escape, backspace, delete
  /// Ctrl plus a letter, lowercased (`.control("c")`).
  case control(Character)
  case function(Int)
}

/// What the backend reports between frames.
public enum InputEvent: Hashable, Sendable {
  case key(Key)
  /// The terminal now has this size.
  case resize(Size)
  /// A termination request (SIGINT, SIGTERM, SIGHUP): the loop ends and restores the terminal.
  case terminate(signal: Int32)
  /// A mouse button or wheel (only when the mouse was turned on, `--mouse`).
  case mouse(MouseEvent)
}

/// A mouse press or wheel turn at a cell.
public struct MouseEvent: Hashable, Sendable {
  public enum Action: Hashable, Sendable {
    /// The left button went down.
    case press
    case wheelUp, wheelDown
  }
  public var action: Action
  /// The cell, from the top-left corner (0, 0).
  public var position: Point
  public init(_ action: Action, at position: Point) {
    self.action = action
    self.position = position
  }
}

/// The terminal as the loop sees it: a size, a way to draw changed cells, and input.
///
/// ``RecordingBackend`` implements it in memory for tests and headless runs; VigilCurses
/// implements it on ncursesw. One thread (the loop's) owns a backend.
public protocol TerminalBackend: AnyObject {
  /// The current size in cells.
  var size: Size { get }
  /// Writes changed cells to the terminal's pending state (nothing is shown until ``flush()``).
  func draw(_ runs: [ChangeRun])
  /// Makes everything drawn so far visible, in one update.
  func flush()
  /// Forget what is on the terminal, so the next frame repaints every cell.
  func invalidate()
  /// Waits up to `timeoutMilliseconds` for input; nil on timeout.
  func pollInput(timeoutMilliseconds: Int) -> InputEvent?
  /// Rings the terminal bell.
  func bell()
  /// Restores the terminal. Idempotent.
  func shutdown()
  /// The colours the terminal shows (the app adapts its theme to monochrome itself).
  var colorCapability: ColorCapability { get }
  /// Bytes sent to the terminal so far, or nil when the backend does not count them.
  var bytesWritten: UInt64? { get }
}

extension TerminalBackend {
  /// Backends that keep styles as they are (``RecordingBackend``) show every colour.
  public var colorCapability: ColorCapability { .truecolor }
  /// Backends count no bytes unless they say otherwise.
  public var bytesWritten: UInt64? { nil }
}
