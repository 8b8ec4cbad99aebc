#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A UDP address to listen on: `PORT` (loopback), `HOST:PORT` with an IPv4 literal or
/// `localhost`, or `[IPv6]:PORT`.
public struct UDPEndpoint: Sendable, Equatable, CustomStringConvertible {
  /// The numeric host (`127.0.0.1`, `::1`).
  public var host: String
  public var port: UInt16
  public var isIPv6: Bool

  public init(host: String, port: UInt16, isIPv6: Bool = false) {
    self.host = host
    self.port = port
    self.isIPv6 = isIPv6
  }

  /// Parses `text`; a bare port means 127.0.0.1 (never every interface by accident).
  public static func parse(_ text: String) -> Result<UDPEndpoint, UDPSourceError> {
    func bad(_ why: String) -> Result<UDPEndpoint, UDPSourceError> {
      .failure(UDPSourceError("\"\(printableExcerpt(text, limit: 60))\": \(why)"))
    }
    func port(_ s: Substring) -> UInt16? {
      guard !s.isEmpty, s.count <= 5, s.allSatisfy({ $0.isASCII && $0.isNumber }) else {
        return nil
      }
      return UInt16(s)
    }
    if let p = port(Substring(text)) { return .success(UDPEndpoint(host: "127.0.0.1", port: p)) }
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]"), text[close...].hasPrefix("]:"),
        let p = port(text[text.index(close, offsetBy: 2)...])
      else { return bad("expected [IPv6]:PORT") }
      let host = String(text[text.index(after: text.startIndex)..<close])
      var a = in6_addr()
      guard inet_pton(AF_INET6, host, &a) == 1 else { return bad("not an IPv6 address") }
      return .success(UDPEndpoint(host: host, port: p, isIPv6: true))
    }
    guard let colon = text.lastIndex(of: ":"), let p = port(text[text.index(after: colon)...])
    else { return bad("expected PORT, HOST:PORT or [IPv6]:PORT") }
    var host = String(text[..<colon])
    if host.isEmpty {
      return bad("give the address to listen on, e.g. 127.0.0.1:\(p) or 0.0.0.0:\(p)")
    }
    if host == "localhost" { host = "127.0.0.1" }
    var a = in_addr()
    guard inet_pton(AF_INET, host, &a) == 1 else {
      return bad("\(printableExcerpt(host, limit: 40)) is not an IPv4 address (or localhost)")
    }
    return .success(UDPEndpoint(host: host, port: p))
  }

  /// Whether only this machine can send to it (127.0.0.0/8 or ::1).
  public var isLoopback: Bool {
    isIPv6 ? host == "::1" || host == "0:0:0:0:0:0:0:1" : host.hasPrefix("127.")
  }

  public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a UDP feed cannot start.
public struct UDPSourceError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// A bound UDP socket, closed when the last reference goes.
public final class UDPSocket: Sendable {
  public let fd: Int32
  /// The address actually bound (the port is the kernel's choice for port 0).
  public let endpoint: UDPEndpoint
  /// The receive buffer the kernel granted, in bytes (it reports twice what was asked).
  public let receiveBufferBytes: Int
  /// Whether the kernel reports its drop counter with each datagram (`SO_RXQ_OVFL`).
  public let dropCounterPerDatagram: Bool

  /// Binds `endpoint` with a receive buffer of about `receiveBuffer` bytes.
  public init(endpoint: UDPEndpoint, receiveBuffer: Int) throws(UDPSourceError) {
    let family = endpoint.isIPv6 ? AF_INET6 : AF_INET
    #if canImport(Glibc)
      let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    #else
      let type = SOCK_DGRAM
    #endif
    let fd = socket(family, type, 0)
    guard fd >= 0 else { throw UDPSourceError("socket: \(String(cString: strerror(errno)))") }
    var size = Int32(clamping: receiveBuffer)
    let len = socklen_t(MemoryLayout<Int32>.size)
    // As root (CAP_NET_ADMIN) the buffer may exceed net.core.rmem_max; otherwise it is capped.
    #if canImport(Glibc)
      if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, len) != 0 {
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, len)
      }
      var one: Int32 = 1
      let counter = setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, len) == 0
    #else
      _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, len)
      let counter = false
    #endif
    var granted: Int32 = 0
    var grantedLen = len
    _ = getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &grantedLen)

    var bound = endpoint
    let rc: Int32
    if endpoint.isIPv6 {
      var a = sockaddr_in6()
      a.sin6_family = sa_family_t(AF_INET6)
      a.sin6_port = endpoint.port.bigEndian
      _ = inet_pton(AF_INET6, endpoint.host, &a.sin6_addr)
      rc = Self.bindReadingBack(fd, &a)
      bound.port = UInt16(bigEndian: a.sin6_port)
    } else {
      var a = sockaddr_in()
      a.sin_family = sa_family_t(AF_INET)
      a.sin_port = endpoint.port.bigEndian
      _ = inet_pton(AF_INET, endpoint.host, &a.sin_addr)
      rc = Self.bindReadingBack(fd, &a)
      bound.port = UInt16(bigEndian: a.sin_port)
    }
    guard rc == 0 else {
      let why = String(cString: strerror(errno))
      close(fd)
      throw UDPSourceError("\(endpoint): \(why)")
    }
    self.fd = fd
    self.endpoint = bound
    self.receiveBufferBytes = Int(granted)
    self.dropCounterPerDatagram = counter
  }

  deinit { close(fd) }

  /// Binds `fd` to `address` (a `sockaddr_in` or `sockaddr_in6`); when that works, reads the
  /// bound address back into it (port 0 becomes the one the kernel chose).
  private static func bindReadingBack<Address>(_ fd: Int32, _ address: inout Address) -> Int32 {
    let size = socklen_t(MemoryLayout<Address>.size)
    let rc = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
    }
    guard rc == 0 else { return rc }
    var length = size
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return rc
  }

  /// The kernel's count of datagrams dropped on this socket (`drops` in `/proc/net/udp`), or
  /// nil when it cannot be read.
  public func kernelDrops() -> UInt64? {
    var st = stat()
    guard fstat(fd, &st) == 0 else { return nil }
    let inode = String(UInt64(st.st_ino))
    guard let table = readTextFile(endpoint.isIPv6 ? "/proc/net/udp6" : "/proc/net/udp") else {
      return nil
    }
    for line in table.split(separator: "\n").dropFirst() {
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      if f.count >= 13 && f[9] == inode { return UInt64(f[f.count - 1]) }
    }
    return nil
  }
}

