// vigil-bench: the figures the README reports, measured in one run so ratios are comparable.
//
//   swift build -c release && .build/release/vigil-bench [--lines N] [--dir DIR]
//
// It writes a JSON-lines file from the demo generator, then times, on the same file:
// Vigil's ingest path (framer, parser, windows: the app's own `update`), `wc -l`, `jq` and
// `mawk` summing the value per metric; then a full 200x60 view+diff; then the bytes ncurses
// writes per second at 120x40 and 1 fps when one value per panel changes; alert evaluation;
// the parse time of a 10,000-series Prometheus scrape (`--prometheus` runs only that); then
// (in a child process) peak RSS while ingesting 5 million events; then StatsD datagrams/s over
// loopback UDP with no drop (`--statsd-only` runs just that); then `vigil report` on a one-hour
// recording (`--report-only` runs just that). `--check-only`: `vigil check` streaming 1 M and 5 M
// lines, file and pipe, against mawk, wc -l and the ingest path, with peak RSS (CheckBench.swift).
// `--replay-only` replays that recording headless
// and seeks in it, with peak and anonymous memory; `--replay-only --gzip` does the same with it
// written gzip-compressed. `--heatmap-only`: the latency heatmap figure. `--cardinality`: peak
// RSS of the dashboard and `vigil check` on an id-carrying checkout feed, with and without its
// ids (CardinalityBench.swift). `--diagnosis`: `vigil check --suspects` on generated incidents,
// scored against their ground truth (DiagnosisBench.swift).
import Foundation
import VigilApp
import VigilCore
import VigilCurses
import VigilDemo
import VigilIncident
import VigilRender

let args = CommandLine.arguments
func option(_ name: String) -> String? {
  guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
  return args[i + 1]
}
let dir = option("--dir") ?? "/tmp/vigil-bench"
let targetLines = Int(option("--lines") ?? "") ?? 3_000_000
try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

/// Writes (or reuses) a JSON-lines file of at least `lines` demo events; returns its path.
func demoFile(lines: Int) -> (String, Int) {
  let path = "\(dir)/demo-\(lines).jsonl"
  let scenario = DemoScenario(seed: 7, rateScale: 10)
  if let text = try? String(contentsOfFile: path + ".count", encoding: .utf8), let n = Int(text) {
    return (path, n)
  }
  _ = FileManager.default.createFile(atPath: path, contents: nil)
  guard let h = FileHandle(forWritingAtPath: path) else { fatalError("cannot write \(path)") }
  var written = 0
  var second = 0
  let start = Timestamp.seconds(1_795_687_200)
  while written < lines {
    var chunk = ""
    for _ in 0..<60 {
      for e in scenario.events(second: second) {
        chunk += DemoFormatter.line(e, start: start, format: .json)
        chunk += "\n"
        written += 1
      }
      second += 1
    }
    h.write(Data(chunk.utf8))
  }
  h.closeFile()
  try? String(written).write(toFile: path + ".count", atomically: true, encoding: .utf8)
  return (path, written)
}

func seconds(_ body: () -> Void) -> Double {
  let t0 = monotonicNanos()
  body()
  return Double(monotonicNanos() - t0) / 1e9
}

/// Runs a shell pipeline, returning elapsed seconds (nil when a tool is missing or fails).
func timeShell(_ command: String, requires tool: String) -> Double? {
  guard FileManager.default.isExecutableFile(atPath: "/usr/bin/\(tool)") else { return nil }
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "/bin/sh")
  p.arguments = ["-c", command + " > /dev/null"]
  let t0 = monotonicNanos()
  do { try p.run() } catch { return nil }
  p.waitUntilExit()
  guard p.terminationStatus == 0 else { return nil }
  return Double(monotonicNanos() - t0) / 1e9
}

/// Feeds a file through the app's real ingest path in 256 KiB reads; returns lines ingested.
func ingest(path: String, state: inout AppState) -> UInt64 {
  guard let h = FileHandle(forReadingAtPath: path) else { return 0 }
  var framer = LineFramer()
  var seq: UInt64 = 0
  while true {
    let data = h.readData(ofLength: 256 * 1024)
    if data.isEmpty { break }
    var batch = RecordBatch()
    data.withUnsafeBytes { framer.push($0, into: &batch) }
    seq += 1
    let input = FeedInput(
      feed: FeedID(0), arrival: state.now, seq: seq, payload: .records(batch, .json))
    _ = update(&state, .feed(input))
  }
  return state.totalLines
}

