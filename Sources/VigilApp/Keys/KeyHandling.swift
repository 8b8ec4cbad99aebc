import VigilCore
import VigilRender

extension AppState {
  /// Number of focusable panels on the dashboard: the layout's (at least 1, so focus
  /// arithmetic never divides by zero).
  public var dashboardPanelCount: Int { max(1, layout.panels.count) }

  /// The focused panel, within the layout (a reload may have removed panels).
  public var focus: Int { min(max(0, ui.focus), dashboardPanelCount - 1) }
}

/// A key: typed text while a prompt is open, else the open list's keys, else the dashboard's
/// (``KeyMap``).
func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
  state.dirty = true
  // While a marker is typed, every key is text (even q).
  if let text = state.ui.markerEntry {
    typeMarker(&state, text, key)
    return []
  }
  // While an ack note is typed, every key is text (even q).
  if state.ui.overlay == .alerts {
    let (handled, action) = state.ui.noteKey(key, notifier: &state.notifier)
    if let action { state.actions.append(action) }
    if handled { return [] }
  }
  if state.ui.overlay == .alerts, handleAlertsKey(&state, key) { return [] }
  if state.ui.overlay == .feeds, handleFeedsKey(&state, key) { return [] }
  if handleScrollKey(&state, key) { return [] }
  let overlayBefore = state.ui.overlay
  defer { if state.ui.overlay != overlayBefore { state.ui.scroll = 0 } }
  guard let action = KeyMap.action(for: key, in: .dashboard) else {
    state.dirty = false
    return []
  }
  return performKey(&state, action)
}

/// A key typed into the marker prompt: Enter adds the marker, Esc drops it.
private func typeMarker(_ state: inout AppState, _ text: String, _ key: Key) {
  switch key {
  case .enter:
    state.ui.markerEntry = nil
    let note = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    guard !note.isEmpty else { return }
    state.addMark(at: state.now, note)
    state.notify(
      "marker added: " + printableExcerpt(note, limit: 40), isError: false, for: 10 * Nanos.second)
  case .escape: state.ui.markerEntry = nil
  case .backspace, .delete: state.ui.markerEntry = String(text.dropLast())
  case .character(let c) where !c.isNewline && text.count < 120:
    state.ui.markerEntry = text + String(c)
  default: break
  }
}

/// Carries out a dashboard key's action.
private func performKey(_ state: inout AppState, _ action: KeyAction) -> [Effect] {
  switch action {
  case .quit:
    return [.quit(.quit)]
  case .toggle(let overlay):
    state.ui.overlay = state.ui.overlay == overlay ? nil : overlay
    if overlay == .alerts { state.ui.alertSelection = nil }
    if overlay == .suspects { state.openSuspects(.now, auto: false) }
  case .reload:
    return reload(&state)
  case .addMarker:
    state.ui.markerEntry = ""
  case .nextTheme:
    cycleTheme(&state)
  case .faster:
    changeFrameRate(&state, to: FrameRate.faster(than: state.ui.fps))
  case .slower:
    changeFrameRate(&state, to: FrameRate.slower(than: state.ui.fps))
  case .back:
    if state.ui.overlay != nil {
      state.ui.overlay = nil
    } else {
      state.ui.zoomed = false
    }
  case .freeze:
    state.ui.frozenAt = state.ui.frozenAt == nil ? state.now : nil
    state.ui.frozenAlerts = state.ui.frozenAt == nil ? nil : state.alertHistory.instances
  case .window(let length, let fallback):
    selectWindow(&state, length, fallback: fallback)
  case .focusNext:
    state.ui.focus = (state.focus + 1) % state.dashboardPanelCount
  case .focusPrevious:
    state.ui.focus = (state.focus + state.dashboardPanelCount - 1) % state.dashboardPanelCount
  case .focusDown:
    state.ui.focus = verticalNeighbour(
      state.layout, of: state.focus, rows: 1, width: state.ui.size.width)
  case .focusUp:
    state.ui.focus = verticalNeighbour(
      state.layout, of: state.focus, rows: -1, width: state.ui.size.width)
  case .zoom:
    if state.ui.overlay == nil { state.ui.zoomed.toggle() }
  case .scroll, .acknowledge, .silence, .alertSuspects:
    // Keys of the lists (handled before the dashboard's); never bound on the dashboard.
    state.dirty = false
  }
  return []
}

