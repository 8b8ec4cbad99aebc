import Testing
import VigilCore
import VigilTestSupport

@Suite struct HTTPURLTests {
  @Test func parsesHostPortPathAndQuery() throws {
    let u = try HTTPURL.parse("http://Prometheus.example:9090/prom/api?x=1&y=a%20b#frag").get()
    #expect(u.host == "prometheus.example")
    #expect(u.port == 9090)
    #expect(u.path == "/prom/api")
    #expect(u.query == "x=1&y=a%20b")
    #expect(u.hostHeader == "prometheus.example:9090")
    #expect(u.description == "http://prometheus.example:9090/prom/api?x=1&y=a%20b")
  }

  @Test func defaultsAndIPv6() throws {
    let plain = try HTTPURL.parse("http://10.0.0.1").get()
    #expect(plain.port == 80)
    #expect(plain.path == "/")
    #expect(plain.hostHeader == "10.0.0.1")
    let v6 = try HTTPURL.parse("http://[::1]:9100/metrics").get()
    #expect(v6.host == "::1")
    #expect(v6.hostHeader == "[::1]:9100")
    #expect(v6.shortName == "[::1]:9100")
    #expect(try HTTPURL.parse("http://[fe80::1]").get().hostHeader == "[fe80::1]")
    // https: TLS, port 443 unless given (the Host header leaves the scheme's port out).
    let tls = try HTTPURL.parse("HTTPS://Mimir.example/prometheus").get()
    #expect(tls.isTLS && tls.port == 443 && tls.hostHeader == "mimir.example")
    #expect(
      tls.appendingPath("/api/v1/query").description
        == "https://mimir.example/prometheus/api/v1/query")
    #expect(try HTTPURL.parse("https://p:8443").get().hostHeader == "p:8443")
    // The plain client says it cannot do TLS instead of speaking http to a TLS port.
    guard case .failure(let e) = HTTPClient().get(tls) else {
      Issue.record("the plain client sent a TLS request")
      return
    }
    #expect(e.description.contains("https needs the TLS client"))
  }

  @Test func refusesWhatTheClientCannotDo() {
    let cases: [(String, String)] = [
      ("ftp://x", "http:// or https://"),
      ("https://user@prom", "passwords"),
      ("prom:9090", "http://"),
      ("http://user:pw@prom", "passwords"),
      ("http://prom:0", "port"),
      ("http://prom:65536", "port"),
      ("http://prom:9x", "port"),
      ("http://prom:", "empty port"),
      ("http://", "no host"),
      ("http://pr om", "host"),
      ("http://[::1", "]"),
      ("http://[zz]", "IPv6"),
    ]
    for (text, expected) in cases {
      guard case .failure(.badURL(let why)) = HTTPURL.parse(text) else {
        Issue.record("\(text) should be refused")
        continue
      }
      #expect(why.contains(expected), "\(text): \(why)")
    }
  }

  @Test func percentEncodesQueryParametersAndUnsafePathBytes() throws {
    let u = try HTTPURL.parse("http://h/a b/ü%41%zz").get()
    #expect(u.path == "/a%20b/%C3%BC%41%25zz")
    let q = #"histogram_quantile(0.99, sum by (le) (rate(x_bucket{job="a&b"}[5m])))"#
    let target = u.appendingPath("/api/v1/query").requestTarget(adding: [
      ("query", q), ("time", "1795709741.369"),
    ])
    #expect(
      target
        == "/a%20b/%C3%BC%41%25zz/api/v1/query?query=histogram_quantile%280.99%2C%20sum%20by%20%28le%29%20%28rate%28x_bucket%7Bjob%3D%22a%26b%22%7D%5B5m%5D%29%29%29&time=1795709741.369"
    )
    #expect(percentDecode(percentEncode(q)) == q)
    #expect(percentEncode("a+b=c&d~e") == "a%2Bb%3Dc%26d~e")
  }
}

/// The response reader alone, fed in every split the tests can think of.
@Suite struct HTTPResponseReaderTests {
  /// Feeds `bytes` in pieces of `step` and finishes at the end.
  func read(_ bytes: [UInt8], step: Int = .max, cap: Int = 1 << 20) -> Result<
    HTTPResponse, HTTPError
  > {
    var r = HTTPResponseReader(maxHeadBytes: 4096, maxBodyBytes: cap)
    var i = 0
    do throws(HTTPError) {
      while i < bytes.count && !r.isComplete {
        let n = min(step, bytes.count - i)
        try r.push(Array(bytes[i..<(i + n)]))
        i += n
      }
      try r.finish()
    } catch {
      return .failure(error)
    }
    guard let resp = r.response else { return .failure(.truncated("incomplete")) }
    return .success(resp)
  }

  func read(_ text: String, step: Int = .max, cap: Int = 1 << 20) -> Result<
    HTTPResponse, HTTPError
  > { read(Array(text.utf8), step: step, cap: cap) }