func freshState() -> AppState {
  var config = AppConfig()
  config.clockMode = .event
  return AppState(
    config: config,
    feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "bench", format: .json)],
    now: Timestamp.seconds(1_795_687_200))
}

func peakRSSKiB() -> Int {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
    return 0
  }
  for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
    return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
  }
  return 0
}

/// Replays the one-hour recording headless to its end, then seeks: returns a report line.
func replayBench(path: String, events: Int) -> String {
  let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
  let anonStart = statusKiB("RssAnon")
  let sampler = AnonymousPeak()
  var file: RecordingFile?
  let load = seconds { file = try? RecordingFile.load(path: path) }
  guard let file else { return "replay: cannot read \(path)" }
  let anonLoaded = statusKiB("RssAnon")
  // Cold: open, start the background checkpoint pass, and seek at once to the last minute.
  var cold = Replayer(file: file)
  cold.buildCheckpoints()
  let coldSeek = seconds { cold.seek(to: cold.endTime.adding(-30 * Nanos.second)) }
  let indexed = seconds { while !cold.checkpointsComplete { usleep(1000) } }
  let anonCheckpoints = statusKiB("RssAnon")
  var replayer = Replayer(file: file)
  let play = seconds { replayer.playToEnd() }
  // Seeks to 40 spread-out times, backwards and forwards, after the first full pass.
  var worst = 0.0
  var total = 0.0
  let span = replayer.endTime.since(replayer.startTime)
  for i in 0..<40 {
    let t = replayer.startTime.adding(span / 40 * Int64(i * 17 % 40))
    let d = seconds { replayer.seek(to: t) }
    worst = max(worst, d)
    total += d
  }
  let anonPeak = sampler.stop()
  return "replay of a one-hour recording (\(events) events, \(size / 1_000_000) MB): load "
    + "\(Format.fixed(load, 2)) s + play to end \(Format.fixed(play, 2)) s = "
    + "\(Format.fixed(load + play, 2)) s (\(Int(clamping: Double(events) / (load + play))) events/s); "
    + "seek: mean \(Format.fixed(total / 40 * 1000, 1)) ms, worst \(Format.fixed(worst * 1000, 1)) ms "
    + "(\(replayer.checkpointCount) checkpoints), \(replayer.mismatches.count) transitions differ; "
    + "cold seek to the end while the background pass runs \(Format.fixed(coldSeek * 1000, 0)) ms, "
    + "pass done \(Format.fixed((coldSeek + indexed), 2)) s after open; peak RSS \(peakRSSKiB() / 1024) MB; "
    + "anonymous memory: peak \(mb(anonPeak - anonStart)) above the \(mb(anonStart)) before loading, "
    + "\(mb(anonLoaded - anonStart)) after loading, \(mb(anonCheckpoints - anonLoaded)) more with the "
    + "checkpoints"
}

if args.contains("--replay-only") {
  // `--gzip`: the same recording written gzip-compressed, replayed from the .gz.
  let (path, events) = hourRecording(dir: dir, gzip: args.contains("--gzip"))
  print(replayBench(path: path, events: events))
  exit(0)
}

// `--ingest-only N`: ingest N demo lines once and exit (for callgrind/perf profiles).
if let n = option("--ingest-only").flatMap({ Int($0) }) {
  let (path, _) = demoFile(lines: n)
  var state = freshState()
  print("lines \(ingest(path: path, state: &state))")
  exit(0)
}

// `--check-only`: `vigil check` streaming 1 M- and 5 M-line files (`--check-lines A,B`), from the
// file and from a pipe, against mawk, wc -l and the ingest path, with each run's peak RSS
// (CheckBench.swift). `--vigil PATH`: the binary (default: next to this one); `--check-old
// PATH`: also time an older binary on the same files.
if args.contains("--check-only") {
  let sizes = (option("--check-lines") ?? "1000000,5000000").split(separator: ",").compactMap {
    Int($0)
  }
  let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  let vigil = option("--vigil") ?? here.appendingPathComponent("vigil").path
  checkBench(dir: dir, sizes: sizes, vigil: vigil, old: option("--check-old"))
  exit(0)
}

// `--pairs-only`: memory per open key of an event pair (PairsBench.swift).
if args.contains("--pairs-only") {
  pairsBench(keys: Int(option("--keys") ?? "") ?? 1_000_000)
  exit(0)
}

