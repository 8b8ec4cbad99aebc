// StatsD over loopback UDP: the highest paced rate that the whole path (socket, UDP source
// thread, inbox, the app's own `update` on this thread) ingests with no drop at all.
import Synchronization
import VigilApp
import VigilCore
import VigilRender

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
  /// Senders still running.
  let running: Atomic<Int>
  let sent = Atomic<Int>(0)
  /// The slowest sender's time.
  let nanos = Atomic<Int64>(0)
  init(senders: Int) { running = Atomic(senders) }
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
    let due = Int(clamping: Double(monotonicNanos() - start) / 1e9 * rate) + 1
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
  let elapsed = monotonicNanos() - start
  close(fd)
  _ = done.sent.add(sent, ordering: .relaxed)
  var seen = done.nanos.load(ordering: .relaxed)
  while seen < elapsed {
    let (exchanged, original) = done.nanos.compareExchange(
      expected: seen, desired: elapsed, ordering: .relaxed)
    if exchanged { break }
    seen = original
  }
  _ = done.running.subtract(1, ordering: .releasing)
}

/// A UDP feed and the app state it feeds, run on the loop's schedule under curses.
private struct Pipeline {
  let clock = SystemClock()
  let inbox: MessageInbox
  let source: UDPSource
  let stop = StopFlag()
  var state: AppState
  var buffer = ScreenBuffer(size: Size(width: 120, height: 40))
  let interval = Nanos.second / 4
  var nextFrame = monotonicNanos()

  init?(receiveBuffer: Int) {
    inbox = MessageInbox(clock: clock)
    let spec = FeedSpec(id: FeedID(0), kind: .statsd, target: "127.0.0.1:0", format: .statsd)
    guard let source = try? UDPSource(spec: spec, receiveBuffer: receiveBuffer) else { return nil }
    self.source = source
    state = AppState(config: AppConfig(), feeds: [spec], now: clock.now())
    state.ui.size = Size(width: 120, height: 40)
  }

  var port: UInt16 { source.socket.endpoint.port }
  var feed: FeedState { state.feeds[0] }

  /// One turn of AppLoop under curses: drain for at most half a frame, tick, draw a 120x40 frame
  /// when due, then wait for keys until the next frame. Curses does not wake up for feed input,
  /// so a UDP feed's queue must absorb a whole frame (250 ms at the default 4 fps).
  mutating func turn(waitForFrame: Bool = true) {
    let budgetEnd = monotonicNanos() + interval / 2
    repeat {
      let inputs = inbox.drain(maxItems: 32)
      if inputs.isEmpty { break }
      for input in inputs { _ = update(&state, .feed(input)) }
    } while monotonicNanos() < budgetEnd
    _ = update(&state, .tick(clock.now()))
    if monotonicNanos() >= nextFrame {
      renderApp(state, into: &buffer, glyphs: .unicode)
      nextFrame = max(nextFrame + interval, monotonicNanos() + interval / 4)
    }
    if !inbox.hasPending {
      sleepNanoseconds(waitForFrame ? nextFrame - monotonicNanos() : 100 * Nanos.microsecond)
    }
  }

  /// Turns until every one of `sent` datagrams is parsed or counted as dropped (the source reads
  /// the kernel's counter once the socket is idle), at most 10 s.
  mutating func settle(sent: Int) {
    let deadline = monotonicNanos() + 10 * Nanos.second
    while feed.lines + feed.dropped < UInt64(sent) && monotonicNanos() < deadline { turn() }
  }

  func finish() {
    stop.stop()
    inbox.close()
  }
}

/// One step: `seconds` of datagrams at `rate` from `senders` clients, through a fresh pipeline.
func statsdStep(rate: Double, seconds: Double, senders: Int) -> StatsDStep? {
  guard var p = Pipeline(receiveBuffer: 8 << 20) else { return nil }
  p.source.start(inbox: p.inbox, stop: p.stop)
  defer { p.finish() }
  let datagrams = statsdDatagrams()
  let count = Int(clamping: rate * seconds)
  let port = p.port
  let done = Done(senders: senders)
  for k in 0..<senders {
    let share = count / senders + (k < count % senders ? 1 : 0)
    spawnThread {
      sendPaced(datagrams, count: share, rate: rate / Double(senders), port: port, done: done)
    }
  }
  while done.running.load(ordering: .acquiring) > 0 { p.turn() }
  let sent = done.sent.load(ordering: .relaxed)
  p.settle(sent: sent)
  return StatsDStep(
    target: rate, sent: sent,
    sendRate: Double(sent) / (Double(done.nanos.load(ordering: .relaxed)) / 1e9),
    parsed: p.feed.lines, kernelDrops: p.feed.droppedByKernel, vigilDrops: p.feed.droppedByVigil,
    samples: p.feed.samples)
}

