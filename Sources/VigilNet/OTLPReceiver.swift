import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import VigilCore

/// `--otlp ADDR`: an OTLP/HTTP metrics receiver (`POST /v1/metrics`), as the OTLP
/// specification says a server answers:
///
/// - `application/x-protobuf` or `application/json` bodies, `Content-Encoding: gzip` or none,
///   at most ``OTLPLimits/maxRequestBytes`` (after inflating; more is 413);
/// - a body that does not decode is 400, with the reason (a `google.rpc.Status`);
/// - a decoded request is 200, queued whole as one record of the feed (format `otlp`: the
///   loop's parser tells the encoding by the first byte, D46) with `partial_success` counting
///   the points whose value is not finite (the parser rejects them);
/// - when the feed's queue is full, 503 with `Retry-After: 1` (the SDKs retry), counted as
///   dropped;
/// - another path is 404, another method 405, another content type 415;
/// - at most 256 connections at once (more are closed at once and counted as dropped), and a
///   connection silent for 30 s is closed.
///
/// It binds loopback unless told otherwise (a bare port is 127.0.0.1), at start, so a busy port
/// is an error before the screen opens.
public final class OTLPReceiver: FeedSource, Sendable {
  public let spec: FeedSpec
  private let channel: any Channel
  private let state: ReceiverState

  public init(spec: FeedSpec) throws {
    self.spec = spec
    let endpoint: UDPEndpoint
    switch UDPEndpoint.parse(spec.target) {
    case .success(let e): endpoint = e
    case .failure(let e): throw e
    }
    let state = ReceiverState(feed: spec.id)
    self.state = state
    do {
      channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: 64)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { child in
          // At most `maxConnections` at once (more are closed at once, counted as dropped);
          // a connection silent for 30 s is closed.
          guard state.connectionOpened() else {
            return child.close()
          }
          child.closeFuture.whenComplete { _ in state.connectionClosed() }
          return child.eventLoop.makeCompletedFuture {
            let sync = child.pipeline.syncOperations
            try sync.addHandler(IdleStateHandler(readTimeout: .seconds(30)))
            try sync.configureHTTPServerPipeline()
            try sync.addHandler(OTLPRequestHandler(state: state))
          }
        }
        .bind(host: endpoint.host, port: Int(endpoint.port)).wait()
    } catch {
      throw UDPSourceError("\(endpoint): cannot listen: \(error)")
    }
  }

  /// The port actually bound (`:0` picks one).
  public var port: Int { channel.localAddress?.port ?? 0 }

  public func run(inbox: MessageInbox, stop: StopFlag) {
    state.attach(inbox)
    _ = inbox.send(spec.id, .event(.caughtUp))
    while !stop.isStopped && !inbox.isClosed {
      sleepNanoseconds(50 * Nanos.millisecond)
      let dropped = state.takeDropped()
      if dropped > 0 { _ = inbox.send(spec.id, .event(.dropped(kernel: 0, vigil: dropped))) }
    }
    try? channel.close().wait()
  }
}

/// What the handlers share: the inbox (once the source runs) and what was refused.
final class ReceiverState: Sendable {
  let feed: FeedID
  private let shared = Mutex<(inbox: MessageInbox?, dropped: UInt64)>((nil, 0))

  /// Connections open at once, at most.
  static let maxConnections = 256
  private let connections = Atomic<Int>(0)

  init(feed: FeedID) { self.feed = feed }

  /// Counts a new connection; false (and counted as dropped) past ``maxConnections``.
  func connectionOpened() -> Bool {
    let n = connections.add(1, ordering: .relaxed).newValue
    guard n <= Self.maxConnections else {
      connections.subtract(1, ordering: .relaxed)
      shared.withLock { $0.dropped += 1 }
      return false
    }
    return true
  }

  func connectionClosed() { connections.subtract(1, ordering: .relaxed) }

  func attach(_ inbox: MessageInbox) { shared.withLock { $0.inbox = inbox } }