// `--layouts-only`: the view of each built-in layout, on 5 minutes of the demo incident.
if args.contains("--layouts-only") {
  let (path, _) = demoFile(lines: 300_000)
  var state = freshState()
  _ = ingest(path: path, state: &state)
  for name in LayoutLoader.builtinNames {
    guard case .success(let load)? = LayoutLoader.builtin(named: name) else { continue }
    state.layout = load.layout
    var parts: [String] = []
    for size in [Size(width: 80, height: 24), Size(width: 200, height: 60)] {
      var s = state
      s.ui.size = size
      var frame = Frame(size: size)
      let reps = 100
      var total = 0.0
      for i in 0..<reps {
        s.now = s.now.adding(Int64(i % 2) * Nanos.second)
        s.ui.focus = i % load.layout.panels.count
        total += seconds { renderApp(s, into: &frame.next, glyphs: .unicode) }
      }
      parts.append(
        "\(size.width)x\(size.height) \(Format.fixed(total / Double(reps) * 1000, 3)) ms")
    }
    print("layout \(name): view per frame " + parts.joined(separator: ", "))
  }
  exit(0)
}

// `--prometheus`: only the Prometheus scrape parse figures (text 0.0.4, then OpenMetrics; one of
// them with `--text-only` or `--openmetrics-only`, e.g. to count instructions under callgrind).
func printPrometheusFigure() {
  if !args.contains("--openmetrics-only") { printTextFigure() }
  if !args.contains("--text-only") { printOpenMetricsFigure() }
}
func printTextFigure() {
  let r = prometheusBench()
  print(
    "prometheus scrape, 10,000 series (\(r.bytes / 1024) KiB, text 0.0.4): \(Format.fixed(r.steady, 2)) ms per body with counter deltas and histogram points (\(r.samples) samples; \(Format.fixed(r.cpu, 2)) ms of thread CPU time); \(Format.fixed(r.raw, 2)) ms as written (lint); median of 40"
  )
}
func printOpenMetricsFigure() {
  let o = prometheusBench(dialect: .openMetrics)
  print(
    "openmetrics scrape, 10,000 series (\(o.bytes / 1024) KiB): \(Format.fixed(o.steady, 2)) ms per body with counter deltas and histogram points (\(o.samples) samples; \(Format.fixed(o.cpu, 2)) ms of thread CPU time); \(Format.fixed(o.raw, 2)) ms as written (lint); median of 40"
  )
}
if args.contains("--prometheus") {
  printPrometheusFigure()
  exit(0)
}

// `--otlp`: the OTLP ingest rate beside the JSON lines rate (`--otlp-points N`, default 1M).
if args.contains("--otlp") {
  otlpBench(points: Int(option("--otlp-points") ?? "") ?? 1_000_000)
  exit(0)
}

if args.contains("--statsd-only") {
  statsdBench(
    start: option("--statsd-rate").flatMap(Double.init) ?? 100_000,
    senders: option("--statsd-senders").flatMap(Int.init) ?? 1)
  exit(0)
}

// `--report-only`: only the report figure (a one-hour recording to HTML).
if args.contains("--report-only") {
  reportBench(dir: dir)
  exit(0)
}

// `--heatmap-only`: only the heatmap figure (against the view of 300,000 demo lines).
if args.contains("--heatmap-only") {
  let (path, _) = demoFile(lines: 300_000)
  var state = freshState()
  _ = ingest(path: path, state: &state)
  print(heatmapBench(state: state))
  exit(0)
}

if let path = option("--cardinality-child") {
  print(cardinalityChild(path: path))
  exit(0)
}

if args.contains("--cardinality") {
  cardinalityBench()
  exit(0)
}

// `--diagnosis`: detection delay, false alerts and top suspects over generated incidents.
if args.contains("--diagnosis") {
  diagnosisBench()
  exit(0)
}

if args.contains("--rss-child") {
  let (path, n) = demoFile(lines: 5_000_000)
  var state = freshState()
  let lines = ingest(path: path, state: &state)
  print(
    "rss_kib \(peakRSSKiB()) lines \(lines) file_lines \(n) series \(state.engine.interner.count) rejected \(state.totalRejected)"
  )
  exit(0)
}

