import Foundation
import Synchronization
import Testing
import VigilCore
import VigilTestSupport

@testable import VigilNet

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The OTLP receiver's refusals, and the gzip reader's bound.
@Suite struct OTLPReceiverTests {
  /// POSTs `body` and returns the status and `Retry-After` (nil when there was no answer).
  static func post(_ url: String, _ body: [UInt8], type: String = "application/json") -> (
    Int, String?
  )? {
    guard let u = URL(string: url) else { return nil }
    var request = URLRequest(url: u)
    request.httpMethod = "POST"
    request.httpBody = Data(body)
    request.setValue(type, forHTTPHeaderField: "Content-Type")
    let done = DispatchSemaphore(value: 0)
    let result = Mutex<(Int, String?)?>(nil)
    URLSession.shared.dataTask(with: request) { _, response, _ in
      if let r = response as? HTTPURLResponse {
        let answer = (r.statusCode, r.value(forHTTPHeaderField: "Retry-After"))
        result.withLock { $0 = answer }
      }
      done.signal()
    }.resume()
    _ = done.wait(timeout: .now() + 10)
    return result.withLock { $0 }
  }

  static let request = Array(
    #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[{"asDouble":1}]}}]}]}]}"#
      .utf8)

  @Test func aFullQueueIs503WithRetryAfterAndCountedAsDropped() throws {
    let port = freeLoopbackPort()
    let spec = FeedSpec(id: FeedID(0), kind: .otlp, target: "127.0.0.1:\(port)", format: .otlp)
    let receiver = try OTLPReceiver(spec: spec)
    // A queue that holds one request: nothing drains it.
    let inbox = MessageInbox(clock: SystemClock(), perFeedByteLimit: 64)
    let stop = StopFlag()
    receiver.start(inbox: inbox, stop: stop)
    defer { stop.stop() }
    let url = "http://127.0.0.1:\(port)/v1/metrics"
    // The source is attached once it says it caught up (and that news is out of the queue).
    var attached = false
    for _ in 0..<100 where !attached {
      attached = inbox.drain().contains { $0.payload == .event(.caughtUp) }
      if !attached { usleep(20_000) }
    }
    try #require(attached)
    // Pretty-printed JSON may start with a newline, which must not read as protobuf's 0x0A.
    let first = Self.post(url, Array("\n  ".utf8) + Self.request)
    #expect(first?.0 == 200)
    let queued = inbox.drain()
    guard case .records(let batch, .otlp)? = queued.first?.payload else {
      Issue.record("the request was not queued as an otlp record: \(queued)")
      return
    }
    #expect(batch.bytes.first == UInt8(ascii: "{"))
    // Full again: the same request back in the queue, never drained.
    #expect(Self.post(url, Self.request)?.0 == 200)
    let second = try #require(Self.post(url, Self.request))
    #expect(second.0 == 503)
    #expect(second.1 == "1")
    // The refusal reaches the feed's health as dropped input.
    var dropped: UInt64 = 0
    for _ in 0..<40 where dropped == 0 {
      usleep(100_000)
      for input in inbox.drain() {
        if case .event(.dropped(_, let n)) = input.payload { dropped += n }
      }
    }
    #expect(dropped == 1)
  }

  @Test func aBodyOverTheLimitIs413AndGzipIsBoundedAfterInflating() throws {
    // 17 MiB of zeros inflate from a few KiB: refused once past the limit, never held whole.
    let zeros = [UInt8](repeating: 0, count: 17 << 20)
    let bomb = try gzipped(zeros)
    #expect(bomb.count < 64 << 10)
    guard case .failure(.tooLarge(let cap)) = gunzip(bomb, limit: OTLPLimits.maxRequestBytes)
    else {
      Issue.record("a gzip bomb was inflated")
      return
    }
    #expect(cap == OTLPLimits.maxRequestBytes)
    #expect(try gunzip(gzipped(Self.request), limit: 1 << 20).get() == Self.request)
    #expect(throws: HTTPError.self) { try gunzip(Array(bomb.prefix(100)), limit: 1 << 20).get() }
  }

  /// `gzip -c` of `bytes`.
  func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let dir = NSTemporaryDirectory() + "vigil-gz-\(getpid())-\(bytes.count)"
    try Data(bytes).write(to: URL(fileURLWithPath: dir))
    defer { try? FileManager.default.removeItem(atPath: dir) }
    _ = spawnAndWait(["sh", "-c", "gzip -c < \"$0\" > \"$0.gz\"", dir])
    defer { try? FileManager.default.removeItem(atPath: dir + ".gz") }
    return Array(try Data(contentsOf: URL(fileURLWithPath: dir + ".gz")))
  }
}
