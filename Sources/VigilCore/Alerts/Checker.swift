/// Runs rules over whole feeds as fast as possible, on event time: `vigil check` (like
/// `promtool test rules`, but over real feed files). It drives the dashboard's ``Engine``, so
/// both parse, window and evaluate alike.
///
/// Samples from every feed are merged in timestamp order (ties keep feed and line order), then
/// ingested one by one; before a sample is ingested, every evaluation tick `T` with
/// `T + eval_delay ≤ its timestamp` runs, and every statistics boundary before it is printed.
/// Ticks start as in the dashboard (``Engine/evaluateDue(now:backlog:through:observer:)``: one
/// interval after the first tick boundary), and end with
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
    /// Series made, the limits, and the metrics with folded labels or refused series.
    public var series = 0
    public var seriesLimits = SeriesLimits()
    public var cardinality: [MetricCardinality] = []
  }

  private var engine: Engine
  private let statsWindow: Int64?
  private let signals: SignalNames
  /// Feed numbers in the engine, by feed.
  private var feedNumbers: [FeedID: Int] = [:]
  private var pending: [(sample: Sample, seq: Int)] = []
  private var report = Report()

  /// - Parameters:
  ///   - statsWindow: print windowed statistics at every multiple of this window (nil: none).
  ///   - limits: the series limits and folds (the signals' metrics are added).
  public init(
    rules: RuleSet, statsWindow: Int64? = nil, signals: SignalNames = SignalNames(),
    limits: SeriesLimits = SeriesLimits()
  ) {
    engine = Engine(rules: rules, clockMode: .event, limits: limits.with(signals: signals))
    self.statsWindow = statsWindow
    self.signals = signals
  }

  /// Parses a batch of records from `feed` (call in file order; feeds in any order).
  public mutating func add(_ batch: RecordBatch, format: FeedFormat, feed: FeedSpec) {
    let number: Int
    if let n = feedNumbers[feed.id] {
      number = n
    } else {
      number = feedNumbers.count
      feedNumbers[feed.id] = number
      engine.useFormat(format, feed: number, mapping: feed.mapping, timeUnit: feed.timeUnit)
      report.feeds += 1
    }
    let issues = engine.parse(batch, feed: number, arrival: Timestamp(nanoseconds: 0)) {
      pending.append(($0, pending.count))
    }
    report.lines += batch.count + batch.oversized.count
    for issue in issues {
      report.rejected[issue.reason, default: 0] += 1
      if report.firstRejections.count < 20 {
        report.firstRejections.append(
          "\(feed.displayName):\(issue.line): \(issue.reason.rawValue): \(issue.detail)")
      }
    }
  }

  /// Evaluates everything added, calling `emit` with each output line (no newline).
  public mutating func run(emit: (String) -> Void) -> Report {
    pending.sort {
      $0.sample.timestamp != $1.sample.timestamp
        ? $0.sample.timestamp < $1.sample.timestamp : $0.seq < $1.seq
    }
    let (transitions, fired) = withoutActuallyEscaping(emit) { emit in
      var out = CheckOutput(statsWindow: statsWindow, signals: signals, emit: emit)
      evaluate(&out)
      return (out.transitions, out.fired)
    }
    report.transitions = transitions
    report.fired = fired.sorted()
    report.series = engine.interner.count
    report.seriesLimits = engine.interner.limits
    report.cardinality = engine.interner.cardinality
    return report
  }

  /// Lands every sample in time order, each after the ticks and statistics due before it.
  private mutating func evaluate(_ out: inout CheckOutput) {
    // Every series is interned by now (all feeds are parsed before any sample lands).
    engine.trackLongWindows()
    for (i, entry) in pending.enumerated() {
      let s = entry.sample
      if i == 0 {
        if let w = statsWindow { out.nextStats = ceilToMultiple(s.timestamp.nanoseconds, of: w) }
        report.first = s.timestamp
      }
      // The ticks due before the sample, then the statistics boundaries before it.
      let now = engine.advance(to: s, arrival: s.timestamp, observer: &out)
      out.printStats(before: s.timestamp, engine)
      if engine.land(s, now: now, feed: 0) == .accepted { report.samples += 1 }
      report.last = s.timestamp
    }
    guard let last = report.last else { return }
    // Evaluate the tick that covers the last sample, and print its statistics boundary.
    let rules = engine.rules
    let end = ceilToMultiple(last.nanoseconds, of: rules.evaluationInterval)
    let statsEnd = statsWindow.map { ceilToMultiple(last.nanoseconds, of: $0) } ?? end
    let now = Timestamp(nanoseconds: max(end + rules.evalDelay, statsEnd + 1))
    engine.evaluateDue(now: now, through: Timestamp(nanoseconds: end), observer: &out)
    out.printStats(before: now, engine)
  }
}

/// What `run` prints: transitions as they are evaluated, statistics boundaries in between.
private struct CheckOutput: EngineObserver {
  let statsWindow: Int64?
  let signals: SignalNames
  let emit: (String) -> Void
  var nextStats: Int64?
  var transitions = 0
  var fired = Set<String>()

  /// Prints every statistics boundary before `t` (over the windows as they are now).
  mutating func printStats(before t: Timestamp, _ engine: Engine) {
    guard let w = statsWindow else { return }
    while let b = nextStats, b < t.nanoseconds {
      printStats(at: Timestamp(nanoseconds: b), window: w, engine: engine, emit: emit)
      nextStats = b + w
    }
  }

  mutating func engine(_ engine: Engine, willEvaluate t: Timestamp) {
    // A boundary at a tick's time comes after that tick.
    printStats(before: t, engine)
  }

  mutating func engine(_ engine: Engine, evaluated t: Timestamp, transitions: [AlertTransition]) {
    for tr in transitions {
      self.transitions += 1
      if tr.to == .firing { fired.insert(tr.rule) }
      emit(tr.jsonLine)
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
