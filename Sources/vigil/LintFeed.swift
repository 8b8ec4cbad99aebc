import ArgumentParser
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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
    guard let f = FeedFormat(rawValue: format) else {
      throw ValidationError("--format \(format): expected \(FeedFormat.choices)")
    }
    var mapping = FieldMapping()
    if let map {
      do { mapping = try FieldMapping.parse(map) } catch {
        throw ValidationError("--map: \(error)")
      }
    }
    let unit = try timeUnit.map {
      guard let u = TimeUnit(rawValue: $0) else {
        throw ValidationError("--time-unit must be s, ms, us or ns")
      }
      return u
    }
    var arrival = SystemClock().now()
    if let time {
      guard case .timestamp(let t) = RFC3339.parse(time) else {
        throw ValidationError("--time \(time): expected an RFC 3339 time like 2026-11-26T10:00:00Z")
      }
      arrival = t
    }
    let fd = file == "-" ? 0 : open(file, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw RunFailure(description: "vigil lint-feed: \(file): \(String(cString: strerror(errno)))")
    }
    defer { if fd != 0 { close(fd) } }

    var linter = FeedLinter(format: f, mapping: mapping, timeUnit: unit, arrival: arrival)
    var stdout = OutputBuffer()
    var out = LintOutput()
    func flush() {
      for line in out.stdout { stdout.line(line) }
      stdout.flush()
      if !out.stderr.isEmpty { printError(out.stderr.joined(separator: "\n")) }
      out = LintOutput()
    }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 {
        throw RunFailure(
          description: "vigil lint-feed: \(file): \(String(cString: strerror(errno)))")
      }
      if n == 0 { break }
      buffer.withUnsafeBytes {
        linter.push(UnsafeRawBufferPointer(rebasing: $0[0..<n]), into: &out)
      }
      flush()
    }
    linter.finish(into: &out)
    flush()
    let verdict = linter.isValid ? "valid" : "INVALID"
    printError(
      "lint-feed: \(linter.samples) samples, \(linter.rejected) rejected, \(linter.warnings) warnings: \(verdict) \(f.rawValue)"
    )
    if !linter.isValid { throw ExitCode(1) }
  }
}
