import Foundation
import Testing
import VigilDemo
import VigilTestSupport

@testable import VigilCore

/// `vigil check` streaming its feeds through the reorder buffer: the same transitions as
/// sorting every sample first, whatever the chunking; late samples handled as the dashboard
/// handles them; long windows tracked as series appear; files read by reader cursors.
@Suite struct CheckerStreamTests {
  static let start = Timestamp.seconds(1_795_687_200)  // 2026-11-26T10:00:00Z

  /// `minutes` of the demo incident at a fifth of its rate, as JSON lines, shuffled within
  /// blocks of `shuffle` lines (the demo writes about 50 lines a second).
  static func demoLines(minutes: Int, shuffle: Int = 1, seed: UInt64 = 7) -> [String] {
    let scenario = DemoScenario(seed: 42, rateScale: 0.2)
    var lines: [String] = []
    for second in 0..<(minutes * 60) {
      for e in scenario.events(second: second) {
        lines.append(DemoFormatter.line(e, start: start, format: .json))
      }
    }
    var rng = SplitMix64(seed: seed)
    var i = 0
    while i < lines.count {
      let end = min(lines.count, i + shuffle)
      lines[i..<end].shuffle(using: &rng)
      i = end
    }
    return lines
  }

  static func batch(_ lines: ArraySlice<String>, firstLine: Int) -> RecordBatch {
    var batch = RecordBatch()
    for (k, line) in lines.enumerated() {
      var l = line
      l.withUTF8 { batch.append(UnsafeRawBufferPointer($0), line: firstLine + k) }
    }
    return batch
  }

  static func spec(_ n: Int, _ name: String = "feed") -> FeedSpec {
    FeedSpec(id: FeedID(n), kind: .file, target: "/tmp/\(name)\(n).jsonl", format: .json)
  }

  /// What `vigil check` printed before streaming: every feed parsed, every sample sorted by
  /// time (ties in feed and line order), long windows registered once, then landed one by one,
  /// and the tick that covers the last sample. Transitions only.
  static func sortedWhole(_ feeds: [[String]], rules: RuleSet) -> [String] {
    var engine = Engine(rules: rules, clockMode: .event)
    var samples: [(Sample, Int)] = []
    for (f, lines) in feeds.enumerated() {
      engine.useFormat(.json, feed: f, mapping: FieldMapping(), timeUnit: nil)
      _ = engine.parse(batch(lines[...], firstLine: 1), feed: f, arrival: .init(nanoseconds: 0)) {
        s, _ in samples.append((s, samples.count))
      }
    }
    samples.sort { ($0.0.timestamp, $0.1) < ($1.0.timestamp, $1.1) }
    engine.trackLongWindows()
    var out = Transitions()
    for (s, _) in samples {
      let now = engine.advance(to: s, arrival: s.timestamp, observer: &out)
      _ = engine.land(s, now: now, feed: 0)
    }
    guard let last = samples.last?.0.timestamp.nanoseconds else { return [] }
    let end = ceilToMultiple(last, of: rules.evaluationInterval)
    engine.evaluateDue(
      now: Timestamp(nanoseconds: end + max(rules.evalDelay, 1)),
      through: Timestamp(nanoseconds: end), observer: &out)
    return out.lines
  }

  struct Transitions: EngineObserver {
    var lines: [String] = []
    mutating func engine(_ engine: Engine, evaluated t: Timestamp, transitions: [AlertTransition]) {
      lines += transitions.map {
        $0.jsonLine(series: engine.rules.watchedSeries(rule: $0.rule, labels: $0.labels))
      }
    }
  }

  /// Streams `feeds` through a checker in random chunks, reading the feed furthest behind next.
  static func streamed(
    _ feeds: [[String]], rules: RuleSet, ordering: Checker.Ordering = .init(), seed: UInt64,
    statsWindow: Int64? = nil
  ) -> ([String], Checker.Report) {
    var checker = Checker(rules: rules, statsWindow: statsWindow, ordering: ordering)
    let specs = feeds.indices.map { spec($0) }
    checker.open(specs)
    var rng = SplitMix64(seed: seed)
    var next = [Int](repeating: 0, count: feeds.count)
    var out: [String] = []
    var reading = Array(feeds.indices)
    while !reading.isEmpty {
      let f =
        reading.min {
          (checker.newest(of: specs[$0])?.nanoseconds ?? .min)
            < (checker.newest(of: specs[$1])?.nanoseconds ?? .min)
        } ?? 0
      let n = 1 + Int(rng.next() % 500)
      let end = min(feeds[f].count, next[f] + n)
      checker.add(
        batch(feeds[f][next[f]..<end], firstLine: next[f] + 1), format: .json, feed: specs[f]
      ) { out.append($0) }
      next[f] = end
      if end == feeds[f].count {
        reading.removeAll { $0 == f }
        checker.endFeed(specs[f]) { out.append($0) }
      }
    }
    let report = checker.finish { out.append($0) }
    return (out, report)
  }

