/// An `http://` or `https://` URL, parsed strictly enough to build a request from it.
///
/// Only what Vigil's HTTP clients can use is accepted: scheme `http` or `https`, a host name,
/// an IPv4 address or a bracketed IPv6 address, an optional port, a path and a query. User
/// info is refused (credentials go in files or the environment, ``HTTPClientConfig``).
/// Bytes in the path or query that may not appear raw in a request line are percent-encoded;
/// existing `%XX` escapes are kept.
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
  /// Host name or address, without the brackets of an IPv6 literal.
  public var host: String
  public var port: UInt16
  /// Starts with `/`; already percent-encoded.
  public var path: String
  /// The query without its `?`, already encoded; empty when there is none.
  public var query: String
  /// `https://`: the connection is TLS (port 443 unless given).
  public var isTLS: Bool

  public init(
    host: String, port: UInt16? = nil, path: String = "/", query: String = "", isTLS: Bool = false
  ) {
    self.host = host
    self.port = port ?? (isTLS ? 443 : 80)
    self.path = path
    self.query = query
    self.isTLS = isTLS
  }

  /// Parses `text`; the error says what is wrong in words.
  public static func parse(_ text: String) -> Result<HTTPURL, HTTPError> {
    let bytes = Array(text.utf8)
    let lower = String(decoding: bytes.prefix(8), as: UTF8.self).lowercased()
    let isTLS = lower.hasPrefix("https://")
    guard isTLS || lower.hasPrefix("http://") else {
      return .failure(.badURL("the address must start with http:// or https://"))
    }
    var i = isTLS ? 8 : 7
    let authorityStart = i
    while i < bytes.count, bytes[i] != UInt8(ascii: "/"), bytes[i] != UInt8(ascii: "?"),
      bytes[i] != UInt8(ascii: "#")
    {
      i += 1
    }
    let authority = Array(bytes[authorityStart..<i])
    let host: String
    let port: UInt16
    switch parseAuthority(authority, defaultPort: isTLS ? 443 : 80) {
    case .success(let hp): (host, port) = hp
    case .failure(let e): return .failure(e)
    }
    var pathBytes: [UInt8] = []
    while i < bytes.count, bytes[i] != UInt8(ascii: "?"), bytes[i] != UInt8(ascii: "#") {
      pathBytes.append(bytes[i])
      i += 1
    }
    var queryBytes: [UInt8] = []
    if i < bytes.count, bytes[i] == UInt8(ascii: "?") {
      i += 1
      while i < bytes.count, bytes[i] != UInt8(ascii: "#") {
        queryBytes.append(bytes[i])
        i += 1
      }
    }
    let path = pathBytes.isEmpty ? "/" : encodeKeepingEscapes(pathBytes, allowQuery: false)
    return .success(
      HTTPURL(
        host: host, port: port, path: path,
        query: encodeKeepingEscapes(queryBytes, allowQuery: true), isTLS: isTLS))
  }

  /// The host (lowercased) and port (80 when none is given) of `authority`, the part between
  /// `http://` and the path: a name or an IPv4 address, or an IPv6 address in brackets.
  static func parseAuthority(_ authority: [UInt8], defaultPort: UInt16 = 80) -> Result<
    (String, UInt16), HTTPError
  > {
    if authority.contains(UInt8(ascii: "@")) {
      return .failure(.badURL("user names and passwords in the address are not supported"))
    }
    let host: String
    var portText: [UInt8] = []
    if authority.first == UInt8(ascii: "[") {
      guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
        return .failure(.badURL("an IPv6 address needs a closing ]"))
      }
      let literal = authority[1..<close]
      guard !literal.isEmpty,
        literal.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
      else { return .failure(.badURL("not an IPv6 address between [ and ]")) }
      host = String(decoding: literal, as: UTF8.self)
      let rest = authority[(close + 1)...]
      if !rest.isEmpty {
        guard rest.first == UInt8(ascii: ":") else {
          return .failure(.badURL("expected :port after the IPv6 address"))
        }
        portText = Array(rest.dropFirst())
        if portText.isEmpty { return .failure(.badURL("empty port")) }
      }
    } else {
      var hostBytes = authority[...]
      if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
        hostBytes = authority[..<colon]
        portText = Array(authority[(colon + 1)...])
        if portText.isEmpty { return .failure(.badURL("empty port")) }
      }
      guard !hostBytes.isEmpty else { return .failure(.badURL("the address has no host")) }
      guard hostBytes.allSatisfy(isHostByte) else {
        return .failure(
          .badURL("the host may hold letters, digits, '.', '-' and '_' only (IPv6 goes in [ ])"))
      }
      host = String(decoding: hostBytes, as: UTF8.self)
    }
    var port = defaultPort
    if !portText.isEmpty {
      guard portText.count <= 5, portText.allSatisfy(isDigit),
        let p = Int(String(decoding: portText, as: UTF8.self)), p >= 1, p <= 65_535
      else { return .failure(.badURL("the port must be a number from 1 to 65535")) }
      port = UInt16(p)
    }
    return .success((host.lowercased(), port))
  }

  /// `host:port` as the `Host` header wants it (the port only when it is not the scheme's).
  public var hostHeader: String {
    let h = host.contains(":") ? "[\(host)]" : host
    return port == (isTLS ? 443 : 80) ? h : "\(h):\(port)"
  }

  /// `host:port`, always with the port (messages).
  public var hostAndPort: String {
    (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
  }

  /// The path and query for the request line, with `params` appended (percent-encoded).
  public func requestTarget(adding params: [(String, String)] = []) -> String {
    var q = query
    for (k, v) in params {
      if !q.isEmpty { q += "&" }
      q += percentEncode(k) + "=" + percentEncode(v)
    }
    return q.isEmpty ? path : path + "?" + q
  }

  /// This URL with `suffix` appended to its path (`/prom` + `/api/v1/query`), no query.
  public func appendingPath(_ suffix: String) -> HTTPURL {
    var base = path
    while base.hasSuffix("/") { base.removeLast() }
    return HTTPURL(host: host, port: port, path: base + suffix, query: "", isTLS: isTLS)
  }

  public var description: String {
    (isTLS ? "https://" : "http://") + hostHeader + requestTarget()
  }

  /// A short name for the UI: `host:port`, plus the path when it is not `/metrics` or `/`.
  public var shortName: String {
    let p = path == "/metrics" || path == "/" ? "" : path
    return hostAndPort + p
  }
}

