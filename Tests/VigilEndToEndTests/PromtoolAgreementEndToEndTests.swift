import Foundation
import Testing
import VigilTestSupport

/// Issue 12 part 4: the same Prometheus alerting rules file through the real `vigil check` and
/// the real `promtool test rules` (2.42) gives the same firing alerts at every evaluation time,
/// over random cases (``AgreementCase``) with a fixed seed.
@Suite(.serialized) struct PromtoolAgreementEndToEndTests {
  /// Evaluation interval and sample spacing of each batch: aligned, samples twice per tick,
  /// ticks twice per sample, 15s ticks over 45s samples, 25s over 17s, 15s over 16s (neither on the windows'
  /// 10s buckets; a 16s sample often lands just after a tick, in its bucket), and 2m ticks.
  static let batches: [(name: String, eval: Int, sample: Int, steps: Int)] = [
    ("1m/1m", 60, 60, 40), ("1m/30s", 60, 30, 60), ("30s/1m", 30, 60, 35),
    ("15s/45s", 15, 45, 40), ("25s/17s", 25, 17, 80), ("15s/16s", 15, 16, 60),
    ("2m/1m", 120, 60, 45),
  ]
  /// 50 cases a batch with the fixed seed in CI; `VIGIL_AGREEMENT_CASES` and
  /// `VIGIL_AGREEMENT_SEED` run more, or others, locally.
  static let casesPerBatch =
    ProcessInfo.processInfo.environment["VIGIL_AGREEMENT_CASES"].flatMap { Int($0) } ?? 50
  static let seed =
    ProcessInfo.processInfo.environment["VIGIL_AGREEMENT_SEED"].flatMap { UInt64($0) }
    ?? 0x5EED_0012

  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }

  static func makeBatches() -> [AgreementBatch] {
    var rng = SplitMix64(seed: seed)
    var out: [AgreementBatch] = []
    for (i, b) in batches.enumerated() {
      out.append(
        AgreementBatch(
          name: b.name, evalSeconds: b.eval, sampleSeconds: b.sample, steps: b.steps,
          count: casesPerBatch, firstID: i * casesPerBatch, rng: &rng))
    }
    return out
  }

  struct Run {
    var firing: [String: [Int: [[String: String]]]]
    var failures: [String: String]
    var promtoolStatus: Int32
    var promtoolOutput: String
  }

  /// Writes the batch's files in `dir`, runs `vigil check` on them and promtool on what Vigil
  /// fired (after `tamper` changed it, for the control test).
  static func run(
    _ batch: AgreementBatch, in dir: String,
    tamper: (inout [String: [Int: [[String: String]]]]) -> Void = { _ in }
  ) throws -> Run {
    let rules = dir + "/rules.yml"
    let feed = dir + "/feed.jsonl"
    let test = dir + "/test.yml"
    try batch.promRules.write(toFile: rules, atomically: true, encoding: .utf8)
    try batch.feed.write(toFile: feed, atomically: true, encoding: .utf8)
    let (status, out, err) = try runVigil(["check", "--rules", rules, feed], timeout: 120)
    guard status == 0 else { throw Failure("vigil check failed (\(status)): \(err)") }
    var firing = firingAt(out, times: batch.evalTimes)
    tamper(&firing)
    try batch.promTest(rulesFile: rules, firing: firing)
      .write(toFile: test, atomically: true, encoding: .utf8)
    let prom = spawnAndWait(["promtool", "test", "rules", test], timeoutSeconds: 300)
    let text = prom.stdout + prom.stderr
    return Run(
      firing: firing, failures: promtoolFailures(text), promtoolStatus: prom.status,
      promtoolOutput: text)
  }

  static func tempDir(_ name: String) throws -> String {
    let dir = NSTemporaryDirectory() + "vigil-promtool-\(getpid())-\(name)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  @Test func vigilCheckFiresWhatPromtoolFiresOnEveryRandomCase() throws {
    var cases = 0
    var agreeing = 0
    var firedCases = 0
    var report: [String] = []
    for batch in Self.makeBatches() {
      let dir = try Self.tempDir(batch.name.replacingOccurrences(of: "/", with: "-"))
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let run = try Self.run(batch, in: dir)
      #expect(
        (run.promtoolStatus == 0) == run.failures.isEmpty,
        "promtool's status and its failures disagree: \(run.promtoolOutput.prefix(2000))")
      cases += batch.cases.count
      firedCases += batch.cases.filter { run.firing[$0.alert] != nil }.count
      for c in batch.cases {
        if let failure = run.failures[c.alert] {
          report.append(
            "batch \(batch.name) case \(c.id): expr '\(c.expr)' for \(c.forSeconds)s "
              + "keep_firing_for \(c.keepSeconds)s series "
              + c.series.map { "\($0.inst): " + $0.values.map { $0 ?? "_" }.joined(separator: " ") }
              .joined(separator: " | ") + "\n" + failure)
        } else {
          agreeing += 1
        }
      }
    }
    print("promtool agreement: \(agreeing)/\(cases) cases agree; \(firedCases) fired")
    #expect(cases >= 200)
    #expect(agreeing == cases, "\(report.prefix(5).joined(separator: "\n"))")
    // The cases exercise firing, not just silence on both sides.
    #expect(firedCases * 3 >= cases, "only \(firedCases) of \(cases) cases ever fired")
  }

  @Test func aDisagreementIsCaughtAndNamed() throws {
    let batch = Self.makeBatches()[0]
    let dir = try Self.tempDir("control")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var victim: (alert: String, time: Int)?
    let run = try Self.run(batch, in: dir) { firing in
      // Drop one firing alert of the first case that fires.
      for c in batch.cases {
        if let t = firing[c.alert]?.keys.min() {
          firing[c.alert]?[t] = nil
          victim = (c.alert, t)
          return
        }
      }
    }
    let v = try #require(victim)
    #expect(run.promtoolStatus != 0)
    #expect(Array(run.failures.keys) == [v.alert], "\(run.promtoolOutput.prefix(2000))")
    #expect(
      run.failures[v.alert]?.contains("time: \(AgreementCase.duration(v.time))") == true
        || run.failures[v.alert]?.contains("time: \(v.time)s") == true,
      "\(run.failures)")
  }

  /// Firing alerts per rule, time, `inst` and `sev` (the Vigil-format rules have no `who`).
  static func firingKeys(_ output: String, _ batch: AgreementBatch) -> Set<String> {
    var out = Set<String>()
    for (rule, times) in firingAt(output, times: batch.evalTimes) {
      for (t, sets) in times {
        for s in sets { out.insert("\(rule)@\(t) inst=\(s["inst"] ?? "") sev=\(s["sev"] ?? "")") }
      }
    }
    return out
  }

  /// Runs `vigil check` with the batch's Prometheus file and with its Vigil-format rules under
  /// `settings`; returns both firing sets.
  static func compareFormats(_ batch: AgreementBatch, _ settings: VigilTimeline, dir: String)
    throws -> (prom: Set<String>, vigil: Set<String>)
  {
    let prom = dir + "/prom.yml"
    let vigil = dir + "/vigil.yml"
    let feed = dir + "/feed.jsonl"
    try batch.promRules.write(toFile: prom, atomically: true, encoding: .utf8)
    try batch.vigilRules(settings).write(toFile: vigil, atomically: true, encoding: .utf8)
    try batch.feed.write(toFile: feed, atomically: true, encoding: .utf8)
    let a = try runVigil(["check", "--rules", prom, feed])
    let b = try runVigil(["check", "--rules", vigil, feed])
    guard a.0 == 0, b.0 == 0 else { throw Failure("vigil check failed: \(a.2)\n\(b.2)") }
    return (firingKeys(a.1, batch), firingKeys(b.1, batch))
  }

  /// The README's claim: a Vigil-format rule with `aggregate: last`, `window: 5m`,
  /// `window_start: inclusive`, `absent: false`, `first_evaluation: first_sample` and
  /// `eval_delay: 1ns` fires exactly when the Prometheus rule does.
  @Test func vigilRulesWithPrometheusSettingsFireAtTheSameTimes() throws {
    for batch in Self.makeBatches() where batch.name == "1m/1m" || batch.name == "15s/45s" {
      let dir = try Self.tempDir("vigilfmt")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let (prom, vigil) = try Self.compareFormats(batch, VigilTimeline(), dir: dir)
      #expect(!prom.isEmpty)
      let onlyProm = prom.subtracting(vigil).sorted().prefix(10)
      let onlyVigil = vigil.subtracting(prom).sorted().prefix(10)
      #expect(prom == vigil, "only Prometheus file: \(onlyProm); only Vigil file: \(onlyVigil)")
    }
  }

  /// And each of those settings matters: without it, some of the same cases fire at other
  /// times (so the agreement above is not vacuous).
  @Test func withoutEachPrometheusSettingSomeCasesDisagree() throws {
    let batch = Self.makeBatches()[0]
    let dir = try Self.tempDir("settings")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var variants: [(String, VigilTimeline)] = []
    var v = VigilTimeline()
    v.inclusive = false
    variants.append(("window_start: exclusive", v))
    v = VigilTimeline()
    v.absentFalse = false
    variants.append(("absent: missing", v))
    v = VigilTimeline()
    v.firstSample = false
    variants.append(("first_evaluation: one_interval_later", v))
    variants.append(
      (
        "Vigil's defaults",
        VigilTimeline(
          inclusive: false, absentFalse: false, firstSample: false, nanosecondDelay: false)
      ))
    // eval_delay matters where a sample lands just after a tick in the tick's 10s bucket:
    // 16s samples after 15s ticks.
    var rng = SplitMix64(seed: Self.seed)
    let offGrid = AgreementBatch(
      name: "15s/16s", evalSeconds: 15, sampleSeconds: 16, steps: 60, count: 50, firstID: 0,
      rng: &rng)
    v = VigilTimeline()
    v.nanosecondDelay = false
    for (name, settings, b) in variants.map({ ($0.0, $0.1, batch) }) + [
      ("eval_delay: 2s", v, offGrid)
    ] {
      let (prom, vigil) = try Self.compareFormats(b, settings, dir: dir)
      let differing = Set(
        prom.symmetricDifference(vigil).compactMap { $0.split(separator: "@").first })
      print("\(name): \(differing.count) of \(b.cases.count) cases fire at other times")
      #expect(!differing.isEmpty, "\(name) changed nothing")
    }
  }
}