/// `r`: reloads the rules file and the layout file, or says that the built-in ones are in use.
private func reload(_ state: inout AppState) -> [Effect] {
  var effects: [Effect] = []
  if let path = state.config.rulesPath { effects.append(.reloadRules(path: path)) }
  if let path = state.config.layoutPath { effects.append(.reloadLayout(path: path)) }
  if effects.isEmpty {
    state.notify(
      "built-in rules and layout in use: start with --rules FILE or --layout FILE to reload",
      isError: false, for: 10 * Nanos.second)
  }
  return effects
}

/// An alert as the prompts name it: its rule and its labels but severity, printable.
func alertName(_ key: AlertKey) -> String {
  let labels = LabelSet(
    key.labels.labels.filter { $0.name != "severity" }.map { ($0.name, $0.value) })
  return printableExcerpt(Array((key.rule + labels.description).utf8), limit: 60)
}

/// Keys of the alerts overlay: move the selection, acknowledge, silence. False: not handled.
private func handleAlertsKey(_ state: inout AppState, _ key: Key) -> Bool {
  let list = state.alertHistory.listed
  let sel = state.alertHistory.selectedIndex(state.ui.alertSelection)
  if let move = ScrollMove(key) {
    let to = move.apply(to: sel, visible: 10, limit: list.count - 1)
    if to < list.count { state.ui.alertSelection = list[to].key }
    return true
  }
  switch KeyMap.action(for: key, in: .alertsList) {
  case .acknowledge:
    if sel < list.count {
      let key = list[sel].key
      let action = state.notifier.toggleAck(key)
      // A new ack opens a note prompt (Enter saves it, Esc leaves the ack without a note);
      // the prompt names the alert, and taking an ack back says whose.
      if case .ack = action {
        state.ui.ackNote = AckNoteEntry(key: key, text: "")
      } else {
        state.notify("ack taken back: " + alertName(key), isError: false, for: 5 * Nanos.second)
      }
      state.actions.append(action)
    }
  case .silence:
    if sel < list.count {
      let key = list[sel].key
      let action = state.notifier.cycleSilence(key, now: state.now)
      if case .silence(_, let until, _) = action {
        state.notify(
          "silenced \(shortDuration(until.since(state.now))) (to \(CivilTime(until).clock)): "
            + alertName(key), isError: false, for: 5 * Nanos.second)
      } else {
        state.notify("silence lifted: " + alertName(key), isError: false, for: 5 * Nanos.second)
      }
      state.actions.append(action)
    }
  case .alertSuspects:
    if sel < list.count {
      state.ui.overlay = .suspects
      state.openSuspects(.alert(list[sel].key), auto: false)
    }
  default: return false
  }
  return true
}

/// Keys of the feeds overlay: move the selection. False: not handled.
private func handleFeedsKey(_ state: inout AppState, _ key: Key) -> Bool {
  guard let move = ScrollMove(key) else { return false }
  let last = max(0, state.feeds.count - 1)
  state.ui.feedSelection = move.apply(
    to: min(state.ui.feedSelection, last), visible: 10, limit: last)
  return true
}

/// Moves to the next theme and says which one it is in the title bar.
private func cycleTheme(_ state: inout AppState) {
  let count = state.config.themes.count
  guard count > 1 else {
    state.notify(
      "theme: \(state.theme.name) (the only one loaded)", isError: false, for: 5 * Nanos.second)
    return
  }
  state.ui.themeIndex = (state.ui.themeIndex + 1) % count
  state.notify(
    "theme: \(state.theme.name) (\(state.ui.themeIndex + 1)/\(count), t for the next)",
    isError: false, for: 5 * Nanos.second)
}

/// Sets the frame rate and says so in the title bar (the loop takes it from the next frame).
private func changeFrameRate(_ state: inout AppState, to fps: Double) {
  let limit = fps == state.ui.fps ? (fps >= 1 ? " (the fastest)" : " (the slowest)") : ""
  state.ui.fps = fps
  state.notify(
    "frame rate: \(FrameRate.format(fps)) fps\(limit), + faster, - slower", isError: false,
    for: 5 * Nanos.second)
}

private func selectWindow(_ state: inout AppState, _ length: Int64, fallback: Int) {
  let windows = state.config.windows.windows
  if let i = windows.firstIndex(of: length) {
    state.ui.windowIndex = i
  } else if fallback < windows.count {
    state.ui.windowIndex = fallback
  }
}
