import ArgumentParser
import VigilApp
import VigilCore
import VigilIncident

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write an incident report (HTML or Markdown) from a recording made with --record.",
    discussion: """
      The recording is replayed to its end with the same engine as vigil replay (as fast as \
      it can, no terminal) and sampled at every evaluation tick (10s; coarser for recordings \
      over four hours). The HTML is one self-contained file (inline CSS and SVG, no network): \
      a summary (which alerts fired on what, when the incident began, time to detection and \
      to resolution, the top suspect), headline numbers (those times, the incident window, \
      fired and pending-only episodes, time to first alert), impact totals over the incident \
      window (failed payments, retries, order-error tickets, slow checkouts, late \
      confirmations), time firing per rule, worst values (and why one differs from an \
      episode's peak), a chart per signal with thresholds, alert bands and markers, the alert \
      timeline, episodes, markers and notes (with those of FILE's .notes.jsonl sidecar), \
      rules and transitions. --format md writes the same as Markdown, charts as sparklines. \
      A damaged or cut-off recording is reported as far as it can be read, with a warning.
      """)

  @Argument(
    help: "The recording (.incident.jsonl or .incident.jsonl.gz), or a black-box directory.")
  var file: String?

  @OptionGroup(title: "Reporting on a Prometheus server's history")
  var history: PrometheusHistoryOptions

  @Option(
    name: .shortAndLong,
    help: ArgumentHelp(
      "Where to write the report; - for standard output.",
      discussion:
        "Default: FILE with .html or .md instead of .jsonl[.gz] (with --prometheus: incident.html).",
      valueName: "path"))
  var out: String?

  @Option(help: "html or md.")
  var format: String = "html"

  @Option(help: "The report's title (default: the recording's --title, or \"Incident\").")
  var title: String?

  func validate() throws {
    try history.validate(recording: file)
    guard format == "html" || format == "md" else {
      throw ValidationError("--format takes html or md, not \"\(format)\"")
    }
  }

  /// FILE with the format's extension instead of `.jsonl` (or `.jsonl.gz`).
  static func defaultOutput(for file: String, format: String) -> String {
    let file = file.hasSuffix(".jsonl.gz") ? String(file.dropLast(3)) : file
    return (file.hasSuffix(".jsonl") ? String(file.dropLast(6)) : file) + "." + format
  }

  func run() throws {
    let loaded = try loadRecording(file, history: history, command: "report")
    let sidecar = file.map { SidecarNotes.load(path: SidecarNotes.path(for: $0)) } ?? []
    let report = IncidentReport.build(file: loaded, sidecar: sidecar, title: title)
    let text = format == "md" ? ReportMarkdown.render(report) : ReportHTML.render(report)
    let path = out ?? Self.defaultOutput(for: file ?? "incident", format: format)
    if path == "-" {
      print(text, terminator: "")
      return
    }
    if let problem = writeFileAtomically(path, text) {
      throw RunFailure(description: "vigil report: cannot write \(path): \(problem)")
    }
    printError(
      "vigil report: wrote \(path) (\(text.utf8.count / 1024) KB): "
        + "\(report.episodes.count) episodes, \(report.transitions.count) transitions, "
        + "\(report.notes.count) markers and notes")
  }
}

/// Writes `text` to `path` through a temporary file in the same directory, so a failed write
/// never leaves half a report; returns why it failed, or nil.
func writeFileAtomically(_ path: String, _ text: String) -> String? {
  let tmp = path + ".tmp-\(getpid())"
  let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
  guard fd >= 0 else { return String(cString: strerror(errno)) }
  let bytes = Array(text.utf8)
  var done = 0
  var failure: String?
  while done < bytes.count {
    let n = bytes.withUnsafeBytes { raw in
      write(fd, UnsafeRawBufferPointer(rebasing: raw[done...]).baseAddress, raw.count - done)
    }
    if n < 0 && errno == EINTR { continue }
    if n <= 0 {
      failure = String(cString: strerror(errno))
      break
    }
    done += n
  }
  if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
  _ = close(fd)
  if failure == nil && rename(tmp, path) != 0 { failure = String(cString: strerror(errno)) }
  if failure != nil { _ = unlink(tmp) }
  return failure
}
