// Edge values and the screens they must survive (issue 12, part 1): shared by the app tests,
// the incident tests and the report tests.
import VigilApp
import VigilCore
import VigilRender

/// Doubles at the edges of what a feed or a computation can produce.
public let edgeDoubles: [Double] = [
  0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-300, 0.5,
  -0.5, 1, -1, 1e300, -1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .nan, -.nan,
  .infinity, -.infinity, 9_007_199_254_740_991, 9_007_199_254_740_992,
  9_007_199_254_740_992.0.nextUp, 9_223_372_036_854_775_808.0.nextDown, 9_223_372_036_854_775_808,
  -9_223_372_036_854_775_808, (-9_223_372_036_854_775_808.0).nextDown, 18_446_744_073_709_551_616,
  1.2345678901234568e29, 9e18, -9e18, 1e15, 1e21, 6e10, 59_999.5, 0.0049999, 99.95, 9.995,
  999.95, 9_999.5, 999_999.5,
]

/// JSON number texts for the same edges (a feed cannot carry NaN or infinities as numbers),
/// as they would be typed in a feed.
public let edgeNumberTexts: [String] = [
  "0", "-0", "5e-324", "-5e-324", "1e-300", "1e300", "-1e300", "1.7976931348623157e308",
  "-1.7976931348623157e308", "123456789012345678901234567890", "-123456789012345678901234567890",
  "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
  "18446744073709551616", "1e21", "6e10", "0.5",
]

/// The metrics the built-in signals and layouts read.
public let dashboardMetrics: [String] = SignalNames().overrides.map(\.metric)

/// JSON lines at `time` carrying every edge number on every dashboard metric, with the labels
/// the built-in panels select on.
public func edgeValueLines(at time: Timestamp) -> [String] {
  let ts = CivilTime(time).rfc3339(fractionDigits: 3)
  var lines: [String] = []
  for metric in dashboardMetrics {
    for (i, number) in edgeNumberTexts.enumerated() {
      let labels = [
        "\"service\":\"\(["edge", "payment", "search"][i % 3])\"",
        "\"stage\":\"\(["total", "payment", "tax"][i % 3])\"",
        "\"reason\":\"\(["timeout", "order_error"][i % 2])\"",
        "\"pair\":\"storefront-oms\"",
      ]
      lines.append(
        "{\"ts\":\"\(ts)\",\"metric\":\"\(metric)\",\"value\":\(number),"
          + "\"labels\":{\(labels.joined(separator: ","))}}")
    }
  }
  return lines
}

/// Every screen a user can open: no overlay, then each overlay.
public let everyOverlay: [Overlay?] = [
  nil, .help, .rejected, .others, .alerts, .alertHistory, .feeds,
]

/// Renders `state` in every built-in layout and glyph set at `sizes`, with every overlay and
/// with each panel zoomed, then once in every built-in theme (a theme changes styles, never
/// text), and hands each screen to `check` with what was drawn.
public func renderEveryScreen(
  _ state: AppState, sizes: [Size] = [Size(width: 80, height: 24), Size(width: 200, height: 60)],
  check: (ScreenBuffer, String) -> Void
) {
  func draw(_ s: AppState, _ glyphs: GlyphSet, _ theme: Theme, _ what: String) {
    var buffer = ScreenBuffer(size: s.ui.size)
    renderApp(s, into: &buffer, glyphs: glyphs, theme: theme)
    check(
      buffer,
      "\(what) \(s.ui.size.width)x\(s.ui.size.height) \(theme.name) "
        + (glyphs.isUnicode ? "unicode" : "ascii"))
  }
  for name in LayoutLoader.builtinNames {
    guard case .success(let load)? = LayoutLoader.builtin(named: name) else { continue }
    var s = state
    s.layout = load.layout
    for size in sizes {
      s.ui.size = size
      for glyphs in [GlyphSet.unicode, .ascii] {
        for overlay in everyOverlay {
          s.ui.overlay = overlay
          draw(s, glyphs, .standard, "\(name) \(overlay.map { "\($0)" } ?? "-")")
        }
        s.ui.overlay = nil
        s.ui.zoomed = true
        for focus in load.layout.panels.indices {
          s.ui.focus = focus
          draw(s, glyphs, .standard, "\(name) zoomed \(focus)")
        }
        s.ui.zoomed = false
      }
    }
  }
  var s = state
  s.ui.size = sizes[0]
  for theme in ThemeLoader.builtins() { draw(s, .unicode, theme, "theme") }
}
