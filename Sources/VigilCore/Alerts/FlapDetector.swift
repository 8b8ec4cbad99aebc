/// Nagios flap detection (base/flapping.c, `check_for_service_flapping`), SEMANTICS §6.
///
/// Keeps the last 21 outcomes (true = a problem: Firing or Recovering). The change between
/// entries x−1 and x (x = 1…20, oldest first) weighs `0.75 + (x−1)·0.5/19`, and
/// `PSC = Σweights·100/20`. Flapping starts at PSC ≥ high and stops at PSC ≤ low; in between the
/// flag is unchanged.
///
/// The arithmetic is exact: each weight is `(55 + 2x)/76` of a change, so
/// `PSC = 5·N/76` with the integer `N = Σ(55 + 2x)` over the changes, and the thresholds are
/// compared as `5·N` vs `76·threshold` (no rounding at the 20 % edge). The history starts full
/// of OK outcomes, as Nagios pre-fills it with the initial state.
public struct FlapDetector: Hashable, Sendable {
  /// Entries kept (Nagios `MAX_STATE_HISTORY_ENTRIES`).
  public static let historyLength = 21
  /// Percent at or below which flapping stops.
  public var low: Int
  /// Percent at or above which flapping starts.
  public var high: Int
  /// Oldest first.
  public private(set) var history: [Bool]
  public private(set) var isFlapping = false

  public init(low: Int = 5, high: Int = 20) {
    self.low = low
    self.high = high
    history = Array(repeating: false, count: FlapDetector.historyLength)
  }

  /// Records one outcome (after a tick) and updates the flag.
  public mutating func record(_ problem: Bool) {
    history.removeFirst()
    history.append(problem)
    updateFlag()
  }

  /// Replaces the whole history (oldest first; shorter histories are padded with OK in front)
  /// and updates the flag from its current value.
  public mutating func load(_ outcomes: [Bool]) {
    let tail = outcomes.suffix(FlapDetector.historyLength)
    history =
      Array(repeating: false, count: FlapDetector.historyLength - tail.count) + Array(tail)
    updateFlag()
  }

  /// `Σ(55 + 2x)` over the changes: PSC × 76/5.
  public var weightedChanges: Int {
    var n = 0
    for x in 1..<history.count where history[x] != history[x - 1] { n += 55 + 2 * x }
    return n
  }

  /// Percent state change, 0…100.
  public var psc: Double { Double(5 * weightedChanges) / 76 }

  private mutating func updateFlag() {
    let scaled = 5 * weightedChanges  // PSC · 76
    if scaled >= 76 * high {
      isFlapping = true
    } else if scaled <= 76 * low {
      isFlapping = false
    }
  }
}