/// Receives datagrams on a UDP socket: one record per datagram, in `spec.format` (StatsD or
/// InfluxDB line protocol).
///
/// - A tight `recvmsg` loop on its own thread drains the socket (up to ``batchDatagrams`` per
///   message to the loop), so the kernel's buffer (``UDPSocket/receiveBufferBytes``, asked for
///   8 MiB) only has to absorb bursts. Under a steady stream it pauses 1 ms after draining the
///   socket, so datagrams arrive in batches rather than one wake-up each.
/// - Datagrams are never lost silently. The kernel's drop counter for the socket arrives with
///   each datagram (`SO_RXQ_OVFL`) and is read from `/proc/net/udp` when the socket goes idle;
///   when the feed's share of the inbox is full the batch is refused (``MessageInbox/offer(_:_:)``)
///   and counted. Both totals go to the loop as ``FeedEvent/dropped(kernel:vigil:)``.
/// - A datagram longer than ``maxDatagramBytes`` is cut by the kernel: its complete lines are
///   kept, and the partial last line is counted as ``RejectReason/truncated`` (``RecordBatch/cut``).
/// - Records are numbered by datagram (1, 2, …), the "line" of a rejection.
public struct UDPSource: FeedSource {
  public let spec: FeedSpec
  public let socket: UDPSocket
  /// The largest datagram taken whole (default 64 KiB: every IPv4 datagram).
  public let maxDatagramBytes: Int
  /// Datagrams per message to the loop, at most.
  public let batchDatagrams: Int
  /// How long without a datagram counts as idle (drop counters are then refreshed).
  public let idleInterval: Int32

  /// Binds the socket for `spec` (its target is a ``UDPEndpoint``).
  public init(
    spec: FeedSpec, receiveBuffer: Int = 8 << 20, maxDatagramBytes: Int = 65_536,
    batchDatagrams: Int = 1_024, idleMilliseconds: Int32 = 100
  ) throws(UDPSourceError) {
    let endpoint: UDPEndpoint
    switch UDPEndpoint.parse(spec.target) {
    case .success(let e): endpoint = e
    case .failure(let why): throw why
    }
    socket = try UDPSocket(endpoint: endpoint, receiveBuffer: receiveBuffer)
    self.spec = spec
    self.maxDatagramBytes = max(1, maxDatagramBytes)
    self.batchDatagrams = max(1, batchDatagrams)
    self.idleInterval = idleMilliseconds
  }

