import VigilCore

/// Where the dashboard takes its suspects from: the ``Engine`` (``engine``), or in tests a
/// source that injects rankings. Views, replay and reports read rankings only through it.
public struct SuspectSource: Sendable {
  /// The ranking on demand at a time (the `d` key).
  public var now: @Sendable (Engine, Timestamp) -> SuspectRanking
  /// The rankings made at each transition to firing, oldest first.
  public var atFiring: @Sendable (Engine) -> [SuspectRanking]

  public init(
    now: @escaping @Sendable (Engine, Timestamp) -> SuspectRanking,
    atFiring: @escaping @Sendable (Engine) -> [SuspectRanking]
  ) {
    self.now = now
    self.atFiring = atFiring
  }

  /// The engine's own ranking (``Engine/rankSuspects(at:)``, ``Engine/suspectRankings``).
  public static let engine = SuspectSource(
    now: { $0.rankSuspects(at: $1) }, atFiring: { $0.suspectRankings })

  /// Fixed rankings (tests and fixtures): `now` for any time, `atFiring` as given.
  public static func fixed(now: SuspectRanking?, atFiring: [SuspectRanking] = []) -> SuspectSource {
    SuspectSource(
      now: { _, t in
        var r = now ?? SuspectRanking(t: t, alert: nil, labels: .empty, suspects: [])
        r.t = t
        return r
      }, atFiring: { _ in atFiring })
  }
}

/// What the Suspects view (`d`) ranks: the suspects now, or those ranked when an alert fired.
public enum SuspectsSubject: Sendable, Equatable {
  case now
  case alert(AlertKey)
}

/// The on-demand ranking of one evaluation tick, kept so a frame does not rank again.
public struct SuspectsCache: Sendable {
  public var t: Timestamp
  public var lastTick: Timestamp?
  public var ranking: SuspectRanking
}

/// How the demo shows its suspects: when an alert fires (for `showFor` of clock time) and while
/// `atEnd` says the incident is ending.
public struct DemoSuspects: Sendable {
  public var showFor: Int64
  public var atEnd: @Sendable (Timestamp) -> Bool
  /// How far back the ending looks for the incident's first firing.
  public var incidentLength: Int64

  public init(
    showFor: Int64 = Nanos.minute, incidentLength: Int64 = 15 * Nanos.minute,
    atEnd: @escaping @Sendable (Timestamp) -> Bool
  ) {
    self.showFor = showFor
    self.incidentLength = incidentLength
    self.atEnd = atEnd
  }
}

extension AppState {
  /// The tick the on-demand ranking is made at: the view time, down to the evaluation interval
  /// (so it is ranked again once a tick, not once a frame).
  public var suspectsTime: Timestamp {
    let step = max(Nanos.second, engine.rules.evaluationInterval)
    let n = viewTime.nanoseconds
    let q = n >= 0 ? n / step : (n - step + 1) / step
    return Timestamp(nanoseconds: q &* step)
  }

  /// The suspects ranked now (from the cache when it is this tick's).
  public var suspectsNow: SuspectRanking {
    let t = suspectsTime
    if let c = suspectsCache, c.t == t, c.lastTick == engine.evaluator.lastTick {
      return c.ranking
    }
    return config.suspects.now(engine, t)
  }

  /// Ranks again when the cached ranking is not this tick's and the Suspects view is open.
  mutating func refreshSuspects() {
    guard ui.overlay == .suspects, ui.suspectsSubject == .now else { return }
    let t = suspectsTime
    let tick = engine.evaluator.lastTick
    if let c = suspectsCache, c.t == t, c.lastTick == tick { return }
    suspectsCache = SuspectsCache(t: t, lastTick: tick, ranking: config.suspects.now(engine, t))
    dirty = true
  }

  /// The newest ranking made when this alert instance fired (the same labels, else the same
  /// rule), or nil.
  public func firingRanking(_ key: AlertKey) -> SuspectRanking? {
    let all = config.suspects.atFiring(engine)
    return all.last { $0.alert == key.rule && $0.labels == key.labels }
      ?? all.last { r in
        r.alert == key.rule && r.labels.labels.allSatisfy { key.labels[$0.name] == $0.value }
      }
  }

  /// The ranking the Suspects view shows; nil when it was opened for an alert that has none.
  public var shownSuspects: SuspectRanking? {
    switch ui.suspectsSubject {
    case .now: suspectsNow
    case .alert(let key): firingRanking(key)
    }
  }

  /// Minutes of data the ranker wants before its first ranking (12 by default, the same the
  /// default baseline rules need).
  public var suspectsWarmupMinutes: Int { engine.diagnosis.ranker.tuning.dataMinutes }

  /// Whole minutes of data at the view time (the oldest event's minute included), as the
  /// suspects' warm-up counts them (at most the ranker's hour and gap).
  public var baselineMinutes: Int {
    guard let oldest = oldestEvent else { return 0 }
    let tuning = engine.diagnosis.ranker.tuning
    let m =
      MinuteHistory.minute(endingAtOrBefore: viewTime)
      - MinuteHistory.minute(endingAtOrBefore: oldest)
    return Int(clamping: max(0, min(m, Int64(tuning.baselineMinutes + tuning.gapMinutes))))
  }
}