print("vigil-bench: one run, same machine, same file (ratios are what to compare)")
let (path, lineCount) = demoFile(lines: targetLines)
let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
print("input: \(path), \(lineCount) lines, \(size / 1_000_000) MB")

// 1. Ingest.
var state = freshState()
_ = seconds { _ = ingest(path: path, state: &state) }  // warm the page cache and the code
state = freshState()
var ingested: UInt64 = 0
let vigilTime = seconds { ingested = ingest(path: path, state: &state) }
let vigilRate = Double(ingested) / vigilTime
print(
  "vigil ingest: \(ingested) lines in \(Format.fixed(vigilTime, 3)) s = \(Format.fixed(vigilRate / 1e6, 2)) M lines/s (rejected \(state.totalRejected), series \(state.engine.interner.count))"
)
let tools: [(String, String, String)] = [
  ("wc -l", "wc", "wc -l '\(path)'"),
  (
    "jq sum per metric", "jq",
    "jq -n 'reduce inputs as $l ({}; .[$l.metric] += $l.value)' '\(path)'"
  ),
  (
    "mawk sum per metric", "mawk",
    #"mawk '{ m = $0; sub(/.*"metric":"/, "", m); sub(/".*/, "", m); v = $0; sub(/.*"value":/, "", v); sub(/[,}].*/, "", v); s[m] += v } END { for (k in s) print k, s[k] }' "#
      + "'\(path)'"
  ),
]
for (name, tool, command) in tools {
  if let t = timeShell(command, requires: tool) {
    let rate = Double(lineCount) / t
    print(
      "\(name): \(Format.fixed(t, 3)) s = \(Format.fixed(rate / 1e6, 2)) M lines/s; vigil is \(Format.fixed(vigilRate / rate, 2))x"
    )
  } else {
    print("\(name): \(tool) not installed or failed")
  }
}

// 2. View + diff of a full 200x60 frame.
do {
  var s = state
  s.ui.size = Size(width: 200, height: 60)
  let backend = RecordingBackend(size: Size(width: 200, height: 60))
  var frame = Frame(size: Size(width: 200, height: 60))
  let reps = 200
  var viewTotal = 0.0
  var diffTotal = 0.0
  for i in 0..<reps {
    s.now = s.now.adding(Int64(i % 2) * Nanos.second)
    s.ui.focus = i % 6
    viewTotal += seconds { renderApp(s, into: &frame.next, glyphs: .unicode) }
    diffTotal += seconds { _ = frame.render(to: backend) }
  }
  print(
    "frame 200x60: view \(Format.fixed(viewTotal / Double(reps) * 1000, 3)) ms + diff/draw \(Format.fixed(diffTotal / Double(reps) * 1000, 3)) ms per frame"
  )
  // A theme that paints the whole screen (light) costs one more pass over the cells.
  if let light = ThemeLoader.builtin(named: "light")?.theme {
    var themedTotal = 0.0
    for i in 0..<reps {
      s.now = s.now.adding(Int64(i % 2) * Nanos.second)
      s.ui.focus = i % 6
      themedTotal += seconds {
        renderApp(s, into: &frame.next, glyphs: .unicode, theme: light)
      }
      _ = frame.render(to: backend)
    }
    print(
      "frame 200x60 in the light theme: view \(Format.fixed(themedTotal / Double(reps) * 1000, 3)) ms per frame"
    )
  }
}

// 2b. A 120x40 latency heatmap (10 series x 90 buckets), build + draw, against the view.
print(heatmapBench(state: state))

