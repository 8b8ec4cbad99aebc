import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilIncident

/// A recording carries the config file in force, so replay and reports pair events, fold series
/// and rank suspects as the live dashboard did.
@Suite struct RecordedConfigTests {
  static let text = """
    pairs:
      - name: fulfilment
        start: {metric: order_event, select: {type: packed}}
        end: {metric: order_event, select: {type: shipped}}
        key: order_id
        timeout: 2h
    components:
      series:
        - {metric: queue_depth, select: {queue: orders}, name: oms}
      feeds:
        erp: [oms-erp, oms]
    """

  @Test func replayTakesPairsAndComponentsFromTheRecordedConfig() throws {
    let file = try ConfigLoader.parse(Self.text, file: "vigil.yaml").get()
    var state = freshState()
    state.config.series = file.series
    state.config.components = file.components
    state.config.configText = Self.text
    state.config.configPath = "vigil.yaml"
    let path = NSTemporaryDirectory() + "vigil-config-rec-\(getpid()).jsonl"
    defer { unlink(path) }
    let recorder = try Recorder(path: path, state: state, rulesYAML: "rules: []\n")
    recorder.finish(at: state.now, reason: "quit")
    let recording = try RecordingFile.load(path: path)
    #expect(recording.header.configYAML == Self.text)
    #expect(recording.header.configPath == "vigil.yaml")
    let replay = Replayer(file: recording)
    #expect(replay.state.engine.pairs.specs.map(\.name) == ["fulfilment"])
    #expect(replay.state.config.components == file.components)
    #expect(replay.state.config.components != ComponentsConfig())
  }

  @Test func aRecordingWithoutAConfigReplaysWithTheDefaults() throws {
    var header = RecordingHeader(
      start: Timestamp.seconds(100), clockMode: .wall, windows: WindowsConfig(),
      signals: SignalNames(), feeds: [], rulesYAML: "rules: []\n", rulesPath: nil)
    let old = try RecordingHeader(json: header.json)
    #expect(old.configYAML == nil && !header.json.text.contains("config_yaml"))
    let plainHash = header.configHash
    header.configYAML = Self.text
    #expect(try RecordingHeader(json: header.json) == header)
    // The config file is part of the configuration a recording's hash stands for.
    #expect(header.configHash != plainHash)
  }
}
