import VigilCore
import VigilRender

/// The frame rates `+` and `-` step through, and the defaults.
public enum FrameRate {
  /// The steps of `+` / `-` (frames per second).
  public static let steps: [Double] = [0.5, 1, 2, 4, 8, 15, 30]
  /// The default rate.
  public static let standard: Double = 4
  /// The default rate when `SSH_CONNECTION` is set: every frame crosses the network.
  public static let overSSH: Double = 2

  /// The next step above `fps` (`+`); `fps` itself above the last step.
  public static func faster(than fps: Double) -> Double {
    steps.first { $0 > fps + 1e-9 } ?? fps
  }

  /// The next step below `fps` (`-`); `fps` itself below the first step.
  public static func slower(than fps: Double) -> Double {
    steps.last { $0 < fps - 1e-9 } ?? fps
  }

  /// `0.5`, `2`, `15`: whole rates without a decimal point.
  public static func format(_ fps: Double) -> String {
    fps == fps.rounded() ? Format.fixed(fps, 0) : Format.fixed(fps, 1)
  }

  /// Bytes per second, short: `812 B/s`, `1.3 kB/s`, `24 kB/s`, `1.2 MB/s`.
  public static func formatBytes(_ perSecond: Double) -> String {
    let v = max(0, perSecond)
    if v < 1000 { return Format.fixed(v, 0) + " B/s" }
    if v < 10_000 { return Format.fixed(v / 1000, 1) + " kB/s" }
    if v < 1_000_000 { return Format.fixed(v / 1000, 0) + " kB/s" }
    return Format.fixed(v / 1_000_000, 1) + " MB/s"
  }
}

/// What the loop measured over its last second (`--debug`).
public struct LoopRates: Sendable, Equatable {
  /// Frames drawn per second.
  public var framesPerSecond: Double
  /// Bytes per second sent to the terminal; nil when the backend cannot count them.
  public var bytesPerSecond: Double?
  public init(framesPerSecond: Double, bytesPerSecond: Double?) {
    self.framesPerSecond = framesPerSecond
    self.bytesPerSecond = bytesPerSecond
  }
}

/// A setting in effect, as the help overlay lists it (`fps`, `4`).
public struct Setting: Sendable, Equatable {
  public var name: String
  public var value: String
  public init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}

/// Measures frames and bytes per second of monotonic time, for ``LoopRates``.
struct LoopMeter {
  private var start: Int64?
  private var frames = 0
  private var bytes: UInt64?

  /// Starts a new second at `mono` from the counters' values; returns the rates over the second
  /// that ended, when at least one second passed since the last start.
  mutating func sample(mono: Int64, frames: Int, bytes: UInt64?) -> LoopRates? {
    guard let start else {
      self.start = mono
      self.frames = frames
      self.bytes = bytes
      return nil
    }
    let elapsed = mono - start
    guard elapsed >= Nanos.second else { return nil }
    let seconds = Double(elapsed) / 1e9
    var bytesRate: Double?
    if let now = bytes, let before = self.bytes, now >= before {
      bytesRate = Double(now - before) / seconds
    }
    let rates = LoopRates(
      framesPerSecond: Double(frames - self.frames) / seconds, bytesPerSecond: bytesRate)
    self.start = mono
    self.frames = frames
    self.bytes = bytes
    return rates
  }
}