  static func defaultRules() throws -> RuleSet {
    try RulesLoader.parse(DefaultRules.yaml(), file: "default").get()
  }

  @Test func disorderWithinTheLatenessPrintsWhatSortingEverythingPrints() throws {
    let rules = try Self.defaultRules()
    // Shuffled within about 4 seconds: well within the default lateness.
    let lines = Self.demoLines(minutes: 15, shuffle: 200)
    let whole = Self.sortedWhole([lines], rules: rules)
    #expect(whole.count >= 10)
    for seed in UInt64(1)...3 {
      let (out, report) = Self.streamed([lines], rules: rules, seed: seed)
      #expect(out == whole, "seed \(seed)")
      #expect(report.late == 0 && report.releasedEarly == 0)
      #expect(report.samples == lines.count && report.lines == lines.count)
    }
    // In memory (add everything, then run): the same.
    var checker = Checker(rules: rules)
    checker.add(Self.batch(lines[...], firstLine: 1), format: .json, feed: Self.spec(0))
    var out: [String] = []
    _ = checker.run { out.append($0) }
    #expect(out == whole)
  }

  @Test func severalFeedsMergeAsIfSortedTogether() throws {
    let rules = try Self.defaultRules()
    let lines = Self.demoLines(minutes: 12, shuffle: 50)
    // Split by metric: each feed keeps its own order, the times interleave.
    let a = lines.filter { $0.contains("latency") }
    let b = lines.filter { !$0.contains("latency") }
    let whole = Self.sortedWhole([a, b], rules: rules)
    #expect(whole.count >= 10)
    let (out, report) = Self.streamed([a, b], rules: rules, seed: 5)
    #expect(out == whole)
    #expect(report.feeds == 2 && report.late == 0)
  }

  @Test func statisticsStreamAsTheyPrintedWhenSorted() throws {
    let rules = try Self.defaultRules()
    let lines = Self.demoLines(minutes: 6, shuffle: 100)
    var checker = Checker(rules: rules, statsWindow: Nanos.minute)
    checker.add(Self.batch(lines[...], firstLine: 1), format: .json, feed: Self.spec(0))
    var whole: [String] = []
    _ = checker.run { whole.append($0) }
    #expect(whole.filter { $0.contains("\"window\":\"1m\"") }.count >= 6 * 10)
    let (out, _) = Self.streamed(
      [lines], rules: rules, seed: 3, statsWindow: Nanos.minute)
    #expect(out == whole)
  }

