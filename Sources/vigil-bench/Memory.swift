import Foundation
import Synchronization

/// A line of `/proc/self/status` in KiB (`VmHWM`: peak RSS; `RssAnon`: anonymous memory now).
func statusKiB(_ field: String) -> Int {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
    return 0
  }
  for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
    return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
  }
  return 0
}

/// The peak of anonymous memory (`RssAnon`, which the kernel does not keep a peak of), sampled
/// every 2 ms on a thread of its own until ``stop()``.
final class AnonymousPeak: Sendable {
  private let peak = Atomic<Int>(0)
  private let running = Atomic<Bool>(true)
  private let done = Atomic<Bool>(false)

  init() {
    let me = self
    Thread.detachNewThread {
      while me.running.load(ordering: .relaxed) {
        let now = statusKiB("RssAnon")
        if now > me.peak.load(ordering: .relaxed) { me.peak.store(now, ordering: .relaxed) }
        usleep(2000)
      }
      me.done.store(true, ordering: .releasing)
    }
  }

  /// Stops sampling; the peak in KiB.
  func stop() -> Int {
    running.store(false, ordering: .relaxed)
    while !done.load(ordering: .acquiring) { usleep(1000) }
    return max(peak.load(ordering: .relaxed), statusKiB("RssAnon"))
  }
}

func mb(_ kib: Int) -> String { "\(kib / 1024) MB" }
