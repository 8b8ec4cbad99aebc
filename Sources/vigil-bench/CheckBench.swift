import Foundation
import VigilApp
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A child process's run: wall time, CPU time (user + system, every thread), peak RSS
/// (`wait4`'s `ru_maxrss`), exit status, stderr.
struct ChildRun {
  var seconds: Double
  var cpu: Double
  var maxRSSKiB: Int
  var status: Int32
  var stderr: String
}

/// Runs `argv` with stdout to /dev/null and stderr to a file; with `stdinFile`, the file is
/// written into the child's standard input through a pipe (as `cat FILE |` would).
///
/// The peak RSS comes from `/usr/bin/time -f %M` when it is there: `wait4` alone would report
/// this process's own peak, since a spawned child is charged its parent's memory until it
/// execs.
func runChild(_ command: [String], stdinFile: String? = nil) -> ChildRun? {
  let errPath = "\(NSTemporaryDirectory())/vigil-bench-child-\(getpid()).err"
  let rssPath = "\(NSTemporaryDirectory())/vigil-bench-child-\(getpid()).rss"
  let timed = FileManager.default.isExecutableFile(atPath: "/usr/bin/time")
  let argv = timed ? ["/usr/bin/time", "-f", "%M", "-o", rssPath] + command : command
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  var fds: [Int32] = [-1, -1]
  if stdinFile != nil {
    guard pipe(&fds) == 0 else { return nil }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
  }
  let cargs = argv.map { strdup($0) } + [nil]
  defer { for p in cargs { free(p) } }
  var pid: pid_t = 0
  let t0 = monotonicNanos()
  guard posix_spawn(&pid, argv[0], &actions, nil, cargs, environ) == 0 else { return nil }
  var writer: Thread?
  if let stdinFile {
    close(fds[0])
    let (fd, path) = (fds[1], stdinFile)
    writer = Thread { pumpFile(path, into: fd) }
    writer?.start()
  }
  var status: Int32 = 0
  var usage = rusage()
  _ = wait4(pid, &status, 0, &usage)
  let seconds = Double(monotonicNanos() - t0) / 1e9
  let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
  let rss = (try? String(contentsOfFile: rssPath, encoding: .utf8)).flatMap {
    Int($0.split(separator: "\n").last ?? "")
  }
  unlink(errPath)
  unlink(rssPath)
  func secs(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
  // wait4 counts the children the child waited for (time's child).
  return ChildRun(
    seconds: seconds, cpu: secs(usage.ru_utime) + secs(usage.ru_stime),
    maxRSSKiB: rss ?? usage.ru_maxrss, status: (status >> 8) & 0xFF, stderr: err)
}

/// Writes the file into `fd` in 1 MiB pieces, then closes it.
private func pumpFile(_ path: String, into fd: Int32) {
  defer { close(fd) }
  let input = open(path, O_RDONLY)
  guard input >= 0 else { return }
  defer { close(input) }
  var buffer = [UInt8](repeating: 0, count: 1 << 20)
  while true {
    let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
    if n <= 0 { return }
    var off = 0
    while off < n {
      let w = buffer.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + off }, n - off) }
      if w <= 0 { return }
      off += w
    }
  }
}

/// CPU time this process has used so far (user + system), in seconds.
func processCPUSeconds() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// A timed run: wall and CPU seconds.
struct Timed {
  var wall: Double
  var cpu: Double
}

/// `--check-only`: `vigil check` on demo files of 1 M and 5 M lines (`--check-lines A,B`),
/// from the file and from standard input (a pipe), against `mawk` and `wc -l` on the same
/// files and Vigil's ingest path, in one run; with each check run's peak RSS. Wall time is
/// what a user waits; CPU time (every thread, user + system) is steadier on a busy machine.
func checkBench(dir: String, sizes: [Int], vigil: String, old: String?) {
  print("vigil check, streaming: one run, same machine, same files (ratios are what to compare)")
  var rss: [(lines: Int, file: Int, stdin: Int)] = []
  for wanted in sizes {
    let (path, lines) = demoFile(lines: wanted)
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    print("\(lines) lines (\(size / 1_000_000) MB, \(path)):")
    _ = runChild(["/usr/bin/cat", path])  // the page cache
    func show(_ name: String, _ t: Timed, _ extra: String = "") {
      print(
        "  \(name): \(Format.fixed(t.wall, 3)) s = \(Format.fixed(Double(lines) / t.wall / 1e6, 2)) M lines/s "
          + "(CPU \(Format.fixed(t.cpu, 3)) s)\(extra)")
    }
    func tool(_ argv: [String]) -> Timed? {
      guard let r = runChild(argv), r.status == 0 else { return nil }
      return Timed(wall: r.seconds, cpu: r.cpu)
    }
    let wc = tool(["/usr/bin/wc", "-l", path])
    let mawk = tool(["/usr/bin/mawk", mawkSumProgram, path])
    if let wc { show("wc -l", wc) }
    if let mawk { show("mawk sum per metric", mawk) }
    var state = freshState()
    let (w0, c0) = (monotonicNanos(), processCPUSeconds())
    _ = ingest(path: path, state: &state)
    let ingestPath = Timed(
      wall: Double(monotonicNanos() - w0) / 1e9, cpu: processCPUSeconds() - c0)
    show("vigil ingest path (in process)", ingestPath)
    func ratios(_ t: Timed) -> String {
      var parts: [String] = []
      for (name, other) in [("mawk", mawk), ("wc", wc), ("ingest", ingestPath)] {
        guard let other else { continue }
        let wall = Format.fixed(other.wall / t.wall, 2)
        parts.append("check/\(name) \(wall)x (CPU \(Format.fixed(other.cpu / t.cpu, 2))x)")
      }
      return parts.joined(separator: ", ")
    }
    var kib = (file: 0, stdin: 0)
    for (label, stdin) in [("vigil check FILE", false), ("vigil check - (a pipe)", true)] {
      let argv = [vigil, "check", stdin ? "-" : path]
      guard let r = runChild(argv, stdinFile: stdin ? path : nil), r.status == 0 else {
        print("  \(label): failed")
        continue
      }
      let t = Timed(wall: r.seconds, cpu: r.cpu)
      show(label, t, "; peak RSS \(r.maxRSSKiB / 1024) MB; \(ratios(t))")
      if stdin { kib.stdin = r.maxRSSKiB } else { kib.file = r.maxRSSKiB }
      if !stdin, let summary = r.stderr.split(separator: "\n").first { print("    \(summary)") }
    }
    if let old, let r = runChild([old, "check", path]), r.status == 0 {
      let t = Timed(wall: r.seconds, cpu: r.cpu)
      show(
        "older vigil check FILE (\(old))", t, "; peak RSS \(r.maxRSSKiB / 1024) MB; \(ratios(t))")
    }
    rss.append((lines, kib.file, kib.stdin))
  }
  if rss.count >= 2, let a = rss.first, let b = rss.last, a.file > 0, a.stdin > 0 {
    let file = Format.fixed(Double(b.file) / Double(a.file), 3)
    let stdin = Format.fixed(Double(b.stdin) / Double(a.stdin), 3)
    print("peak RSS of check, \(b.lines) lines against \(a.lines): file \(file)x, stdin \(stdin)x")
  }
}

/// mawk summing the value per metric (as the main figures run it).
let mawkSumProgram =
  #"{ m = $0; sub(/.*"metric":"/, "", m); sub(/".*/, "", m); v = $0; sub(/.*"value":/, "", v); sub(/[,}].*/, "", v); s[m] += v } END { for (k in s) print k, s[k] }"#
