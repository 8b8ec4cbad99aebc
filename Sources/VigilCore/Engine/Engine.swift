/// The one path from feed records to samples, windows and alerts: the dashboard's `update`
/// (and so replay and reports, which drive `update`) and `vigil check` both run it, so they
/// cannot disagree.
///
/// It owns every feed's parser, the series interner (in the ``ParseSink``), the
/// ``MetricStore`` windows, the ``LongWindowTracker`` and the ``AlertEvaluator``, and the event
/// clock they are judged by (``EngineClock``). Its operations come in layers:
///
/// 1. parse: ``parse(_:feed:arrival:sample:)`` turns a ``RecordBatch`` into samples and
///    ``ParseIssue``s (the batch's oversized and cut lines included);
/// 2. one sample: ``advance(to:arrival:observer:)`` moves the clock to a sample and evaluates the
///    event-time ticks due before it; ``land(_:now:feed:)`` puts it in the windows (call
///    ``trackLongWindows()`` first when new series were interned);
/// 3. one tick at a time: ``evaluateDue(now:backlog:through:observer:)``;
/// 4. ``ingest(_:feed:arrival:observer:)``: a whole batch parsed and landed record by record,
///    the windows' rejections turned into issues (the dashboard's hot path);
///
/// and read-only access for views and statistics (``store``, ``interner``, ``evaluator``,
/// ``clock``, ``seriesFeed``). What a tick produced goes to an ``EngineObserver``: the
/// dashboard's alert history and notifier, or `vigil check`'s output.
///
/// Nothing here reads a clock: wall time comes in as `arrival` and through ``setNow(_:)``.
public struct Engine: Sendable {
  /// The parser's output buffer and the series interner (``interner``).
  public internal(set) var sink: ParseSink
  /// The windows every sample lands in.
  public internal(set) var store: MetricStore
  /// The alert rules' state machine.
  public internal(set) var evaluator: AlertEvaluator
  /// Registers the series rules read over long windows (SLO burn rates) with the store.
  public internal(set) var longWindows: LongWindowTracker
  /// The clock samples and ticks are judged by.
  public internal(set) var clock: EngineClock
  /// Per-minute summaries of every series over the last hour (baselines and suspects read
  /// them), recorded before each tick that starts a new minute.
  public internal(set) var history: MinuteHistory
  /// Event pairs (config `pairs:`): open keys and counts per pair; their events are taken in
  /// the ``sink`` and paired as each record is parsed (`Pairs/`).
  public internal(set) var pairs: EventPairs
  /// Components and the suspects ranked at each transition to firing (``suspectRankings``).
  public internal(set) var diagnosis = EngineDiagnosis()
  /// For each series (by `SeriesID.index`), the feed number that last delivered an accepted
  /// sample of it, or -1 (which feed's staleness a panel shows).
  public internal(set) var seriesFeed: [Int32] = []
  /// Evaluation starts one interval after the first sample, so every feed has had a chance to
  /// send something before an empty signal counts as a stale feed.
  public internal(set) var evaluationStart: Timestamp?
  /// Event time at which landing a sample next evaluates (event-time mode only).
  var nextCheck = Timestamp(nanoseconds: .min)
  /// Per feed number: its parser and the format it parses.
  var parsers: [FeedParserSlot] = []

  /// - Parameters:
  ///   - limits: the interner's series limits and folds (``SeriesLimits``; give it the
  ///     signals' metrics with ``SeriesLimits/with(signals:)``).
  ///   - now: the clock's start (the wall clock's now; replaced by the first sample in event
  ///     time).
  public init(
    rules: RuleSet, windows: WindowsConfig = WindowsConfig(), clockMode: ClockMode = .event,
    now: Timestamp = Timestamp(nanoseconds: 0), limits: SeriesLimits = SeriesLimits()
  ) {
    sink = ParseSink(interner: SeriesInterner(limits: limits))
    sink.pairs = PairTap(pairs: limits.pairs)
    pairs = EventPairs(limits.pairs)
    store = MetricStore(config: windows)
    evaluator = AlertEvaluator(rules: rules)
    longWindows = LongWindowTracker(rules: rules, config: windows)
    clock = EngineClock(mode: clockMode, now: now)
    history = MinuteHistory(maxSeries: limits.maxSeries)
  }

  /// Every series interned so far.
  public var interner: SeriesInterner { sink.interner }

