// MARK: - Layer 2: one sample

extension Engine {
  /// Moves the clock to `sample` (resolving the auto mode on the first sample) and, in event
  /// time, evaluates every tick it passes before it lands. Returns the "now" the sample is
  /// judged against: its arrival on the wall clock, the newest event time in event time.
  @inline(__always)
  public mutating func advance<O: EngineObserver>(
    to sample: Sample, arrival: Timestamp, observer: inout O
  ) -> Timestamp {
    if clock.mode == .auto {
      clock.settleMode(sample, arrival: arrival, horizon: store.config.longestHorizon)
    }
    let now = clock.resolve(sample, arrival: arrival, maxSkew: store.config.maxFutureSkew)
    // Event time: the ticks this sample passes are evaluated before it lands.
    if clock.mode == .event && now >= nextCheck {
      evaluateDue(now: clock.now, backlog: false, observer: &observer)
    }
    return now
  }

  /// Puts one sample in the windows at `now` (from ``advance(to:arrival:observer:)``), noting
  /// which feed delivered it.
  @inline(__always)
  public mutating func land(_ sample: Sample, now: Timestamp, feed: Int32) -> IngestOutcome {
    let outcome = store.ingest(sample, now: now)
    if outcome == .accepted {
      let si = sample.series.index
      if si >= seriesFeed.count {
        seriesFeed.append(contentsOf: repeatElement(-1, count: si + 1 - seriesFeed.count))
      }
      seriesFeed[si] = feed
    }
    return outcome
  }

  /// Registers the series interned since the last call that rules read over long windows
  /// (call before landing their samples; one comparison when nothing is new).
  public mutating func trackLongWindows() {
    longWindows.update(store: &store, interner: sink.interner)
  }
}

extension EngineClock {
  /// Whether a sample stamped `t` and read at `arrival` is from the future: more than `maxSkew`
  /// after its own arrival. It moves no clock, the windows refuse it, and it pairs with nothing.
  static func isAhead(_ t: Timestamp, arrival: Timestamp, maxSkew: Int64) -> Bool {
    guard t > arrival else { return false }
    let (ahead, overflow) = t.nanoseconds.subtractingReportingOverflow(arrival.nanoseconds)
    return overflow || ahead > maxSkew
  }

  /// The auto mode settles on the first sample: event time when it is older than the longest
  /// window, else the wall clock.
  mutating func settleMode(_ sample: Sample, arrival: Timestamp, horizon: Int64) {
    mode = arrival.since(sample.timestamp) > horizon ? .event : .wall
  }

  /// Takes a sample into account (the mode settled); returns the "now" it is judged against.
  ///
  /// In event time a sample stamped more than `maxSkew` after its own arrival (a line from the
  /// future, such as a year-2262 typo) moves nothing: the windows then refuse it as ahead of
  /// the clock, as they do on the wall clock, so one bad line cannot push the event clock past
  /// every later sample. (`vigil check` passes each sample's own time as its arrival.)
  @inline(__always)
  mutating func resolve(_ sample: Sample, arrival: Timestamp, maxSkew: Int64) -> Timestamp {
    if mode == .event && Self.isAhead(sample.timestamp, arrival: arrival, maxSkew: maxSkew) {
      return now
    }
    if oldestEvent.map({ sample.timestamp < $0 }) ?? true {
      oldestEvent = sample.timestamp
    }
    if mode == .event {
      if newestEvent.map({ sample.timestamp > $0 }) ?? true {
        newestEvent = sample.timestamp
        now = sample.timestamp
      }
      return now
    }
    if newestEvent.map({ sample.timestamp > $0 }) ?? true {
      newestEvent = sample.timestamp
    }
    return arrival
  }
}

extension WindowsConfig {
  /// How far back the longest level reaches.
  var longestHorizon: Int64 { levels.map(\.horizon).max() ?? 0 }
}

// MARK: - Layer 4: a batch, record by record

