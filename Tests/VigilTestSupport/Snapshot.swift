import Foundation

/// Compares `actual` with the golden file `Snapshots/<name>.txt` beside the calling test file.
///
/// With `RECORD_SNAPSHOTS=1` in the environment the file is (re)written instead, and the
/// comparison is skipped; review the diff before committing it. Snapshots hold cell text plus a
/// style legend, never escape bytes.
/// - Returns: nil when equal, otherwise a message with the first differing line.
public func snapshotMismatch(_ actual: String, named name: String, file: String = #filePath)
  -> String?
{
  let dir = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(
    "Snapshots")
  let url = dir.appendingPathComponent(name + ".txt")
  if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try? actual.write(to: url, atomically: true, encoding: .utf8)
    return nil
  }
  guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
    return "missing snapshot \(url.path); run with RECORD_SNAPSHOTS=1 to create it"
  }
  if expected == actual { return nil }
  let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
  let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
  for i in 0..<max(e.count, a.count) {
    let el = i < e.count ? String(e[i]) : "<none>"
    let al = i < a.count ? String(a[i]) : "<none>"
    if el != al {
      return "snapshot \(name) differs at line \(i + 1):\nexpected: \(el)\nactual:   \(al)"
    }
  }
  return "snapshot \(name) differs"
}
