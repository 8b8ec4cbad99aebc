import CZlib
import Dispatch
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `vigil` binary's HTTP: `https://` through SwiftNIO and BoringSSL (swift-nio-ssl), with
/// the system's trust store or a CA file, hostname (or IP address) verification, and gzip
/// bodies; `http://` through VigilCore's own ``HTTPClient``. Both get the server's headers and
/// authentication (``ConfiguredTransport``).
public let tlsCapableHTTP: HTTPTransportMaker = { limits, config in
  ConfiguredTransport(SchemeRouter(limits: limits, config: config), config: config)
}

/// `https` to ``TLSHTTPClient``, `http` to ``HTTPClient``.
struct SchemeRouter: HTTPTransport {
  let plain: HTTPClient
  let tls: TLSHTTPClient

  init(limits: HTTPLimits, config: HTTPClientConfig) {
    plain = HTTPClient(
      connectTimeout: limits.connectTimeout, timeout: limits.timeout,
      maxBodyBytes: limits.maxBodyBytes)
    tls = TLSHTTPClient(limits: limits, config: config)
  }

  func send(
    _ method: String, _ url: HTTPURL, query: [(String, String)], headers: [(String, String)],
    body: [UInt8]?, cancel: StopFlag?
  ) -> Result<HTTPResponse, HTTPError> {
    url.isTLS
      ? tls.send(method, url, query: query, headers: headers, body: body, cancel: cancel)
      : plain.send(method, url, query: query, headers: headers, body: body, cancel: cancel)
  }
}

/// One request per connection over TLS, bounded like ``HTTPClient``: a connect timeout, one
/// deadline for the whole exchange, a body cap (also after gzip), and `cancel` checked every
/// 50 ms. A certificate that fails verification is looked at once more, unverified, so the
/// error says why: expired, not yet valid, or from an authority not trusted.
public final class TLSHTTPClient: HTTPTransport, Sendable {
  public let limits: HTTPLimits
  public let config: HTTPClientConfig
  /// Made at the first request (reading the trust store), so a plain-http source that never
  /// asks for TLS never pays for it; kept for the client's life.
  private let context = Mutex<Result<NIOSSLContext, HTTPError>?>(nil)

  public init(limits: HTTPLimits, config: HTTPClientConfig) {
    self.limits = limits
    self.config = config
  }

  static func makeContext(_ config: HTTPClientConfig, verify: Bool) -> Result<
    NIOSSLContext, HTTPError
  > {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.certificateVerification = verify ? .fullVerification : .none
    if let ca = config.caFile {
      guard access(ca, R_OK) == 0 else { return .failure(.config("cannot read CA file \(ca)")) }
      tls.trustRoots = .file(ca)
    }
    do {
      return .success(try NIOSSLContext(configuration: tls))
    } catch {
      return .failure(.config("TLS setup: \(error)"))
    }
  }

  public func send(
    _ method: String, _ url: HTTPURL, query: [(String, String)], headers: [(String, String)],
    body: [UInt8]?, cancel: StopFlag?
  ) -> Result<HTTPResponse, HTTPError> {
    let made = self.context.withLock { slot in
      if let made = slot { return made }
      let made = Self.makeContext(config, verify: !config.insecure)
      slot = made
      return made
    }
    let context: NIOSSLContext
    switch made {
    case .success(let c): context = c
    case .failure(let e): return .failure(e)
    }
    var head = HTTPRequestHead(
      version: .http1_1, method: HTTPMethod(rawValue: method),
      uri: url.requestTarget(adding: query))
    head.headers.add(name: "Host", value: url.hostHeader)
    head.headers.add(name: "User-Agent", value: "vigil")
    head.headers.add(name: "Accept-Encoding", value: "gzip")
    head.headers.add(name: "Connection", value: "close")
    if let body { head.headers.add(name: "Content-Length", value: String(body.count)) }
    for (k, v) in headers { head.headers.add(name: k, value: v) }
    let result = exchange(url, context: context, head: head, body: body, cancel: cancel)
    if case .failure(.io(let why)) = result, why.hasPrefix("TLS: certificate verify failed"),
      let reason = diagnose(url, cancel: cancel)
    {
      return .failure(.io("TLS: " + reason))
    }
    return result.flatMap { decoded($0) }
  }

