import VigilCore
import VigilRender

/// The pure heart of the app: applies one message to the state and returns effects.
///
/// Deterministic: given the same messages in the same order, the state is the same (feed input
/// carries its own arrival time, so no clock is read here).
public func update(_ state: inout AppState, _ message: Message) -> [Effect] {
  switch message {
  case .feed(let input):
    return ingest(&state, input) ? [.bell] : []
  case .key(let key):
    return handleKey(&state, key)
  case .mouse(let event):
    return handleMouse(&state, event)
  case .resize(let size):
    state.ui.size = size
    state.dirty = true
    return []
  case .terminate(let sig):
    return [.quit(.signal(sig))]
  case .loopMeasured(let rates):
    state.loopRates = rates
    state.dirty = true
    return []
  case .rulesLoaded(let result):
    state.dirty = true
    let until = state.now.adding(15 * Nanos.second)
    switch result {
    case .success(let rules):
      state.engine.replaceRules(rules)
      state.notice = Notice(
        text: "rules reloaded: \(rules.rules.count) rules", isError: false, until: until)
    case .failure(let problems):
      let first = problems.problems.first?.description ?? "invalid rules file"
      let more = problems.problems.count > 1 ? " (+\(problems.problems.count - 1) more)" : ""
      state.notice = Notice(
        text: "rules NOT reloaded, old rules kept: " + first + more, isError: true, until: until)
    }
    return []
  case .layoutLoaded(let result):
    applyLayout(&state, result)
    return []
  case .tick(let t):
    let before = CivilTime(state.now).second
    if state.clockMode != .event { state.now = max(state.now, t) }
    state.lineRate.roll(to: state.clockMode == .event ? t : state.now)
    for i in state.feeds.indices {
      state.feeds[i].lineRate.roll(to: state.clockMode == .event ? t : state.now)
    }
    if CivilTime(state.now).second != before { state.dirty = true }
    if let notice = state.notice, notice.until < state.now {
      state.notice = nil
      state.dirty = true
    }
    return evaluateAlerts(&state) ? [.bell] : []
  }
}

// MARK: - Feeds

/// Applies one feed input; returns whether the bell should ring.
private func ingest(_ state: inout AppState, _ input: FeedInput) -> Bool {
  guard let fi = state.feeds.firstIndex(where: { $0.spec.id == input.feed }) else { return false }
  state.feeds[fi].lastArrival = input.arrival
  switch input.payload {
  case .event(let event):
    applyFeedEvent(&state.feeds[fi], event, at: input.arrival)
    state.dirty = true
    return false
  case .records(let batch, let format):
    let spec = state.feeds[fi].spec
    state.engine.useFormat(format, feed: fi, mapping: spec.mapping, timeUnit: spec.timeUnit)
    state.feeds[fi].format = format
    if case .starting = state.feeds[fi].health { state.feeds[fi].health = .ok }
    let ring = ingestRecords(&state, feedIndex: fi, batch: batch, arrival: input.arrival)
    state.dirty = true
    return ring
  }
}

