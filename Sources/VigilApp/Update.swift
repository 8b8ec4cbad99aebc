import VigilCore
import VigilRender

/// The pure heart of the app: applies one message to the state and returns effects.
///
/// Deterministic: given the same messages in the same order, the state is the same (feed input
/// carries its own arrival time, so no clock is read here).
public func update(_ state: inout AppState, _ message: Message) -> [Effect] {
  switch message {
  case .feed(let input):
    ingest(&state, input)
    if state.alerts.ringPending {
      state.alerts.ringPending = false
      return [.bell]
    }
    return []
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
      state.alerts.replaceRules(rules, windows: state.store.config)
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

private func ingest(_ state: inout AppState, _ input: FeedInput) {
  guard let fi = state.feeds.firstIndex(where: { $0.spec.id == input.feed }) else { return }
  state.feeds[fi].lastArrival = input.arrival
  switch input.payload {
  case .event(let event):
    applyFeedEvent(&state.feeds[fi], event, at: input.arrival)
    state.dirty = true
  case .records(let batch, let format):
    if state.feeds[fi].parser == nil || state.feeds[fi].format != format {
      let spec = state.feeds[fi].spec
      state.feeds[fi].parser = Parsers.make(format, mapping: spec.mapping, timeUnit: spec.timeUnit)
      state.feeds[fi].format = format
    }
    if case .starting = state.feeds[fi].health { state.feeds[fi].health = .ok }
    ingestRecords(&state, feedIndex: fi, batch: batch, arrival: input.arrival)
    state.dirty = true
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

private func ingestRecords(
  _ state: inout AppState, feedIndex fi: Int, batch: RecordBatch, arrival: Timestamp
) {
  guard var parser = state.feeds[fi].parser else { return }
  state.feeds[fi].parser = nil  // keep the parser uniquely referenced while it runs
  var sink = state.sink
  state.sink = placeholderSink  // moves the real sink out without copying its buffers
  sink.samples.removeAll(keepingCapacity: true)
  sink.issues.removeAll(keepingCapacity: true)
  var storeRejects: [ParseIssue] = []
  var accepted: UInt64 = 0
  var newest = state.feeds[fi].lastSampleTime ?? Timestamp(nanoseconds: .min)
  let feedNumber = Int32(fi)
  batch.bytes.withUnsafeBytes { all in
    var start = 0
    for i in 0..<batch.count {
      let end = batch.ends[i]
      let record = UnsafeRawBufferPointer(rebasing: all[start..<end])
      let line = batch.lines[i]
      start = end
      // The sample buffer is emptied after every record, so it holds only this record's.
      parser.parse(record, line: line, arrival: arrival, into: &sink)
      guard !sink.samples.isEmpty else { continue }
      state.alerts.trackLongWindows(store: &state.store, interner: sink.interner)
      for sample in sink.samples {
        let now = resolveNow(&state, sample: sample, arrival: arrival)
        // Event time: the ticks this sample passes are evaluated before it lands.
        if state.clockMode == .event && now >= state.alerts.nextCheck {
          if evaluateAlerts(&state, interner: sink.interner) { state.alerts.ringPending = true }
        }
        let outcome = state.store.ingest(sample, now: now)
        if outcome == .accepted {
          accepted += 1
          if sample.timestamp > newest { newest = sample.timestamp }
          let si = sample.series.index
          if si >= state.seriesFeed.count {
            state.seriesFeed.append(
              contentsOf: repeatElement(-1, count: si + 1 - state.seriesFeed.count))
          }
          state.seriesFeed[si] = feedNumber
        } else {
          storeRejects.append(storeRejection(outcome, sample, now: now, line: line, record: record))
        }
      }
      sink.samples.removeAll(keepingCapacity: true)
    }
  }
  state.feeds[fi].parser = parser
  let lines = UInt64(batch.count + batch.oversized.count)
  state.feeds[fi].lines += lines
  state.feeds[fi].samples += accepted
  if accepted > 0 { state.feeds[fi].lastSampleTime = newest }
  state.totalLines += lines
  state.lineRate.add(lines, at: state.clockMode == .event ? arrival : state.now)
  state.feeds[fi].lineRate.add(lines, at: state.clockMode == .event ? arrival : state.now)
  var issues = sink.issues
  issues.append(contentsOf: storeRejects)
  for line in batch.oversized {
    issues.append(
      ParseIssue(
        line: line, reason: .lineTooLong,
        detail: "longer than the limit (64 KiB a line, 16 MiB an exposition); skipped"))
  }
  for line in batch.cut {
    issues.append(
      ParseIssue(
        line: line, reason: .truncated,
        detail: "datagram longer than the receive buffer; its partial last line was dropped"))
  }
  state.feeds[fi].skipped += UInt64(sink.skipped)
  sink.skipped = 0
  issues.sort { $0.line < $1.line }
  record(&state, feedIndex: fi, issues: issues, arrival: arrival)
  sink.issues.removeAll(keepingCapacity: true)
  state.sink = sink
}

/// Stands in for `AppState.sink` while a batch is parsed (shared, so it allocates nothing).
private let placeholderSink = ParseSink(interner: SeriesInterner(maxSeries: 0))

/// The issue for a sample the windows refused (too old, or ahead of the clock).
private func storeRejection(
  _ outcome: IngestOutcome, _ sample: Sample, now: Timestamp, line: Int,
  record: UnsafeRawBufferPointer
) -> ParseIssue {
  let (reason, detail): (RejectReason, String) =
    outcome == .future
    ? (.futureTimestamp, "timestamp \(sample.timestamp) is ahead of the clock (\(now))")
    : (.tooOld, "timestamp \(sample.timestamp) is older than the longest window")
  return ParseIssue(line: line, reason: reason, detail: detail, excerpt: printableExcerpt(record))
}

/// The "now" a sample is judged against, resolving the auto clock mode on the first sample.
@inline(__always)
private func resolveNow(_ state: inout AppState, sample: Sample, arrival: Timestamp) -> Timestamp {
  if state.clockMode == .auto {
    let horizon = state.config.windows.levels.map(\.horizon).max() ?? 0
    state.clockMode = arrival.since(sample.timestamp) > horizon ? .event : .wall
  }
  if state.oldestEvent.map({ sample.timestamp < $0 }) ?? true {
    state.oldestEvent = sample.timestamp
  }
  if state.clockMode == .event {
    if state.newestEvent.map({ sample.timestamp > $0 }) ?? true {
      state.newestEvent = sample.timestamp
      state.now = sample.timestamp
    }
    return state.now
  }
  if state.newestEvent.map({ sample.timestamp > $0 }) ?? true {
    state.newestEvent = sample.timestamp
  }
  return arrival
}

private func record(
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
