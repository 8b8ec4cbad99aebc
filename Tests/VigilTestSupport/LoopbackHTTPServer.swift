import Synchronization
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A tiny HTTP server on loopback for tests: each connection's request head is read, handed to
/// the handler, and the handler's script is played (bytes, pauses, then close). It can send
/// anything, including broken responses, so the client's error paths can be driven.
public final class LoopbackHTTPServer: Sendable {
  /// What the server received.
  public struct Request: Sendable {
    public var method: String
    /// Path and query as sent.
    public var target: String
    /// Names in lower case.
    public var headers: [String: String]
    /// The body (as long as its `Content-Length`; empty without one).
    public var body: [UInt8] = []
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The query parameters, percent-decoded.
    public var query: [String: String] {
      guard let q = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
      var out: [String: String] = [:]
      for pair in q.split(separator: "&") {
        let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        out[percentDecode(String(kv[0]))] = kv.count > 1 ? percentDecode(String(kv[1])) : ""
      }
      return out
    }

    /// The path without the query.
    public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
  }

  /// One step of a reply.
  public enum Step: Sendable {
    case send([UInt8])
    case pause(milliseconds: Int)
  }

  public let port: UInt16
  private let listener: Int32
  private let stopped = Atomic<Bool>(false)
  private let log = Mutex<[Request]>([])

  /// Listens on 127.0.0.1 (or ::1 with `ipv6`) on a free port.
  public init(ipv6: Bool = false, handler: @escaping @Sendable (Request) -> [Step]) throws {
    let fd = socket(ipv6 ? AF_INET6 : AF_INET, socketStream, 0)
    guard fd >= 0 else { throw ServerError.socket(errno) }
    var one: Int32 = 1
    _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var bound: Int32
    if ipv6 {
      var a = sockaddr_in6()
      a.sin6_family = sa_family_t(AF_INET6)
      a.sin6_addr = in6addr_loopback
      bound = withUnsafePointer(to: &a) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
      }
    } else {
      var a = sockaddr_in()
      a.sin_family = sa_family_t(AF_INET)
      a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
      bound = withUnsafePointer(to: &a) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
    }
    guard bound == 0, listen(fd, 64) == 0 else {
      close(fd)
      throw ServerError.socket(errno)
    }
    port = localPort(fd)
    listener = fd
    let me = self
    spawnThread { me.acceptLoop(handler) }
  }

  /// Requests received so far.
  public var requests: [Request] { log.withLock { $0 } }

  /// Stops accepting; connections in progress finish their scripts.
  public func stop() {
    if !stopped.exchange(true, ordering: .relaxed) {
      shutdown(listener, Int32(SHUT_RDWR))
    }
  }

  deinit {
    stop()
    close(listener)
  }

  private func acceptLoop(_ handler: @escaping @Sendable (Request) -> [Step]) {
    while !stopped.load(ordering: .relaxed) {
      var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
      if poll(&p, 1, 50) <= 0 { continue }
      let conn = accept(listener, nil, nil)
      if conn < 0 { continue }
      let me = self
      spawnThread { me.serve(conn, handler) }
    }
  }

  private func serve(_ fd: Int32, _ handler: @Sendable (Request) -> [Step]) {
    defer { close(fd) }
    var one: Int32 = 1
    _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    var head: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while head.firstRange(of: [13, 10, 13, 10]) == nil && head.count < 65_536 {
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&p, 1, 5000) > 0 else { return }
      let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n <= 0 { return }
      head += buf[0..<n]
    }
    guard let end = head.firstRange(of: [13, 10, 13, 10]) else { return }
    var body = Array(head[end.upperBound...])
    head = Array(head[..<end.upperBound])
    let text = String(decoding: head, as: UTF8.self)
    let lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)
    guard let first = lines.first else { return }
    let parts = first.split(separator: " ")
    guard parts.count == 3 else { return }
    var headers: [String: String] = [:]
    for l in lines.dropFirst() {
      guard let c = l.firstIndex(of: ":") else { continue }
      headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: " ")
    }
    let length = min(Int(headers["content-length"] ?? "") ?? 0, 16 << 20)
    while body.count < length {
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&p, 1, 5000) > 0 else { return }
      let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n <= 0 { return }
      body += buf[0..<n]
    }
    var request = Request(method: String(parts[0]), target: String(parts[1]), headers: headers)
    request.body = Array(body.prefix(length))
    log.withLock { $0.append(request) }
    for step in handler(request) {
      switch step {
      case .send(let bytes):
        var off = 0
        while off < bytes.count {
          let n = bytes.withUnsafeBytes { raw in
            send(
              fd, UnsafeRawBufferPointer(rebasing: raw[off...]).baseAddress, raw.count - off,
              sendFlags)
          }
          if n <= 0 { return }
          off += n
        }
      case .pause(let ms):
        usleep(UInt32(ms) * 1000)
      }
    }
  }

  enum ServerError: Error { case socket(Int32) }

  /// A complete response with `Content-Length`.
  public static func response(
    status: Int = 200, reason: String = "OK", headers: [(String, String)] = [], body: [UInt8]
  ) -> [UInt8] {
    var head = "HTTP/1.1 \(status) \(reason)\r\n"
    for (k, v) in headers { head += "\(k): \(v)\r\n" }
    head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
    return Array(head.utf8) + body
  }

  /// A complete response with `Content-Length`.
  public static func response(
    status: Int = 200, reason: String = "OK", headers: [(String, String)] = [], body: String
  ) -> [UInt8] {
    response(status: status, reason: reason, headers: headers, body: Array(body.utf8))
  }
}

extension StringProtocol {
  fileprivate func trimmingCharacters(in set: Character) -> String {
    var s = Substring(self)
    while s.first == set { s.removeFirst() }
    while s.last == set { s.removeLast() }
    return String(s)
  }
}

extension Array where Element == UInt8 {
  fileprivate func ends(with suffix: [UInt8]) -> Bool {
    count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
  }
}

/// `%XX` decoded (and `+` as a space, as forms write it).
public func percentDecode(_ s: String) -> String {
  var out: [UInt8] = []
  var bytes = Array(s.utf8)[...]
  while let b = bytes.first {
    bytes.removeFirst()
    if b == UInt8(ascii: "%"), bytes.count >= 2,
      let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
    {
      out.append(v)
      bytes.removeFirst(2)
    } else if b == UInt8(ascii: "+") {
      out.append(0x20)
    } else {
      out.append(b)
    }
  }
  return String(decoding: out, as: UTF8.self)
}

private func localPort(_ fd: Int32) -> UInt16 {
  var storage = sockaddr_storage()
  var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
  _ = withUnsafeMutablePointer(to: &storage) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
  }
  if Int32(storage.ss_family) == AF_INET6 {
    return withUnsafePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
        UInt16(bigEndian: $0.pointee.sin6_port)
      }
    }
  }
  return withUnsafePointer(to: &storage) {
    $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
      UInt16(bigEndian: $0.pointee.sin_port)
    }
  }
}

#if canImport(Glibc)
  private let socketStream = Int32(SOCK_STREAM.rawValue)
  private let sendFlags = Int32(MSG_NOSIGNAL)
#else
  private let socketStream = SOCK_STREAM
  private let sendFlags: Int32 = 0
#endif
