import CVigilSpawn
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How a command's process ended.
public enum CommandExit: Sendable, Equatable, CustomStringConvertible {
  /// It exited with this status.
  case code(Int32)
  /// This signal ended it.
  case signal(Int32)

  /// From `vigil_child_peek`/`vigil_child_reap`: the status, or -N for signal N.
  init(raw: Int32) { self = raw < 0 ? .signal(-raw) : .code(raw) }

  /// `exit 0`, `exit 3`, `killed by SIGTERM` (or `killed by signal 42`).
  public var description: String {
    switch self {
    case .code(let c): return "exit \(c)"
    case .signal(let s):
      let names: [Int32: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGABRT: "SIGABRT",
        SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE", SIGTERM: "SIGTERM",
        SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGILL: "SIGILL",
      ]
      return "killed by " + (names[s] ?? "signal \(s)")
    }
  }

  /// Exit status 0.
  public var isSuccess: Bool { self == .code(0) }
}

/// When to start an exited command again: `initial`, doubling up to `maximum`; a run that
/// lasted at least `steadyAfter` starts the schedule over.
///
/// ```swift
/// var b = RestartBackoff()               // 1s, 2s, 4s, ... 60s, 60s
/// b.delay(afterRunning: 200 * Nanos.millisecond)   // 1s
/// b.delay(afterRunning: 200 * Nanos.millisecond)   // 2s
/// b.delay(afterRunning: 5 * Nanos.minute)          // 1s again: it had run steadily
/// ```
public struct RestartBackoff: Sendable, Equatable {
  public let initial: Int64
  public let maximum: Int64
  public let steadyAfter: Int64
  private var next: Int64

  public init(
    initial: Int64 = Nanos.second, maximum: Int64 = Nanos.minute,
    steadyAfter: Int64 = 30 * Nanos.second
  ) {
    self.initial = max(1, initial)
    self.maximum = max(self.initial, maximum)
    self.steadyAfter = steadyAfter
    next = self.initial
  }

  /// The wait before the next start, for a process that ran `ran` nanoseconds.
  public mutating func delay(afterRunning ran: Int64) -> Int64 {
    if ran >= steadyAfter { next = initial }
    let d = next
    next = next > maximum / 2 ? maximum : next * 2
    return d
  }
}

/// The last lines of a command's standard error: bounded, escaped for display.
///
/// Lines end at `\n` (a trailing `\r` is dropped); at most `maxLineBytes` of a line are kept
/// (the rest is cut, shown as `…`), and only the last `capacity` lines. Control characters and
/// invalid UTF-8 become `\xNN` (``printableExcerpt(_:limit:)``), so the text is safe to draw.
public struct StderrTail: Sendable, Equatable {
  public let capacity: Int
  public let maxLineBytes: Int
  /// The last `capacity` complete lines, oldest first.
  public private(set) var lines: [String] = []
  /// Every line seen (complete ones; a final unterminated one counts when finished).
  public private(set) var totalLines: UInt64 = 0
  private var partial: [UInt8] = []
  private var cut = false

  public init(capacity: Int = 20, maxLineBytes: Int = 512) {
    self.capacity = max(1, capacity)
    self.maxLineBytes = max(1, maxLineBytes)
  }