  @Test(arguments: [1, 2, 3, 7, 1000])
  func contentLengthChunkedAndCloseDelimited(step: Int) throws {
    let fixed = try read(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: 5\r\n\r\nhelloEXTRA",
      step: step
    ).get()
    #expect(fixed.status == 200)
    #expect(fixed.reason == "OK")
    #expect(String(decoding: fixed.body, as: UTF8.self) == "hello")
    #expect(fixed.mediaType == "text/plain")

    let chunked = try read(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: t\r\n\r\n",
      step: step
    ).get()
    #expect(String(decoding: chunked.body, as: UTF8.self) == "Wikipedia in \r\n\r\nchunks.")

    let closed = try read("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil the end", step: step).get()
    #expect(String(decoding: closed.body, as: UTF8.self) == "until the end")

    // Bare LF line ends, an interim 100 Continue, and a 204 without a body.
    let lf = try read(
      "HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok", step: step
    )
    .get()
    #expect(lf.status == 200)
    #expect(lf.body == Array("ok".utf8))
    let empty = try read("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", step: step).get()
    #expect(empty.status == 204)
    #expect(empty.body.isEmpty)
  }

  @Test func badStatusLinesAndHeadersAreMalformed() {
    let bad = [
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1 099 Low\r\n\r\n",
      "HTTP/1.1 600 High\r\n\r\n",
      "HTTP/1.1 200OK\r\n\r\n",
      "ICY 200 OK\r\n\r\n",
      "<html>hello</html>\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: b\u{1}c\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 1\r\n\r\nx",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
      "HTTP/1.1 101 Switching Protocols\r\n\r\n",
    ]
    for text in bad {
      guard case .failure(.malformed) = read(text) else {
        Issue.record("should be malformed: \(printableExcerpt(text, limit: 80))")
        continue
      }
    }
  }

  @Test func truncatedResponsesSayWhere() {
    let cases: [(String, String)] = [
      ("", "without a response"),
      ("HTTP/1.1 200 OK\r\nContent-Le", "inside the headers"),
      ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "7 bytes before the end"),
      ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "chunked"),
      ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", "chunked"),
      ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", "chunked"),
    ]
    for (text, expected) in cases {
      guard case .failure(.truncated(let why)) = read(text, step: 3) else {
        Issue.record("should be truncated: \(printableExcerpt(text, limit: 80))")
        continue
      }
      #expect(why.contains(expected), "\(why)")
    }
  }

  @Test func bodiesOverTheCapAreRefusedWithoutBufferingThem() {
    let cap = 100
    let big = String(repeating: "x", count: 101)
    let cases = [
      "HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n" + big,
      "HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n\(big.prefix(64))\r\n40\r\n",
      "HTTP/1.1 200 OK\r\n\r\n" + big,
    ]
    for text in cases {
      #expect(read(text, step: 5, cap: cap) == .failure(.tooLarge(cap)))
    }
    // Exactly at the cap is fine.
    let exact = read(
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + String(big.prefix(100)), cap: cap)
    #expect((try? exact.get())?.body.count == 100)
  }

  @Test func headsOverTheLimitAreRefused() {
    let long = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: 5000) + "\r\n\r\n"
    guard case .failure(.malformed(let why)) = read(long, step: 100) else {
      Issue.record("a 5 KB head passed a 4 KiB limit")
      return
    }
    #expect(why.contains("4 KiB"))
  }

  /// Random bytes and random mutations of valid responses: every outcome is a response or an
  /// error, never a crash or a hang.
  @Test func garbageNeverCrashes() {
    var rng = SplitMix64(seed: 7)
    let valid = Array(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        .utf8)
    var outcomes = [0, 0]
    for round in 0..<3000 {
      var bytes: [UInt8]
      if round % 2 == 0 {
        bytes = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      } else {
        bytes = valid
        for _ in 0..<(1 + Int(rng.next() % 4)) {
          let at = Int(rng.next() % UInt64(bytes.count))
          bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        }
      }
      switch read(bytes, step: 1 + Int(rng.next() % 16), cap: 64) {
      case .success: outcomes[0] += 1
      case .failure: outcomes[1] += 1
      }
    }
    #expect(outcomes[0] + outcomes[1] == 3000)
    #expect(outcomes[1] > 1500, "random bytes are almost never a response")
  }
}

/// The client against a real socket server on loopback.
@Suite struct HTTPClientSocketTests {
  func url(_ server: LoopbackHTTPServer, _ path: String = "/metrics", v6: Bool = false) -> HTTPURL {
    HTTPURL(host: v6 ? "::1" : "127.0.0.1", port: server.port, path: path)
  }

  @Test func getSendsQueryHostAndAcceptAndReadsTheBody() throws {
    let server = try LoopbackHTTPServer { _ in
      [
        .send(
          LoopbackHTTPServer.response(headers: [("Content-Type", "text/plain")], body: "up 1\n"))
      ]
    }
    defer { server.stop() }
    let client = HTTPClient(timeout: 5 * Nanos.second)
    let r = client.get(
      url(server, "/api/v1/query"), query: [("query", "rate(x[5m]) > 0"), ("time", "12.5")],
      headers: [("Accept", "application/json")])
    let response = try r.get()
    #expect(response.status == 200)
    #expect(response.body == Array("up 1\n".utf8))
    let seen = try #require(server.requests.first)
    #expect(seen.method == "GET")
    #expect(seen.path == "/api/v1/query")
    #expect(seen.query == ["query": "rate(x[5m]) > 0", "time": "12.5"])
    #expect(seen.headers["host"] == "127.0.0.1:\(server.port)")
    #expect(seen.headers["accept"] == "application/json")
    #expect(seen.headers["connection"] == "close")
  }

