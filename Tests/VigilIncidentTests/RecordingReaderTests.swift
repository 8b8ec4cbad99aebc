import Foundation
import Testing
import VigilAppTestSupport
import VigilCore
import VigilTestSupport

@testable import VigilApp
@testable import VigilIncident

/// The recording reader: an index of the file decoded on demand, gzip read as a stream and
/// written with a sync flush each second (D-replaymem).
@Suite struct RecordingReaderTests {
  static func tempPath(_ name: String) -> String {
    "/tmp/vigil-reader-\(getpid())-\(name).incident.jsonl"
  }

  static func bytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// The whole-file parse the reader replaced (every record decoded into memory), kept here
  /// as the reference the index must agree with.
  struct Reference {
    var records: [RecordingEntry] = []
    var warnings: [String] = []
    var endedCleanly = false
    var unknownRecords = 0
  }

  static func reference(_ bytes: [UInt8]) -> Reference? {
    var out = Reference()
    var header: RecordingHeader?
    var lineStart = 0
    var lineNumber = 0
    while lineStart < bytes.count {
      lineNumber += 1
      var end = lineStart
      while end < bytes.count && bytes[end] != 0x0A { end += 1 }
      let complete = end < bytes.count
      let line = Array(bytes[lineStart..<end])
      defer { lineStart = end + 1 }
      guard let h = header else {
        guard let v = line.withUnsafeBytes({ try? JSONValue.parse($0) }),
          let h = try? RecordingHeader(json: v)
        else { return nil }
        header = h
        if h.appVersion != vigilVersion {
          out.warnings.append(
            "recorded with Vigil \(h.appVersion), replayed with \(vigilVersion): "
              + "alert transitions may differ")
        }
        continue
      }
      _ = h
      guard !line.isEmpty || complete else { break }
      if !complete {
        let at = out.records.last.map { " at " + CivilTime($0.time).rfc3339(fractionDigits: 3) }
        out.warnings.append(
          "the recording is cut off at byte \(lineStart) (line \(lineNumber) is incomplete): "
            + "replaying up to the last complete record" + (at ?? ""))
        break
      }
      do {
        let value = try line.withUnsafeBytes { try JSONValue.parse($0) }
        if let record = try RecordingEntry(json: value) {
          if case .end = record { out.endedCleanly = true }
          out.records.append(record)
        } else {
          out.unknownRecords += 1
        }
      } catch {
        out.warnings.append(
          "the recording is damaged at line \(lineNumber) (byte \(lineStart)): \(error); "
            + "replaying the \(out.records.count) records before it")
        break
      }
    }
    guard header != nil else { return nil }
    if !out.endedCleanly
      && out.warnings.allSatisfy({ !$0.contains("cut off") && !$0.contains("damaged") })
    {
      out.warnings.append(
        "the recording has no end record (Vigil was killed or the disk filled): "
          + "replaying up to its last record")
    }
    if out.unknownRecords > 0 {
      out.warnings.append("\(out.unknownRecords) records of unknown kinds were skipped")
    }
    return out
  }

  func expectSame(_ file: RecordingFile, _ ref: Reference, _ what: String) {
    #expect(file.records.isIndexed)
    #expect(file.records.count == ref.records.count, "\(what)")
    #expect(Array(file.records) == ref.records, "\(what)")
    for i in file.records.indices where i < ref.records.count {
      #expect(file.records.time(at: i) == ref.records[i].time)
      #expect(file.records.kind(at: i) == ref.records[i].kind)
    }
    #expect(file.warnings == ref.warnings, "\(what)")
    #expect(file.endedCleanly == ref.endedCleanly, "\(what)")
    #expect(file.unknownRecords == ref.unknownRecords, "\(what)")
  }

  // MARK: The index against the whole-file parse

