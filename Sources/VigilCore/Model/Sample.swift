/// One observation of a series, as every parser produces it.
///
/// A trivial value type (no references), so batches of samples never allocate per sample.
public struct Sample: Sendable, Equatable {
  /// The series, interned by the feed's ``SeriesInterner``.
  public var series: SeriesID
  /// Event time: the feed's own timestamp, or the arrival time when the line had none.
  public var timestamp: Timestamp
  /// The value. Parsers reject NaN and infinities (see ``RejectReason/nonFinite``).
  public var value: Double
  /// How many events this sample stands for (StatsD sample rates); 1 for ordinary lines.
  public var weight: UInt32

  public init(series: SeriesID, timestamp: Timestamp, value: Double, weight: UInt32 = 1) {
    self.series = series
    self.timestamp = timestamp
    self.value = value
    self.weight = weight
  }
}