  public func run(inbox: MessageInbox, stop: StopFlag) {
    let format = spec.format ?? .statsd
    var receiver = Receiver(socket: socket, maxDatagramBytes: maxDatagramBytes)
    defer { receiver.deallocate() }
    _ = inbox.send(spec.id, .event(.opened))
    _ = inbox.send(spec.id, .event(.caughtUp))
    var vigilDrops: UInt64 = 0
    var reported: (UInt64, UInt64) = (0, 0)
    var busySinceProcRead = false
    var failing = false
    var lastReport = monotonicNanos()
    func report(force: Bool) -> Bool {
      let now = (receiver.kernelDrops, vigilDrops)
      guard now != reported, force || monotonicNanos() - lastReport > 200 * Nanos.millisecond
      else { return true }
      switch inbox.offer(spec.id, .event(.dropped(kernel: now.0, vigil: now.1))) {
      case .queued:
        reported = now
        lastReport = monotonicNanos()
      case .full: break  // running totals: the next report carries it
      case .closed: return false
      }
      return true
    }
    while !stop.isStopped && !inbox.isClosed {
      var pfd = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
      let ready = poll(&pfd, 1, idleInterval)
      if ready == 0 {
        // Idle: drops after the last datagram only show in /proc.
        if busySinceProcRead, let k = socket.kernelDrops() {
          receiver.kernelDrops = max(receiver.kernelDrops, k)
          busySinceProcRead = false
        }
        if !report(force: true) { return }
        continue
      }
      if ready < 0 {
        if errno == EINTR { continue }
        _ = inbox.send(spec.id, .event(.failed("poll: \(String(cString: strerror(errno)))")))
        return
      }
      busySinceProcRead = true
      var batch = RecordBatch()
      let outcome = receiver.receive(into: &batch, max: batchDatagrams)
      if case .failed(let failure) = outcome {
        if !failing { _ = inbox.send(spec.id, .event(.failed(failure))) }
        failing = true
        sleepNanoseconds(100 * Nanos.millisecond)
      } else if failing {
        failing = false
        _ = inbox.send(spec.id, .event(.opened))
      }
      if batch.count > 0 {
        switch inbox.offer(spec.id, .records(batch, format)) {
        case .queued: break
        case .full: vigilDrops += UInt64(batch.count)
        case .closed: return
        }
      }
      if !report(force: false) { return }
      // A steady stream, drained: let datagrams gather for a moment instead of being woken
      // for each one (a context switch per datagram costs more than receiving it). The socket
      // buffer holds far more than 1 ms of traffic.
      if case .drained = outcome, batch.count >= 16 { sleepNanoseconds(Nanos.millisecond) }
    }
  }
}

/// The receiving half of ``UDPSource``: buffers for `recvmsg` and the drop counter it reads.
private struct Receiver {
  let socket: UDPSocket
  let capacity: Int
  let buffer: UnsafeMutableRawPointer
  let control: UnsafeMutableRawPointer
  let controlBytes = 128
  let iov: UnsafeMutablePointer<iovec>
  /// The newest kernel drop total seen.
  var kernelDrops: UInt64 = 0
  /// Datagrams received so far (numbers records).
  var datagrams = 0

  init(socket: UDPSocket, maxDatagramBytes: Int) {
    self.socket = socket
    capacity = maxDatagramBytes
    buffer = .allocate(byteCount: maxDatagramBytes, alignment: 16)
    control = .allocate(byteCount: controlBytes, alignment: 16)
    iov = .allocate(capacity: 1)
    iov.initialize(to: iovec(iov_base: buffer, iov_len: maxDatagramBytes))
  }

  func deallocate() {
    buffer.deallocate()
    control.deallocate()
    iov.deallocate()
  }

  /// What ``receive(into:max:)`` ended with.
  enum Outcome {
    /// The socket has nothing more for now.
    case drained
    /// The batch is full; more is waiting.
    case full
    case failed(String)
  }

  /// Receives what is queued, up to `max` datagrams and about 1 MiB, without waiting.
  mutating func receive(into batch: inout RecordBatch, max: Int) -> Outcome {
    while batch.count < max && batch.bytes.count < 1 << 20 {
      var msg = msghdr()
      msg.msg_iov = iov
      msg.msg_iovlen = 1
      msg.msg_control = control
      msg.msg_controllen = .init(controlBytes)
      let n = recvmsg(socket.fd, &msg, Int32(MSG_DONTWAIT))
      if n < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN || errno == EWOULDBLOCK { return .drained }
        return .failed("recvmsg: \(String(cString: strerror(errno)))")
      }
      datagrams += 1
      readDropCounter(msg)
      let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
      if Int32(msg.msg_flags) & Int32(MSG_TRUNC) != 0 {
        // Cut by the kernel: keep the complete lines, count the partial last one.
        var keep = n
        while keep > 0 && bytes[keep - 1] != 0x0A { keep -= 1 }
        batch.append(UnsafeRawBufferPointer(rebasing: bytes[0..<keep]), line: datagrams)
        batch.cut.append(datagrams)
      } else {
        batch.append(bytes, line: datagrams)
      }
    }
    return .full
  }

  /// Reads the `SO_RXQ_OVFL` control message: the socket's drop total when the datagram was
  /// queued.
  private mutating func readDropCounter(_ msg: msghdr) {
    #if canImport(Glibc)
      let total = Int(msg.msg_controllen)
      let header = MemoryLayout<cmsghdr>.size
      var offset = 0
      while offset + header <= total {
        let c = control.load(fromByteOffset: offset, as: cmsghdr.self)
        let length = Int(c.cmsg_len)
        guard length >= header, offset + length <= total else { return }
        if c.cmsg_level == SOL_SOCKET && c.cmsg_type == SO_RXQ_OVFL && length >= header + 4 {
          let drops = UInt64(
            control.loadUnaligned(fromByteOffset: offset + header, as: UInt32.self))
          if drops > kernelDrops { kernelDrops = drops }
        }
        offset += (length + 7) & ~7
      }
    #endif
  }
}
