// StatsD over loopback UDP: the highest paced rate that the whole path (socket, UDP source
// thread, inbox, the app's own `update` on this thread) ingests with no drop at all.
import Synchronization
import VigilApp
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The outcome of one paced step.
struct StatsDStep {
  var target: Double
  var sent: Int
  /// What the sender achieved (one `send` per datagram).
  var sendRate: Double
  var parsed: UInt64
  var kernelDrops: UInt64
  var vigilDrops: UInt64
  var samples: UInt64
  var drops: UInt64 { kernelDrops + vigilDrops }
}

private final class Done: Sendable {
  let sent = Atomic<Int>(-1)
  let nanos = Atomic<Int64>(0)
}

/// Demo-like DogStatsD datagrams, one metric each.
private func statsdDatagrams() -> [[UInt8]] {
  let services = ["checkout", "cart", "payment", "search", "inventory", "pricing"]
  var out: [[UInt8]] = []
  for i in 0..<1_200 {
    let s = services[i % services.count]
    switch i % 4 {
    case 0, 1:
      out.append(Array("api_latency_ms:\(80 + (i * 37) % 900).\(i % 10)|ms|#service:\(s)".utf8))
    case 2: out.append(Array("payment_attempts_total:1|c|@0.5|#psp:adyen".utf8))
    default: out.append(Array("queue_depth:\(i % 50)|g|#service:\(s)".utf8))
    }
  }
  return out
}

/// Sends `count` datagrams to 127.0.0.1:`port` paced at `rate` per second.
private func sendPaced(_ datagrams: [[UInt8]], count: Int, rate: Double, port: UInt16, done: Done) {
  let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
  var addr = sockaddr_in()
  addr.sin_family = sa_family_t(AF_INET)
  addr.sin_port = port.bigEndian
  addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
  // A connected socket, as a StatsD client keeps: no route lookup per datagram.
  _ = withUnsafePointer(to: &addr) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  var sent = 0
  let start = monotonicNanos()
  var i = 0
  while i < count {
    let due = Int(Double(monotonicNanos() - start) / 1e9 * rate) + 1
    if i >= due {
      sleepNanoseconds(50 * Nanos.microsecond)
      continue
    }
    while i < min(due, count) {
      let d = datagrams[i % datagrams.count]
      let n = d.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
      if n == d.count { sent += 1 }
      i += 1
    }
  }
  done.nanos.store(monotonicNanos() - start, ordering: .relaxed)
  close(fd)
  done.sent.store(sent, ordering: .releasing)
}

/// One step: `seconds` of datagrams at `rate`, through a fresh source and app state.
func statsdStep(rate: Double, seconds: Double) -> StatsDStep? {
  let clock = SystemClock()
  let inbox = MessageInbox(clock: clock)
  let spec = FeedSpec(id: FeedID(0), kind: .statsd, target: "127.0.0.1:0", format: .statsd)
  guard let source = try? UDPSource(spec: spec) else { return nil }
  var state = AppState(config: AppConfig(), feeds: [spec], now: clock.now())
  let stop = StopFlag()
  source.start(inbox: inbox, stop: stop)
  defer {
    stop.stop()
    inbox.close()
  }
  let datagrams = statsdDatagrams()
  let count = Int(rate * seconds)
  let port = source.socket.endpoint.port
  let done = Done()
  spawnThread { sendPaced(datagrams, count: count, rate: rate, port: port, done: done) }
  func drain() {
    for input in inbox.drain() { _ = update(&state, .feed(input)) }
  }
  while done.sent.load(ordering: .acquiring) < 0 { drain() }
  let sent = done.sent.load(ordering: .acquiring)
  // Until every datagram is parsed or counted as dropped (the source reads the kernel's
  // counter once the socket is idle), at most 10 s.
  let deadline = monotonicNanos() + 10 * Nanos.second
  while state.feeds[0].lines + state.feeds[0].dropped < UInt64(sent)
    && monotonicNanos() < deadline
  {
    drain()
    sleepNanoseconds(Nanos.millisecond)
  }
  let f = state.feeds[0]
  return StatsDStep(
    target: rate, sent: sent,
    sendRate: Double(sent) / (Double(done.nanos.load(ordering: .relaxed)) / 1e9),
    parsed: f.lines, kernelDrops: f.droppedByKernel, vigilDrops: f.droppedByVigil,
    samples: f.samples)
}

/// Steps the rate up from 100k/s by 100k/s until a step drops or the sender cannot keep the
/// pace; prints every step and the highest rate ingested without a drop.
func statsdBench(seconds: Double = 2) {
  var best: StatsDStep?
  var rate = 100_000.0
  while rate <= 2_000_000 {
    guard let step = statsdStep(rate: rate, seconds: seconds) else {
      print("statsd: cannot bind a loopback UDP socket")
      return
    }
    let fmt = { (x: Double) in Format.fixed(x / 1000, 0) + "k/s" }
    print(
      "statsd step \(fmt(rate)): sent \(step.sent) at \(fmt(step.sendRate)), parsed \(step.parsed), "
        + "samples \(step.samples), dropped \(step.drops) (kernel \(step.kernelDrops), vigil \(step.vigilDrops))"
    )
    if step.drops > 0 || step.parsed + step.drops != UInt64(step.sent) { break }
    best = step
    if step.sendRate < 0.95 * rate { break }  // the sender is the limit now
    rate += 100_000
  }
  if let best {
    print(
      "statsd over loopback UDP: \(Format.fixed(best.sendRate / 1000, 0))k datagrams/s ingested "
        + "with 0 drops for \(Format.fixed(seconds, 0)) s = \(Format.fixed(best.sendRate / 200_000, 2))x "
        + "the 200k/s target (one send per datagram, one metric per datagram)")
  } else {
    print("statsd over loopback UDP: drops already at 100k datagrams/s")
  }
}
