#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What sends an HTTP request and returns the whole response: ``HTTPClient`` (plain http, no
/// dependency), or the TLS-capable client the `vigil` binary links (`VigilNet`), chosen where
/// sources and sinks are made.
public protocol HTTPTransport: Sendable {
  /// One request: `method` on `url` with `query` appended, `headers` added and `body`.
  /// `cancel` (checked about every 50 ms) ends it early with ``HTTPError/cancelled``.
  func send(
    _ method: String, _ url: HTTPURL, query: [(String, String)], headers: [(String, String)],
    body: [UInt8]?, cancel: StopFlag?
  ) -> Result<HTTPResponse, HTTPError>
}

extension HTTPTransport {
  /// GETs `url` with `query` parameters appended and `headers` added.
  public func get(
    _ url: HTTPURL, query: [(String, String)] = [], headers: [(String, String)] = [],
    cancel: StopFlag? = nil
  ) -> Result<HTTPResponse, HTTPError> {
    send("GET", url, query: query, headers: headers, body: nil, cancel: cancel)
  }

  /// POSTs `body` to `url` (alert delivery: Alertmanager's API, webhooks).
  public func post(
    _ url: HTTPURL, body: [UInt8], contentType: String = "application/json",
    headers: [(String, String)] = [], cancel: StopFlag? = nil
  ) -> Result<HTTPResponse, HTTPError> {
    send(
      "POST", url, query: [], headers: [("Content-Type", contentType)] + headers, body: body,
      cancel: cancel)
  }
}

/// How to reach one HTTP server beyond its URL: TLS trust, authentication and extra headers,
/// as Prometheus's `tls_config`, `basic_auth`, `authorization` and `http_headers` say them.
/// Secrets are read from files or environment variables when a request is made (a rotated
/// token is picked up), never taken on the command line.
public struct HTTPClientConfig: Sendable, Equatable {
  /// A PEM file of CA certificates to trust instead of the system's.
  public var caFile: String?
  /// Do not verify the server's certificate (said in the feed's details).
  public var insecure = false
  public var basicAuthUser: String?
  /// The basic-auth password: a file, or an environment variable.
  public var basicAuthPasswordFile: String?
  public var basicAuthPasswordEnv: String?
  /// A bearer token: a file, or an environment variable.
  public var bearerTokenFile: String?
  public var bearerTokenEnv: String?
  /// Extra headers (`X-Scope-OrgID: tenant`), sent on every request.
  public var headers: [HTTPHeader] = []

  public init() {}

  public var isDefault: Bool { self == HTTPClientConfig() }

  /// What makes this config unusable, in words (nil when it is fine).
  public var problem: String? {
    if basicAuthPasswordFile != nil && basicAuthPasswordEnv != nil {
      return "give the basic auth password from a file or an environment variable, not both"
    }
    if (basicAuthPasswordFile != nil || basicAuthPasswordEnv != nil) && basicAuthUser == nil {
      return "a basic auth password needs a user"
    }
    if bearerTokenFile != nil && bearerTokenEnv != nil {
      return "give the bearer token from a file or an environment variable, not both"
    }
    if basicAuthUser != nil && (bearerTokenFile != nil || bearerTokenEnv != nil) {
      return "basic auth and a bearer token both set Authorization: give one"
    }
    if caFile != nil && insecure { return "a CA file and skipping verification: give one" }
    return nil
  }

  /// The headers a request carries: the extra ones, then `Authorization` (read now).
  public func requestHeaders(
    readFile: (String) -> String? = readSecretFile,
    environment: (String) -> String? = environmentValue
  ) -> Result<[(String, String)], HTTPError> {
    var out = headers.map { ($0.name, $0.value) }
    func secret(file: String?, env: String?, what: String) -> Result<String?, HTTPError> {
      if let file {
        guard let text = readFile(file) else {
          return .failure(.config("cannot read \(what) file \(file)"))
        }
        return .success(text.trimmingNewlines)
      }
      if let env {
        guard let v = environment(env), !v.isEmpty else {
          return .failure(.config("\(what): environment variable \(env) is not set"))
        }
        return .success(v)
      }
      return .success(nil)
    }
    if let user = basicAuthUser {
      switch secret(file: basicAuthPasswordFile, env: basicAuthPasswordEnv, what: "password") {
      case .failure(let e): return .failure(e)
      case .success(let password):
        out.append(
          ("Authorization", "Basic " + base64Encode(Array((user + ":" + (password ?? "")).utf8))))
      }
    }
    switch secret(file: bearerTokenFile, env: bearerTokenEnv, what: "bearer token") {
    case .failure(let e): return .failure(e)
    case .success(let token?): out.append(("Authorization", "Bearer " + token))
    case .success(nil): break
    }
    return .success(out)
  }
}

