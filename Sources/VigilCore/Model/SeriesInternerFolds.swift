/// Which limit refused a new series.
public enum SeriesRefusal: Sendable, Equatable {
  /// Every series together (``SeriesLimits/maxSeries``).
  case overall
  /// The part of the overall limit kept for the signals' metrics.
  case reserved
  /// The metric's own limit (``SeriesLimits/perMetric``).
  case perMetric

  /// The reason a line is rejected with.
  public var reason: RejectReason { self == .perMetric ? .metricSeriesLimit : .seriesLimit }
}

/// One metric name's bookkeeping in a ``SeriesInterner``.
struct MetricEntry: Sendable {
  var name: [UInt8]
  var hash: UInt64
  var isSignal: Bool
  /// Its live series (what ``SeriesLimits/perMetric`` limits), and those a fold retired
  /// (they keep their windows and count in ``SeriesLimits/maxSeries``).
  var series = 0
  var retired = 0
  /// Labels removed from its samples before interning.
  var folds: [FoldedLabel] = []
  /// Distinct values of each label, while below ``SeriesLimits/foldAfter``.
  var trackers: [LabelTracker] = []
  var refused: [RejectReason: UInt64] = [:]
}

/// A label removed from one metric's samples, and a sketch of the values it carried.
struct FoldedLabel: Sendable {
  var name: [UInt8]
  var configured: Bool
  var sketch = DistinctSketch()
}

/// The distinct values (their hashes) of one label of one metric, below the fold threshold.
struct LabelTracker: Sendable {
  var name: [UInt8]
  var values: [UInt64] = []
}

extension SeriesInterner {
  /// Labels tracked per metric for fold detection (further names are not tracked).
  static let maxTrackedLabels = 16
  /// Label values held for fold detection over every metric (about 1 MB).
  static let maxTrackedValues = 100_000
  /// Metric names with an entry beyond those that can have series (refusals only).
  static let extraMetrics = 256

  /// Interns a series that was not found (or was retired): folds what is folded, detects an
  /// exploding label, applies the limits. Slow path, except for the samples of a metric with
  /// folds whose folded series exists (no allocation then).
  ///
  /// `hash` is the hash of `unique`'s canonical bytes, which are in ``scratch``.
  mutating func internNew(
    metric: UnsafeRawBufferPointer, labels unique: UnsafeMutableBufferPointer<LabelSpan>,
    hash given: UInt64
  ) -> SeriesID? {
    var labels = unique
    var hash = given
    let m = metricIndex(metric)
    while true {
      if let m, !metrics[m].folds.isEmpty {
        labels = fold(labels, metric: m)
        hash = canonicalize(metric, labels)
        if let id = find(scratch, hash), !(anyRetired && retired[id.index]) { return id }
      }
      guard let m, limits.foldAfter > 0, let k = exploding(labels, metric: m) else { break }
      startFold(metric: m, label: Array(labels[k].name), configured: false)
    }
    if let refusal = refusal(metric: m) {
      lastRefusal = refusal
      if let m {
        metrics[m].refused[refusal.reason, default: 0] += 1
      } else {
        otherRefused[refusal.reason, default: 0] += 1
      }
      return nil
    }
    return add(metric, labels, hash: hash, metricIndex: m)
  }

  /// Removes `metric`'s folded labels from `labels` (in place), adding their values to the
  /// folds' sketches. Allocates nothing.
  @inline(__always)
  mutating func fold(_ labels: UnsafeMutableBufferPointer<LabelSpan>, metric m: Int)
    -> UnsafeMutableBufferPointer<LabelSpan>
  {
    var kept = 0
    for i in 0..<labels.count {
      let l = labels[i]
      var dropped = false
      for k in 0..<metrics[m].folds.count where equalBytes(metrics[m].folds[k].name, l.name) {
        metrics[m].folds[k].sketch.add(valueHash(l.value))
        dropped = true
        break
      }
      if !dropped {
        labels[kept] = l
        kept += 1
      }
    }
    return UnsafeMutableBufferPointer(rebasing: labels[0..<kept])
  }

  /// Counts the values of a new series' labels; the index of one that reached the threshold.
  mutating func exploding(_ labels: UnsafeMutableBufferPointer<LabelSpan>, metric m: Int) -> Int? {
    for (i, l) in labels.enumerated() {
      var t = metrics[m].trackers.firstIndex { equalBytes($0.name, l.name) }
      if t == nil && metrics[m].trackers.count < Self.maxTrackedLabels {
        metrics[m].trackers.append(LabelTracker(name: Array(l.name)))
        t = metrics[m].trackers.count - 1
      }
      guard let t else { continue }
      let h = valueHash(l.value)
      if !metrics[m].trackers[t].values.contains(h) && trackedValues < Self.maxTrackedValues {
        metrics[m].trackers[t].values.append(h)
        trackedValues += 1
      }
      if metrics[m].trackers[t].values.count >= limits.foldAfter { return i }
    }
    return nil
  }

