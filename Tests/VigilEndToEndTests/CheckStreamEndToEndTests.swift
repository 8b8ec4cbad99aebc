import Foundation
import Testing
import VigilTestSupport

/// `vigil check` streaming: standard input like a file, late lines counted and refused as the
/// dashboard refuses them, the lateness flag.
@Suite(.serialized) struct CheckStreamEndToEndTests {
  static let feed: String = {
    let path = "/tmp/vigil-check-stream-e2e-\(getpid()).jsonl"
    let r = spawnAndWait([vigilBinary(), "generate", "--duration", "10m", "--rate-scale", "0.2"])
    try? r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }()

  @Test func standardInputPrintsWhatTheFilePrints() throws {
    let (status, out, err) = try runVigil(["check", "--stats", "1m", Self.feed])
    #expect(status == 0, "\(err)")
    #expect(out.split(separator: "\n").count >= 10)
    let text = try String(contentsOfFile: Self.feed, encoding: .utf8)
    let (piped, pipedOut, pipedErr) = try runVigil(["check", "--stats", "1m", "-"], stdin: text)
    #expect(piped == 0, "\(pipedErr)")
    #expect(pipedOut == out)
    #expect(pipedErr == err)
  }

  @Test func lateLinesAreCountedAndTheTooOldOnesRefusedWithTheirLine() throws {
    var lines = try String(contentsOfFile: Self.feed, encoding: .utf8).split(separator: "\n")
      .map(String.init)
    // Ten minutes in, a line from the first minute, another from five minutes before.
    let old =
      #"{"ts":"2026-11-26T09:40:00Z","metric":"api_latency_ms","value":5,"labels":{"service":"edge"}}"#
    let recent =
      #"{"ts":"2026-11-26T10:05:00Z","metric":"api_latency_ms","value":5,"labels":{"service":"edge"}}"#
    lines += [old, recent]
    let path = "/tmp/vigil-check-late-\(getpid()).jsonl"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try (lines.joined(separator: "\n") + "\n").write(
      toFile: path, atomically: true, encoding: .utf8)
    let name = (path as NSString).lastPathComponent
    let (status, _, err) = try runVigil(["check", path])
    #expect(status == 0, "\(err)")
    #expect(err.contains("2 late (more than 1m out of order)"), "\(err)")
    #expect(err.contains("1 rejected (timestamp too old 1)"), "\(err)")
    #expect(
      err.contains("rejected \(name):\(lines.count - 1): timestamp too old: timestamp "), "\(err)")
    // Lateness enough for both: neither is late (the older one lands first, in time order).
    let (_, _, relaxed) = try runVigil(["check", "--max-lateness", "30m", path])
    #expect(!relaxed.contains("out of order") && relaxed.contains("0 rejected"), "\(relaxed)")
  }

  @Test func badOrderingFlagsAreUsageErrors() throws {
    let (status, _, err) = try runVigil(["check", "--max-lateness", "soon", Self.feed])
    #expect(status == 64)
    #expect(err.contains("--max-lateness"), "\(err)")
    let (limit, _, limitErr) = try runVigil(["check", "--reorder-limit", "0", Self.feed])
    #expect(limit == 64)
    #expect(limitErr.contains("--reorder-limit"), "\(limitErr)")
  }
}
