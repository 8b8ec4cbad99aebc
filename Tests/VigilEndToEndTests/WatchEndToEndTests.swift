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
    let script = """
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
}
