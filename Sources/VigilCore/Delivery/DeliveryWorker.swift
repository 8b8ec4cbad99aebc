import CVigilSpawn
import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where notifications go: a command, a webhook, an Alertmanager. A sink is called on its
/// worker's thread only, one batch at a time.
public protocol DeliverySink: Sendable {
  /// For messages: `command`, `webhook http://host:port/path`, `alertmanager http://...`.
  var name: String { get }
  /// The most notifications one call takes (1 for a command: one run per transition).
  var maxBatch: Int { get }
  /// Whether firing alerts are sent again while they fire (Alertmanager times alerts out).
  var wantsResends: Bool { get }
  /// Delivers `batch`: one outcome per notification, with the reason when it failed.
  func deliver(_ batch: [AlertNotification]) -> [(
    DeliveryQueue<AlertNotification>.Outcome, String?
  )]
}

/// One sink's delivery: a bounded queue (``DeliveryQueue``: backoff with jitter, an instance's
/// notifications kept in order) and a thread of its own, so a slow or hanging receiver never
/// holds up the loop or the other sinks.
public final class DeliveryWorker: Sendable {
  /// What delivery has done so far (`vigil watch` prints it; the dashboard shows it).
  public struct Stats: Sendable, Equatable {
    public var delivered = 0
    public var failed = 0
    public var dropped = 0
    public var retries = 0
    public var waiting = 0
    /// Why the last attempt that failed did (`exit 3`, `HTTP 503`, `timed out after 10s`...).
    public var lastError: String?
    /// Whether the newest attempt failed (cleared by the next success).
    public var failing = false
    public init() {}
  }

  private struct State: Sendable {
    var queue: DeliveryQueue<AlertNotification>
    var lastError: String?
    var failing = false
    var stopping = false
    var busy = 0
  }

  public let sink: any DeliverySink
  private let state: Mutex<State>
  /// Signalled when a notification is queued, so the thread wakes at once (not on a poll).
  private let wake = DispatchSemaphore(value: 0)

  public init(
    sink: any DeliverySink, queue: DeliveryQueue<AlertNotification> = DeliveryQueue()
  ) {
    self.sink = sink
    state = Mutex(State(queue: queue))
    spawnThread { [self] in work() }
  }

  /// Queues `n` (never blocks; a full queue counts it as dropped).
  public func send(_ n: AlertNotification) {
    state.withLock { _ = $0.queue.push(n, key: n.instanceKey, now: monotonicNanos()) }
    wake.signal()
  }

  public var stats: Stats {
    state.withLock { s in
      var st = Stats()
      st.delivered = s.queue.delivered
      st.failed = s.queue.failed
      st.dropped = s.queue.dropped
      st.retries = s.queue.retries
      st.waiting = s.queue.entries.count + s.busy
      st.lastError = s.lastError
      st.failing = s.failing
      return st
    }
  }

  /// At shutdown: one last attempt at each notification not tried yet, for at most `limit`;
  /// retries waiting out their backoff are not sent (counted as waiting). Returns the stats.
  @discardableResult
  public func finish(limit: Int64 = 5 * Nanos.second) -> Stats {
    let deadline = monotonicNanos() + limit
    state.withLock { $0.stopping = true }
    while monotonicNanos() < deadline {
      let idle = state.withLock { s in
        s.busy == 0 && !s.queue.entries.contains { $0.attempts == 0 }
      }
      if idle { break }
      sleepNanoseconds(10 * Nanos.millisecond)
    }
    return stats
  }