  /// Connects, sends, and waits for the whole response (or the deadline, or `cancel`).
  private func exchange(
    _ url: HTTPURL, context: NIOSSLContext, head: HTTPRequestHead, body: [UInt8]?,
    cancel: StopFlag?
  ) -> Result<HTTPResponse, HTTPError> {
    let deadline = monotonicNanos() + limits.timeout
    let waiter = Waiter<Result<HTTPResponse, HTTPError>>()
    let serverName = isIPAddress(url.host) ? nil : url.host
    let maxBody = limits.maxBodyBytes
    let address = url.hostAndPort
    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(.nanoseconds(min(limits.connectTimeout, limits.timeout)))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let sync = channel.pipeline.syncOperations
          try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
          try sync.addHTTPClientHandlers()
          try sync.addHandler(
            Exchange(head: head, body: body, maxBody: maxBody, address: address, done: waiter.set)
          )
        }
      }
    let connecting = bootstrap.connect(host: url.host, port: Int(url.port))
    connecting.whenFailure { error in
      waiter.set(.failure(connectError(error, address: address)))
    }
    while true {
      if let r = waiter.wait(nanoseconds: 50 * Nanos.millisecond) { return r }
      let timedOut = monotonicNanos() >= deadline
      if timedOut || cancel?.isStopped == true {
        connecting.whenSuccess { $0.close(promise: nil) }
        return .failure(
          timedOut ? .timeout("after \(Nanos.format(limits.timeout)) (\(address))") : .cancelled)
      }
    }
  }

  /// Why verification failed, from the certificate itself (read once more, unverified).
  private func diagnose(_ url: HTTPURL, cancel: StopFlag?) -> String? {
    guard case .success(let loose) = Self.makeContext(config, verify: false) else { return nil }
    let waiter = Waiter<NIOSSLCertificate?>()
    let serverName = isIPAddress(url.host) ? nil : url.host
    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(.nanoseconds(min(limits.connectTimeout, limits.timeout)))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let handler = try NIOSSLClientHandler(context: loose, serverHostname: serverName)
          try channel.pipeline.syncOperations.addHandler(handler)
          try channel.pipeline.syncOperations.addHandler(PeerCertificate(done: waiter.set))
        }
      }
    let connecting = bootstrap.connect(host: url.host, port: Int(url.port))
    connecting.whenFailure { _ in waiter.set(nil) }
    defer { connecting.whenSuccess { $0.close(promise: nil) } }
    let deadline = monotonicNanos() + limits.timeout
    var found: NIOSSLCertificate??
    while found == nil && monotonicNanos() < deadline && cancel?.isStopped != true {
      found = waiter.wait(nanoseconds: 50 * Nanos.millisecond)
    }
    guard case .some(.some(let cert)) = found else { return nil }
    let now = time(nil)
    if cert.notValidAfter < now {
      return "certificate verify failed: the server's certificate expired on "
        + utcDate(cert.notValidAfter)
    }
    if cert.notValidBefore > now {
      return "certificate verify failed: the server's certificate is not valid before "
        + utcDate(cert.notValidBefore)
    }
    return "certificate verify failed: the server's certificate is not signed by a trusted "
      + "authority (give its CA with --tls-ca, or --tls-insecure to skip verification)"
  }

  /// The body, inflated when it came gzip-encoded (within the same cap).
  private func decoded(_ r: HTTPResponse) -> Result<HTTPResponse, HTTPError> {
    guard r.header("Content-Encoding")?.lowercased() == "gzip" else { return .success(r) }
    return gunzip(r.body, limit: limits.maxBodyBytes).map { body in
      var out = r
      out.body = body
      out.headers.removeAll { $0.name.lowercased() == "content-encoding" }
      return out
    }
  }
}

/// Sends the request when the connection is up, collects the response, and reports once.
private final class Exchange: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPClientResponsePart
  typealias OutboundOut = HTTPClientRequestPart

  let head: HTTPRequestHead
  let body: [UInt8]?
  let maxBody: Int
  let address: String
  let done: @Sendable (Result<HTTPResponse, HTTPError>) -> Void
  var status = 0
  var reason = ""
  var headers: [(name: String, value: String)] = []
  var received: [UInt8] = []
  var finished = false

  init(
    head: HTTPRequestHead, body: [UInt8]?, maxBody: Int, address: String,
    done: @escaping @Sendable (Result<HTTPResponse, HTTPError>) -> Void
  ) {
    self.head = head
    self.body = body
    self.maxBody = maxBody
    self.address = address
    self.done = done
  }

  func finish(_ context: ChannelHandlerContext, _ r: Result<HTTPResponse, HTTPError>) {
    guard !finished else { return }
    finished = true
    done(r)
    context.close(promise: nil)
  }

  func channelActive(context: ChannelHandlerContext) {
    context.write(wrapOutboundOut(.head(head)), promise: nil)
    if let body {
      var buffer = context.channel.allocator.buffer(capacity: body.count)
      buffer.writeBytes(body)
      context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }
    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    context.fireChannelActive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let h):
      status = Int(h.status.code)
      reason = h.status.reasonPhrase
      headers = h.headers.map { ($0.name.lowercased(), $0.value) }
    case .body(var buffer):
      guard received.count + buffer.readableBytes <= maxBody else {
        finish(context, .failure(.tooLarge(maxBody)))
        return
      }
      received += buffer.readBytes(length: buffer.readableBytes) ?? []
    case .end:
      finish(
        context,
        .success(HTTPResponse(status: status, reason: reason, headers: headers, body: received)))
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    finish(context, .failure(.truncated("the connection closed before the response was complete")))
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    finish(context, .failure(tlsError(error, address: address)))
  }
}

