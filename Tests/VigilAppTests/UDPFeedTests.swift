import Synchronization
import Testing
import VigilApp
import VigilCore
import VigilRender
import VigilTestSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Sends `datagrams` to 127.0.0.1:`port` from a fresh socket; returns how many were sent.
private func sendDatagrams(_ datagrams: [[UInt8]], port: UInt16) -> Int {
  let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
  guard fd >= 0 else { return 0 }
  defer { close(fd) }
  var addr = sockaddr_in()
  addr.sin_family = sa_family_t(AF_INET)
  addr.sin_port = port.bigEndian
  addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
  var sent = 0
  for d in datagrams {
    let n = d.withUnsafeBytes { b in
      withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
    }
    if n == d.count { sent += 1 }
  }
  return sent
}

/// A count another thread sets once (-1 until then).
private final class Outcome: Sendable {
  let value = Atomic<Int>(-1)
}

/// `count` single-line datagrams; every `badEvery`-th is garbage that the parser rejects with
/// exactly one issue (four kinds in turn).
private func burst(_ count: Int, badEvery: Int) -> (datagrams: [[UInt8]], bad: Int) {
  let garbage: [[UInt8]] = [
    Array("burst.bad:x|c".utf8), [0xFF, 0xFE] + Array(":1|c".utf8), Array("burst.rate:1|c|@0".utf8),
    Array("no colon at all".utf8),
  ]
  var out: [[UInt8]] = []
  out.reserveCapacity(count)
  var bad = 0
  for i in 0..<count {
    if i % badEvery == badEvery - 1 {
      out.append(garbage[bad % garbage.count])
      bad += 1
    } else {
      out.append(Array("burst.hits:1|c|#k:v\(i % 7)".utf8))
    }
  }
  return (out, bad)
}

/// A UDP feed wired to the real `update`, as the app runs it.
private struct Harness {
  var state: AppState
  let inbox: MessageInbox
  let source: UDPSource
  let stop = StopFlag()

  init(receiveBuffer: Int = 8 << 20, inboxLimit: Int = 8 << 20, idleMilliseconds: Int32 = 100)
    throws
  {
    let clock = SystemClock()
    inbox = MessageInbox(clock: clock, perFeedByteLimit: inboxLimit)
    let spec = FeedSpec(id: FeedID(0), kind: .statsd, target: "127.0.0.1:0", format: .statsd)
    source = try UDPSource(
      spec: spec, receiveBuffer: receiveBuffer, idleMilliseconds: idleMilliseconds)
    state = AppState(config: AppConfig(), feeds: [spec], now: clock.now())
  }

  var port: UInt16 { source.socket.endpoint.port }
  var feed: FeedState { state.feeds[0] }
  /// Every datagram the feed knows the fate of: parsed, or dropped by the kernel or by Vigil.
  var accounted: UInt64 { feed.lines + feed.dropped }

  mutating func drain() {
    for input in inbox.drain() { _ = update(&state, .feed(input)) }
  }

  /// Drains until `accounted` reaches `sent` (or 60 s pass, a hang guard, not a speed test),
  /// then a little longer, so a late over-count would show.
  mutating func settle(sent: Int) {
    let deadline = monotonicNanos() + 60 * Nanos.second
    while accounted < UInt64(sent) && monotonicNanos() < deadline {
      drain()
      sleepNanoseconds(Nanos.millisecond)
    }
    let extra = monotonicNanos() + 300 * Nanos.millisecond
    while monotonicNanos() < extra {
      drain()
      sleepNanoseconds(Nanos.millisecond)
    }
  }

  func finish() {
    stop.stop()
    inbox.close()
  }

  var summary: String {
    "lines \(feed.lines), samples \(feed.samples), rejected \(feed.rejectedTotal), "
      + "kernel drops \(feed.droppedByKernel), vigil drops \(feed.droppedByVigil)"
  }
}

@Suite(.serialized) struct UDPFeedTests {
  /// The issue's burst: 200,000 datagrams (1 in 20 garbage) sent as fast as one socket can,
  /// while the loop parses. Whatever the machine's speed, parsed + dropped (kernel and Vigil)
  /// is exactly what was sent, and every parsed datagram is one sample or one rejection.
  @Test func burstOf200kDatagramsAddsUpExactly() throws {
    var h = try Harness()
    h.source.start(inbox: h.inbox, stop: h.stop)
    defer { h.finish() }
    let (datagrams, _) = burst(200_000, badEvery: 20)
    let port = h.port
    let sent = Outcome()
    spawnThread { sent.value.store(sendDatagrams(datagrams, port: port), ordering: .releasing) }
    while sent.value.load(ordering: .acquiring) < 0 {
      h.drain()
      sleepNanoseconds(Nanos.millisecond)
    }
    let total = sent.value.load(ordering: .acquiring)
    #expect(total == 200_000)
    h.settle(sent: total)
    #expect(h.accounted == UInt64(total), "\(h.summary)")
    #expect(h.feed.samples + h.feed.rejectedTotal == h.feed.lines, "\(h.summary)")
    #expect(h.feed.samples > 0)
    #expect(h.feed.rejectedTotal > 0)
    let reasons = Set(h.feed.rejected.keys)
    #expect(reasons.isSubset(of: [.badValue, .invalidUTF8, .badSampleRate, .malformed]))
  }

