import Foundation
import Testing

@testable import VigilCore

/// Drives a real FileTailSource against a real directory and collects what reaches the inbox.
@Suite(.serialized) struct FileTailSourceTests {
  final class Harness: @unchecked Sendable {
    // Safe: the tests only read `inbox` from one thread; the source thread only calls send.
    let dir: URL
    let path: String
    let inbox = MessageInbox(clock: SystemClock())
    let stop = StopFlag()
    var lines: [String] = []
    var events: [FeedEvent] = []
    var lineNumbers: [Int] = []

    init(name: String = "feed.jsonl", createFile: Bool = true) throws {
      dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "vigil-tail-\(UInt64.random(in: 0...UInt64.max))")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      path = dir.appendingPathComponent(name).path
      if createFile { _ = FileManager.default.createFile(atPath: path, contents: Data()) }
      let spec = FeedSpec(id: FeedID(0), kind: .file, target: path, format: .json)
      let source = FileTailSource(spec: spec, pollInterval: 5 * Nanos.millisecond)
      source.start(inbox: inbox, stop: stop)
    }

    func append(_ text: String, to p: String? = nil) throws {
      let h = try FileHandle(forWritingTo: URL(fileURLWithPath: p ?? path))
      try h.seekToEnd()
      try h.write(contentsOf: Data(text.utf8))
      try h.close()
    }

    /// Collects inputs until `predicate` holds or two seconds pass.
    func collect(until predicate: (Harness) -> Bool) {
      let deadline = Date().addingTimeInterval(2)
      while Date() < deadline {
        for input in inbox.drain() {
          switch input.payload {
          case .records(let batch, _):
            for i in 0..<batch.count {
              lines.append(String(decoding: batch.record(i), as: UTF8.self))
              lineNumbers.append(batch.lines[i])
            }
          case .event(let e): events.append(e)
          }
        }
        if predicate(self) { return }
        usleep(2000)
      }
    }

    deinit {
      stop.stop()
      inbox.close()
      try? FileManager.default.removeItem(at: dir)
    }
  }

  @Test func followsAppendsAndHoldsPartialLines() throws {
    let h = try Harness()
    try h.append("a1\na2\npart")
    h.collect { $0.lines.count >= 2 }
    #expect(h.lines == ["a1", "a2"])
    try h.append("ial\n")
    h.collect { $0.lines.count >= 3 }
    #expect(h.lines == ["a1", "a2", "partial"])
    #expect(h.lineNumbers == [1, 2, 3])
    #expect(h.events.filter { $0 == .caughtUp }.count == 1, "caught up once, at the first end")
  }

  @Test func truncationRestartsFromTheBeginning() throws {
    let h = try Harness()
    try h.append("one\ntwo\nthree\n")
    h.collect { $0.lines.count >= 3 }
    try FileHandle(forWritingTo: URL(fileURLWithPath: h.path)).truncate(atOffset: 0)
    h.collect { $0.events.contains(.truncated) }
    try h.append("four\n")
    h.collect { $0.lines.count >= 4 }
    #expect(h.lines == ["one", "two", "three", "four"])
    #expect(h.events.contains(.truncated))
    #expect(h.lineNumbers.last == 1)
  }

  @Test func rotationFinishesTheOldFileThenOpensTheNewOne() throws {
    let h = try Harness()
    try h.append("old1\n")
    h.collect { $0.lines.count >= 1 }
    let rotated = h.path + ".1"
    try FileManager.default.moveItem(atPath: h.path, toPath: rotated)
    // Written to the old file after the rename but before the switch: must not be lost.
    try h.append("old2\nold-unterminated", to: rotated)
    _ = FileManager.default.createFile(atPath: h.path, contents: Data("new1\n".utf8))
    h.collect { $0.lines.count >= 4 }
    #expect(h.lines == ["old1", "old2", "old-unterminated", "new1"])
    #expect(h.events.contains(.rotated))
  }

  @Test func waitsForAFileThatAppearsLater() throws {
    let h = try Harness(createFile: false)
    h.collect { !$0.events.isEmpty }
    #expect(h.events.first.map { if case .waiting = $0 { true } else { false } } == true)
    _ = FileManager.default.createFile(atPath: h.path, contents: Data("late\n".utf8))
    h.collect { $0.lines.count >= 1 }
    #expect(h.lines == ["late"])
  }

  @Test func deletedFileIsReportedAndANewOneIsPickedUp() throws {
    let h = try Harness()
    try h.append("x\n")
    h.collect { $0.lines.count >= 1 }
    try FileManager.default.removeItem(atPath: h.path)
    h.collect { $0.events.contains(.deleted) }
    #expect(h.events.contains(.deleted))
    _ = FileManager.default.createFile(atPath: h.path, contents: Data("y\n".utf8))
    h.collect { $0.lines.count >= 2 }
    #expect(h.lines == ["x", "y"])
  }

  @Test func overlongLinesAreSkippedAndCounted() throws {
    let h = try Harness()
    try h.append("ok\n" + String(repeating: "z", count: 70_000) + "\nafter\n")
    var oversized: [Int] = []
    let deadline = Date().addingTimeInterval(2)
    while Date() < deadline && (h.lines.count < 2 || oversized.isEmpty) {
      for input in h.inbox.drain() {
        if case .records(let b, _) = input.payload {
          oversized += b.oversized
          for i in 0..<b.count { h.lines.append(String(decoding: b.record(i), as: UTF8.self)) }
        }
      }
      usleep(2000)
    }
    #expect(h.lines == ["ok", "after"])
    #expect(oversized == [2])
  }
}
