import Foundation
import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilDemo

/// The committed sample feeds are what the seeded generator makes, and they parse cleanly.
@Suite struct SampleFeedTests {
  static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample-feeds")

  static let files: [(String, FeedFormat)] = [
    ("incident.jsonl", .json), ("incident.csv", .csv), ("incident.logfmt", .logfmt),
    ("incident.influx", .influx),
  ]

  /// When the committed files arrive: after their last line was written (in event time a
  /// line stamped after its own arrival is from the future, and refused).
  let written = demoStart.adding(10 * Nanos.minute)

  /// Feeds a whole file through the app's ingest path in one batch per 64 KiB.
  func ingest(_ text: String, format: FeedFormat) -> AppState {
    var config = AppConfig()
    config.clockMode = .event
    var state = AppState(
      config: config, feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "f", format: format)],
      now: demoStart)
    var pump = RecordPump(format: format)
    var batch = RecordBatch()
    var bytes = Array(text.utf8)
    bytes.withUnsafeBytes { pump.push($0, into: &batch) }
    pump.finish(into: &batch)
    _ = update(
      &state,
      .feed(
        FeedInput(feed: FeedID(0), arrival: written, seq: 1, payload: .records(batch, format))))
    bytes.removeAll()
    return state
  }

  @Test(arguments: files)
  func committedFileMatchesTheGenerator(name: String, format: FeedFormat) throws {
    let committed = try String(contentsOf: Self.dir.appendingPathComponent(name), encoding: .utf8)
    let generated = DemoFormatter.text(
      DemoScenario(seed: 42, rateScale: 0.05), from: 300, seconds: 120, start: demoStart,
      format: format)
    #expect(committed == generated, "run sample-feeds/regenerate.sh")
  }

  @Test func everyFormatParsesCleanlyToTheSameSeries() throws {
    var keys: [[SeriesKey]] = []
    var samples: [UInt64] = []
    for (name, format) in Self.files {
      let text = try String(contentsOf: Self.dir.appendingPathComponent(name), encoding: .utf8)
      let state = ingest(text, format: format)
      #expect(state.totalRejected == 0, "\(name): \(state.issues.prefix(3))")
      keys.append(state.engine.interner.allKeys.sorted())
      samples.append(state.feeds[0].samples)
    }
    #expect(keys[0].count >= 15)
    #expect(keys.allSatisfy { $0 == keys[0] })
    #expect(samples.allSatisfy { $0 == samples[0] && $0 > 1000 })
  }

  @Test func badLinesFileRejectsEachLineForItsDocumentedReason() throws {
    let data = try Data(contentsOf: Self.dir.appendingPathComponent("bad-lines.jsonl"))
    var config = AppConfig()
    config.clockMode = .event
    var state = AppState(
      config: config,
      feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "bad-lines.jsonl", format: .json)],
      now: demoStart)
    var pump = RecordPump(format: .json)
    var batch = RecordBatch()
    data.withUnsafeBytes { pump.push($0, into: &batch) }
    pump.finish(into: &batch)
    _ = update(
      &state,
      .feed(FeedInput(feed: FeedID(0), arrival: written, seq: 1, payload: .records(batch, .json)))
    )
    let byLine = Dictionary(
      uniqueKeysWithValues: state.issues.map { ($0.issue.line, $0.issue.reason) })
    #expect(byLine[2] == .malformed)  // bare NaN is not JSON
    #expect(byLine[3] == .nonFinite)
    #expect(byLine[4] == .negativeDuration)
    #expect(byLine[5] == .badTimestamp)  // no offset
    #expect(byLine[6] == .badValue)
    #expect(byLine[7] == .missingMetric)
    #expect(byLine[8] == .malformed)
    #expect(byLine[9] == .malformed)
    #expect(byLine[11] == .invalidUTF8)
    #expect(state.feeds[0].samples == 3)
    #expect(
      state.issues.allSatisfy { !$0.issue.excerpt.unicodeScalars.contains { $0.value < 0x20 } })
  }
}
