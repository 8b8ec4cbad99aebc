import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A child process that runs while a test talks to it (a real Prometheus), with its output in
/// a log file. ``stop()`` ends it with SIGTERM (SIGKILL after two seconds) and reaps it.
///
/// A thread of its own waits for it and reaps it the moment it exits, even when nothing stops
/// it (a shared fixture's `timeout 120 prometheus` ending by itself). An unreaped child is a
/// zombie that Swift Testing's exit-test monitor can take for its own and spin on, hanging the
/// run (seen once: a Prometheus fixture's `timeout` exited, then the signal exit tests hung).
public final class BackgroundProcess: @unchecked Sendable {
  // Safe: `exited` is behind `lock`; the rest is set once.
  public let pid: pid_t
  public let logPath: String
  private let lock = NSLock()
  private var exitedFlag = false
  private var exited: Bool {
    get { lock.withLock { exitedFlag } }
    set { lock.withLock { exitedFlag = newValue } }
  }

  /// Starts `argv` (PATH is searched) with stdout and stderr appended to `logPath`.
  /// - Returns: nil when it could not be spawned.
  public init?(_ argv: [String], logPath: String) {
    self.logPath = logPath
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attr, &empty)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK))
    var cArgs = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    var p: pid_t = 0
    guard posix_spawnp(&p, argv[0], &actions, &attr, &cArgs, environ) == 0 else { return nil }
    pid = p
    let child = p
    let reaper = Thread { [weak self] in
      var status: Int32 = 0
      while waitpid(child, &status, 0) < 0 && errno == EINTR {}
      self?.exited = true
    }
    reaper.start()
  }

  /// Whether the process is still running (its reaper has not seen it exit).
  public var isRunning: Bool { !exited }

  /// The end of its log (for failure messages).
  public func logTail(_ bytes: Int = 2000) -> String {
    let fd = open(logPath, O_RDONLY)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65_536)
    while true {
      let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      out += buf[0..<n]
      if out.count > 1 << 20 { out.removeFirst(out.count - bytes) }
    }
    return String(decoding: out.suffix(bytes), as: UTF8.self)
  }

  public func stop() {
    guard isRunning else { return }
    kill(pid, SIGTERM)
    for _ in 0..<200 {
      if !isRunning { return }
      usleep(10_000)
    }
    kill(pid, SIGKILL)
    // The reaper reaps it; wait for that (a killed process exits at once).
    for _ in 0..<500 where isRunning { usleep(10_000) }
  }

  deinit { stop() }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
public func freeLoopbackPort() -> UInt16 {
  let fd = socket(AF_INET, socketStreamType, 0)
  defer { close(fd) }
  var a = sockaddr_in()
  a.sin_family = sa_family_t(AF_INET)
  a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
  _ = withUnsafePointer(to: &a) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  var len = socklen_t(MemoryLayout<sockaddr_in>.size)
  _ = withUnsafeMutablePointer(to: &a) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
  }
  return UInt16(bigEndian: a.sin_port)
}

#if canImport(Glibc)
  private let socketStreamType = Int32(SOCK_STREAM.rawValue)
#else
  private let socketStreamType = SOCK_STREAM
#endif