  /// Takes a chunk of standard error; returns the lines it completed (at most `capacity`).
  public mutating func push(_ chunk: UnsafeRawBufferPointer) -> [String] {
    var completed: [String] = []
    var start = 0
    for i in 0..<chunk.count where chunk[i] == 0x0A {
      keep(UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
      completed.append(endLine())
      if completed.count > capacity { completed.removeFirst(completed.count - capacity) }
      start = i + 1
    }
    keep(UnsafeRawBufferPointer(rebasing: chunk[start..<chunk.count]))
    return completed
  }

  /// End of the stream: the unterminated last line, if any.
  public mutating func finish() -> [String] {
    guard !partial.isEmpty || cut else { return [] }
    return [endLine()]
  }

  private mutating func keep(_ bytes: UnsafeRawBufferPointer) {
    let room = maxLineBytes - partial.count
    if bytes.count > room { cut = true }
    if room > 0 { partial.append(contentsOf: bytes.prefix(room)) }
  }

  private mutating func endLine() -> String {
    if partial.last == 0x0D { partial.removeLast() }
    var text = printableExcerpt(partial, limit: maxLineBytes)
    if cut && !text.hasSuffix("…") { text += "…" }
    partial.removeAll(keepingCapacity: true)
    cut = false
    lines.append(text)
    if lines.count > capacity { lines.removeFirst(lines.count - capacity) }
    totalLines += 1
    return text
  }
}

/// Lets whoever started a ``CommandSource`` wait until its child is gone (at exit).
public final class CommandLifetime: Sendable {
  private let finished = Atomic<Bool>(false)
  private let pid = Atomic<Int32>(0)

  public init() {}

  /// The running child's pid (also its process group), or 0.
  public var childPID: Int32 { pid.load(ordering: .acquiring) }
  /// True once the source has returned: no child of it is left, and none will start.
  public var isFinished: Bool { finished.load(ordering: .acquiring) }

  func setChild(_ p: Int32) { pid.store(p, ordering: .releasing) }
  func finish() { finished.store(true, ordering: .releasing) }

  /// Waits up to `timeout` nanoseconds for the source to finish (set its stop flag, or close
  /// the inbox, first). Returns whether it did.
  @discardableResult
  public func waitUntilFinished(timeout: Int64) -> Bool {
    let deadline = monotonicNanos() + timeout
    while !isFinished && monotonicNanos() < deadline {
      sleepNanoseconds(5 * Nanos.millisecond)
    }
    return isFinished
  }
}

/// Runs `/bin/sh -c COMMAND` and reads its standard output as a feed (`--command`).
///
/// - The child starts in a session of its own (so its own process group, and no controlling
///   terminal: the dashboard owns the terminal), with stdin on `/dev/null`, no other inherited
///   descriptor, an empty signal mask and default signal actions (`vigil_spawn.h`).
/// - Standard output is framed and its format detected exactly like a file or stdin
///   (``RecordPump``); standard error is kept as a bounded, escaped tail (``StderrTail``) and
///   sent as ``FeedEvent/stderr(_:)``.
/// - When the command exits, anything left in its process group is ended, the exit status is
///   sent (``FeedEvent/exited(_:)``), and the command starts again after ``RestartBackoff``
///   (``FeedEvent/restarting(in:)``).
/// - When `stop` is set or the inbox closes, the process group gets SIGTERM, then SIGKILL after
///   `grace`, and the child is reaped before ``run(inbox:stop:)`` returns (see
///   ``CommandLifetime``).
///
/// Backoff and grace are measured on the monotonic clock; they never stamp data.
public struct CommandSource: FeedSource {
  public let spec: FeedSpec
  public let backoff: RestartBackoff
  public let grace: Int64
  public let maxRecordBytes: Int
  public let lifetime: CommandLifetime

  public init(
    spec: FeedSpec, backoff: RestartBackoff = RestartBackoff(), grace: Int64 = Nanos.second,
    maxRecordBytes: Int = 65_536, lifetime: CommandLifetime = CommandLifetime()
  ) {
    self.spec = spec
    self.backoff = backoff
    self.grace = grace
    self.maxRecordBytes = maxRecordBytes
    self.lifetime = lifetime
  }

