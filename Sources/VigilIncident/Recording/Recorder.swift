import VigilApp
import VigilCore

/// Where a recording goes: one file, or a black box of rotating segments in a directory.
public enum RecordingTarget: Sendable, Equatable {
  case file(String)
  /// Segments of `segment` recording time in `directory`; the oldest are deleted while the kept
  /// ones span more than `keep` or take more than `maxBytes`.
  case blackBox(directory: String, keep: Int64, maxBytes: Int, segment: Int64)

  public static let defaultSegment = 10 * Nanos.minute
}

extension RecordingTarget {
  /// The target `--record` or `--black-box` chose (black-box segments of the default length).
  public init(_ choice: RecordingChoice) {
    switch choice {
    case .file(let path): self = .file(path)
    case .blackBox(let directory, let keep, let maxBytes):
      self = .blackBox(
        directory: directory, keep: keep, maxBytes: maxBytes,
        segment: RecordingTarget.defaultSegment)
    }
  }
}

/// Writes what the loop sees into a recording: the header, every feed input, clock tick, rules
/// reload and operator action, and the alert transitions they produced.
///
/// As a black box it starts a new segment file every ``RecordingTarget/defaultSegment`` of
/// recording time, each with a header of its own (marked as continuing an earlier one, with the
/// rules in force then), and deletes the oldest segments beyond the time and size limits.
public final class Recorder: AppLoopObserver {
  public private(set) var writer: RecordingWriter
  private let target: RecordingTarget
  private var header: RecordingHeader
  private var segmentStart: Timestamp
  private var transitionsSeen: Int
  private var marksSeen = 0
  /// Segment files deleted to keep a black box within its limits.
  public private(set) var segmentsDeleted = 0
  /// Records written after the headers (what `vigil` says on quit).
  public private(set) var recordsWritten = 0

  /// Starts a recording of `state` (which must not have processed any message yet).
  public convenience init(path: String, state: AppState, rulesYAML: String, title: String? = nil)
    throws(RecordingFormatError)
  {
    try self.init(target: .file(path), state: state, rulesYAML: rulesYAML, title: title)
  }

  public init(target: RecordingTarget, state: AppState, rulesYAML: String, title: String? = nil)
    throws(RecordingFormatError)
  {
    self.target = target
    header = RecordingHeader(
      start: state.now, clockMode: state.clockMode, windows: state.config.windows,
      signals: state.config.signals, feeds: state.feeds.map(\.spec), rulesYAML: rulesYAML,
      rulesPath: state.config.rulesPath, title: title)
    header.layoutYAML = state.config.layoutText
    header.layoutPath = state.config.layoutPath
    header.configYAML = state.config.configText
    header.configPath = state.config.configPath
    segmentStart = state.now
    transitionsSeen = state.alertHistory.transitionsTotal
    switch target {
    case .file(let path): writer = try RecordingWriter(path: path)
    case .blackBox(let dir, _, _, _):
      try BlackBox.makeDirectory(dir)
      writer = try RecordingWriter(path: BlackBox.segmentPath(dir, start: state.now))
    }
    writer.append(header.json)
    writer.flush()
  }

  /// Records a message before the loop applies it.
  public func willApply(_ message: Message) {
    switch message {
    case .feed(let input):
      rotateIfDue(at: input.arrival)
      append(RecordingEntry.input(input).json)
    case .tick(let t):
      rotateIfDue(at: t)
      append(RecordingEntry.tick(t).json)
      writer.tick(t)
    case .key, .resize, .terminate, .rulesLoaded, .layoutLoaded, .loopMeasured, .mouse, .delivery,
      .wallClock:
      break
    }
  }

  /// Writes one entry (a rules reload also goes into later segment headers).
  public func record(_ entry: RecordingEntry) {
    if case .rules(_, .yaml(let text, let path)) = entry {
      header.rulesYAML = text
      header.rulesPath = path
    }
    append(entry.json)
  }

  /// The loop read the rules file again.
  public func rulesRead(_ text: RulesText, at time: Timestamp) { record(.rules(time, text)) }

  /// The layout was reloaded: later segment headers carry it.
  public func layoutChanged(text: String, path: String?) {
    header.layoutYAML = text
    header.layoutPath = path
  }

  /// Records what applying a message changed: operator actions and new alert transitions.
  public func didApply(_ state: AppState) {
    for action in state.actions { append(RecordingEntry.action(state.now, action).json) }
    let newMarks = min(state.marksTotal - marksSeen, state.marks.count)
    for m in state.marks.suffix(newMarks) {
      append(RecordingEntry.mark(m.time, m.text).json)
    }
    marksSeen = state.marksTotal
    let total = state.alertHistory.transitionsTotal
    let fresh = min(total - transitionsSeen, state.alertHistory.history.count)
    for tr in state.alertHistory.history.suffix(fresh) {
      append(RecordingEntry.alert(tr).json)
    }
    transitionsSeen = total
  }

  /// Black box: closes the segment and opens the next when it is old enough, then deletes the
  /// oldest segments beyond the limits. A segment that cannot be opened stops the recording
  /// (``RecordingWriter/failure`` says why), never Vigil.
  private func rotateIfDue(at t: Timestamp) {
    guard case .blackBox(let dir, let keep, let maxBytes, let segment) = target,
      t.since(segmentStart) >= segment, writer.failure == nil
    else { return }
    append(RecordingEntry.end(t, "segment").json)
    writer.finish()
    segmentStart = t
    header.start = t
    header.continues = true
    do {
      writer = try RecordingWriter(path: BlackBox.segmentPath(dir, start: t))
      writer.append(header.json)
    } catch {
      writer.fail(error.message)
    }
    segmentsDeleted += BlackBox.prune(dir, keep: keep, maxBytes: maxBytes, now: t)
  }

  /// Appends a record to the current file (counted while the file takes them).
  private func append(_ line: JSONValue) {
    if writer.failure == nil { recordsWritten += 1 }
    writer.append(line)
  }

  /// What `vigil` says on quit: where the recording went, or why it stopped.
  public var summary: String {
    switch target {
    case .file(let path):
      if let why = writer.failure { return "\(path): \(why)" }
      return "recorded \(recordsWritten) records to \(path)"
    case .blackBox(let dir, _, _, _):
      let note = writer.failure.map { "; the last segment stopped: \($0)" } ?? ""
      return "recorded \(recordsWritten) records to the black box in \(dir)" + note
    }
  }

  /// The loop ended: the `end` entry names the reason.
  public func finish(at t: Timestamp, reason: ExitReason) {
    finish(at: t, reason: reason.recordName)
  }

  /// Writes the `end` entry and closes the file (once; later calls do nothing).
  public func finish(at t: Timestamp, reason: String) {
    guard !finished else { return }
    finished = true
    append(RecordingEntry.end(t, reason).json)
    writer.finish()
  }
  private var finished = false
}

extension ExitReason {
  /// How a recording's `end` entry names it.
  public var recordName: String {
    switch self {
    case .quit: "quit"
    case .signal(let s): "signal \(s)"
    case .framesDone: "frames done"
    }
  }
}