// 3. Bytes to the terminal in steady state at 120x40, 1 fps, one value per panel changing, in
// the default theme and in one that paints the screen.
for themeName in ["dark", "light"] {
  let theme = ThemeLoader.builtin(named: themeName)?.theme ?? .standard
  let out = "\(dir)/curses-out.bin"
  _ = FileManager.default.createFile(atPath: out, contents: nil)
  if let backend = try? CursesBackend.headless(
    term: "xterm-256color", size: Size(width: 120, height: 40), isUTF8: true, outputPath: out)
  {
    // Start from the ingested state, then feed one more second of the live demo (rate 1) per
    // frame: every panel's values and newest sparkline column change, as in the real demo.
    var s = state
    let scenario = DemoScenario(seed: 42)
    let start = s.now.adding(-10 * Nanos.minute)
    var frame = Frame(size: Size(width: 120, height: 40))
    renderApp(s, into: &frame.next, glyphs: .unicode, theme: theme)
    _ = frame.render(to: backend)
    let before = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
    let frames = 120
    for i in 0..<frames {
      let second = 600 + i
      var batch = RecordBatch()
      var n = 1
      for e in scenario.events(second: second) {
        var line = DemoFormatter.line(e, start: start, format: .json)
        line.withUTF8 { batch.append(UnsafeRawBufferPointer($0), line: n) }
        n += 1
      }
      let t = start.adding(Int64(second + 1) * Nanos.second)
      _ = update(
        &s,
        .feed(
          FeedInput(feed: FeedID(0), arrival: t, seq: UInt64(i), payload: .records(batch, .json))))
      _ = update(&s, .tick(t))
      renderApp(s, into: &frame.next, glyphs: .unicode, theme: theme)
      _ = frame.render(to: backend)
    }
    backend.shutdown()
    let after = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
    print(
      "terminal output 120x40 at 1 fps, \(themeName) theme: \((after - before) / frames) bytes/s (steady state: the demo at 1x, every panel updating each second, window 5m)"
    )
  } else {
    print("terminal output: could not start a headless curses screen")
  }
}

// 4. Alert evaluation: 200 rules over 1,000 series (200 metrics x 5 services), 5 minutes of one
// sample per second each; time per evaluation tick, over 30 ticks.
func evaluationBench(aggregates: [String]) -> Double {
  var interner = SeriesInterner()
  var store = MetricStore()
  let t0 = Timestamp.seconds(1_795_687_200)
  var ids: [SeriesID] = []
  for m in 0..<200 {
    for s in 0..<5 {
      if let id = interner.intern(SeriesKey("bench_metric_\(m)", ["service": "s\(s)"])) {
        ids.append(id)
      }
    }
  }
  var rng = UInt64(42)
  for second in 0..<300 {
    let t = t0.adding(Int64(second) * Nanos.second)
    for id in ids {
      rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      _ = store.ingest(Sample(series: id, timestamp: t, value: Double(rng >> 40) / 1e4 + 1), now: t)
    }
  }
  var yaml = "rules:\n"
  for m in 0..<200 {
    yaml += "  - alert: Rule\(m)\n    metric: bench_metric_\(m)\n"
    yaml += "    aggregate: \(aggregates[m % aggregates.count])\n    window: 5m\n    op: \">\"\n"
    yaml += "    threshold: 1000000\n    for: 1m\n"
  }
  guard case .success(let rules) = RulesLoader.parse(yaml, file: "bench") else { return .nan }
  var engine = AlertEvaluator(rules: rules)
  let source = MetricStoreAlertSource(store: store, interner: interner)
  let end = t0.adding(300 * Nanos.second)
  _ = engine.tick(at: end, data: source)  // warm up
  let ticks = 30
  let elapsed = seconds {
    for i in 1...ticks {
      _ = engine.tick(at: end.adding(Int64(i) * 10 * Nanos.second), data: source)
    }
  }
  return elapsed / Double(ticks) * 1000
}
do {
  let mixed = evaluationBench(aggregates: ["p99", "mean", "max", "rate", "count"])
  let allP99 = evaluationBench(aggregates: ["p99"])
  print(
    "alert evaluation, 200 rules over 1,000 series: \(Format.fixed(mixed, 2)) ms per tick (mixed aggregates, 1 in 5 a p99); \(Format.fixed(allP99, 2)) ms when every rule is a p99"
  )
}

// 5. Parse time of a 10,000-series Prometheus scrape body.
printPrometheusFigure()

// 6. Peak RSS while ingesting 5 million events (child process, so nothing above counts; the
// file is written here first, so its generation does not count either).
do {
  _ = demoFile(lines: 5_000_000)
  let p = Process()
  p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
  p.arguments = ["--rss-child", "--dir", dir]
  let pipe = Pipe()
  p.standardOutput = pipe
  try p.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  let fields = text.split(separator: " ")
  if fields.count >= 2, let kib = Int(fields[1]) {
    print("peak RSS ingesting 5M events: \(kib / 1024) MB (\(text))")
  } else {
    print("peak RSS: child failed: \(text)")
  }
}

// 6. StatsD over loopback UDP: the highest paced rate with no drop (StatsDBench.swift).
statsdBench()

// 6. `vigil report` on a one-hour recording at about 1,000 events/s.
reportBench(dir: dir)