/// What landing one batch gave: the driver's counters and its rejected lines.
public struct BatchOutcome: Sendable {
  /// Samples the windows accepted.
  public var accepted: UInt64 = 0
  /// The newest timestamp among them.
  public var newest: Timestamp?
  /// Every rejected line, by line number: the parser's, the windows' (too old, ahead of the
  /// clock) and the framer's (too long, cut).
  public var issues: [ParseIssue] = []
  /// Values the parser skipped on purpose (neither samples nor rejections).
  public var skipped = 0

  public init() {}
}

extension Engine {
  /// Parses `batch` with feed `feed`'s parser and lands each record's samples before the next
  /// record is parsed (so ticks see the series interned so far, whatever the batching), each
  /// after the ticks it passes (``advance(to:arrival:observer:)``).
  ///
  /// Hot path: nothing is allocated per sample; the parser is uniquely referenced while it runs.
  public mutating func ingest<O: EngineObserver>(
    _ batch: RecordBatch, feed: Int, arrival: Timestamp, observer: inout O
  ) -> BatchOutcome {
    var result = BatchOutcome()
    guard feed < parsers.count, var parser = parsers[feed].parser else { return result }
    parsers[feed].parser = nil  // keep the parser uniquely referenced while it runs
    sink.samples.removeAll(keepingCapacity: true)
    sink.issues.removeAll(keepingCapacity: true)
    var storeRejects: [ParseIssue] = []
    var newest = Timestamp(nanoseconds: .min)
    let feedNumber = Int32(feed)
    batch.bytes.withUnsafeBytes { all in
      var start = 0
      for i in 0..<batch.count {
        let end = batch.ends[i]
        let record = UnsafeRawBufferPointer(rebasing: all[start..<end])
        let line = batch.lines[i]
        start = end
        // The sample buffer is emptied after every record, so it holds only this record's.
        parser.parse(record, line: line, arrival: arrival, into: &sink)
        if !sink.pairs.events.isEmpty { takePairEvents(arrival: arrival) }
        guard !sink.samples.isEmpty else { continue }
        trackLongWindows()
        // By index: iterating the array would retain it for every record (landing mutates self).
        var k = 0
        while k < sink.samples.count {
          let sample = sink.samples[k]
          k += 1
          let now = advance(to: sample, arrival: arrival, observer: &observer)
          let outcome = land(sample, now: now, feed: feedNumber)
          if outcome == .accepted {
            result.accepted += 1
            if sample.timestamp > newest { newest = sample.timestamp }
          } else {
            storeRejects.append(
              Engine.storeRejection(outcome, sample, now: now, line: line, record: record))
          }
        }
        sink.samples.removeAll(keepingCapacity: true)
      }
    }
    parsers[feed].parser = parser
    if result.accepted > 0 { result.newest = newest }
    result.skipped = takeSkipped()
    if !sink.issues.isEmpty || !storeRejects.isEmpty || !batch.oversized.isEmpty
      || !batch.cut.isEmpty
    {
      var issues = sink.issues
      issues.append(contentsOf: storeRejects)
      Engine.appendBatchIssues(batch, to: &issues)
      issues.sort { $0.line < $1.line }
      result.issues = issues
    }
    sink.issues.removeAll(keepingCapacity: true)
    return result
  }

  /// The issue for a sample the windows refused (too old, or ahead of the clock).
  static func storeRejection(
    _ outcome: IngestOutcome, _ sample: Sample, now: Timestamp, line: Int,
    record: UnsafeRawBufferPointer
  ) -> ParseIssue {
    let (reason, detail): (RejectReason, String) =
      outcome == .future
      ? (.futureTimestamp, "timestamp \(sample.timestamp) is ahead of the clock (\(now))")
      : (.tooOld, "timestamp \(sample.timestamp) is older than the longest window")
    return ParseIssue(line: line, reason: reason, detail: detail, excerpt: printableExcerpt(record))
  }
}
