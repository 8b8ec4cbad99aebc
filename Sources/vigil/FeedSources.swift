import VigilCore
import VigilNet

/// The source that reads `spec` (files, stdin, commands, UDP, scrapes, Prometheus APIs; the
/// demo is made by `runDashboard`).
func makeSource(
  _ spec: FeedSpec, prometheus: [FeedID: PrometheusSourceConfig] = [:],
  clock: any VigilClock = SystemClock()
) throws -> any FeedSource {
  switch spec.kind {
  case .stdin: StandardInputSource(spec: spec)
  case .command: CommandSource(spec: spec)
  case .statsd, .influxUDP: try udpSource(spec)
  case .scrape: ScrapeSource(spec: spec, clock: clock, transport: tlsCapableHTTP)
  case .prometheus:
    PrometheusAPISource(
      spec: spec, config: prometheus[spec.id] ?? PrometheusSourceConfig(url: spec.target),
      clock: clock, transport: tlsCapableHTTP)
  case .otlp: try otlpReceiver(spec)
  case .file, .demo: FileTailSource(spec: spec)
  }
}

/// The running sources, and how to stop them all: a command's process group is ended and
/// reaped before `stopAll` returns, so Vigil never leaves a child behind.
final class RunningFeeds {
  let stop = StopFlag()
  let inbox: MessageInbox
  private let commands: [CommandLifetime]

  init(_ sources: [any FeedSource], inbox: MessageInbox) {
    self.inbox = inbox
    commands = sources.compactMap { ($0 as? CommandSource)?.lifetime }
    for source in sources { source.start(inbox: inbox, stop: stop) }
  }

  /// Stops every source; waits (a few seconds at most) until each command's child is gone.
  func stopAll() {
    stop.stop()
    inbox.close()
    // A command gets SIGTERM, then SIGKILL after its grace (1 s); its thread notices within
    // a poll (20 ms). Three seconds bounds a child stuck in the kernel.
    for command in commands { command.waitUntilFinished(timeout: 3 * Nanos.second) }
  }
}

/// Binds the OTLP receiver of `spec`, or explains why it cannot.
func otlpReceiver(_ spec: FeedSpec) throws -> OTLPReceiver {
  do {
    return try OTLPReceiver(spec: spec)
  } catch {
    throw RunFailure(description: "vigil: --otlp \(error)")
  }
}
