/// A rule's `baseline:`: compare the window's value with the same series' own recent past
/// instead of (only) a fixed line.
///
/// With `op: ">"` (or `>=`) an instance's condition holds when its value is above
/// `factor × median` of its baseline AND above `floor` (in the signal's unit), and, with
/// `sigmas`, also above `median + sigmas × scale`. With `op: "<"` (or `<=`: a drop, e.g. a rate
/// that collapses) it holds when the value is below `median / factor` while the median itself is
/// above `floor` (a quiet series cannot "drop"). The baseline is the median (and MAD × 1.4826) of
/// the per-minute values of the same measure over `over`, leaving out the newest `gap` minutes
/// and minutes with fewer than `minCount` samples (for a ratio: the group's per-minute
/// `Σnum / Σden`, minutes with `Σden ≥ minCount`). Until `minMinutes` such minutes exist the
/// instance is warming up: it is not evaluated (its condition is false) and says so.
public struct BaselineSpec: Hashable, Sendable {
  /// How far back the baseline reaches (whole minutes, at most the history's hour).
  public var over: Int64
  /// How many times the median the value must exceed (or fall below, for `<`).
  public var factor: Rational
  /// The absolute floor, in the signal's unit.
  public var floor: Rational
  /// Usable minutes needed before the instance is evaluated.
  public var minMinutes: Int
  /// Samples (for a ratio: Σden) a minute needs to count.
  public var minCount: UInt64
  /// The newest minutes left out of the baseline (the change being judged).
  public var gap: Int64
  /// Optional robust-z condition: the value must also lie `sigmas` scales beyond the median.
  public var sigmas: Rational?

  public init(
    over: Int64 = Nanos.hour, factor: Rational = Rational(2), floor: Rational = .zero,
    minMinutes: Int = 10, minCount: UInt64 = 20, gap: Int64 = 2 * Nanos.minute,
    sigmas: Rational? = nil
  ) {
    self.over = over
    self.factor = factor
    self.floor = floor
    self.minMinutes = minMinutes
    self.minCount = minCount
    self.gap = gap
    self.sigmas = sigmas
  }

  /// `over` in whole minutes.
  public var overMinutes: Int { Int(clamping: over / Nanos.minute) }
  /// `gap` in whole minutes.
  public var gapMinutes: Int { Int(clamping: gap / Nanos.minute) }

  /// The aggregates a baseline applies to (those a minute summary can give).
  public static let aggregates = ["p50", "p90", "p95", "p99", "mean", "avg", "rate", "ratio"]

  /// Whether `value` breaches `baseline` for `op` (`>`/`>=` up, `<`/`<=` down).
  public func breached(_ value: Double, baseline b: Baseline, op: AlertOp) -> Bool {
    guard value.isFinite else { return false }
    let f = factor.doubleValue
    let fl = floor.doubleValue
    if op.isDownward {
      guard b.median > fl else { return false }
      let limit = b.median / f
      var cond = op == .less ? value < limit : value <= limit
      if let s = sigmas { cond = cond && value < b.median - s.doubleValue * b.scale }
      return cond
    }
    let limit = f * b.median
    var cond = op == .greater ? value > limit && value > fl : value >= limit && value >= fl
    if let s = sigmas { cond = cond && value > b.median + s.doubleValue * b.scale }
    return cond
  }
}

/// One baseline instance that is not evaluated yet: its usable minutes so far and the minutes it
/// needs (`min_minutes`).
public struct BaselineWarmUp: Sendable, Equatable {
  public var minutes: Int
  public var needed: Int
  public init(minutes: Int, needed: Int) {
    self.minutes = minutes
    self.needed = needed
  }

  /// `warming up 4 of 10 minutes`.
  public var text: String { "warming up \(minutes) of \(needed) minutes" }
}
