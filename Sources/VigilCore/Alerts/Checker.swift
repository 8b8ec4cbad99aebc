/// Runs rules over whole feeds as fast as possible, on event time: `vigil check` (like
/// `promtool test rules`, but over real feed files). It drives the dashboard's ``Engine``, so
/// both parse, window and evaluate alike.
///
/// Samples from every feed are merged in timestamp order (ties keep feed and line order) by a
/// bounded ``ReorderBuffer`` as the feeds are read, then landed one by one; before a sample
/// lands, every evaluation tick `T` with `T + eval_delay ≤ its timestamp` runs, and every
/// statistics boundary before it is printed. A sample more than ``Ordering/maxLateness``
/// behind its feed's newest is late: counted, and landed as the dashboard lands one (into the
/// windows that still hold it, else refused as too old). Ticks start as in the dashboard
/// (``Engine/evaluateDue(now:backlog:through:observer:)``: one interval after the first tick
/// boundary), and end with
/// the tick that covers the last sample (a finished file gets no more data).
/// The same input always prints the same lines.
///
/// Streaming: ``open(_:)`` the feeds, ``add(_:format:feed:emit:)`` their batches (each feed
/// in file order), ``endFeed(_:emit:)``, then ``finish(emit:)``; or ``run(feeds:emit:)``
/// (CheckRun.swift), which reads the files itself. In memory: ``add(_:format:feed:)``, then
/// ``run(emit:)``.
public struct Checker {
  public struct Report: Sendable, Equatable {
    public var feeds = 0
    public var lines = 0
    public var samples = 0
    public var rejected: [RejectReason: Int] = [:]
    /// The first rejected lines, `feed:line: reason: detail`.
    public var firstRejections: [String] = []
    public var transitions = 0
    /// Rules that reached Firing, sorted.
    public var fired: [String] = []
    public var first: Timestamp?
    public var last: Timestamp?
    /// Series made, the limits, and the metrics with folded labels or refused series.
    public var series = 0
    public var seriesLimits = SeriesLimits()
    public var cardinality: [MetricCardinality] = []
    /// Samples that came more than the lateness behind their feed's newest (or behind a sample
    /// released early): landed late, with their own timestamps; those no window still held are
    /// also in `rejected` as too old.
    public var late = 0
    /// Samples released before their time because the reorder buffer was full.
    public var releasedEarly = 0
    /// The lateness tolerated (nanoseconds) and the reorder buffer's bound (samples).
    public var maxLateness: Int64 = 0
    public var maxHeld = 0
    /// One line per event pair that saw an event (``EventPairs/summaryLines``).
    public var pairLines: [String] = []
  }

  /// How much disorder the merge tolerates.
  public struct Ordering: Sendable, Equatable {
    /// How far behind its feed's newest sample a sample may come and still take its place in
    /// time (`--max-lateness`, default 1m).
    public var maxLateness: Int64
    /// The most samples the reorder buffer holds (`--reorder-limit`, default 1,000,000).
    public var maxHeld: Int

    public static let defaultMaxLateness = Nanos.minute
    public static let defaultMaxHeld = 1_000_000

    public init(maxLateness: Int64 = defaultMaxLateness, maxHeld: Int = defaultMaxHeld) {
      self.maxLateness = maxLateness
      self.maxHeld = maxHeld
    }
  }

  private var engine: Engine
  private let statsWindow: Int64?
  /// `--suspects`: a suspects line after each transition to firing.
  private let suspects: Bool
  /// `--suspects-at`, sorted (the ones still due live in ``PrintedState``).
  private let suspectsAt: [Timestamp]
  private let signals: SignalNames
  /// Feed numbers in the engine and the buffer, by feed.
  private var feedNumbers: [FeedID: Int] = [:]
  /// Per feed number: its name (for rejections), whether it delivered a batch yet.
  private var feedNames: [String] = []
  private var feedSeen: [Bool] = []
  private var buffer: ReorderBuffer
  /// Feeds were declared with ``open(_:)``: samples are released as the feeds advance.
  private var streaming = false
  /// What the output has printed so far (statistics boundaries, transitions).
  private var printed = PrintedState()
  /// Lines printed while adding in memory (``add(_:format:feed:)``), for ``run(emit:)``.
  private var heldLines: [String] = []
  private var report = Report()

