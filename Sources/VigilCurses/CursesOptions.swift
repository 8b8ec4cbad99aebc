import VigilRender

/// How ``CursesBackend/start(options:)`` sets up the terminal.
public struct CursesOptions: Hashable, Sendable {
  /// Forces a colour capability (`--colors`), beating `NO_COLOR` and `COLORTERM`. It is still
  /// capped at what the terminal's terminfo entry can show. Nil detects.
  public var colorOverride: ColorCapability?
  /// `--color`: `auto` honours `NO_COLOR`, `always` ignores it, `never` is monochrome (and
  /// beats ``colorOverride``).
  public var colorChoice: ColorChoice
  /// `true` draws ASCII only (non-ASCII cells become `?`); `false` insists on UTF-8 (falls back
  /// to the `C.UTF-8` locale if needed); nil decides from the locale (see ``LocaleSetup``).
  public var asciiOnly: Bool?
  /// How long ncurses waits after ESC for the rest of an escape sequence. ncurses defaults to
  /// 1000 ms, which makes the Escape key feel broken.
  public var escapeDelayMilliseconds: Int
  /// Report mouse presses and the wheel (`--mouse`); off by default, so the terminal's own
  /// selection and scrollback keep working.
  public var mouse = false

  public init(
    colorOverride: ColorCapability? = nil, colorChoice: ColorChoice = .auto,
    asciiOnly: Bool? = nil, escapeDelayMilliseconds: Int = 25, mouse: Bool = false
  ) {
    self.mouse = mouse
    self.colorOverride = colorOverride
    self.colorChoice = colorChoice
    self.asciiOnly = asciiOnly
    self.escapeDelayMilliseconds = escapeDelayMilliseconds
  }
}

/// Why the terminal could not be started (a startup-tier error: exit 1 after printing it).
public enum CursesError: Error, Hashable, Sendable, CustomStringConvertible {
  /// ncurses found no usable terminfo entry for `TERM` (nil when `TERM` is unset).
  case unusableTerminal(term: String?)
  /// Neither standard input/output nor `/dev/tty` is a terminal.
  case noTerminal
  /// Installing the signal handlers failed with this `errno`.
  case signalSetupFailed(errno: Int32)

  public var description: String {
    switch self {
    case .unusableTerminal(let term?):
      "unusable TERM \"\(term)\": no terminfo entry, or the terminal cannot address the cursor"
    case .unusableTerminal(nil):
      "TERM is not set: set it to your terminal type (for example TERM=xterm-256color)"
    case .noTerminal:
      "not a terminal: the dashboard needs a TTY (use --headless for plain-text frames)"
    case .signalSetupFailed(let e):
      "could not install signal handlers (errno \(e))"
    }
  }
}