  /// The rules in force.
  public var rules: RuleSet { evaluator.ruleSet }

  /// Puts new rules in force (instances of unchanged rules keep their state).
  public mutating func replaceRules(_ rules: RuleSet) {
    evaluator.replaceRules(rules)
    longWindows = LongWindowTracker(rules: rules, config: store.config)
  }

  /// Sets the clock mode (tests; the app sets it at start).
  public mutating func setClockMode(_ mode: ClockMode) { clock.mode = mode }

  /// Sets "now": the wall clock's time from the loop's ticks (in event time the samples set it).
  public mutating func setNow(_ t: Timestamp) { clock.now = t }
}

/// The time samples and ticks are judged by.
public struct EngineClock: Sendable, Equatable {
  /// The mode in force (auto resolves to wall or event on the first sample).
  public internal(set) var mode: ClockMode
  /// The clock's now, or the newest event time in event mode.
  public internal(set) var now: Timestamp
  /// The newest event time seen.
  public internal(set) var newestEvent: Timestamp?
  /// The oldest event time seen (where alert evaluation starts).
  public internal(set) var oldestEvent: Timestamp?

  public init(mode: ClockMode, now: Timestamp) {
    self.mode = mode
    self.now = now
  }
}

/// One feed's parser, kept with the format it parses.
struct FeedParserSlot: Sendable {
  var format: FeedFormat?
  var parser: (any FeedParser)?
}

// MARK: - Layer 1: parse

extension Engine {
  /// Makes sure feed number `feed` has a parser for `format` (a new one when the format
  /// changed). Call before parsing a batch of that feed.
  public mutating func useFormat(
    _ format: FeedFormat, feed: Int, mapping: FieldMapping, timeUnit: TimeUnit?
  ) {
    if feed >= parsers.count {
      parsers.append(
        contentsOf: repeatElement(FeedParserSlot(), count: feed + 1 - parsers.count))
    }
    if parsers[feed].parser == nil || parsers[feed].format != format {
      parsers[feed] = FeedParserSlot(
        format: format, parser: Parsers.make(format, mapping: mapping, timeUnit: timeUnit))
    }
  }

  /// Parses every record of `batch` with feed `feed`'s parser, calling `sample` with each sample
  /// in order and its line number; returns the issues: the parser's, then the batch's oversized
  /// and cut lines. Nothing lands in the windows (`vigil check` merges the feeds first).
  public mutating func parse(
    _ batch: RecordBatch, feed: Int, arrival: Timestamp, sample: (Sample, Int) -> Void
  ) -> [ParseIssue] {
    guard feed < parsers.count, var parser = parsers[feed].parser else { return [] }
    parsers[feed].parser = nil  // keep the parser uniquely referenced while it runs
    sink.samples.removeAll(keepingCapacity: true)
    batch.bytes.withUnsafeBytes { all in
      var start = 0
      for i in 0..<batch.count {
        let end = batch.ends[i]
        let line = batch.lines[i]
        parser.parse(
          UnsafeRawBufferPointer(rebasing: all[start..<end]), line: line, arrival: arrival,
          into: &sink)
        start = end
        if !sink.pairs.events.isEmpty { takePairEvents() }
        // By index: iterating the array would retain it for every record.
        var k = 0
        while k < sink.samples.count {
          sample(sink.samples[k], line)
          k += 1
        }
        sink.samples.removeAll(keepingCapacity: true)
      }
    }
    parsers[feed].parser = parser
    var issues = sink.issues
    sink.issues.removeAll(keepingCapacity: true)
    Engine.appendBatchIssues(batch, to: &issues)
    return issues
  }

  /// Values the parsers skipped on purpose since the last call (InfluxDB string fields).
  public mutating func takeSkipped() -> Int {
    defer { sink.skipped = 0 }
    return sink.skipped
  }

  /// The issues of lines the framer dropped before parsing: too long, or cut off a datagram.
  static func appendBatchIssues(_ batch: RecordBatch, to issues: inout [ParseIssue]) {
    for line in batch.oversized {
      issues.append(
        ParseIssue(
          line: line, reason: .lineTooLong,
          detail: "longer than the limit (64 KiB a line, 16 MiB an exposition); skipped"))
    }
    for line in batch.cut {
      issues.append(
        ParseIssue(
          line: line, reason: .truncated,
          detail: "datagram longer than the receive buffer; its partial last line was dropped"))
    }
  }
}
