import VigilApp
import VigilCore
import VigilRender

/// The whole pipeline (issue 12): bytes → the feed's framer → its parser → the Engine (store,
/// alerts) through the app's `update`, as the dashboard runs it → screens.
///
/// The first byte picks the format (its value mod 7) and the second byte the screen: one of
/// the built-in layouts, themes, glyph sets, sizes (80x24, 200x60) and views (dashboard, a
/// zoomed panel, help, rejected lines, other metrics, alerts, alert history, feeds). Each input
/// draws two screens (its own choice and the next one in a rotating sequence), so every
/// combination is drawn many times over a run while an execution stays cheap.
enum PipelineTarget {
  static let formats: [FeedFormat] = [
    .json, .csv, .logfmt, .prometheus, .openmetrics, .statsd, .influx,
  ]
  static let layouts: [Layout] = LayoutLoader.builtinNames.compactMap {
    if case .success(let load)? = LayoutLoader.builtin(named: $0) { return load.layout }
    return nil
  }
  static let themes = ThemeLoader.builtins()
  static let sizes = [Size(width: 80, height: 24), Size(width: 200, height: 60)]
  static let views: [Overlay?] = [nil, .help, .rejected, .others, .alerts, .alertHistory, .feeds]
  /// One screen per number below `combinations`: layout, theme, glyphs, size, view (+ zoom).
  static var combinations: Int {
    layouts.count * themes.count * 2 * sizes.count * (views.count + 1)
  }
  nonisolated(unsafe) static var rotation = 0

  static func run(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let format = formats[Int(first) % formats.count]
    let payload = Array(bytes.dropFirst(min(2, bytes.count)))
    // The wall clock at the seeds' time (the sample feeds' 2026-11-26T10:05), as a live feed.
    let start = Timestamp.seconds(1_795_687_530)
    var config = AppConfig()
    config.themes = themes
    config.clockMode = .wall
    var state = AppState(
      config: config,
      feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "fuzz", format: format)], now: start)
    let batch = FuzzTargets.frame(payload) { FuzzTargets.framer(format) }
    _ = update(&state, .tick(start))
    let input = FeedInput(feed: FeedID(0), arrival: start, seq: 1, payload: .records(batch, format))
    _ = update(&state, .feed(input))
    _ = update(&state, .tick(start.adding(10 * Nanos.second)))
    let pick = bytes.count > 1 ? Int(bytes[1]) : 0
    rotation = (rotation + 1) % combinations
    draw(state, combination: pick % combinations)
    draw(state, combination: rotation)
  }

  static func draw(_ state: AppState, combination c: Int) {
    var s = state
    var k = c
    func next(_ n: Int) -> Int {
      defer { k /= n }
      return k % n
    }
    s.layout = layouts[next(layouts.count)]
    s.ui.themeIndex = next(themes.count)
    let glyphs = next(2) == 0 ? GlyphSet.unicode : .ascii
    s.ui.size = sizes[next(sizes.count)]
    let view = next(views.count + 1)
    if view == views.count {
      s.ui.zoomed = true
      s.ui.focus = c % max(1, s.layout.panels.count)
    } else {
      s.ui.overlay = views[view]
    }
    var buffer = ScreenBuffer(size: s.ui.size)
    renderApp(s, into: &buffer, glyphs: glyphs)
    fuzzCheck(buffer.lines().count == s.ui.size.height, "a screen of the wrong height")
    for cell in buffer.cells {
      fuzzCheck(
        !cell.text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) },
        "a control character drawn: \(cell.text.unicodeScalars.map(\.value))")
      fuzzCheck(glyphs.isUnicode || cell.text.allSatisfy(\.isASCII), "non-ASCII with ASCII glyphs")
    }
  }
}
