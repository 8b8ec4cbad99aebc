import Foundation

/// Processes (not zombies) whose process group is `pgid`, read from `/proc` (Linux).
public func liveMembers(ofGroup pgid: Int32) -> [Int32] {
  guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
    return []
  }
  var out: [Int32] = []
  for entry in entries {
    guard let pid = Int32(entry),
      let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { continue }
    // After "(comm)": state ppid pgrp ...
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 2, fields[0] != "Z", Int32(fields[2]) == pgid else { continue }
    out.append(pid)
  }
  return out.sorted()
}

/// Pids of processes whose command line matches `pattern` (`pgrep -f`), zombies excluded.
public func pgrep(_ pattern: String) -> [Int32] {
  let r = spawnAndWait(["pgrep", "-f", pattern], timeoutSeconds: 10)
  return r.stdout.split(separator: "\n").compactMap { Int32($0) }
}
