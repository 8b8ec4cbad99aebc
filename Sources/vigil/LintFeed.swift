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

  @Option(help: "\(FeedFormat.choices).")
  var format: String

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
    var linter = FeedLinter(
      format: settings.format, mapping: settings.mapping, timeUnit: settings.timeUnit,
      arrival: settings.arrival)
    var stdout = OutputBuffer()
    var out = LintOutput()
    func flush() {
      for line in out.stdout { stdout.line(line) }
      stdout.flush()
      if !out.stderr.isEmpty { printError(out.stderr.joined(separator: "\n")) }
      out = LintOutput()
    }
    let problem = readChunks(file, standardInput: file == "-") { chunk in
      linter.push(chunk, into: &out)
      flush()
    }
    if let problem { throw RunFailure(description: "vigil lint-feed: \(file): \(problem)") }
    linter.finish(into: &out)
    flush()
    let verdict = linter.isValid ? "valid" : "INVALID"
    printError(
      "lint-feed: \(linter.samples) samples, \(linter.rejected) rejected, \(linter.warnings) warnings: \(verdict) \(settings.format.rawValue)"
    )
    if !linter.isValid { throw ExitCode(1) }
  }
}
