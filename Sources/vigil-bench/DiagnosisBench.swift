import Foundation
import VigilApp
import VigilCore
import VigilDemo

// `--diagnosis`: detection and diagnosis over generated incidents (issue 13). For each seed and
// fault kind it writes `vigil generate --incident KIND --seed N` (in process: the same
// library) to a file, runs the real `vigil check --suspects FILE`, scores the lines against the
// ground truth (IncidentScore) and prints a table per kind, the totals and the command.
//
//   swift build -c release --product vigil-bench --product vigil
//   .build/release/vigil-bench --diagnosis [--seeds 50] [--kinds tax-slow,none] [--vigil PATH]
//     [--jobs 2] [--rules FILE] [--config FILE] [--baseline 60m] [--duration 30m] [--verbose]
//
// Without --verbose, the seeds that missed, alerted falsely or ranked the wrong suspect first are
// listed per kind; with it, one line per incident (the rule that fired, the delay, the suspects).

/// One incident to run.
struct DiagnosisJob: Sendable {
  var kind: IncidentKind
  var seed: UInt64
}

/// Collects scores from the worker threads.
final class DiagnosisResults: @unchecked Sendable {
  private let lock = NSLock()
  private var scores: [IncidentScore] = []
  private var failures: [String] = []
  private var cursor = 0
  /// The next job's index (each once, across threads).
  func take() -> Int {
    lock.withLock {
      defer { cursor += 1 }
      return cursor
    }
  }
  func add(_ s: IncidentScore) { lock.withLock { scores.append(s) } }
  func fail(_ s: String) { lock.withLock { failures.append(s) } }
  var all: ([IncidentScore], [String]) { lock.withLock { (scores, failures) } }
}

/// The settings of one `--diagnosis` run.
struct DiagnosisSettings: Sendable {
  var vigil: String
  var seeds: Int
  var kinds: [IncidentKind]
  var jobs: Int
  var baseline: Int
  var duration: Int
  var checkArgs: [String]
  var suspects: Bool
  /// Whether `vigil check` takes `--suspects-at` (asked two ticks after each truth's visible).
  var suspectsAt: Bool
  var dir: String
  /// Traffic times this (`--rate-scale`, as `vigil generate`): how the detectors fare on
  /// sparser or denser counts.
  var rateScale: Double
}

func diagnosisSettings() -> DiagnosisSettings? {
  let me = URL(fileURLWithPath: CommandLine.arguments[0])
  let vigil =
    option("--vigil") ?? me.deletingLastPathComponent().appendingPathComponent("vigil").path
  guard FileManager.default.isExecutableFile(atPath: vigil) else {
    print("vigil-bench --diagnosis: no vigil at \(vigil) (build it, or pass --vigil PATH)")
    return nil
  }
  var kinds = IncidentKind.allCases
  if let list = option("--kinds") {
    kinds = list.split(separator: ",").compactMap { IncidentKind(rawValue: String($0)) }
    guard kinds.count == list.split(separator: ",").count else {
      print("vigil-bench --diagnosis: --kinds takes \(IncidentKind.allCases.map(\.rawValue))")
      return nil
    }
  }
  func seconds(_ flag: String, _ fallback: Int64) -> Int {
    Int((option(flag).flatMap(Nanos.parse) ?? fallback) / Nanos.second)
  }
  var checkArgs = ["check"]
  if let rules = option("--rules") { checkArgs += ["--rules", rules] }
  if let config = option("--config") { checkArgs += ["--config", config] }
  let (help, _) = run(vigil, ["check", "--help"])
  let suspects = help.contains("--suspects")
  if suspects { checkArgs.append("--suspects") }
  return DiagnosisSettings(
    vigil: vigil, seeds: max(1, Int(option("--seeds") ?? "") ?? 50), kinds: kinds,
    jobs: max(1, Int(option("--jobs") ?? "") ?? 2),
    baseline: seconds("--baseline", Nanos.hour), duration: seconds("--duration", 30 * Nanos.minute),
    checkArgs: checkArgs, suspects: suspects, suspectsAt: help.contains("--suspects-at"), dir: dir,
    rateScale: min(100, max(0.01, Double(option("--rate-scale") ?? "") ?? 1)))
}

/// Generates, checks and scores one incident.
func diagnosisRun(_ job: DiagnosisJob, _ s: DiagnosisSettings) -> Result<IncidentScore, RunError> {
  let plan = IncidentPlan(
    kind: job.kind, seed: job.seed, baseline: s.baseline, duration: s.duration)
  let start = Timestamp.seconds(1_795_687_200)
  let path = "\(s.dir)/incident-\(job.kind.rawValue)-\(job.seed).jsonl"
  _ = FileManager.default.createFile(atPath: path, contents: nil)
  guard let h = FileHandle(forWritingAtPath: path) else {
    return .failure(RunError("cannot write \(path)"))
  }
  var gen = IncidentGenerator(plan: plan, rateScale: s.rateScale)
  var writer = IncidentFormat(format: .json, start: start)
  var second = 0
  while second < plan.seconds {
    let next = min(plan.seconds, second + 300)
    h.write(Data(gen.text(seconds: second..<next, writer: &writer).utf8))
    second = next
  }
  h.closeFile()
  defer { try? FileManager.default.removeItem(atPath: path) }
  let truth = IncidentTruth(plan: plan, start: start, rateScale: s.rateScale)
  var extra: [String] = []
  if s.suspectsAt, let visible = truth.visible {
    extra = ["--suspects-at", rfc3339Shortest(visible.adding(2 * IncidentScore.tick))]
  }
  let p = Process()
  p.executableURL = URL(fileURLWithPath: s.vigil)
  p.arguments = s.checkArgs + extra + [path]
  let out = Pipe()
  p.standardOutput = out
  p.standardError = FileHandle(forWritingAtPath: "/dev/null")
  do { try p.run() } catch { return .failure(RunError("cannot run \(s.vigil): \(error)")) }
  let data = out.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  guard p.terminationStatus == 0 || p.terminationStatus == 2 else {
    return .failure(
      RunError("\(job.kind.rawValue) seed \(job.seed): vigil check exited \(p.terminationStatus)"))
  }
  return .success(IncidentScore(truth: truth, output: String(decoding: data, as: UTF8.self)))
}

