import Testing
import VigilApp
import VigilCore
import VigilRender

/// The dashboard's settings resolver: the config file first, then the flags, which win; the
/// defaults; the errors for flags that cannot go together.
@Suite struct DashboardSettingsTests {
  static func files(_ yaml: String = "") -> DashboardFiles {
    var files = DashboardFiles()
    files.config = ConfigLoader.parse(yaml, file: "vigil.yaml")
    return files
  }

  static func resolve(
    _ flags: DashboardFlags = DashboardFlags(), _ files: DashboardFiles = files(),
    overSSH: Bool = false
  ) throws(SettingsError) -> DashboardOptions {
    var settings = DashboardSettings()
    return try settings.resolve(
      flags, files: files, overSSH: overSSH, demoDuration: 15 * Nanos.minute)
  }

  static func setting(_ o: DashboardOptions, _ name: String) -> String? {
    o.config.settings.first { $0.name == name }?.value
  }

  @Test func defaultsWithoutConfigOrFlags() throws {
    let o = try Self.resolve()
    #expect(o.config.fps == FrameRate.standard)
    #expect(o.config.windows.windows == [Nanos.minute, 5 * Nanos.minute, 15 * Nanos.minute])
    #expect(o.initialWindow == 5 * Nanos.minute)
    #expect(o.config.clockMode == .auto)
    #expect(o.config.layout == Layout.commerce && o.config.layoutPath == nil)
    #expect(o.config.rules == nil && o.config.bell)
    #expect(o.demo && o.feeds.isEmpty && o.speed == 1 && o.seed == 42)
    #expect(o.demoHistory == 2 * Nanos.minute)
    #expect(o.size == Size(width: 80, height: 24) && o.frames == 1)
    #expect(o.recording == nil && o.title == nil)
    #expect(o.look.colorChoice == .auto && o.look.themeIndex == 0)
    #expect(Self.setting(o, "fps") == "4 at start (default)")
    #expect(Self.setting(o, "bell") == "on")
    // Over SSH the default frame rate is lower, and the help says why.
    let ssh = try Self.resolve(overSSH: true)
    #expect(ssh.config.fps == FrameRate.overSSH && ssh.config.overSSH)
    #expect(Self.setting(ssh, "fps") == "2 at start (SSH_CONNECTION set)")
  }

  static let config = """
    fps: 3
    windows: [1m, 10m]
    window: 10m
    clock: event
    layout: sre-compact
    feeds:
      - path: a.jsonl
        no_data_after: 1m
    """

  @Test func theConfigFilesValuesWhenNoFlagGivesThem() throws {
    var files = Self.files(Self.config)
    files.layout = LayoutLoader.resolve("sre-compact")
    let o = try Self.resolve(DashboardFlags(), files)
    #expect(o.config.fps == 3)
    #expect(Self.setting(o, "fps") == "3 at start (config)")
    #expect(o.config.windows.windows == [Nanos.minute, 10 * Nanos.minute])
    #expect(o.initialWindow == 10 * Nanos.minute)
    #expect(o.config.clockMode == .event)
    #expect(o.config.layout.name == "sre-compact")
    #expect(o.feeds.map(\.target) == ["a.jsonl"] && !o.demo)
    #expect(o.feeds[0].noDataAfter == Nanos.minute)
  }

  @Test func flagsBeatTheConfigFile() throws {
    var flags = DashboardFlags()
    flags.fps = 8
    flags.windows = "1m,5m,15m"
    flags.window = "15m"
    flags.clock = "wall"
    flags.feeds = ["b.jsonl"]
    flags.noDataAfter = "30s"
    flags.config = "vigil.yaml"
    let o = try Self.resolve(flags, Self.files(Self.config))
    #expect(o.config.fps == 8)
    #expect(Self.setting(o, "fps") == "8 at start (--fps)")
    #expect(o.config.windows.windows == [Nanos.minute, 5 * Nanos.minute, 15 * Nanos.minute])
    #expect(o.initialWindow == 15 * Nanos.minute)
    #expect(o.config.clockMode == .wall)
    // The config file's feeds stay first; --no-data-after leaves the one that sets its own.
    #expect(o.feeds.map(\.target) == ["a.jsonl", "b.jsonl"])
    #expect(o.feeds.map(\.noDataAfter) == [Nanos.minute, 30 * Nanos.second])
    #expect(Self.setting(o, "config") == "vigil.yaml")
  }

  @Test func theConfigFilesWindowMustBeOneOfTheWindowsTheFlagsGive() throws {
    var flags = DashboardFlags()
    flags.windows = "1m,15m"
    // 10m (the config file's) is not offered, nor 5m: the first window.
    let o = try Self.resolve(flags, Self.files(Self.config))
    #expect(o.initialWindow == Nanos.minute)
  }

