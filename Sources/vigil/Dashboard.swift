import ArgumentParser
import VigilApp
import VigilCore
import VigilCurses
import VigilDemo
import VigilIncident
import VigilRender

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Starts the feeds and runs the loop on curses (or headless); returns the exit code.
func runDashboard(_ o: DashboardOptions, deliveries: AlertDeliveries? = nil) throws -> Int32 {
  var config = o.config
  config.recordingTo = o.recording.map(\.destination)
  let (clock, specs, sources) = try startingFeeds(o, config: &config)
  let inbox = MessageInbox(clock: clock)
  let state = AppState(starting: o, config: config, feeds: specs, clock: clock)
  if o.headless {
    if themeWarningNotice(o.look.themeWarnings) != nil {
      for w in o.look.themeWarnings { printError("vigil: theme: \(w)") }
    }
    for w in config.layoutWarnings { printError("vigil: layout: \(w)") }
  }
  let recorder = try startRecorder(o, state: state)
  // After the screen is given back: where the recording went (or why it stopped).
  defer {
    if let recorder {
      recorder.finish(at: clock.now(), reason: "stopped")
      printError("vigil: " + recorder.summary)
    }
  }
  let delivery = deliveries.map { deliveryObserver($0, state: state, recorder: recorder) }
  // A last attempt at what is queued, after the screen is given back; what did not go out
  // is said.
  defer {
    for t in deliveries?.finish() ?? [] where t.stats.failed + t.stats.waiting + t.stats.dropped > 0
    {
      let s = t.stats
      printError(
        "vigil: \(t.name): \(s.delivered) delivered, \(s.failed) failed, \(s.dropped) dropped, "
          + "\(s.waiting) not sent" + (s.lastError.map { " (last error: \($0))" } ?? ""))
    }
  }
  let running = RunningFeeds(sources, inbox: inbox)
  defer { running.stopAll() }

  if o.headless {
    runHeadless(o, state: state, clock: clock, inbox: inbox, recorder: recorder, delivery: delivery)
    return 0
  }
  return try runOnCurses(
    o, state: state, clock: clock, inbox: inbox, recorder: recorder, delivery: delivery,
    running: running)
}

/// Delivery's loop observer; what it sends is noted in the recording.
func deliveryObserver(_ d: AlertDeliveries, state: AppState, recorder: Recorder?)
  -> DeliveryObserver
{
  let observer = DeliveryObserver(d, state: state)
  if let recorder {
    let targets = d.workers.map(\.sink.name)
    observer.onSent = { n in recorder.record(.delivery(n, targets: targets)) }
  }
  return observer
}

/// The recorder first (it notes the transitions), then delivery.
func loopObserver(recorder: Recorder?, delivery: DeliveryObserver?) -> (any AppLoopObserver)? {
  let both: [(any AppLoopObserver)?] = [recorder, delivery]
  let members = both.compactMap { $0 }
  return members.count > 1 ? LoopObservers(members) : members.first
}

extension AppLoop {
  /// Observed by the recorder and delivery; delivery's status is posted as it changes.
  func observe(recorder: Recorder?, delivery: DeliveryObserver?) {
    observer = loopObserver(recorder: recorder, delivery: delivery)
    if let delivery { poll = { delivery.statusIfChanged().map(Message.delivery) } }
  }
}

extension RecordingChoice {
  /// The file or directory written.
  var destination: String {
    switch self {
    case .file(let path): path
    case .blackBox(let directory, _, _): directory
    }
  }
}

/// The recorder of `--record` or `--black-box` (nil without either), started on `state`.
func startRecorder(_ o: DashboardOptions, state: AppState) throws -> Recorder? {
  guard let target = o.recording.map(RecordingTarget.init) else { return nil }
  do {
    return try Recorder(
      target: target, state: state,
      rulesYAML: state.config.rulesText ?? DefaultRules.yaml(signals: state.config.signals),
      title: o.title)
  } catch {
    throw RunFailure(description: "vigil: \(error)")
  }
}

