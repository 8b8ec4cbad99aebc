import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A child process on a pseudo-terminal whose master side is read continuously, so the test
/// sees every byte the child wrote to its terminal (tmux would interpret them instead).
public final class PTYProcess: @unchecked Sendable {
  public let pid: pid_t
  private let master: Int32
  private let lock = NSLock()
  private var bytes: [UInt8] = []
  private var reader: Thread?
  private var exitStatus: Int32?

  /// Starts `argv` with stdin, stdout and stderr on a new `width`x`height` terminal.
  public init?(_ argv: [String], width: Int, height: Int, environment: [String: String]) {
    typealias IntFn = @convention(c) (Int32) -> Int32
    typealias NameFn = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
    // The Glibc module hides posix_openpt and friends (they need _XOPEN_SOURCE).
    guard let libc = dlopen(nil, RTLD_NOW), let openSym = dlsym(libc, "posix_openpt"),
      let grantSym = dlsym(libc, "grantpt"), let unlockSym = dlsym(libc, "unlockpt"),
      let nameSym = dlsym(libc, "ptsname")
    else { return nil }
    let m = unsafeBitCast(openSym, to: IntFn.self)(O_RDWR | O_NOCTTY)
    guard m >= 0, unsafeBitCast(grantSym, to: IntFn.self)(m) == 0,
      unsafeBitCast(unlockSym, to: IntFn.self)(m) == 0,
      let name = unsafeBitCast(nameSym, to: NameFn.self)(m)
    else { return nil }
    var size = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
    _ = ioctl(m, UInt(TIOCSWINSZ), &size)
    let slavePath = String(cString: name)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // A new session first (POSIX_SPAWN_SETSID), so opening the terminal makes it controlling.
    posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
    posix_spawn_file_actions_adddup2(&actions, 0, 1)
    posix_spawn_file_actions_adddup2(&actions, 0, 2)
    posix_spawn_file_actions_addclose(&actions, m)
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attr, &empty)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | 0x80))  // 0x80: SETSID
    let env = environment.map { "\($0.key)=\($0.value)" }
    var cArgs = argv.map { strdup($0) } + [nil]
    var cEnv = env.map { strdup($0) } + [nil]
    defer {
      cArgs.forEach { free($0) }
      cEnv.forEach { free($0) }
    }
    var child: pid_t = 0
    guard posix_spawn(&child, argv[0], &actions, &attr, &cArgs, &cEnv) == 0 else {
      close(m)
      return nil
    }
    pid = child
    master = m
    let thread = Thread { [self] in readLoop() }
    reader = thread
    thread.start()
  }

  private func readLoop() {
    var buf = [UInt8](repeating: 0, count: 65_536)
    while true {
      let n = buf.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
      if n <= 0 {
        if n < 0 && errno == EINTR { continue }
        return
      }
      lock.lock()
      bytes += buf[0..<n]
      lock.unlock()
    }
  }

  /// Everything the child has written to its terminal so far.
  public var output: [UInt8] {
    lock.lock()
    defer { lock.unlock() }
    return bytes
  }

  /// Types `text` on the terminal.
  public func type(_ text: String) {
    let data = Array(text.utf8)
    _ = data.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
  }

  /// Whether the child is still running (reaps it when it has exited).
  public var isRunning: Bool {
    if exitStatus != nil { return false }
    var status: Int32 = 0
    if waitpid(pid, &status, WNOHANG) == pid {
      exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
      return false
    }
    return true
  }

  /// Waits up to `seconds` for the exit; the status (128 + N for signal N), or nil.
  public func waitForExit(seconds: Double) -> Int32? {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if !isRunning { return exitStatus }
      usleep(20_000)
    }
    return nil
  }

  /// A field of /proc/PID/status in kB (`VmHWM`, `VmRSS`), while the child runs.
  public func statusKB(_ field: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
      return nil
    }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
      return Int(
        line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
    return nil
  }

  /// Kills the child if it still runs, and closes the terminal.
  public func stop() {
    if isRunning {
      kill(pid, SIGKILL)
      _ = waitForExit(seconds: 5)
    }
    close(master)
  }
}
