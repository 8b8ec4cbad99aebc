import VigilCore
import VigilRender

/// Everything the dashboard (`vigil run`) needs, validated.
public struct DashboardOptions: Sendable {
  public var config: AppConfig
  public var initialWindow: Int64
  public var feeds: [FeedSpec]
  /// The queries of each `.prometheus` feed.
  public var prometheus: [FeedID: PrometheusSourceConfig]
  public var demo: Bool
  public var speed: Double
  public var demoHistory: Int64
  public var seed: UInt64
  public var ascii: Bool
  public var headless: Bool
  public var frames: Int
  public var size: Size
  public var recording: RecordingChoice?
  public var title: String?
  /// Colours and themes (`--color`, `--colors`, `--theme`).
  public var look = Look()
  /// The config file's `notify:` (the delivery flags add to it).
  public var notify = NotifyConfig()
}

/// Resolves the dashboard's settings: the config file first, then the flags, which win.
///
/// Precedence, for each setting: a flag given on the command line; else the config file's
/// value; else the default (fps: 4, or 2 over SSH; windows 1m,5m,15m; window 5m when offered,
/// else the first; clock auto; layout commerce; theme dark). Feeds are the config file's, then
/// the command line's files, `--command`s, scrapes, Prometheus servers and UDP listeners, in
/// that order. Errors come in the order the command line has always checked them.
public struct DashboardSettings {
  /// Warnings to print (a UDP listener other hosts can reach), also when resolving fails.
  public private(set) var warnings: [String] = []

  public init() {}

  /// Resolves `flags` over `files`. `overSSH`: running in an SSH session (`SSH_CONNECTION`
  /// set), for a lower default frame rate; `demoDuration`: the demo incident's length, which
  /// `--demo-history` must stay under.
  public mutating func resolve(
    _ flags: DashboardFlags, files: DashboardFiles, overSSH: Bool, demoDuration: Int64
  ) throws(SettingsError) -> DashboardOptions {
    let file = try files.config.loadedFile()
    var config = AppConfig()
    config.signals = file.signals
    config.series = file.series
    config.components = file.components
    (config.configText, config.configPath) = (files.configText, flags.config)
    config.bell = !flags.noBell
    config.overSSH = overSSH
    config.fps =
      flags.fps ?? file.fps ?? (config.overSSH ? FrameRate.overSSH : FrameRate.standard)
    config.debug = flags.debug
    config.mouse = flags.mouse
    for s in flags.signal {
      if let problem = config.signals.apply(s) { throw .usage("--signal: \(problem)") }
    }
    try Self.applyRules(flags.rules, text: files.rulesText, to: &config)
    config.windows.windows = try Self.windows(flags.windows, file: file, config: config.windows)
    let initial = try Self.initialWindow(flags.window, file: file, windows: config.windows.windows)
    if let clock = flags.clock {
      guard let mode = ClockMode(rawValue: clock) else {
        throw .usage("--clock must be wall, event or auto")
      }
      config.clockMode = mode
    } else if let mode = file.clock {
      config.clockMode = mode
    }
    let (specs, prometheus) = try feedSpecs(flags, file: file)
    guard let history = Nanos.parse(flags.demoHistory), history >= 0,
      history < demoDuration
    else { throw .usage("--demo-history must be a duration under 15m") }
    try Self.applyLayout(files.layout, named: flags.layout ?? file.layout, to: &config)
    let size = try parseScreenSize(flags.size)
    let look = try Look.resolve(
      color: flags.color, colors: flags.colors, theme: flags.theme, loaded: files.theme)
    config.themes = look.themes
    config.settings = helpSettings(flags, config: config, file: file, look: look)
    var options = DashboardOptions(
      config: config, initialWindow: initial, feeds: specs, prometheus: prometheus,
      demo: specs.isEmpty, speed: flags.speed, demoHistory: history, seed: flags.seed,
      ascii: flags.ascii, headless: flags.headless, frames: flags.frames, size: size,
      recording: try Self.recording(flags), title: flags.title)
    options.look = look
    options.notify = file.notify
    return options
  }

  /// `--rules FILE`: its rules, path and text.
  static func applyRules(_ path: String?, text: String?, to config: inout AppConfig)
    throws(SettingsError)
  {
    guard let path else { return }
    guard let text else { throw .failure("\(path): cannot read the file") }
    switch RulesLoader.parse(text, file: path) {
    case .success(let loaded):
      config.rules = loaded
      config.rulesPath = path
      config.rulesText = text
    case .failure(let problems): throw .failure(problems.description)
    }
  }

  /// `--windows`, else the config file's, else the defaults.
  static func windows(_ flag: String?, file: ConfigFile, config: WindowsConfig)
    throws(SettingsError) -> [Int64]
  {
    guard let flag else { return file.windows ?? config.windows }
    var lengths: [Int64] = []
    for part in flag.split(separator: ",") {
      guard let ns = Nanos.parse(String(part)) else {
        throw .usage("--windows: \"\(part)\" is not a duration like 1m")
      }
      if let problem = config.problem(withWindow: ns) { throw .usage("--windows: \(problem)") }
      lengths.append(ns)
    }
    guard !lengths.isEmpty else { throw .usage("--windows: give at least one window") }
    return lengths
  }