  @Test func rulesAndSignals() throws {
    var flags = DashboardFlags()
    flags.signal = ["api_latency=http_ms"]
    flags.rules = "r.yaml"
    var files = Self.files("signals:\n  api_latency: from_config\n")
    files.rulesText =
      "rules:\n  - alert: A\n    metric: m\n    aggregate: p99\n"
      + "    window: 1m\n    op: \">\"\n    threshold: 1\n"
    let o = try Self.resolve(flags, files)
    #expect(o.config.signals.apiLatency == "http_ms")
    #expect(o.config.rulesPath == "r.yaml" && o.config.rules?.rules.count == 1)
    #expect(o.config.rulesText == files.rulesText)
    files.rulesText = nil
    #expect(throws: SettingsError.failure("r.yaml: cannot read the file")) {
      try Self.resolve(flags, files)
    }
  }

  @Test func recordingTargets() throws {
    var flags = DashboardFlags()
    flags.record = "x.jsonl"
    #expect(try Self.resolve(flags).recording == .file("x.jsonl"))
    #expect(Self.setting(try Self.resolve(flags), "record") == "x.jsonl")
    flags.record = nil
    flags.blackBox = "box"
    #expect(
      try Self.resolve(flags).recording
        == .blackBox(directory: "box", keep: 4 * Nanos.hour, maxBytes: 1 << 30))
    flags.blackBoxKeep = "2h"
    flags.blackBoxMaxSize = "500M"
    #expect(
      try Self.resolve(flags).recording
        == .blackBox(directory: "box", keep: 2 * Nanos.hour, maxBytes: 500 << 20))
    #expect(parseByteSize("64K") == 64 << 10 && parseByteSize("12") == 12)
    #expect(parseByteSize("9999999999999G") == nil && parseByteSize("") == nil)
  }

  @Test func conflictingAndInvalidFlagsAreUsageErrors() {
    var flags = DashboardFlags()
    flags.record = "x.jsonl"
    flags.blackBox = "box"
    #expect(throws: SettingsError.usage("give --record or --black-box, not both")) {
      try Self.resolve(flags)
    }
    flags = DashboardFlags()
    flags.windows = "1m,2m"
    flags.window = "5m"
    #expect(throws: SettingsError.usage("--window 5m is not one of the windows 1m,2m")) {
      try Self.resolve(flags)
    }
    flags = DashboardFlags()
    flags.clock = "later"
    #expect(throws: SettingsError.usage("--clock must be wall, event or auto")) {
      try Self.resolve(flags)
    }
    flags = DashboardFlags()
    flags.fps = 100
    #expect(throws: SettingsError.usage("--fps must be in (0, 60]")) { try flags.validate() }
    flags = DashboardFlags()
    flags.feeds = ["a", "b", "c"]
    flags.feed.formats = ["json", "csv"]
    #expect(throws: SettingsError.usage("give --format once, or once per feed (3 feeds)")) {
      try flags.validate()
    }
    flags = DashboardFlags()
    flags.size = "0x0"
    #expect(throws: SettingsError.usage("--size must look like 80x24")) { try Self.resolve(flags) }
    flags = DashboardFlags()
    flags.blackBox = "box"
    flags.blackBoxKeep = "5m"
    #expect(
      throws: SettingsError.usage("--black-box-keep must be a duration of at least 10m, like 4h")
    ) { try Self.resolve(flags) }
  }

  /// The first error is the one the command line has always reported first.
  @Test func aConfigFileWithProblemsFailsFirst() {
    var flags = DashboardFlags()
    flags.clock = "later"
    #expect(throws: SettingsError.failure("vigil.yaml:1:6: fps must be a number, not \"fast\"")) {
      try Self.resolve(flags, Self.files("fps: fast\n"))
    }
    var files = Self.files()
    files.layout = .failure(
      ConfigProblems([ConfigProblem(file: "l.yaml", line: 1, message: "bad")]))
    flags.layout = "l.yaml"
    #expect(throws: SettingsError.usage("--clock must be wall, event or auto")) {
      try Self.resolve(flags, files)
    }
    flags.clock = nil
    #expect(throws: SettingsError.self) { try Self.resolve(flags, files) }
  }

  @Test func lookFlags() throws {
    var flags = DashboardFlags()
    flags.color = "never"
    flags.colors = "256"
    flags.theme = "light"
    var files = Self.files()
    files.theme = ThemeLoader.resolve("light")
    let o = try Self.resolve(flags, files)
    #expect(o.look.colorChoice == .never && o.look.colorDepth == .indexed256)
    #expect(o.look.themes[o.look.themeIndex].name == "light")
    #expect(o.config.themes.count == ThemeLoader.builtinNames.count)
    #expect(Self.setting(o, "colors") == "256" && Self.setting(o, "color") == "never")
    flags.colors = "7"
    #expect(
      throws: SettingsError.usage("--colors must be 8, 16, 256 or truecolor (or 0 for none)")
    ) { try Self.resolve(flags, files) }
  }
}
