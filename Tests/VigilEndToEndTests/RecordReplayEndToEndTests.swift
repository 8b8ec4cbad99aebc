import Foundation
import Testing
import VigilTestSupport

/// Record in a real terminal, then replay: headless (transitions compared with the recording)
/// and in the interactive player; a recording cut by `kill -9` still replays.
@Suite(.serialized) struct RecordReplayEndToEndTests {
  static func feed(_ name: String) throws -> String {
    let path = "/tmp/vigil-rr-\(getpid())-\(name).jsonl"
    let r = spawnAndWait([vigilBinary(), "generate", "--duration", "15m", "--rate-scale", "0.2"])
    try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func aRecordedSessionReplaysWithIdenticalTransitions() throws {
    let feed = try Self.feed("live")
    let rec = "/tmp/vigil-rr-\(getpid()).incident.jsonl"
    defer {
      for p in [feed, rec, rec.replacingOccurrences(of: ".jsonl", with: ".notes.jsonl")] {
        try? FileManager.default.removeItem(atPath: p)
      }
    }
    let tmux = try Tmux(width: 100, height: 30)
    try tmux.type("\(vigilBinary()) --record \(rec) --title 'checkout incident' \(feed)")
    #expect(tmux.waitForText(["event time", "firing"], timeout: 30) != nil, "\(tmux.screen())")
    try tmux.keys("q")
    #expect(tmux.waitForText([Tmux.prompt.trimmingCharacters(in: .whitespaces)]) != nil)

    let (status, out, err) = try runVigil(["replay", "--headless", "--transitions", rec])
    #expect(status == 0, "\(err)")
    #expect(err.contains("all identical"), "\(err)")
    // The same transitions as vigil check over the raw feed. Check also runs the tick that
    // covers the file's last sample (the file is finished); the dashboard was still waiting
    // for data to pass that tick, so check may have lines at that last tick only.
    let (_, check, _) = try runVigil(["check", feed])
    let replayed = out.split(separator: "\n")
    let checked = check.split(separator: "\n")
    #expect(replayed.count >= 10)
    #expect(Array(checked.prefix(replayed.count)) == replayed, "replay:\n\(out)\ncheck:\n\(check)")
    #expect(checked.dropFirst(replayed.count).allSatisfy { $0.contains("T10:15:00Z") })
  }

  /// The player over a live demo recording: pause, jumps, go to, markers, and a clean exit.
  @Test func thePlayerJumpsSeeksAndMarks() throws {
    let rec = "/tmp/vigil-rr-demo-\(getpid()).incident.jsonl"
    let sidecar = rec.replacingOccurrences(of: ".jsonl", with: ".notes.jsonl")
    defer {
      try? FileManager.default.removeItem(atPath: rec)
      try? FileManager.default.removeItem(atPath: sidecar)
    }
    let tmux = try Tmux(width: 100, height: 30)
    // The demo at 60x: its 15 minutes in 15 seconds, recorded on its own (scaled) clock.
    try tmux.type("\(vigilBinary()) --speed 60 --demo-history 0s --record \(rec)")
    #expect(tmux.waitForText(["minute 1"], timeout: 30) != nil, "\(tmux.screen())")
    #expect(tmux.waitForText(["minute 12"], timeout: 30) != nil, "\(tmux.screen())")
    try tmux.keys("q")
    #expect(tmux.waitForText([Tmux.prompt.trimmingCharacters(in: .whitespaces)]) != nil)
    let (status, _, err) = try runVigil(["replay", "--headless", rec])
    #expect(status == 0 && err.contains("all identical"), "\(err)")

    try tmux.type("\(vigilBinary()) replay \(rec)")
    #expect(tmux.waitForText(["]/[ alerts"], timeout: 20) != nil, "\(tmux.screen())")
    try tmux.keys("Space")
    // The player bar: state, speed, clock, timeline.
    let bar = { (s: [String]) -> String in
      s.last { $0.contains("x ") && ($0.contains("▶") || $0.contains("❚❚")) } ?? ""
    }
    #expect(tmux.waitFor(timeout: 10) { bar($0).contains("❚❚") } != nil, "\(tmux.screen())")
    try tmux.keys("g")
    try tmux.keys("e")  // the first transition to firing
    let firing = tmux.waitFor(timeout: 10) { s in s.contains { $0.contains("● FIRING") } }
    #expect(firing != nil, "\(tmux.screen())")
    let clock = { (s: [String]) -> String in
      String(bar(s).split(separator: " ").dropFirst(2).first ?? "")
    }
    let before = clock(tmux.screen())
    try tmux.keys(":")
    try tmux.type("+1m")
    let after =
      tmux.waitFor(timeout: 10) { !clock($0).isEmpty && clock($0) != before }.map(clock) ?? ""
    let seconds = { (c: String) -> Int in
      c.split(separator: ":").compactMap { Int($0) }.reduce(0) { $0 * 60 + $1 }
    }
    // Clock to clock, forwards, across midnight too (the demo runs on today's wall clock).
    let since = { (a: String, b: String) -> Int in (seconds(b) - seconds(a) + 86_400) % 86_400 }
    #expect(since(before, after) == 60, "\(before) -> \(after)")
    try tmux.keys("m")
    try tmux.type("gateway deploy")
    #expect(tmux.waitForText(["marker added"], timeout: 10) != nil)
    try tmux.keys("G")
    let end =
      tmux.waitFor(timeout: 10) { s in
        !clock(s).isEmpty && (1..<43_200).contains(since(after, clock(s)))
      }.map(clock) ?? ""
    #expect(!end.isEmpty && since(after, end) > 60, "\(after) -> \(end)")
    try tmux.keys("q")
    let back = tmux.waitForText([Tmux.prompt.trimmingCharacters(in: .whitespaces)], timeout: 10)
    #expect(back != nil)
    #expect(try tmux.sttySettings().contains("icanon"))
    let notes = (try? String(contentsOfFile: sidecar, encoding: .utf8)) ?? ""
    #expect(notes.contains("gateway deploy"), "\(notes)")
  }

  /// `--record` killed with `kill -9`: the file replays up to its last flush with every
  /// transition identical. Compressed (`.gz`), every flush is a zlib sync flush, so the file,
  /// which has no gzip trailer, decompresses up to it.
  @Test(arguments: [".incident.jsonl", ".incident.jsonl.gz"])
  func aRecordingCutByKill9StillReplays(suffix: String) throws {
    let gzip = suffix.hasSuffix(".gz")
    let feed = try Self.feed(gzip ? "killgz" : "kill")
    let rec = "/tmp/vigil-rr-kill-\(getpid())\(suffix)"
    defer {
      try? FileManager.default.removeItem(atPath: feed)
      try? FileManager.default.removeItem(atPath: rec)
    }
    let tmux = try Tmux(width: 100, height: 30)
    try tmux.type("\(vigilBinary()) --record \(rec) \(feed) & sleep 4; kill -9 %1; reset")
    _ = tmux.waitForText(["Killed"], timeout: 20)
    let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: rec)).readData(ofLength: 2)
    #expect((Array(head) == [0x1F, 0x8B]) == gzip)
    let (status, _, err) = try runVigil(["replay", "--headless", rec])
    #expect(status == 0, "\(err)")
    #expect(err.contains(gzip ? "cut off" : "no end record") || err.contains("cut off"), "\(err)")
    #expect(err.contains("all identical"), "\(err)")
  }

  @Test func unusableRecordingsExitOneWithAMessage() throws {
    let bad = "/tmp/vigil-rr-bad-\(getpid()).jsonl"
    defer { try? FileManager.default.removeItem(atPath: bad) }
    try "ts,metric,value\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let (status, _, err) = try runVigil(["replay", "--headless", bad])
    #expect(status == 1)
    #expect(err.contains("not a Vigil incident recording"), "\(err)")
    let (missing, _, err2) = try runVigil(["replay", "--headless", "/nonexistent/x.jsonl"])
    #expect(missing == 1)
    #expect(err2.contains("cannot read"), "\(err2)")
  }
}
