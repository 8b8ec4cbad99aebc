import ArgumentParser
import VigilCore

struct LintFeed: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lint-feed",
    abstract: "Check a feed file: every parsed sample as JSON, every rejected line on stderr.",
    discussion: """
      Like promtool check metrics, for every format Vigil reads. Each sample is one JSON line \
      on standard output ({"line","t","metric","labels","value","weight"}); each rejected line \
      and each warning goes to standard error with its line number and reason, then a summary. \
      Exit status 1 when the input is invalid under the format's own rules (a Prometheus or \
      OpenMetrics exposition is read as one whole: any error invalidates all of it), 0 \
      otherwise. Prometheus counters are shown as written (cumulative), not as the deltas \
      the dashboard derives from two scrapes.
      """)

  @Option(
    help: "\(FeedFormat.choices). (default: detected from the first lines, as the dashboard does)")
  var format: String?

  @Option(help: "Field mapping, as for vigil run (line formats).")
  var map: String?

  @Option(help: "Unit of numeric timestamps: s, ms, us or ns.")
  var timeUnit: String?

  @Option(help: "The time of samples without a timestamp (RFC 3339). Default: now.")
  var time: String?

  @Argument(help: "The file, or - for standard input.")
  var file: String

  func run() throws {
    var flags = LintFeedFlags(format: format)
    (flags.map, flags.timeUnit, flags.time) = (map, timeUnit, time)
    let now = SystemClock().now()
    let settings = try resolved { () throws(SettingsError) in
      try LintFeedSettings.resolve(flags, now: now)
    }
    // Without --format, the first lines tell (held until they do), as in the dashboard.
    var linter: FeedLinter?
    var format = settings.format
    var held: [UInt8] = []
    func start(_ f: FeedFormat) -> FeedLinter {
      format = f
      return FeedLinter(
        format: f, mapping: settings.mapping, timeUnit: settings.timeUnit,
        arrival: settings.arrival)
    }
    if let f = settings.format { linter = start(f) }
    var stdout = OutputBuffer()
    var out = LintOutput()
    func flush() {
      for line in out.stdout { stdout.line(line) }
      stdout.flush()
      if !out.stderr.isEmpty { printError(out.stderr.joined(separator: "\n")) }
      out = LintOutput()
    }
    let problem = readChunks(file, standardInput: file == "-") { chunk in
      if linter == nil {
        held.append(contentsOf: chunk)
        guard let f = RecordPump.detect(held, final: false) else { return }
        var l = start(f)
        held.withUnsafeBytes { l.push($0, into: &out) }
        held = []
        linter = l
      } else {
        linter?.push(chunk, into: &out)
      }
      flush()
    }
    if let problem { throw RunFailure(description: "vigil lint-feed: \(file): \(problem)") }
    var l = linter ?? start(RecordPump.detect(held, final: true) ?? .json)
    if linter == nil { held.withUnsafeBytes { l.push($0, into: &out) } }
    l.finish(into: &out)
    flush()
    let verdict = l.isValid ? "valid" : "INVALID"
    let how = settings.format == nil ? " (detected)" : ""
    printError(
      "lint-feed: \(l.samples) samples, \(l.rejected) rejected, \(l.warnings) warnings: \(verdict) \((format ?? .json).rawValue)\(how)"
    )
    if !l.isValid { throw ExitCode(1) }
  }
}
