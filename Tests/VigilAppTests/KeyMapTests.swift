import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender

/// The one key table: `handleKey` and the help overlay both read it.
@Suite struct KeyMapTests {
  /// The help overlay's rows, word for word as they were written by hand before the table.
  @Test func theHelpListsTheKeysAsBefore() {
    let dashboard: [(String, String)] = [
      ("q", "quit (also Ctrl-C)"),
      ("space", "freeze / resume the display (data keeps flowing in)"),
      ("1 5 f", "window 1m / 5m / 15m"),
      ("Tab, arrows, h j k l", "move focus between panels"),
      ("Enter", "zoom the focused panel"),
      ("Esc", "back from zoom or an overlay"),
      ("e", "rejected lines: feed, line number, reason"),
      ("o", "other metrics: every series no panel shows"),
      ("a, d", "alerts pending or firing; suspects off baseline"),
      ("A, s, d", "in alerts: ack+note, silence 15m/1h/4h, suspects"),
      ("H", "alert history: every episode"),
      ("F", "feeds: state, rates, errors, command output"),
      ("N", "alert delivery: targets, failures, what was sent"),
      ("j k, arrows", "in lists: scroll or select a row"),
      ("PgDn PgUp, ^D ^U", "in lists: a page down / up"),
      ("g G, Home End", "in lists: the top / the bottom"),
      ("r", "reload rules and layout; a bad file keeps the old"),
      ("m", "add a marker (kept in a recording)"),
      ("t", "next theme"),
      ("+ -", "frame rate faster / slower (0.5 to 30 fps)"),
      ("?", "this help (j k scroll it)"),
    ]
    #expect(helpKeys.map(\.key) == dashboard.map(\.0))
    #expect(helpKeys.map(\.action) == dashboard.map(\.1))
    #expect(helpMouse.map(\.key) == ["click", "wheel"])
    #expect(replayHelpKeys.count == 15 && replayHelpKeys.first?.key == "q")
    #expect(replayHelpKeys.last?.action == "this help")
  }

  /// A key does one thing in a context, and every key that does something is in the help.
  @Test func eachKeyIsBoundOnceAndListed() {
    for context in [KeyContext.dashboard, .lists, .alertsList] {
      var seen: [Key] = []
      for entry in KeyMap.entries where entry.context == context {
        #expect(!entry.help.isEmpty)
        for binding in entry.bindings {
          for key in binding.keys {
            #expect(!seen.contains(key), "\(key) bound twice in \(context)")
            seen.append(key)
          }
        }
      }
      #expect(!seen.isEmpty)
    }
    for entry in KeyMap.entries where !entry.bindings.isEmpty {
      #expect(helpKeys.contains { $0.key == entry.label })
    }
  }

  @Test func lookups() {
    #expect(KeyMap.action(for: .control("c"), in: .dashboard) == .quit)
    #expect(KeyMap.action(for: .character("F"), in: .dashboard) == .toggle(.feeds))
    #expect(
      KeyMap.action(for: .character("5"), in: .dashboard) == .window(5 * Nanos.minute, fallback: 1))
    #expect(KeyMap.action(for: .character("="), in: .dashboard) == .faster)
    #expect(KeyMap.action(for: .control("b"), in: .lists) == .scroll(.pageUp))
    #expect(KeyMap.action(for: .character("s"), in: .alertsList) == .silence)
    #expect(KeyMap.action(for: .character("s"), in: .dashboard) == nil)
    #expect(KeyMap.action(for: .character("G"), in: .dashboard) == nil)
  }

  /// The live values the overlay adds come from the table too.
  @Test func helpShowsTheThemeAndFrameRateInUse() {
    var state = freshState()
    state.ui.size = Size(width: 100, height: 50)
    _ = update(&state, .key(.character("?")))
    let text = render(state).lines().joined(separator: "\n")
    #expect(text.contains("next theme (now: \(state.theme.name))"))
    #expect(text.contains("(0.5 to 30 fps) (now: 4)"))
  }
}