  /// Datagrams sent while nobody reads a tiny receive buffer: the kernel drops most of them,
  /// and its counter (read from /proc when the socket goes idle) accounts for every one.
  @Test func kernelDropsAreCountedExactly() throws {
    var h = try Harness(receiveBuffer: 4_096)
    defer { h.finish() }
    let (datagrams, _) = burst(5_000, badEvery: 10)
    let sent = sendDatagrams(datagrams, port: h.port)
    #expect(sent == 5_000)
    h.source.start(inbox: h.inbox, stop: h.stop)
    h.settle(sent: sent)
    #expect(h.feed.droppedByKernel > 0, "\(h.summary)")
    #expect(h.accounted == UInt64(sent), "\(h.summary)")
    #expect(h.feed.samples + h.feed.rejectedTotal == h.feed.lines, "\(h.summary)")
  }

  /// The same without the idle read of /proc (the source never goes idle here): the kernel's
  /// counter arrives with the next datagram (`SO_RXQ_OVFL`).
  @Test func kernelDropsArriveWithTheNextDatagram() throws {
    var h = try Harness(receiveBuffer: 4_096, idleMilliseconds: 20_000)
    defer { h.finish() }
    let sent = sendDatagrams(burst(5_000, badEvery: 10).datagrams, port: h.port)
    h.source.start(inbox: h.inbox, stop: h.stop)
    sleepNanoseconds(300 * Nanos.millisecond)
    let late = sendDatagrams([Array("late:1|c".utf8)], port: h.port)
    h.settle(sent: sent + late)
    #expect(h.source.socket.dropCounterPerDatagram)
    #expect(h.feed.droppedByKernel > 0, "\(h.summary)")
    #expect(h.accounted == UInt64(sent + late), "\(h.summary)")
  }

  /// A loop that does not keep up: the feed's inbox share fills, and Vigil refuses (and counts)
  /// whole batches rather than wait.
  @Test func inboxDropsAreCountedExactly() throws {
    var h = try Harness(inboxLimit: 2_048)
    h.source.start(inbox: h.inbox, stop: h.stop)
    defer { h.finish() }
    let (datagrams, _) = burst(20_000, badEvery: 10)
    let sent = sendDatagrams(datagrams, port: h.port)
    #expect(sent == 20_000)
    // Nothing is drained until the sender is done and the source has had time to fill its
    // share; then the loop catches up.
    sleepNanoseconds(500 * Nanos.millisecond)
    h.settle(sent: sent)
    #expect(h.feed.droppedByVigil > 0, "\(h.summary)")
    #expect(h.accounted == UInt64(sent), "\(h.summary)")
    #expect(h.feed.samples + h.feed.rejectedTotal == h.feed.lines, "\(h.summary)")
  }

  /// A datagram longer than the receive buffer: the complete lines count, the partial last
  /// line is one `truncated datagram` rejection.
  @Test func aDatagramCutByTheReceiveBufferKeepsItsCompleteLines() throws {
    let clock = SystemClock()
    let inbox = MessageInbox(clock: clock)
    let spec = FeedSpec(id: FeedID(0), kind: .statsd, target: "127.0.0.1:0", format: .statsd)
    let source = try UDPSource(spec: spec, maxDatagramBytes: 32)
    var state = AppState(config: AppConfig(), feeds: [spec], now: clock.now())
    let stop = StopFlag()
    source.start(inbox: inbox, stop: stop)
    defer {
      stop.stop()
      inbox.close()
    }
    // 12 + 12 bytes of complete lines, then a line cut at byte 32.
    let sent = sendDatagrams(
      [Array("cut.a:1|c|@1\ncut.b:2|c|@1\ncut.c:3|c|#tag:value".utf8), Array("whole:1|g".utf8)],
      port: source.socket.endpoint.port)
    #expect(sent == 2)
    let deadline = monotonicNanos() + 30 * Nanos.second
    while state.feeds[0].lines < 2 && monotonicNanos() < deadline {
      for input in inbox.drain() { _ = update(&state, .feed(input)) }
      sleepNanoseconds(Nanos.millisecond)
    }
    #expect(state.feeds[0].lines == 2)
    #expect(state.feeds[0].samples == 3)
    #expect(state.feeds[0].rejected == [.truncated: 1])
    #expect(state.issues.map(\.issue.line) == [1])
  }

