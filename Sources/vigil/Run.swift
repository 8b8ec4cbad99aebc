import ArgumentParser
import VigilApp
import VigilCore
import VigilDemo
import VigilIncident
import VigilRender

/// Exit codes (ARCHITECTURE §7): 64 usage, 1 failure.
enum ExitCodes {
  static let usage: Int32 = 64
  static let failure: Int32 = 1
}

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

  @Option(help: "An alert rules file (YAML). Default: the built-in rules for the six signals.")
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

  func validate() throws {
    try feedOptions.validate(feedCount: feeds.count)
    if let fps, !(fps > 0 && fps <= 60) { throw ValidationError("--fps must be in (0, 60]") }
    guard speed > 0, speed <= 10_000 else { throw ValidationError("--speed must be in (0, 10000]") }
    guard frames > 0 else { throw ValidationError("--frames must be positive") }
  }

  func run() throws {
    let options = try buildOptions()
    let code = try runDashboard(options)
    if code != 0 { throw ExitCode(code) }
  }

  /// Turns the config file and flags (which win) into a validated configuration.
  func buildOptions() throws -> RunOptions {
    var file = ConfigFile()
    if let path = config {
      switch ConfigLoader.load(path: path) {
      case .success(let loaded): file = loaded
      case .failure(let problems): throw RunFailure(description: problems.description)
      }
    }
    var config = AppConfig()
    config.signals = file.signals
    config.bell = !noBell
    config.overSSH = sshSession()
    config.fps = fps ?? file.fps ?? (config.overSSH ? FrameRate.overSSH : FrameRate.standard)
    config.debug = debug
    config.mouse = mouse
    for s in signal {
      if let problem = config.signals.apply(s) { throw ValidationError("--signal: \(problem)") }
    }
    if let path = rules {
      guard let text = readTextFile(path) else {
        throw RunFailure(description: "\(path): cannot read the file")
      }
      switch RulesLoader.parse(text, file: path) {
      case .success(let loaded):
        config.rules = loaded
        config.rulesPath = path
        config.rulesText = text
      case .failure(let problems): throw RunFailure(description: problems.description)
      }
    }
    if let windows {
      var lengths: [Int64] = []
      for part in windows.split(separator: ",") {
        guard let ns = Nanos.parse(String(part)) else {
          throw ValidationError("--windows: \"\(part)\" is not a duration like 1m")
        }
        if let problem = config.windows.problem(withWindow: ns) {
          throw ValidationError("--windows: \(problem)")
        }
        lengths.append(ns)
      }
      guard !lengths.isEmpty else { throw ValidationError("--windows: give at least one window") }
      config.windows.windows = lengths
    } else if let lengths = file.windows {
      config.windows.windows = lengths
    }
    let initial: Int64
    if let window {
      guard let ns = Nanos.parse(window), config.windows.windows.contains(ns) else {
        throw ValidationError(
          "--window \(window) is not one of the windows "
            + config.windows.windows.map(Nanos.format).joined(separator: ","))
      }
      initial = ns
    } else if let w = file.window, config.windows.windows.contains(w) {
      initial = w
    } else {
      initial =
        config.windows.windows.contains(5 * Nanos.minute)
        ? 5 * Nanos.minute : config.windows.windows[0]
    }
    if let clock {
      guard let mode = ClockMode(rawValue: clock) else {
        throw ValidationError("--clock must be wall, event or auto")
      }
      config.clockMode = mode
    } else if let mode = file.clock {
      config.clockMode = mode
    }
    var specs = try feedOptions.specs(
      config: file.feeds, targets: feeds, fromEnd: fromEnd, commands: commands)
    let (netSpecs, prometheus) = try netFeeds.specs(firstID: specs.count, config: file.prometheus)
    specs += netSpecs
    specs += udpOptions.specs(
      after: specs, timeUnit: feedOptions.timeUnit.flatMap(TimeUnit.init(rawValue:)))
    if let noDataAfter {
      guard let d = Nanos.parse(noDataAfter), d > 0 else {
        throw ValidationError("--no-data-after must be a duration like 30s or 5m")
      }
      for i in specs.indices where i >= file.feeds.count || file.feeds[i].noDataAfter == nil {
        specs[i].noDataAfter = d
      }
    }
    guard let history = Nanos.parse(demoHistory), history >= 0, history < DemoScenario.duration
    else { throw ValidationError("--demo-history must be a duration under 15m") }
    try applyLayout(layout ?? file.layout, to: &config)
    let (cols, rows) = try parseSize(size)
    let look = try buildLook(color: color, colors: colors, theme: theme)
    config.themes = look.themes
    config.settings = helpSettings(self, config: config, file: file, look: look)
    var options = RunOptions(
      config: config, initialWindow: initial, feeds: specs, prometheus: prometheus,
      demo: specs.isEmpty, speed: speed,
      demoHistory: history, seed: seed, ascii: ascii, headless: headless, frames: frames,
      size: Size(width: cols, height: rows), recording: try recordingTarget(), title: title)
    options.look = look
    return options
  }
}

extension Run {
  /// `--record FILE` or `--black-box DIR` (with its limits), validated.
  func recordingTarget() throws -> RecordingTarget? {
    if record != nil && blackBox != nil {
      throw ValidationError("give --record or --black-box, not both")
    }
    if let record { return .file(record) }
    guard let dir = blackBox else { return nil }
    guard let keep = Nanos.parse(blackBoxKeep), keep >= RecordingTarget.defaultSegment else {
      throw ValidationError("--black-box-keep must be a duration of at least 10m, like 4h")
    }
    guard let bytes = parseByteSize(blackBoxMaxSize), bytes >= 1 << 20 else {
      throw ValidationError("--black-box-max-size must be a size of at least 1M, like 500M or 2G")
    }
    return .blackBox(
      directory: dir, keep: keep, maxBytes: bytes, segment: RecordingTarget.defaultSegment)
  }
}

/// `500M`, `2G`, `64K` or a number of bytes.
func parseByteSize(_ text: String) -> Int? {
  let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
  guard let last = text.uppercased().last else { return nil }
  if let unit = units[last] {
    return Int(text.dropLast()).flatMap {
      $0.multipliedReportingOverflow(by: unit).overflow ? nil : $0 * unit
    }
  }
  return Int(text)
}

/// A failure that is not a usage error (a config file with problems, an unusable terminal):
/// the message is printed and Vigil exits with status 1.
struct RunFailure: Error, CustomStringConvertible {
  var description: String
}

/// Everything `run` needs, validated.
struct RunOptions {
  var config: AppConfig
  var initialWindow: Int64
  var feeds: [FeedSpec]
  /// The queries of each `.prometheus` feed.
  var prometheus: [FeedID: PrometheusSourceConfig]
  var demo: Bool
  var speed: Double
  var demoHistory: Int64
  var seed: UInt64
  var ascii: Bool
  var headless: Bool
  var frames: Int
  var size: Size
  var recording: RecordingTarget?
  var title: String?
  /// Colours and themes (`--color`, `--colors`, `--theme`).
  var look = Look()
}

func parseSize(_ text: String) throws -> (Int, Int) {
  let parts = text.lowercased().split(separator: "x")
  guard parts.count == 2, let c = Int(parts[0]), let r = Int(parts[1]), c > 0, r > 0, c <= 1000,
    r <= 1000
  else { throw ValidationError("--size must look like 80x24") }
  return (c, r)
}