  private func work() {
    // A command that exits without reading its input, or a receiver that hangs up, must not
    // kill Vigil with SIGPIPE.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGPIPE)
    pthread_sigmask(SIG_BLOCK, &set, nil)
    let limit = max(1, sink.maxBatch)
    while true {
      let batch = state.withLock { s -> [DeliveryQueue<AlertNotification>.Entry] in
        // Stopping: first attempts only (a retry's backoff is not waited out).
        let stopping = s.stopping
        let taken = s.queue.take(now: monotonicNanos(), limit: limit) {
          !stopping || $0.attempts == 0
        }
        s.busy = taken.count
        return taken
      }
      guard !batch.isEmpty else {
        // Until something is queued, or the next retry is due (at most 200 ms: `finish`).
        let due = state.withLock { $0.queue.nextDue }.map { max(0, $0 - monotonicNanos()) }
        let wait = min(due ?? 200 * Nanos.millisecond, 200 * Nanos.millisecond)
        _ = wake.wait(timeout: .now() + .nanoseconds(Int(max(Nanos.millisecond, wait))))
        continue
      }
      let outcomes = sink.deliver(batch.map(\.job))
      state.withLock { s in
        for (i, entry) in batch.enumerated() {
          let (outcome, error) = i < outcomes.count ? outcomes[i] : (.retry, "no outcome")
          s.queue.finished(entry, outcome, now: monotonicNanos())
          if let error { s.lastError = error }
          s.failing = outcome != .delivered
        }
        s.busy = 0
      }
    }
  }
}

/// `--on-alert CMD`: runs `/bin/sh -c CMD` once per alert that starts firing and once when it
/// resolves.
///
/// The alert reaches the command only as data: environment variables
/// (``AlertNotification/environment``) and its JSON on standard input, never spliced into the
/// command's text, so a label value cannot inject shell code. The command's output goes to
/// /dev/null; exit status 0 is delivered, anything else (or running past `timeout`, when its
/// whole process group is killed) is a failure, retried with backoff.
public struct CommandSink: DeliverySink {
  public let command: String
  public let timeout: Int64
  public var name: String { "command" }
  public var maxBatch: Int { 1 }
  public var wantsResends: Bool { false }

  public init(command: String, timeout: Int64 = 10 * Nanos.second) {
    self.command = command
    self.timeout = timeout
  }

  public func deliver(_ batch: [AlertNotification]) -> [(
    DeliveryQueue<AlertNotification>.Outcome, String?
  )] {
    batch.map { n in
      let error = run(n)
      return (error == nil ? .delivered : .retry, error)
    }
  }

  /// Runs the command for `n`: nil when it exited 0, else why not.
  private func run(_ n: AlertNotification) -> String? {
    var input: [Int32] = [-1, -1]
    if input.withUnsafeMutableBufferPointer({ vigil_spawn_pipe($0.baseAddress) }) != 0 {
      return "cannot make a pipe"
    }
    let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
    defer { if null >= 0 { close(null) } }
    // The environment: Vigil's own, then the alert's (which win).
    var env: [String: String] = [:]
    var order: [String] = []
    var p = environ
    while let entry = p.pointee {
      let text = String(cString: entry)
      if let eq = text.firstIndex(of: "=") {
        let name = String(text[..<eq])
        if env[name] == nil { order.append(name) }
        env[name] = String(text[text.index(after: eq)...])
      }
      p += 1
    }
    for (name, value) in n.environment {
      if env[name] == nil { order.append(name) }
      env[name] = value
    }
    var cEnv: [UnsafeMutablePointer<CChar>?] = order.map { strdup($0 + "=" + (env[$0] ?? "")) }
    cEnv.append(nil)
    defer { for e in cEnv { free(e) } }
    var pid: pid_t = 0
    let rc = command.withCString { cmd in
      cEnv.withUnsafeBufferPointer { envp in
        vigil_spawn_shell_io(cmd, input[0], null, null, envp.baseAddress, &pid)
      }
    }
    close(input[0])
    guard rc == 0 else {
      close(input[1])
      return "cannot run /bin/sh: " + String(cString: strerror(rc))
    }
    let bytes = Array((n.json + "\n").utf8)
    var written = 0
    while written < bytes.count {
      let r = bytes[written...].withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
      if r <= 0 { break }  // the command did not read it all (EPIPE): its exit status says
      written += r
    }
    close(input[1])
    let deadline = monotonicNanos() + timeout
    var code: Int32 = 0
    while monotonicNanos() < deadline {
      let peeked = vigil_child_peek(pid, &code)
      if peeked != 0 {
        _ = vigil_child_reap(pid, &code)
        return code == 0 ? nil : (code > 0 ? "exit \(code)" : "killed by signal \(-code)")
      }
      sleepNanoseconds(5 * Nanos.millisecond)
    }
    _ = vigil_signal_group(pid, SIGKILL)
    _ = vigil_child_reap(pid, &code)
    return "timed out after \(Nanos.format(timeout))"
  }
}
