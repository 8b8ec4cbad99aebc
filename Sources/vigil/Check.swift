import ArgumentParser
import VigilCore
import VigilIncident

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Evaluate alert rules over whole feeds on event time; print transitions as JSON lines.",
    discussion: """
      Reads every feed to its end as fast as it can (standard input too), merges samples in \\
      timestamp order as they come, with memory bounded whatever the files' lengths, and \\
      evaluates the rules at every evaluation tick. A sample more than --max-lateness behind \\
      its feed's newest is counted as late. Each transition is one JSON line on \\
      standard output; a summary goes to standard error. Without --rules, the default rules \\
      for the six signals are used. With --prometheus URL --from T1 --to T2 instead of \
      feeds, the queries' points over that range are evaluated the same way (with the \
      built-in rules on the metrics the queries give, unless --rules).
      """)

  @Option(name: .customLong("feed"), help: "A feed file, or - for standard input. Repeatable.")
  var feeds: [String] = []

  @Argument(help: "More feed files.")
  var moreFeeds: [String] = []

  @Option(
    help: ArgumentHelp(
      "A rules file (YAML: Vigil's rules: or a Prometheus alerting rules file's groups:). "
        + "Default: the built-in rules for the six signals."))
  var rules: String?

  @Option(help: "A config file (for signal names and feed settings).")
  var config: String?

  @OptionGroup var feedOptions: FeedOptions

  @Option(help: "Exit with status 2 when any alert reached this state (firing).")
  var failOn: String?

  @Option(help: "Also print each series' statistics at every boundary of this window (e.g. 1m).")
  var stats: String?

  @Option(
    help: ArgumentHelp(
      "How far behind its feed's newest sample a sample may come and still be evaluated in time order (default 1m).",
      discussion:
        "Later samples are counted as late and land as in the dashboard: into the windows that still hold them, else rejected as too old."
    ))
  var maxLateness: String?

  @Option(
    help:
      "The most samples held for reordering (default 1000000); beyond it the oldest is evaluated early."
  )
  var reorderLimit: String?

  @Flag(
    help:
      "After each transition to firing, print one line with the suspects: the components whose series moved most and first against their own baseline."
  )
  var suspects = false

  @Option(
    help: ArgumentHelp(
      "Also print the suspects ranked on demand at the first tick at or after this time (RFC 3339 or Unix seconds). Repeatable.",
      valueName: "time"))
  var suspectsAt: [String] = []

  @OptionGroup(title: "Checking a Prometheus server's history")
  var range: PrometheusRangeOptions

  func validate() throws {
    if range.prometheus == nil {
      // The range flags without --prometheus (the feeds stand where replay's recording does).
      let flags = range.flags(config: nil, rules: nil)
      try resolved { () throws(SettingsError) in try flags.validate(recording: "") }
    }
  }

  func run() throws {
    var flags = CheckFlags()
    (flags.feeds, flags.moreFeeds, flags.feed) = (feeds, moreFeeds, feedOptions.flags)
    (flags.failOn, flags.stats) = (failOn, stats)
    (flags.maxLateness, flags.reorderLimit) = (maxLateness, reorderLimit)
    (flags.suspects, flags.suspectsAt) = (suspects, suspectsAt)
    flags.prometheus = range.prometheus != nil
    let configFile = loadConfigFile(config)
    var rulesLoaded = rules.map { RulesLoader.load(path: $0) }
    var history: (PrometheusHistory.Request, PrometheusClient)?
    if range.prometheus != nil {
      let s = try range.settings(
        now: SystemClock().now(), config: config, configFile: configFile, rules: rules)
      let request = PrometheusRangeOptions.request(s)
      history = (request, try range.client(request, s))
      rulesLoaded = RulesLoader.parse(s.rulesYAML, file: s.rulesPath ?? "default rules")
    }
    let settings = try resolved { () throws(SettingsError) in
      try CheckSettings.resolve(flags, config: configFile, rules: rulesLoaded)
    }
    var checker = Checker(
      rules: settings.rules, statsWindow: settings.statsWindow, signals: settings.signals,
      limits: settings.series, ordering: settings.ordering, components: settings.components,
      suspects: settings.suspects, suspectsAt: settings.suspectsAt)
    var out = OutputBuffer()
    let report: Checker.Report
    if let (request, client) = history {
      report = try Self.check(request, client: client, with: &checker, out: &out)
    } else {
      let result = checker.run(feeds: settings.specs) { out.line($0) }
      out.flush()
      switch result {
      case .success(let r): report = r
      case .failure(let f):
        throw RunFailure(description: "vigil check: \(f.feed.target): \(f.reason)")
      }
    }
    printError(summary(report))
    if settings.failOnFiring && !report.fired.isEmpty { throw ExitCode(2) }
  }

  /// Evaluates a Prometheus server's range: its points, one time per batch, as one feed.
  static func check(
    _ request: PrometheusHistory.Request, client: PrometheusClient, with checker: inout Checker,
    out: inout OutputBuffer
  ) throws -> Checker.Report {
    PrometheusRangeOptions.announce(request, command: "check")
    let load: PromRangeLoad
    do {
      load = try PrometheusHistory.loadRange(request, client: client)
    } catch {
      throw RunFailure(description: "vigil check: \(error)")
    }
    for w in PrometheusHistory.warnings(load, request) { printError("vigil check: \(w)") }
    let feed = PrometheusHistory.feedSpec(request)
    checker.open([feed])
    for batch in load.batches { checker.add(batch, format: .json, feed: feed) { out.line($0) } }
    checker.endFeed(feed) { out.line($0) }
    let report = checker.finish { out.line($0) }
    out.flush()
    return report
  }

  func summary(_ r: Checker.Report) -> String {
    var s =
      "check: \(r.feeds) feed\(r.feeds == 1 ? "" : "s"), \(r.lines) lines, \(r.samples) samples"
    if let first = r.first, let last = r.last { s += " from \(first) to \(last)" }
    let rejected = r.rejected.values.reduce(0, +)
    s += "; \(rejected) rejected"
    if rejected > 0 {
      s +=
        " ("
        + r.rejected.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
        .joined(separator: ", ") + ")"
    }
    if r.late > 0 {
      s += "; \(r.late) late (more than \(Nanos.format(r.maxLateness)) out of order)"
    }
    if r.releasedEarly > 0 {
      s +=
        "; reorder buffer full (\(r.maxHeld) samples): \(r.releasedEarly) evaluated before their time"
    }
    s += "; \(r.transitions) transitions; "
    s += r.fired.isEmpty ? "nothing fired" : "fired: " + r.fired.joined(separator: ", ")
    for line in r.firstRejections { s += "\n  rejected " + line }
    for line in r.cardinalityLines { s += "\n  " + line }
    for line in r.pairLines { s += "\n  " + line }
    return s
  }
}

/// Buffers standard output in large writes.
struct OutputBuffer {
  private var bytes: [UInt8] = []
  mutating func line(_ s: String) {
    bytes.append(contentsOf: s.utf8)
    bytes.append(0x0A)
    if bytes.count > 1 << 16 { flush() }
  }
  mutating func flush() {
    var off = 0
    while off < bytes.count {
      let n = bytes.withUnsafeBytes { write(1, $0.baseAddress.map { $0 + off }, $0.count - off) }
      if n <= 0 { break }
      off += n
    }
    bytes.removeAll(keepingCapacity: true)
  }
}
