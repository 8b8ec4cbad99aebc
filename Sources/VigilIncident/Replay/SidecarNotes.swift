import VigilApp
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Markers added while replaying go to a sidecar file beside the recording
/// (`x.incident.notes.jsonl`), one `mark` record per line: the recording is never modified.
public enum SidecarNotes {
  /// The sidecar beside a recording: `x.incident.jsonl` (or `x.incident.jsonl.gz`) has
  /// `x.incident.notes.jsonl`.
  public static func path(for recording: String) -> String {
    let recording = recording.hasSuffix(".jsonl.gz") ? String(recording.dropLast(3)) : recording
    return recording.hasSuffix(".jsonl")
      ? String(recording.dropLast(6)) + ".notes.jsonl" : recording + ".notes.jsonl"
  }

  /// The markers in a sidecar file; a missing or damaged file gives what could be read.
  public static func load(path: String) -> [(time: Timestamp, text: String)] {
    guard let bytes = RecordingFile.readAll(path) else { return [] }
    var out: [(Timestamp, String)] = []
    for line in bytes.split(separator: 0x0A) {
      let value = line.withUnsafeBytes { try? JSONValue.parse($0) }
      if let value, let record = try? RecordingEntry(json: value),
        case .mark(let t, let text) = record
      {
        out.append((t, text))
      }
    }
    return out
  }

  /// Appends one marker; false when the file cannot be written.
  @discardableResult
  public static func append(path: String, time: Timestamp, text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return false }
    defer { _ = close(fd) }
    let line = Array((RecordingEntry.mark(time, text).json.text + "\n").utf8)
    return line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == line.count
  }
}