  @Test func chunkedBodyArrivingInPieces() throws {
    let server = try LoopbackHTTPServer { _ in
      [
        .send(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel".utf8)),
        .pause(milliseconds: 30),
        .send(Array("lo\r\n".utf8)), .pause(milliseconds: 30),
        .send(Array("7\r\n, world\r\n0\r\n\r\n".utf8)),
      ]
    }
    defer { server.stop() }
    let body = try HTTPClient().get(url(server)).get().body
    #expect(String(decoding: body, as: UTF8.self) == "hello, world")
  }

  @Test func ipv6AndHostNames() throws {
    let server6 = try LoopbackHTTPServer(ipv6: true) { _ in
      [.send(LoopbackHTTPServer.response(body: "six"))]
    }
    defer { server6.stop() }
    #expect(try HTTPClient().get(url(server6, v6: true)).get().body == Array("six".utf8))
    let server4 = try LoopbackHTTPServer { _ in [.send(LoopbackHTTPServer.response(body: "four"))] }
    defer { server4.stop() }
    let named = try HTTPURL.parse("http://localhost:\(server4.port)/m").get()
    #expect(try HTTPClient().get(named).get().body == Array("four".utf8))
    #expect(server4.requests.first?.headers["host"] == "localhost:\(server4.port)")
  }

  @Test func truncatedBodyIsAnError() throws {
    let server = try LoopbackHTTPServer { _ in
      [.send(Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a little".utf8))]
    }
    defer { server.stop() }
    guard case .failure(.truncated(let why)) = HTTPClient().get(url(server)) else {
      Issue.record("a short body must be an error")
      return
    }
    #expect(why.contains("87 bytes before the end"))
  }

  @Test func slowServerTimesOut() throws {
    let server = try LoopbackHTTPServer { _ in
      [
        .send(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab".utf8)),
        .pause(milliseconds: 1500),
      ]
    }
    defer { server.stop() }
    let client = HTTPClient(timeout: 300 * Nanos.millisecond)
    guard case .failure(.timeout(let why)) = client.get(url(server)) else {
      Issue.record("a stalled body must time out")
      return
    }
    #expect(why.contains("waiting for the response"))
    #expect(why.contains("2 body bytes"))
  }

  @Test func oversizedBodyIsRefused() throws {
    let body = [UInt8](repeating: 0x61, count: 200_000)
    let server = try LoopbackHTTPServer { _ in
      [
        .send(Array("HTTP/1.1 200 OK\r\n\r\n".utf8)), .send(body),
      ]
    }
    defer { server.stop() }
    let r = HTTPClient(maxBodyBytes: 65_536).get(url(server))
    #expect(r == .failure(.tooLarge(65_536)))
    #expect(HTTPError.tooLarge(65_536).description == "response body over the 64 KiB limit")
  }

  @Test func badStatusLineFromASocket() throws {
    let server = try LoopbackHTTPServer { _ in [.send(Array("SSH-2.0-OpenSSH_9.2\r\n\r\n".utf8))] }
    defer { server.stop() }
    guard case .failure(.malformed(let why)) = HTTPClient().get(url(server)) else {
      Issue.record("not HTTP must be malformed")
      return
    }
    #expect(why.contains("bad status line"))
  }

  @Test func refusedConnectionAndUnknownHost() throws {
    // A port that was just free: bind, note it, close.
    let server = try LoopbackHTTPServer { _ in [] }
    let port = server.port
    server.stop()
    usleepMilliseconds(100)
    guard
      case .failure(.connect(let why)) = HTTPClient().get(
        HTTPURL(host: "127.0.0.1", port: port, path: "/"))
    else {
      Issue.record("a closed port must refuse")
      return
    }
    #expect(why.contains("refused"))
    #expect(why.contains("127.0.0.1:\(port)"))
    guard
      case .failure(.resolve) = HTTPClient().get(
        HTTPURL(host: "no-such-host.invalid", port: 80, path: "/"))
    else {
      Issue.record("an unknown host must fail to resolve")
      return
    }
  }

  @Test func cancelEndsAWaitingRequest() throws {
    let server = try LoopbackHTTPServer { _ in [.pause(milliseconds: 2000)] }
    defer { server.stop() }
    let stop = StopFlag()
    stop.stop()
    #expect(
      HTTPClient(timeout: 5 * Nanos.second).get(url(server), cancel: stop) == .failure(.cancelled))
  }
}

func usleepMilliseconds(_ ms: Int) { sleepNanoseconds(Int64(ms) * Nanos.millisecond) }