  /// Starts, reads and restarts the command until `stop` is set or the inbox closes; the child
  /// is gone when this returns.
  public func run(inbox: MessageInbox, stop: StopFlag) {
    defer { lifetime.finish() }
    var schedule = backoff
    var tail = StderrTail()
    var caughtUp = false
    while !stop.isStopped && !inbox.isClosed {
      let began = monotonicNanos()
      switch runOnce(inbox: inbox, stop: stop, tail: &tail, caughtUp: &caughtUp) {
      case .stopped: return
      case .exited(let status): inbox.send(spec.id, .event(.exited(status)))
      case .spawnFailed(let why): inbox.send(spec.id, .event(.failed(why)))
      }
      if !caughtUp {
        caughtUp = true
        inbox.send(spec.id, .event(.caughtUp))
      }
      let delay = schedule.delay(afterRunning: monotonicNanos() - began)
      inbox.send(spec.id, .event(.restarting(in: delay)))
      let wakeAt = monotonicNanos() + delay
      while !stop.isStopped && !inbox.isClosed {
        let left = wakeAt - monotonicNanos()
        if left <= 0 { break }
        sleepNanoseconds(min(left, 20 * Nanos.millisecond))
      }
    }
  }

  private enum Outcome {
    case exited(CommandExit)
    case spawnFailed(String)
    case stopped
  }

  /// One run of the command: start, read to the end, reap.
  private func runOnce(
    inbox: MessageInbox, stop: StopFlag, tail: inout StderrTail, caughtUp: inout Bool
  ) -> Outcome {
    let child: Child
    switch spawnChild() {
    case .success(let c): child = c
    case .failure(let failure): return .spawnFailed(failure.why)
    }
    let pid = child.pid
    lifetime.setChild(pid)
    defer { lifetime.setChild(0) }
    inbox.send(spec.id, .event(.started(pid)))

    var pump = RecordPump(format: spec.format, maxRecordBytes: maxRecordBytes)
    var fds = [
      pollfd(fd: child.out, events: Int16(POLLIN), revents: 0),
      pollfd(fd: child.err, events: Int16(POLLIN), revents: 0),
    ]
    defer { for f in fds where f.fd >= 0 { close(f.fd) } }
    let stopped = readOutput(
      of: pid, fds: &fds, pump: &pump, tail: &tail, caughtUp: &caughtUp, inbox: inbox,
      stop: stop)
    if stopped { return .stopped }
    var batch = RecordBatch()
    pump.finish(into: &batch)
    if !batch.isEmpty, let f = pump.format { inbox.send(spec.id, .records(batch, f)) }
    let last = tail.finish()
    if !last.isEmpty { inbox.send(spec.id, .event(.stderr(last))) }
    // Stragglers that ignored SIGTERM or kept the pipes open: the group's id is still ours
    // until the shell is reaped, so this cannot hit anyone else.
    _ = vigil_signal_group(pid, SIGKILL)
    var code: Int32 = 0
    guard vigil_child_reap(pid, &code) == 0 else {
      return .spawnFailed("cannot reap the command: " + describe(errno))
    }
    return .exited(CommandExit(raw: code))
  }

  /// A started command: its process (the leader of its group) and the read ends of its
  /// stdout and stderr pipes.
  private struct Child {
    let pid: pid_t
    let out: Int32
    let err: Int32
  }

  /// Why a command could not be started.
  private struct SpawnFailure: Error {
    let why: String
  }

  /// Makes the two pipes and starts the command under /bin/sh with them as its stdout and
  /// stderr; the write ends are closed here, and everything is closed again on failure.
  private func spawnChild() -> Result<Child, SpawnFailure> {
    var out: [Int32] = [-1, -1]
    var err: [Int32] = [-1, -1]
    if let e = makePipe(&out) {
      return .failure(SpawnFailure(why: "cannot make a pipe: " + describe(e)))
    }
    if let e = makePipe(&err) {
      close(out[0])
      close(out[1])
      return .failure(SpawnFailure(why: "cannot make a pipe: " + describe(e)))
    }
    var pid: pid_t = 0
    let rc = spec.target.withCString { vigil_spawn_shell($0, out[1], err[1], &pid) }
    close(out[1])
    close(err[1])
    guard rc == 0 else {
      close(out[0])
      close(err[0])
      return .failure(SpawnFailure(why: "cannot run /bin/sh: " + describe(rc)))
    }
    return .success(Child(pid: pid, out: out[0], err: err[0]))
  }

