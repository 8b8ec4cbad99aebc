/// The flags of `vigil check`.
public struct CheckFlags: Sendable, Equatable {
  /// `--feed FILE` (repeatable), then the feed files given as arguments.
  public var feeds: [String] = []
  public var moreFeeds: [String] = []
  public var feed = FeedFlags()
  /// `--fail-on`: only `firing`.
  public var failOn: String?
  /// `--stats WINDOW`.
  public var stats: String?
  /// `--max-lateness DURATION`: how far out of order a feed may be (default 1m).
  public var maxLateness: String?
  /// `--reorder-limit COUNT`: the most samples the reorder buffer holds (default 1,000,000).
  public var reorderLimit: String?
  /// `--suspects`: a suspects line after each transition to firing.
  public var suspects = false
  /// `--suspects-at TIME` (repeatable): a suspects line at the first tick at or after each.
  public var suspectsAt: [String] = []
  /// `--prometheus URL`: the samples come from a server's range, not from feed files.
  public var prometheus = false

  public init() {}
}

/// What `vigil check` runs: the rules, the feeds, the statistics window.
public struct CheckSettings: Sendable {
  public var rules: RuleSet
  public var specs: [FeedSpec]
  public var signals: SignalNames
  public var statsWindow: Int64?
  /// The config file's `series:` and `drop_labels:`.
  public var series = SeriesLimits()
  /// `--fail-on firing`: exit status 2 when an alert fired.
  public var failOnFiring: Bool
  /// `--max-lateness`, `--reorder-limit`.
  public var ordering = Checker.Ordering()
  /// The config file's `components:`.
  public var components = ComponentsConfig()
  /// `--suspects`.
  public var suspects = false
  /// `--suspects-at`, sorted.
  public var suspectsAt: [Timestamp] = []

  /// Resolves the flags over the config file (its signal names and feeds come first). `rules`
  /// is the `--rules` file as ``RulesLoader`` loaded it; nil: the default rules for the config
  /// file's signal names.
  public static func resolve(
    _ flags: CheckFlags, config: Result<ConfigFile, ConfigProblems>,
    rules: Result<RuleSet, ConfigProblems>?
  ) throws(SettingsError) -> CheckSettings {
    let file = try config.loadedFile()
    let rulesResult =
      rules ?? RulesLoader.parse(DefaultRules.yaml(signals: file.signals), file: "default rules")
    let ruleSet: RuleSet
    switch rulesResult {
    case .success(let set): ruleSet = set
    case .failure(let problems): throw .failure(problems.description)
    }
    if let failOn = flags.failOn, failOn != "firing" { throw .usage("--fail-on takes: firing") }
    var statsWindow: Int64?
    if let stats = flags.stats {
      guard let w = Nanos.parse(stats) else {
        throw .usage("--stats: \"\(stats)\" is not a duration like 1m")
      }
      if let problem = WindowsConfig().problem(withWindow: w) {
        throw .usage("--stats: \(problem)")
      }
      statsWindow = w
    }
    let given = flags.feeds + flags.moreFeeds
    guard !flags.prometheus || given.isEmpty else {
      throw .usage("give feed files or --prometheus URL, not both")
    }
    guard flags.prometheus || !file.feeds.isEmpty || !given.isEmpty else {
      throw .usage("give at least one feed (--feed FILE), or --prometheus URL")
    }
    try flags.feed.validate(feedCount: given.count)
    // With --prometheus the config file's feeds are not read: the server's range is the input.
    let specs = flags.prometheus ? [] : try flags.feed.specs(config: file.feeds, targets: given)
    if let live = specs.first(where: { $0.kind == .command || $0.kind == .scrape }) {
      throw .usage(
        "vigil check reads files; the \(live.kind.rawValue) feed \"\(live.displayName)\" runs only in the dashboard"
      )
    }
    var settings = CheckSettings(
      rules: ruleSet, specs: specs, signals: file.signals, statsWindow: statsWindow,
      series: file.series, failOnFiring: flags.failOn == "firing", ordering: try ordering(flags))
    (settings.components, settings.suspects) = (file.components, flags.suspects)
    for text in flags.suspectsAt {
      let t = try parseTimeArgument(text, now: Timestamp(nanoseconds: 0), flag: "--suspects-at")
      guard !text.hasPrefix("now"), !text.hasPrefix("-") else {
        throw .usage("--suspects-at: give a time in the feeds, like 2026-11-26T10:20:00Z")
      }
      settings.suspectsAt.append(t)
    }
    settings.suspectsAt.sort()
    return settings
  }

  /// The largest `--max-lateness` and `--reorder-limit`.
  public static let maxLateness = 7 * Nanos.day
  public static let maxReorderLimit = 50_000_000

  private static func ordering(_ flags: CheckFlags) throws(SettingsError) -> Checker.Ordering {
    var ordering = Checker.Ordering()
    if let text = flags.maxLateness {
      guard let d = text == "0" ? 0 : Nanos.parse(text), d >= 0, d <= maxLateness else {
        throw .usage("--max-lateness: \"\(text)\" is not a duration from 0s to 7d, like 1m")
      }
      ordering.maxLateness = d
    }
    if let text = flags.reorderLimit {
      guard let n = Int(text), n >= 1, n <= maxReorderLimit else {
        throw .usage("--reorder-limit: \"\(text)\" is not a count from 1 to 50000000")
      }
      ordering.maxHeld = n
    }
    return ordering
  }
}

/// The flags of `vigil lint-feed`.
public struct LintFeedFlags: Sendable, Equatable {
  /// `--format`; nil: detected from the first lines, as the dashboard does.
  public var format: String?
  public var map: String?
  public var timeUnit: String?
  /// `--time`: the time of samples without a timestamp (RFC 3339).
  public var time: String?

  public init(format: String? = nil) { self.format = format }
}

/// How `vigil lint-feed` reads its file.
public struct LintFeedSettings: Sendable, Equatable {
  /// Nil: detect it from the first lines (``RecordPump/detect(_:final:)``).
  public var format: FeedFormat?
  public var mapping: FieldMapping
  public var timeUnit: TimeUnit?
  /// The time of samples without a timestamp: `--time`, else `now`.
  public var arrival: Timestamp

  public static func resolve(_ flags: LintFeedFlags, now: Timestamp) throws(SettingsError)
    -> LintFeedSettings
  {
    var format: FeedFormat?
    if let name = flags.format {
      guard let f = FeedFormat(rawValue: name) else {
        throw .usage("--format \(name): expected \(FeedFormat.choices)")
      }
      format = f
    }
    let mapping = try flags.map.map { text throws(SettingsError) in try parseMapFlag(text) }
    let unit = try parseTimeUnitFlag(flags.timeUnit)
    var arrival = now
    if let time = flags.time {
      guard case .timestamp(let t) = RFC3339.parse(time) else {
        throw .usage("--time \(time): expected an RFC 3339 time like 2026-11-26T10:00:00Z")
      }
      arrival = t
    }
    return LintFeedSettings(
      format: format, mapping: mapping ?? FieldMapping(), timeUnit: unit, arrival: arrival)
  }
}
