import VigilCore
import VigilRender

/// Scrolling the list overlays (help, rejected lines, alert history, other metrics) with the
/// same keys everywhere: `j`/`k` or arrows a row, PgDn/PgUp (or Ctrl-d/Ctrl-u) a page, `g`/`G`
/// (or Home/End) to the ends. The extent is worked out from the terminal size, the same way the
/// views lay the overlays out, so the keys never scroll past the last full page.

/// How far one key moves a list: a row, a page, or to an end.
public enum ScrollMove: Sendable, Equatable {
  case by(Int)
  case pageDown, pageUp, top, bottom

  /// The move a key makes in a list (``KeyMap``, context `lists`), or nil for a key that does
  /// not scroll.
  init?(_ key: Key) {
    guard case .scroll(let move) = KeyMap.action(for: key, in: .lists) else { return nil }
    self = move
  }

  /// The new position from `position` in a list of `count` items showing `visible` at once,
  /// where the first shown item may be at most `limit`.
  func apply(to position: Int, visible: Int, limit: Int) -> Int {
    let page = max(1, visible - 1)
    let moved: Int
    switch self {
    case .by(let n): moved = position + n
    case .pageDown: moved = position + page
    case .pageUp: moved = position - page
    case .top: moved = 0
    case .bottom: moved = limit
    }
    return min(max(0, moved), max(0, limit))
  }
}

/// The number of items a scrolling overlay lists, and how many fit at once.
struct ScrollExtent: Equatable {
  var items: Int
  var visible: Int
  /// The first item shown at most (the last full page).
  var limit: Int { max(0, items - max(1, visible)) }

  /// "12-31 of 80 (j/k)" when the list does not fit, else nil.
  func label(first: Int) -> String? {
    guard items > visible, visible > 0 else { return nil }
    return "\(first + 1)-\(min(items, first + visible)) of \(items), j/k"
  }
}

/// The rows inside a full-size overlay (`overlayRect(in: body, width: w-4, height: h-2)`).
func fullOverlayInnerHeight(_ size: Size) -> Int { max(0, size.height - 2 - 2 - 2) }

/// The extent of the open overlay, or nil when it does not scroll.
func scrollExtent(_ state: AppState) -> ScrollExtent? {
  let size = state.ui.size
  switch state.ui.overlay {
  case .help:
    let rows = helpRows(state).count
    let body = max(0, size.height - 2)
    return ScrollExtent(items: rows, visible: max(0, min(body, rows + 2) - 2))
  case .rejected:
    let header = rejectedHeaderLines(state)
    let inner = fullOverlayInnerHeight(size)
    let rest = inner - min(inner, header) - (header > 0 || !state.issues.isEmpty ? 1 : 0)
    return ScrollExtent(items: state.issues.count, visible: max(0, rest / 2))
  case .alertHistory:
    return ScrollExtent(
      items: state.alertHistory.episodes.count, visible: max(0, fullOverlayInnerHeight(size) - 1))
  case .others:
    return ScrollExtent(
      items: DashboardModel(state).others.count,
      visible: max(0, fullOverlayInnerHeight(size) - 1))
  case .suspects:
    return ScrollExtent(
      items: state.shownSuspects?.suspects.count ?? 0, visible: SuspectsLayout(size).visible)
  case .alerts, .feeds, .notifications, nil:
    return nil
  }
}

/// The rejected-lines overlay's per-feed count lines (and the series refused per metric).
func rejectedHeaderLines(_ state: AppState) -> Int {
  state.feeds.filter { $0.rejectedTotal > 0 || $0.dropped > 0 }.count
    + (state.engine.interner.refusedTotal > 0 ? 1 : 0)
}

/// The first item to show: the scroll position, kept within the list.
func scrollFirst(_ state: AppState, _ extent: ScrollExtent?) -> Int {
  guard let extent else { return 0 }
  return min(max(0, state.ui.scroll), extent.limit)
}

/// Scrolls the open overlay when `key` is a scrolling key; false when it is not.
func handleScrollKey(_ state: inout AppState, _ key: Key) -> Bool {
  guard let extent = scrollExtent(state), let move = ScrollMove(key) else { return false }
  let from = scrollFirst(state, extent)
  state.ui.scroll = move.apply(to: from, visible: extent.visible, limit: extent.limit)
  return true
}
