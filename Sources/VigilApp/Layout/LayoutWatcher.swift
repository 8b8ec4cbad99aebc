import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Notices when the layout file changes (its size, modification time or inode), looking at
/// most once per ``interval`` of the loop's monotonic time: no thread, one `stat` a second.
public struct LayoutWatcher: Sendable {
  public let path: String
  public static let interval = Nanos.second
  private var stamp: FileStamp?
  private var nextCheck: Int64 = .min

  public init(path: String) {
    self.path = path
    stamp = FileStamp(path: path)
  }

  /// True when the file differs from the last look (a file that disappeared is not a change:
  /// the layout in force stays until it is back).
  public mutating func changed(mono: Int64) -> Bool {
    guard mono >= nextCheck else { return false }
    nextCheck = mono + Self.interval
    guard let now = FileStamp(path: path) else { return false }
    defer { stamp = now }
    return now != stamp
  }
}

/// What `stat` says about a file, to notice a change without reading it.
struct FileStamp: Equatable, Sendable {
  var size: Int64
  var seconds: Int64
  var nanoseconds: Int64
  var inode: UInt64

  init?(path: String) {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    size = Int64(st.st_size)
    #if canImport(Darwin)
      seconds = Int64(st.st_mtimespec.tv_sec)
      nanoseconds = Int64(st.st_mtimespec.tv_nsec)
    #else
      seconds = Int64(st.st_mtim.tv_sec)
      nanoseconds = Int64(st.st_mtim.tv_nsec)
    #endif
    inode = UInt64(st.st_ino)
  }
}