  func takeDropped() -> UInt64 {
    shared.withLock { s in
      defer { s.dropped = 0 }
      return s.dropped
    }
  }

  /// Queues `body` as one record; false when it was refused (no inbox yet, or a full queue).
  func offer(_ body: [UInt8]) -> Bool {
    guard let inbox = shared.withLock({ $0.inbox }) else { return false }
    var batch = RecordBatch()
    body.withUnsafeBytes { batch.append($0, line: 1) }
    switch inbox.offer(feed, FeedPayload.records(batch, FeedFormat.otlp)) {
    case .queued: return true
    case .full, .closed:
      shared.withLock { $0.dropped += 1 }
      return false
    }
  }
}

/// One HTTP exchange at a time per connection (keep-alive works: the SDKs reuse connections).
private final class OTLPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  let state: ReceiverState
  var head: HTTPRequestHead?
  var body: [UInt8] = []
  var tooLarge = false

  init(state: ReceiverState) { self.state = state }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is IdleStateHandler.IdleStateEvent {
      context.close(promise: nil)
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let h):
      head = h
      body = []
      tooLarge = false
    case .body(var buffer):
      if body.count + buffer.readableBytes > OTLPLimits.maxRequestBytes {
        tooLarge = true
        body = []
      } else if !tooLarge {
        body += buffer.readBytes(length: buffer.readableBytes) ?? []
      }
    case .end:
      guard let head else { return }
      let (status, type, payload, extra) = answer(head)
      var headers = HTTPHeaders()
      headers.add(name: "Content-Type", value: type)
      headers.add(name: "Content-Length", value: String(payload.count))
      for (k, v) in extra { headers.add(name: k, value: v) }
      let keepAlive = head.isKeepAlive && status != .payloadTooLarge
      if !keepAlive { headers.add(name: "Connection", value: "close") }
      context.write(
        wrapOutboundOut(
          .head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
        promise: nil)
      var buffer = context.channel.allocator.buffer(capacity: payload.count)
      buffer.writeBytes(payload)
      context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
      let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
      if !keepAlive {
        let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
        done.whenComplete { _ in ctx.value.close(promise: nil) }
      }
      self.head = nil
      body = []
    }
  }

  /// The status, content type, body and extra headers for the request just read.
  func answer(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, [UInt8], [(String, String)])
  {
    let media =
      head.headers.first(name: "Content-Type")?.split(separator: ";").first
      .map { String($0).trimmingBlanks().lowercased() } ?? ""
    let json = media == "application/json"
    let type = json ? "application/json" : "application/x-protobuf"
    func status(_ s: HTTPResponseStatus, _ message: String, _ extra: [(String, String)] = [])
      -> (HTTPResponseStatus, String, [UInt8], [(String, String)])
    {
      (s, type, OTLPResponse.status(code: Int(s.code), message: message, json: json), extra)
    }
    guard head.uri.split(separator: "?").first == "/v1/metrics" else {
      return status(.notFound, "only /v1/metrics is served here (OTLP metrics)")
    }
    guard head.method == .POST else {
      return status(.methodNotAllowed, "use POST", [("Allow", "POST")])
    }
    guard json || media == "application/x-protobuf" else {
      return status(
        .unsupportedMediaType, "Content-Type must be application/x-protobuf or application/json")
    }
    if tooLarge {
      return status(.payloadTooLarge, "the request is over \(OTLPLimits.maxRequestBytes >> 20) MiB")
    }
    var bytes = body
    switch head.headers.first(name: "Content-Encoding")?.lowercased() ?? "identity" {
    case "gzip":
      switch gunzip(body, limit: OTLPLimits.maxRequestBytes) {
      case .success(let b): bytes = b
      case .failure(.tooLarge):
        return status(
          .payloadTooLarge, "the request is over \(OTLPLimits.maxRequestBytes >> 20) MiB inflated")
      case .failure(let e): return status(.badRequest, "\(e)")
      }
    case "identity": break
    case let other:
      return status(.unsupportedMediaType, "Content-Encoding \(other) is not supported")
    }
    let decoded: Result<OTLPRequest, DecodeFailure> =
      json
      ? bytes.withUnsafeBytes { OTLPJSONDecoder.decode($0) }.mapError {
        DecodeFailure(text: "\($0.message) (byte \($0.offset + 1))")
      }
      : bytes.withUnsafeBytes { OTLPProtobufDecoder.decode($0) }.mapError {
        DecodeFailure(text: "\($0.message) (byte \($0.offset + 1))")
      }
    let request: OTLPRequest
    switch decoded {
    case .success(let r): request = r
    case .failure(let why):
      return status(
        .badRequest, "not an OTLP \(json ? "JSON" : "protobuf") metrics request: \(why.text)")
    }
    // The loop's parser tells the encoding by the first byte (0x0A: protobuf): a JSON body
    // goes without its leading white space, which may be a newline.
    if json { bytes = Array(bytes.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) }
    guard state.offer(bytes) else {
      return status(.serviceUnavailable, "Vigil's queue is full; retry", [("Retry-After", "1")])
    }
    let rejected = request.nonFiniteNumberPoints
    return (
      .ok, type,
      OTLPResponse.success(
        rejected: rejected,
        message: rejected > 0 ? "\(rejected) data points have a value that is not finite" : "",
        json: json), []
    )
  }
}

