import CNCurses
import CVigilSignals
import VigilRender

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One ncurses screen: start-up in the order ARCHITECTURE §12 prescribes, and a teardown that
/// restores the terminal on every exit path (§8).
///
/// Not `Sendable` on purpose: ncurses is global, unsynchronised state, so the compiler must keep
/// this object (and every curses call made through it) on the loop's thread. Only one screen is
/// active at a time. ``CursesBackend`` draws and reads input through it.
///
/// Exit paths, as checked under tmux 3.3a with ncurses 6.4 (TERM xterm-256color, screen, vt100,
/// linux):
/// - `q` → ``shutdown()``: exit 0, modes back to `icanon echo`, main screen and prompt clean.
/// - SIGINT (Ctrl-C), SIGTERM, SIGHUP → `.terminate` → ``shutdown()`` → re-raise: the shell
///   sees 130, 143, 129. Killing the tmux session (an SSH drop) delivers SIGHUP twice; the
///   duplicate is ignored, so cleanup runs, writes to the dead pty fail with EIO, and the
///   process dies by SIGHUP.
/// - A trap: the crash handler restores the modes and leaves the alternate screen, then the
///   Swift backtracer prints a symbolicated backtrace on the restored screen; exit 132.
/// - Ctrl-Z: left to ncurses (SIGTSTP keeps its default disposition, so ncurses installs its
///   own handler): the shell gets cooked mode back, and after `fg` ncurses repaints the whole
///   frame itself (alternate screen on, cursor hidden). A resize while stopped arrives as
///   `.resize` after `fg`. No SIGCONT handler is needed.
///
/// Signal delivery: SIGINT/SIGTERM/SIGHUP go to any thread that does not block them. The wait
/// in `wget_wch` ends at once only when the loop's thread receives the signal; otherwise the
/// flag is seen when the wait times out. Helper threads can call
/// `vigil_signals_block_termination_in_thread()` to steer signals to the loop.
public final class CursesTerminal {
  /// Whether cells may hold non-ASCII text (the locale's codeset is UTF-8). When false, the app
  /// picks the ASCII glyph set and the backend draws any other non-ASCII text as `?`.
  public let isUTF8: Bool
  /// Whether `curs_set(0)` worked. When it did not (vt100), the cursor is parked at the bottom
  /// right after every frame.
  public let cursorHidden: Bool
  /// Whether the terminal has an alternate screen (`smcup`). Without one (vt100, the Linux
  /// console) the screen is erased before leaving, so the dashboard does not stay behind.
  public let hasAlternateScreen: Bool
  /// ncurses `COLORS` (0 when the terminal has no colour).
  public let colorCount: Int
  /// ncurses `COLOR_PAIRS` (0 when the terminal has no colour).
  public let colorPairCount: Int
  /// Whether `use_default_colors` worked, so colour −1 means the terminal's default.
  public let hasDefaultColors: Bool
  /// The terminal type ncurses was started with.
  public let termName: String?
  /// True once ``shutdown()`` ran.
  public private(set) var isShutDown = false

  private let screen: OpaquePointer
  /// Whether this screen installed and owns the process's signal handling (false in tests).
  let ownsSignals: Bool
  private var filesToClose: [UnsafeMutablePointer<FILE>]

  /// Starts ncurses on the controlling terminal, in the order of ARCHITECTURE §12:
  /// signal handlers (before `newterm`, so ncurses leaves SIGINT/SIGTERM alone), the terminal
  /// modes saved for crash restore, the locale, `newterm`, then the modes.
  ///
  /// Standard input and output are used when they are terminals; otherwise `/dev/tty` (so
  /// `producer | vigil --feed -` still has a keyboard).
  /// - Throws: ``CursesError``, after leaving the terminal as it found it.
  public static func start(options: CursesOptions = CursesOptions()) throws -> CursesTerminal {
    if vigil_signals_install() != 0 { throw CursesError.signalSetupFailed(errno: errno) }
    var toClose: [UnsafeMutablePointer<FILE>] = []
    func terminalStream(_ fd: Int32, _ standard: UnsafeMutablePointer<FILE>?, mode: String)
      -> UnsafeMutablePointer<FILE>?
    {
      if isatty(fd) == 1, let standard { return standard }
      guard let f = fopen("/dev/tty", mode) else { return nil }
      toClose.append(f)
      return f
    }
    guard let input = terminalStream(STDIN_FILENO, vigil_stdin(), mode: "r"),
      let output = terminalStream(STDOUT_FILENO, vigil_stdout(), mode: "w")
    else {
      toClose.forEach { fclose($0) }
      throw CursesError.noTerminal
    }
    _ = vigil_signals_save_tty(fileno(input))
    vigil_signals_install_crash_restore()
    let utf8 = LocaleSetup.configure(asciiOnly: options.asciiOnly)
    do {
      return try CursesTerminal(
        term: nil, output: output, input: input, isUTF8: utf8, ownsSignals: true,
        escapeDelay: options.escapeDelayMilliseconds, filesToClose: toClose)
    } catch {
      vigil_signals_clear_tty()
      toClose.forEach { fclose($0) }
      throw error
    }
  }

