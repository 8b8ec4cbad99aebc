import VigilCore

/// The flags of `vigil run` (the dashboard), as plain values: what ``DashboardSettings``
/// resolves over the config file. Defaults are the command line's.
public struct DashboardFlags: Sendable, Equatable {
  /// Feed files (or `-`); none: the demo.
  public var feeds: [String] = []
  public var feed = FeedFlags()
  public var net = NetFeedFlags()
  public var udp = UDPFeedFlags()
  /// `--command CMD`, repeatable.
  public var commands: [String] = []
  public var noDataAfter: String?
  public var fromEnd = false
  /// `--signal KEY=METRIC`, repeatable.
  public var signal: [String] = []
  /// `--config PATH` (the file itself is read before resolving).
  public var config: String?
  public var rules: String?
  public var layout: String?
  public var noBell = false
  public var record: String?
  public var title: String?
  public var blackBox: String?
  public var blackBoxKeep = "4h"
  public var blackBoxMaxSize = "1G"
  public var windows: String?
  public var window: String?
  public var fps: Double?
  public var debug = false
  public var mouse = false
  public var clock: String?
  public var speed: Double = 1
  public var demoHistory = "2m"
  public var seed: UInt64 = 42
  public var ascii = false
  public var color: String?
  public var colors: String?
  public var theme: String?
  public var headless = false
  public var frames = 1
  public var size = "80x24"

  public init() {}

  /// The checks made while the command line is parsed, before any file is read.
  public func validate() throws(SettingsError) {
    try feed.validate(feedCount: feeds.count)
    if let fps, !(fps > 0 && fps <= 60) { throw .usage("--fps must be in (0, 60]") }
    guard speed > 0, speed <= 10_000 else { throw .usage("--speed must be in (0, 10000]") }
    guard frames > 0 else { throw .usage("--frames must be positive") }
  }
}

/// What the dashboard's flags name, read before resolving (the resolver reads nothing): the
/// config file, the rules file's text, the layout and the theme as their loaders return them.
public struct DashboardFiles: Sendable {
  public var config: Result<ConfigFile, ConfigProblems> = .success(ConfigFile())
  /// The config file's text (for recordings), nil without one or when it cannot be read.
  public var configText: String?
  /// `--rules`: its text, nil when it cannot be read.
  public var rulesText: String?
  /// `--layout` (or the config file's `layout:`), nil when neither names one.
  public var layout: Result<LayoutLoad, ConfigProblems>?
  /// `--theme`, nil without one.
  public var theme: Result<ThemeLoad, ConfigProblem>?

  public init() {}

  /// Reads what `flags` name through the loaders (`ConfigLoader`, `readTextFile`,
  /// `LayoutLoader`, `ThemeLoader`).
  public static func load(for flags: DashboardFlags) -> DashboardFiles {
    var files = DashboardFiles()
    // The config file is read once: parsed here, and its text kept for recordings.
    files.configText = flags.config.flatMap(readTextFile)
    if let path = flags.config, let text = files.configText {
      files.config = ConfigLoader.parse(text, file: path)
    } else {
      files.config = loadConfigFile(flags.config)
    }
    files.rulesText = flags.rules.flatMap(readTextFile)
    let configLayout = (try? files.config.get())?.layout
    files.layout = (flags.layout ?? configLayout).map(LayoutLoader.resolve)
    files.theme = flags.theme.map(ThemeLoader.resolve)
    return files
  }
}

/// `--record FILE` or `--black-box DIR` with its limits, validated.
public enum RecordingChoice: Sendable, Equatable {
  case file(String)
  /// Keep `keep` of recording time in `directory`, in at most `maxBytes`.
  case blackBox(directory: String, keep: Int64, maxBytes: Int)

  /// A black box keeps at least one segment (10 minutes).
  public static let minimumKeep = 10 * Nanos.minute
}

/// `500M`, `2G`, `64K` or a number of bytes.
public func parseByteSize(_ text: String) -> Int? {
  let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
  guard let last = text.uppercased().last else { return nil }
  if let unit = units[last] {
    return Int(text.dropLast()).flatMap {
      $0.multipliedReportingOverflow(by: unit).overflow ? nil : $0 * unit
    }
  }
  return Int(text)
}