  /// - Parameters:
  ///   - statsWindow: print windowed statistics at every multiple of this window (nil: none).
  ///   - limits: the series limits and folds (the signals' metrics are added).
  ///   - components: the config file's `components:` (suspects group series by them).
  ///   - suspects: print a suspects line after each transition to firing (`--suspects`).
  public init(
    rules: RuleSet, statsWindow: Int64? = nil, signals: SignalNames = SignalNames(),
    limits: SeriesLimits = SeriesLimits(), ordering: Ordering = Ordering(),
    components: ComponentsConfig = ComponentsConfig(), suspects: Bool = false,
    suspectsAt: [Timestamp] = []
  ) {
    engine = Engine(rules: rules, clockMode: .event, limits: limits.with(signals: signals))
    engine.configureDiagnosis(signals: signals, components: components)
    self.suspects = suspects
    self.suspectsAt = suspectsAt.sorted()
    self.statsWindow = statsWindow
    self.signals = signals
    buffer = ReorderBuffer(maxLateness: ordering.maxLateness, maxHeld: ordering.maxHeld)
    report.maxLateness = buffer.maxLateness
    report.maxHeld = buffer.maxHeld
  }

  /// Declares every feed before the first batch (ties at equal timestamps go to the earlier
  /// one): from then on samples are released as soon as every open feed has passed them.
  public mutating func open(_ feeds: [FeedSpec]) {
    streaming = true
    for feed in feeds { _ = number(of: feed) }
  }

  /// The newest timestamp feed `feed` delivered so far (nil: none yet): read the feed that is
  /// furthest behind next.
  public func newest(of feed: FeedSpec) -> Timestamp? {
    feedNumbers[feed.id].flatMap { buffer.newest($0) }.map { Timestamp(nanoseconds: $0) }
  }

  /// Parses a batch of records from `feed` (call in file order; feeds in any order), then lands
  /// whatever the merge releases, calling `emit` with each output line (no newline).
  public mutating func add(
    _ batch: RecordBatch, format: FeedFormat, feed: FeedSpec, emit: (String) -> Void
  ) {
    parse(batch, format: format, feed: feed)
    release(emit: emit)
  }

  /// The feed has ended: it no longer holds the others back.
  public mutating func endFeed(_ feed: FeedSpec, emit: (String) -> Void) {
    buffer.endFeed(number(of: feed))
    release(emit: emit)
  }

  /// Parses a batch of records from `feed` (call in file order; feeds in any order), holding
  /// the samples for ``run(emit:)`` (in memory: nothing is released before it but what the
  /// reorder buffer's bound forces out).
  public mutating func add(_ batch: RecordBatch, format: FeedFormat, feed: FeedSpec) {
    parse(batch, format: format, feed: feed)
    var held: [String] = []
    release(emit: { held.append($0) })
    heldLines.append(contentsOf: held)
  }

  /// Evaluates everything added, calling `emit` with each output line (no newline).
  public mutating func run(emit: (String) -> Void) -> Report {
    for line in heldLines { emit(line) }
    heldLines = []
    return finish(emit: emit)
  }

  /// Every feed has ended: lands what is left and evaluates the last tick.
  public mutating func finish(emit: (String) -> Void) -> Report {
    buffer.endAll()
    release(emit: emit)
    withoutActuallyEscaping(emit) { emit in
      var out = takeOutput(emit)
      evaluateLast(&out)
      swap(&out.printed, &printed)
    }
    report.transitions = printed.transitions
    report.fired = printed.fired.sorted()
    report.late = buffer.lateTotal
    report.releasedEarly = buffer.releasedEarly
    report.series = engine.interner.count
    report.seriesLimits = engine.interner.limits
    report.cardinality = engine.interner.cardinality
    report.pairLines = engine.pairs.summaryLines
    return report
  }

  private mutating func number(of feed: FeedSpec) -> Int {
    if let n = feedNumbers[feed.id] { return n }
    let n = buffer.addFeed()
    feedNumbers[feed.id] = n
    feedNames.append(feed.displayName)
    feedSeen.append(false)
    return n
  }

  /// Parses `batch` into the reorder buffer, counting its lines and rejections.
  private mutating func parse(_ batch: RecordBatch, format: FeedFormat, feed: FeedSpec) {
    let number = number(of: feed)
    if !feedSeen[number] {
      feedSeen[number] = true
      report.feeds += 1
    }
    engine.useFormat(format, feed: number, mapping: feed.mapping, timeUnit: feed.timeUnit)
    // The buffer moves out while the engine parses (the closure cannot reach into self).
    var held = ReorderBuffer(maxLateness: 0, maxHeld: 1)
    swap(&held, &buffer)
    let issues = engine.parse(batch, feed: number, arrival: Timestamp(nanoseconds: 0)) {
      held.push($0, feed: number, line: $1)
    }
    swap(&held, &buffer)
    // The series just interned get their long windows before any of their samples lands.
    engine.trackLongWindows()
    report.lines += batch.count + batch.oversized.count
    for issue in issues {
      reject(issue.reason, feed: number, line: issue.line, detail: issue.detail)
    }
  }

