import ArgumentParser
import VigilApp
import VigilCore
import VigilDemo
import VigilIncident
import VigilRender

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Show the live dashboard (the default command).")

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
    help: ArgumentHelp(
      "Panels and grid: a built-in layout name or a layout file; r and edits reload a file.",
      discussion: "Built-in: commerce (the default), sre-compact, payments. See layouts/README.md.",
      valueName: "NAME|PATH"))
  var layout: String?

  @Flag(help: "Never ring the terminal bell when an alert starts firing.")
  var noBell = false

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

  @Option(help: "Window shown at start. (default: 5m)")
  var window: String?

  @Option(help: "Frames per second at most; + and - change it live. (default: 4, over SSH 2)")
  var fps: Double?

  @Flag(help: "Show the frame rate and the bytes per second sent to the terminal.")
  var debug = false

  @Flag(help: "Use the mouse: click focuses a panel, the wheel scrolls lists. (default: off)")
  var mouse = false

  @Option(
    help: "Clock the windows follow: wall, event (newest event time) or auto. (default: auto)")
  var clock: String?

  @Option(help: "Demo only: play the incident this many times faster than real time.")
  var speed: Double = 1

  @Option(help: "Demo only: how much of the incident is already on screen at start.")
  var demoHistory: String = "2m"

  @Option(help: "Demo only: random seed of the incident.")
  var seed: UInt64 = 42

  @Flag(help: "Draw with ASCII only (no box drawing or block glyphs).")
  var ascii = false

  @Option(help: "Colour: auto (honours NO_COLOR), always (ignores it) or never. (default: auto)")
  var color: String?

  @Option(help: "Colour depth instead of the terminal's: 8, 16, 256 or truecolor (capped at it).")
  var colors: String?

  @Option(help: "Theme: a built-in name or a theme file; t cycles themes live. (default: dark)")
  var theme: String?

  @Flag(help: "Render plain-text frames to standard output instead of the terminal.")
  var headless = false

  @Option(help: "Headless: number of frames to print.")
  var frames: Int = 1

  @Option(help: "Headless: screen size as COLSxROWS.")
  var size: String = "80x24"

  func validate() throws { try resolved { () throws(SettingsError) in try flags.validate() } }

  func run() throws {
    let options = try buildOptions()
    let code = try runDashboard(options)
    if code != 0 { throw ExitCode(code) }
  }

  /// Turns the config file and flags (which win) into a validated configuration
  /// (``DashboardSettings``); its warnings are printed even when it fails.
  func buildOptions() throws -> DashboardOptions {
    let flags = self.flags
    var settings = DashboardSettings()
    defer { for warning in settings.warnings { printError(warning) } }
    let overSSH = sshSession()
    return try resolved { () throws(SettingsError) in
      try settings.resolve(
        flags, files: .load(for: flags), overSSH: overSSH, demoDuration: DemoScenario.duration)
    }
  }

  /// The flags as plain values, for the resolver.
  var flags: DashboardFlags {
    var f = DashboardFlags()
    (f.feeds, f.feed, f.net, f.udp, f.commands) = (
      feeds, feedOptions.flags, netFeeds.flags, udpOptions.flags, commands
    )
    (f.noDataAfter, f.fromEnd, f.signal, f.config, f.rules, f.layout) = (
      noDataAfter, fromEnd, signal, config, rules, layout
    )
    (f.noBell, f.record, f.title) = (noBell, record, title)
    (f.blackBox, f.blackBoxKeep, f.blackBoxMaxSize) = (blackBox, blackBoxKeep, blackBoxMaxSize)
    (f.windows, f.window, f.fps, f.debug, f.mouse, f.clock) = (
      windows, window, fps, debug, mouse, clock
    )
    (f.speed, f.demoHistory, f.seed) = (speed, demoHistory, seed)
    (f.ascii, f.color, f.colors, f.theme) = (ascii, color, colors, theme)
    (f.headless, f.frames, f.size) = (headless, frames, size)
    return f
  }
}