private func applyFeedEvent(_ feed: inout FeedState, _ event: FeedEvent, at arrival: Timestamp) {
  switch event {
  case .opened: feed.health = .ok
  case .waiting(let why):
    feed.health = .waiting(why)
    feed.lastError = "waiting: " + why
    feed.lastErrorAt = arrival
  case .truncated: feed.truncations += 1
  case .rotated:
    feed.rotations += 1
    feed.health = .ok
  case .deleted: feed.health = .deleted
  case .caughtUp: feed.caughtUp = true
  case .endOfInput:
    feed.health = .ended
    feed.caughtUp = true
  case .failed(let why):
    feed.health = .failed(why)
    feed.lastError = why
    feed.lastErrorAt = arrival
  case .fetched(let duration, let bytes):
    // A scrape or API poll that works again after failing counts as a reconnect.
    if case .failed = feed.health { feed.reconnects += 1 }
    feed.health = .ok
    feed.lastFetchDuration = duration
    feed.lastFetchBytes = bytes
  case .started(let pid):
    if feed.startedAt != nil { feed.reconnects += 1 }
    feed.health = .ok
    feed.pid = pid
    feed.startedAt = arrival
  case .exited(let status):
    feed.health = .ended
    feed.pid = nil
    feed.exitStatus = status
    feed.exitedAt = arrival
    feed.lastRunDuration = feed.startedAt.map { arrival.since($0) }
    if !status.isSuccess {
      feed.lastError = "command ended: \(status)"
      feed.lastErrorAt = arrival
    }
  case .restarting(let delay):
    feed.health = .restarting(arrival.adding(delay))
  case .stderr(let lines):
    feed.stderrLines += UInt64(lines.count)
    feed.stderrTail.append(contentsOf: lines.suffix(FeedState.stderrKept))
    if feed.stderrTail.count > FeedState.stderrKept {
      feed.stderrTail.removeFirst(feed.stderrTail.count - FeedState.stderrKept)
    }
  case .dropped(let kernel, let vigil):
    feed.droppedByKernel = kernel
    feed.droppedByVigil = vigil
  }
}

/// Lands a batch through the engine (each sample after the ticks it passes, in event time),
/// then counts it for the feed and keeps its rejected lines. Returns whether the bell should ring.
private func ingestRecords(
  _ state: inout AppState, feedIndex fi: Int, batch: RecordBatch, arrival: Timestamp
) -> Bool {
  var outcome = BatchOutcome()
  let ring = withDashboardAlerts(&state) { engine, alerts in
    outcome = engine.ingest(batch, feed: fi, arrival: arrival, observer: &alerts)
  }
  let lines = UInt64(batch.count + batch.oversized.count)
  state.feeds[fi].lines += lines
  state.feeds[fi].samples += outcome.accepted
  if let newest = outcome.newest {
    state.feeds[fi].lastSampleTime = max(state.feeds[fi].lastSampleTime ?? newest, newest)
  }
  state.totalLines += lines
  state.lineRate.add(lines, at: state.clockMode == .event ? arrival : state.now)
  state.feeds[fi].lineRate.add(lines, at: state.clockMode == .event ? arrival : state.now)
  state.feeds[fi].skipped += UInt64(outcome.skipped)
  countRejected(&state, feedIndex: fi, issues: outcome.issues, arrival: arrival)
  return ring
}

/// Counts a batch's rejected lines for its feed and keeps the newest for the rejected-lines
/// view.
private func countRejected(
  _ state: inout AppState, feedIndex fi: Int, issues: [ParseIssue], arrival: Timestamp
) {
  guard !issues.isEmpty else { return }
  let name = state.feeds[fi].spec.displayName
  for issue in issues {
    state.feeds[fi].rejected[issue.reason, default: 0] += 1
    state.feeds[fi].rejectedTotal += 1
    state.totalRejected += 1
  }
  state.feeds[fi].lastRejected = issues.last
  let keep = state.config.keptIssues
  let tail = issues.suffix(keep)
  state.issues.append(contentsOf: tail.map { IssueRecord(feed: name, issue: $0, arrival: arrival) })
  if state.issues.count > keep { state.issues.removeFirst(state.issues.count - keep) }
}

// MARK: - Keys

extension AppState {
  /// Number of focusable panels on the dashboard: the layout's (at least 1, so focus
  /// arithmetic never divides by zero).
  public var dashboardPanelCount: Int { max(1, layout.panels.count) }

  /// The focused panel, within the layout (a reload may have removed panels).
  public var focus: Int { min(max(0, ui.focus), dashboardPanelCount - 1) }
}

