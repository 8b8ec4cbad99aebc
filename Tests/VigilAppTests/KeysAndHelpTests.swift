import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender

/// Vim keys and arrows in every list, scrolling overlays, and the help overlay at 80x24.
@Suite struct KeysAndHelpTests {
  /// A state with `count` rejected lines (numbered 1...count).
  static func rejectedState(_ count: Int) -> AppState {
    var state = freshState()
    state.ui.size = Size(width: 80, height: 24)
    send(&state, (1...count).map { "bad line \($0)" }, at: demoStart)
    return state
  }

  static func text(_ state: AppState) -> String { render(state).lines().joined(separator: "\n") }

  @Test func vimKeysAndArrowsDoTheSameInEveryList() {
    let pairs: [(Key, Key)] = [(.character("j"), .down), (.character("k"), .up)]
    var base = Self.rejectedState(40)
    base.config.settings = [Setting("fps", "4")]
    for overlay in ["?", "e", "o", "H", "a", "F"] {
      var start = base
      _ = update(&start, .key(.character(Character(overlay))))
      _ = update(&start, .key(.character("j")))
      _ = update(&start, .key(.character("j")))
      for (vim, arrow) in pairs {
        var a = start
        var b = start
        _ = update(&a, .key(vim))
        _ = update(&b, .key(arrow))
        #expect(a.ui == b.ui, "overlay \(overlay): \(vim) vs \(arrow)")
        #expect(Self.text(a) == Self.text(b), "overlay \(overlay)")
      }
      for (vim, other) in [(Key.character("g"), Key.home), (.character("G"), .end)] {
        var a = start
        var b = start
        _ = update(&a, .key(vim))
        _ = update(&b, .key(other))
        #expect(a.ui == b.ui, "overlay \(overlay): \(vim) vs \(other)")
      }
    }
  }

  @Test func rejectedLinesScrollToTheOldestAndBack() {
    var state = Self.rejectedState(40)
    _ = update(&state, .key(.character("e")))
    var text = Self.text(state)
    #expect(text.contains(":40  "))  // newest first
    #expect(!text.contains(":1  "))
    #expect(text.contains("1-8 of 40, j/k"))
    _ = update(&state, .key(.character("j")))
    text = Self.text(state)
    #expect(!text.contains(":40  "))
    #expect(text.contains(":39  "))
    _ = update(&state, .key(.character("G")))
    text = Self.text(state)
    #expect(text.contains(":1  "))
    #expect(text.contains("33-40 of 40"))
    // Past the end nothing moves; a page up goes back by a page less one.
    let atEnd = state.ui.scroll
    _ = update(&state, .key(.character("j")))
    #expect(state.ui.scroll == atEnd)
    _ = update(&state, .key(.pageUp))
    #expect(state.ui.scroll == atEnd - 7)
    _ = update(&state, .key(.character("g")))
    #expect(state.ui.scroll == 0)
    // Closing and reopening starts at the top again.
    _ = update(&state, .key(.character("G")))
    _ = update(&state, .key(.escape))
    _ = update(&state, .key(.character("e")))
    #expect(state.ui.scroll == 0)
  }

  @Test func withoutAnOverlayVimKeysMoveFocus() {
    var state = freshState()
    _ = update(&state, .key(.character("l")))
    #expect(state.ui.focus == 1)
    _ = update(&state, .key(.character("j")))
    #expect(state.ui.focus == 3)
    _ = update(&state, .key(.character("G")))  // not a dashboard key
    #expect(state.ui.focus == 3)
    #expect(state.ui.scroll == 0)
  }

  @Test func feedsAndAlertsSelectWithTheSameKeys() {
    var state = AppState(
      config: AppConfig(),
      feeds: (0..<5).map {
        FeedSpec(id: FeedID($0), kind: .file, target: "/f\($0).jsonl", format: .json)
      }, now: demoStart)
    _ = update(&state, .key(.character("F")))
    _ = update(&state, .key(.character("G")))
    #expect(state.ui.feedSelection == 4)
    _ = update(&state, .key(.character("k")))
    #expect(state.ui.feedSelection == 3)
    _ = update(&state, .key(.home))
    #expect(state.ui.feedSelection == 0)
    _ = update(&state, .key(.pageDown))
    #expect(state.ui.feedSelection == 4)
  }

  /// Every key and every setting can be read at 80x24: scrolled, nothing is cut at the right.
  @Test func helpListsEveryKeyAndSettingAt80x24() {
    var state = freshState()
    state.ui.size = Size(width: 80, height: 24)
    state.config.mouse = true
    state.config.settings = [
      Setting("fps", "4 at start (default)"), Setting("clock", "auto"),
      Setting("rules", "rules/commerce.yaml"), Setting("color", "auto"),
    ]
    _ = update(&state, .key(.character("?")))
    var seen = ""
    for _ in 0..<40 {
      seen += Self.text(state) + "\n"
      _ = update(&state, .key(.character("j")))
    }
    for entry in helpKeys + helpMouse {
      #expect(seen.contains(entry.action), "\(entry.key): \(entry.action)")
    }
    for name in ["fps now", "theme", "mouse", "rules/commerce.yaml", "4 at start (default)"] {
      #expect(seen.contains(name), "\(name)")
    }
    #expect(seen.contains("of "))  // it scrolls at 80x24
    // Tall enough, it all shows at once and says nothing about scrolling.
    state.ui.size = Size(width: 100, height: 50)
    _ = update(&state, .key(.character("g")))
    let tall = Self.text(state)
    #expect(tall.contains(helpKeys[0].action) && tall.contains("fps now"))
    #expect(!tall.contains(", j/k"))
  }
}
