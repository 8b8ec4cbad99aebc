extension Checker.Report {
  /// The summary's lines about series, when a label was folded or a series refused (else
  /// none): the count and limits, then `folded METRIC: LABEL (≈N values)` and
  /// `refused METRIC: REASON N` per metric.
  public var cardinalityLines: [String] {
    guard !cardinality.isEmpty else { return [] }
    var lines = [seriesLimits.summary(series: series)]
    for m in cardinality where !m.folds.isEmpty { lines.append("folded " + m.foldText) }
    for m in cardinality where !m.refused.isEmpty { lines.append("refused " + m.refusedText) }
    return lines
  }
}
