// API stub: the windows work replaces this file.
/// A ring level: `slots` buckets of `bucketNanos` each.
public struct WindowLevel: Sendable, Equatable {
  public var bucketNanos: Int64
  public var slots: Int
  public init(bucketNanos: Int64, slots: Int) {
    self.bucketNanos = bucketNanos
    self.slots = slots
  }
  public var horizon: Int64 { bucketNanos * Int64(slots) }
}

/// Which windows exist and how they are stored.
public struct WindowsConfig: Sendable, Equatable {
  /// Finest first. Default: 60 x 1 s (L0) and 90 x 10 s (L1).
  public var levels: [WindowLevel]
  /// Window lengths offered to the UI. Default: 1m, 5m, 15m.
  public var windows: [Int64]
  /// Samples further ahead of the clock than this are rejected. Default 5 s.
  public var maxFutureSkew: Int64
  public init(
    levels: [WindowLevel] = [
      WindowLevel(bucketNanos: Nanos.second, slots: 60),
      WindowLevel(bucketNanos: 10 * Nanos.second, slots: 90),
    ],
    windows: [Int64] = [Nanos.minute, 5 * Nanos.minute, 15 * Nanos.minute],
    maxFutureSkew: Int64 = 5 * Nanos.second
  ) {
    self.levels = levels
    self.windows = windows
    self.maxFutureSkew = maxFutureSkew
  }
}

/// What happened to a sample offered to the store.
public enum IngestOutcome: Sendable, Equatable {
  case accepted
  /// Older than every level keeps.
  case tooOld
  /// Further ahead of `now` than `maxFutureSkew`.
  case future
}

/// Per-bucket statistic for sparklines.
public enum BucketStatistic: Sendable, Equatable {
  case count, sum, mean, min, max, last
  case quantile(Double)
}

/// Statistics of one series over one window.
public struct WindowStats: Sendable, Equatable {
  public var count: UInt64 = 0
  public var sum: Double = 0
  public var min: Double? = nil
  public var max: Double? = nil
  public var last: Double? = nil
  public var lastTimestamp: Timestamp? = nil
  /// Seconds the rates divide by: the window, or the covered span while warming up.
  public var seconds: Double = 0
  public var warmingUp: Bool = false
  public var p50: Double? = nil
  public var p90: Double? = nil
  public var p95: Double? = nil
  public var p99: Double? = nil
  public init() {}
  public var mean: Double? { count > 0 ? sum / Double(count) : nil }
  public var eventRate: Double { seconds > 0 ? Double(count) / seconds : 0 }
  public var sumRate: Double { seconds > 0 ? sum / seconds : 0 }
}

/// Every series' rolling windows. Owned by the loop; memory per series is bounded.
public struct MetricStore: Sendable {
  public init(config: WindowsConfig = WindowsConfig()) { fatalError("unimplemented") }
  public mutating func ingest(_ sample: Sample, now: Timestamp) -> IngestOutcome { .accepted }
  public func stats(_ series: SeriesID, window: Int64, at now: Timestamp) -> WindowStats {
    WindowStats()
  }
  public func buckets(
    _ series: SeriesID, window: Int64, at now: Timestamp, statistic: BucketStatistic
  ) -> [Double?] { [] }
  public var seriesCount: Int { 0 }
}