  /// The largest IPv4 datagrams (65,507 bytes of lines, or of one garbage line) and random
  /// bytes go through whole: every datagram is parsed, nothing is cut or lost.
  @Test func largestAndRandomDatagrams() throws {
    var h = try Harness()
    h.source.start(inbox: h.inbox, stop: h.stop)
    defer { h.finish() }
    let line = Array("big.lines:1|c|#k:v\n".utf8)
    var full: [UInt8] = []
    while full.count + line.count <= 65_507 { full += line }
    let lines = full.count / line.count
    full += Array(repeating: UInt8(ascii: "x"), count: 65_507 - full.count)  // a bad last line
    var rng = SplitMix64(seed: 11)
    var datagrams = [full, Array(repeating: UInt8(ascii: "|"), count: 65_507)]
    for _ in 0..<200 {
      datagrams.append(
        (0..<Int(rng.next() % 1_400)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }
    let sent = sendDatagrams(datagrams, port: h.port)
    #expect(sent == datagrams.count)
    h.settle(sent: sent)
    #expect(h.accounted == UInt64(sent), "\(h.summary)")
    #expect(h.feed.dropped == 0)
    #expect(h.feed.samples >= UInt64(lines))
    #expect(h.feed.rejected[.truncated] == nil)
  }

  @Test func endpoints() throws {
    #expect(try UDPEndpoint.parse("8125").get() == UDPEndpoint(host: "127.0.0.1", port: 8125))
    #expect(try UDPEndpoint.parse("localhost:1").get() == UDPEndpoint(host: "127.0.0.1", port: 1))
    #expect(try UDPEndpoint.parse("0.0.0.0:8125").get().isLoopback == false)
    #expect(try UDPEndpoint.parse("127.0.0.2:8125").get().isLoopback)
    let v6 = try UDPEndpoint.parse("[::1]:8125").get()
    #expect(v6.isIPv6 && v6.isLoopback && v6.description == "[::1]:8125")
    for bad in [":8125", "8125:", "99999", "host:8125", "[::1]8125", "[zz]:1", "1.2.3:4", ""] {
      #expect(throws: UDPSourceError.self, "\(bad)") { try UDPEndpoint.parse(bad).get() }
    }
    // Port 0 binds a port the kernel chooses, read back, over IPv4 and IPv6.
    for endpoint in [
      UDPEndpoint(host: "127.0.0.1", port: 0), UDPEndpoint(host: "::1", port: 0, isIPv6: true),
    ] {
      let socket = try UDPSocket(endpoint: endpoint, receiveBuffer: 65_536)
      #expect(socket.endpoint.port != 0 && socket.endpoint.host == endpoint.host)
    }
    // Binding the same port twice fails with the reason.
    #expect(throws: UDPSourceError.self) {
      let first = try UDPSocket(
        endpoint: UDPEndpoint(host: "127.0.0.1", port: 0), receiveBuffer: 65_536)
      _ = try UDPSocket(endpoint: first.endpoint, receiveBuffer: 65_536)
    }
  }

  /// InfluxDB string fields are counted as skipped, neither samples nor rejections.
  @Test func skippedValuesAreCountedPerFeed() {
    let spec = FeedSpec(id: FeedID(0), kind: .file, target: "m.influx", format: .influx)
    let now = Timestamp(nanoseconds: 1_795_694_400 * Nanos.second)
    var state = AppState(config: AppConfig(), feeds: [spec], now: now)
    var b = RecordBatch()
    for (i, line) in [#"m f=1,s="x""#, #"m s="only text""#, "m f=oops"].enumerated() {
      var text = line
      text.withUTF8 { b.append(UnsafeRawBufferPointer($0), line: i + 1) }
    }
    _ = update(
      &state, .feed(FeedInput(feed: FeedID(0), arrival: now, seq: 1, payload: .records(b, .influx)))
    )
    #expect(state.feeds[0].samples == 1)
    #expect(state.feeds[0].skipped == 2)
    #expect(state.feeds[0].rejected == [.badValue: 1])
  }

  /// Drops reach the status bar and the rejected-lines view.
  @Test func dropsAreShown() {
    var state = AppState(
      config: AppConfig(),
      feeds: [FeedSpec(id: FeedID(0), kind: .statsd, target: "127.0.0.1:8125", format: .statsd)],
      now: Timestamp(nanoseconds: 0))
    #expect(state.feeds[0].spec.displayName == "statsd:8125")
    let input = FeedInput(
      feed: FeedID(0), arrival: Timestamp(nanoseconds: 0), seq: 1,
      payload: .event(.dropped(kernel: 1_200, vigil: 34)))
    _ = update(&state, .feed(input))
    #expect(state.feeds[0].dropped == 1_234)
    var buffer = ScreenBuffer(size: Size(width: 100, height: 24))
    renderApp(state, into: &buffer, glyphs: .unicode)
    #expect(buffer.lines().last?.contains("rejected 0 dropped 1234 (e)") == true)
    _ = update(&state, .key(.character("e")))
    buffer = ScreenBuffer(size: Size(width: 100, height: 24))
    renderApp(state, into: &buffer, glyphs: .unicode)
    #expect(
      buffer.lines().contains { $0.contains("statsd:8125: dropped 1234 (kernel 1200, vigil 34)") })
  }
}
