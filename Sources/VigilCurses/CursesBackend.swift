import CNCurses
import CVigilSignals
import VigilRender

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// ``TerminalBackend`` on ncursesw: changed cells in, one `doupdate()` per frame out.
///
/// ```swift
/// let backend = try CursesBackend.start(options: CursesOptions(colorOverride: nil))
/// defer { backend.finishSignal() }   // after the loop: restore, then die by a signal if one came
/// defer { backend.shutdown() }
/// ```
///
/// Not `Sendable` (see ``CursesTerminal``): create it, use it and shut it down on the loop's
/// thread.
///
/// Contract with the loop: after ``pollInput(timeoutMilliseconds:)`` returns `.resize`, the
/// screen is blank and will be fully repainted, so diff the next frame against a blank buffer
/// of the new size. After ``invalidate()``, the screen is repainted from what was drawn.
public final class CursesBackend: TerminalBackend {
  /// The ncurses screen this backend draws on.
  public let terminal: CursesTerminal
  /// The colours cells are drawn with: the detected (or overridden) capability, capped at what
  /// the terminfo entry can show. `truecolor` needs a direct-colour entry (2²⁴ colours, such as
  /// `xterm-direct`); elsewhere it is drawn as `indexed256`, because ncurses cannot send 24-bit
  /// colours through an ordinary 256-colour entry.
  public let capability: ColorCapability
  /// The terminal's size, updated on `.resize`.
  public private(set) var size: Size
  /// The termination signal that ended the loop (reported by ``pollInput(timeoutMilliseconds:)``
  /// or pending at ``shutdown()``), or nil.
  public private(set) var endedBySignal: Int32?

  private var pairs: ColorPairRegistry
  private var timeout: Int32 = -2
  private var lastStyle: Style?
  private var lastAttributes: attr_t = 0
  private var lastPair: Int32 = 0
  private var characters = [wchar_t](repeating: 0, count: 8)
  private let attributeMask: attr_t
  /// The terminfo entry takes colours as 0xRRGGBB numbers (numbers below 8 are ANSI colours).
  private let isDirectColor: Bool
  /// Bytes the frames (`doupdate`) sent so far, counted while ``countsBytes`` is on.
  private var sent: UInt64 = 0
  /// Count the bytes each frame sends (`--debug`): two reads of the thread's I/O counters per
  /// frame. Off by default.
  public var countsBytes = false
  /// Whether this system lets the backend count bytes (see ``OutputCounter``).
  private lazy var canCount = OutputCounter.threadBytesWritten() != nil

  /// Bytes sent to the terminal by frames since ``countsBytes`` was turned on; nil when off or
  /// not countable here.
  public var bytesWritten: UInt64? { countsBytes && canCount ? sent : nil }

  /// ``capability``, as the loop asks for it.
  public var colorCapability: ColorCapability { capability }
  /// Whether non-ASCII text can be drawn (pick the ASCII glyph set when false).
  public var isUTF8: Bool { terminal.isUTF8 }
  /// Whether the cursor could be hidden.
  public var cursorHidden: Bool { terminal.cursorHidden }

  /// Starts ncurses on the controlling terminal (see ``CursesTerminal/start(options:)``) and
  /// picks the colour capability with ``ColorCapability/choose(_:forced:term:colorterm:noColor:colors:)``
  /// from the options, `TERM`, `COLORTERM`, `NO_COLOR` and the terminfo colour count.
  /// - Throws: ``CursesError`` (the terminal is left as it was).
  public static func start(options: CursesOptions = CursesOptions()) throws -> CursesBackend {
    let terminal = try CursesTerminal.start(options: options)
    let env = LocaleSetup.environment
    let requested = ColorCapability.choose(
      options.colorChoice, forced: options.colorOverride, term: env("TERM"),
      colorterm: env("COLORTERM"), noColor: !(env("NO_COLOR") ?? "").isEmpty,
      colors: terminal.colorCount)
    let backend = CursesBackend(terminal: terminal, requested: requested)
    if options.mouse { terminal.enableMouse() }
    return backend
  }

