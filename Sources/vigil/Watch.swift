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

  @Option(
    help: ArgumentHelp(
      "Run this shell command when an alert starts firing and when it resolves.",
      discussion: """
        The alert is in VIGIL_ALERT_* environment variables and, as JSON, on its standard \
        input; never in the command's text. Exit 0 is delivered; a failure is retried with \
        backoff. Acks and silences do not apply here (no screen); history read from a \
        backlog is not delivered.
        """,
      valueName: "CMD"))
  var onAlert: String?

  @Option(help: "How long --on-alert's command may run before it is killed. (default: 10s)")
  var onAlertTimeout: String = "10s"

  func validate() throws {
    try resolved { () throws(SettingsError) in try input.flags.validate() }
    guard let ns = Nanos.parse(onAlertTimeout), ns > 0, ns <= Nanos.hour else {
      throw ValidationError(
        "--on-alert-timeout: \"\(onAlertTimeout)\" is not a duration like 10s (at most 1h)")
    }
    if let cmd = onAlert, cmd.allSatisfy(\.isWhitespace) {
      throw ValidationError("--on-alert needs a command")
    }
  }

  func run() throws {
    let flags = input.flags
    var settings = DashboardSettings()
    defer { for warning in settings.warnings { printError(warning) } }
    let options = try resolved { () throws(SettingsError) in
      try settings.resolve(
        flags, files: .load(for: flags), overSSH: false, demoDuration: DemoScenario.duration)
    }
    let delivery = onAlert.map {
      CommandDelivery(command: $0, timeout: Nanos.parse(onAlertTimeout) ?? 10 * Nanos.second)
    }
    let code = try runWatch(options, delivery: delivery)
    if code != 0 { throw ExitCode(code) }
  }
}

/// The headless loop: feed input and clock ticks applied as the dashboard applies them (the
/// same `update`), transitions printed as they happen, until a termination signal.
func runWatch(_ o: DashboardOptions, delivery: CommandDelivery? = nil) throws -> Int32 {
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
  let running = RunningFeeds(sources, inbox: inbox)
  defer { running.stopAll() }
  var printed = state.alertHistory.transitionsTotal
  var delivering: Set<AlertKey> = []
  var failuresShown = 0
  func printTransitions() {
    let total = state.alertHistory.transitionsTotal
    let fresh = min(total - printed, state.alertHistory.history.count)
    for tr in state.alertHistory.history.suffix(fresh) {
      let series = state.engine.rules.watchedSeries(rule: tr.rule, labels: tr.labels)
      print(tr.jsonLine(series: series))
      if let delivery { deliver(tr, series: series, to: delivery) }
    }
    // Out at once, even into a pipe or a journal.
    if fresh > 0 { fflush(nil) }
    printed = total
    if let stats = delivery?.stats, stats.failed > failuresShown {
      failuresShown = stats.failed
      printError("vigil watch: --on-alert gave up on \(stats.failed): \(stats.lastError ?? "?")")
    }
  }
  // Once per instance that starts firing (news, not history; not acked or silenced), and once
  // when an instance that was delivered resolves.
  func deliver(_ tr: AlertTransition, series: String, to delivery: CommandDelivery) {
    let key = AlertKey(rule: tr.rule, labels: tr.labels)
    switch tr.to {
    case .firing:
      let settled = state.feeds.allSatisfy(\.isSettled)
      guard tr.notifies, alertIsNews(tr.t, clock: state.engine.clock, settled: settled),
        !state.notifier.isQuiet(key, at: tr.t)
      else { return }
      delivering.insert(key)
    case .resolved:
      guard delivering.remove(key) != nil else { return }
    default: return
    }
    let rule = state.engine.rules.rules.first { $0.name == tr.rule }
    if let n = AlertNotification(tr, rule: rule, series: series) { delivery.send(n) }
  }
  while vigil_signals_pending() == 0 {
    // Input first (bounded per turn, so the clock still ticks under a flood), then time.
    for input in inbox.drain(maxItems: 1_024) {
      _ = update(&state, .feed(input), observer: recorder)
    }
    _ = update(&state, .tick(clock.now()), observer: recorder)
    printTransitions()
    if !inbox.hasPending { inbox.waitForInput(timeout: 200 * Nanos.millisecond) }
  }
  recorder?.finish(at: clock.now(), reason: "stopped")
  if let delivery {
    let s = delivery.finish()
    printError(
      "vigil watch: --on-alert: \(s.delivered) delivered, \(s.failed) failed, \(s.dropped) "
        + "dropped (queue full), \(s.waiting) not sent")
  }
  return 0
}
