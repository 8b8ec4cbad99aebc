import VigilCore
import VigilRender

/// Where a key works (or, for the mouse, a pointer action).
public enum KeyContext: Sendable, Equatable {
  /// The dashboard itself (and an open overlay, for the keys no list takes).
  case dashboard
  /// Every list overlay: help, rejected lines, alert history, other metrics, alerts, feeds.
  case lists
  /// The alerts overlay's list (`a`).
  case alertsList
  /// The mouse, when `--mouse` turned it on (listed, handled by `handleMouse`).
  case mouse
  /// `vigil replay`'s player (listed here; the player's `handle` in Replay/Player.swift reads
  /// the keys itself).
  case replayPlayer
}

/// What a key does (`performKey` in KeyHandling.swift carries it out).
public enum KeyAction: Sendable, Equatable {
  case quit
  case toggle(Overlay)
  case reload, addMarker, nextTheme, faster, slower, back, freeze, zoom
  /// Show the window of this length, else the `fallback`-th configured one.
  case window(Int64, fallback: Int)
  case focusNext, focusPrevious, focusDown, focusUp
  /// Move in a list (context ``KeyContext/lists``).
  case scroll(ScrollMove)
  /// In the alerts list: acknowledge / silence the selected alert.
  case acknowledge, silence
  /// In the alerts list: the suspects ranked when the selected alert fired.
  case alertSuspects
}

/// A live value the help overlay adds to an entry's text: `(now: dark)`.
public enum KeyHelpNow: Sendable, Equatable {
  case theme, fps
}

/// One row of the key table: the keys, what they do, where, and the help overlay's line.
public struct KeyMapEntry: Sendable {
  /// The key column of the help overlay (`1 5 f`).
  public var label: String
  /// The text column of the help overlay.
  public var help: String
  public var context: KeyContext
  /// Each group of keys and its action; empty for a row that is only listed.
  public var bindings: [(keys: [Key], action: KeyAction)]
  /// A live value appended to ``help`` in the overlay.
  public var now: KeyHelpNow?

  public init(
    _ label: String, _ help: String, _ bindings: [(keys: [Key], action: KeyAction)] = [],
    in context: KeyContext = .dashboard, now: KeyHelpNow? = nil
  ) {
    self.label = label
    self.help = help
    self.context = context
    self.bindings = bindings
    self.now = now
  }

  /// A dashboard key that does one thing, listed under its own name (or `label`).
  public static func one(
    _ key: Character, _ action: KeyAction, _ help: String, label: String? = nil,
    now: KeyHelpNow? = nil
  ) -> KeyMapEntry {
    KeyMapEntry(label ?? String(key), help, [([.character(key)], action)], now: now)
  }
}

/// Every key Vigil answers, in the order the help overlay lists them. `handleKey` finds a
/// key's action here and the `?` overlay prints the rows, so a new key is one entry below
/// (plus its case in ``KeyAction`` and `performKey` when it does something new).
public enum KeyMap {
  public static let entries: [KeyMapEntry] = dashboard + mouse + replay