  /// `--window` (one of the windows), else the config file's when offered, else 5m when
  /// offered, else the first window.
  static func initialWindow(_ flag: String?, file: ConfigFile, windows: [Int64])
    throws(SettingsError) -> Int64
  {
    if let flag {
      guard let ns = Nanos.parse(flag), windows.contains(ns) else {
        throw .usage(
          "--window \(flag) is not one of the windows "
            + windows.map(Nanos.format).joined(separator: ","))
      }
      return ns
    }
    if let w = file.window, windows.contains(w) { return w }
    return windows.contains(5 * Nanos.minute) ? 5 * Nanos.minute : windows[0]
  }

  /// Every feed: the config file's and the command line's files and commands, scrapes and
  /// Prometheus servers, UDP listeners; `--no-data-after` for those the config file leaves.
  mutating func feedSpecs(_ flags: DashboardFlags, file: ConfigFile) throws(SettingsError) -> (
    [FeedSpec], [FeedID: PrometheusSourceConfig]
  ) {
    var specs = try flags.feed.specs(
      config: file.feeds, targets: flags.feeds, fromEnd: flags.fromEnd, commands: flags.commands)
    let (netSpecs, prometheus) = try flags.net.specs(
      firstID: specs.count, config: file.prometheus)
    specs += netSpecs
    specs += flags.udp.specs(
      after: specs, timeUnit: flags.feed.timeUnit.flatMap(TimeUnit.init(rawValue:)),
      warnings: &warnings)
    if let noDataAfter = flags.noDataAfter {
      guard let d = Nanos.parse(noDataAfter), d > 0 else {
        throw .usage("--no-data-after must be a duration like 30s or 5m")
      }
      for i in specs.indices where i >= file.feeds.count || file.feeds[i].noDataAfter == nil {
        specs[i].noDataAfter = d
      }
    }
    return (specs, prometheus)
  }

  /// The layout `--layout NAME|PATH` (or the config file's `layout:`) names, as loaded. A file
  /// with errors stops Vigil (every problem printed); its warnings are shown at start.
  static func applyLayout(
    _ loaded: Result<LayoutLoad, ConfigProblems>?, named nameOrPath: String?,
    to config: inout AppConfig
  ) throws(SettingsError) {
    guard let loaded, let nameOrPath else { return }
    switch loaded {
    case .success(let load):
      config.layout = load.layout
      config.layoutText = load.layout == Layout.commerce ? nil : load.text
      config.layoutPath = LayoutLoader.isPath(nameOrPath) ? nameOrPath : nil
      config.layoutWarnings = load.warnings
    case .failure(let problems): throw .failure(problems.description)
    }
  }

  /// `--record FILE` or `--black-box DIR` (with its limits), validated.
  static func recording(_ flags: DashboardFlags) throws(SettingsError) -> RecordingChoice? {
    if flags.record != nil && flags.blackBox != nil {
      throw .usage("give --record or --black-box, not both")
    }
    if let record = flags.record { return .file(record) }
    guard let dir = flags.blackBox else { return nil }
    guard let keep = Nanos.parse(flags.blackBoxKeep), keep >= RecordingChoice.minimumKeep else {
      throw .usage("--black-box-keep must be a duration of at least 10m, like 4h")
    }
    guard let bytes = parseByteSize(flags.blackBoxMaxSize), bytes >= 1 << 20 else {
      throw .usage("--black-box-max-size must be a size of at least 1M, like 500M or 2G")
    }
    return .blackBox(directory: dir, keep: keep, maxBytes: bytes)
  }
}

/// `--size COLSxROWS` (headless), each 1 to 1000.
public func parseScreenSize(_ text: String) throws(SettingsError) -> Size {
  let parts = text.lowercased().split(separator: "x")
  guard parts.count == 2, let c = Int(parts[0]), let r = Int(parts[1]), c > 0, r > 0, c <= 1000,
    r <= 1000
  else { throw .usage("--size must look like 80x24") }
  return Size(width: c, height: r)
}

/// The settings the help overlay lists (what is in effect and where it came from).
func helpSettings(_ flags: DashboardFlags, config: AppConfig, file: ConfigFile, look: Look)
  -> [Setting]
{
  var fpsSource = "default"
  if flags.fps != nil {
    fpsSource = "--fps"
  } else if file.fps != nil {
    fpsSource = "config"
  } else if config.overSSH {
    fpsSource = "SSH_CONNECTION set"
  }
  var out = [
    Setting("fps", "\(FrameRate.format(config.fps)) at start (\(fpsSource))"),
    Setting("clock", config.clockMode.rawValue),
    Setting("windows", config.windows.windows.map(Nanos.format).joined(separator: ",")),
    Setting("rules", config.rulesPath ?? "built-in"),
    Setting("layout", config.layoutPath ?? "\(config.layout.name) (built-in)"),
    Setting("color", look.colorChoice.rawValue),
  ]
  if let depth = flags.colors { out.append(Setting("colors", depth)) }
  if let path = flags.config { out.append(Setting("config", path)) }
  if flags.ascii { out.append(Setting("ascii", "on")) }
  out.append(Setting("bell", config.bell ? "on" : "off (--no-bell)"))
  if config.debug { out.append(Setting("debug", "on")) }
  if let record = flags.record { out.append(Setting("record", record)) }
  return out
}
