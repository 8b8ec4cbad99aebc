/// Every event pair's state, in the ``Engine`` (so `vigil check`, the dashboard, replay and
/// reports, which all run the engine, rebuild the same state from the same events).
public struct EventPairs: Sendable {
  /// The pairs in force, in config order.
  public let specs: [PairSpec]
  var trackers: [PairTracker]
  /// Per pair: its latency, open and timed-out series (interned on first use).
  var series: [[DerivedSeries]]
  /// Per pair: the event-time second its open gauge was last written in.
  var gaugeSecond: [Int64]

  enum DerivedSeries: Sendable {
    case unknown, refused
    case id(SeriesID)
  }

  init(_ specs: [PairSpec]) {
    self.specs = specs
    trackers = specs.map { PairTracker(timeout: $0.timeout, maxOpen: $0.maxOpen) }
    series = specs.map { _ in [.unknown, .unknown, .unknown] }
    gaugeSecond = specs.map { _ in .min }
  }

  /// What each pair counted, in config order.
  public var counts: [PairCounts] { trackers.map(\.counts) }

  /// The keys each pair holds (tests).
  func heldKeys(_ pair: Int) -> [[UInt8]] { Array(trackers[pair].map.keys) }

  /// One line per pair that saw an event, for `vigil check`'s summary: `pair
  /// order_confirmation: 1,204 matched, 12 open, 3 timed out`, then the other counts that are
  /// not zero.
  public var summaryLines: [String] { detailLines.map { "pair " + $0 } }

  /// The same without the leading `pair ` (the feeds view's details).
  public var detailLines: [String] {
    zip(specs, counts).filter { $0.1 != PairCounts() }.map { spec, c in
      var parts = [
        "\(grouped(c.matched)) matched", "\(grouped(c.open)) open",
        "\(grouped(c.timedOut)) timed out",
      ]
      for (n, what) in [
        (c.evicted, "evicted at max_open \(grouped(spec.maxOpen))"),
        (c.endsWithoutStart, "ends without a start"), (c.duplicateStarts, "duplicate starts"),
        (c.outOfOrder, "ends before their start"), (c.badKeys, "bad keys"),
        (c.waiting, "ends waiting for a start"),
      ] where n > 0 {
        parts.append("\(grouped(n)) \(what)")
      }
      return spec.name + ": " + parts.joined(separator: ", ")
    }
  }
}

extension Engine {
  /// Pairs the events the parser noted in the record just parsed (``PairTap``), appending the
  /// samples they make to ``ParseSink/samples``, after the record's own: a latency in
  /// milliseconds at the end's time, the timed-out count when starts expired, and the open
  /// gauge at most once per second of event time.
  /// `arrival`: when the record was read; an event from the future (``EngineClock/isAhead``) is
  /// refused by the windows and moves no pair clock either (nil: `vigil check`, whose arrival is
  /// each sample's own time).
  mutating func takePairEvents(arrival: Timestamp? = nil) {
    var k = 0
    while k < sink.pairs.events.count {
      let e = sink.pairs.events[k]
      k += 1
      let si = Int(e.sample)
      // The parser refused the line after interning it: no event.
      guard si < sink.samples.count, sink.samples[si].series == e.series else { continue }
      let p = Int(e.pair)
      guard e.keyCount > 0 else {
        pairs.trackers[p].badKey()
        continue
      }
      let t = sink.samples[si].timestamp
      if let a = arrival, EngineClock.isAhead(t, arrival: a, maxSkew: store.config.maxFutureSkew) {
        continue
      }
      let out = pairs.trackers[p].handle(
        isEnd: e.isEnd, key: sink.pairs.key(e), at: t.nanoseconds)
      if let latency = out.latency {
        emitPairSample(p, 0, t, Double(latency) / Double(Nanos.millisecond))
      }
      if out.timedOut > 0 { emitPairSample(p, 2, t, Double(out.timedOut)) }
      let second = floorToMultiple(t.nanoseconds, of: Nanos.second)
      if second != pairs.gaugeSecond[p] || out.timedOut > 0 {
        pairs.gaugeSecond[p] = second
        emitPairSample(p, 1, t, Double(pairs.trackers[p].counts.open))
      }
    }
    sink.pairs.clear()
  }

  /// Appends a sample of pair `p`'s derived series `which` (0 latency, 1 open, 2 timed out).
  private mutating func emitPairSample(_ p: Int, _ which: Int, _ t: Timestamp, _ v: Double) {
    let id: SeriesID
    switch pairs.series[p][which] {
    case .id(let known): id = known
    case .refused: return
    case .unknown:
      let spec = pairs.specs[p]
      let key =
        switch which {
        case 0: SeriesKey(spec.latencyMetric, LabelSet([(PairSpec.pairLabel, spec.name)]))
        case 1: SeriesKey(spec.openMetric)
        default: SeriesKey(spec.timedOutMetric)
        }
      guard let made = sink.interner.intern(key) else {
        pairs.series[p][which] = .refused
        return
      }
      pairs.series[p][which] = .id(made)
      id = made
    }
    sink.samples.append(Sample(series: id, timestamp: t, value: v))
  }
}
