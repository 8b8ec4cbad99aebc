import VigilCore
import VigilRender

/// The pure heart of the app: applies one message to the state and returns effects.
///
/// Deterministic: given the same messages in the same order, the state is the same (feed input
/// carries its own arrival time, so no clock is read here).
public func update(_ state: inout AppState, _ message: Message) -> [Effect] {
  state.pinAlertSelection()
  switch message {
  case .feed(let input):
    let before = state.alertHistory.transitionsTotal
    let ring = ingest(&state, input)
    state.followSuspects(transitionsBefore: before)
    return ring ? [.bell] : []
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
  case .delivery(let status):
    state.delivery = status
    state.dirty = true
    return []
  case .wallClock(let nanos):
    state.wallNanos = max(state.wallNanos, nanos)
    if let notice = state.notice, notice.isOver(now: state.now, wall: state.wallNanos) {
      state.notice = nil
      state.dirty = true
    }
    return []
  case .rulesLoaded(let result):
    state.dirty = true
    switch result {
    case .success(let rules):
      state.engine.replaceRules(rules)
      state.notify(
        "rules reloaded: \(rules.rules.count) rules", isError: false, for: 15 * Nanos.second)
    case .failure(let problems):
      let first = problems.problems.first?.description ?? "invalid rules file"
      let more = problems.problems.count > 1 ? " (+\(problems.problems.count - 1) more)" : ""
      state.notify(
        "rules NOT reloaded, old rules kept: " + first + more, isError: true,
        for: 15 * Nanos.second)
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
    if let notice = state.notice, notice.isOver(now: state.now, wall: state.wallNanos) {
      state.notice = nil
      state.dirty = true
    }
    let transitions = state.alertHistory.transitionsTotal
    let ring = evaluateAlerts(&state)
    state.followSuspects(transitionsBefore: transitions)
    return ring ? [.bell] : []
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
    let latest = max(state.feeds[fi].lastSampleTime ?? newest, newest)
    state.feeds[fi].lastSampleTime = latest
    // Against the feed's newest sample so far, not the batch's: a live feed's late batch (a
    // delayed writer, a Prometheus range behind its newest point) keeps it live.
    state.feeds[fi].live = arrival.since(latest) <= FeedState.liveLag
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
    state.notify(
      "layout reloaded: \(load.layout.panels.count) panels" + warned,
      isError: !load.warnings.isEmpty, for: 15 * Nanos.second)
  case .failure(let problems):
    let errors = problems.problems.filter { !$0.message.hasPrefix("warning: ") }
    let first = (errors.first ?? problems.problems.first)?.description ?? "invalid layout file"
    let more = errors.count > 1 ? " (+\(errors.count - 1) more)" : ""
    state.notify(
      "layout NOT reloaded, old layout kept: " + first + more, isError: true,
      for: 15 * Nanos.second)
  }
}