/// Why a body did not decode, in words.
private struct DecodeFailure: Error {
  var text: String
}

extension OTLPRequest {
  /// Gauge and sum points whose value is NaN or infinite (the parser rejects them).
  var nonFiniteNumberPoints: Int {
    var n = 0
    for rm in resourceMetrics {
      for sm in rm.scopeMetrics {
        for m in sm.metrics {
          let points: [OTLPNumberPoint]
          switch m.data {
          case .gauge(let p): points = p
          case .sum(let s): points = s.points
          default: continue
          }
          n += points.filter { $0.value.doubleValue.map { !$0.isFinite } ?? false }.count
        }
      }
    }
    return n
  }
}

/// The bodies the OTLP specification gives a server: `ExportMetricsServiceResponse` (with
/// `partial_success` when points were rejected) and `google.rpc.Status` for errors.
enum OTLPResponse {
  static func success(rejected: Int, message: String, json: Bool) -> [UInt8] {
    if json {
      guard rejected > 0 || !message.isEmpty else { return Array("{}".utf8) }
      var s = "{\"partialSuccess\":{\"rejectedDataPoints\":\"\(rejected)\",\"errorMessage\":"
      appendJSONString(&s, message)
      return Array((s + "}}").utf8)
    }
    guard rejected > 0 || !message.isEmpty else { return [] }
    // ExportMetricsServiceResponse { partial_success (1): { rejected_data_points (1),
    // error_message (2) } }.
    var inner: [UInt8] = []
    if rejected > 0 { inner += ProtoWriter.varintField(1, UInt64(rejected)) }
    if !message.isEmpty { inner += ProtoWriter.bytesField(2, Array(message.utf8)) }
    return ProtoWriter.bytesField(1, inner)
  }

  static func status(code: Int, message: String, json: Bool) -> [UInt8] {
    // The gRPC code for the HTTP status: 3 invalid argument, 8 resource exhausted, 14
    // unavailable, 12 unimplemented, 5 not found.
    let grpc =
      switch code {
      case 400: 3
      case 413, 429: 8
      case 503: 14
      case 404: 5
      default: 12
      }
    if json {
      var s = "{\"code\":\(grpc),\"message\":"
      appendJSONString(&s, message)
      return Array((s + "}").utf8)
    }
    // google.rpc.Status { code (1), message (2) }.
    return ProtoWriter.varintField(1, UInt64(grpc)) + ProtoWriter.bytesField(2, Array(message.utf8))
  }
}