/// Percent-encodes everything but the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`),
/// as a query parameter name or value needs (a space becomes `%20`).
public func percentEncode(_ text: String) -> String {
  var out: [UInt8] = []
  out.reserveCapacity(text.utf8.count)
  for b in text.utf8 {
    if isUnreserved(b) {
      out.append(b)
    } else {
      appendEscape(b, to: &out)
    }
  }
  return String(decoding: out, as: UTF8.self)
}

private let hexUpper = Array("0123456789ABCDEF".utf8)

private func appendEscape(_ b: UInt8, to out: inout [UInt8]) {
  out.append(UInt8(ascii: "%"))
  out.append(hexUpper[Int(b >> 4)])
  out.append(hexUpper[Int(b & 0x0F)])
}

private func isUnreserved(_ b: UInt8) -> Bool {
  switch b {
  case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
    UInt8(ascii: "_"), UInt8(ascii: "~"):
    return true
  default: return false
  }
}

private func isHexDigit(_ b: UInt8) -> Bool {
  isDigit(b) || (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "f"))
}

private func isHostByte(_ b: UInt8) -> Bool {
  isUnreserved(b) && b != UInt8(ascii: "~")
}

/// Keeps the characters a path (or query) may hold raw and valid `%XX` escapes; encodes the rest
/// (spaces, controls, non-ASCII, a stray `%`).
private func encodeKeepingEscapes(_ bytes: [UInt8], allowQuery: Bool) -> String {
  var out: [UInt8] = []
  var i = 0
  while i < bytes.count {
    let b = bytes[i]
    if b == UInt8(ascii: "%") {
      if i + 2 < bytes.count, isHexDigit(bytes[i + 1]), isHexDigit(bytes[i + 2]) {
        out.append(contentsOf: bytes[i...(i + 2)])
        i += 3
        continue
      }
      appendEscape(b, to: &out)
    } else if isUnreserved(b) || "!$&'()*+,;=:@/".utf8.contains(b)
      || (allowQuery && b == UInt8(ascii: "?"))
    {
      out.append(b)
    } else {
      appendEscape(b, to: &out)
    }
    i += 1
  }
  return String(decoding: out, as: UTF8.self)
}
