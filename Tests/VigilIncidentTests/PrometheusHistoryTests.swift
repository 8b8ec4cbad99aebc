import Testing
import VigilApp
import VigilCore
import VigilIncident

/// A recording made from Prometheus range data (`vigil replay --prometheus`): its shape, and
/// its transitions against `vigil check` over the same points.
@Suite struct PrometheusHistoryTests {
  static let start = Timestamp(nanoseconds: 1_795_687_200 * Nanos.second)
  static let step = 10 * Nanos.second
  static let minutes = 40

  /// What `query_range` would give for three queries over 40 minutes at a 10 s step: checkout
  /// p99 at 5.2 s from minute 10 to 20 (0.8 s otherwise), and payment retries at 20 % of
  /// attempts from minute 25 to 35 (1 % otherwise), as per-step increases.
  static func load() -> PromRangeLoad {
    var load = PromRangeLoad()
    var line = 1
    for k in 0..<(minutes * 6) {
      let t = start.adding(Int64(k) * step)
      let minute = k / 6
      var batch = RecordBatch()
      func add(_ metric: String, _ labels: LabelSet, _ value: Double) {
        let bytes = PromSampleLines.line(
          metric: metric, labels: labels, point: PromPoint(time: t, value: value))
        bytes.withUnsafeBytes { batch.append($0, line: line) }
        line += 1
      }
      add(
        "checkout_latency_ms", LabelSet([("stage", "total")]),
        (10..<20).contains(minute) ? 5200 : 800)
      add("payment_attempts_total", LabelSet(), 100)
      add("payment_retries_total", LabelSet(), (25..<35).contains(minute) ? 20 : 1)
      load.batches.append(batch)
      load.batchTimes.append(t)
      load.newest = t
    }
    load.lines = line - 1
    load.step = step
    return load
  }

  static func request(rules: String = DefaultRules.yaml()) -> PrometheusHistory.Request {
    PrometheusHistory.Request(
      url: "http://prometheus:9090",
      queries: [PrometheusQuery(name: "checkout_latency_ms", query: "x")],
      from: start, to: start.adding(Int64(minutes) * Nanos.minute), step: step,
      rulesYAML: rules)
  }

  @Test func oneInputPerTimeArrivingAtThatTimeThenATick() throws {
    let file = PrometheusHistory.recording(Self.load(), Self.request())
    #expect(file.header.clockMode == .event)
    #expect(file.header.start == Self.start)
    #expect(file.endedCleanly && file.warnings.isEmpty)
    guard case .input(let first) = file.records.first, case .event(.fetched) = first.payload
    else {
      Issue.record("the recording starts with \(String(describing: file.records.first))")
      return
    }
    var inputs: [Timestamp] = []
    var previous: RecordingEntry?
    for r in file.records {
      if case .tick(let t) = r {
        guard case .input(let i) = previous else {
          Issue.record("a tick after \(String(describing: previous))")
          continue
        }
        #expect(i.arrival == t)
        inputs.append(t)
      }
      if case .alert = r {} else { previous = r }
    }
    #expect(inputs == (0..<(Self.minutes * 6)).map { Self.start.adding(Int64($0) * Self.step) })
    guard case .end = file.records.last else {
      Issue.record("no end record")
      return
    }
  }

  /// The transitions written into the recording equal what `vigil check` computes from the
  /// same points, and a replay of the recording recomputes them without a difference.
  @Test func transitionsAgreeWithCheckAndReplay() throws {
    let load = Self.load()
    let file = PrometheusHistory.recording(load, Self.request())
    let rules = try RulesLoader.parse(DefaultRules.yaml(), file: "default").get()
    // `vigil check` adds the watched series to each line.
    let written = file.records.compactMap { r -> String? in
      if case .alert(let tr) = r {
        return tr.jsonLine(series: rules.watchedSeries(rule: tr.rule, labels: tr.labels))
      }
      return nil
    }
    var checker = Checker(rules: rules)
    let spec = FeedSpec(id: FeedID(0), kind: .prometheus, target: "http://prometheus:9090")
    for batch in load.batches { checker.add(batch, format: .json, feed: spec) }
    var checked: [String] = []
    _ = checker.run { checked.append($0) }
    #expect(written == checked)
    let fired = Set(
      file.records.compactMap { r -> String? in
        if case .alert(let tr) = r, tr.to == .firing { return tr.rule }
        return nil
      })
    #expect(fired.isSuperset(of: ["CheckoutLatencyP99High", "PaymentRetryRatioHigh"]), "\(fired)")

    var replayer = Replayer(file: file)
    replayer.playToEnd()
    #expect(replayer.compared == written.count)
    #expect(replayer.mismatchCount == 0, "\(replayer.mismatches)")
    #expect(replayer.transitions.count == written.count)
  }

  @Test func failedQueriesAndARaisedStepAreWarnings() throws {
    var load = Self.load()
    load.failures = [("tickets", "bad_data: parse error")]
    load.step = 4 * Self.step
    let file = PrometheusHistory.recording(load, Self.request())
    #expect(file.warnings.contains("query tickets failed: bad_data: parse error"))
    #expect(file.warnings.contains { $0.contains("step was raised from 10s to 40s") })
    guard case .input(let first) = file.records.first, case .event(.failed(let why)) = first.payload
    else {
      Issue.record("no failure event first")
      return
    }
    #expect(why.contains("tickets"))
  }
}
