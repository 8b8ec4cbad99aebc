// STUB: replaced by the suspects branch at merge (issue 13 contract). The coordinator deletes
// this file when the real ranking (`Engine.suspectRankings`, `Engine.rankSuspects(at:)`,
// `AlertRule.watchedSeries(labels:)`) lands; nothing here is the ranking itself.

extension Engine {
  /// Suspects ranked at every transition to firing, oldest first (bounded, newest kept).
  /// Stub: always empty until the suspects branch is merged.
  public var suspectRankings: [SuspectRanking] { [] }

  /// The suspects ranked now (the `d` key), from the history and windows at `t`.
  /// Stub: a ranking with no suspects until the suspects branch is merged.
  public func rankSuspects(at t: Timestamp) -> SuspectRanking {
    SuspectRanking(t: t, alert: nil, labels: .empty, suspects: [])
  }
}

extension AlertRule {
  /// The `"series"` key of one instance: `metric{label=value,...}`, labels sorted, no quotes
  /// (no braces when there are none). Stub: the rule's metric with the instance's labels; the
  /// suspects branch replaces it (ratios as `num{...}/den{...}`).
  public func watchedSeries(labels: LabelSet) -> String {
    // The rule's own labels (`severity`) are not the series'.
    let own = labels.labels.filter { self.labels[$0.name] == nil }
    guard !own.isEmpty else { return selector.metric }
    let inner = own.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
    return selector.metric + "{" + inner + "}"
  }
}
