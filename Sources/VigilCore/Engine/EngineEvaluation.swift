/// Told what the engine evaluated, tick by tick (the dashboard's alert history and notifier,
/// `vigil check`'s output). Generic, so a driver's observer is called directly, per tick only.
public protocol EngineObserver {
  /// Tick `t` is about to be evaluated over the samples landed so far.
  mutating func engine(_ engine: Engine, willEvaluate t: Timestamp)
  /// Tick `t` was evaluated: its transitions (often none), sorted by rule then labels;
  /// `engine.evaluator` is as the tick left it.
  mutating func engine(_ engine: Engine, evaluated t: Timestamp, transitions: [AlertTransition])
}

extension EngineObserver {
  public mutating func engine(_ engine: Engine, willEvaluate t: Timestamp) {}
}

/// An observer that ignores everything (tests, benchmarks).
public struct NoEngineObserver: EngineObserver {
  public init() {}
  public mutating func engine(
    _ engine: Engine, evaluated t: Timestamp, transitions: [AlertTransition]
  ) {}
}

// MARK: - Layer 3: ticks

extension Engine {
  /// Evaluates every tick due at `now`, one at a time, telling `observer` about each. Waits for
  /// the first sample (so the auto clock has settled on wall or event).
  ///
  /// The first evaluation starts one interval after the first boundary at or after the oldest
  /// sample the windows still hold (``evaluationStart``; at that boundary itself with
  /// ``FirstEvaluation/firstSample``, as promtool) and walks every tick from there, so history
  /// already in the windows (a file, the demo's history) is evaluated as if it had been watched
  /// live, and every feed has had an interval to show up before an empty signal counts as a
  /// stale feed. Later calls evaluate ``AlertEvaluator/ticksDue(now:)``.
  ///
  /// - Parameters:
  ///   - backlog: a feed is still sending what was there at start: on the wall clock, only
  ///     ticks up to the newest sample are due (the windows do not hold the rest yet).
  ///   - limit: no tick after this (`vigil check` ends with the tick covering its last sample).
  public mutating func evaluateDue<O: EngineObserver>(
    now: Timestamp, backlog: Bool = false, through limit: Timestamp? = nil, observer: inout O
  ) {
    evaluateDueTicks(now: now, backlog: backlog, through: limit, observer: &observer)
    let next = evaluator.lastTick.map { $0.adding(rules.evaluationInterval) } ?? evaluationStart
    nextCheck = next.map { $0.adding(rules.evalDelay) } ?? Timestamp(nanoseconds: .min)
  }

  private mutating func evaluateDueTicks<O: EngineObserver>(
    now clockNow: Timestamp, backlog: Bool, through limit: Timestamp?, observer: inout O
  ) {
    guard clock.mode != .auto, let oldest = clock.oldestEvent else { return }
    let interval = rules.evaluationInterval
    if evaluationStart == nil {
      let from = max(oldest, clock.now.adding(-store.config.longestHorizon)).nanoseconds
      let up = from >= 0 ? (from + interval - 1) / interval * interval : from / interval * interval
      // Prometheus's first tick is the first boundary at or after the first sample.
      let later = rules.firstEvaluation == .oneIntervalLater ? interval : 0
      evaluationStart = Timestamp(nanoseconds: up + later)
    }
    guard let start = evaluationStart else { return }
    var now = clockNow
    if clock.mode == .wall, backlog, let newest = clock.newestEvent { now = min(now, newest) }
    var due = evaluator.ticksDue(now: now)
    if evaluator.lastTick == nil {
      guard let newest = due.last, newest >= start else { return }
      due = []
      var t = start
      while t <= newest {
        due.append(t)
        if newest.since(t) < interval { break }  // and t never wraps past Int64.max
        t = t.adding(interval)
      }
    }
    if let limit { due.removeAll { $0 > limit } }
    guard !due.isEmpty else { return }
    // The source holds the history (baseline rules read it): dropped before recording a minute
    // so the recording does not copy the rings, built again after.
    var source: MetricStoreAlertSource?
    for t in due {
      if history.newestMinute != MinuteHistory.minute(endingAtOrBefore: t) {
        source = nil
        history.record(through: t, store: store)
      }
      let data =
        source ?? MetricStoreAlertSource(store: store, interner: sink.interner, history: history)
      source = data
      observer.engine(self, willEvaluate: t)
      let transitions = evaluator.tick(at: t, data: data)
      rankAtFirings(t, transitions)
      observer.engine(self, evaluated: t, transitions: transitions)
    }
  }
}
