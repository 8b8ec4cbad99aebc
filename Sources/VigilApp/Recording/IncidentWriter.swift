import CZlib
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Appends lines to a recording file, flushed at least once a second of clock time, so a
/// recording cut off by `kill -9` or a full disk is readable up to its last complete line.
///
/// A path ending in `.gz` is written gzip-compressed: each flush ends with a zlib sync flush,
/// so everything flushed decompresses even when the gzip trailer never gets written.
///
/// A write error stops the recording (and says why in ``failure``); it never stops Vigil.
public final class IncidentWriter {
  private var fd: Int32
  private var buffer: [UInt8] = []
  private var lastFlush: Timestamp?
  private let deflater: Deflater?
  private var finished = false
  /// Bytes written to the file (compressed, for gzip).
  public private(set) var bytesWritten = 0
  /// Why recording stopped, if it did.
  public private(set) var failure: String?
  public static let flushBytes = 256 << 10

  /// Creates (or truncates) `path`; gzip-compressed when it ends in `.gz`.
  public init(path: String) throws(IncidentFormatError) {
    if path.hasSuffix(".gz") {
      guard let d = Deflater() else {
        throw IncidentFormatError("cannot start gzip compression for \(path)")
      }
      deflater = d
    } else {
      deflater = nil
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw IncidentFormatError("cannot create \(path): \(String(cString: strerror(errno)))")
    }
  }

  deinit { if fd >= 0 { closeDescriptor(fd) } }

  public func append(_ value: JSONValue) {
    guard failure == nil else { return }
    var line = ""
    value.write(to: &line)
    line += "\n"
    buffer.append(contentsOf: line.utf8)
    if buffer.count >= Self.flushBytes { flush() }
  }

  /// Flushes when a second of clock time has passed since the last flush.
  public func tick(_ now: Timestamp) {
    guard let last = lastFlush else {
      lastFlush = now
      return
    }
    if now.since(last) >= Nanos.second || now < last {
      flush()
      lastFlush = now
    }
  }

  /// Writes everything buffered (compressed: up to a sync flush point).
  public func flush() { flush(final: false) }

  private func flush(final: Bool) {
    guard failure == nil, !finished else { return }
    guard let deflater else {
      guard !buffer.isEmpty else { return }
      writeAll(buffer)
      buffer.removeAll(keepingCapacity: true)
      return
    }
    guard !buffer.isEmpty || final else { return }
    let out = deflater.compress(buffer, finish: final)
    buffer.removeAll(keepingCapacity: true)
    guard let out else {
      failure = "recording stopped after \(bytesWritten) bytes: gzip compression failed"
      return
    }
    writeAll(out)
  }

  private func writeAll(_ bytes: [UInt8]) {
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        write(fd, UnsafeRawBufferPointer(rebasing: raw[done...]).baseAddress, raw.count - done)
      }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 {
        failure =
          "recording stopped after \(bytesWritten) bytes: \(String(cString: strerror(errno)))"
        return
      }
      done += n
      bytesWritten += n
    }
  }

  /// Stops the recording with a reason (nothing more is written).
  public func fail(_ why: String) {
    if failure == nil { failure = why }
  }

  /// Flushes (ending the gzip stream), syncs and closes the file.
  public func finish() {
    flush(final: true)
    finished = true
    if fd >= 0 {
      _ = fsync(fd)
      closeDescriptor(fd)
      fd = -1
    }
  }
}

/// A zlib deflate stream writing gzip, at a fixed address (zlib keeps a pointer back to it).
final class Deflater {
  private let stream: UnsafeMutablePointer<z_stream>

  init?(level: Int32 = Z_DEFAULT_COMPRESSION) {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    guard vigil_deflate_init(stream, level) == Z_OK else {
      stream.deallocate()
      return nil
    }
  }

  deinit {
    deflateEnd(stream)
    stream.deallocate()
  }

  /// Compresses `input` and ends with a sync flush (every byte so far can be decompressed
  /// from what is returned), or with the gzip trailer when `finish`. Nil on a zlib error.
  func compress(_ input: [UInt8], finish: Bool) -> [UInt8]? {
    var out: [UInt8] = []
    let chunk = 64 << 10
    let mode = finish ? Z_FINISH : Z_SYNC_FLUSH
    return input.withUnsafeBytes { raw -> [UInt8]? in
      stream.pointee.next_in = UnsafeMutablePointer(
        mutating: raw.baseAddress?.assumingMemoryBound(to: Bytef.self))
      stream.pointee.avail_in = UInt32(raw.count)
      while true {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: chunk))
        let rc = out.withUnsafeMutableBytes { o -> Int32 in
          stream.pointee.next_out = o.baseAddress.map {
            ($0 + start).assumingMemoryBound(to: Bytef.self)
          }
          stream.pointee.avail_out = UInt32(chunk)
          return deflate(stream, mode)
        }
        let left = Int(stream.pointee.avail_out)
        out.removeLast(left)
        if rc == Z_STREAM_END { return out }
        guard rc == Z_OK || rc == Z_BUF_ERROR else { return nil }
        // A sync flush is complete when zlib had output room to spare; a finish goes on
        // until Z_STREAM_END.
        if !finish && left > 0 { return out }
        if finish && rc == Z_BUF_ERROR && left > 0 { return nil }
      }
    }
  }
}

private func closeDescriptor(_ fd: Int32) { _ = close(fd) }

