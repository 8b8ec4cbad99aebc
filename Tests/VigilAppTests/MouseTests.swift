import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender

/// `--mouse`: a press focuses the panel under it, the wheel scrolls lists; off by default.
@Suite struct MouseTests {
  static let titles = [
    "API latency by service", "Checkout latency", "Order confirmation delay", "Payment retries",
    "Inventory mismatch", "Support tickets",
  ]

  static func mouseState(_ size: Size) -> AppState {
    var state = freshState()
    state.config.mouse = true
    state.ui.size = size
    return state
  }

  static func press(_ x: Int, _ y: Int) -> Message {
    .mouse(MouseEvent(.press, at: Point(x: x, y: y)))
  }

  @Test func theHitTestFollowsTheGrid() {
    let size = Size(width: 80, height: 24)
    // Rows 1...22 are the body: three rows of two panels; row 0 and 23 are the bars.
    #expect(panelIndex(at: Point(x: 0, y: 1), size: size, othersShown: false) == 0)
    #expect(panelIndex(at: Point(x: 79, y: 1), size: size, othersShown: false) == 1)
    #expect(panelIndex(at: Point(x: 0, y: 22), size: size, othersShown: false) == 4)
    #expect(panelIndex(at: Point(x: 79, y: 22), size: size, othersShown: false) == 5)
    #expect(panelIndex(at: Point(x: 10, y: 0), size: size, othersShown: false) == nil)
    #expect(panelIndex(at: Point(x: 10, y: 23), size: size, othersShown: false) == nil)
    #expect(panelIndex(at: Point(x: 80, y: 5), size: size, othersShown: false) == nil)
    // Too small: no panels to hit.
    let tiny = Size(width: 20, height: 6)
    #expect(panelIndex(at: Point(x: 1, y: 1), size: tiny, othersShown: false) == nil)
    // The other-metrics strip under the grid is not a panel.
    let tall = Size(width: 120, height: 40)
    #expect(panelIndex(at: Point(x: 5, y: 37), size: tall, othersShown: true) == nil)
    #expect(panelIndex(at: Point(x: 5, y: 37), size: tall, othersShown: false) == 4)
  }

  /// A press on a panel's title, where the renderer drew it, focuses that panel.
  @Test(arguments: [Size(width: 80, height: 24), Size(width: 140, height: 45)])
  func pressingATitleFocusesItsPanel(size: Size) {
    var state = Self.mouseState(size)
    let lines = render(state).lines()
    for (i, title) in Self.titles.enumerated() {
      guard let y = lines.firstIndex(where: { $0.contains(title) }),
        let range = lines[y].range(of: title)
      else {
        Issue.record("\(title) not drawn")
        continue
      }
      let x = lines[y].distance(from: lines[y].startIndex, to: range.lowerBound) + 2
      state.ui.focus = (i + 1) % Self.titles.count
      _ = update(&state, Self.press(x, y))
      #expect(state.ui.focus == i, "\(title) at \(x),\(y)")
      #expect(!state.ui.zoomed)
    }
  }

  @Test func pressingTheFocusedPanelZoomsAndAgainGoesBack() {
    var state = Self.mouseState(Size(width: 80, height: 24))
    _ = update(&state, Self.press(60, 10))
    #expect(state.ui.focus == 3)
    _ = update(&state, Self.press(60, 10))
    #expect(state.ui.zoomed)
    _ = update(&state, Self.press(5, 5))
    #expect(!state.ui.zoomed)
    #expect(state.ui.focus == 3)
    // The bars are not panels.
    _ = update(&state, Self.press(5, 0))
    #expect(state.ui.focus == 3 && !state.ui.zoomed)
  }

  @Test func withoutMouseEventsDoNothing() {
    var state = freshState()
    state.ui.size = Size(width: 80, height: 24)
    _ = update(&state, Self.press(60, 10))
    #expect(state.ui.focus == 0)
    _ = update(&state, .key(.character("e")))
    _ = update(&state, .mouse(MouseEvent(.wheelDown, at: Point(x: 5, y: 5))))
    #expect(state.ui.scroll == 0)
  }

  @Test func theWheelScrollsListsThreeRowsANotch() {
    var state = Self.mouseState(Size(width: 80, height: 24))
    send(&state, (1...40).map { "bad \($0)" }, at: demoStart)
    let down = Message.mouse(MouseEvent(.wheelDown, at: Point(x: 5, y: 5)))
    let up = Message.mouse(MouseEvent(.wheelUp, at: Point(x: 5, y: 5)))
    // On the dashboard the wheel does nothing.
    _ = update(&state, down)
    #expect(state.ui.focus == 0 && state.ui.scroll == 0)
    _ = update(&state, .key(.character("e")))
    _ = update(&state, down)
    _ = update(&state, down)
    #expect(state.ui.scroll == 6)
    _ = update(&state, up)
    #expect(state.ui.scroll == 3)
    // In the feeds overlay it moves the selection (one feed a notch); presses do nothing there.
    _ = update(&state, .key(.character("F")))
    _ = update(&state, Self.press(60, 10))
    #expect(state.ui.focus == 0 && state.ui.overlay == .feeds)
  }
}
