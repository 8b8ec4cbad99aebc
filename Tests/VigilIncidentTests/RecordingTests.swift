import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilDemo
import VigilIncident
import VigilRender
import VigilTestSupport

/// Incident recordings: the format, and live → record → replay round trips (SEMANTICS §10, G).
@Suite struct RecordingTests {
  static func tempPath(_ name: String) -> String {
    "/tmp/vigil-recording-\(getpid())-\(name).incident.jsonl"
  }

  /// A live run of the demo recorded to `path` as the loop would: four clock ticks a second,
  /// the demo's lines each second, and at second `ackAt` an ack with a note on the first
  /// firing alert. Returns the live state at the end.
  @discardableResult
  static func recordDemo(path: String, seconds: Int, ackAt: Int? = nil) throws -> AppState {
    try recordDemo(to: .file(path), seconds: seconds, ackAt: ackAt)
  }

  @discardableResult
  static func recordDemo(to target: RecordingTarget, seconds: Int, ackAt: Int? = nil) throws
    -> AppState
  {
    var state = freshState()
    state.ui.size = Size(width: 100, height: 30)
    let recorder = try Recorder(
      target: target, state: state, rulesYAML: DefaultRules.yaml(), title: "demo incident")
    func apply(_ m: Message) { _ = update(&state, m, observer: recorder) }
    let scenario = DemoScenario(seed: 42)
    for s in 0..<seconds {
      for q in 1...4 {
        let t = demoStart.adding(Int64(s) * Nanos.second + Int64(q) * 250 * Nanos.millisecond)
        apply(.tick(t))
        if q == 4 {
          let lines = scenario.events(second: s).map {
            DemoFormatter.line($0, start: demoStart, format: .json)
          }
          apply(
            .feed(
              FeedInput(
                feed: FeedID(0), arrival: t, seq: UInt64(s + 1),
                payload: .records(batch(lines, firstLine: s * 1000 + 1), .json))))
        }
      }
      if s == ackAt {
        for key: Key in [
          .character("a"), .character("A"), .character("o"), .character("n"), .enter,
          .character("s"), .escape,
        ] {
          apply(.key(key))
        }
      }
    }
    recorder.finish(at: state.now, reason: "quit")
    return state
  }

  func transitionsText(_ trs: [AlertTransition]) -> [String] {
    trs.map { RecordingEntry.alert($0).json.text }
  }

  // MARK: Round trips

