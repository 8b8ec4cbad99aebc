#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How many series a ``SeriesInterner`` hands out, per metric and overall, and which labels it
/// folds away (config `series:` and `drop_labels:`).
///
/// - `maxSeries`: every series together (each costs about 20 KB of windows).
/// - `perMetric`: the series of one metric name, so one metric's flood cannot starve another.
/// - `signalReserve`: the part of `maxSeries` only the signals' own metrics
///   (``signalMetrics``) may use: other metrics stop at `maxSeries - signalReserve`.
/// - `foldAfter`: a label of one metric that reaches this many distinct values is an id
///   (`order_id`, `request_id`, ...) and is **folded**: from then on that metric's samples are
///   interned without it (0: never).
/// - `dropLabels`: labels always removed, per metric.
/// - `pairs`: event pairs (config `pairs:`, ``PairSpec``), whose key label is taken off their
///   events before interning (by the engine's ``ParseSink``; the interner itself never sees it).
public struct SeriesLimits: Sendable, Equatable {
  public var maxSeries: Int
  public var perMetric: Int
  public var signalReserve: Int
  public var foldAfter: Int
  public var dropLabels: [String: [String]]
  /// The signals' own metrics (``SignalNames/all``), which may use ``signalReserve``.
  public var signalMetrics: Set<String>
  /// The event pairs in force (the built-in ``PairSpec/orderConfirmation`` by default).
  public var pairs: [PairSpec] = PairSpec.defaults

  /// The defaults of the dashboard and `vigil check` alike.
  public static let defaultMaxSeries = 2_000
  public static let defaultPerMetric = 500
  public static let defaultSignalReserve = 500
  public static let defaultFoldAfter = 100

  public init(
    maxSeries: Int = SeriesLimits.defaultMaxSeries, perMetric: Int = SeriesLimits.defaultPerMetric,
    signalReserve: Int = SeriesLimits.defaultSignalReserve,
    foldAfter: Int = SeriesLimits.defaultFoldAfter, dropLabels: [String: [String]] = [:],
    signalMetrics: Set<String> = []
  ) {
    self.maxSeries = max(0, maxSeries)
    self.perMetric = max(0, perMetric)
    self.signalReserve = min(max(0, signalReserve), self.maxSeries)
    self.foldAfter = max(0, foldAfter)
    self.dropLabels = dropLabels
    self.signalMetrics = signalMetrics
  }

  /// Only an overall cap: no per-metric limit, no reserve, no folding, no pairs (`lint-feed`,
  /// tests).
  public static func global(_ maxSeries: Int) -> SeriesLimits {
    var limits = SeriesLimits(
      maxSeries: maxSeries, perMetric: .max, signalReserve: 0, foldAfter: 0)
    limits.pairs = []
    return limits
  }

  /// The same limits with the signals' metrics of `signals`.
  public func with(signals: SignalNames) -> SeriesLimits {
    var copy = self
    copy.signalMetrics = signals.all
    copy.pairs = pairsFollowing(signals)
    return copy
  }

  /// How the limits read in a summary: `series 58 of 2,000 (500 per metric, 500 kept for
  /// signals, labels fold after 100 values)`.
  public func summary(series: Int) -> String {
    var parts: [String] = []
    if perMetric < maxSeries { parts.append("\(grouped(perMetric)) per metric") }
    if signalReserve > 0 { parts.append("\(grouped(signalReserve)) kept for signals") }
    parts.append(foldAfter > 0 ? "labels fold after \(grouped(foldAfter)) values" : "no folding")
    return "series \(grouped(series)) of \(grouped(maxSeries)) (" + parts.joined(separator: ", ")
      + ")"
  }
}

/// A label folded away from one metric: its name, why, and how many distinct values it had.
public struct LabelFold: Sendable, Equatable {
  public var label: String
  /// From `drop_labels:` (else detected: it reached `foldAfter` distinct values).
  public var configured: Bool
  /// Distinct values seen, estimated (exact up to `foldAfter`, then within a few percent).
  public var valuesSeen: Int

  /// `950`, `90.1k`, `1.2M`.
  public static func compact(_ n: Int) -> String { compactCount(n) }

  /// `order_id (≈90.1k values)`, `order_id (dropped, ≈12 values)`.
  public var text: String {
    "\(label) (\(configured ? "dropped, " : "")≈\(compactCount(valuesSeen)) values)"
  }
}

/// One metric's series, folds and refusals, as the feeds view and `check` show them.
public struct MetricCardinality: Sendable, Equatable {
  /// The metric name; "" for metrics past the table's bound (shown as "other metrics").
  public var metric: String
  /// Live series (what the per-metric limit counts), and series a fold retired.
  public var series: Int
  public var retired: Int
  public var folds: [LabelFold]
  /// New series refused, by reason.
  public var refused: [RejectReason: UInt64]

  /// The metric's name for display.
  public var shownName: String { metric.isEmpty ? "(other metrics)" : printableExcerpt(metric) }

  /// `order_placed: order_id (≈90.1k values)`.
  public var foldText: String { shownName + ": " + folds.map(\.text).joined(separator: ", ") }

  /// `foo_total: series limit 12, metric series limit 3`.
  public var refusedText: String {
    shownName + ": "
      + refused.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
      .joined(separator: ", ")
  }
}

/// A HyperLogLog sketch of 1,024 one-byte registers: distinct values within about 3 %, in
/// fixed memory (1 KB).
struct DistinctSketch: Sendable, Equatable {
  private static let bits = 10
  private var registers = [UInt8](repeating: 0, count: 1 << DistinctSketch.bits)

  @inline(__always)
  mutating func add(_ hash: UInt64) {
    let index = Int(truncatingIfNeeded: hash >> UInt64(64 - Self.bits))
    let rest = (hash << UInt64(Self.bits)) | (1 << UInt64(Self.bits - 1))
    let rank = UInt8(truncatingIfNeeded: rest.leadingZeroBitCount + 1)
    if registers[index] < rank { registers[index] = rank }
  }

  /// The estimate, with the small-range (linear counting) correction.
  var estimate: Int {
    let m = Double(registers.count)
    var sum = 0.0
    var zeros = 0
    for r in registers {
      sum += 1 / Double(UInt64(1) << UInt64(r))
      if r == 0 { zeros += 1 }
    }
    let raw = 0.7213 / (1 + 1.079 / m) * m * m / sum
    if raw <= 2.5 * m && zeros > 0 { return Int(clamping: (m * log(m / Double(zeros))).rounded()) }
    return Int(clamping: min(raw, 1e15).rounded())
  }
}

/// The hash of a label value (fold detection and the sketch).
@inline(__always)
func valueHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
  var h = WordHasher()
  h.add(bytes, 0, bytes.count)
  return h.finish()
}

/// `1,234` for messages.
func grouped(_ n: Int) -> String {
  let digits = String(n.magnitude)
  var out = ""
  for (i, ch) in digits.enumerated() {
    if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
    out.append(ch)
  }
  return (n < 0 ? "-" : "") + out
}

/// `950`, `90.1k`, `1.2M`.
func compactCount(_ n: Int) -> String {
  if n < 1_000 { return String(n) }
  func one(_ v: Double, _ unit: String) -> String {
    let tenths = Int(clamping: (v * 10).rounded())
    return "\(tenths / 10)" + (tenths % 10 == 0 || tenths >= 1_000 ? "" : ".\(tenths % 10)") + unit
  }
  return n < 1_000_000 ? one(Double(n) / 1_000, "k") : one(Double(n) / 1_000_000, "M")
}
