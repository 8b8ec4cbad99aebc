#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A minimal HTTP/1.1 client over POSIX sockets: one request per connection, plain `http://`.
///
/// Why Vigil has its own (DECISIONS, D-http): no new dependency, nothing that needs Foundation's
/// networking or libcurl in a static binary, and every resource bounded: a connect timeout, one
/// deadline for the whole exchange, a cap on the head (64 KiB) and the body (32 MiB by
/// default). Host names resolve with `getaddrinfo` (IPv4 and IPv6, every address tried in
/// turn; resolution itself has the system resolver's timeout). Responses are read by
/// ``HTTPResponseReader``: `Content-Length`, chunked, or close-delimited bodies.
public struct HTTPClient: HTTPTransport {
  /// Nanoseconds allowed to establish the connection (each address gets what is left).
  public var connectTimeout: Int64
  /// Nanoseconds allowed for the whole exchange, connection included.
  public var timeout: Int64
  public var maxBodyBytes: Int
  public var userAgent: String

  public init(
    connectTimeout: Int64 = 5 * Nanos.second, timeout: Int64 = 10 * Nanos.second,
    maxBodyBytes: Int = 32 << 20, userAgent: String = "vigil"
  ) {
    self.connectTimeout = connectTimeout
    self.timeout = timeout
    self.maxBodyBytes = maxBodyBytes
    self.userAgent = userAgent
  }

  /// One request: `method` on `url` with `query` appended, `headers` added and `body` (sent
  /// with its `Content-Length` when there is one).
  public func send(
    _ method: String, _ url: HTTPURL, query: [(String, String)] = [],
    headers: [(String, String)] = [], body: [UInt8]? = nil, cancel: StopFlag? = nil
  ) -> Result<HTTPResponse, HTTPError> {
    guard !url.isTLS else {
      return .failure(.config("https needs the TLS client (the vigil binary has it)"))
    }
    let deadline = monotonicNanos() + timeout
    var request = "\(method) \(url.requestTarget(adding: query)) HTTP/1.1\r\n"
    request += "Host: \(url.hostHeader)\r\n"
    request += "User-Agent: \(userAgent)\r\n"
    request += "Accept-Encoding: identity\r\n"
    request += "Connection: close\r\n"
    if let body { request += "Content-Length: \(body.count)\r\n" }
    for (k, v) in headers { request += "\(k): \(v)\r\n" }
    request += "\r\n"
    let fd: Int32
    switch connect(url, deadline: min(deadline, monotonicNanos() + connectTimeout), cancel: cancel)
    {
    case .success(let s): fd = s
    case .failure(let e): return .failure(e)
    }
    defer { close(fd) }
    if let e = sendAll(fd, Array(request.utf8) + (body ?? []), deadline: deadline, cancel: cancel) {
      return .failure(e)
    }
    var reader = HTTPResponseReader(maxBodyBytes: maxBodyBytes)
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while !reader.isComplete {
      if let e = waitFor(fd, Int16(POLLIN), deadline: deadline, cancel: cancel) {
        if case .timeout = e {
          return .failure(
            .timeout(
              "after \(Nanos.format(timeout)) waiting for the response"
                + (reader.bodyBytes > 0 ? " (\(reader.bodyBytes) body bytes received)" : "")))
        }
        return .failure(e)
      }
      let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if n < 0 {
        if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
        return .failure(.io("receive failed: \(String(cString: strerror(errno)))"))
      }
      if n == 0 {
        do throws(HTTPError) { try reader.finish() } catch { return .failure(error) }
        break
      }
      let failure: HTTPError? = buffer.withUnsafeBytes { raw in
        do throws(HTTPError) {
          try reader.push(UnsafeRawBufferPointer(rebasing: raw[0..<n]))
          return nil
        } catch {
          return error
        }
      }
      if let failure { return .failure(failure) }
    }
    guard let response = reader.response else {
      return .failure(.truncated("incomplete response"))
    }
    return .success(response)
  }

