/// Why `vigil check` could not read a feed.
public struct CheckReadFailure: Error, Sendable, Equatable {
  public var feed: FeedSpec
  /// The system's words.
  public var reason: String
}

extension Checker {
  /// Reads every feed to its end and merges them as they come: `vigil check`.
  ///
  /// Each feed (standard input included) has a reader cursor on a thread of its own that reads
  /// and frames its chunks ahead (``FeedCursor``, a few chunks at most); this thread parses,
  /// merges and evaluates. The feed read next is the one furthest behind in time (one that has
  /// delivered no sample yet first, then the lowest number), so the reorder buffer holds about
  /// ``Ordering/maxLateness`` of samples plus a chunk per feed, whatever the files' lengths.
  /// Files are read in the same chunks every time, so the same files print the same lines.
  ///
  /// Calls `emit` with each output line (no newline) as it is evaluated. Every feed is opened
  /// before anything is read; the first one that cannot be opened or read is the failure (lines
  /// emitted before a read error stand).
  ///
  /// - Parameter chunkSize: bytes per read; nil: 1 MiB, less when there are more than eight
  ///   feeds (8 MiB in all, at least 64 KiB each), so many feeds do not add up.
  public mutating func run(
    feeds specs: [FeedSpec], chunkSize: Int? = nil, emit: (String) -> Void
  ) -> Result<Report, CheckReadFailure> {
    let chunk = chunkSize ?? max(64 << 10, min(1 << 20, (8 << 20) / max(1, specs.count)))
    var cursors: [FeedCursor] = []
    for spec in specs {
      switch FeedCursor.open(spec, chunkSize: chunk) {
      case .success(let cursor): cursors.append(cursor)
      case .failure(let f):
        for c in cursors { c.cancel() }
        return .failure(CheckReadFailure(feed: spec, reason: f.reason))
      }
    }
    open(specs)
    var reading = Array(specs.indices)
    while let i = furthestBehind(reading, specs) {
      let cursor = cursors[i]
      switch cursor.next() {
      case .records(let batch, let format):
        add(batch, format: format, feed: specs[i], emit: emit)
        cursor.recycle(batch)
      case .end:
        reading.removeAll { $0 == i }
        endFeed(specs[i], emit: emit)
      case .failed(let reason):
        for c in cursors { c.cancel() }
        return .failure(CheckReadFailure(feed: specs[i], reason: reason))
      }
    }
    return .success(finish(emit: emit))
  }

  /// The feed to read next: the one whose newest sample is oldest (none yet: first).
  private func furthestBehind(_ reading: [Int], _ specs: [FeedSpec]) -> Int? {
    var best: Int?
    var bestNewest = Int64.max
    for i in reading {
      let t = newest(of: specs[i])?.nanoseconds ?? .min
      if best == nil || t < bestNewest { (best, bestNewest) = (i, t) }
    }
    return best
  }
}
