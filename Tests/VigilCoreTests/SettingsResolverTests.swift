import Testing
import VigilCore

/// The settings resolvers of `check`, `lint-feed`, the feed flags and the Prometheus history
/// (config file first, then flags, which win).
@Suite struct SettingsResolverTests {
  static func config(_ yaml: String) -> Result<ConfigFile, ConfigProblems> {
    ConfigLoader.parse(yaml, file: "vigil.yaml")
  }

  static let now = Timestamp.seconds(1_795_687_200)

  // MARK: - Feed flags

  @Test func configFeedsComeFirstThenFilesThenCommands() throws {
    let file = try Self.config("feeds:\n  - path: a.csv\n    format: csv\n").get()
    let flags = FeedFlags(formats: ["json"], timeUnit: "ms")
    let specs = try flags.specs(
      config: file.feeds, targets: ["b.jsonl", "-"], fromEnd: true, commands: ["tail x"])
    #expect(specs.map(\.target) == ["a.csv", "b.jsonl", "-", "tail x"])
    #expect(specs.map(\.id) == (0..<4).map { FeedID($0) })
    #expect(specs.map(\.kind) == [.file, .file, .stdin, .command])
    // The config file's feed keeps its own format; flags apply to the command line's feeds.
    #expect(specs.map(\.format) == [.csv, .json, .json, .json])
    #expect(specs[0].timeUnit == nil && specs[1].timeUnit == .ms && specs[3].timeUnit == .ms)
    #expect(!specs[0].fromEnd && specs[1].fromEnd)
  }

  @Test func perFeedFlagsGivenOnceApplyToEveryFeedElseOncePerFeed() throws {
    let once = try FeedFlags(formats: ["csv"]).specs(config: [], targets: ["a", "b"])
    #expect(once.map(\.format) == [.csv, .csv])
    let each = try FeedFlags(formats: ["csv", "logfmt"]).specs(config: [], targets: ["a", "b"])
    #expect(each.map(\.format) == [.csv, .logfmt])
    let detected = try FeedFlags().specs(config: [], targets: ["a"])
    #expect(detected[0].format == nil)
  }

