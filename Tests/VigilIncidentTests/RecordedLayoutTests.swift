import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilIncident

/// A recording carries the layout in force: in its header, and read back with it.
@Suite struct RecordedLayoutTests {
  /// The repository's `layouts/` folder, found from this file.
  static var layoutsDirectory: URL {
    var url = URL(fileURLWithPath: #filePath)
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
    {
      url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("layouts")
  }

  @Test func aRecordingHeaderCarriesTheLayout() throws {
    var header = RecordingHeader(
      start: Timestamp.seconds(100), clockMode: .wall, windows: WindowsConfig(),
      signals: SignalNames(), feeds: [], rulesYAML: "rules: []\n", rulesPath: nil)
    #expect(header.layout == nil)
    let old = try RecordingHeader(json: header.json)
    #expect(old.layoutYAML == nil && old.layout == nil, "older recordings: the default")
    let text = try String(
      contentsOf: Self.layoutsDirectory.appendingPathComponent("sre-compact.yaml"), encoding: .utf8)
    header.layoutYAML = text
    header.layoutPath = "my.yaml"
    let back = try RecordingHeader(json: header.json)
    #expect(back == header)
    #expect(back.layout?.name == "sre-compact")
  }

  @Test func aRecordingStartsWithTheLayoutInForce() throws {
    let text = "title: mine\npanels: {a: {metric: x}}\ngrid: [[a]]\n"
    var state = freshState()
    state.config.layoutText = text
    state.config.layoutPath = "mine.yaml"
    let path = NSTemporaryDirectory() + "vigil-layout-rec-\(getpid()).jsonl"
    defer { unlink(path) }
    let recorder = try Recorder(path: path, state: state, rulesYAML: "rules: []\n")
    recorder.finish(at: state.now, reason: "quit")
    let file = try RecordingFile.load(path: path)
    #expect(file.header.layoutYAML == text && file.header.layoutPath == "mine.yaml")
    #expect(file.header.layout?.title == "mine")
    // The default layout leaves the header as it was.
    let plain = NSTemporaryDirectory() + "vigil-layout-rec-plain-\(getpid()).jsonl"
    defer { unlink(plain) }
    let r2 = try Recorder(path: plain, state: freshState(), rulesYAML: "rules: []\n")
    r2.finish(at: state.now, reason: "quit")
    #expect(try RecordingFile.load(path: plain).header.layoutYAML == nil)
  }
}