/// One extra request header, checked: a token name and a value without line breaks.
public struct HTTPHeader: Sendable, Equatable {
  public var name: String
  public var value: String

  /// `Name: value`; nil (with why) when it is not a header a request can carry.
  public static func parse(_ text: String) -> Result<HTTPHeader, HTTPError> {
    guard let colon = text.firstIndex(of: ":") else {
      return .failure(.config("a header is NAME: VALUE, not \"\(text)\""))
    }
    let name = String(text[..<colon]).trimmingBlanks()
    let value = String(text[text.index(after: colon)...]).trimmingBlanks()
    let tchar = Set("!#$%&'*+-.^_`|~".utf8)
    guard !name.isEmpty,
      name.utf8.allSatisfy({
        isDigit($0) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || tchar.contains($0)
      })
    else { return .failure(.config("\"\(name)\" is not a header name")) }
    guard !value.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) else {
      return .failure(.config("the value of header \(name) holds a control character"))
    }
    return .success(HTTPHeader(name: name, value: value))
  }

  public init(name: String, value: String) {
    self.name = name
    self.value = value
  }
}

/// Adds a server's headers and authentication (``HTTPClientConfig``) to every request.
public struct ConfiguredTransport: HTTPTransport {
  public let base: any HTTPTransport
  public let config: HTTPClientConfig

  public init(_ base: any HTTPTransport, config: HTTPClientConfig) {
    self.base = base
    self.config = config
  }

  public func send(
    _ method: String, _ url: HTTPURL, query: [(String, String)], headers: [(String, String)],
    body: [UInt8]?, cancel: StopFlag?
  ) -> Result<HTTPResponse, HTTPError> {
    switch config.requestHeaders() {
    case .failure(let e): return .failure(e)
    case .success(let extra):
      return base.send(
        method, url, query: query, headers: headers + extra, body: body, cancel: cancel)
    }
  }
}

/// A secret file's text (at most 64 KiB), nil when it cannot be read.
public func readSecretFile(_ path: String) -> String? {
  readTextFile(path).flatMap { $0.utf8.count <= 65_536 ? $0 : nil }
}

/// The environment variable's value, nil when it is not set.
public func environmentValue(_ name: String) -> String? {
  getenv(name).map { String(cString: $0) }
}

extension String {
  var trimmingNewlines: String {
    var s = self
    while s.last == "\n" || s.last == "\r" { s.removeLast() }
    return s
  }
}

/// The bounds of one client: connect timeout, one deadline for the whole exchange, body cap.
public struct HTTPLimits: Sendable, Equatable {
  public var connectTimeout: Int64
  public var timeout: Int64
  public var maxBodyBytes: Int

  public init(
    connectTimeout: Int64 = 5 * Nanos.second, timeout: Int64 = 10 * Nanos.second,
    maxBodyBytes: Int = 32 << 20
  ) {
    self.connectTimeout = connectTimeout
    self.timeout = timeout
    self.maxBodyBytes = maxBodyBytes
  }
}

/// Makes the transport for a server with these limits and this config: sources and sinks
/// take one, so the `vigil` binary can hand them its TLS client (`VigilNet`) while VigilCore
/// and its tests use ``plainHTTP``.
public typealias HTTPTransportMaker = @Sendable (HTTPLimits, HTTPClientConfig) -> any HTTPTransport

/// ``HTTPClient`` (plain http) with the config's headers and authentication.
public let plainHTTP: HTTPTransportMaker = { limits, config in
  ConfiguredTransport(
    HTTPClient(
      connectTimeout: limits.connectTimeout, timeout: limits.timeout,
      maxBodyBytes: limits.maxBodyBytes), config: config)
}