  @Test func conflictingFeedFlagsAreUsageErrors() {
    #expect(throws: SettingsError.usage("give --format once, or once per feed (3 feeds)")) {
      try FeedFlags(formats: ["json", "csv"]).validate(feedCount: 3)
    }
    #expect(throws: SettingsError.usage("give --map once, or once per feed (1 feeds)")) {
      try FeedFlags(maps: ["value=a", "value=b"]).validate(feedCount: 1)
    }
    #expect(throws: SettingsError.usage("standard input (-) can be read by one feed only")) {
      try FeedFlags().specs(config: [], targets: ["-", "-"])
    }
    #expect(throws: SettingsError.usage("--time-unit must be s, ms, us or ns")) {
      try FeedFlags(timeUnit: "h").specs(config: [], targets: ["a"])
    }
    #expect(throws: SettingsError.usage("--command needs a command to run")) {
      try FeedFlags().specs(config: [], targets: [], commands: ["  "])
    }
    #expect(throws: SettingsError.usage("--format nope: expected \(FeedFormat.choices)")) {
      try FeedFlags(formats: ["nope"]).specs(config: [], targets: ["a"])
    }
  }

  @Test func udpListenersOtherHostsReachAreWarnedAbout() throws {
    try UDPFeedFlags(statsd: ["127.0.0.1:8125"], influxUDP: ["0.0.0.0:8089"]).validate()
    var warnings: [String] = []
    let specs = UDPFeedFlags(statsd: ["8125"], influxUDP: ["0.0.0.0:8089"]).specs(
      after: [FeedSpec(id: FeedID(0), kind: .file, target: "a")], timeUnit: .ms,
      warnings: &warnings)
    #expect(specs.map(\.id) == [FeedID(1), FeedID(2)])
    #expect(specs.map(\.kind) == [.statsd, .influxUDP])
    #expect(specs.map(\.timeUnit) == [nil, .ms])
    #expect(warnings.count == 1 && warnings[0].hasPrefix("vigil: warning: --influx-udp 0.0.0.0"))
    #expect(throws: SettingsError.self) { try UDPFeedFlags(statsd: ["nope:x"]).validate() }
  }

  // MARK: - Network feeds

  @Test func prometheusFlagReplacesTheConfigFilesURLAndEveryBeatsItsInterval() throws {
    let file = try Self.config(
      """
      prometheus:
        url: http://a:9090
        every: 30s
        queries: [{name: x, query: up}]
      """
    ).get()
    var flags = NetFeedFlags()
    let (fromFile, byIDFile) = try flags.specs(firstID: 2, config: file.prometheus)
    #expect(fromFile.map(\.target) == ["http://a:9090"])
    #expect(byIDFile[FeedID(2)]?.every == 30 * Nanos.second)
    flags.prometheus = "http://b:9090"
    flags.prometheusEvery = "5s"
    let (specs, byID) = try flags.specs(firstID: 2, config: file.prometheus)
    #expect(specs.map(\.target) == ["http://b:9090"])
    #expect(specs.map(\.id) == [FeedID(2)])
    #expect(byID[FeedID(2)]?.every == 5 * Nanos.second)
    #expect(byID[FeedID(2)]?.queries.map(\.name) == ["x"])
  }

  @Test func scrapesTakeEveryOnceOrOncePerScrape() throws {
    var flags = NetFeedFlags()
    flags.scrapes = ["http://a/metrics", "http://b/metrics"]
    let (defaults, _) = try flags.specs(firstID: 0, config: [])
    #expect(defaults.map(\.poll?.every) == [5 * Nanos.second, 5 * Nanos.second])
    flags.everies = ["1s", "2s"]
    let (each, _) = try flags.specs(firstID: 0, config: [])
    #expect(each.map(\.poll?.every) == [Nanos.second, 2 * Nanos.second])
    flags.everies = ["1s", "2s", "3s"]
    #expect(throws: SettingsError.usage("give --every once, or once per --scrape (2 scrapes)")) {
      try flags.specs(firstID: 0, config: [])
    }
  }

  @Test func conflictingNetworkFlagsAreUsageErrors() {
    var flags = NetFeedFlags()
    flags.queries = ["a=up"]
    #expect(throws: SettingsError.usage("--query needs --prometheus URL")) {
      try flags.specs(firstID: 0, config: [])
    }
    flags = NetFeedFlags()
    flags.prometheus = "http://a:9090"
    #expect(
      throws: SettingsError.usage(
        "--prometheus needs queries: --query NAME=PROMQL, or a prometheus: section in --config")
    ) { try flags.specs(firstID: 0, config: []) }
    #expect(throws: SettingsError.usage("--query: a is given twice")) {
      try parsePrometheusQueries(["a=up", "a=down"])
    }
  }

  // MARK: - check

  @Test func checkUsesTheConfigFilesFeedsAndSignalsWhenNoFlagGivesThem() throws {
    let config = Self.config(
      "signals:\n  api_latency: http_ms\nfeeds:\n  - path: a.jsonl\n")
    let settings = try CheckSettings.resolve(CheckFlags(), config: config, rules: nil)
    #expect(settings.specs.map(\.target) == ["a.jsonl"])
    #expect(settings.signals.apiLatency == "http_ms")
    // The default rules follow the config file's signal names.
    #expect(settings.rules.rules.contains { $0.selector.metric == "http_ms" })
    #expect(settings.statsWindow == nil && !settings.failOnFiring)
  }

  @Test func checkFlagsAddToTheConfigFile() throws {
    var flags = CheckFlags()
    flags.feeds = ["b.jsonl"]
    flags.moreFeeds = ["c.jsonl"]
    flags.failOn = "firing"
    flags.stats = "1m"
    let settings = try CheckSettings.resolve(
      flags, config: Self.config("feeds:\n  - path: a.jsonl\n"), rules: nil)
    #expect(settings.specs.map(\.target) == ["a.jsonl", "b.jsonl", "c.jsonl"])
    #expect(settings.failOnFiring && settings.statsWindow == Nanos.minute)
  }

  @Test func checkErrors() throws {
    var flags = CheckFlags()
    #expect(
      throws: SettingsError.usage("give at least one feed (--feed FILE), or --prometheus URL")
    ) {
      try CheckSettings.resolve(flags, config: .success(ConfigFile()), rules: nil)
    }
    // A server's range is the input instead of feeds: not beside them, and the config
    // file's (live) feeds are not read.
    flags.prometheus = true
    let live = Self.config("feeds:\n  - command: tail -F x\n")
    let ranged = try CheckSettings.resolve(flags, config: live, rules: nil)
    #expect(ranged.specs.isEmpty)
    flags.feeds = ["a"]
    #expect(throws: SettingsError.usage("give feed files or --prometheus URL, not both")) {
      try CheckSettings.resolve(flags, config: .success(ConfigFile()), rules: nil)
    }
    flags.prometheus = false
    flags.failOn = "pending"
    #expect(throws: SettingsError.usage("--fail-on takes: firing")) {
      try CheckSettings.resolve(flags, config: .success(ConfigFile()), rules: nil)
    }
    flags.failOn = nil
    flags.stats = "soon"
    #expect(throws: SettingsError.usage("--stats: \"soon\" is not a duration like 1m")) {
      try CheckSettings.resolve(flags, config: .success(ConfigFile()), rules: nil)
    }
    // A config file with problems is a failure (exit 1), reported before any flag.
    let bad = Self.config("fps: fast\n")
    #expect(throws: SettingsError.failure("vigil.yaml:1:6: fps must be a number, not \"fast\"")) {
      try CheckSettings.resolve(flags, config: bad, rules: nil)
    }
    #expect(throws: SettingsError.self) {
      try CheckSettings.resolve(CheckFlags(), config: live, rules: nil)
    }
  }

  // MARK: - lint-feed

  @Test func lintFeedDefaultsToNowAndTakesTime() throws {
    let plain = try LintFeedSettings.resolve(LintFeedFlags(format: "json"), now: Self.now)
    #expect(plain.format == .json && plain.arrival == Self.now && plain.timeUnit == nil)
    #expect(plain.mapping == FieldMapping())
    var flags = LintFeedFlags(format: "logfmt")
    (flags.map, flags.timeUnit, flags.time) = ("value=ms", "us", "2026-11-26T10:00:00Z")
    let given = try LintFeedSettings.resolve(flags, now: Self.now)
    #expect(given.arrival == Timestamp.seconds(1_795_687_200))
    #expect(given.timeUnit == .us)
    #expect(given.mapping == (try FieldMapping.parse("value=ms")))
    #expect(
      throws: SettingsError.usage(
        "--time soon: expected an RFC 3339 time like 2026-11-26T10:00:00Z")
    ) {
      var soon = LintFeedFlags(format: "json")
      soon.time = "soon"
      return try LintFeedSettings.resolve(soon, now: Self.now)
    }
    #expect(throws: SettingsError.usage("--format x: expected \(FeedFormat.choices)")) {
      try LintFeedSettings.resolve(LintFeedFlags(format: "x"), now: Self.now)
    }
  }

  // MARK: - Prometheus history

  static let oneServer = config(
    """
    signals:
      api_latency: http_ms
    windows: [1m, 10m]
    prometheus:
      url: http://a:9090
      queries: [{name: http_ms, query: up}]
    """)

  @Test func historyTakesQueriesFromTheConfigFileAndDefaultsToTheLastHour() throws {
    var flags = HistoryFlags()
    flags.prometheus = "http://b:9090"
    let s = try HistorySettings.resolve(
      flags, now: Self.now, config: Self.oneServer, rulesText: nil)
    #expect(s.url == "http://b:9090")
    #expect(s.queries.map(\.name) == ["http_ms"])
    #expect(s.to == Self.now && s.from == Self.now.adding(-Nanos.hour))
    #expect(s.step == 10 * Nanos.second)
    #expect(s.windows == [Nanos.minute, 10 * Nanos.minute])
    #expect(s.signals.apiLatency == "http_ms" && s.rulesPath == nil)
    #expect(s.rulesYAML == DefaultRules.yaml(signals: s.signals, only: ["http_ms"]))
  }

  @Test func historyFlagsBeatTheConfigFile() throws {
    var flags = HistoryFlags()
    flags.prometheus = "http://b:9090"
    flags.queries = ["q=rate(x[1m])"]
    flags.from = "now-2h"
    flags.to = "-30m"
    flags.step = "1m"
    flags.rules = "r.yaml"
    let rules =
      "rules:\n  - alert: A\n    metric: q\n    aggregate: p99\n    op: \">\"\n"
      + "    threshold: 1\n    window: 1m\n"
    let s = try HistorySettings.resolve(
      flags, now: Self.now, config: Self.oneServer, rulesText: rules)
    #expect(s.queries.map(\.name) == ["q"])
    #expect(s.from == Self.now.adding(-2 * Nanos.hour))
    #expect(s.to == Self.now.adding(-30 * Nanos.minute))
    #expect(s.step == Nanos.minute)
    #expect(s.rulesYAML == rules && s.rulesPath == "r.yaml")
  }

  @Test func historyErrors() {
    var flags = HistoryFlags()
    #expect(throws: SettingsError.usage("give a recording, or --prometheus URL")) {
      try flags.validate(recording: nil)
    }
    flags.from = "now-1h"
    #expect(throws: SettingsError.usage("--from needs --prometheus URL")) {
      try flags.validate(recording: "x.jsonl")
    }
    flags.prometheus = "http://a:9090"
    #expect(
      throws: SettingsError.usage("give a recording (x.jsonl) or --prometheus, not both")
    ) { try flags.validate(recording: "x.jsonl") }
    flags.queries = ["a=up"]
    flags.to = "now-2h"
    #expect(throws: SettingsError.usage("--from must be before --to")) {
      try HistorySettings.resolve(
        flags, now: Self.now, config: .success(ConfigFile()), rulesText: nil)
    }
    flags.to = nil
    flags.rules = "gone.yaml"
    #expect(throws: SettingsError.failure("gone.yaml: cannot read the file")) {
      try HistorySettings.resolve(
        flags, now: Self.now, config: .success(ConfigFile()), rulesText: nil)
    }
  }

  @Test func timeArguments() throws {
    let now = Self.now
    #expect(try parseTimeArgument("now", now: now, flag: "--to") == now)
    #expect(try parseTimeArgument("-2h", now: now, flag: "--to") == now.adding(-2 * Nanos.hour))
    #expect(
      try parseTimeArgument("1795687200.5", now: now, flag: "--to") == now.adding(500_000_000))
    #expect(
      try parseTimeArgument("2026-11-26T10:00:00Z", now: now, flag: "--to")
        == Timestamp.seconds(1_795_687_200))
    #expect(
      throws: SettingsError.usage(
        "--from: \"2026-11-26T10:00:00\" has no time zone: add Z (UTC) or an offset")
    ) { try parseTimeArgument("2026-11-26T10:00:00", now: now, flag: "--from") }
  }
}
