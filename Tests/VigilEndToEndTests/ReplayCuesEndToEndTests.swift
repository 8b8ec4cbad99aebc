import Foundation
import Testing
import VigilTestSupport

/// Issue 15, items 9 and 10, in the player in a real terminal at 80x24: go-to outside the
/// recording, messages that clear, marker jumps, the alerts list without ack or silence, and
/// the panels at the start (D50).
@Suite(.serialized) struct ReplayCuesEndToEndTests {
  static let prompt = Tmux.prompt.trimmingCharacters(in: .whitespaces)

  /// A recording of a generated feed read on event time (headless); the player's clock is the
  /// recording's (wall) clock.
  static func recording(_ dir: String) throws -> (path: String, start: Date, firstData: Date) {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let feed = dir + "/feed.jsonl"
    let g = spawnAndWait([vigilBinary(), "generate", "--duration", "15m", "--rate-scale", "0.2"])
    try g.stdout.write(toFile: feed, atomically: true, encoding: .utf8)
    let rec = dir + "/cues.incident.jsonl"
    let (status, _, err) = try runVigil(["--headless", "--frames", "20", "--record", rec, feed])
    #expect(status == 0, "\(err)")
    var start: Date?
    var firstData: Date?
    let text = (try? String(contentsOfFile: rec, encoding: .utf8)) ?? ""
    for line in text.split(separator: "\n") {
      guard
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      else { continue }
      if let ns = object["start_ns"] as? Int64 {
        start = Date(timeIntervalSince1970: Double(ns) / 1e9)
      } else if object["k"] as? String == "in", object["recs"] != nil, firstData == nil,
        let ns = object["t"] as? Int64
      {
        firstData = Date(timeIntervalSince1970: Double(ns) / 1e9)
      }
    }
    guard let start, let firstData else { throw Failure("no header or input in \(rec)") }
    return (rec, start, firstData)
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }

  static func clock(_ d: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "HH:mm:ss"
    return f.string(from: d)
  }

  /// The player bar (the last row) and the clock it shows.
  static func bar(_ s: [String]) -> String {
    s.last { $0.contains("x ") && ($0.contains("▶") || $0.contains("❚❚")) } ?? ""
  }
  static func barClock(_ s: [String]) -> String {
    String(bar(s).split(separator: " ").dropFirst(2).first ?? "")
  }

  @Test func thePlayersCuesAndMessages() throws {
    let dir = "/tmp/vigil-cues-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (rec, start, firstData) = try Self.recording(dir)
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("clear; \(vigilBinary()) replay \(rec)")
    #expect(tmux.waitForText(["]/[ alerts"], timeout: 20) != nil, "\(tmux.screen())")
    let dump = { tmux.screen().joined(separator: "\n") }
    try tmux.keys("Space")
    #expect(tmux.waitFor(timeout: 10) { Self.bar($0).contains("❚❚") } != nil, "\(dump())")

    // `g` from the end: the start, with the data the recording has there (it read
    // "no data in the last 5m" in every panel).
    try tmux.keys("G")
    #expect(tmux.waitFor(timeout: 10) { Self.barClock($0) != Self.clock(firstData) } != nil)
    try tmux.keys("g")
    let atStart = tmux.waitFor(timeout: 10) { Self.barClock($0) == Self.clock(firstData) }
    #expect(atStart != nil, "\(dump())")
    let panels = atStart?.joined(separator: "\n") ?? ""
    #expect(!panels.contains("no data in the last 5m"), "\(panels)")
    #expect(panels.contains("worst p99") && !panels.contains("— worst p99"), "\(panels)")

    // A time before the recording: to the start, saying the recording's range. It went a day
    // on, past the end, and to the end.
    try tmux.keys("G")
    #expect(tmux.waitFor(timeout: 10) { Self.barClock($0) != Self.clock(firstData) } != nil)
    try tmux.keys(":")
    try tmux.type(Self.clock(start.addingTimeInterval(-3600)))
    let before = "before the recording (\(Self.clock(start))–"
    let said = tmux.waitFor(timeout: 10) { s in
      Self.bar(s).contains(before) && Self.barClock(s) == Self.clock(firstData)
    }
    #expect(said != nil, "\(dump())")

    // The message goes with the next action (a step).
    try tmux.keys(".")
    let cleared = tmux.waitFor(timeout: 10) { s in
      !Self.bar(s).isEmpty && !Self.bar(s).contains("before the recording")
    }
    #expect(cleared != nil, "\(dump())")

    // A bad go-to, then a dashboard key (the alerts list): the message goes.
    try tmux.keys(":")
    try tmux.type("16:2x")
    #expect(tmux.waitForText(["go to: use 16:20"]) != nil, "\(dump())")
    try tmux.keys("a")
    let alerts = tmux.waitFor(timeout: 10) { s in
      s.contains { $0.contains("Alerts (") } && !Self.bar(s).contains("go to: use")
    }
    #expect(alerts != nil, "\(dump())")
    // The alerts list offers no ack or silence: they come from the recording.
    let list = alerts?.joined(separator: "\n") ?? ""
    #expect(!list.contains("A ack") && !list.contains("s silence"), "\(list)")
    #expect(list.contains("acks and silences are the recording's"), "\(list)")
    try tmux.keys("A")
    #expect(
      tmux.waitFor(timeout: 10) {
        Self.bar($0).hasSuffix(" acks and silences come from the recording")
      }
        != nil, "\(dump())")
    try tmux.keys("s")
    #expect(tmux.waitForText(["acks and silences come from the recording"]) != nil)
    #expect(!dump().contains("SILENCED"))
    try tmux.keys("Escape")
    #expect(tmux.waitFor(timeout: 10) { !$0.contains { $0.contains("Alerts (") } } != nil)

    // A marker at the start; the jump to it from the end says its text.
    try tmux.keys("g")
    #expect(tmux.waitFor(timeout: 10) { Self.barClock($0) == Self.clock(firstData) } != nil)
    try tmux.keys("m")
    try tmux.type("gateway deploy")
    #expect(tmux.waitForText(["marker added"]) != nil, "\(dump())")
    try tmux.keys("G")
    try tmux.keys("{")
    #expect(
      tmux.waitFor(timeout: 10) { Self.bar($0).contains("marker: gateway deploy") } != nil,
      "\(dump())")

    // Played to its end: "end of the recording", until the next action.
    try tmux.keys("G")
    try tmux.keys(":")
    try tmux.type("-1s")
    try tmux.keys("Space")
    #expect(tmux.waitForText(["end of the recording"], timeout: 15) != nil, "\(dump())")
    try tmux.keys("g")
    let gone = tmux.waitFor(timeout: 10) { s in
      Self.barClock(s) == Self.clock(firstData) && !Self.bar(s).contains("end of the recording")
    }
    #expect(gone != nil, "\(dump())")

    try tmux.keys("q")
    #expect(tmux.waitForText([Self.prompt], timeout: 10) != nil)
  }
}