struct RunError: Error, Sendable {
  var message: String
  init(_ m: String) { message = m }
}

/// The whole `--diagnosis` run: every seed x kind on `jobs` threads, then the table.
func diagnosisBench() {
  guard let s = diagnosisSettings() else { return }
  let jobs = (1...s.seeds).flatMap { seed in
    s.kinds.map { DiagnosisJob(kind: $0, seed: UInt64(seed)) }
  }
  let results = DiagnosisResults()
  let t0 = monotonicNanos()
  DispatchQueue.concurrentPerform(iterations: s.jobs) { _ in
    while true {
      let i = results.take()
      guard i < jobs.count else { return }
      switch diagnosisRun(jobs[i], s) {
      case .success(let score): results.add(score)
      case .failure(let e): results.fail(e.message)
      }
    }
  }
  let elapsed = Double(monotonicNanos() - t0) / 1e9
  let (scores, failures) = results.all
  printDiagnosisTable(scores, s)
  for f in failures.prefix(10) { print("failed: \(f)") }
  print(
    "\(jobs.count) incidents (\(s.seeds) seeds x \(s.kinds.count) kinds) in "
      + "\(Format.fixed(elapsed, 1)) s on \(s.jobs) threads")
}

/// The table per kind, the totals, the misses (with `--verbose`: every incident) and the command.
func printDiagnosisTable(_ scores: [IncidentScore], _ s: DiagnosisSettings) {
  let command =
    "vigil-bench --diagnosis --seeds \(s.seeds) --kinds "
    + s.kinds.map(\.rawValue).joined(separator: ",")
    + (s.rateScale == 1 ? "" : " --rate-scale \(Format.value(s.rateScale))") + " (vigil "
    + s.checkArgs.joined(separator: " ") + " FILE)"
  print("diagnosis: \(command)")
  if !s.suspects { print("vigil check has no --suspects yet: top-1/top-3 are n/a") }
  if s.suspectsAt {
    print("d top-1: the suspects asked for two ticks after visible (--suspects-at), whatever fired")
  }
  print("delays in 10 s ticks after the truth's visible; false alerts before the onset or in none")
  print(IncidentTally.header)
  var total = IncidentTally()
  for kind in s.kinds {
    var tally = IncidentTally()
    for score in scores where score.kind == kind { tally.add(score) }
    for score in scores where score.kind == kind { total.add(score) }
    print(tally.row(kind.rawValue))
  }
  print(total.row("all"))
  // Ratio faults: how the delays read from the expected-statistic tick (before counts).
  for kind in s.kinds where kind.isRatioFault {
    var tally = IncidentTally()
    for score in scores where score.kind == kind { tally.add(score) }
    func ticks(_ d: Double?) -> String { d.map { String(($0 * 10).rounded() / 10) } ?? "-" }
    let never = tally.faults - tally.delays.count
    print(
      "  \(kind.rawValue) from visible_expected (the expected ratio at 3x, before counts): "
        + (never > 0 ? "\(never) never plainly visible in one minute's counts; " : "")
        + "p50 \(ticks(tally.delay(0.5, expected: true))), "
        + "p90 \(ticks(tally.delay(0.9, expected: true))), "
        + "max \(ticks(tally.delay(1, expected: true)))")
  }
  if args.contains("--verbose") {
    for score in scores.sorted(by: { ($0.kind.rawValue, $0.seed) < ($1.kind.rawValue, $1.seed) }) {
      print(diagnosisLine(score))
    }
    return
  }
  // Otherwise the seeds to look at, per kind (rerun one with `vigil generate --incident`).
  for kind in s.kinds {
    let mine = scores.filter { $0.kind == kind }.sorted { $0.seed < $1.seed }
    func seeds(_ keep: (IncidentScore) -> Bool) -> String {
      mine.filter(keep).map { String($0.seed) }.joined(separator: ",")
    }
    let parts = [
      ("missed", seeds { $0.kind != .none && !$0.detected }),
      ("false alerts", seeds { $0.falseAlerts > 0 }),
      ("wrong top-1", seeds { $0.top1 == false }),
      ("wrong d top-1", seeds { $0.onDemandTop1 == false }),
    ].filter { !$0.1.isEmpty }
    if !parts.isEmpty {
      print("  \(kind.rawValue): " + parts.map { "\($0.0) seeds \($0.1)" }.joined(separator: "; "))
    }
  }
}

func diagnosisLine(_ s: IncidentScore) -> String {
  var line = "  \(s.kind.rawValue) seed \(s.seed): "
  if s.kind != .none {
    line +=
      s.detected
      ? "fired \(s.rule ?? "?") at +\(s.delayTicks.map { String($0) } ?? "?") ticks" : "missed"
    if let top = s.suspects { line += ", suspects " + top.prefix(3).joined(separator: ",") }
    if let top = s.onDemand { line += "; d: " + top.prefix(3).joined(separator: ",") }
  }
  if s.falseAlerts > 0 {
    line += "; \(s.falseAlerts) false (\(s.falseRules.joined(separator: ",")))"
  }
  return line
}
