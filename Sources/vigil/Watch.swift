import ArgumentParser
import CVigilSignals
import VigilApp
import VigilCore
import VigilDemo
import VigilIncident

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `vigil watch`: the dashboard's feeds, rules and config without a terminal (a service, a
/// container, a systemd unit). It follows the feeds, evaluates the rules as the dashboard does
/// and prints every alert transition as one JSON line, as `vigil check` does.
struct Watch: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "watch",
    abstract: "Follow the feeds and evaluate the rules without a terminal; print transitions.",
    discussion: """
      Takes the dashboard's feed, rules and config options. Each alert transition is printed on \
      standard output as one JSON line, the shape `vigil check` prints ("series" last). With no \
      feed it runs the demo. It runs until SIGTERM, SIGINT or SIGHUP, then exits 0.
      """)

  @OptionGroup var input: DashboardInputOptions

  @OptionGroup(title: "Alert delivery") var delivery: DeliveryOptions

  func validate() throws {
    try resolved { () throws(SettingsError) in try input.flags.validate() }
  }

  func run() throws {
    let flags = input.flags
    var settings = DashboardSettings()
    defer { for warning in settings.warnings { printError(warning) } }
    let options = try resolved { () throws(SettingsError) in
      try settings.resolve(
        flags, files: .load(for: flags), overSSH: false, demoDuration: DemoScenario.duration)
    }
    let code = try runWatch(options, deliveries: delivery.deliveries(over: options.notify))
    if code != 0 { throw ExitCode(code) }
  }
}

/// The headless loop: feed input and clock ticks applied as the dashboard applies them (the
/// same `update`), transitions printed as they happen, until a termination signal.
func runWatch(_ o: DashboardOptions, deliveries: AlertDeliveries? = nil) throws -> Int32 {
  // First: termination signals set a flag the loop reads (no Swift code runs in a handler).
  guard vigil_signals_install() == 0 else {
    throw RunFailure(description: "vigil watch: cannot install the signal handlers")
  }
  defer { vigil_signals_uninstall() }
  var config = o.config
  config.bell = false
  let (clock, specs, sources) = try startingFeeds(o, config: &config)
  let inbox = MessageInbox(clock: clock)
  var state = AppState(starting: o, config: config, feeds: specs, clock: clock)
  let recorder = try startRecorder(o, state: state)
  let delivery = deliveries.map { deliveryObserver($0, state: state, recorder: recorder) }
  let observer = loopObserver(recorder: recorder, delivery: delivery)
  let running = RunningFeeds(sources, inbox: inbox)
  defer { running.stopAll() }
  var printed = state.alertHistory.transitionsTotal
  var failuresShown: [String: Int] = [:]
  func printTransitions() {
    let total = state.alertHistory.transitionsTotal
    let fresh = min(total - printed, state.alertHistory.history.count)
    for tr in state.alertHistory.history.suffix(fresh) {
      print(tr.jsonLine(series: state.engine.rules.watchedSeries(rule: tr.rule, labels: tr.labels)))
    }
    // Out at once, even into a pipe or a journal.
    if fresh > 0 { fflush(nil) }
    printed = total
    for t in deliveries?.status.targets ?? []
    where t.stats.failed > failuresShown[t.name, default: 0] {
      failuresShown[t.name] = t.stats.failed
      printError(
        "vigil watch: \(t.name): gave up on \(t.stats.failed): \(t.stats.lastError ?? "?")")
    }
  }
  while vigil_signals_pending() == 0 {
    // Input first (bounded per turn, so the clock still ticks under a flood), then time.
    for input in inbox.drain(maxItems: 1_024) {
      _ = update(&state, .feed(input), observer: observer)
    }
    _ = update(&state, .tick(clock.now()), observer: observer)
    printTransitions()
    if !inbox.hasPending { inbox.waitForInput(timeout: 200 * Nanos.millisecond) }
  }
  recorder?.finish(at: clock.now(), reason: "stopped")
  for t in deliveries?.finish() ?? [] {
    let s = t.stats
    printError(
      "vigil watch: \(t.name): \(s.delivered) delivered, \(s.failed) failed, \(s.dropped) "
        + "dropped (queue full), \(s.waiting) not sent")
  }
  return 0
}
