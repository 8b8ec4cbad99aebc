import VigilCore

/// What the dashboard says about series limits: folded labels (with how many values were
/// seen) and series refused per metric. Nothing while no label is folded and nothing refused.
enum SeriesNotes {
  /// Rows for the feeds overlay's details: the count and limits, each metric's folds, each
  /// metric's refusals.
  static func details(_ interner: SeriesInterner) -> [(label: String, text: String)] {
    let metrics = interner.cardinality
    guard !metrics.isEmpty else { return [] }
    var rows: [(label: String, text: String)] = [
      ("series", interner.limits.summary(series: interner.count))
    ]
    for m in metrics where !m.folds.isEmpty { rows.append(("folded", m.foldText)) }
    for m in metrics where !m.refused.isEmpty { rows.append(("refused", m.refusedText)) }
    return rows
  }

  /// The status bar's part: `folded order_id ≈90.1k (F)`, `+N` when more labels are folded.
  static func status(_ interner: SeriesInterner) -> String? {
    guard interner.hasFolds else { return nil }
    let folds = interner.cardinality.flatMap(\.folds)
    guard let first = folds.max(by: { $0.valuesSeen < $1.valuesSeen }) else { return nil }
    let more = folds.count > 1 ? " +\(folds.count - 1)" : ""
    return "folded \(printableExcerpt(first.label, limit: 24)) ≈"
      + LabelFold.compact(first.valuesSeen) + more + " (F)"
  }

  /// The rejected-lines overlay's line of series refused per metric, or nil.
  static func refused(_ interner: SeriesInterner) -> String? {
    guard interner.refusedTotal > 0 else { return nil }
    let parts = interner.cardinality.filter { !$0.refused.isEmpty }.map(\.refusedText)
    return "series refused by metric: " + parts.joined(separator: "; ")
  }
}
