import VigilCore

/// Notices when the layout file changes (its size, modification time or inode), looking at
/// most once per ``interval`` of the loop's monotonic time: no thread, one `stat` a second
/// (``FileStamp``, in VigilCore).
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
