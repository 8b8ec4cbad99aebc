/// What the engine keeps for diagnosis: how series map to components, and the suspects ranked
/// at every transition to firing (bounded, newest kept).
public struct EngineDiagnosis: Sendable {
  public var ranker: SuspectRanker
  /// Oldest first.
  public internal(set) var rankings: [SuspectRanking] = []
  /// Rankings kept (the oldest dropped past it).
  public var maxRankings = 256

  public init(ranker: SuspectRanker = SuspectRanker(components: .defaults(signals: SignalNames())))
  {
    self.ranker = ranker
  }

  mutating func append(_ r: SuspectRanking) {
    if rankings.count >= maxRankings {
      rankings.removeFirst(rankings.count - maxRankings + 1)
    }
    rankings.append(r)
  }
}

extension Engine {
  /// Suspects ranked at every transition to firing, oldest first (bounded, newest kept).
  public var suspectRankings: [SuspectRanking] { diagnosis.rankings }

  /// The suspects ranked now (the `d` key), from the history and windows at `t`.
  public func rankSuspects(at t: Timestamp) -> SuspectRanking {
    SuspectRanking(t: t, alert: nil, labels: .empty, suspects: suspects(at: t))
  }

  func suspects(at t: Timestamp) -> [Suspect] {
    diagnosis.ranker.rank(at: t, history: history, store: store, interner: sink.interner)
  }

  /// Ranks by the components of the given signal names and `components:` config (the
  /// defaults for the default signal names until this is called).
  public mutating func configureDiagnosis(
    signals: SignalNames, components: ComponentsConfig = ComponentsConfig()
  ) {
    diagnosis.ranker.components = ComponentMap(signals: signals, config: components)
    diagnosis.ranker.signals = signals.all
  }

  /// After a tick: one ranking per transition to firing (ranked once for the tick).
  mutating func rankAtFirings(_ t: Timestamp, _ transitions: [AlertTransition]) {
    var ranked: [Suspect]?
    for tr in transitions where tr.to == .firing {
      let suspects = ranked ?? suspects(at: t)
      ranked = suspects
      diagnosis.append(
        SuspectRanking(t: t, alert: tr.rule, labels: tr.labels, suspects: suspects))
    }
  }
}
