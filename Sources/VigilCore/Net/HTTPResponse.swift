/// Why an HTTP request did not produce a response. The description is what feed health shows.
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The address cannot be used (not http://, bad host or port).
  case badURL(String)
  /// The host name did not resolve.
  case resolve(String)
  /// No connection (refused, unreachable): the reason and the address tried last.
  case connect(String)
  /// Nothing (or not enough) within the time allowed; says while doing what.
  case timeout(String)
  /// A send or receive error on an established connection.
  case io(String)
  /// The response is not HTTP/1.x as the client understands it.
  case malformed(String)
  /// The connection closed before the response was complete.
  case truncated(String)
  /// The body is larger than the client's cap (bytes).
  case tooLarge(Int)
  /// The caller asked to stop.
  case cancelled
  /// The client's own settings cannot be used (a CA file, a secret, a header), in words.
  case config(String)

  public var description: String {
    switch self {
    case .badURL(let s): "bad address: \(s)"
    case .resolve(let s): "cannot resolve \(s)"
    case .connect(let s): s
    case .timeout(let s): "timed out \(s)"
    case .io(let s): s
    case .malformed(let s): "malformed response: \(s)"
    case .truncated(let s): "truncated response: \(s)"
    case .tooLarge(let cap): "response body over the \(formatBytes(cap)) limit"
    case .cancelled: "cancelled"
    case .config(let s): s
    }
  }
}

/// `32 MiB`, `64 KiB`, `100 B`.
func formatBytes(_ n: Int) -> String {
  if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
  if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
  return "\(n) B"
}

/// A complete HTTP response.
public struct HTTPResponse: Sendable, Equatable {
  public var status: Int
  /// The reason phrase, made printable.
  public var reason: String
  /// Header names in lower case, values without surrounding blanks, in arrival order.
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]

  public init(
    status: Int, reason: String, headers: [(name: String, value: String)], body: [UInt8]
  ) {
    self.status = status
    self.reason = reason
    self.headers = headers
    self.body = body
  }

  /// The first value of header `name` (any case).
  public func header(_ name: String) -> String? {
    let n = name.lowercased()
    return headers.first { $0.name == n }?.value
  }

  /// The media type of `Content-Type` in lower case without parameters (`text/plain`), or nil.
  public var mediaType: String? {
    guard let ct = header("content-type") else { return nil }
    let main = ct.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    let t = main.trimmingBlanks().lowercased()
    return t.isEmpty ? nil : t
  }

  /// `200 OK`-style text for messages (`HTTP 503 Service Unavailable`).
  public var statusText: String { reason.isEmpty ? "HTTP \(status)" : "HTTP \(status) \(reason)" }

  public static func == (a: HTTPResponse, b: HTTPResponse) -> Bool {
    a.status == b.status && a.reason == b.reason && a.body == b.body
      && a.headers.map(\.name) == b.headers.map(\.name)
      && a.headers.map(\.value) == b.headers.map(\.value)
  }
}

extension StringProtocol {
  /// Without leading and trailing spaces and tabs.
  public func trimmingBlanks() -> String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" { s.removeLast() }
    return String(s)
  }
}

/// Turns the bytes of one HTTP/1.x response into an ``HTTPResponse``, incrementally and with
/// bounded memory.
///
/// Status line and headers must fit in `maxHeadBytes`; the body is framed by
/// `Transfer-Encoding: chunked`, `Content-Length`, or the end of the connection, and may not
/// exceed `maxBodyBytes`. `1xx` interim responses are skipped. Anything that does not follow
/// the grammar is an ``HTTPError/malformed(_:)``, a body cut short is
/// ``HTTPError/truncated(_:)``: never a crash.
public struct HTTPResponseReader: Sendable {
  public let maxHeadBytes: Int
  public let maxBodyBytes: Int
  /// The request was HEAD: the response has no body whatever its headers say.
  public let headRequest: Bool