/// Where a recording goes: one file, or a black box of rotating segments in a directory.
public enum RecordingTarget: Sendable, Equatable {
  case file(String)
  /// Segments of `segment` recording time in `directory`; the oldest are deleted while the kept
  /// ones span more than `keep` or take more than `maxBytes`.
  case blackBox(directory: String, keep: Int64, maxBytes: Int, segment: Int64)

  public static let defaultSegment = 10 * Nanos.minute
}

/// Writes what the loop sees into a recording: the header, every feed input, clock tick, rules
/// reload and operator action, and the alert transitions they produced.
///
/// As a black box it starts a new segment file every ``RecordingTarget/defaultSegment`` of
/// recording time, each with a header of its own (marked as continuing an earlier one, with the
/// rules in force then), and deletes the oldest segments beyond the time and size limits.
public final class IncidentRecorder {
  public private(set) var writer: IncidentWriter
  private let target: RecordingTarget
  private var header: IncidentHeader
  private var segmentStart: Timestamp
  private var transitionsSeen: Int
  private var marksSeen = 0
  /// Segment files deleted to keep a black box within its limits.
  public private(set) var segmentsDeleted = 0

  /// Starts a recording of `state` (which must not have processed any message yet).
  public convenience init(path: String, state: AppState, rulesYAML: String, title: String? = nil)
    throws(IncidentFormatError)
  {
    try self.init(target: .file(path), state: state, rulesYAML: rulesYAML, title: title)
  }

  public init(target: RecordingTarget, state: AppState, rulesYAML: String, title: String? = nil)
    throws(IncidentFormatError)
  {
    self.target = target
    header = IncidentHeader(
      start: state.now, clockMode: state.clockMode, windows: state.config.windows,
      signals: state.config.signals, feeds: state.feeds.map(\.spec), rulesYAML: rulesYAML,
      rulesPath: state.config.rulesPath, title: title)
    header.layoutYAML = state.config.layoutText
    header.layoutPath = state.config.layoutPath
    segmentStart = state.now
    transitionsSeen = state.alerts.transitionsTotal
    switch target {
    case .file(let path): writer = try IncidentWriter(path: path)
    case .blackBox(let dir, _, _, _):
      try BlackBox.makeDirectory(dir)
      writer = try IncidentWriter(path: BlackBox.segmentPath(dir, start: state.now))
    }
    writer.append(header.json)
    writer.flush()
  }

  /// Records a message before the loop applies it.
  public func record(_ message: Message) {
    switch message {
    case .feed(let input):
      rotateIfDue(at: input.arrival)
      writer.append(IncidentRecord.input(input).json)
    case .tick(let t):
      rotateIfDue(at: t)
      writer.append(IncidentRecord.tick(t).json)
      writer.tick(t)
    case .key, .resize, .terminate, .rulesLoaded, .layoutLoaded, .loopMeasured, .mouse: break
    }
  }

  public func record(_ record: IncidentRecord) {
    if case .rules(_, .yaml(let text, let path)) = record {
      header.rulesYAML = text
      header.rulesPath = path
    }
    writer.append(record.json)
  }

  /// The layout was reloaded: later segment headers carry it.
  public func layoutChanged(text: String, path: String?) {
    header.layoutYAML = text
    header.layoutPath = path
  }

  /// Records what applying a message changed: operator actions and new alert transitions.
  public func recordOutcome(of state: AppState) {
    for action in state.actions { writer.append(IncidentRecord.action(state.now, action).json) }
    let newMarks = min(state.marksTotal - marksSeen, state.marks.count)
    for m in state.marks.suffix(newMarks) {
      writer.append(IncidentRecord.mark(m.time, m.text).json)
    }
    marksSeen = state.marksTotal
    let total = state.alerts.transitionsTotal
    let fresh = min(total - transitionsSeen, state.alerts.history.count)
    for tr in state.alerts.history.suffix(fresh) { writer.append(IncidentRecord.alert(tr).json) }
    transitionsSeen = total
  }

  /// Black box: closes the segment and opens the next when it is old enough, then deletes the
  /// oldest segments beyond the limits. A segment that cannot be opened stops the recording
  /// (``IncidentWriter/failure`` says why), never Vigil.
  private func rotateIfDue(at t: Timestamp) {
    guard case .blackBox(let dir, let keep, let maxBytes, let segment) = target,
      t.since(segmentStart) >= segment, writer.failure == nil
    else { return }
    writer.append(IncidentRecord.end(t, "segment").json)
    writer.finish()
    segmentStart = t
    header.start = t
    header.continues = true
    do {
      writer = try IncidentWriter(path: BlackBox.segmentPath(dir, start: t))
      writer.append(header.json)
    } catch {
      writer.fail(error.message)
    }
    segmentsDeleted += BlackBox.prune(dir, keep: keep, maxBytes: maxBytes, now: t)
  }

  /// Writes the `end` record and closes the file (once; later calls do nothing).
  public func finish(at t: Timestamp, reason: String) {
    guard !finished else { return }
    finished = true
    writer.append(IncidentRecord.end(t, reason).json)
    writer.finish()
  }
  private var finished = false
}

/// `update`, with the message and what it changed written to `recorder` (when there is one):
/// the one way the live loop applies a message, so a recording holds exactly what happened.
public func updateRecording(
  _ state: inout AppState, _ message: Message, recorder: IncidentRecorder?
) -> [Effect] {
  recorder?.record(message)
  let effects = update(&state, message)
  recorder?.recordOutcome(of: state)
  state.actions.removeAll()
  return effects
}
