import Foundation
import Testing
import VigilApp
import VigilCore
import VigilIncident

/// The recording header's `config_hash`: the same configuration gives the same hash whatever
/// else differs, another configuration another hash, and an edited header is detectable.
@Suite struct ConfigHashTests {
  static func header(rules: String = DefaultRules.yaml(), start: Int64 = 0, title: String? = nil)
    -> RecordingHeader
  {
    RecordingHeader(
      start: Timestamp(nanoseconds: start), clockMode: .event, windows: WindowsConfig(),
      signals: SignalNames(),
      feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "/var/log/app.jsonl")],
      rulesYAML: rules, rulesPath: nil, title: title)
  }

  @Test func sameConfigurationSameHash() {
    let a = Self.header()
    #expect(a.configHash.hasPrefix("fnv1a64:") && a.configHash.count == 8 + 16)
    #expect(Self.header(start: 5_000, title: "other day").configHash == a.configHash)
    #expect(Self.header(rules: DefaultRules.yaml() + "# tuned\n").configHash != a.configHash)
    var renamed = Self.header()
    renamed.feeds[0].target = "/var/log/other.jsonl"
    #expect(renamed.configHash != a.configHash)
  }

  @Test func theHashIsWrittenAndReadBack() throws {
    let h = Self.header()
    let text = h.json.text
    #expect(text.contains("\"config_hash\":\"\(h.configHash)\""))
    let read = try RecordingHeader(json: JSONValue.parse(text))
    #expect(read.recordedConfigHash == h.configHash)
    #expect(read.configHash == h.configHash)
    // Someone edits the rules in the header: the recorded hash no longer matches.
    let edited = text.replacingOccurrences(of: "threshold: 1500", with: "threshold: 9999")
    #expect(edited != text)
    let tampered = try RecordingHeader(json: JSONValue.parse(edited))
    #expect(tampered.recordedConfigHash == h.configHash)
    #expect(tampered.configHash != h.configHash)
  }
}