/// Reports the peer's certificate once the handshake is done (nil when it fails).
private final class PeerCertificate: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  let done: @Sendable (NIOSSLCertificate?) -> Void
  init(done: @escaping @Sendable (NIOSSLCertificate?) -> Void) { self.done = done }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if case TLSUserEvent.handshakeCompleted = event {
      let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
      done(handler?.peerCertificate)
      context.close(promise: nil)
    }
    context.fireUserInboundEventTriggered(event)
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    done(nil)
    context.close(promise: nil)
  }
}

/// Holds the first value set; `wait` returns it (or nil after `nanoseconds`).
private final class Waiter<T: Sendable>: Sendable {
  private let value = Mutex<T?>(nil)
  private let ready = DispatchSemaphore(value: 0)

  @Sendable func set(_ v: T) {
    let first = value.withLock { slot -> Bool in
      guard slot == nil else { return false }
      slot = v
      return true
    }
    if first { ready.signal() }
  }

  func wait(nanoseconds: Int64) -> T? {
    if ready.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success {
      ready.signal()
      return value.withLock { $0 }
    }
    return nil
  }
}

/// A connection error in the words ``HTTPClient`` uses.
private func connectError(_ error: any Error, address: String) -> HTTPError {
  if let e = error as? NIOConnectionError {
    if let dns = e.dnsAError ?? e.dnsAAAAError, e.connectionErrors.isEmpty {
      return .resolve("\(e.host): \(dns)")
    }
    if let first = e.connectionErrors.first {
      return connectError(first.error, address: address)
    }
  }
  if case ChannelError.connectTimeout = error { return .timeout("connecting to \(address)") }
  if let io = error as? IOError {
    return .connect("\(String(cString: strerror(io.errnoCode)).lowercased()) (\(address))")
  }
  return .connect("\(error) (\(address))")
}

/// A TLS or I/O error in words.
private func tlsError(_ error: any Error, address: String) -> HTTPError {
  if let e = error as? NIOSSLExtraError, e == .failedToValidateHostname {
    return .io("TLS: the server's certificate is not for this host (\(address)): \(e)")
  }
  if let e = error as? NIOSSLError {
    if case .handshakeFailed(let ssl) = e, "\(ssl)".contains("CERTIFICATE_VERIFY_FAILED") {
      return .io("TLS: certificate verify failed (\(address))")
    }
    return .io("TLS: \(e) (\(address))")
  }
  if let io = error as? IOError {
    return .io("\(String(cString: strerror(io.errnoCode)).lowercased()) (\(address))")
  }
  return .io("\(error) (\(address))")
}

/// Whether `host` is an IPv4 or IPv6 literal (no SNI for those; the certificate's IP
/// addresses are checked instead).
func isIPAddress(_ host: String) -> Bool {
  var v4 = in_addr()
  var v6 = in6_addr()
  return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
}

/// `2026-12-07 17:00 UTC`.
private func utcDate(_ t: time_t) -> String {
  var tm = tm()
  var copy = t
  gmtime_r(&copy, &tm)
  func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
  return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday)) "
    + "\(two(tm.tm_hour)):\(two(tm.tm_min)) UTC"
}

/// Inflates a gzip body, refusing more than `limit` bytes out.
func gunzip(_ input: [UInt8], limit: Int) -> Result<[UInt8], HTTPError> {
  var stream = z_stream()
  guard vigil_inflate_init(&stream) == Z_OK else { return .failure(.malformed("gzip: no memory")) }
  defer { inflateEnd(&stream) }
  var out: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 64 * 1024)
  var input = input
  return input.withUnsafeMutableBufferPointer { inBuf in
    stream.next_in = inBuf.baseAddress
    stream.avail_in = uInt(inBuf.count)
    while true {
      let (rc, produced) = chunk.withUnsafeMutableBufferPointer { outBuf -> (Int32, Int) in
        stream.next_out = outBuf.baseAddress
        stream.avail_out = uInt(outBuf.count)
        let rc = inflate(&stream, Z_NO_FLUSH)
        return (rc, outBuf.count - Int(stream.avail_out))
      }
      out += chunk[0..<produced]
      if out.count > limit { return .failure(.tooLarge(limit)) }
      if rc == Z_STREAM_END { return .success(out) }
      guard rc == Z_OK else { return .failure(.malformed("gzip body: zlib error \(rc)")) }
      if stream.avail_in == 0 && produced == 0 {
        return .failure(.truncated("the gzip body ended early"))
      }
    }
  }
}
