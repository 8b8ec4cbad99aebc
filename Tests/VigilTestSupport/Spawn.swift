#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The outcome of a finished child process.
public struct SpawnResult: Sendable {
  /// Exit status, or 128 + N when killed by signal N (as shells report it).
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

/// Runs `argv` (PATH is searched) with `environment`, feeding `stdin`, and waits for it.
///
/// Uses posix_spawn and waitpid directly: Foundation's Process waits on a run loop that test
/// threads do not run, and can miss the child's exit. Output is read from pipes until end of
/// file, so a child must not leave a daemon holding them (use `captureOutput: false`).
public func spawnAndWait(
  _ argv: [String], environment: [String: String]? = nil, stdin: String? = nil,
  captureOutput: Bool = true, timeoutSeconds: Int = 120
) -> SpawnResult {
  var outPipe: [Int32] = [-1, -1]
  var errPipe: [Int32] = [-1, -1]
  var inPipe: [Int32] = [-1, -1]
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  if captureOutput {
    _ = pipe(&outPipe)
    _ = pipe(&errPipe)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    posix_spawn_file_actions_addclose(&actions, outPipe[0])
    posix_spawn_file_actions_addclose(&actions, errPipe[0])
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
  }
  if stdin != nil {
    _ = pipe(&inPipe)
    posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
    posix_spawn_file_actions_addclose(&actions, inPipe[1])
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
  }
  var env = environment ?? currentEnvironment()
  env["SWIFT_BACKTRACE"] = env["SWIFT_BACKTRACE"] ?? "interactive=no"
  let envStrings = env.map { "\($0.key)=\($0.value)" }
  var cArgs = argv.map { strdup($0) } + [nil]
  var cEnv = envStrings.map { strdup($0) } + [nil]
  defer {
    cArgs.forEach { free($0) }
    cEnv.forEach { free($0) }
  }
  // Test threads block signals, and a spawned child would inherit that mask (tmux would pass
  // it on to the shell and to Vigil): start children with no blocked signals, default actions.
  var attr = posix_spawnattr_t()
  posix_spawnattr_init(&attr)
  defer { posix_spawnattr_destroy(&attr) }
  var empty = sigset_t()
  sigemptyset(&empty)
  posix_spawnattr_setsigmask(&attr, &empty)
  var defaults = sigset_t()
  sigemptyset(&defaults)
  for sig in [SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP, SIGCONT, SIGPIPE, SIGCHLD, SIGQUIT] {
    sigaddset(&defaults, sig)
  }
  posix_spawnattr_setsigdefault(&attr, &defaults)
  posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
  var pid: pid_t = 0
  let rc = posix_spawnp(&pid, argv[0], &actions, &attr, &cArgs, &cEnv)
  for fd in [outPipe[1], errPipe[1], inPipe[0]] where fd >= 0 { close(fd) }
  guard rc == 0 else {
    for fd in [outPipe[0], errPipe[0], inPipe[1]] where fd >= 0 { close(fd) }
    return SpawnResult(status: 127, stdout: "", stderr: "spawn failed: \(rc)")
  }
  if let stdin, inPipe[1] >= 0 {
    let data = Array(stdin.utf8)
    var off = 0
    while off < data.count {
      let n = data.withUnsafeBytes { raw in
        write(inPipe[1], UnsafeRawBufferPointer(rebasing: raw[off...]).baseAddress, raw.count - off)
      }
      if n <= 0 { break }
      off += n
    }
    close(inPipe[1])
  }
  var out: [UInt8] = []
  var err: [UInt8] = []
  let deadline = time(nil) + timeoutSeconds
  if captureOutput {
    // Read both pipes without blocking on either.
    var fds = [
      pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0),
      pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0),
    ]
    var open = 2
    var buf = [UInt8](repeating: 0, count: 65_536)
    while open > 0 && time(nil) < deadline {
      if poll(&fds, 2, 200) <= 0 { continue }
      for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
        let n = buf.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
        if n > 0 {
          if i == 0 { out += buf[0..<n] } else { err += buf[0..<n] }
        } else {
          close(fds[i].fd)
          fds[i].fd = -1
          open -= 1
        }
      }
    }
    for f in fds where f.fd >= 0 { close(f.fd) }
  }
  var status: Int32 = 0
  while true {
    let r = waitpid(pid, &status, WNOHANG)
    if r == pid { break }
    if r < 0 && errno != EINTR { break }
    if time(nil) >= deadline { kill(pid, SIGKILL) }
    usleep(10_000)
  }
  let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
  return SpawnResult(
    status: code, stdout: String(decoding: out, as: UTF8.self),
    stderr: String(decoding: err, as: UTF8.self))
}

/// This process's environment as a dictionary.
public func currentEnvironment() -> [String: String] {
  var env: [String: String] = [:]
  var p = environ
  while let entry = p.pointee {
    let s = String(cString: entry)
    if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
    p += 1
  }
  return env
}