  /// A screen that writes to `/dev/null` and reads from it, for tests (ARCHITECTURE §12
  /// "Headless backend tests"). Installs no signal handlers and does not touch the locale:
  /// set it first (`setlocale(LC_ALL, "C.UTF-8")`) for wide characters. With `watchSignals`,
  /// the screen reports signals caught by handlers the test installed itself.
  package static func headless(
    term: String, size: Size, isUTF8: Bool? = nil, watchSignals: Bool = false,
    outputPath: String = "/dev/null"
  ) throws -> CursesTerminal {
    guard let out = fopen(outputPath, "w") else { throw CursesError.noTerminal }
    guard let inp = fopen("/dev/null", "r") else {
      fclose(out)
      throw CursesError.noTerminal
    }
    let t: CursesTerminal
    do {
      t = try CursesTerminal(
        term: term, output: out, input: inp,
        isUTF8: isUTF8 ?? LocaleSetup.currentCodesetIsUTF8(), ownsSignals: watchSignals,
        escapeDelay: 25,
        filesToClose: [out, inp])
    } catch {
      fclose(out)
      fclose(inp)
      throw error
    }
    _ = resizeterm(Int32(size.height), Int32(size.width))
    return t
  }

  private init(
    term: String?, output: UnsafeMutablePointer<FILE>, input: UnsafeMutablePointer<FILE>,
    isUTF8: Bool, ownsSignals: Bool, escapeDelay: Int, filesToClose: [UnsafeMutablePointer<FILE>]
  ) throws {
    let name = term ?? LocaleSetup.environment("TERM")
    // newterm, never initscr: initscr calls exit() on a bad TERM.
    guard let screen = newterm(term, output, input) else {
      throw CursesError.unusableTerminal(term: name.flatMap { $0.isEmpty ? nil : $0 })
    }
    self.screen = screen
    self.termName = name
    self.isUTF8 = isUTF8
    self.ownsSignals = ownsSignals
    self.filesToClose = filesToClose

    let window = vigil_stdscr()
    _ = cbreak()
    _ = noecho()
    _ = nonl()
    _ = keypad(window, true)
    cursorHidden = curs_set(0) != ERR
    _ = set_escdelay(Int32(clamping: escapeDelay))
    hasAlternateScreen = vigil_has_string_cap("smcup") != 0

    var defaults = false
    if has_colors() {
      _ = start_color()
      defaults = use_default_colors() == OK
    }
    hasDefaultColors = defaults
    colorCount = has_colors() ? Int(vigil_colors()) : 0
    colorPairCount = has_colors() ? Int(vigil_color_pairs()) : 0

    if ownsSignals {
      var bytes = [CChar](repeating: 0, count: 256)
      vigil_restore_sequence(&bytes, bytes.count)
      let length = bytes.firstIndex(of: 0) ?? 0
      vigil_signals_set_restore_sequence(bytes, length)
    }
    // A fresh newterm() screen flushes on every cursor move; one endwin/refresh cycle puts it
    // in the state where each doupdate() is one write (ARCHITECTURE §12 pitfall table).
    _ = endwin()
    _ = wrefresh(window)
  }

  deinit { shutdown() }

  /// Reports mouse presses and the wheel from now on (`--mouse`). A crash then also turns
  /// the terminal's mouse reporting off (xterm's modes 1000, 1002, 1003 and 1006).
  public func enableMouse() {
    guard !isShutDown, vigil_mouse_on() != 0 else { return }
    mouseOn = true
    if ownsSignals {
      var bytes = [CChar](repeating: 0, count: 320)
      vigil_restore_sequence(&bytes, bytes.count)
      let off = Array("\u{1B}[?1006l\u{1B}[?1003l\u{1B}[?1002l\u{1B}[?1000l".utf8CString)
      let length = bytes.firstIndex(of: 0) ?? 0
      let all = Array(off.dropLast()) + Array(bytes[0..<length])
      vigil_signals_set_restore_sequence(all, all.count)
    }
  }
  private var mouseOn = false

  /// The terminal's size now (ncurses `COLS` × `LINES`).
  public var size: Size {
    isShutDown
      ? Size(width: 0, height: 0) : Size(width: Int(vigil_cols()), height: Int(vigil_lines()))
  }

  /// A termination signal (SIGINT, SIGTERM, SIGHUP) that arrived, or nil. Always nil for a
  /// headless screen.
  public var pendingSignal: Int32? {
    guard ownsSignals else { return nil }
    let s = vigil_signals_pending()
    return s == 0 ? nil : s
  }

  /// Restores the terminal. Idempotent, and safe to call from `defer` on every path.
  ///
  /// Without an alternate screen the screen is erased first; then the cursor is shown,
  /// `endwin` restores the modes, the screen is freed, and crash restore is disarmed.
  public func shutdown() {
    guard !isShutDown else { return }
    isShutDown = true
    let window = vigil_stdscr()
    if !hasAlternateScreen {
      _ = werase(window)
      _ = wmove(window, 0, 0)
      _ = wrefresh(window)
    }
    _ = curs_set(1)
    if mouseOn { vigil_mouse_off() }
    _ = endwin()
    delscreen(screen)
    if ownsSignals { vigil_signals_clear_tty() }
    for f in filesToClose { fclose(f) }
    filesToClose = []
  }

  /// After ``shutdown()``: if `signal` is set, flushes output and dies by that signal, so the
  /// shell sees 128 + N. Returns only when `signal` is nil (or the signal did not kill).
  public static func finishSignal(_ signal: Int32?) {
    guard let signal else { return }
    vigil_signals_reraise(signal)
  }
}