  /// Folds `label` away from metric `m` from now on: its tracked values seed the sketch, and
  /// the metric's series that carry it are retired (they keep what they counted and go stale;
  /// their later samples count in the folded series).
  mutating func startFold(metric m: Int, label: [UInt8], configured: Bool) {
    var folded = FoldedLabel(name: label, configured: configured)
    if let t = metrics[m].trackers.firstIndex(where: { $0.name == label }) {
      for h in metrics[m].trackers[t].values { folded.sketch.add(h) }
      trackedValues -= metrics[m].trackers[t].values.count
      metrics[m].trackers.remove(at: t)
    }
    metrics[m].folds.append(folded)
    let name = String(decoding: label, as: UTF8.self)
    for id in keys.indices
    where seriesMetric[id] == UInt32(m) && !retired[id] && keys[id].labels[name] != nil {
      retired[id] = true
      anyRetired = true
      metrics[m].series -= 1
      metrics[m].retired += 1
    }
  }

  /// The limit a new series of metric `m` would break, if any.
  func refusal(metric m: Int?) -> SeriesRefusal? {
    if keys.count >= limits.maxSeries { return .overall }
    let isSignal = m.map { metrics[$0].isSignal } ?? false
    if !isSignal && keys.count >= limits.maxSeries - limits.signalReserve { return .reserved }
    guard let m else { return .overall }  // past the metric table's bound
    return metrics[m].series >= limits.perMetric ? .perMetric : nil
  }

  /// The entry of `metric`, made on first sight (with its configured drops) while the table
  /// has room.
  mutating func metricIndex(_ metric: UnsafeRawBufferPointer) -> Int? {
    let hash = valueHash(metric)
    let mask = metricTable.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while metricTable[slot] != 0 {
      let i = Int(metricTable[slot] - 1)
      if metrics[i].hash == hash && equalBytes(metrics[i].name, metric) { return i }
      slot = (slot + 1) & mask
    }
    guard metrics.count < limits.maxSeries + limits.signalMetrics.count + Self.extraMetrics
    else { return nil }
    let name = String(decoding: metric, as: UTF8.self)
    metrics.append(
      MetricEntry(
        name: Array(metric), hash: hash, isSignal: limits.signalMetrics.contains(name)))
    let m = metrics.count - 1
    for label in limits.dropLabels[name] ?? [] {
      metrics[m].folds.append(FoldedLabel(name: Array(label.utf8), configured: true))
    }
    if metrics.count * 2 > metricTable.count {
      metricTable = Array(repeating: 0, count: metricTable.count * 2)
      for i in metrics.indices { placeMetric(i) }
    } else {
      placeMetric(m)
    }
    return m
  }

  private mutating func placeMetric(_ i: Int) {
    let mask = metricTable.count - 1
    var slot = Int(truncatingIfNeeded: metrics[i].hash) & mask
    while metricTable[slot] != 0 { slot = (slot + 1) & mask }
    metricTable[slot] = UInt32(i + 1)
  }
}

// MARK: - What the views and `check` show

extension SeriesInterner {
  /// Metrics with a folded label or a refused series, by name ("" last: metrics past the
  /// table's bound).
  public var cardinality: [MetricCardinality] {
    var out: [MetricCardinality] = []
    for e in metrics where !e.folds.isEmpty || !e.refused.isEmpty {
      let folds = e.folds.map {
        LabelFold(
          label: String(decoding: $0.name, as: UTF8.self), configured: $0.configured,
          valuesSeen: $0.sketch.estimate)
      }
      out.append(
        MetricCardinality(
          metric: String(decoding: e.name, as: UTF8.self), series: e.series, retired: e.retired,
          folds: folds, refused: e.refused))
    }
    out.sort { $0.metric < $1.metric }
    if !otherRefused.isEmpty {
      out.append(
        MetricCardinality(metric: "", series: 0, retired: 0, folds: [], refused: otherRefused))
    }
    return out
  }

  /// Whether any label is folded (configured or detected).
  public var hasFolds: Bool { metrics.contains { !$0.folds.isEmpty } }

  /// Series refused so far, over every metric.
  public var refusedTotal: UInt64 {
    metrics.reduce(otherRefused.values.reduce(0, +)) { $0 + $1.refused.values.reduce(0, +) }
  }

  /// Whether a fold retired series `id` (its samples now count in the folded series).
  public func isRetired(_ id: SeriesID) -> Bool { anyRetired && retired[id.index] }

  /// Series retired by folds (they stay, stop receiving samples and go stale).
  public var retiredCount: Int { anyRetired ? retired.lazy.filter { $0 }.count : 0 }

  /// The message for a series of `metric` refused by ``lastRefusal``.
  public func refusalDetail(_ metric: UnsafeRawBufferPointer) -> String {
    let name = quoted(metric, 0, metric.count)
    switch lastRefusal {
    case .overall:
      return "series limit (\(limits.maxSeries)) reached; new series \(name) dropped"
    case .reserved:
      return "series limit (\(limits.maxSeries - limits.signalReserve) for metrics other than "
        + "the signals', of \(limits.maxSeries)) reached; new series \(name) dropped"
    case .perMetric:
      return "series limit of one metric (\(limits.perMetric)) reached; new series \(name) dropped"
    }
  }
}

/// Whether stored name bytes equal a span.
@inline(__always)
func equalBytes(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
  a.withUnsafeBytes { compareBytes($0, b) == 0 }
}
