/// The metric types a `# TYPE` line can declare.
enum ExpositionType: UInt8, Sendable {
  case counter, gauge, histogram, gaugeHistogram, stateSet, info, summary, unknown

  /// `untyped` (0.0.4) and `unknown` (OpenMetrics) are the same thing.
  static func parse(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int, openMetrics: Bool)
    -> ExpositionType?
  {
    if equals(p, s, e, "counter") { return .counter }
    if equals(p, s, e, "gauge") { return .gauge }
    if equals(p, s, e, "histogram") { return .histogram }
    if equals(p, s, e, "summary") { return .summary }
    if openMetrics {
      if equals(p, s, e, "gaugehistogram") { return .gaugeHistogram }
      if equals(p, s, e, "stateset") { return .stateSet }
      if equals(p, s, e, "info") { return .info }
      if equals(p, s, e, "unknown") { return .unknown }
    } else if equals(p, s, e, "untyped") {
      return .unknown
    }
    return nil
  }

  var name: String {
    switch self {
    case .counter: "counter"
    case .gauge: "gauge"
    case .histogram: "histogram"
    case .gaugeHistogram: "gaugehistogram"
    case .stateSet: "stateset"
    case .info: "info"
    case .summary: "summary"
    case .unknown: "untyped"
    }
  }
}

/// What a sample line is to its family, which decides what Vigil makes of it.
enum SampleRole: UInt8, Sendable {
  /// A value as it is (gauge, untyped, info, stateset, gauge histogram parts).
  case gauge
  /// A cumulative value: counters, and histogram and summary `_count`/`_sum`.
  case counter
  /// OpenMetrics `_created`: a new value marks a reset of the family's counters.
  case created
  /// A histogram `_bucket` with its `le` in ``ExpositionSample/bound``.
  case bucket
  /// A summary quantile with its `quantile` in ``ExpositionSample/bound``.
  case quantile
  /// Text 0.0.4: no `# TYPE` seen yet for it; resolved once the whole body is read.
  case unresolved
}

/// A label as offsets: the name in the record, the value in the record or (when it had
/// escapes) in the scanner's scratch buffer.
struct ExpositionLabel: Sendable {
  var nameStart: Int32
  var nameEnd: Int32
  var valueStart: Int32
  var valueEnd: Int32
  var inScratch: Bool
}

/// One sample line of an exposition.
struct ExpositionSample: Sendable {
  var nameStart: Int32
  var nameEnd: Int32
  /// The family name is `record[nameStart..<familyEnd]` (the name without its suffix).
  var familyEnd: Int32
  /// Labels `labels[labelStart..<labelStart + labelCount]`, sorted by name.
  var labelStart: Int32
  var labelCount: Int32
  /// The line within the body (1-based).
  var line: Int32
  var role: SampleRole
  var type: ExpositionType
  var hasTimestamp: Bool
  var value: Double
  /// Nanoseconds, when `hasTimestamp`.
  var timestamp: Int64
  /// `le` of a bucket, `quantile` of a summary quantile.
  var bound: Double
  /// The index in `labels` of the `le` or `quantile` label (OpenMetrics: or a stateset's state
  /// label); -1 when there is none.
  var boundLabel: Int32
  /// Valid but not stored (an OpenMetrics timestamp beyond `Int64` nanoseconds); counted once.
  var dropped = false
}

/// A problem on a line of an exposition: thrown as a ``ScanFailure`` when it rejects the whole
/// body, listed as a warning or a dropped duplicate when it rejects nothing or one sample.
struct ScanNote: Error, Sendable {
  var line: Int
  var reason: RejectReason
  var detail: String
}

/// Why an exposition is rejected as a whole.
typealias ScanFailure = ScanNote
