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
func runDashboard(_ o: DashboardOptions) throws -> Int32 {
  var config = o.config
  var specs = o.feeds
  let clock: any VigilClock
  var sources: [any FeedSource] = []
  if o.demo {
    let origin = SystemClock().now()
    let scaled = ScaledClock(origin: origin, speed: o.speed)
    clock = scaled
    let start = origin.adding(-o.demoHistory)
    let spec = FeedSpec(id: FeedID(0), kind: .demo, target: "demo", format: .json)
    specs = [spec]
    sources = [
      DemoSource(spec: spec, scenario: DemoScenario(seed: o.seed), start: start, clock: scaled)
    ]
    let speedNote = o.speed == 1 ? "" : " at \(Format.value(o.speed))x"
    config.banner = { t in
      let second = Int(max(0, t.since(start)) / Nanos.second)
      let minute = second % 900 / 60
      return "demo\(speedNote), minute \(minute): \(DemoScenario.phase(atSecond: second))"
    }
  } else {
    clock = SystemClock()
    sources = try specs.map { try makeSource($0, prometheus: o.prometheus, clock: clock) }
  }
  let inbox = MessageInbox(clock: clock)
  var state = AppState(config: config, feeds: specs, now: clock.now())
  if let i = config.windows.windows.firstIndex(of: o.initialWindow) { state.ui.windowIndex = i }
  state.ui.themeIndex = o.look.themeIndex
  if let text = themeWarningNotice(o.look.themeWarnings) {
    state.notice = Notice(text: text, isError: true, until: clock.now().adding(20 * Nanos.second))
    if o.headless { for w in o.look.themeWarnings { printError("vigil: theme: \(w)") } }
  }
  if let first = config.layoutWarnings.first {
    let more = config.layoutWarnings.count > 1 ? " (+\(config.layoutWarnings.count - 1) more)" : ""
    state.notice = Notice(
      text: "layout: " + first.description + more, isError: true,
      until: clock.now().adding(20 * Nanos.second))
    if o.headless { for w in config.layoutWarnings { printError("vigil: layout: \(w)") } }
  }
  var recorder: Recorder?
  if let target = o.recording.map(RecordingTarget.init) {
    do {
      recorder = try Recorder(
        target: target, state: state,
        rulesYAML: config.rulesText ?? DefaultRules.yaml(signals: config.signals),
        title: o.title)
    } catch {
      throw RunFailure(description: "vigil: \(error)")
    }
  }
  defer { recorder?.finish(at: clock.now(), reason: "stopped") }
  let running = RunningFeeds(sources, inbox: inbox)
  defer { running.stopAll() }

  if o.headless {
    let backend = RecordingBackend(size: o.size)
    let loop = AppLoop(
      state: state, backend: backend, clock: clock, inbox: inbox,
      glyphs: o.ascii ? .ascii : .unicode)
    loop.maxFrames = o.frames
    loop.observer = recorder
    var printed = 0
    loop.onFrame = { screen in
      if printed > 0 { print("\u{0C}") }
      printed += 1
      for line in screen.lines() { print(line) }
    }
    _ = loop.run()
    return 0
  }

  let backend: CursesBackend
  do {
    backend = try CursesBackend.start(
      options: CursesOptions(
        colorOverride: o.look.colorDepth, colorChoice: o.look.colorChoice,
        asciiOnly: o.ascii ? true : nil, mouse: o.config.mouse))
  } catch {
    throw RunFailure(description: "vigil: cannot start the terminal: \(error)")
  }
  backend.countsBytes = config.debug
  state.config.settings.append(Setting("colours shown", "\(backend.capability)"))
  let loop = AppLoop(
    state: state, backend: backend, clock: clock, inbox: inbox,
    glyphs: (o.ascii || !backend.isUTF8) ? .ascii : .unicode)
  loop.observer = recorder
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