private func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
  state.dirty = true
  // While a marker is typed, every key is text (even q).
  if let text = state.ui.markerEntry {
    switch key {
    case .enter:
      state.ui.markerEntry = nil
      let note = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
      guard !note.isEmpty else { return [] }
      state.addMark(at: state.now, note)
      state.notice = Notice(
        text: "marker added: " + printableExcerpt(note, limit: 40), isError: false,
        until: state.now.adding(10 * Nanos.second))
    case .escape: state.ui.markerEntry = nil
    case .backspace, .delete: state.ui.markerEntry = String(text.dropLast())
    case .character(let c) where !c.isNewline && text.count < 120:
      state.ui.markerEntry = text + String(c)
    default: break
    }
    return []
  }
  // While an ack note is typed, every key is text (even q).
  if state.ui.overlay == .alerts {
    let (handled, action) = state.alerts.noteKey(key)
    if let action { state.actions.append(action) }
    if handled { return [] }
  }
  if state.ui.overlay == .alerts, handleAlertsKey(&state, key) { return [] }
  if state.ui.overlay == .feeds, handleFeedsKey(&state, key) { return [] }
  if handleScrollKey(&state, key) { return [] }
  let overlayBefore = state.ui.overlay
  defer { if state.ui.overlay != overlayBefore { state.ui.scroll = 0 } }
  switch key {
  case .character("q"), .character("Q"), .control("c"):
    return [.quit(.quit)]
  case .character("?"):
    state.ui.overlay = state.ui.overlay == .help ? nil : .help
  case .character("e"):
    state.ui.overlay = state.ui.overlay == .rejected ? nil : .rejected
  case .character("r"):
    var effects: [Effect] = []
    if let path = state.config.rulesPath { effects.append(.reloadRules(path: path)) }
    if let path = state.config.layoutPath { effects.append(.reloadLayout(path: path)) }
    if effects.isEmpty {
      state.notice = Notice(
        text:
          "built-in rules and layout in use: start with --rules FILE or --layout FILE to reload",
        isError: false, until: state.now.adding(10 * Nanos.second))
    }
    return effects
  case .character("o"):
    state.ui.overlay = state.ui.overlay == .others ? nil : .others
  case .character("a"):
    state.ui.overlay = state.ui.overlay == .alerts ? nil : .alerts
    state.ui.alertSelection = nil
  case .character("m"):
    state.ui.markerEntry = ""
  case .character("H"):
    state.ui.overlay = state.ui.overlay == .alertHistory ? nil : .alertHistory
  case .character("F"):
    state.ui.overlay = state.ui.overlay == .feeds ? nil : .feeds
  case .character("t"):
    cycleTheme(&state)
  case .character("+"), .character("="):
    changeFrameRate(&state, to: FrameRate.faster(than: state.ui.fps))
  case .character("-"), .character("_"):
    changeFrameRate(&state, to: FrameRate.slower(than: state.ui.fps))
  case .escape:
    if state.ui.overlay != nil {
      state.ui.overlay = nil
    } else {
      state.ui.zoomed = false
    }
  case .character(" "):
    state.ui.frozenAt = state.ui.frozenAt == nil ? state.now : nil
  case .character("1"): selectWindow(&state, Nanos.minute, fallback: 0)
  case .character("5"): selectWindow(&state, 5 * Nanos.minute, fallback: 1)
  case .character("f"): selectWindow(&state, 15 * Nanos.minute, fallback: 2)
  case .tab, .right, .character("l"):
    state.ui.focus = (state.focus + 1) % state.dashboardPanelCount
  case .backTab, .left, .character("h"):
    state.ui.focus = (state.focus + state.dashboardPanelCount - 1) % state.dashboardPanelCount
  case .down, .character("j"):
    state.ui.focus = verticalNeighbour(
      state.layout, of: state.focus, rows: 1, width: state.ui.size.width)
  case .up, .character("k"):
    state.ui.focus = verticalNeighbour(
      state.layout, of: state.focus, rows: -1, width: state.ui.size.width)
  case .enter:
    if state.ui.overlay == nil { state.ui.zoomed.toggle() }
  default:
    state.dirty = false
  }
  return []
}