/// The clock, the feeds and their sources: the demo's (on a scaled clock, with the banner that
/// names the scenario's phase) or the options' (on the system clock).
func startingFeeds(
  _ o: DashboardOptions, config: inout AppConfig
) throws -> (clock: any VigilClock, specs: [FeedSpec], sources: [any FeedSource]) {
  guard o.demo else {
    let clock = SystemClock()
    let sources = try o.feeds.map { try makeSource($0, prometheus: o.prometheus, clock: clock) }
    return (clock, o.feeds, sources)
  }
  let origin = SystemClock().now()
  let scaled = ScaledClock(origin: origin, speed: o.speed)
  let start = origin.adding(-o.demoHistory)
  let spec = FeedSpec(id: FeedID(0), kind: .demo, target: "demo", format: .json)
  // Quiet history before the incident, so the baselines are warm when the fault starts.
  let source = DemoSource(
    spec: spec, scenario: DemoScenario(seed: o.seed), start: start, clock: scaled,
    prelude: DemoScenario.quietPrelude)
  let speedNote = o.speed == 1 ? "" : " at \(Format.value(o.speed))x"
  config.banner = { t in
    DemoScenario.banner(
      atSecond: Int(max(0, t.since(start)) / Nanos.second), speedNote: speedNote)
  }
  // The Suspects view opens when the incident's first alert fires, and the incident ends on it
  // (its recovery, from minute 12.5 of each cycle).
  config.demoSuspects = DemoSuspects(
    incidentLength: DemoScenario.duration,
    atEnd: { t in
      let offset = max(0, t.since(start)) % DemoScenario.duration
      return offset >= 12 * Nanos.minute + 30 * Nanos.second
    })
  return (scaled, [spec], [source])
}

/// `--headless`: frames drawn into memory and printed, separated by form feeds.
private func runHeadless(
  _ o: DashboardOptions, state: AppState, clock: any VigilClock, inbox: MessageInbox,
  recorder: Recorder?, delivery: DeliveryObserver?
) {
  let backend = RecordingBackend(size: o.size)
  let loop = AppLoop(
    state: state, backend: backend, clock: clock, inbox: inbox,
    glyphs: o.ascii ? .ascii : .unicode)
  loop.maxFrames = o.frames
  loop.observe(recorder: recorder, delivery: delivery)
  var printed = 0
  loop.onFrame = { screen in
    if printed > 0 { print("\u{0C}") }
    printed += 1
    for line in screen.lines() { print(line) }
  }
  _ = loop.run()
}

/// The loop on the terminal; returns 0, or 128 + the signal that ended it (re-raised after
/// the terminal is restored and every command's child is gone).
private func runOnCurses(
  _ o: DashboardOptions, state: AppState, clock: any VigilClock, inbox: MessageInbox,
  recorder: Recorder?, delivery: DeliveryObserver?, running: RunningFeeds
) throws -> Int32 {
  var state = state
  let backend: CursesBackend
  do {
    backend = try CursesBackend.start(
      options: CursesOptions(
        colorOverride: o.look.colorDepth, colorChoice: o.look.colorChoice,
        asciiOnly: o.ascii ? true : nil, mouse: o.config.mouse))
  } catch {
    throw RunFailure(description: "vigil: cannot start the terminal: \(error)")
  }
  backend.countsBytes = state.config.debug
  state.config.settings.append(Setting("colours shown", "\(backend.capability)"))
  let loop = AppLoop(
    state: state, backend: backend, clock: clock, inbox: inbox,
    glyphs: (o.ascii || !backend.isUTF8) ? .ascii : .unicode)
  loop.observe(recorder: recorder, delivery: delivery)
  let reason = loop.run()
  backend.shutdown()
  // Before a signal is re-raised (which ends the process at once): no child is left behind.
  running.stopAll()
  if case .signal(let sig) = reason {
    backend.finishSignal()
    return 128 + sig
  }
  return 0
}
