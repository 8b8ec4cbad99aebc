/// Registers with the store's ``CounterHistory`` every series a rule reads over a window longer
/// than the store's rings (an SLO's 1h, 6h and 3d windows, a ratio over 1h).
///
/// Call ``update(store:interner:)`` before ingesting samples: it looks only at series interned
/// since the last call, so it costs one comparison when nothing is new.
public struct LongWindowTracker: Sendable {
  /// The selectors whose series need long windows.
  public let selectors: [SeriesSelector]
  private var scanned = 0

  public init(rules: RuleSet, config: WindowsConfig) {
    var out: [SeriesSelector] = []
    func add(_ s: SeriesSelector) { if !out.contains(s) { out.append(s) } }
    func isLong(_ w: Int64) -> Bool { config.problem(withWindow: w) != nil }
    for rule in rules.rules {
      switch rule.aggregate {
      case .series(let m):
        if (m == .sum || m == .rate) && isLong(rule.window) { add(rule.selector) }
      case .ratio(let num, let den):
        if isLong(rule.window) {
          add(num)
          add(den)
        }
      case .burnRate(let slo):
        guard slo.windows.contains(where: { isLong($0.long) || isLong($0.short) }) else { break }
        add(slo.total)
        switch slo.events {
        case .good(let s), .bad(let s): add(s)
        }
      }
    }
    selectors = out
  }

  /// Tracks the series interned since the last call that a selector matches.
  public mutating func update(store: inout MetricStore, interner: SeriesInterner) {
    let count = interner.count
    guard scanned < count else { return }
    defer { scanned = count }
    guard !selectors.isEmpty else { return }
    for i in scanned..<count {
      let id = SeriesID(UInt32(i))
      let key = interner.key(id)
      if selectors.contains(where: { $0.metric == key.metric && $0.matches(key.labels) }) {
        store.trackLongWindows(id)
      }
    }
  }
}

extension SeriesSelector {
  /// The labels satisfy every matcher (the metric name is not compared).
  public func matches(_ labels: LabelSet) -> Bool { matchers.allSatisfy { $0.matches(labels) } }
}
