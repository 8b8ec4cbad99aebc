import Testing
import VigilAppTestSupport
import VigilCore
import VigilRender
import VigilTestSupport

@testable import VigilApp

/// Themes on the real dashboard: snapshots in several themes, `t`, monochrome, and severity
/// that never depends on colour.
@Suite struct ThemeViewTests {
  static func theme(_ name: String) -> Theme {
    ThemeLoader.builtin(named: name)?.theme ?? .standard
  }

  static func renderWith(_ state: AppState, _ theme: Theme, glyphs: GlyphSet = .unicode)
    -> ScreenBuffer
  {
    var buffer = ScreenBuffer(size: state.ui.size)
    renderApp(state, into: &buffer, glyphs: glyphs, theme: theme)
    return buffer
  }

  @Test(arguments: ["light", "solarized-dark", "monochrome"])
  func dashboardSnapshotInTheme(name: String) {
    let (state, _) = AlertsAppTests.demoRun(from: 240, seconds: 420)
    var s = state
    s.ui.size = Size(width: 80, height: 24)
    let screen = Self.renderWith(s, Self.theme(name))
    // The same cells as the default theme: a theme changes styles, never text.
    #expect(screen.lines() == render(s).lines())
    #expect(snapshotMismatch(screen.snapshot(), named: "dashboard-80x24-minute11-\(name)") == nil)
  }

  @Test func aThemedScreenPaintsEveryCell() {
    var state = demoState(from: 300, seconds: 30)
    state.ui.overlay = .help
    let light = Self.theme("light")
    let screen = Self.renderWith(state, light)
    // No cell is left with the terminal's own background: the screen is light everywhere.
    #expect(screen.cells.allSatisfy { $0.style.background != .default })
    #expect(screen.cells.allSatisfy { $0.style.foreground != .default })
    // Plain text takes the screen's colours.
    let plain = screen.cells.filter { $0.style.attributes.isEmpty }
    #expect(plain.contains { $0.style == light.screen })
    // The default theme leaves the terminal's colours alone.
    #expect(render(state).cells.contains { $0.style.background == .default })
    // Too small: the message is painted too.
    state.ui.size = Size(width: 30, height: 8)
    #expect(Self.renderWith(state, light).cells.allSatisfy { $0.style.background != .default })
  }

  @Test func monochromeDropsEveryColourAndKeepsHighlightsAsReverse() {
    for theme in ThemeLoader.builtins() {
      let mono = theme.adapted(to: .monochrome)
      #expect(mono.name == theme.name)
      for key in ThemeKey.allCases {
        #expect(mono[key].foreground == .default && mono[key].background == .default)
        // Attributes are kept.
        #expect(mono[key].attributes.isSuperset(of: theme[key].attributes))
      }
      // What stood out by its background stands out by reverse video.
      for key in [ThemeKey.titleBar, .alertFiring, .alertPending, .frozen] {
        #expect(mono[key].attributes.contains(.reverse), "\(theme.name).\(key.rawValue)")
      }
      #expect(theme.adapted(to: .ansi8) == theme, "colour terminals map cell by cell")
    }
    // The light theme under NO_COLOR paints nothing: the terminal's own colours.
    let state = demoState(from: 300, seconds: 20)
    let screen = Self.renderWith(state, Self.theme("light").adapted(to: .monochrome))
    #expect(screen.cells.allSatisfy { $0.style.foreground == .default })
    #expect(screen.cells.allSatisfy { $0.style.background == .default })
  }

  @Test func tCyclesThroughTheThemesAndSaysWhichOne() {
    var state = demoState(from: 300, seconds: 10)
    state.config.themes = ThemeLoader.builtins()
    #expect(state.theme.name == "dark")
    var names: [String] = []
    for _ in 0..<state.config.themes.count {
      _ = update(&state, .key(.character("t")))
      names.append(state.theme.name)
      #expect(state.notice?.text.hasPrefix("theme: \(state.theme.name) (") == true)
      #expect(render(state).lines()[0].contains("theme: \(state.theme.name)"))
    }
    #expect(names == Array(ThemeLoader.builtinNames.dropFirst()) + ["dark"])
    // The help overlay lists t and the theme in use.
    _ = update(&state, .key(.character("t")))
    state.ui.overlay = .help
    let help = render(state).lines().joined(separator: "\n")
    #expect(help.contains("next theme (now: light)"), "\(help)")
    // One theme: t says so and changes nothing.
    var single = demoState(seconds: 2)
    _ = update(&single, .key(.character("t")))
    #expect(single.theme == .standard && single.notice?.text.contains("only one") == true)
    // While an ack note is typed, t is text.
    #expect(single.ui.themeIndex == 0)
  }

  /// Every state a colour marks also has a glyph and a word, in every view, so monochrome
  /// and colour-blind readers lose nothing.
  @Test func severityAndStateNeverByColourAlone() {
    var (state, _) = AlertsAppTests.demoRun(from: 240, seconds: 420)
    state.ui.size = Size(width: 100, height: 30)
    send(&state, ["{oops"], at: state.now, firstLine: 7)
    let mono = Theme.standard.adapted(to: .monochrome)
    func text(_ overlay: Overlay?, glyphs: GlyphSet = .unicode) -> String {
      var s = state
      s.ui.overlay = overlay
      return Self.renderWith(s, mono, glyphs: glyphs).lines().joined(separator: "\n")
    }
    let dashboard = text(nil)
    #expect(dashboard.contains("● FIRING") && dashboard.contains("firing"))
    #expect(dashboard.contains("↑ rising") || dashboard.contains("↓ falling"))
    #expect(dashboard.contains("rejected 1 (e)"))
    let alerts = text(.alerts)
    // The glyph is the state's (as in panel titles), the severity a word.
    #expect(alerts.contains("● FIRING  PAGE"))
    #expect(alerts.contains("  TICKET ") || alerts.contains("  WARN "))
    let history = text(.alertHistory)
    #expect(history.contains("open") || history.contains("resolved"))
    #expect(text(.rejected).contains("malformed"))
    let ascii = text(.alerts, glyphs: .ascii)
    #expect(ascii.contains("* FIRING  PAGE"))
    // Frozen is a word too.
    _ = update(&state, .key(.character(" ")))
    #expect(text(nil).contains("FROZEN"))
  }
}