  /// Reads the command's stdout (records) and stderr (its tail) until both pipes are closed
  /// after it exited, or the grace period after its exit is over. Returns true when it was
  /// stopped (the child is then terminated and reaped here).
  private func readOutput(
    of pid: pid_t, fds: inout [pollfd], pump: inout RecordPump, tail: inout StderrTail,
    caughtUp: inout Bool, inbox: MessageInbox, stop: StopFlag
  ) -> Bool {
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    var exited = false
    var drainUntil: Int64 = .max
    var lastData = monotonicNanos()
    while true {
      if stop.isStopped || inbox.isClosed {
        terminate(pid, exited: exited)
        return true
      }
      if !exited {
        var code: Int32 = 0
        let peeked = vigil_child_peek(pid, &code)
        // ECHILD: someone else reaped it (it cannot be ours to wait for any more).
        if peeked == 1 || (peeked < 0 && errno == ECHILD) {
          exited = true
          // The shell is done: anything it left running in its group goes too. Its output
          // already written is still read below, up to the grace period.
          _ = vigil_signal_group(pid, SIGTERM)
          drainUntil = monotonicNanos() + grace
        }
      }
      let open = fds.filter { $0.fd >= 0 }.count
      if open == 0 && exited { break }
      if monotonicNanos() >= drainUntil { break }
      let ready = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, 2, 20) }
      if ready < 0 && errno != EINTR { break }
      if ready <= 0 {
        if !caughtUp && monotonicNanos() - lastData >= 100 * Nanos.millisecond {
          caughtUp = true
          inbox.send(spec.id, .event(.caughtUp))
        }
        continue
      }
      for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
        let n = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
        if n <= 0 {
          close(fds[i].fd)
          fds[i].fd = -1
          continue
        }
        if i == 0 {
          lastData = monotonicNanos()
          var batch = RecordBatch()
          buffer.withUnsafeBytes {
            pump.push(UnsafeRawBufferPointer(rebasing: $0[0..<n]), into: &batch)
          }
          if !batch.isEmpty, let f = pump.format { inbox.send(spec.id, .records(batch, f)) }
        } else {
          let lines = buffer.withUnsafeBytes {
            tail.push(UnsafeRawBufferPointer(rebasing: $0[0..<n]))
          }
          if !lines.isEmpty { inbox.send(spec.id, .event(.stderr(lines))) }
        }
      }
    }
    return false
  }

  /// Ends the child's process group: SIGTERM, SIGKILL after `grace`, then reaps the child.
  private func terminate(_ pid: pid_t, exited: Bool) {
    var code: Int32 = 0
    if !exited {
      _ = vigil_signal_group(pid, SIGTERM)
      _ = vigil_signal_group(pid, SIGCONT)
      let deadline = monotonicNanos() + grace
      while vigil_child_peek(pid, &code) == 0 && monotonicNanos() < deadline {
        sleepNanoseconds(5 * Nanos.millisecond)
      }
    }
    _ = vigil_signal_group(pid, SIGKILL)
    _ = vigil_child_reap(pid, &code)
  }

  private func makePipe(_ fds: inout [Int32]) -> Int32? {
    let rc = fds.withUnsafeMutableBufferPointer { vigil_spawn_pipe($0.baseAddress) }
    return rc == 0 ? nil : rc
  }

  private func describe(_ e: Int32) -> String { String(cString: strerror(e)) }
}

/// A command as a feed's short name: its first 20 characters, escaped.
func commandDisplayName(_ command: String) -> String {
  var text = printableExcerpt(command, limit: 20)
  while text.hasPrefix(" ") { text.removeFirst() }
  return text
}
