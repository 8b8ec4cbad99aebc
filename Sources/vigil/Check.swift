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

  @Option(help: "A rules file (YAML). Default: the built-in rules for the six signals.")
  var rules: String?

  @Option(help: "A config file (for signal names and feed settings).")
  var config: String?

  @OptionGroup var feedOptions: FeedOptions

  @Option(help: "Exit with status 2 when any alert reached this state (firing).")
  var failOn: String?

  @Option(help: "Also print each series' statistics at every boundary of this window (e.g. 1m).")
  var stats: String?

  func run() throws {
    var file = ConfigFile()
    if let path = config {
      switch ConfigLoader.load(path: path) {
      case .success(let loaded): file = loaded
      case .failure(let problems): throw RunFailure(description: problems.description)
      }
    }
    let ruleSet: RuleSet
    let rulesResult =
      rules.map { RulesLoader.load(path: $0) }
      ?? RulesLoader.parse(DefaultRules.yaml(signals: file.signals), file: "default rules")
    switch rulesResult {
    case .success(let set): ruleSet = set
    case .failure(let problems): throw RunFailure(description: problems.description)
    }
    if let failOn, failOn != "firing" { throw ValidationError("--fail-on takes: firing") }
    var statsWindow: Int64?
    if let stats {
      guard let w = Nanos.parse(stats) else {
        throw ValidationError("--stats: \"\(stats)\" is not a duration like 1m")
      }
      if let problem = WindowsConfig().problem(withWindow: w) {
        throw ValidationError("--stats: \(problem)")
      }
      statsWindow = w
    }
    guard !file.feeds.isEmpty || !feeds.isEmpty || !moreFeeds.isEmpty else {
      throw ValidationError("give at least one feed (--feed FILE)")
    }
    let given = feeds + moreFeeds
    try feedOptions.validate(feedCount: given.count)
    let specs = try feedOptions.specs(config: file.feeds, targets: given)
    if let live = specs.first(where: { $0.kind == .command || $0.kind == .scrape }) {
      throw ValidationError(
        "vigil check reads files; the \(live.kind.rawValue) feed \"\(live.displayName)\" runs only in the dashboard"
      )
    }

    var checker = Checker(rules: ruleSet, statsWindow: statsWindow, signals: file.signals)
    for spec in specs {
      guard let problem = readWholeFeed(spec, into: &checker) else { continue }
      throw RunFailure(description: "vigil check: \(spec.target): \(problem)")
    }
    var out = OutputBuffer()
    let report = checker.run { out.line($0) }
    out.flush()
    printError(summary(report))
    if failOn == "firing" && !report.fired.isEmpty { throw ExitCode(2) }
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
  let fd = spec.kind == .stdin ? 0 : open(spec.target, O_RDONLY | O_CLOEXEC)
  guard fd >= 0 else { return String(cString: strerror(errno)) }
  defer { if fd != 0 { close(fd) } }
  var pump = RecordPump(format: spec.format)
  var buffer = [UInt8](repeating: 0, count: 1 << 20)
  while true {
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n < 0 && errno == EINTR { continue }
    if n < 0 { return String(cString: strerror(errno)) }
    var batch = RecordBatch()
    if n == 0 {
      pump.finish(into: &batch)
    } else {
      buffer.withUnsafeBytes {
        pump.push(UnsafeRawBufferPointer(rebasing: $0[0..<n]), into: &batch)
      }
    }
    if !batch.isEmpty, let format = pump.format { checker.add(batch, format: format, feed: spec) }
    if n == 0 { return nil }
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