  /// Resolves the host and connects to the first address that accepts, non-blocking.
  private func connect(_ url: HTTPURL, deadline: Int64, cancel: StopFlag?) -> Result<
    Int32, HTTPError
  > {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = socketStream
    hints.ai_flags = AI_NUMERICSERV
    var list: UnsafeMutablePointer<addrinfo>?
    let rc = getaddrinfo(url.host, String(url.port), &hints, &list)
    guard rc == 0, let first = list else {
      return .failure(.resolve("\(url.host): \(String(cString: gai_strerror(rc)))"))
    }
    defer { freeaddrinfo(list) }
    var lastError = HTTPError.connect("no address for \(url.host)")
    var node: UnsafeMutablePointer<addrinfo>? = first
    while let ai = node {
      node = ai.pointee.ai_next
      let address = describe(ai.pointee.ai_addr, url.port)
      let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
      if fd < 0 {
        lastError = .connect("socket: \(String(cString: strerror(errno)))")
        continue
      }
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
      #if canImport(Darwin)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
      #endif
      var r = systemConnect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen)
      if r != 0 && errno == EINPROGRESS {
        if let e = waitFor(fd, Int16(POLLOUT), deadline: deadline, cancel: cancel) {
          close(fd)
          if case .timeout = e {
            lastError = .timeout("connecting to \(address)")
            if monotonicNanos() >= deadline { return .failure(lastError) }
            continue
          }
          return .failure(e)
        }
        var soError: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len)
        r = soError == 0 ? 0 : -1
        errno = soError
      }
      if r == 0 { return .success(fd) }
      lastError = .connect("\(String(cString: strerror(errno)).lowercased()) (\(address))")
      close(fd)
    }
    return .failure(lastError)
  }

  private func sendAll(_ fd: Int32, _ bytes: [UInt8], deadline: Int64, cancel: StopFlag?)
    -> HTTPError?
  {
    var off = 0
    while off < bytes.count {
      if let e = waitFor(fd, Int16(POLLOUT), deadline: deadline, cancel: cancel) {
        if case .timeout = e { return .timeout("sending the request") }
        return e
      }
      let n = bytes.withUnsafeBytes { raw in
        systemSend(
          fd, UnsafeRawBufferPointer(rebasing: raw[off...]).baseAddress, raw.count - off, sendFlags)
      }
      if n < 0 {
        if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
        return .io("send failed: \(String(cString: strerror(errno)))")
      }
      off += n
    }
    return nil
  }
}

#if canImport(Glibc)
  private func systemConnect(_ fd: Int32, _ a: UnsafePointer<sockaddr>?, _ l: socklen_t) -> Int32 {
    Glibc.connect(fd, a, l)
  }
  private func systemSend(_ fd: Int32, _ b: UnsafeRawPointer?, _ n: Int, _ f: Int32) -> Int {
    Glibc.send(fd, b, n, f)
  }
  private let socketStream = Int32(SOCK_STREAM.rawValue)
  private let sendFlags = Int32(MSG_NOSIGNAL)
#else
  private func systemConnect(_ fd: Int32, _ a: UnsafePointer<sockaddr>?, _ l: socklen_t) -> Int32 {
    Darwin.connect(fd, a, l)
  }
  private func systemSend(_ fd: Int32, _ b: UnsafeRawPointer?, _ n: Int, _ f: Int32) -> Int {
    Darwin.send(fd, b, n, f)
  }
  private let socketStream = SOCK_STREAM
  private let sendFlags: Int32 = 0
#endif

/// Polls `fd` for `events` until the deadline, in slices so `cancel` is noticed.
/// Nil when ready; `.timeout("")` at the deadline; `.cancelled`.
private func waitFor(_ fd: Int32, _ events: Int16, deadline: Int64, cancel: StopFlag?)
  -> HTTPError?
{
  while true {
    if cancel?.isStopped == true { return .cancelled }
    let left = deadline - monotonicNanos()
    if left <= 0 { return .timeout("") }
    let slice = Int32(min(left / Nanos.millisecond + 1, 50))
    var p = pollfd(fd: fd, events: events, revents: 0)
    let r = poll(&p, 1, slice)
    if r > 0 { return nil }  // ready, or an error/hang-up the next call reports
    if r < 0 && errno != EINTR { return .io("poll failed: \(String(cString: strerror(errno)))") }
  }
}

/// `127.0.0.1:9090` or `[::1]:9090`.
private func describe(_ addr: UnsafeMutablePointer<sockaddr>?, _ port: UInt16) -> String {
  guard let addr else { return "?" }
  var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
  let len: socklen_t =
    Int32(addr.pointee.sa_family) == AF_INET6
    ? socklen_t(MemoryLayout<sockaddr_in6>.size) : socklen_t(MemoryLayout<sockaddr_in>.size)
  guard getnameinfo(addr, len, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else {
    return "?:\(port)"
  }
  let h = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  return h.contains(":") ? "[\(h)]:\(port)" : "\(h):\(port)"
}