  private mutating func reject(_ reason: RejectReason, feed: Int, line: Int, detail: String) {
    report.rejected[reason, default: 0] += 1
    if report.firstRejections.count < 20 {
      report.firstRejections.append(
        "\(feedNames[feed]):\(line): \(reason.rawValue): \(detail)")
    }
  }

  /// Lands every sample the merge releases (all of them once every feed has ended).
  private mutating func release(emit: (String) -> Void) {
    // In memory, nothing is due before every feed has ended (more feeds may come).
    let frontier = streaming || buffer.lanes.allSatisfy(\.ended) ? buffer.frontier() : .min
    // The buffer moves out while it releases (landing cannot reach into self otherwise).
    var held = ReorderBuffer(maxLateness: 0, maxHeld: 1)
    swap(&held, &buffer)
    withoutActuallyEscaping(emit) { emit in
      var out = takeOutput(emit)
      held.drain(before: frontier) { land($0, &out) }
      swap(&out.printed, &printed)
    }
    swap(&held, &buffer)
  }

  /// The output, with what it printed so far (swap `printed` back when done).
  private mutating func takeOutput(_ emit: @escaping (String) -> Void) -> CheckOutput {
    var out = CheckOutput(
      statsWindow: statsWindow, signals: signals, suspects: suspects, emit: emit)
    swap(&out.printed, &printed)
    if !out.printed.suspectsSet {
      (out.printed.suspectsAt, out.printed.suspectsSet) = (suspectsAt[...], true)
    }
    return out
  }

  /// Lands one released sample, after the ticks and statistics due before it.
  @inline(__always)
  private mutating func land(_ r: ReorderBuffer.Released, _ out: inout CheckOutput) {
    let s = r.sample
    if let first = report.first {
      if s.timestamp < first { report.first = s.timestamp }
    } else {
      if let w = statsWindow {
        out.printed.nextStats = ceilToMultiple(s.timestamp.nanoseconds, of: w)
      }
      report.first = s.timestamp
    }
    // The ticks due before the sample, then the statistics boundaries before it.
    let now = engine.advance(to: s, arrival: s.timestamp, observer: &out)
    if statsWindow != nil { out.printStats(before: s.timestamp, engine) }
    let outcome = engine.land(s, now: now, feed: r.feed)
    if outcome == .accepted {
      report.samples += 1
    } else {
      // Only a late sample can be refused: as the dashboard refuses it.
      let issue = Engine.storeRejection(
        outcome, s, now: now, line: r.line, record: UnsafeRawBufferPointer(start: nil, count: 0))
      reject(issue.reason, feed: Int(r.feed), line: r.line, detail: issue.detail)
    }
    if report.last.map({ s.timestamp > $0 }) ?? true { report.last = s.timestamp }
  }

  /// Evaluates the tick that covers the last sample, and prints its statistics boundary.
  private mutating func evaluateLast(_ out: inout CheckOutput) {
    guard let last = report.last else { return }
    let rules = engine.rules
    let end = ceilToMultiple(last.nanoseconds, of: rules.evaluationInterval)
    let statsEnd = statsWindow.map { ceilToMultiple(last.nanoseconds, of: $0) } ?? end
    let now = Timestamp(nanoseconds: max(end + rules.evalDelay, statsEnd + 1))
    engine.evaluateDue(now: now, through: Timestamp(nanoseconds: end), observer: &out)
    out.printStats(before: now, engine)
  }
}

/// What the output has printed so far.
private struct PrintedState {
  var nextStats: Int64?
  var transitions = 0
  var fired = Set<String>()
  /// `--suspects-at` times not reached yet.
  var suspectsAt: ArraySlice<Timestamp> = []
  var suspectsSet = false
}

/// What `run` prints: transitions as they are evaluated, statistics boundaries in between.
private struct CheckOutput: EngineObserver {
  let statsWindow: Int64?
  let signals: SignalNames
  let suspects: Bool
  let emit: (String) -> Void
  var printed = PrintedState()

  /// Prints every statistics boundary before `t` (over the windows as they are now).
  mutating func printStats(before t: Timestamp, _ engine: Engine) {
    guard let w = statsWindow else { return }
    while let b = printed.nextStats, b < t.nanoseconds {
      printStats(at: Timestamp(nanoseconds: b), window: w, engine: engine, emit: emit)
      printed.nextStats = b + w
    }
  }

  mutating func engine(_ engine: Engine, willEvaluate t: Timestamp) {
    // A boundary at a tick's time comes after that tick.
    printStats(before: t, engine)
  }

