/// Runs rules over whole feeds as fast as possible, on event time: the engine behind
/// `vigil check` (like `promtool test rules`, but over real feed files).
///
/// Samples from every feed are merged in timestamp order (ties keep feed and line order), then
/// ingested one by one; before a sample is ingested, every evaluation tick `T` with
/// `T + eval_delay ≤ its timestamp` runs, and every statistics boundary before it is printed.
/// Ticks start as in the dashboard (one interval after the first tick boundary), and end with
/// the tick that covers the last sample (a finished file gets no more data).
/// The same input always prints the same lines.
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
  }

  private var engine: AlertEvaluator
  private let statsWindow: Int64?
  private let signals: SignalNames
  private var sink = ParseSink()
  private var parsers: [FeedID: any FeedParser] = [:]
  private var pending: [(sample: Sample, seq: Int)] = []
  private var report = Report()

  /// - Parameters:
  ///   - statsWindow: print windowed statistics at every multiple of this window (nil: none).
  public init(rules: RuleSet, statsWindow: Int64? = nil, signals: SignalNames = SignalNames()) {
    engine = AlertEvaluator(rules: rules)
    self.statsWindow = statsWindow
    self.signals = signals
  }

  /// Parses a batch of records from `feed` (call in file order; feeds in any order).
  public mutating func add(_ batch: RecordBatch, format: FeedFormat, feed: FeedSpec) {
    if parsers[feed.id] == nil {
      parsers[feed.id] = Parsers.make(format, mapping: feed.mapping, timeUnit: feed.timeUnit)
      report.feeds += 1
    }
    guard var parser = parsers[feed.id] else { return }
    parsers[feed.id] = nil
    for i in 0..<batch.count {
      batch.withRecord(i) { record, line in
        parser.parse(record, line: line, arrival: Timestamp(nanoseconds: 0), into: &sink)
      }
      for s in sink.samples { pending.append((s, pending.count)) }
      sink.samples.removeAll(keepingCapacity: true)
    }
    for line in batch.oversized {
      sink.issues.append(
        ParseIssue(line: line, reason: .lineTooLong, detail: "over the record limit"))
    }
    report.lines += batch.count + batch.oversized.count
    for issue in sink.issues {
      report.rejected[issue.reason, default: 0] += 1
      if report.firstRejections.count < 20 {
        report.firstRejections.append(
          "\(feed.displayName):\(issue.line): \(issue.reason.rawValue): \(issue.detail)")
      }
    }
    sink.issues.removeAll(keepingCapacity: true)
    parsers[feed.id] = parser
  }

  /// Evaluates everything added, calling `emit` with each output line (no newline).
  public mutating func run(emit: (String) -> Void) -> Report {
    pending.sort {
      $0.sample.timestamp != $1.sample.timestamp
        ? $0.sample.timestamp < $1.sample.timestamp : $0.seq < $1.seq
    }
    var store = MetricStore()
    var longWindows = LongWindowTracker(rules: engine.ruleSet, config: store.config)
    longWindows.update(store: &store, interner: sink.interner)
    var nextStats: Int64?
    var fired = Set<String>()
    func tick(_ t: Timestamp, _ store: MetricStore) {
      let source = MetricStoreAlertSource(store: store, interner: sink.interner)
      for tr in engine.tick(at: t, data: source) {
        report.transitions += 1
        if tr.to == .firing { fired.insert(tr.rule) }
        emit(tr.jsonLine)
      }
    }
    func advance(to now: Timestamp, _ store: MetricStore, ticksThrough limit: Timestamp? = nil) {
      // Ticks and statistics boundaries due before data at `now`, in time order.
      let ticks = engine.ticksDue(now: now).filter { tick in limit.map { tick <= $0 } ?? true }
      var ti = 0
      while true {
        let nextTick = ti < ticks.count ? ticks[ti] : nil
        let stat = nextStats.flatMap { $0 < now.nanoseconds ? Timestamp(nanoseconds: $0) : nil }
        if let tt = nextTick, stat.map({ tt <= $0 }) ?? true {
          tick(tt, store)
          ti += 1
        } else if let b = stat, let w = statsWindow {
          printStats(at: b, window: w, store: store, emit: emit)
          nextStats = b.nanoseconds + w
        } else {
          break
        }
      }
    }
    for (i, entry) in pending.enumerated() {
      let s = entry.sample
      if i == 0 {
        // Like the dashboard: the first tick is one interval after the first tick boundary at
        // or after the first sample, so every feed has had a chance to send something before
        // an empty signal counts as a stale feed.
        let interval = engine.ruleSet.evaluationInterval
        engine.startTicks(
          after: Timestamp(nanoseconds: ceilToMultiple(s.timestamp.nanoseconds, of: interval)))
        if let w = statsWindow { nextStats = ceilToMultiple(s.timestamp.nanoseconds, of: w) }
        report.first = s.timestamp
      } else {
        advance(to: s.timestamp, store)
      }
      if store.ingest(s, now: s.timestamp) == .accepted { report.samples += 1 }
      report.last = s.timestamp
    }
    if let last = report.last {
      // Evaluate the tick that covers the last sample, and print its statistics boundary.
      let end = ceilToMultiple(last.nanoseconds, of: engine.ruleSet.evaluationInterval)
      let statsEnd = statsWindow.map { ceilToMultiple(last.nanoseconds, of: $0) } ?? end
      advance(
        to: Timestamp(nanoseconds: max(end + engine.ruleSet.evalDelay, statsEnd + 1)), store,
        ticksThrough: Timestamp(nanoseconds: end))
    }
    report.fired = fired.sorted()
    return report
  }

  private func printStats(
    at t: Timestamp, window: Int64, store: MetricStore, emit: (String) -> Void
  ) {
    let keys = sink.interner.allKeys
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