  public static let dashboard: [KeyMapEntry] = [
    KeyMapEntry(
      "q", "quit (also Ctrl-C)", [([.character("q"), .character("Q"), .control("c")], .quit)]),
    .one(" ", .freeze, "freeze / resume the display (data keeps flowing in)", label: "space"),
    KeyMapEntry(
      "1 5 f", "window 1m / 5m / 15m",
      [
        ([.character("1")], .window(Nanos.minute, fallback: 0)),
        ([.character("5")], .window(5 * Nanos.minute, fallback: 1)),
        ([.character("f")], .window(15 * Nanos.minute, fallback: 2)),
      ]),
    KeyMapEntry(
      "Tab, arrows, h j k l", "move focus between panels",
      [
        ([.tab, .right, .character("l")], .focusNext),
        ([.backTab, .left, .character("h")], .focusPrevious),
        ([.down, .character("j")], .focusDown),
        ([.up, .character("k")], .focusUp),
      ]),
    KeyMapEntry("Enter", "zoom the focused panel", [([.enter], .zoom)]),
    KeyMapEntry("Esc", "back from zoom or an overlay", [([.escape], .back)]),
    .one("e", .toggle(.rejected), "rejected lines: feed, line number, reason"),
    .one("o", .toggle(.others), "other metrics: every series no panel shows"),
    KeyMapEntry(
      "a, d", "alerts pending or firing; suspects off baseline",
      [([.character("a")], .toggle(.alerts)), ([.character("d")], .toggle(.suspects))]),
    KeyMapEntry(
      "A, s, d", "in alerts: ack+note, silence 15m/1h/4h, suspects",
      [
        ([.character("A")], .acknowledge), ([.character("s")], .silence),
        ([.character("d")], .alertSuspects),
      ], in: .alertsList),
    .one("H", .toggle(.alertHistory), "alert history: every episode"),
    .one("F", .toggle(.feeds), "feeds: state, rates, errors, command output"),
    .one("N", .toggle(.notifications), "alert delivery: targets, failures, what was sent"),
    KeyMapEntry(
      "j k, arrows", "in lists: scroll or select a row",
      [([.down, .character("j")], .scroll(.by(1))), ([.up, .character("k")], .scroll(.by(-1)))],
      in: .lists),
    KeyMapEntry(
      "PgDn PgUp, ^D ^U", "in lists: a page down / up",
      [
        ([.pageDown, .control("d"), .control("f")], .scroll(.pageDown)),
        ([.pageUp, .control("u"), .control("b")], .scroll(.pageUp)),
      ], in: .lists),
    KeyMapEntry(
      "g G, Home End", "in lists: the top / the bottom",
      [([.home, .character("g")], .scroll(.top)), ([.end, .character("G")], .scroll(.bottom))],
      in: .lists),
    .one("r", .reload, "reload rules and layout; a bad file keeps the old"),
    .one("m", .addMarker, "add a marker (kept in a recording)"),
    .one("t", .nextTheme, "next theme", now: .theme),
    KeyMapEntry(
      "+ -", "frame rate faster / slower (0.5 to 30 fps)",
      [
        ([.character("+"), .character("=")], .faster),
        ([.character("-"), .character("_")], .slower),
      ],
      now: .fps),
    .one("?", .toggle(.help), "this help (j k scroll it)"),
  ]

  /// Listed only: the mouse is handled by `handleMouse`.
  public static let mouse = [
    ("click", "focus a panel; again: zoom; zoomed: back"),
    ("wheel", "scroll lists and overlays (3 rows a notch)"),
  ].map { KeyMapEntry($0.0, $0.1, in: .mouse) }

  /// The player's keys first, then the dashboard's that still apply in a replay. Listed only:
  /// Replay/Player.swift handles its own keys and passes the rest to `update`.
  public static let replay = [
    ("q", "quit"),
    ("space", "pause / play"),
    (". ,", "step one evaluation tick forward / back"),
    ("+ - =", "speed x2 / /2 (0.25x to 1000x) / 1x"),
    ("] [", "next / previous alert transition"),
    ("e E", "next / previous transition to firing"),
    ("} {", "next / previous marker"),
    ("g G", "start / end of the recording"),
    (":", "go to a time: 16:20, 16:20:05, +5m, -30s"),
    ("m", "add a marker (saved beside the recording)"),
    ("1 5 f", "window 1m / 5m / 15m"),
    ("Tab, arrows, Enter", "move focus, zoom"),
    ("a H o d", "alerts / alert history / other metrics / suspects"),
    ("Esc", "back from zoom or an overlay"),
    ("?", "this help"),
  ].map { KeyMapEntry($0.0, $0.1, in: .replayPlayer) }

  /// The action of `key` in `context`, or nil when it does nothing there.
  public static func action(for key: Key, in context: KeyContext) -> KeyAction? {
    for entry in entries where entry.context == context {
      for binding in entry.bindings where binding.keys.contains(key) { return binding.action }
    }
    return nil
  }

  /// The help overlay's (key, text) rows of `contexts`, in table order.
  public static func help(_ contexts: [KeyContext]) -> [(key: String, action: String)] {
    entries.filter { contexts.contains($0.context) }.map { (key: $0.label, action: $0.help) }
  }
}

/// Every key of the dashboard, for the `?` overlay (and the README).
public let helpKeys = KeyMap.help([.dashboard, .alertsList, .lists])

/// The mouse, when `--mouse` turned it on.
public let helpMouse = KeyMap.help([.mouse])

/// The keys of `vigil replay` (the player's first, then the dashboard's that still apply).
public let replayHelpKeys = KeyMap.help([.replayPlayer])