  private enum Phase: Equatable {
    case head
    case fixed(remaining: Int)
    case chunkSize
    case chunkData(remaining: Int)
    case chunkEnd
    case trailers
    case untilClose
    case done
  }

  private var phase = Phase.head
  /// Bytes not consumed yet (the head, a chunk-size line, a line end).
  private var pending: [UInt8] = []
  private var scanned = 0
  private var status = 0
  private var reason = ""
  private var headers: [(name: String, value: String)] = []
  private var body: [UInt8] = []
  private var trailerBytes = 0

  public init(
    maxHeadBytes: Int = 64 * 1024, maxBodyBytes: Int = 32 << 20, headRequest: Bool = false
  ) {
    self.maxHeadBytes = maxHeadBytes
    self.maxBodyBytes = maxBodyBytes
    self.headRequest = headRequest
  }

  /// Whether the response is complete.
  public var isComplete: Bool { phase == .done }

  /// Body bytes received so far.
  public var bodyBytes: Int { body.count }

  /// The response, once complete.
  public var response: HTTPResponse? {
    phase == .done
      ? HTTPResponse(status: status, reason: reason, headers: headers, body: body) : nil
  }

  /// Consumes `chunk`. Bytes after the end of the response are ignored.
  public mutating func push(_ chunk: UnsafeRawBufferPointer) throws(HTTPError) {
    var i = 0
    while i < chunk.count && phase != .done {
      switch phase {
      case .fixed(let remaining):
        let n = min(remaining, chunk.count - i)
        body.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[i..<(i + n)]))
        i += n
        phase = remaining == n ? .done : .fixed(remaining: remaining - n)
      case .chunkData(let remaining):
        let n = min(remaining, chunk.count - i)
        body.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[i..<(i + n)]))
        i += n
        phase = remaining == n ? .chunkEnd : .chunkData(remaining: remaining - n)
      case .untilClose:
        let n = chunk.count - i
        guard body.count + n <= maxBodyBytes else { throw .tooLarge(maxBodyBytes) }
        body.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[i...]))
        i = chunk.count
      case .head, .chunkSize, .chunkEnd, .trailers:
        // Line-oriented phases: take bytes up to the next line end.
        let start = i
        while i < chunk.count && chunk[i] != 0x0A { i += 1 }
        let sawEnd = i < chunk.count
        if sawEnd { i += 1 }
        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
        try checkLineLimits()
        if sawEnd { try lineEnded() }
      case .done:
        break
      }
    }
  }

  /// Consumes `bytes` (tests and slow paths).
  public mutating func push(_ bytes: [UInt8]) throws(HTTPError) {
    var failure: HTTPError?
    bytes.withUnsafeBytes { raw in
      do throws(HTTPError) { try push(raw) } catch { failure = error }
    }
    if let failure { throw failure }
  }

  /// The connection closed: completes a close-delimited body, or reports what was cut short.
  public mutating func finish() throws(HTTPError) {
    switch phase {
    case .done: return
    case .untilClose: phase = .done
    case .head:
      throw .truncated(
        status == 0 && pending.isEmpty && headers.isEmpty
          ? "the server closed the connection without a response"
          : "the connection closed inside the headers")
    case .fixed(let remaining):
      throw .truncated("the connection closed \(remaining) bytes before the end of the body")
    case .chunkSize, .chunkData, .chunkEnd, .trailers:
      throw .truncated("the connection closed inside a chunked body")
    }
  }

  private mutating func checkLineLimits() throws(HTTPError) {
    switch phase {
    case .head:
      if pending.count > maxHeadBytes {
        throw .malformed("status line and headers over \(formatBytes(maxHeadBytes))")
      }
    case .chunkSize, .chunkEnd:
      if pending.count > 4096 { throw .malformed("chunk size line over 4 KiB") }
    case .trailers:
      if trailerBytes + pending.count > maxHeadBytes {
        throw .malformed("trailers over \(formatBytes(maxHeadBytes))")
      }
    default: break
    }
  }

  /// `pending` ends with a line feed: act on the line.
  private mutating func lineEnded() throws(HTTPError) {
    switch phase {
    case .head:
      // The head ends with an empty line.
      let n = pending.count
      let endsHead =
        (n >= 2 && pending[n - 2] == 0x0A)
        || (n >= 3 && pending[n - 2] == 0x0D && pending[n - 3] == 0x0A)
      if n <= 2 && (n == 1 || pending[0] == 0x0D) {
        // Leading empty lines before a status line are tolerated (RFC 9112 §2.2).
        pending.removeAll(keepingCapacity: true)
        return
      }
      if endsHead { try parseHead() }
    case .chunkSize:
      let line = stripLineEnd(pending)
      pending.removeAll(keepingCapacity: true)
      try chunkSizeLine(line)
    case .chunkEnd:
      let line = stripLineEnd(pending)
      pending.removeAll(keepingCapacity: true)
      guard line.isEmpty else { throw .malformed("chunk data longer than its size") }
      phase = .chunkSize
    case .trailers:
      let line = stripLineEnd(pending)
      trailerBytes += pending.count
      pending.removeAll(keepingCapacity: true)
      if line.isEmpty { phase = .done }
    default: break
    }
  }

  private mutating func chunkSizeLine(_ line: ArraySlice<UInt8>) throws(HTTPError) {
    var size = 0
    var digits = 0
    var j = line.startIndex
    while j < line.endIndex, let d = hexValue(line[j]) {
      guard digits < 15 else { throw .malformed("chunk size too large") }
      size = size << 4 | d
      digits += 1
      j += 1
    }
    guard digits > 0 else {
      throw .malformed("bad chunk size line \"\(printableExcerpt(Array(line), limit: 40))\"")
    }
    // Only blanks and extensions (`;name=value`) may follow the size.
    while j < line.endIndex && (line[j] == 0x20 || line[j] == 0x09) { j += 1 }
    guard j == line.endIndex || line[j] == UInt8(ascii: ";") else {
      throw .malformed("bad chunk size line \"\(printableExcerpt(Array(line), limit: 40))\"")
    }
    if size == 0 {
      phase = .trailers
      return
    }
    guard body.count + size <= maxBodyBytes else { throw .tooLarge(maxBodyBytes) }
    phase = .chunkData(remaining: size)
  }

  /// Parses the status line and headers in `pending`, then picks the body framing.
  private mutating func parseHead() throws(HTTPError) {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    for (k, b) in pending.enumerated() where b == 0x0A {
      lines.append(stripLineEnd(pending[start...k]))
      start = k + 1
    }
    pending.removeAll(keepingCapacity: true)
    while let last = lines.last, last.isEmpty { lines.removeLast() }
    guard let first = lines.first else { throw .malformed("empty head") }
    try parseStatusLine(first)
    headers.removeAll()
    for line in lines.dropFirst() {
      guard headers.count < 256 else { throw .malformed("more than 256 header fields") }
      headers.append(try parseHeaderLine(line))
    }
    if status >= 100 && status < 200 {
      guard status != 101 else { throw .malformed("the server switched protocols (HTTP 101)") }
      headers.removeAll()
      status = 0
      return  // an interim response: the real one follows
    }
    try chooseFraming()
  }

  private mutating func parseStatusLine(_ line: ArraySlice<UInt8>) throws(HTTPError) {
    let bad = HTTPError.malformed(
      "bad status line \"\(printableExcerpt(Array(line), limit: 60))\"")
    let l = Array(line)
    // HTTP/1.x SP 3DIGIT [SP reason]
    guard l.count >= 12, l[0..<7].elementsEqual("HTTP/1.".utf8), isDigit(l[7]),
      l[8] == 0x20, isDigit(l[9]), isDigit(l[10]), isDigit(l[11])
    else { throw bad }
    let code = Int(l[9] - 0x30) * 100 + Int(l[10] - 0x30) * 10 + Int(l[11] - 0x30)
    guard code >= 100 && code <= 599 else { throw bad }
    if l.count > 12 {
      guard l[12] == 0x20 else { throw bad }
      reason = printableExcerpt(Array(l[13...]), limit: 80)
    } else {
      reason = ""
    }
    status = code
  }

  private func parseHeaderLine(_ line: ArraySlice<UInt8>) throws(HTTPError) -> (
    name: String, value: String
  ) {
    guard let first = line.first else { throw .malformed("empty header line") }
    if first == 0x20 || first == 0x09 {
      throw .malformed("obsolete header line folding")
    }
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
      throw .malformed(
        "header line without a colon: \"\(printableExcerpt(Array(line), limit: 60))\"")
    }
    let name = line[line.startIndex..<colon]
    guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
      throw .malformed("bad header name \"\(printableExcerpt(Array(name), limit: 40))\"")
    }
    var v = line[(colon + 1)...]
    while let f = v.first, f == 0x20 || f == 0x09 { v.removeFirst() }
    while let l = v.last, l == 0x20 || l == 0x09 { v.removeLast() }
    for b in v where (b < 0x20 && b != 0x09) || b == 0x7F {
      throw .malformed("control character in header \(String(decoding: name, as: UTF8.self))")
    }
    return (String(decoding: name, as: UTF8.self).lowercased(), String(decoding: v, as: UTF8.self))
  }

  private mutating func chooseFraming() throws(HTTPError) {
    if headRequest || status == 204 || status == 304 {
      phase = .done
      return
    }
    let encodings = headers.filter { $0.name == "content-encoding" }.flatMap {
      $0.value.split(separator: ",").map { $0.trimmingBlanks().lowercased() }
    }
    if let e = encodings.first(where: { $0 != "identity" && !$0.isEmpty }) {
      throw .malformed(
        "compressed body (Content-Encoding: \(printableExcerpt(e, limit: 20))) not supported")
    }
    let transfer = headers.filter { $0.name == "transfer-encoding" }.flatMap {
      $0.value.split(separator: ",").map { $0.trimmingBlanks().lowercased() }
    }
    if !transfer.isEmpty {
      guard transfer == ["chunked"] else {
        throw .malformed(
          "unsupported Transfer-Encoding \(printableExcerpt(transfer.joined(separator: ", "), limit: 40))"
        )
      }
      phase = .chunkSize
      return
    }
    let lengths = headers.filter { $0.name == "content-length" }.flatMap {
      $0.value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingBlanks() }
    }
    if let first = lengths.first {
      guard lengths.allSatisfy({ $0 == first }) else {
        throw .malformed("conflicting Content-Length values")
      }
      guard !first.isEmpty, first.utf8.count <= 18, first.utf8.allSatisfy(isDigit),
        let n = Int(first)
      else { throw .malformed("bad Content-Length \"\(printableExcerpt(first, limit: 30))\"") }
      guard n <= maxBodyBytes else { throw .tooLarge(maxBodyBytes) }
      phase = n == 0 ? .done : .fixed(remaining: n)
      body.reserveCapacity(n)
      return
    }
    phase = .untilClose
  }
}

private func stripLineEnd(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
  var e = s.endIndex
  if e > s.startIndex && s[e - 1] == 0x0A { e -= 1 }
  if e > s.startIndex && s[e - 1] == 0x0D { e -= 1 }
  return s[s.startIndex..<e]
}

private func stripLineEnd(_ s: [UInt8]) -> ArraySlice<UInt8> { stripLineEnd(s[...]) }

private func hexValue(_ b: UInt8) -> Int? {
  switch b {
  case 0x30...0x39: Int(b - 0x30)
  case 0x41...0x46: Int(b - 0x41 + 10)
  case 0x61...0x66: Int(b - 0x61 + 10)
  default: nil
  }
}

/// RFC 9110 `tchar`.
private func isTokenByte(_ b: UInt8) -> Bool {
  switch b {
  case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
    UInt8(ascii: "0")...UInt8(ascii: "9"):
    return true
  default:
    return "!#$%&'*+-.^_`|~".utf8.contains(b)
  }
}