/// The receiving side's capacity, whatever the sender's speed: `count` datagrams are queued in
/// a large socket buffer first, then the source and the loop drain them (the loop polling the
/// inbox rather than waiting for the next frame, so its schedule does not count). Returns datagrams/s
/// parsed and ingested, and how many the kernel could not queue.
func statsdDrainCapacity(count: Int) -> (
  rate: Double, parsed: UInt64, kernelDrops: UInt64, cpuMicros: Double
)? {
  guard var p = Pipeline(receiveBuffer: 256 << 20) else { return nil }
  defer { p.finish() }
  let done = Done(senders: 1)
  sendPaced(statsdDatagrams(), count: count, rate: 1e12, port: p.port, done: done)
  let sent = done.sent.load(ordering: .relaxed)
  let cpu0 = processCPUMicros()
  let t0 = monotonicNanos()
  p.source.start(inbox: p.inbox, stop: p.stop)
  // Parsed, not counting the idle wait that reads the kernel's counter at the end.
  var last = t0
  let deadline = t0 + 60 * Nanos.second
  while p.feed.lines + p.feed.dropped < UInt64(sent) && monotonicNanos() < deadline {
    let before = p.feed.lines
    p.turn(waitForFrame: false)
    if p.feed.lines > before { last = monotonicNanos() }
  }
  // Nothing else runs in this process now: its CPU time is the source thread's and the loop's.
  let cpu = processCPUMicros() - cpu0
  return (
    Double(p.feed.lines) / (Double(last - t0) / 1e9), p.feed.lines, p.feed.droppedByKernel,
    cpu / Double(max(1, p.feed.lines))
  )
}

/// User plus system CPU time of the whole process, in microseconds.
private func processCPUMicros() -> Double {
  var u = rusage()
  getrusage(RUSAGE_SELF.rawValue, &u)
  return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6
    + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec)
}

/// Steps the rate up from `start` (100k/s) by 100k/s until a step drops or the senders cannot
/// keep the pace; prints every step and the highest rate ingested without a drop; then the
/// receiving side's capacity.
func statsdBench(start: Double = 100_000, seconds: Double = 2, senders: Int = 1) {
  var best: StatsDStep?
  var rate = start
  let fmt = { (x: Double) in Format.fixed(x / 1000, 0) + "k/s" }
  while rate <= 2_000_000 {
    guard let step = statsdStep(rate: rate, seconds: seconds, senders: senders) else {
      print("statsd: cannot bind a loopback UDP socket")
      return
    }
    print(
      "statsd step \(fmt(rate)): sent \(step.sent) at \(fmt(step.sendRate)), parsed \(step.parsed), "
        + "samples \(step.samples), dropped \(step.drops) (kernel \(step.kernelDrops), vigil \(step.vigilDrops))"
    )
    if step.drops > 0 || step.parsed + step.drops != UInt64(step.sent) { break }
    if step.sendRate > best?.sendRate ?? 0 { best = step }
    if step.sendRate < 0.95 * rate { break }  // the senders are the limit now
    rate += 100_000
  }
  if let best {
    print(
      "statsd over loopback UDP: \(fmt(best.sendRate)) datagrams ingested with 0 drops for "
        + "\(Format.fixed(seconds, 0)) s = \(Format.fixed(best.sendRate / 200_000, 2))x the 200k/s target "
        + "(\(senders) client\(senders == 1 ? "" : "s"), one send per datagram, one metric per datagram)"
    )
  } else {
    print("statsd over loopback UDP: drops already at \(fmt(start))")
  }
  if let c = statsdDrainCapacity(count: 200_000) {
    print(
      "statsd receiving capacity (200k datagrams queued first, then drained by the source and "
        + "a loop that does not wait for frames): \(fmt(c.rate)) = \(Format.fixed(c.rate / 200_000, 2))x the target "
        + "(parsed \(c.parsed), not queued by the kernel \(c.kernelDrops)); CPU per datagram, "
        + "source thread and loop together: \(Format.fixed(c.cpuMicros, 2)) us = "
        + "\(fmt(1e6 / c.cpuMicros)) per CPU-second = \(Format.fixed(1e6 / c.cpuMicros / 200_000, 2))x the target"
    )
  }
}
