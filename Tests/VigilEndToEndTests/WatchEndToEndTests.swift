import Foundation
import Testing
import VigilTestSupport

/// `vigil watch`: the dashboard's evaluation without a terminal, transitions as JSON lines, a
/// clean exit on SIGTERM.
@Suite(.serialized) struct WatchEndToEndTests {
  @Test func watchPrintsWhatCheckPrintsAndExitsZeroOnSIGTERM() throws {
    let dir = NSTemporaryDirectory() + "vigil-watch-e2e-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let feed = dir + "/feed.jsonl"
    let gen = spawnAndWait([vigilBinary(), "generate", "--duration", "15m", "--rate-scale", "0.2"])
    try gen.stdout.write(toFile: feed, atomically: true, encoding: .utf8)
    let check = spawnAndWait([vigilBinary(), "check", feed])
    #expect(check.status == 0, "\(check.stderr)")
    let checkLines = check.stdout.split(separator: "\n").map(String.init)
    // The live clock stops at the newest event; `check` also evaluates the tick at the end of
    // the input. Everything before that tick is the same, in the same order.
    func time(_ line: String) -> String {
      guard let r = line.range(of: "\"t\":\"") else { return "" }
      return String(line[r.upperBound...].prefix { $0 != "\"" })
    }
    let last = checkLines.map(time).max() ?? ""
    let expected = checkLines.filter { time($0) < last }
    #expect(expected.count > 20)
    let out = dir + "/watch.out"
    // Follow the file until the transitions are out (at most 150 s), then SIGTERM.
    // The file exists before the loop reads it (the background job's redirection is async).
    let script = """
      : > "$2"
      "$0" watch "$1" > "$2" 2>"$2.err" &
      pid=$!
      i=0
      while [ "$(wc -l < "$2")" -lt "$3" ] && [ $i -lt 300 ]; do sleep 0.5; i=$((i+1)); done
      kill -TERM $pid
      wait $pid
      echo "exit=$?"
      """
    let run = spawnAndWait(
      ["sh", "-c", script, vigilBinary(), feed, out, String(expected.count)], timeoutSeconds: 200)
    #expect(run.stdout.contains("exit=0"), "\(run.stdout) \(run.stderr)")
    let watched = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
      .map(String.init)
    #expect(watched == expected)
    #expect(watched.allSatisfy { $0.hasSuffix("}") && $0.contains("\"series\":") })
  }

  @Test func onAlertDeliversEachLiveFiringAsJSON() throws {
    let dir = NSTemporaryDirectory() + "vigil-watch-alert-e2e-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let sink = dir + "/alerts.jsonl"
    // The demo: its quiet prelude is history; the incident's first firings are live.
    let script = """
      "$0" watch --speed 30 --on-alert 'cat >> "$SINK"' > "$1/out" 2>"$1/err" &
      pid=$!
      i=0
      while [ ! -s "$SINK" ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i+1)); done
      sleep 1
      kill -TERM $pid
      wait $pid
      echo "exit=$?"
      """
    var env = ProcessInfo.processInfo.environment
    env["SINK"] = sink
    let run = spawnAndWait(
      ["sh", "-c", script, vigilBinary(), dir], environment: env, timeoutSeconds: 200)
    #expect(run.stdout.contains("exit=0"), "\(run.stdout) \(run.stderr)")
    let lines = try String(contentsOfFile: sink, encoding: .utf8).split(separator: "\n")
    #expect(!lines.isEmpty)
    for line in lines {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      let labels = object?["labels"] as? [String: String]
      #expect(object?["status"] as? String == "firing", "\(line)")
      #expect(labels?["alertname"]?.isEmpty == false && object?["startsAt"] is String)
    }
    // Every delivered firing is also a transition line on standard output.
    let out = try String(contentsOfFile: dir + "/out", encoding: .utf8)
    #expect(out.contains("\"to\":\"firing\""))
    let err = try String(contentsOfFile: dir + "/err", encoding: .utf8)
    #expect(err.contains("command: \(lines.count) delivered, 0 failed"), "\(err)")
  }
}