  /// Whole, cut at random points, with a damaged line, and with unknown records: the index
  /// gives the records, warnings and flags the whole-file parse gave, read from the file and
  /// from memory.
  @Test func theIndexReadsWhatTheWholeFileParseRead() throws {
    let path = Self.tempPath("index")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try RecordingTests.recordDemo(path: path, seconds: 240, ackAt: 200)
    let whole = try Self.bytes(path)
    let ref = try #require(Self.reference(whole))
    #expect(ref.records.count > 1000)
    expectSame(try RecordingFile.load(path: path), ref, "file")
    expectSame(try RecordingFile.parse(whole, name: "whole"), ref, "memory")

    var rng = SplitMix64(seed: 11)
    let header = whole.firstIndex(of: 0x0A)! + 1
    for _ in 0..<12 {
      let cut = header + Int(rng.next() % UInt64(whole.count - header))
      let bytes = Array(whole[0..<cut])
      let r = try #require(Self.reference(bytes))
      expectSame(try RecordingFile.parse(bytes, name: "cut"), r, "cut at \(cut)")
    }
    var lines = whole.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    lines[300] = Array("{\"k\":\"tick\",\"t\":\"soon\"}".utf8)
    lines.insert(Array("{\"k\":\"hologram\",\"t\":5}".utf8), at: 20)
    let damaged = Array(lines.joined(separator: [0x0A]))
    let d = try #require(Self.reference(damaged))
    #expect(d.warnings.contains { $0.contains("damaged at line 302") })
    expectSame(try RecordingFile.parse(damaged, name: "damaged"), d, "damaged")
  }

  // MARK: gzip

  /// `--record x.gz` writes gzip that reads back as the same records as the plain file of the
  /// same run, several times smaller, and replays with every transition identical.
  @Test func gzipRoundTrip() throws {
    let plain = Self.tempPath("plain")
    let gz = Self.tempPath("gz") + ".gz"
    defer {
      try? FileManager.default.removeItem(atPath: plain)
      try? FileManager.default.removeItem(atPath: gz)
    }
    try RecordingTests.recordDemo(path: plain, seconds: 300, ackAt: 250)
    try RecordingTests.recordDemo(path: gz, seconds: 300, ackAt: 250)
    let compressed = try Self.bytes(gz)
    #expect(compressed.starts(with: [0x1F, 0x8B]))
    #expect(compressed.count * 4 < (try Self.bytes(plain)).count)
    let a = try RecordingFile.load(path: plain)
    let b = try RecordingFile.load(path: gz)
    #expect(b.warnings.isEmpty, "\(b.warnings)")
    #expect(b.endedCleanly)
    #expect(b.header == a.header)
    #expect(Array(b.records) == Array(a.records))
    var replayer = Replayer(file: b)
    replayer.playToEnd()
    #expect(replayer.mismatchCount == 0)
    #expect(replayer.compared > 0)
    // Concatenated gzip members (`cat a.gz b.gz`) are one text: here the header and the rest.
    let text = try Self.bytes(plain)
    let nl = text.firstIndex(of: 0x0A)! + 1
    let two =
      (Deflater()!.compress(Array(text[..<nl]), finish: true) ?? [])
      + (Deflater()!.compress(Array(text[nl...]), finish: true) ?? [])
    #expect(Array(try RecordingFile.parse(two, name: "two").records) == Array(a.records))
  }

