import ArgumentParser
import VigilCore

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
      Reads every feed to its end as fast as it can, merges samples in timestamp order, and \\
      evaluates the rules at every evaluation tick. Each transition is one JSON line on \\
      standard output; a summary goes to standard error. Without --rules, the default rules \\
      for the six signals are used.
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

  func run() throws {
    var flags = CheckFlags()
    (flags.feeds, flags.moreFeeds, flags.feed) = (feeds, moreFeeds, feedOptions.flags)
    (flags.failOn, flags.stats) = (failOn, stats)
    let config = loadConfigFile(config)
    let rules = rules.map { RulesLoader.load(path: $0) }
    let settings = try resolved { () throws(SettingsError) in
      try CheckSettings.resolve(flags, config: config, rules: rules)
    }
    var checker = Checker(
      rules: settings.rules, statsWindow: settings.statsWindow, signals: settings.signals)
    for spec in settings.specs {
      guard let problem = readWholeFeed(spec, into: &checker) else { continue }
      throw RunFailure(description: "vigil check: \(spec.target): \(problem)")
    }
    var out = OutputBuffer()
    let report = checker.run { out.line($0) }
    out.flush()
    printError(summary(report))
    if settings.failOnFiring && !report.fired.isEmpty { throw ExitCode(2) }
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
    s += "; \(r.transitions) transitions; "
    s += r.fired.isEmpty ? "nothing fired" : "fired: " + r.fired.joined(separator: ", ")
    for line in r.firstRejections { s += "\n  rejected " + line }
    return s
  }
}

/// Reads a feed to its end into the checker; returns a problem when it cannot be read.
func readWholeFeed(_ spec: FeedSpec, into checker: inout Checker) -> String? {
  var pump = RecordPump(format: spec.format)
  func add(_ batch: RecordBatch) {
    if !batch.isEmpty, let format = pump.format { checker.add(batch, format: format, feed: spec) }
  }
  let problem = readChunks(spec.target, standardInput: spec.kind == .stdin) { chunk in
    var batch = RecordBatch()
    pump.push(chunk, into: &batch)
    add(batch)
  }
  if let problem { return problem }
  var batch = RecordBatch()
  pump.finish(into: &batch)
  add(batch)
  return nil
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
