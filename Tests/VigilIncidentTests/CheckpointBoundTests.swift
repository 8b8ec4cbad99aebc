import Testing
import VigilApp
import VigilCore
import VigilIncident
import VigilRender

/// Checkpoints of long recordings: at most ``Replayer/maxCheckpoints`` of them (a 6-hour
/// recording gets one every 3 minutes), and a seek still lands on the state a straight play
/// reaches.
@Suite struct CheckpointBoundTests {
  static let start = Timestamp(nanoseconds: 1_795_687_200 * Nanos.second)

  /// `hours` of one checkout latency point every 10 s (slow in the second hour), on the event
  /// clock, each followed by a tick.
  static func recording(hours: Int) -> RecordingFile {
    var records: [RecordingEntry] = []
    for k in 0..<(hours * 360) {
      let t = start.adding(Int64(k) * 10 * Nanos.second)
      let slow = (360..<720).contains(k)
      let line = PromSampleLines.line(
        metric: "checkout_latency_ms", labels: LabelSet([("stage", "total")]),
        point: PromPoint(time: t, value: slow ? 5000 : 800 + Double(k % 50)))
      var batch = RecordBatch()
      line.withUnsafeBytes { batch.append($0, line: k + 1) }
      records.append(
        .input(
          FeedInput(feed: FeedID(0), arrival: t, seq: UInt64(k), payload: .records(batch, .json))))
      records.append(.tick(t))
    }
    let header = RecordingHeader(
      start: start, clockMode: .event, windows: WindowsConfig(), signals: SignalNames(),
      feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "checkout.jsonl")],
      rulesYAML: DefaultRules.yaml(only: ["checkout_latency_ms"]), rulesPath: nil)
    return RecordingFile(header: header, records: records)
  }

  @Test func theIntervalGrowsPastTwoHours() {
    #expect(Replayer.checkpointInterval(span: 30 * Nanos.minute) == 60 * Nanos.second)
    #expect(Replayer.checkpointInterval(span: 2 * Nanos.hour) == 60 * Nanos.second)
    #expect(Replayer.checkpointInterval(span: 6 * Nanos.hour) == 3 * Nanos.minute)
    #expect(Replayer.checkpointInterval(span: -5) == 60 * Nanos.second)
  }

  @Test func aSixHourRecordingKeepsAtMostTheMaximum() {
    let file = Self.recording(hours: 6)
    var replayer = Replayer(file: file)
    // 6 hours less the last 10 s, over 120 checkpoints: about 3 minutes apart.
    #expect(replayer.checkpointInterval == Replayer.checkpointInterval(span: 21_590 * Nanos.second))
    #expect(replayer.checkpointInterval > 179 * Nanos.second)
    replayer.playToEnd()
    // About the maximum: a checkpoint is taken at the first record a full interval after the
    // last one's clock, so they come a record (10 s) early and a few more fit.
    let most = Int(Replayer.maxCheckpoints)
    #expect(
      (most - 5...most * 11 / 10).contains(replayer.checkpointCount), "\(replayer.checkpointCount)")

    // Seeks back and forth land where a straight play does: same screen, same alerts.
    var screen = ScreenBuffer(size: Size(width: 80, height: 24))
    func look(_ r: Replayer) -> [String] {
      var s = r.state
      s.ui.size = Size(width: 80, height: 24)
      renderApp(s, into: &screen, glyphs: .unicode)
      return screen.lines()
    }
    for minutes in [75, 20, 200, 5, 359] {
      let t = Self.start.adding(Int64(minutes) * Nanos.minute)
      replayer.seek(to: t)
      var straight = Replayer(file: file)
      straight.keepsCheckpoints = false
      straight.play(until: t)
      #expect(look(replayer) == look(straight), "at minute \(minutes)")
      #expect(
        replayer.state.alertHistory.transitionsTotal == straight.state.alertHistory.transitionsTotal
      )
    }
  }
}