  /// A backend on a headless screen (`/dev/null`), for tests.
  package static func headless(
    term: String, size: Size, colorOverride: ColorCapability? = nil, isUTF8: Bool? = nil,
    watchSignals: Bool = false, outputPath: String = "/dev/null"
  ) throws -> CursesBackend {
    let terminal = try CursesTerminal.headless(
      term: term, size: size, isUTF8: isUTF8, watchSignals: watchSignals, outputPath: outputPath)
    let requested =
      colorOverride
      ?? ColorCapability.detect(
        term: term, colorterm: nil, noColor: false, colors: terminal.colorCount)
    return CursesBackend(terminal: terminal, requested: requested)
  }

  init(terminal: CursesTerminal, requested: ColorCapability) {
    self.terminal = terminal
    let maximum =
      terminal.colorPairCount > 1
      ? ColorCapability.maximum(forColorCount: terminal.colorCount) : .monochrome
    // ncurses sends 24-bit colours only through direct-colour entries (`xterm-direct`, where
    // COLORS is 2^24 and a colour number is 0xRRGGBB); elsewhere truecolor themes are drawn
    // with the nearest 256-colour index.
    isDirectColor = terminal.colorCount >= 1 << 24
    capability = min(requested, maximum, isDirectColor ? .truecolor : .indexed256)
    size = terminal.size
    let defaults =
      terminal.hasDefaultColors
      ? ColorPairRegistry.Colors(foreground: -1, background: -1)
      : ColorPairRegistry.Colors(foreground: 7, background: 0)
    pairs = ColorPairRegistry(capacity: terminal.colorPairCount, defaultColors: defaults) {
      vigil_init_pair($0, $1, $2) == OK
    }
    attributeMask = vigil_a_attributes()
  }

  // MARK: TerminalBackend

  /// Writes changed cells to the virtual screen. Continuation cells (`""`) are skipped: the wide
  /// character to their left covers them. Attributes and the pair are worked out only when the
  /// style changes; `ERR` from the bottom-right cell is ignored (ncurses stores it anyway).
  public func draw(_ runs: [ChangeRun]) {
    guard !terminal.isShutDown else { return }
    let window = vigil_stdscr()
    let width = size.width
    let height = size.height
    for run in runs where run.y >= 0 && run.y < height {
      var x = run.x
      for cell in run.cells {
        defer { x += 1 }
        guard x >= 0, x < width else { continue }
        if cell.isContinuation && isUTF8 { continue }
        if cell.style != lastStyle {
          (lastAttributes, lastPair) = resolve(cell.style)
          lastStyle = cell.style
        }
        setCharacters(cell.text)
        _ = characters.withUnsafeBufferPointer { chars in
          vigil_put_cell(
            window, Int32(run.y), Int32(x), chars.baseAddress, lastAttributes, lastPair)
        }
      }
    }
  }

  /// Makes the frame visible: `wnoutrefresh` and one `doupdate()` (one write).
  public func flush() {
    guard !terminal.isShutDown else { return }
    let window = vigil_stdscr()
    if !terminal.cursorHidden, size.width > 0, size.height > 0 {
      _ = wmove(window, Int32(size.height - 1), Int32(size.width - 1))
    }
    _ = wnoutrefresh(window)
    guard countsBytes, canCount, let before = OutputCounter.threadBytesWritten() else {
      _ = doupdate()
      return
    }
    _ = doupdate()
    if let after = OutputCounter.threadBytesWritten(), after >= before { sent += after - before }
  }

  /// Repaints every cell on the next ``flush()`` (`clearok(curscr, TRUE)`).
  public func invalidate() {
    guard !terminal.isShutDown else { return }
    _ = clearok(vigil_curscr(), true)
  }

  /// Waits up to `timeoutMilliseconds` (negative counts as 0) for a key, a resize or a
  /// termination signal.
  ///
  /// A termination signal wins over input: it is checked before waiting and after every return
  /// (the handler has no `SA_RESTART`, so the wait ends with `EINTR`). A signal that lands just
  /// before the wait begins is seen when the timeout ends, so the loop's timeout bounds the delay.
  public func pollInput(timeoutMilliseconds: Int) -> InputEvent? {
    guard !terminal.isShutDown else { return nil }
    if let s = checkSignal() { return .terminate(signal: s) }
    let window = vigil_stdscr()
    let t = Int32(clamping: max(0, timeoutMilliseconds))
    if t != timeout {
      wtimeout(window, t)
      timeout = t
    }
    var code: wint_t = 0
    let rc = wget_wch(window, &code)
    if let s = checkSignal() { return .terminate(signal: s) }
    switch rc {
    case KEY_CODE_YES:
      let key = Int32(bitPattern: code)
      if key == KEY_RESIZE {
        size = terminal.size
        _ = werase(window)
        _ = clearok(vigil_curscr(), true)
        lastStyle = nil
        return .resize(size)
      }
      if key == vigil_key_mouse() {
        var x: Int32 = 0
        var y: Int32 = 0
        let kind = vigil_get_mouse(&x, &y)
        return KeyTranslation.mouse(kind: kind, x: x, y: y).map(InputEvent.mouse)
      }
      return KeyTranslation.key(forKeyCode: key).map(InputEvent.key)
    case OK:
      return KeyTranslation.key(forCharacter: UInt32(code)).map(InputEvent.key)
    default:
      return nil
    }
  }