  /// G1 and the issue's round trip: the replay recomputes every transition identically, ends
  /// on the same screen, and applies the recorded ack and silence.
  @Test func liveRecordingReplaysToIdenticalTransitionsAndScreen() throws {
    let path = Self.tempPath("roundtrip")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let live = try Self.recordDemo(path: path, seconds: 600, ackAt: 560)
    #expect(live.alertHistory.transitionsTotal > 5)
    #expect(!live.notifier.acked.isEmpty && !live.notifier.silences.isEmpty)
    let file = try RecordingFile.load(path: path)
    #expect(file.warnings.isEmpty, "\(file.warnings)")
    #expect(file.endedCleanly)
    #expect(file.header.title == "demo incident")
    var replayer = Replayer(file: file, ui: live.ui)
    replayer.playToEnd()
    #expect(replayer.mismatches.isEmpty, "\(replayer.mismatches)")
    #expect(replayer.compared == live.alertHistory.transitionsTotal)
    #expect(
      transitionsText(replayer.state.alertHistory.history)
        == transitionsText(live.alertHistory.history))
    #expect(replayer.state.notifier.acked == live.notifier.acked)
    #expect(replayer.state.notifier.ackNotes == live.notifier.ackNotes)
    #expect(replayer.state.notifier.silences.keys == live.notifier.silences.keys)
    // The same screen, but for the title, which says it is a replay.
    let replayed = render(replayer.state).lines()
    #expect(Array(replayed.dropFirst()) == Array(render(live).lines().dropFirst()))
    #expect(replayed.first?.contains("replay: demo incident") == true)
  }

  /// G1: the player at 1x, 8x and 64x (in 100 ms steps of viewer time) gives byte-identical
  /// transition logs.
  @Test func speedsGiveIdenticalTransitionLogs() throws {
    let path = Self.tempPath("speeds")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.recordDemo(path: path, seconds: 420)
    let file = try RecordingFile.load(path: path)
    var logs: [[String]] = []
    for speed in [1.0, 8, 64] {
      var player = Player(replayer: Replayer(file: file))
      player.speed = speed
      var steps = 0
      while !player.replayer.atEnd && steps < 100_000 {
        player.advance(byWall: 100 * Nanos.millisecond)
        steps += 1
      }
      #expect(player.replayer.mismatches.isEmpty)
      logs.append(transitionsText(player.replayer.state.alertHistory.history))
    }
    #expect(!logs[0].isEmpty)
    #expect(logs[0] == logs[1] && logs[1] == logs[2])
  }

  /// G2: seek to 7m30s (behind the clock: a checkpoint is restored), then step once: the
  /// replay lands on the 7m40s tick, in the same state as a straight replay to 7m40s.
  @Test func seekThenStepEqualsAStraightReplay() throws {
    let path = Self.tempPath("seek")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.recordDemo(path: path, seconds: 600)
    let file = try RecordingFile.load(path: path)
    var player = Player(replayer: Replayer(file: file))
    player.seek(to: demoStart.adding(9 * Nanos.minute))
    #expect(player.replayer.checkpointCount >= 8)
    player.seek(to: demoStart.adding(7 * Nanos.minute + 30 * Nanos.second))
    #expect(press(&player, .character(".")))
    #expect(player.time == demoStart.adding(7 * Nanos.minute + 40 * Nanos.second))
    #expect(player.paused)
    var straight = Replayer(file: file)
    straight.play(until: demoStart.adding(7 * Nanos.minute + 40 * Nanos.second))
    #expect(
      transitionsText(player.replayer.state.alertHistory.history)
        == transitionsText(straight.state.alertHistory.history))
    #expect(render(player.replayer.state).lines() == render(straight.state).lines())
    #expect(player.replayer.mismatches.isEmpty)
    // `,` steps back to the tick before.
    #expect(press(&player, .character(",")))
    #expect(player.time == demoStart.adding(7 * Nanos.minute + 30 * Nanos.second))
  }

  /// The player's screen: the replayed dashboard with the player bar (state, speed, clock,
  /// timeline with firings and a marker) in place of the status bar.
  @Test func playerScreenAt80x24() throws {
    let path = Self.tempPath("screen")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.recordDemo(path: path, seconds: 600)
    var replayer = Replayer(file: try RecordingFile.load(path: path))
    replayer.addMarker(at: demoStart.adding(4 * Nanos.minute), "deploy")
    var player = Player(replayer: replayer)
    player.seek(to: demoStart.adding(9 * Nanos.minute))
    player.paused = true
    var buffer = ScreenBuffer(size: Size(width: 80, height: 24))
    renderPlayer(player, into: &buffer, glyphs: .unicode)
    #expect(snapshotMismatch(buffer.snapshot(), named: "player-80x24-minute9") == nil)
    var ascii = ScreenBuffer(size: Size(width: 80, height: 24))
    renderPlayer(player, into: &ascii, glyphs: .ascii)
    #expect(ascii.lines().allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
    #expect(
      ascii.lines().last?.hasPrefix(" || 1.00x 10:09:00 ") == true, "\(ascii.lines().last ?? "")")
  }

  /// G3: `]` walks the recorded transitions in order, `[` walks back, `e` jumps to firings.
  @Test func jumpsFollowTheRecordedTransitions() throws {
    let path = Self.tempPath("jumps")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.recordDemo(path: path, seconds: 600)
    let file = try RecordingFile.load(path: path)
    var player = Player(replayer: Replayer(file: file))
    let times = Array(Set(player.replayer.transitions.map(\.time))).sorted()
    #expect(times.count >= 3)
    for t in times.prefix(3) {
      #expect(press(&player, .character("]")))
      #expect(player.time == t)
    }
    #expect(press(&player, .character("[")))
    #expect(player.time == times[1])
    // `g`: the start, where the first input is in (D50).
    #expect(press(&player, .character("g")))
    #expect(player.time == player.replayer.dataStart)
    #expect(press(&player, .character("e")))
    let firstFiring = player.replayer.transitions.first { $0.transition.to == .firing }?.time
    #expect(player.time == firstFiring)
    #expect(player.replayer.state.alertHistory.firing.count >= 1)
  }

  @Test func gotoAcceptsClockTimesAndOffsets() throws {
    let path = Self.tempPath("goto")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.recordDemo(path: path, seconds: 120)
    var player = Player(replayer: Replayer(file: try RecordingFile.load(path: path)))
    #expect(press(&player, [.character(":")] + "10:01:30".map({ .character($0) }) + [.enter]))
    #expect(player.time == demoStart.adding(90 * Nanos.second))
    #expect(press(&player, [.character(":")] + "-1m".map({ .character($0) }) + [.enter]))
    #expect(player.time == demoStart.adding(30 * Nanos.second))
    #expect(press(&player, [.character(":"), .character("x"), .enter]))
    #expect(player.notice?.contains("go to") == true)
    // Speeds double and halve within 0.25x...1000x.
    _ = press(&player, Array(repeating: .character("+"), count: 20))
    #expect(player.speed == 1000)
    _ = press(&player, Array(repeating: .character("-"), count: 20))
    #expect(player.speed == 0.25)
  }

  /// Markers typed in replay go to the sidecar, never into the recording.
  @Test func markersGoToTheSidecar() throws {
    let path = Self.tempPath("markers")
    let sidecar = path + ".notes"
    defer {
      try? FileManager.default.removeItem(atPath: path)
      try? FileManager.default.removeItem(atPath: sidecar)
    }
    try Self.recordDemo(path: path, seconds: 60)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    var player = Player(replayer: Replayer(file: try RecordingFile.load(path: path)))
    player.seek(to: demoStart.adding(30 * Nanos.second))
    #expect(
      press(&player, [.character("m")] + "deploy v2 \u{1B}[31m".map({ .character($0) }) + [.enter]))
    for m in player.newMarkers { SidecarNotes.append(path: sidecar, time: m.time, text: m.text) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    let loaded = SidecarNotes.load(path: sidecar)
    #expect(loaded.map(\.text) == ["deploy v2 \u{1B}[31m"])
    #expect(loaded.map(\.time) == [demoStart.adding(30 * Nanos.second)])
    // The timeline shows it (away from the clock's own cell).
    #expect(press(&player, .character("g")))
    var buffer = ScreenBuffer(size: Size(width: 80, height: 24))
    renderPlayer(player, into: &buffer, glyphs: .unicode)
    #expect(buffer.lines().last?.contains("M") == true)
  }

  /// `m` live: the marker is typed in the status bar (q is text there), recorded as a `mark`
  /// record, and a jump target in replay.
  @Test func aMarkerTypedLiveIsRecordedAndReplayed() throws {
    let path = Self.tempPath("livemark")
    defer { try? FileManager.default.removeItem(atPath: path) }
    var state = freshState()
    let recorder = try Recorder(path: path, state: state, rulesYAML: DefaultRules.yaml())
    func apply(_ m: Message) -> [Effect] { update(&state, m, observer: recorder) }
    _ = apply(.tick(demoStart.adding(5 * Nanos.second)))
    var effects: [Effect] = []
    for key: Key in [.character("m")] + "quit db\u{7}".map({ .character($0) }) + [.enter] {
      effects += apply(.key(key))
    }
    #expect(effects.isEmpty)  // the q was text, not quit
    #expect(state.marks.map(\.text) == ["quit db\u{7}"])
    #expect(state.notice?.text.contains("marker added") == true)
    #expect(render(state).lines().allSatisfy { !$0.contains("\u{7}") })
    _ = apply(.tick(demoStart.adding(9 * Nanos.second)))
    recorder.finish(at: state.now, reason: "quit")
    let replayer = Replayer(file: try RecordingFile.load(path: path))
    #expect(replayer.markers.map(\.text) == ["quit db\u{7}"])
    #expect(replayer.markers.map(\.time) == [demoStart.adding(5 * Nanos.second)])
  }

  // MARK: Black box

  /// The black box rotates segments and deletes the oldest beyond its limit; the directory
  /// replays as one recording that starts mid-session, whose warm-up is not compared.
  @Test func theBlackBoxKeepsTheLastMinutesAndReplaysThem() throws {
    let dir = "/tmp/vigil-blackbox-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Self.recordDemo(
      to: .blackBox(
        directory: dir, keep: 3 * Nanos.minute, maxBytes: 1 << 30, segment: Nanos.minute),
      seconds: 480, ackAt: 450)
    let segments = BlackBox.segments(dir)
    // 8 one-minute segments written; those older than 3 minutes deleted.
    #expect(segments.count == 4, "\(segments.map(\.path))")
    let file = try RecordingFile.load(path: dir)
    #expect(file.header.continues)
    #expect(file.endedCleanly)
    #expect(file.header.start == segments[0].start)
    #expect(file.warnings.contains { $0.contains("starts mid-session") }, "\(file.warnings)")
    // Records of every kept segment, in time order, with no `end` but the last.
    let times = file.records.filter { if case .alert = $0 { false } else { true } }.map(\.time)
    #expect(times == times.sorted())
    #expect(file.records.filter { if case .end = $0 { true } else { false } }.count == 1)
    var replayer = Replayer(file: file)
    #expect(replayer.comparableFrom > file.header.start.adding(15 * Nanos.minute))
    replayer.playToEnd()
    #expect(replayer.mismatchCount == 0)
    // The acks of the last minutes were applied.
    #expect(!replayer.state.notifier.acked.isEmpty)

    // A size limit prunes too (but never the segment being written).
    let small = dir + "-small"
    defer { try? FileManager.default.removeItem(atPath: small) }
    try Self.recordDemo(
      to: .blackBox(directory: small, keep: Nanos.hour, maxBytes: 1, segment: Nanos.minute),
      seconds: 200)
    #expect(BlackBox.segments(small).count == 1)
  }

  // MARK: Damaged files

  @Test func aCutOffRecordingPlaysUpToItsLastCompleteRecord() throws {
    let path = Self.tempPath("cut")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.recordDemo(path: path, seconds: 300)
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes.removeLast(bytes.count / 3)  // mid-line, as kill -9 or a full disk leaves it
    let file = try RecordingFile.parse(bytes, name: "cut")
    #expect(!file.endedCleanly)
    #expect(file.warnings.contains { $0.contains("cut off at byte") }, "\(file.warnings)")
    var replayer = Replayer(file: file)
    replayer.playToEnd()
    #expect(replayer.mismatches.isEmpty)
    #expect(replayer.endTime > demoStart.adding(2 * Nanos.minute))
  }

  @Test func aDamagedLineEndsTheReplayThereWithAMessage() throws {
    let path = Self.tempPath("damaged")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.recordDemo(path: path, seconds: 60)
    var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(
      String.init)
    lines[100] = "{\"k\":\"in\",\"t\":garbage"
    let file = try RecordingFile.parse(
      Array((lines.joined(separator: "\n") + "\n").utf8), name: "d")
    #expect(file.records.count == 99)
    #expect(file.warnings.contains { $0.contains("damaged at line 101") }, "\(file.warnings)")
  }

  @Test func unusableFilesGiveClearErrors() {
    let cases: [([UInt8], String)] = [
      ([], "empty"),
      (Array("ts,metric,value\n1,a,2\n".utf8), "not a Vigil incident recording"),
      (Array("{\"format\":\"something-else\"}\n".utf8), "not a Vigil incident recording"),
      ([0x1F, 0x8B, 0x08, 0x00], "gzip"),
      (Array("{\"format\":\"vigil-incident\",\"version\":1}\n".utf8), "lacks"),
      ([0xFF, 0xFE, 0x00, 0x0A], "not a Vigil incident recording"),
    ]
    for (bytes, expected) in cases {
      do {
        _ = try RecordingFile.parse(bytes, name: "f")
        Issue.record("accepted: \(expected)")
      } catch {
        #expect(error.message.contains(expected), "\(error.message)")
      }
    }
  }

  @Test func aNewerFormatAndUnknownRecordsAreReportedNotFatal() throws {
    let path = Self.tempPath("newer")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.recordDemo(path: path, seconds: 30)
    var text = try String(contentsOfFile: path, encoding: .utf8)
    text = text.replacingOccurrences(of: "\"version\":1,", with: "\"version\":2,")
    text = text.replacingOccurrences(of: "\"version\":\"0.1.0\"", with: "\"version\":\"9.9\"")
    text += "{\"k\":\"hologram\",\"t\":1}\n"
    let file = try RecordingFile.parse(Array(text.utf8), name: "n")
    #expect(file.warnings.contains { $0.contains("newer") })
    #expect(file.warnings.contains { $0.contains("recorded with Vigil 9.9") })
    #expect(file.warnings.contains { $0.contains("1 records of unknown kinds") })
    var replayer = Replayer(file: file)
    replayer.playToEnd()
    #expect(replayer.mismatches.isEmpty)
  }

  // MARK: Format

  /// Every record kind survives encoding, including records that are not UTF-8, records with
  /// newlines (CSV), line numbers with gaps, oversized lines, and every feed event.
  @Test func everyRecordKindRoundTrips() throws {
    var csv = RecordBatch()
    for (i, rec) in ["a,\"x\ny\",1", "b,\u{1F600},2"].enumerated() {
      Array(rec.utf8).withUnsafeBytes { csv.append($0, line: 3 + 2 * i) }
    }
    var binary = RecordBatch()
    [UInt8]([0x7B, 0xFF, 0xFE, 0x7D]).withUnsafeBytes { binary.append($0, line: 9) }
    binary.oversized = [10, 12]
    // A StatsD datagram: several lines, one not UTF-8, and a cut one.
    var datagram = RecordBatch()
    (Array("a:1|c\nb:2|g\n".utf8) + [0xFF]).withUnsafeBytes { datagram.append($0, line: 41) }
    datagram.cut = [41]
    let key = AlertKey(rule: "R", labels: ["pair": "oms-erp", "q": "a\"b\\c"])
    let t = demoStart
    var records: [RecordingEntry] = [
      .input(FeedInput(feed: FeedID(1), arrival: t, seq: 7, payload: .records(csv, .csv))),
      .input(FeedInput(feed: FeedID(0), arrival: t, seq: 8, payload: .records(binary, .json))),
      .input(
        FeedInput(
          feed: FeedID(0), arrival: t, seq: 9, payload: .records(batch(["{}", "", "x"]), .logfmt))),
      .input(FeedInput(feed: FeedID(3), arrival: t, seq: 10, payload: .records(datagram, .statsd))),
      .tick(t), .rules(t, .yaml("rules: []\n", path: "r.yaml")),
      .rules(t, .unreadable("gone", path: "r.yaml")), .action(t, .ack(key)),
      .action(t, .ackNote(key, "looking \u{7}")), .action(t, .unack(key)),
      .action(t, .silence(key, until: t.adding(Nanos.hour), step: 1)), .action(t, .unsilence(key)),
      .alert(
        AlertTransition(
          t: t, rule: "R", labels: key.labels, from: .pending, to: .firing, value: 0.1 + 0.2)),
      .alert(
        AlertTransition(
          t: t, rule: "R", labels: .empty, from: .firing, to: .inactive, value: nil,
          reason: .noData)),
      .mark(t, "deploy"), .end(t, "quit"),
      .delivered(
        t, key, status: "firing",
        targets: ["command", "alertmanager http://127.0.0.1:9093/api/v2/alerts"]),
    ]
    for event: FeedEvent in [
      .opened, .waiting("no such file"), .truncated, .rotated, .deleted, .caughtUp, .endOfInput,
      .failed("EIO"), .started(4242), .exited(.code(3)), .exited(.signal(15)),
      .restarting(in: 2 * Nanos.second), .stderr(["oops \\x1b", "é"]),
      .dropped(kernel: 12, vigil: 3_000_000_000),
    ] {
      records.append(.input(FeedInput(feed: FeedID(2), arrival: t, seq: 1, payload: .event(event))))
    }
    for r in records {
      let text = r.json.text
      #expect(!text.contains("\n"))
      let back = try RecordingEntry(json: try JSONValue.parse(text))
      #expect(back == r, "\(text)")
    }
  }

  @Test func jsonValuesRoundTripAndHostileTextNeverTraps() throws {
    var rng = SplitMix64(seed: 7)
    func random(_ depth: Int) -> JSONValue {
      switch rng.next() % (depth > 3 ? 5 : 7) {
      case 0: return .null
      case 1: return .bool(rng.next() % 2 == 0)
      case 2: return .int(Int64(bitPattern: rng.next()))
      case 3: return .double(Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF))
      case 4:
        let scalars = (0..<(rng.next() % 8)).compactMap { _ in
          Unicode.Scalar(UInt32(rng.next() % 0x11_0000))
        }
        return .string(String(String.UnicodeScalarView(scalars)))
      case 5: return .array((0..<(rng.next() % 4)).map { _ in random(depth + 1) })
      default:
        return .object((0..<(rng.next() % 4)).map { i in ("k\(i)", random(depth + 1)) })
      }
    }
    for _ in 0..<2000 {
      let v = random(0)
      #expect(try JSONValue.parse(v.text) == v, "\(v.text)")
    }
    let hostile = [
      String(repeating: "[", count: 100_000), "{\"a\":1,}", "\"\\ud800\"", "\"\\udc00x\"",
      "\"a\u{01}\"", "01", "1e999", "-", "tru", "{\"a\" 1}", "[1 2]", "\"\\x\"", "1 2", "",
    ]
    for h in hostile {
      #expect(throws: JSONValue.ParseError.self, "\(h.prefix(20))") { try JSONValue.parse(h) }
    }
    // Random mutations of a real record line.
    let line = Array(RecordingEntry.mark(demoStart, "x").json.text.utf8)
    for _ in 0..<5000 {
      var m = line
      for _ in 0...(rng.next() % 3) {
        m[Int(rng.next() % UInt64(m.count))] = UInt8(rng.next() & 0xFF)
      }
      _ = m.withUnsafeBytes { try? JSONValue.parse($0) }
    }
  }
}

/// Presses keys on the player; true when the player handled every one.
func press(_ player: inout Player, _ keys: [Key]) -> Bool {
  var all = true
  for k in keys where !player.handle(k) { all = false }
  return all
}

func press(_ player: inout Player, _ key: Key) -> Bool { press(&player, [key]) }