  /// An SLO whose bad-event series appears only an hour in: its long windows are tracked as
  /// it appears, and the page comes at the same tick as when every series was known first.
  @Test func longWindowsAreTrackedAsSeriesAppear() throws {
    var lines: [String] = []
    for step in 0...900 {
      let ts = rfc3339Shortest(Self.start.adding(Int64(step) * 10 * Nanos.second))
      lines.append(
        #"{"ts":"\#(ts)","metric":"checkout_requests_total","value":\#(step == 0 ? 0 : 100)}"#)
      if step >= 361 {
        let bad = step <= 480 ? 20 : 0
        lines.append(#"{"ts":"\#(ts)","metric":"checkout_errors_total","value":\#(bad)}"#)
      }
    }
    let rules = try RulesLoader.parse(
      """
      rules:
        - alert: CheckoutErrorBudgetBurn
          aggregate: burn_rate
          slo: {objective: 0.999, period: 30d, bad: checkout_errors_total, total: checkout_requests_total}
      """, file: "rules"
    ).get()
    let whole = Self.sortedWhole([lines], rules: rules)
    #expect(whole.contains { $0.contains("\"to\":\"firing\"") }, "\(whole)")
    for seed in UInt64(1)...3 {
      let (out, _) = Self.streamed([lines], rules: rules, seed: seed)
      #expect(out == whole, "seed \(seed)")
    }
  }

  @Test func lateSamplesLandWhereTheyStillFitElseAreTooOld() throws {
    let rules = try Self.defaultRules()
    var lines: [String] = []
    func line(_ second: Int64, _ value: Int) -> String {
      let ts = rfc3339Shortest(Self.start.adding(second * Nanos.second))
      return
        #"{"ts":"\#(ts)","metric":"api_latency_ms","value":\#(value),"labels":{"service":"edge"}}"#
    }
    for s in stride(from: Int64(0), through: 1200, by: 10) { lines.append(line(s, 100)) }
    // Five minutes behind the newest: late, yet the 15-minute ring still holds it.
    lines.append(line(900, 7))
    // Nineteen minutes behind: late, and older than every window.
    lines.append(line(60, 8))
    for s in stride(from: Int64(1210), through: 1300, by: 10) { lines.append(line(s, 100)) }
    let (_, report) = Self.streamed([lines], rules: rules, seed: 1)
    #expect(report.late == 2)
    #expect(report.rejected == [.tooOld: 1])
    #expect(report.samples == lines.count - 1)
    #expect(report.firstRejections.count == 1)
    #expect(
      report.firstRejections.first?.hasPrefix("feed0.jsonl:123: timestamp too old: timestamp ")
        == true,
      "\(report.firstRejections)")
    // With lateness enough for both, nothing is late and nothing refused.
    let (_, relaxed) = Self.streamed(
      [lines], rules: rules, ordering: .init(maxLateness: Nanos.hour), seed: 1)
    #expect(relaxed.late == 0 && relaxed.rejected.isEmpty && relaxed.samples == lines.count)
  }

  @Test func aTightBufferEvaluatesEarlyButInOrderInputIsUnchanged() throws {
    let rules = try Self.defaultRules()
    let lines = Self.demoLines(minutes: 10)
    let whole = Self.sortedWhole([lines], rules: rules)
    let (out, report) = Self.streamed(
      [lines], rules: rules, ordering: .init(maxLateness: Nanos.minute, maxHeld: 1000), seed: 2)
    #expect(out == whole)
    #expect(report.releasedEarly > 0 && report.late == 0)
  }

  // MARK: - Files

  static func writeFiles(_ feeds: [[String]], tag: String) throws -> [FeedSpec] {
    try feeds.enumerated().map { f, lines in
      let path = "/tmp/vigil-stream-\(getpid())-\(tag)-\(f).jsonl"
      try (lines.joined(separator: "\n") + "\n").write(
        toFile: path, atomically: true, encoding: .utf8)
      return FeedSpec(id: FeedID(f), kind: .file, target: path)
    }
  }

  @Test func filesAreReadByCursorsAndMergedInSmallChunks() throws {
    let rules = try Self.defaultRules()
    let lines = Self.demoLines(minutes: 12, shuffle: 50)
    let feeds = [lines.filter { $0.contains("latency") }, lines.filter { !$0.contains("latency") }]
    let specs = try Self.writeFiles(feeds, tag: "merge")
    defer { for s in specs { try? FileManager.default.removeItem(atPath: s.target) } }
    let whole = Self.sortedWhole(feeds, rules: rules)
    for chunk in [4096, 1 << 20] {
      var checker = Checker(rules: rules)
      var out: [String] = []
      let result = checker.run(feeds: specs, chunkSize: chunk) { out.append($0) }
      guard case .success(let report) = result else {
        Issue.record("\(result)")
        continue
      }
      #expect(out == whole, "chunk \(chunk)")
      #expect(report.feeds == 2 && report.lines == lines.count && report.samples == lines.count)
    }
  }

  @Test func aFeedThatCannotBeOpenedFailsBeforeAnythingIsPrinted() throws {
    let specs = try Self.writeFiles([Self.demoLines(minutes: 1)], tag: "fail")
    defer { try? FileManager.default.removeItem(atPath: specs[0].target) }
    let missing = FeedSpec(id: FeedID(1), kind: .file, target: "/nonexistent/vigil.jsonl")
    var checker = Checker(rules: try Self.defaultRules())
    var printed = 0
    let result = checker.run(feeds: [specs[0], missing]) { _ in printed += 1 }
    #expect(
      result == .failure(CheckReadFailure(feed: missing, reason: "No such file or directory")))
    #expect(printed == 0)
  }

  // MARK: - Settings

  @Test func latenessAndBufferFlags() throws {
    var flags = CheckFlags()
    flags.feeds = ["a.jsonl"]
    var settings = try CheckSettings.resolve(flags, config: .success(ConfigFile()), rules: nil)
    #expect(settings.ordering == Checker.Ordering(maxLateness: Nanos.minute, maxHeld: 1_000_000))
    flags.maxLateness = "5m"
    flags.reorderLimit = "5000"
    settings = try CheckSettings.resolve(flags, config: .success(ConfigFile()), rules: nil)
    #expect(settings.ordering == Checker.Ordering(maxLateness: 5 * Nanos.minute, maxHeld: 5000))
    flags.maxLateness = "0"
    settings = try CheckSettings.resolve(flags, config: .success(ConfigFile()), rules: nil)
    #expect(settings.ordering.maxLateness == 0)
    flags.maxLateness = "soon"
    #expect(
      throws: SettingsError.usage(
        "--max-lateness: \"soon\" is not a duration from 0s to 7d, like 1m")
    ) { try CheckSettings.resolve(flags, config: .success(ConfigFile()), rules: nil) }
    flags.maxLateness = "8d"
    #expect(throws: SettingsError.self) {
      try CheckSettings.resolve(flags, config: .success(ConfigFile()), rules: nil)
    }
    flags.maxLateness = nil
    for bad in ["0", "-1", "many", "50000001"] {
      flags.reorderLimit = bad
      #expect(
        throws: SettingsError.usage(
          "--reorder-limit: \"\(bad)\" is not a count from 1 to 50000000")
      ) { try CheckSettings.resolve(flags, config: .success(ConfigFile()), rules: nil) }
    }
  }
}
