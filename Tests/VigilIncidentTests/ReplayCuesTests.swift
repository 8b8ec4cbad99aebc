import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilDemo
import VigilIncident
import VigilRender

/// Issue 15, items 9 and 10: the player's go-to outside the recording, its messages, marker
/// jumps, and the panels at the start (D50).
@Suite struct ReplayCuesTests {
  static func recorded(_ name: String, seconds: Int) throws -> (RecordingFile, String) {
    let path = RecordingTests.tempPath("cues-\(name)")
    try RecordingTests.recordDemo(path: path, seconds: seconds)
    return (try RecordingFile.load(path: path), path)
  }

  static func player(_ file: RecordingFile) -> Player {
    var ui = UIState()
    ui.size = Size(width: 80, height: 24)
    return Player(replayer: Replayer(file: file, ui: ui))
  }

  static func screen(_ player: Player) -> [String] {
    var buffer = ScreenBuffer(size: Size(width: 80, height: 24))
    renderPlayer(player, into: &buffer, glyphs: .unicode)
    return buffer.lines()
  }

  /// The API latency panel's headline row ("— worst p99" without data).
  static func latencyHeadline(_ player: Player) -> String {
    screen(player).first { $0.contains("worst p99") } ?? ""
  }

  static func goto(_ player: inout Player, _ text: String) {
    #expect(press(&player, [.character(":")] + text.map { .character($0) } + [.enter]))
  }

  /// `:23:00` before a recording of 10:00:00–10:02:00 went a day on, past the end, and so to the
  /// end. A time of day is now taken on the day nearest the recording: before it goes to the
  /// start, after it to the end, and either says so with the recording's range.
  @Test func goingToATimeOutsideTheRecordingSaysSoAndGoesToTheNearerEnd() throws {
    let (file, path) = try Self.recorded("goto-outside", seconds: 120)
    defer { try? FileManager.default.removeItem(atPath: path) }
    var player = Self.player(file)
    let start = player.replayer.startTime
    let end = player.replayer.endTime
    #expect(CivilTime(start).clock == "10:00:00" && CivilTime(end).clock == "10:02:00")
    player.seek(to: start.adding(60 * Nanos.second))

    Self.goto(&player, "23:00")
    #expect(player.time == player.replayer.dataStart, "\(CivilTime(player.time).clock)")
    #expect(player.notice == "before the recording (10:00:00–10:02:00)")
    // The message fits the 80-column player bar whole.
    let bar = Self.screen(player).last ?? ""
    #expect(bar.contains(" before the recording (10:00:00–10:02:00) "), "\(bar)")

    Self.goto(&player, "9:59:30")
    #expect(player.time == player.replayer.dataStart)
    #expect(player.notice?.hasPrefix("before the recording") == true)

    Self.goto(&player, "10:30")
    #expect(player.time == end)
    #expect(player.notice == "after the recording (10:00:00–10:02:00)")

    // Inside: gone to, no message.
    Self.goto(&player, "10:01:30")
    #expect(player.time == start.adding(90 * Nanos.second))
    #expect(player.notice == nil)

    // Offsets past either end: the same.
    Self.goto(&player, "+5m")
    #expect(player.time == end)
    #expect(player.notice?.contains("after the recording") == true)
    Self.goto(&player, "-1h")
    #expect(player.time == player.replayer.dataStart)
    #expect(player.notice?.contains("before the recording") == true)
  }

  /// A recording across midnight: an early-morning time is on the next day (inside), a time
  /// just before its start on its first day (before).
  @Test func clockTimesAcrossMidnightAreOnTheDayNearestTheRecording() throws {
    let (file, path) = try Self.recorded("goto-midnight", seconds: 60)
    defer { try? FileManager.default.removeItem(atPath: path) }
    var header = file.header
    // The same records, replayed as if the recording began at 23:59:30.
    let shift = 14 * Nanos.hour - 30 * Nanos.second
    header.start = header.start.adding(shift)
    let records = file.records.map { $0.shifted(by: shift) }
    var player = Self.player(RecordingFile(header: header, records: records))
    #expect(CivilTime(player.replayer.startTime).clock == "23:59:30")
    Self.goto(&player, "00:00:15")
    #expect(CivilTime(player.time).clock == "00:00:15")
    #expect(player.time > player.replayer.startTime && player.notice == nil)
    Self.goto(&player, "23:00")
    #expect(player.time == player.replayer.dataStart)
    #expect(player.notice?.contains("before the recording (23:59:30–00:00:30)") == true)
  }

  /// A message stays only until the next thing the player does.
  @Test func staleMessagesClearAfterTheNextAction() throws {
    let (file, path) = try Self.recorded("stale", seconds: 90)
    defer { try? FileManager.default.removeItem(atPath: path) }
    var player = Self.player(file)
    Self.goto(&player, "16:20x")
    #expect(player.notice?.hasPrefix("go to: use 16:20") == true)
    #expect(press(&player, .character(".")))
    #expect(player.notice == nil)

    // Played to the end: "end of the recording", until `g`.
    player.paused = false
    player.advance(byWall: 10 * Nanos.minute)
    #expect(player.notice == "end of the recording")
    #expect(press(&player, .character("g")))
    #expect(player.notice == nil)

    // A go-to inside the recording after a bad one.
    Self.goto(&player, "x")
    #expect(player.notice != nil)
    Self.goto(&player, "+10s")
    #expect(player.notice == nil)

    // A key that sets its own message replaces the old one; one that is not the player's
    // leaves it to the dashboard (the loop clears it when the dashboard acts on the key).
    Self.goto(&player, "x")
    #expect(press(&player, .character("+")))
    #expect(player.notice?.hasPrefix("speed 2") == true)
    let handled = player.handle(.character("a"))
    #expect(!handled)
    #expect(player.notice?.hasPrefix("speed 2") == true)
  }

