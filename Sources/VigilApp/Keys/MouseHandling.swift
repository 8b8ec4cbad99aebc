import VigilCore
import VigilRender

/// A mouse press focuses the panel under it (a press on the focused panel zooms it, a press
/// on a zoomed panel goes back); the wheel scrolls the open list. Nothing without `--mouse`.
func handleMouse(_ state: inout AppState, _ event: MouseEvent) -> [Effect] {
  guard state.config.mouse else { return [] }
  switch event.action {
  case .wheelUp, .wheelDown:
    guard state.ui.overlay != nil else { return [] }
    let key: Key = event.action == .wheelUp ? .up : .down
    for _ in 0..<(scrollExtent(state) != nil ? 3 : 1) { _ = handleKey(&state, key) }
  case .press:
    guard state.ui.overlay == nil else { return [] }
    state.dirty = true
    if state.ui.zoomed {
      state.ui.zoomed = false
      return []
    }
    let size = state.ui.size
    let othersShown =
      state.layout.otherMetrics
      && othersStripShown(dashboardBody(size), othersEmpty: DashboardModel(state).others.isEmpty)
    guard
      let i = panelIndex(
        at: event.position, size: size, othersShown: othersShown, layout: state.layout,
        focus: state.focus)
    else { return [] }
    if i == state.ui.focus {
      state.ui.zoomed = true
    } else {
      state.ui.focus = i
    }
  }
  return []
}
