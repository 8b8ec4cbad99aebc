import ArgumentParser
import VigilApp
import VigilCore
import VigilIncident

/// The flags that replay (or report on) a time range of a Prometheus server's history instead
/// of a recording: `vigil replay --prometheus URL --from T1 --to T2`.
struct PrometheusHistoryOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Replay a time range of a Prometheus HTTP API (Prometheus, Thanos, Mimir, "
        + "VictoriaMetrics; http:// only) instead of a recording.",
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

  var isSet: Bool { prometheus != nil }

  /// Refuses the history flags without `--prometheus`, and a recording beside it.
  func validate(recording: String?) throws {
    if prometheus == nil {
      let given = [
        ("--query", !queries.isEmpty), ("--from", from != nil), ("--to", to != nil),
        ("--config", config != nil), ("--rules", rules != nil),
      ].filter(\.1).map(\.0)
      if recording == nil { throw ValidationError("give a recording, or --prometheus URL") }
      if let flag = given.first { throw ValidationError("\(flag) needs --prometheus URL") }
    } else if let recording {
      throw ValidationError("give a recording (\(recording)) or --prometheus, not both")
    }
  }

  /// What to load, from the flags and the config file.
  func request(now: Timestamp) throws -> PrometheusHistory.Request {
    guard let url = prometheus else { throw ValidationError("--prometheus URL is missing") }
    try checkURL(url, "--prometheus")
    var file = ConfigFile()
    if let path = config {
      switch ConfigLoader.load(path: path) {
      case .success(let loaded): file = loaded
      case .failure(let problems): throw RunFailure(description: problems.description)
      }
    }
    var chosen = try parsePrometheusQueries(queries)
    if chosen.isEmpty {
      switch file.prometheus.count {
      case 0:
        throw ValidationError(
          "--prometheus needs queries: --query NAME=PROMQL, or a prometheus: section in --config")
      case 1: chosen = file.prometheus[0].queries
      default:
        throw ValidationError(
          "the config file has \(file.prometheus.count) prometheus servers; give --query")
      }
    }
    let end = try to.map { try parseTimeArgument($0, now: now, flag: "--to") } ?? now
    let start =
      try from.map { try parseTimeArgument($0, now: now, flag: "--from") }
      ?? end.adding(-Nanos.hour)
    guard start < end else {
      throw ValidationError("--from must be before --to")
    }
    guard let stepNanos = Nanos.parse(step), stepNanos >= Nanos.millisecond else {
      throw ValidationError("--step: \"\(step)\" is not a duration like 10s")
    }
    let rulesYAML: String
    if let path = rules {
      guard let text = readTextFile(path) else {
        throw RunFailure(description: "\(path): cannot read the file")
      }
      if case .failure(let problems) = RulesLoader.parse(text, file: path) {
        throw RunFailure(description: problems.description)
      }
      rulesYAML = text
    } else {
      // Only the default rules on metrics the queries give: the signals left out are not stale.
      rulesYAML = DefaultRules.yaml(signals: file.signals, only: Set(chosen.map(\.name)))
    }
    var request = PrometheusHistory.Request(
      url: url, queries: chosen, from: start, to: end, step: stepNanos, rulesYAML: rulesYAML,
      rulesPath: rules)
    request.signals = file.signals
    if let lengths = file.windows { request.windows.windows = lengths }
    return request
  }

  /// Loads the range into a recording, printing what it does on standard error.
  func load(command: String) throws -> RecordingFile {
    let request = try request(now: SystemClock().now())
    let client = PrometheusClient(base: try HTTPURL.parse(request.url).get())
    printError(
      "vigil \(command): loading \(request.queries.count) "
        + "quer\(request.queries.count == 1 ? "y" : "ies") from \(request.url), "
        + "\(CivilTime(request.from).rfc3339(fractionDigits: 0)) to "
        + "\(CivilTime(request.to).rfc3339(fractionDigits: 0))")
    do {
      return try PrometheusHistory.load(request, client: client)
    } catch {
      throw RunFailure(description: "vigil \(command): \(error)")
    }
  }
}

/// A point in time given on the command line: RFC 3339 (`2026-11-26T14:00:00Z`), Unix seconds
/// (`1795000000`, `1795000000.5`), `now`, or a duration before now (`now-2h`, `-2h`).
func parseTimeArgument(_ text: String, now: Timestamp, flag: String) throws -> Timestamp {
  if text == "now" { return now }
  var relative: Substring?
  if text.hasPrefix("now-") {
    relative = text.dropFirst(4)
  } else if text.hasPrefix("-") {
    relative = text.dropFirst()
  }
  if let relative {
    guard let ns = Nanos.parse(String(relative)) else {
      throw ValidationError("\(flag): \"\(text)\" is not a time like now-2h")
    }
    return now.adding(-ns)
  }
  if let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds < 9e9,
    text.allSatisfy({ $0.isNumber || $0 == "." })
  {
    return Timestamp(nanoseconds: Int64((seconds * 1000).rounded()) * Nanos.millisecond)
  }
  switch RFC3339.parse(text) {
  case .timestamp(let t): return t
  case .noOffset:
    throw ValidationError("\(flag): \"\(text)\" has no time zone: add Z (UTC) or an offset")
  case .outOfRange: throw ValidationError("\(flag): \"\(text)\" is out of range")
  case .invalid(let why):
    throw ValidationError(
      "\(flag): \"\(text)\" is not a time (\(why)); "
        + "give 2026-11-26T14:00:00Z, a Unix time, now or now-2h")
  }
}