  /// `}` and `{` say which marker they landed on.
  @Test func aMarkerJumpShowsTheMarkersText() throws {
    let (file, path) = try Self.recorded("marker-jump", seconds: 90)
    defer { try? FileManager.default.removeItem(atPath: path) }
    var player = Self.player(file)
    player.replayer.addMarker(at: demoStart.adding(30 * Nanos.second), "gateway deploy")
    player.replayer.addMarker(at: demoStart.adding(60 * Nanos.second), "rollback")
    #expect(press(&player, .character("}")))
    #expect(player.notice == "marker: gateway deploy")
    #expect(Self.screen(player).last?.contains("marker: gateway deploy") == true)
    #expect(press(&player, .character("}")))
    #expect(player.notice == "marker: rollback")
    #expect(press(&player, .character("{")))
    #expect(player.notice == "marker: gateway deploy")
    #expect(press(&player, .character("{")))
    #expect(player.notice == "no earlier marker")
  }

  /// `g` went to the header's time, before the first input: every panel read "no data". It
  /// goes where the first input is in, as the dashboard first showed data.
  @Test func goingToTheStartShowsTheFirstData() throws {
    let (file, path) = try Self.recorded("start", seconds: 90)
    defer { try? FileManager.default.removeItem(atPath: path) }
    var player = Self.player(file)
    player.seek(to: demoStart.adding(80 * Nanos.second))
    #expect(press(&player, .character("g")))
    // The demo's first input arrives a second in.
    #expect(player.time == demoStart.adding(Nanos.second))
    #expect(player.replayer.dataStart == demoStart.adding(Nanos.second))
    let headline = Self.latencyHeadline(player)
    #expect(!headline.contains("—") && headline.contains("worst p99"), "\(headline)")
    // The same screen as a replay played straight there.
    var straight = Self.player(file)
    straight.paused = true
    straight.seek(to: demoStart.adding(Nanos.second))
    player.paused = true
    #expect(Self.screen(player) == Self.screen(straight))
  }

  /// A recording that opens with history older than the window (the demo's catch-up): `g`
  /// goes on from the first input to the first one that brings data into the window.
  @Test func goingToTheStartPassesOpeningHistoryOlderThanTheWindow() throws {
    let (file, path) = try Self.recorded("old-history", seconds: 90)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let scenario = DemoScenario(seed: 42)
    let old = (0..<5).flatMap { s in
      scenario.events(second: s).map {
        DemoFormatter.line($0, start: demoStart.adding(-8 * Nanos.minute), format: .json)
      }
    }
    var records = Array(file.records)
    let first = try #require(records.firstIndex { $0.kind == .input })
    let history = FeedInput(
      feed: FeedID(0), arrival: demoStart.adding(500 * Nanos.millisecond), seq: 1,
      payload: .records(batch(old), .json))
    records.insert(.input(history), at: first)
    var player = Self.player(RecordingFile(header: file.header, records: records))
    #expect(player.replayer.dataStart == demoStart.adding(500 * Nanos.millisecond))
    player.seek(to: demoStart.adding(60 * Nanos.second))
    #expect(press(&player, .character("g")))
    #expect(player.time == demoStart.adding(Nanos.second))
    let headline = Self.latencyHeadline(player)
    #expect(!headline.contains("—") && headline.contains("worst p99"), "\(headline)")
    // At the first input the panels had only the old history.
    var early = Self.player(RecordingFile(header: file.header, records: records))
    early.seek(to: early.replayer.dataStart)
    #expect(Self.latencyHeadline(early).contains("— worst p99"))
  }

  /// A loop that lags applies a tick before inputs that arrived (and were stamped) before it:
  /// the recording has a tick stamped 40 s in ahead of inputs stamped 1 s to 10 s in. The
  /// player held every later record until its clock passed 40 s, so for 40 s the panels read
  /// "no data in the last 5m" though the recording had data then. At 10 s in, the inputs
  /// stamped up to then are in.
  @Test func inputsStampedBeforeALaggingTickAreInWhenTheClockPassesThem() throws {
    let (file, path) = try Self.recorded("lag", seconds: 60)
    defer { try? FileManager.default.removeItem(atPath: path) }
    var records = Array(file.records)
    let first = try #require(records.firstIndex { $0.kind == .tick })
    records.insert(.tick(demoStart.adding(40 * Nanos.second)), at: first + 1)
    var player = Self.player(RecordingFile(header: file.header, records: records))
    player.paused = true
    player.seek(to: demoStart.adding(10 * Nanos.second))
    let headline = Self.latencyHeadline(player)
    #expect(!headline.contains("—") && headline.contains("worst p99"), "\(headline)")
    // Played rather than sought: the same.
    var played = Self.player(RecordingFile(header: file.header, records: records))
    played.advance(byWall: 10 * Nanos.second)
    #expect(Self.latencyHeadline(played) == headline)
    // Every record still plays, in the file's order: the transitions are the recording's.
    played.advance(byWall: 10 * Nanos.minute)
    #expect(played.replayer.atEnd)
  }
}

extension RecordingEntry {
  /// The record moved by `d` (inputs' arrival, ticks, transitions, marks, the end).
  fileprivate func shifted(by d: Int64) -> RecordingEntry {
    switch self {
    case .input(var input):
      input.arrival = input.arrival.adding(d)
      return .input(input)
    case .tick(let t): return .tick(t.adding(d))
    case .end(let t, let why): return .end(t.adding(d), why)
    default: return self
    }
  }
}
