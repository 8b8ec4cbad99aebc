/// The flags that replay (or report on) a time range of a Prometheus server's history instead
/// of a recording: `vigil replay --prometheus URL --from T1 --to T2`.
public struct HistoryFlags: Sendable, Equatable {
  public var prometheus: String?
  /// `--query NAME=PROMQL`, repeatable.
  public var queries: [String] = []
  public var from: String?
  public var to: String?
  public var step = "10s"
  /// `--config`: signal names, windows, its prometheus: section.
  public var config: String?
  /// `--rules`: the alert rules to evaluate.
  public var rules: String?

  public init() {}

  /// Refuses the history flags without `--prometheus`, and a recording beside it.
  public func validate(recording: String?) throws(SettingsError) {
    if prometheus == nil {
      let given = [
        ("--query", !queries.isEmpty), ("--from", from != nil), ("--to", to != nil),
        ("--config", config != nil), ("--rules", rules != nil),
      ].filter(\.1).map(\.0)
      if recording == nil { throw .usage("give a recording, or --prometheus URL") }
      if let flag = given.first { throw .usage("\(flag) needs --prometheus URL") }
    } else if let recording {
      throw .usage("give a recording (\(recording)) or --prometheus, not both")
    }
  }
}

/// What to load from a Prometheus server and how to replay it (the fields of VigilApp's
/// `PrometheusHistory.Request`).
public struct HistorySettings: Sendable, Equatable {
  public var url: String
  /// TLS and authentication: the config file's one server's (the flags replace it).
  public var http = HTTPClientConfig()
  public var queries: [PrometheusQuery]
  public var from: Timestamp
  public var to: Timestamp
  /// The `query_range` step asked for.
  public var step: Int64
  public var rulesYAML: String
  /// `--rules`, nil for the built-in rules.
  public var rulesPath: String?
  public var signals: SignalNames
  /// The config file's windows, nil for the default ones.
  public var windows: [Int64]?

  /// Resolves the flags at `now` over the config file (loaded before, reported in its place).
  /// `rulesText` is the text of the `--rules` file, nil when it cannot be read. Queries come
  /// from `--query`, else the config file's one prometheus server; the range ends at `--to`
  /// (default now) and starts at `--from` (default an hour before the end).
  public static func resolve(
    _ flags: HistoryFlags, now: Timestamp, config: Result<ConfigFile, ConfigProblems>,
    rulesText: String?
  ) throws(SettingsError) -> HistorySettings {
    guard let url = flags.prometheus else { throw .usage("--prometheus URL is missing") }
    try checkURL(url, "--prometheus")
    let file = try config.loadedFile()
    var chosen = try parsePrometheusQueries(flags.queries)
    if chosen.isEmpty {
      switch file.prometheus.count {
      case 0:
        throw .usage(
          "--prometheus needs queries: --query NAME=PROMQL, or a prometheus: section in --config")
      case 1: chosen = file.prometheus[0].queries
      default:
        throw .usage(
          "the config file has \(file.prometheus.count) prometheus servers; give --query")
      }
    }
    let end =
      try flags.to.map { t throws(SettingsError) in try parseTimeArgument(t, now: now, flag: "--to")
      } ?? now
    let start =
      try flags.from.map { t throws(SettingsError) in
        try parseTimeArgument(t, now: now, flag: "--from")
      } ?? end.adding(-Nanos.hour)
    guard start < end else { throw .usage("--from must be before --to") }
    guard let step = Nanos.parse(flags.step), step >= Nanos.millisecond else {
      throw .usage("--step: \"\(flags.step)\" is not a duration like 10s")
    }
    let rulesYAML: String
    if let path = flags.rules {
      guard let text = rulesText else { throw .failure("\(path): cannot read the file") }
      if case .failure(let problems) = RulesLoader.parse(text, file: path) {
        throw .failure(problems.description)
      }
      rulesYAML = text
    } else {
      // Only the default rules on metrics the queries give: the signals left out are not stale.
      rulesYAML = DefaultRules.yaml(signals: file.signals, only: Set(chosen.map(\.name)))
    }
    var settings = HistorySettings(
      url: url, queries: chosen, from: start, to: end, step: step, rulesYAML: rulesYAML,
      rulesPath: flags.rules, signals: file.signals, windows: file.windows)
    if file.prometheus.count == 1 { settings.http = file.prometheus[0].http }
    return settings
  }
}

/// A point in time given on the command line: RFC 3339 (`2026-11-26T14:00:00Z`), Unix seconds
/// (`1795000000`, `1795000000.5`), `now`, or a duration before now (`now-2h`, `-2h`).
public func parseTimeArgument(_ text: String, now: Timestamp, flag: String) throws(SettingsError)
  -> Timestamp
{
  if text == "now" { return now }
  var relative: Substring?
  if text.hasPrefix("now-") {
    relative = text.dropFirst(4)
  } else if text.hasPrefix("-") {
    relative = text.dropFirst()
  }
  if let relative {
    guard let ns = Nanos.parse(String(relative)) else {
      throw .usage("\(flag): \"\(text)\" is not a time like now-2h")
    }
    return now.adding(-ns)
  }
  if let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 9e9,
    text.allSatisfy({ $0.isNumber || $0 == "." })
  {
    return Timestamp(nanoseconds: Int64(clamping: (seconds * 1000).rounded()) * Nanos.millisecond)
  }
  switch RFC3339.parse(text) {
  case .timestamp(let t): return t
  case .noOffset:
    throw .usage("\(flag): \"\(text)\" has no time zone: add Z (UTC) or an offset")
  case .outOfRange: throw .usage("\(flag): \"\(text)\" is out of range")
  case .invalid(let why):
    throw .usage(
      "\(flag): \"\(text)\" is not a time (\(why)); "
        + "give 2026-11-26T14:00:00Z, a Unix time, now or now-2h")
  }
}