  mutating func engine(_ engine: Engine, evaluated t: Timestamp, transitions: [AlertTransition]) {
    let firings = transitions.count { $0.to == .firing }
    // The engine ranked one per transition to firing at this tick, in order (the newest kept).
    var rankings = engine.suspectRankings.suffix(firings).makeIterator()
    var unranked = firings - min(firings, engine.suspectRankings.count)
    for tr in transitions {
      printed.transitions += 1
      if tr.to == .firing { printed.fired.insert(tr.rule) }
      emit(tr.jsonLine(series: engine.rules.watchedSeries(rule: tr.rule, labels: tr.labels)))
      guard suspects, tr.to == .firing else { continue }
      if unranked > 0 {
        unranked -= 1
        var r = engine.rankSuspects(at: t)
        (r.alert, r.labels) = (tr.rule, tr.labels)
        emit(r.jsonLine)
      } else if let r = rankings.next() {
        emit(r.jsonLine)
      }
    }
    // On demand (`--suspects-at`): at the first tick at or after each time.
    if let next = printed.suspectsAt.first, t >= next {
      while let n = printed.suspectsAt.first, t >= n { printed.suspectsAt.removeFirst() }
      emit(engine.rankSuspects(at: t).jsonLine)
    }
  }
}

extension CheckOutput {
  fileprivate func printStats(
    at t: Timestamp, window: Int64, engine: Engine, emit: (String) -> Void
  ) {
    let store = engine.store
    let keys = engine.interner.allKeys
    let order = keys.indices.sorted { keys[$0] < keys[$1] }
    let head = "{\"t\":\"" + rfc3339Shortest(t) + "\",\"window\":\"" + Nanos.format(window) + "\","
    var sums: [String: [LabelSet: Double]] = [:]
    for i in order {
      let id = SeriesID(UInt32(i))
      let s = store.stats(id, window: window, at: t)
      guard s.count > 0 else { continue }
      sums[keys[i].metric, default: [:]][keys[i].labels] = s.sum
      var line = head + "\"metric\":"
      appendJSONString(&line, keys[i].metric)
      line += ",\"labels\":" + labelsJSON(keys[i].labels)
      line += ",\"count\":\(s.count),\"sum\":" + formatJSONNumber(s.sum)
      line += ",\"rate\":" + number(s.eventRate) + ",\"sum_rate\":" + number(s.sumRate)
      for (name, v) in [
        ("mean", s.mean), ("min", s.min), ("max", s.max), ("p50", s.p50), ("p90", s.p90),
        ("p95", s.p95), ("p99", s.p99),
      ] {
        line += ",\"\(name)\":" + (v.map(number) ?? "null")
      }
      emit(line + "}")
    }
    // The built-in ratio signals, as Σnum/Σden over the same window.
    let ratios = [
      (signals.paymentRetries, signals.paymentAttempts, [String]()),
      (signals.paymentFailures, signals.paymentAttempts, []),
      (signals.inventoryMismatches, signals.inventoryChecks, ["pair"]),
    ]
    for (num, den, by) in ratios {
      guard let dens = sums[den] else { continue }
      var groups: [LabelSet: (Double, Double)] = [:]
      func group(_ l: LabelSet) -> LabelSet {
        LabelSet(by.compactMap { n in l[n].map { (n, $0) } })
      }
      for (l, v) in dens { groups[group(l), default: (0, 0)].1 += v }
      for (l, v) in sums[num] ?? [:] { groups[group(l), default: (0, 0)].0 += v }
      for (labels, (n, d)) in groups.sorted(by: { $0.key < $1.key }) where d > 0 {
        var line = head + "\"ratio\":"
        appendJSONString(&line, num + "/" + den)
        line += ",\"labels\":" + labelsJSON(labels) + ",\"num\":" + formatJSONNumber(n)
        line += ",\"den\":" + formatJSONNumber(d) + ",\"value\":" + formatJSONNumber(n / d) + "}"
        emit(line)
      }
    }
  }

  private func labelsJSON(_ labels: LabelSet) -> String {
    var s = "{"
    for (i, l) in labels.labels.enumerated() {
      if i > 0 { s += "," }
      appendJSONString(&s, l.name)
      s += ":"
      appendJSONString(&s, l.value)
    }
    return s + "}"
  }

  private func number(_ v: Double) -> String { v.isFinite ? formatJSONNumber(v) : "null" }
}

func ceilToMultiple(_ x: Int64, of m: Int64) -> Int64 {
  let f = floorToMultiple(x, of: m)
  return f == x ? x : f + m
}
