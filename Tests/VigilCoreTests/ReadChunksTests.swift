import Foundation
import Testing
import VigilCore

/// `readChunks`: how `vigil check` and `vigil lint-feed` read a whole feed.
@Suite struct ReadChunksTests {
  @Test func readChunksHandsOverTheWholeFileInChunks() throws {
    let path = NSTemporaryDirectory() + "vigil-chunks-\(getpid()).txt"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    var seen: [UInt8] = []
    var sizes: [Int] = []
    let problem = readChunks(path, chunkSize: 4096) { chunk in
      seen.append(contentsOf: chunk)
      sizes.append(chunk.count)
    }
    #expect(problem == nil)
    #expect(seen == bytes)
    #expect(sizes.allSatisfy { $0 > 0 && $0 <= 4096 } && sizes.count >= 3)
    var calls = 0
    #expect(readChunks("/nonexistent/vigil") { _ in calls += 1 } == "No such file or directory")
    #expect(calls == 0)
    let empty = NSTemporaryDirectory() + "vigil-chunks-empty-\(getpid()).txt"
    defer { try? FileManager.default.removeItem(atPath: empty) }
    #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
    #expect(readChunks(empty) { _ in calls += 1 } == nil && calls == 0)
  }
}
