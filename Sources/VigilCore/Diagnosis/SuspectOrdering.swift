extension SuspectRanker {
  /// Groups deviating probes by component (each component's best probe, its onset the earliest
  /// of its probes'), adds the onset lead bonus, marks what is explained by an upstream
  /// component that moved no later, and orders: an explained component ranks below the one
  /// that explains it, the rest by score, then by onset, then by name.
  func order(_ results: [ProbeResult]) -> [Suspect] {
    guard !results.isEmpty else { return [] }
    var best: [String: ProbeResult] = [:]
    var onsets: [String: Timestamp] = [:]
    for r in results {
      let c = r.probe.component
      if best[c].map({ r.magnitude > $0.magnitude }) ?? true { best[c] = r }
      if let o = r.onset { onsets[c] = min(onsets[c] ?? o, o) }
    }
    let latest = onsets.values.max()
    var score: [String: Double] = [:]
    for (c, r) in best {
      var lead = 0.0
      if let latest, let o = onsets[c] {
        lead = min(Double(latest.since(o)) / Double(Nanos.minute), tuning.maxLeadMinutes)
      }
      score[c] = r.magnitude * (1 + tuning.leadBonus * lead)
    }
    let explainer = explainers(best.keys.sorted(), score: score, onsets: onsets)
    // An explained component's score is capped below its explainer's (chains settle within
    // as many passes as there are components).
    var effective = score
    for _ in 0..<min(best.count, 64) {
      var changed = false
      for (c, a) in explainer {
        let capped = min(score[c] ?? 0, (effective[a] ?? 0) * 0.9)
        if capped != effective[c] {
          effective[c] = capped
          changed = true
        }
      }
      if !changed { break }
    }
    let ranked = best.keys.sorted { a, b in
      let (sa, sb) = (effective[a] ?? 0, effective[b] ?? 0)
      if sa != sb { return sa > sb }
      let (oa, ob) = (onsets[a]?.nanoseconds ?? .max, onsets[b]?.nanoseconds ?? .max)
      if oa != ob { return oa < ob }
      return a < b
    }
    return ranked.prefix(tuning.maxSuspects).compactMap { c in
      best[c].map { r in
        Suspect(
          component: c, series: r.probe.key, measure: r.probe.measure, score: effective[c] ?? 0,
          change: r.change, current: r.current, baseline: r.baseline, onset: onsets[c],
          explainedBy: explainer[c])
      }
    }
  }

  /// For each deviating component, the best-scoring other deviating component that feeds it
  /// (directly or not) and moved no later; none when nothing explains it.
  func explainers(
    _ deviating: [String], score: [String: Double], onsets: [String: Timestamp]
  ) -> [String: String] {
    var out: [String: String] = [:]
    let set = Set(deviating)
    for a in deviating {
      for b in components.downstream(of: a) where set.contains(b) {
        if let oa = onsets[a], let ob = onsets[b], oa.since(ob) > tuning.onsetTolerance {
          continue  // a moved later than b: it does not explain b
        }
        if let current = out[b], (score[current] ?? 0) >= (score[a] ?? 0) { continue }
        out[b] = a
      }
    }
    // Two components explaining each other (a cycle in the relations): the better one stands.
    for (b, a) in out where b < a && out[a] == b {
      if (score[a] ?? 0) >= (score[b] ?? 0) { out[a] = nil } else { out[b] = nil }
    }
    return out
  }
}
