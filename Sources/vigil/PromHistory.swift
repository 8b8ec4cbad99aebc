import ArgumentParser
import VigilApp
import VigilCore
import VigilIncident
import VigilNet

/// The flags that read a time range of a Prometheus server's history: `vigil replay` and
/// `vigil report` (in ``PrometheusHistoryOptions``), and `vigil check --prometheus URL`.
struct PrometheusRangeOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Read a time range of a Prometheus HTTP API (Prometheus, Thanos, Mimir, "
        + "VictoriaMetrics; http:// or https://) instead of files.",
      discussion:
        "Queries come from --query, or from the --config file's prometheus: section.",
      valueName: "url"))
  var prometheus: String?

  @Option(
    name: .customLong("query"),
    help: ArgumentHelp(
      "With --prometheus: a PromQL query as NAME=EXPR; its results become series NAME. "
        + "Repeatable.",
      valueName: "name=promql"))
  var queries: [String] = []

  @Option(
    help: ArgumentHelp(
      "With --prometheus: where the range starts: 2026-11-26T14:00:00Z, a Unix time, "
        + "or relative to now: now-2h (or --from=-2h). (default: an hour before --to)",
      valueName: "time"))
  var from: String?

  @Option(
    help: ArgumentHelp(
      "With --prometheus: where the range ends, as --from. (default: now)", valueName: "time"))
  var to: String?

  @Option(
    help: ArgumentHelp(
      "With --prometheus: the query_range step, raised when the range needs it.",
      valueName: "duration"))
  var step: String = "10s"

  @OptionGroup var http: HTTPOptions

  /// The flags as plain values, with the command's own `--config` and `--rules`.
  func flags(config: String?, rules: String?) -> HistoryFlags {
    var f = HistoryFlags()
    (f.prometheus, f.queries, f.from, f.to, f.step) = (prometheus, queries, from, to, step)
    (f.config, f.rules) = (config, rules)
    return f
  }

  /// What to load, from the flags and the config file (``HistorySettings``).
  func settings(
    now: Timestamp, config: String?, configFile: Result<ConfigFile, ConfigProblems>,
    rules: String?
  ) throws -> HistorySettings {
    let flags = flags(config: config, rules: rules)
    let rulesText = rules.flatMap(readTextFile)
    return try resolved { () throws(SettingsError) in
      try HistorySettings.resolve(flags, now: now, config: configFile, rulesText: rulesText)
    }
  }

  /// The loader's request for settings `s`.
  static func request(_ s: HistorySettings) -> PrometheusHistory.Request {
    var request = PrometheusHistory.Request(
      url: s.url, queries: s.queries, from: s.from, to: s.to, step: s.step,
      rulesYAML: s.rulesYAML, rulesPath: s.rulesPath)
    request.signals = s.signals
    if let lengths = s.windows { request.windows.windows = lengths }
    return request
  }

  /// The client for settings `s`: the flags' TLS and auth, else the config file's server's.
  func client(_ request: PrometheusHistory.Request, _ s: HistorySettings) throws
    -> PrometheusClient
  {
    PrometheusClient(
      base: try HTTPURL.parse(request.url).get(),
      http: tlsCapableHTTP(HTTPLimits(), try http.config() ?? s.http))
  }

  /// Says on standard error what `command` loads.
  static func announce(_ request: PrometheusHistory.Request, command: String) {
    printError(
      "vigil \(command): loading \(request.queries.count) "
        + "quer\(request.queries.count == 1 ? "y" : "ies") from \(request.url), "
        + "\(CivilTime(request.from).rfc3339(fractionDigits: 0)) to "
        + "\(CivilTime(request.to).rfc3339(fractionDigits: 0))")
  }
}

/// The flags that replay (or report on) a time range of a Prometheus server's history instead
/// of a recording: `vigil replay --prometheus URL --from T1 --to T2`.
struct PrometheusHistoryOptions: ParsableArguments {
  @OptionGroup var range: PrometheusRangeOptions

  @Option(
    help: ArgumentHelp(
      "With --prometheus: a config file (signal names, windows, its prometheus: section).",
      valueName: "path"))
  var config: String?

  @Option(
    help: ArgumentHelp(
      "With --prometheus: the alert rules to evaluate. "
        + "(default: the built-in rules on the metrics the queries give)",
      valueName: "path"))
  var rules: String?

  var isSet: Bool { range.prometheus != nil }

  /// Refuses the history flags without `--prometheus`, and a recording beside it.
  func validate(recording: String?) throws {
    try resolved { () throws(SettingsError) in try flags.validate(recording: recording) }
  }

  /// The flags as plain values, for the resolver.
  var flags: HistoryFlags { range.flags(config: config, rules: rules) }

  /// Loads the range into a recording, printing what it does on standard error.
  func load(command: String) throws -> RecordingFile {
    // The config file and rules are read once: the request and the server's TLS and auth.
    let settings = try range.settings(
      now: SystemClock().now(), config: config, configFile: loadConfigFile(config), rules: rules)
    let request = PrometheusRangeOptions.request(settings)
    let client = try range.client(request, settings)
    PrometheusRangeOptions.announce(request, command: command)
    do {
      return try PrometheusHistory.load(request, client: client)
    } catch {
      throw RunFailure(description: "vigil \(command): \(error)")
    }
  }
}
