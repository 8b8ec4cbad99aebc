import Foundation
import VigilApp
import VigilCore
import VigilDemo
import VigilIncident
import VigilRender

/// A one-hour recording of the demo at about 1,000 events/s (four incident cycles), written
/// the way the live loop records: four clock ticks a second and one input a second, with the
/// built-in rules. Kept in `dir` for later runs. `gzip`: the same, written compressed (as
/// `--record FILE.gz` writes, with a sync flush each second).
func hourRecording(dir: String, gzip: Bool = false) -> (path: String, events: Int) {
  let path = "\(dir)/hour-1000.incident.jsonl" + (gzip ? ".gz" : "")
  if let text = try? String(contentsOfFile: path + ".count", encoding: .utf8), let n = Int(text) {
    return (path, n)
  }
  let start = Timestamp.seconds(1_795_687_200)
  var config = AppConfig()
  config.clockMode = .wall
  var state = AppState(
    config: config,
    feeds: [FeedSpec(id: FeedID(0), kind: .demo, target: "demo", format: .json)], now: start)
  state.ui.size = Size(width: 120, height: 40)
  guard
    let recorder = try? Recorder(
      path: path, state: state, rulesYAML: DefaultRules.yaml(), title: "one hour, 1,000 events/s")
  else { fatalError("cannot write \(path)") }
  let scenario = DemoScenario(seed: 7, rateScale: 4.3)
  var events = 0
  for s in 0..<3600 {
    for q in 1...4 {
      let t = start.adding(Int64(s) * Nanos.second + Int64(q) * 250 * Nanos.millisecond)
      _ = update(&state, .tick(t), observer: recorder)
      guard q == 4 else { continue }
      var batch = RecordBatch()
      for e in scenario.events(second: s) {
        var line = DemoFormatter.line(e, start: start, format: .json)
        line.withUTF8 { batch.append(UnsafeRawBufferPointer($0), line: events + 1) }
        events += 1
      }
      let input = FeedInput(
        feed: FeedID(0), arrival: t, seq: UInt64(s + 1), payload: .records(batch, .json))
      _ = update(&state, .feed(input), observer: recorder)
    }
  }
  recorder.finish(at: state.now, reason: "quit")
  try? String(events).write(toFile: path + ".count", atomically: true, encoding: .utf8)
  return (path, events)
}

/// Times `vigil report` on the one-hour recording: reading it, the replay with sampling, the
/// HTML and the Markdown; and a plain headless replay of the same file for comparison.
func reportBench(dir: String) {
  let (path, events) = hourRecording(dir: dir)
  let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
  let t0 = monotonicNanos()
  guard let file = try? RecordingFile.load(path: path) else {
    print("report: cannot read \(path)")
    return
  }
  let t1 = monotonicNanos()
  let report = IncidentReport.build(file: file)
  let t2 = monotonicNanos()
  let html = ReportHTML.render(report)
  let t3 = monotonicNanos()
  let md = ReportMarkdown.render(report)
  let t4 = monotonicNanos()
  var replayer = Replayer(file: file)
  replayer.keepsCheckpoints = false
  replayer.playToEnd()
  let t5 = monotonicNanos()
  func s(_ a: Int64, _ b: Int64) -> String { Format.fixed(Double(b - a) / 1e9, 2) + " s" }
  func ms(_ a: Int64, _ b: Int64) -> String { Format.fixed(Double(b - a) / 1e6, 1) + " ms" }
  print(
    "report of a one-hour recording (\(events) events, \(size / 1_000_000) MB, "
      + "\(file.records.count) records): \(s(t0, t3)) to HTML (read \(s(t0, t1)), replay and "
      + "sample \(s(t1, t2)), HTML \(ms(t2, t3)), \(html.utf8.count / 1024) KB); Markdown "
      + "\(ms(t3, t4)) (\(md.utf8.count / 1024) KB); \(report.signals.first?.points.count ?? 0) "
      + "points per signal, \(report.episodes.count) episodes; a plain headless replay of the "
      + "same records: \(s(t4, t5)) (the report's replay is \(Format.fixed(Double(t2 - t1) / Double(max(1, t5 - t4)), 2))x that)"
  )
}
