import ArgumentParser
import VigilApp

/// What the dashboard and `vigil watch` read: feeds, rules, config, recording, windows, clock
/// and the demo's settings (the dashboard adds how it draws).
struct DashboardInputOptions: ParsableArguments {
  @Argument(help: "Feed files to follow (like tail -F), or - for standard input. None: the demo.")
  var feeds: [String] = []

  @OptionGroup var feedOptions: FeedOptions

  @OptionGroup(title: "Network feeds") var netFeeds: NetFeedOptions
  @Option(
    name: .customLong("command"),
    help: ArgumentHelp(
      "A shell command whose standard output is a feed; restarted when it exits. Repeatable.",
      valueName: "CMD"))
  var commands: [String] = []

  @Option(
    help: "A feed with no sample for this long is stale; its panels say so. (default: 5m)")
  var noDataAfter: String?

  @OptionGroup var udpOptions: UDPFeedOptions

  @Flag(help: "Start files at their end instead of their beginning.")
  var fromEnd = false

  @Option(help: "Signal metric name override, KEY=METRIC (e.g. api_latency=http_ms). Repeatable.")
  var signal: [String] = []

  @Option(help: "A YAML config file (signals, windows, fps, clock, feeds); flags override it.")
  var config: String?

  @Option(
    help: ArgumentHelp(
      "An alert rules file (YAML: Vigil's rules: or a Prometheus alerting rules file's "
        + "groups:). Default: the built-in rules for the six signals."))
  var rules: String?

  @Option(
    help:
      "Record the session into this incident file (replay it with `vigil replay`); gzip when it ends in .gz."
  )
  var record: String?

  @Option(help: "A title for the recording (shown in replay and reports).")
  var title: String?

  @Option(
    help: ArgumentHelp(
      "Keep a black box of the last hours in this directory: rotating 10-minute gzip recordings.",
      discussion: "Replay it with `vigil replay DIR`."))
  var blackBox: String?

  @Option(help: "Black box: how much recording time to keep. (default: 4h)")
  var blackBoxKeep: String = "4h"

  @Option(help: "Black box: the most disk space it may take, e.g. 500M or 2G. (default: 1G)")
  var blackBoxMaxSize: String = "1G"

  @Option(help: "Window lengths offered by the 1/5/f keys. (default: 1m,5m,15m)")
  var windows: String?

  @Option(
    help: "Clock the windows follow: wall, event (newest event time) or auto. (default: auto)")
  var clock: String?

  @Option(help: "Demo only: play the incident this many times faster than real time.")
  var speed: Double = 1

  @Option(help: "Demo only: how much of the incident is already on screen at start.")
  var demoHistory: String = "2m"

  @Option(help: "Demo only: random seed of the incident.")
  var seed: UInt64 = 42

  /// These flags as plain values; the dashboard's drawing flags keep their defaults.
  var flags: DashboardFlags {
    var f = DashboardFlags()
    (f.feeds, f.feed, f.net, f.udp, f.commands) = (
      feeds, feedOptions.flags, netFeeds.flags, udpOptions.flags, commands
    )
    (f.noDataAfter, f.fromEnd, f.signal, f.config, f.rules) = (
      noDataAfter, fromEnd, signal, config, rules
    )
    (f.record, f.title) = (record, title)
    (f.blackBox, f.blackBoxKeep, f.blackBoxMaxSize) = (blackBox, blackBoxKeep, blackBoxMaxSize)
    (f.windows, f.clock) = (windows, clock)
    (f.speed, f.demoHistory, f.seed) = (speed, demoHistory, seed)
    return f
  }
}
