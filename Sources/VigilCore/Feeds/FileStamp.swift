#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What `stat` says about a file, to notice a change without reading it (the layout watcher
/// compares one look with the next).
public struct FileStamp: Equatable, Sendable {
  public var size: Int64
  public var seconds: Int64
  public var nanoseconds: Int64
  public var inode: UInt64

  /// The file's stamp now, or nil when it cannot be looked at (missing, no permission).
  public init?(path: String) {
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