  /// Rings the bell (`beep`, or a flash where the terminal has no bell).
  public func bell() {
    guard !terminal.isShutDown else { return }
    _ = beep()
  }

  /// Restores the terminal (``CursesTerminal/shutdown()``). Idempotent. Records a termination
  /// signal still pending, for ``finishSignal()``.
  public func shutdown() {
    guard !terminal.isShutDown else { return }
    if endedBySignal == nil { endedBySignal = terminal.pendingSignal }
    terminal.shutdown()
  }

  /// Shuts down, then, if a termination signal ended the loop, flushes stdio and dies by that
  /// signal so the shell reports 128 + N. Call last, after printing any final messages.
  public func finishSignal() {
    shutdown()
    CursesTerminal.finishSignal(endedBySignal)
  }

  // MARK: Helpers

  private func checkSignal() -> Int32? {
    guard let s = terminal.pendingSignal else { return nil }
    endedBySignal = s
    return s
  }

  /// The curses attributes and pair for a style, on this terminal.
  package func resolve(_ style: Style) -> (attr_t, Int32) {
    var a: attr_t = 0
    let attributes = style.attributes
    if attributes.contains(.bold) { a |= vigil_a_bold() }
    if attributes.contains(.dim) { a |= vigil_a_dim() }
    if attributes.contains(.reverse) { a |= vigil_a_reverse() }
    if attributes.contains(.underline) { a |= vigil_a_underline() }
    if attributes.contains(.italic) { a |= vigil_a_italic() }
    if capability == .monochrome {
      // No colour: a coloured background (a selection, a status bar) becomes reverse video.
      if style.background != .default { a |= vigil_a_reverse() }
      return (a & attributeMask, 0)
    }
    let mapped = capability.map(foreground: style.foreground, background: style.background)
    let pair = pairs.pair(
      foreground: colorNumber(mapped.foreground, default: pairs.defaultColors.foreground),
      background: colorNumber(mapped.background, default: pairs.defaultColors.background))
    return (a & attributeMask, pair)
  }

  /// The curses colour number of a colour already mapped to ``capability``; `.default` is
  /// `defaultNumber` (−1 with default colours, else white or black).
  func colorNumber(_ color: Color, default defaultNumber: Int32) -> Int32 {
    if isDirectColor {
      // Numbers below 8 are the ANSI colours; everything else is RGB (a near-black below 8
      // moves up to 8, one step of blue).
      switch color {
      case .default: return defaultNumber
      case .ansi(let n) where n < 8, .indexed(let n) where n < 8: return Int32(n)
      case .ansi, .indexed, .rgb:
        let (r, g, b) = color.approximateRGB
        return max(8, Int32(r) << 16 | Int32(g) << 8 | Int32(b))
      }
    }
    switch color {
    case .default: return defaultNumber
    case .ansi(let n): return Int32(n)
    case .indexed(let n): return Int32(n)
    case .rgb(let r, let g, let b): return Int32(XtermPalette.nearestXterm256(r, g, b))
    }
  }

  /// Fills `characters` with the cell's scalars, NUL-terminated. Without UTF-8, non-ASCII text
  /// becomes `?` and a continuation cell a space; control characters always become `?`.
  private func setCharacters(_ text: String) {
    var n = 0
    if text.isEmpty {
      characters[0] = 0x20
      n = 1
    } else {
      for scalar in text.unicodeScalars {
        guard n < 5 else { break }  // CCHARW_MAX: one spacing character and combining marks
        var v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) || (!isUTF8 && v > 0x7E) { v = 0x3F }
        characters[n] = wchar_t(bitPattern: v)
        n += 1
        if !isUTF8 { break }
      }
    }
    characters[n] = 0
  }
}