  /// Reads anywhere, in any order, from access points a few KB apart: each record is the one
  /// the plain file has; seeking back and forth gives the straight replay's state.
  @Test func gzipRandomAccessFromAccessPoints() throws {
    let plain = Self.tempPath("ra-plain")
    let gz = Self.tempPath("ra") + ".gz"
    defer {
      try? FileManager.default.removeItem(atPath: plain)
      try? FileManager.default.removeItem(atPath: gz)
    }
    try RecordingTests.recordDemo(path: plain, seconds: 300)
    try RecordingTests.recordDemo(path: gz, seconds: 300)
    let expected = Array(try RecordingFile.load(path: plain).records)
    let source = try #require(StoredBytes(path: gz))
    let (file, _) = try RecordingFile.indexed(source, name: gz, spacing: 8 << 10)
    guard case .indexed(let index) = file.records.storage, case .gzip(let text) = index.texts[0]
    else {
      Issue.record("not an indexed gzip text")
      return
    }
    #expect(text.points.count > 20)
    var rng = SplitMix64(seed: 5)
    for _ in 0..<400 {
      let i = Int(rng.next() % UInt64(expected.count))
      #expect(file.records[i] == expected[i], "record \(i)")
    }
    var player = Player(replayer: Replayer(file: file))
    player.seek(to: demoStart.adding(4 * Nanos.minute))
    player.seek(to: demoStart.adding(90 * Nanos.second))
    var straight = Replayer(file: try RecordingFile.load(path: plain))
    straight.play(until: demoStart.adding(90 * Nanos.second))
    #expect(render(player.replayer.state).lines() == render(straight.state).lines())
    #expect(player.replayer.mismatches.isEmpty)
  }