// MARK: - Mouse

/// A mouse press focuses the panel under it (a press on the focused panel zooms it, a press
/// on a zoomed panel goes back); the wheel scrolls the open list. Nothing without `--mouse`.
private func handleMouse(_ state: inout AppState, _ event: MouseEvent) -> [Effect] {
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

/// Keys of the alerts overlay: move the selection, acknowledge, silence. False: not handled.
private func handleAlertsKey(_ state: inout AppState, _ key: Key) -> Bool {
  let list = state.alertHistory.listed
  let sel = state.alertHistory.selectedIndex(state.ui.alertSelection)
  if let move = ScrollMove(key) {
    let to = move.apply(to: sel, visible: 10, limit: list.count - 1)
    if to < list.count { state.ui.alertSelection = list[to].key }
    return true
  }
  switch key {
  case .character("A"):
    if sel < list.count {
      let key = list[sel].key
      let action = state.notifier.toggleAck(key)
      // A new ack opens a note prompt (Enter saves it, Esc leaves the ack without a note).
      if case .ack = action { state.ui.ackNote = AckNoteEntry(key: key, text: "") }
      state.actions.append(action)
    }
  case .character("s"):
    if sel < list.count {
      state.actions.append(state.notifier.cycleSilence(list[sel].key, now: state.now))
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
    state.notice = Notice(
      text: "theme: \(state.theme.name) (the only one loaded)", isError: false,
      until: state.now.adding(5 * Nanos.second))
    return
  }
  state.ui.themeIndex = (state.ui.themeIndex + 1) % count
  state.notice = Notice(
    text: "theme: \(state.theme.name) (\(state.ui.themeIndex + 1)/\(count), t for the next)",
    isError: false, until: state.now.adding(5 * Nanos.second))
}

/// Sets the frame rate and says so in the title bar (the loop takes it from the next frame).
private func changeFrameRate(_ state: inout AppState, to fps: Double) {
  let limit = fps == state.ui.fps ? (fps >= 1 ? " (the fastest)" : " (the slowest)") : ""
  state.ui.fps = fps
  state.notice = Notice(
    text: "frame rate: \(FrameRate.format(fps)) fps\(limit), + faster, - slower",
    isError: false, until: state.now.adding(5 * Nanos.second))
}

private func selectWindow(_ state: inout AppState, _ length: Int64, fallback: Int) {
  let windows = state.config.windows.windows
  if let i = windows.firstIndex(of: length) {
    state.ui.windowIndex = i
  } else if fallback < windows.count {
    state.ui.windowIndex = fallback
  }
}

/// A reloaded layout replaces the one in force whole, or not at all: on any error the old one
/// stays and the title bar says why (the first problem, with its `file:line:column`).
private func applyLayout(_ state: inout AppState, _ result: Result<LayoutLoad, ConfigProblems>) {
  state.dirty = true
  let until = state.now.adding(15 * Nanos.second)
  switch result {
  case .success(let load):
    state.layout = load.layout
    state.config.layoutText = load.text
    state.ui.focus = state.focus
    // `r` reloads the rules first: their error (same instant) is not hidden by this notice.
    if load.warnings.isEmpty, let notice = state.notice, notice.isError, notice.until == until {
      return
    }
    let warned = load.warnings.first.map { ", " + $0.description } ?? ""
    state.notice = Notice(
      text: "layout reloaded: \(load.layout.panels.count) panels" + warned,
      isError: !load.warnings.isEmpty, until: until)
  case .failure(let problems):
    let errors = problems.problems.filter { !$0.message.hasPrefix("warning: ") }
    let first = (errors.first ?? problems.problems.first)?.description ?? "invalid layout file"
    let more = errors.count > 1 ? " (+\(errors.count - 1) more)" : ""
    state.notice = Notice(
      text: "layout NOT reloaded, old layout kept: " + first + more, isError: true, until: until)
  }
}
