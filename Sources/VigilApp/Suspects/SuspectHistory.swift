import VigilCore

/// A suspect's series key read back into what the history holds: one series
/// (`metric{a=b}`), or a ratio of sums (`num{...}/den{...}`, each side every series of the
/// metric that has those labels).
struct ParsedSeriesKey: Equatable {
  var metric: String
  var labels: [(String, String)]
  var denominator: (metric: String, labels: [(String, String)])?

  static func == (a: ParsedSeriesKey, b: ParsedSeriesKey) -> Bool {
    a.metric == b.metric && a.labels.elementsEqual(b.labels, by: ==)
      && a.denominator?.metric == b.denominator?.metric
      && (a.denominator?.labels ?? []).elementsEqual(b.denominator?.labels ?? [], by: ==)
  }

  /// Parses `metric{k=v,...}` or `num{...}/den{...}`; nil when it is not that shape.
  init?(_ key: String) {
    guard let (metric, labels, rest) = ParsedSeriesKey.part(Substring(key)) else { return nil }
    self.metric = metric
    self.labels = labels
    if rest.isEmpty {
      denominator = nil
      return
    }
    guard rest.first == "/", let (m, l, end) = ParsedSeriesKey.part(rest.dropFirst()), end.isEmpty
    else { return nil }
    denominator = (m, l)
  }

  private static func part(_ s: Substring) -> (String, [(String, String)], Substring)? {
    let name = s.prefix { $0 != "{" && $0 != "/" }
    guard !name.isEmpty else { return nil }
    var rest = s.dropFirst(name.count)
    guard rest.first == "{" else { return (String(name), [], rest) }
    guard let close = rest.firstIndex(of: "}") else { return nil }
    let inner = rest[rest.index(after: rest.startIndex)..<close]
    rest = rest[rest.index(after: close)...]
    var labels: [(String, String)] = []
    for pair in inner.split(separator: ",") {
      guard let eq = pair.firstIndex(of: "=") else { return nil }
      labels.append((String(pair[..<eq]), String(pair[pair.index(after: eq)...])))
    }
    return (String(name), labels, rest)
  }
}

extension Engine {
  /// The per-minute values of a suspect's series for the `count` minutes ending with the minute
  /// of `t` (oldest first; nil where the history has none): what its sparkline draws.
  /// Bounded by the series count (a ratio sums the series it covers).
  public func suspectValues(_ s: Suspect, at t: Timestamp, count: Int) -> [Double?] {
    let n = Swift.max(0, Swift.min(count, history.capacity))
    guard n > 0, let key = ParsedSeriesKey(s.series) else { return [] }
    // The newest minute recorded by `t` (the minute `t` ends is recorded at the next tick).
    let last = Swift.min(
      MinuteHistory.minute(endingAtOrBefore: t), history.newestMinute ?? .max)
    if let den = key.denominator {
      let num = sums(matching: key.metric, key.labels, last: last, count: n)
      let total = sums(matching: den.metric, den.labels, last: last, count: n)
      return zip(num, total).map { a, b in
        guard let a, let b, b > 0 else { return nil }
        return a / b
      }
    }
    let measure = SeriesMeasure(rawValue: s.measure) ?? .p99
    let exact = interner.lookup(SeriesKey(key.metric, LabelSet(key.labels)))
    if let id = exact {
      return history.summaries(id, last: last, count: n).map { $0?.value(measure) }
    }
    guard measure == .rate || measure == .sum || measure == .count else {
      return Array(repeating: nil, count: n)
    }
    return sums(matching: key.metric, key.labels, last: last, count: n).map {
      $0.map { measure == .rate ? $0 / 60 : $0 }
    }
  }

  /// Σ of each minute's sums over the series of `metric` with these labels.
  private func sums(
    matching metric: String, _ labels: [(String, String)], last: Int64, count n: Int
  ) -> [Double?] {
    var out = [Double?](repeating: nil, count: n)
    for (i, key) in interner.allKeys.enumerated() where key.metric == metric {
      guard labels.allSatisfy({ key.labels[$0.0] == $0.1 }) else { continue }
      let id = SeriesID(UInt32(clamping: i))
      for (k, m) in history.summaries(id, last: last, count: n).enumerated() {
        guard let m else { continue }
        out[k] = (out[k] ?? 0) + m.sum
      }
    }
    return out
  }
}