  /// `kill -9` while recording gzip: the file has no trailer but everything flushed (once a
  /// second) decompresses; the message says the file is cut off and where its records end.
  @Test func aKilledGzipRecordingReplaysUpToItsLastFlush() throws {
    let gz = Self.tempPath("killed") + ".gz"
    let copy = gz + ".copy.gz"
    defer {
      try? FileManager.default.removeItem(atPath: gz)
      try? FileManager.default.removeItem(atPath: copy)
    }
    var state = freshState()
    let recorder = try Recorder(path: gz, state: state, rulesYAML: DefaultRules.yaml())
    for s in 0..<30 {
      let t = demoStart.adding(Int64(s) * Nanos.second)
      _ = update(&state, .tick(t), observer: recorder)
    }
    // The flush at 29 s wrote the ticks up to 29 s; the copy is what `kill -9` leaves.
    try FileManager.default.copyItem(atPath: gz, toPath: copy)
    recorder.finish(at: state.now, reason: "quit")
    let file = try RecordingFile.load(path: copy)
    #expect(!file.endedCleanly)
    #expect(file.records.last?.time == demoStart.adding(29 * Nanos.second))
    #expect(
      file.warnings.contains {
        $0.contains("cut off") && $0.contains("no gzip trailer")
          && $0.contains("at 2026-11-26T10:00:29.000Z")
      }, "\(file.warnings)")
    #expect(!file.warnings.contains { $0.contains("no end record") })
  }

  /// A gzip recording cut at random points: never a crash; a prefix of the records, with a
  /// message saying it is cut off (or, cut before its first line, a clear error).
  @Test func aCutGzipRecordingReplaysAPrefix() throws {
    let gz = Self.tempPath("cutgz") + ".gz"
    defer { try? FileManager.default.removeItem(atPath: gz) }
    try RecordingTests.recordDemo(path: gz, seconds: 120)
    let whole = try Self.bytes(gz)
    let all = Array(try RecordingFile.parse(whole, name: "whole").records)
    var rng = SplitMix64(seed: 3)
    var prefixes = 0
    for k in 0..<40 {
      let cut = k < 4 ? k * 7 + 1 : Int(rng.next() % UInt64(whole.count - 1)) + 1
      do {
        let file = try RecordingFile.parse(Array(whole[0..<cut]), name: "cut")
        let records = Array(file.records)
        #expect(records == Array(all.prefix(records.count)), "cut at \(cut)")
        #expect(
          file.warnings.contains { $0.contains("cut off") }, "cut at \(cut): \(file.warnings)")
        var replayer = Replayer(file: file)
        replayer.playToEnd()
        prefixes += 1
      } catch {
        #expect(error.message.contains("gzip") || error.message.contains("not a Vigil"), "\(error)")
      }
    }
    #expect(prefixes > 30)
  }

  /// Damaged compressed bytes: never a crash; the records before the damage, and a message.
  @Test func aCorruptedGzipRecordingSaysItIsDamaged() throws {
    let gz = Self.tempPath("corrupt") + ".gz"
    defer { try? FileManager.default.removeItem(atPath: gz) }
    try RecordingTests.recordDemo(path: gz, seconds: 120)
    let whole = try Self.bytes(gz)
    let all = Array(try RecordingFile.parse(whole, name: "whole").records)
    var rng = SplitMix64(seed: 9)
    var headerHits = 0
    for _ in 0..<30 {
      var bytes = whole
      let at = 200 + Int(rng.next() % UInt64(whole.count - 200))
      for k in at..<min(bytes.count, at + 4) { bytes[k] ^= 0x5A }
      let file: RecordingFile
      do {
        file = try RecordingFile.parse(bytes, name: "corrupt")
      } catch {
        // Damage inside the header's compressed bytes (it holds the whole rules text, a few
        // KB): no recording to replay, said so.
        #expect(error.message.contains("not a Vigil incident recording"), "at \(at): \(error)")
        headerHits += 1
        continue
      }
      #expect(file.records.count <= all.count)
      #expect(
        file.warnings.contains { $0.contains("damaged") || $0.contains("cut off") },
        "at \(at): \(file.warnings)")
      var replayer = Replayer(file: file)
      replayer.playToEnd()
    }
    #expect(headerHits < 10, "most damage lands after the header")
    // Bytes after a clean end that are not another gzip member.
    let trailing = try RecordingFile.parse(whole + Array("garbage".utf8), name: "trailing")
    #expect(trailing.records.count == all.count)
    #expect(trailing.warnings.contains { $0.contains("damaged at byte") }, "\(trailing.warnings)")
  }

  /// A black box writes gzip segments; an older box with a plain segment first still reads.
  @Test func aBlackBoxOfGzipSegments() throws {
    let dir = "/tmp/vigil-reader-blackbox-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try RecordingTests.recordDemo(
      to: .blackBox(directory: dir, keep: Nanos.hour, maxBytes: 1 << 30, segment: Nanos.minute),
      seconds: 200)
    let segments = BlackBox.segments(dir)
    #expect(segments.count == 4)
    for s in segments {
      #expect(s.path.hasSuffix(".incident.jsonl.gz"))
      #expect(try Self.bytes(s.path).starts(with: [0x1F, 0x8B]))
    }
    let before = try RecordingFile.load(path: dir)
    #expect(before.endedCleanly)
    // The first segment as an older Vigil wrote it: uncompressed.
    let stored = try #require(StoredBytes(path: segments[0].path))
    let reader = try #require(GzipReader(source: stored))
    var text: [UInt8] = []
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
    defer { chunk.deallocate() }
    while true {
      let n = reader.next(into: chunk)
      if n == 0 { break }
      text += UnsafeRawBufferPointer(rebasing: chunk[0..<n])
    }
    #expect(reader.status == .end)
    try Data(text).write(to: URL(fileURLWithPath: String(segments[0].path.dropLast(3))))
    try FileManager.default.removeItem(atPath: segments[0].path)
    let after = try RecordingFile.load(path: dir)
    #expect(Array(after.records) == Array(before.records))
    #expect(after.warnings == before.warnings)
    var replayer = Replayer(file: after)
    replayer.playToEnd()
    #expect(replayer.mismatchCount == 0)
  }

  /// A recording built in memory (as `vigil replay --prometheus` builds one) keeps its records.
  @Test func aRecordingInMemoryIsNotIndexed() {
    let h = RecordingHeader(
      start: demoStart, clockMode: .event, windows: WindowsConfig(), signals: SignalNames(),
      feeds: [], rulesYAML: "rules: []\n", rulesPath: nil)
    let records: [RecordingEntry] = (0..<1000).map { .tick(demoStart.adding(Int64($0))) }
    let file = RecordingFile(header: h, records: records)
    #expect(!file.records.isIndexed)
    #expect(Array(file.records) == records)
    #expect(file.records.time(at: 999) == demoStart.adding(999))
    #expect(file.records.kind(at: 5) == .tick)
  }
}
