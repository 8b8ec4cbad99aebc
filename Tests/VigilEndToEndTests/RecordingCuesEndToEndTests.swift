import Foundation
import Testing
import VigilTestSupport

/// Issue 15, item 9, while recording, in a real terminal at 80x24.
@Suite(.serialized) struct RecordingCuesEndToEndTests {
  static let prompt = Tmux.prompt.trimmingCharacters(in: .whitespaces)

  /// `REC` and the file's name in the title bar while `--record` runs; on quit, after the
  /// terminal is given back, a line saying how many records went to which file.
  @Test func recordingSaysRECAndWhereTheFileWent() throws {
    let dir = "/tmp/vcues-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let rec = dir + "/live.incident.jsonl"
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("clear; \(vigilBinary()) --speed 60 --demo-history 0s --record \(rec)")
    // The name while the title has room (before alerts fire), then `REC` all along.
    let named = tmux.waitFor(timeout: 30) {
      $0.first?.contains(" REC live.incident.jsonl") == true
    }
    #expect(named != nil, "\(tmux.screen().joined(separator: "\n"))")
    let later = tmux.waitFor(timeout: 60) { s in
      s.first?.contains(" REC ") == true && s.first?.contains("minute 3") == true
    }
    #expect(later != nil, "\(tmux.screen().joined(separator: "\n"))")
    try tmux.keys("q")
    let said = tmux.waitFor(timeout: 15) { s in
      s.contains { $0.hasPrefix("vigil: recorded ") } && s.last { !$0.isEmpty } == Self.prompt
    }
    let line = said?.first { $0.hasPrefix("vigil: recorded ") } ?? ""
    #expect(line.hasSuffix(" records to \(rec)"), "\(tmux.screen().joined(separator: "\n"))")
    // The count is the file's: every line after the header.
    let lines = (try? String(contentsOfFile: rec, encoding: .utf8))?.split(separator: "\n") ?? []
    #expect(lines.count > 10)
    #expect(line.hasPrefix("vigil: recorded \(lines.count - 1) records"), "\(line)")
  }

  /// A demo recording begins with its catch-up history; the player opens where `g` goes, with
  /// the panels as the dashboard first showed them (it opened on STALE 8m, empty panels).
  @Test func aReplayOpensWhereTheDataIs() throws {
    let dir = "/tmp/vopen-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let rec = dir + "/demo.incident.jsonl"
    let tmux = try Tmux(width: 80, height: 24)
    try tmux.type("clear; \(vigilBinary()) --speed 20 --record \(rec)")
    #expect(tmux.waitForText([" REC ", "minute 4"], timeout: 60) != nil, "\(tmux.screen())")
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 15) { $0.last { !$0.isEmpty } == Self.prompt } != nil)
    try tmux.type("clear; \(vigilBinary()) replay \(rec)")
    let first = tmux.waitForText(["]/[ alerts"], timeout: 30)
    let screen = first?.joined(separator: "\n") ?? tmux.screen().joined(separator: "\n")
    #expect(first != nil && !screen.contains("STALE"), "\(screen)")
    #expect(screen.contains("worst p99") && !screen.contains("— worst p99"), "\(screen)")
    try tmux.keys("q")
  }
}
