import VigilApp
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The black box's directory of segments: `vigil-<start ns>.incident.jsonl.gz`, named so
/// that name order is time order. Segments are written gzip-compressed (uncompressed ones, from
/// earlier versions, are read too).
public enum BlackBox {
  public static let prefix = "vigil-"
  public static let suffix = ".incident.jsonl"

  static func segmentPath(_ dir: String, start: Timestamp) -> String {
    let ns = String(max(0, start.nanoseconds))
    return dir + "/" + prefix + String(repeating: "0", count: max(0, 19 - ns.count)) + ns + suffix
      + ".gz"
  }

  static func makeDirectory(_ dir: String) throws(RecordingFormatError) {
    if mkdir(dir, 0o755) != 0 && errno != EEXIST {
      throw RecordingFormatError("cannot create \(dir): \(String(cString: strerror(errno)))")
    }
  }

  /// The segment files in `dir`, oldest first, with their start times and sizes.
  public static func segments(_ dir: String) -> [(path: String, start: Timestamp, bytes: Int)] {
    guard let d = opendir(dir) else { return [] }
    defer { closedir(d) }
    var out: [(String, Timestamp, Int)] = []
    while let entry = readdir(d) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      let plain = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
      guard plain.hasPrefix(prefix), plain.hasSuffix(suffix),
        let ns = Int64(plain.dropFirst(prefix.count).dropLast(suffix.count))
      else { continue }
      let path = dir + "/" + name
      var st = stat()
      let bytes = stat(path, &st) == 0 ? Int(st.st_size) : 0
      out.append((path, Timestamp(nanoseconds: ns), bytes))
    }
    return out.sorted { $0.1 < $1.1 }
  }

  /// Deletes the oldest segments (never the newest) while the rest span more than `keep` up to
  /// `now` or take more than `maxBytes`. Returns how many were deleted.
  static func prune(_ dir: String, keep: Int64, maxBytes: Int, now: Timestamp) -> Int {
    var list = segments(dir)
    var deleted = 0
    while list.count > 1 {
      let total = list.reduce(0) { $0 + $1.bytes }
      // The oldest segment's data ends where the next one starts.
      let tooOld = now.since(list[1].start) >= keep
      guard tooOld || total > maxBytes else { break }
      if unlink(list[0].path) == 0 { deleted += 1 }
      list.removeFirst()
    }
    return deleted
  }
}
