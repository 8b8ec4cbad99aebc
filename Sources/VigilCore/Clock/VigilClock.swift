#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The single source of "now" for feeds, windows and views.
///
/// Live runs use ``SystemClock``; the demo runs a ``ScaledClock``; tests and replay use clocks
/// that move only when told to. Nothing else in Vigil reads the wall clock for data.
public protocol VigilClock: Sendable {
  func now() -> Timestamp
}

/// `CLOCK_REALTIME`.
public struct SystemClock: VigilClock {
  public init() {}
  public func now() -> Timestamp {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Timestamp(nanoseconds: Int64(ts.tv_sec) * Nanos.second + Int64(ts.tv_nsec))
  }
}

/// Monotonic nanoseconds, for frame pacing and measurements only (never stamps data).
public func monotonicNanos() -> Int64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Int64(ts.tv_sec) * Nanos.second + Int64(ts.tv_nsec)
}

/// CPU time of the calling thread in nanoseconds, for benchmarks on a busy machine only.
public func threadCPUNanos() -> Int64 {
  var ts = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
  return Int64(ts.tv_sec) * Nanos.second + Int64(ts.tv_nsec)
}

/// A clock that starts at `origin` and runs `speed` times faster than real time.
///
/// The demo uses it to play a 15-minute incident in less time while every timestamp,
/// window and rate stays in the incident's own time.
public struct ScaledClock: VigilClock {
  public let origin: Timestamp
  public let speed: Double
  private let startMono: Int64

  public init(origin: Timestamp, speed: Double) {
    self.origin = origin
    self.speed = speed
    startMono = monotonicNanos()
  }

  public func now() -> Timestamp {
    let elapsed = Double(monotonicNanos() - startMono) * speed
    return origin.adding(Int64(clamping: elapsed))
  }
}

/// Which clock the windows follow.
public enum ClockMode: String, Sendable, CaseIterable, Codable {
  /// The wall clock (live feeds).
  case wall
  /// The newest event time seen (historical files read at full speed).
  case event
  /// Wall, unless the first sample is older than the longest window: then event time.
  case auto
}
