import Foundation
import Testing
import VigilTestSupport

/// HTTPS and basic auth against a real Prometheus serving TLS (`--web.config.file`), with
/// certificates the test makes with `openssl`: the same values as over plain HTTP, and a clear
/// error for a wrong password, an unknown CA and an expired certificate.
@Suite(.serialized) struct TLSPrometheusEndToEndTests {
  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }

  /// Runs `argv` in `dir`; throws with its output when it fails.
  @discardableResult
  static func run(_ argv: [String], in dir: String) throws -> String {
    let r = spawnAndWait(["sh", "-c", "cd \"$0\" && exec \"$@\"", dir] + argv)
    guard r.status == 0 else {
      throw Failure("\(argv.joined(separator: " ")): \(r.stdout)\(r.stderr)")
    }
    return r.stdout
  }

  /// A CA, a server certificate for localhost and 127.0.0.1 signed by it, and the same key in
  /// a certificate that expired in 2020.
  static func makeCertificates(in dir: String) throws {
    try """
    subjectAltName = DNS:localhost, IP:127.0.0.1
    """.write(toFile: dir + "/ext.cnf", atomically: true, encoding: .utf8)
    try """
    [ca]
    default_ca = here
    [here]
    dir = .
    database = index.txt
    new_certs_dir = .
    serial = serial
    default_md = sha256
    policy = any
    [any]
    commonName = supplied
    """.write(toFile: dir + "/ca.cnf", atomically: true, encoding: .utf8)
    try "".write(toFile: dir + "/index.txt", atomically: true, encoding: .utf8)
    try "01\n".write(toFile: dir + "/serial", atomically: true, encoding: .utf8)
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    try run(
      ["openssl", "req", "-x509"] + ec
        + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=vigil test CA"],
      in: dir)
    try run(
      ["openssl", "req"] + ec
        + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], in: dir)
    try run(
      [
        "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-set_serial", "7", "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf",
      ], in: dir)
    try run(
      [
        "openssl", "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.crt", "-keyfile", "ca.key",
        "-in", "server.csr", "-out", "expired.crt", "-startdate", "20200101000000Z", "-enddate",
        "20200102000000Z", "-extfile", "ext.cnf", "-notext",
      ], in: dir)
  }

  @Test func httpsWithBasicAuthGivesWhatPlainHTTPGivesAndFailuresSayWhy() throws {
    let dir = NSTemporaryDirectory() + "vigil-tls-e2e-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Self.makeCertificates(in: dir)

    // The same two hours of data in two servers: one plain, one TLS with basic auth.
    let start = (Int(Date().timeIntervalSince1970) - 5 * 3600) / 60 * 60
    var om = "# TYPE shop_checkout_ms gauge\n"
    for i in stride(from: 0, to: 7200, by: 15) {
      om += "shop_checkout_ms{stage=\"total\"} \(800 + (i / 15) % 97) \(start + i)\n"
    }
    om += "# EOF\n"
    try om.write(toFile: dir + "/data.om", atomically: true, encoding: .utf8)
    for name in ["plain", "tls"] {
      try Self.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", "data.om", name], in: dir)
    }
    try "global:\n  scrape_interval: 15s\n".write(
      toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
    // bcrypt of "s3cret" (Prometheus's basic_auth_users takes bcrypt hashes).
    let hash = "$2b$12$/FoP4ekEez85ZDXC/8qXnOxQMbKGPoxTM3HPqGx96qyByDaYMy6U."
    func webConfig(cert: String) throws {
      try """
      tls_server_config:
        cert_file: \(dir)/\(cert)
        key_file: \(dir)/server.key
      basic_auth_users:
        vigil: \(hash)
      """.write(toFile: dir + "/web.yml", atomically: true, encoding: .utf8)
    }
    try webConfig(cert: "server.crt")
    try "s3cret\n".write(toFile: dir + "/password", atomically: true, encoding: .utf8)
    try "wrong\n".write(toFile: dir + "/wrong", atomically: true, encoding: .utf8)

    let plainPort = freeLoopbackPort()
    let tlsPort = freeLoopbackPort()
    var servers: [BackgroundProcess] = []
    defer { for s in servers { s.stop() } }
    for (name, port, web) in [("plain", plainPort, false), ("tls", tlsPort, true)] {
      guard
        let p = BackgroundProcess(
          [
            "timeout", "600", "prometheus", "--config.file=\(dir)/prometheus.yml",
            "--storage.tsdb.path=\(dir)/\(name)", "--web.listen-address=127.0.0.1:\(port)",
            "--log.level=warn",
          ] + (web ? ["--web.config.file=\(dir)/web.yml"] : []), logPath: dir + "/\(name).log")
      else { throw Failure("cannot spawn prometheus (Tests/run.sh installs it)") }
      servers.append(p)
    }
    let plain = "http://127.0.0.1:\(plainPort)"
    let secure = "https://localhost:\(tlsPort)"
    let auth = [
      "--tls-ca", dir + "/ca.crt", "--basic-auth-user", "vigil", "--basic-auth-password-file",
      dir + "/password",
    ]
    let range = [
      "--prometheus", "--query", "checkout_latency_ms=shop_checkout_ms", "--from", "\(start)",
      "--to", "\(start + 7200)",
    ]
    func replay(_ url: String, _ extra: [String], save: String? = nil) throws -> (
      Int32, String, String
    ) {
      let saving: [String] = save.map { ["--save", $0] } ?? []
      let args: [String] = ["replay", "--prometheus", url] + range.dropFirst()
      return try runVigil(args + ["--headless"] + extra + saving)
    }
    // `vigil check` over a range: transitions as JSON lines, the summary on standard error.
    func check(_ url: String, _ extra: [String]) throws -> (Int32, String, String) {
      let args: [String] = ["check", "--prometheus", url] + range.dropFirst()
      return try runVigil(args + extra)
    }
    // Both servers answer (the TLS one once its web config is read).
    var ready = false
    for _ in 0..<150 where !ready {
      ready = try replay(plain, []).0 == 0 && replay(secure, auth).0 == 0
      if !ready { usleep(200_000) }
    }
    try #require(ready, "\(servers.map { $0.logTail() })")

    // The same range over both: the same points (range queries; the instant polls are the
    // dashboard's, checked below over a scrape of the TLS server itself).
    let a = dir + "/plain.jsonl"
    let b = dir + "/tls.jsonl"
    #expect(try replay(plain, [], save: a).0 == 0)
    let secured = try replay(secure, auth, save: b)
    #expect(secured.0 == 0, "\(secured.2)")
    func points(_ path: String) throws -> [String] {
      try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        .filter { $0.contains("\"k\":\"in\"") }
        .map { line in String(line[(line.range(of: "\"recs\"")?.lowerBound ?? line.endIndex)...]) }
    }
    let plainPoints = try points(a)
    #expect(plainPoints.count > 10)
    #expect(try points(b) == plainPoints)

    // `vigil check --prometheus` reads the same range through the same engine: over https
    // as over http, and as the replay recomputes it. A rule on the data makes transitions.
    let rules = dir + "/rules.yml"
    try """
    rules:
      - alert: CheckoutSlow
        metric: checkout_latency_ms
        aggregate: max
        window: 1m
        op: ">"
        threshold: 880
        for: 30s
        severity: page
    """.write(toFile: rules, atomically: true, encoding: .utf8)
    let checkedPlain = try check(plain, ["--rules", rules])
    let checkedTLS = try check(secure, auth + ["--rules", rules])
    #expect(checkedPlain.0 == 0 && checkedTLS.0 == 0, "\(checkedPlain.2)\n\(checkedTLS.2)")
    #expect(checkedPlain.1.contains("\"to\":\"firing\""), "\(checkedPlain.1)")
    #expect(checkedTLS.1 == checkedPlain.1)
    #expect(checkedTLS.2.contains("samples"), "\(checkedTLS.2)")
    let replayed = try replay(secure, auth + ["--rules", rules, "--transitions"])
    #expect(replayed.1 == checkedTLS.1, "replay:\n\(replayed.1)\ncheck:\n\(checkedTLS.1)")
    #expect(try check(secure, auth + ["--rules", rules, "--fail-on", "firing"]).0 == 2)

    // A wrong password, an unknown CA, an expired certificate: each says so.
    let wrong = try replay(
      secure,
      [
        "--tls-ca", dir + "/ca.crt", "--basic-auth-user", "vigil", "--basic-auth-password-file",
        dir + "/wrong",
      ])
    #expect(wrong.0 != 0 && wrong.2.contains("401"), "\(wrong.2)")
    let wrongCheck = try check(
      secure,
      [
        "--tls-ca", dir + "/ca.crt", "--basic-auth-user", "vigil", "--basic-auth-password-file",
        dir + "/wrong",
      ])
    #expect(wrongCheck.0 == 1 && wrongCheck.2.contains("HTTP 401"), "\(wrongCheck.2)")
    let noCA = ["--basic-auth-user", "vigil", "--basic-auth-password-file", dir + "/password"]
    for run in [try replay(secure, noCA), try check(secure, noCA)] {
      #expect(run.0 != 0 && run.2.contains("not signed by a trusted authority"), "\(run.2)")
    }
    try webConfig(cert: "expired.crt")
    var expired = try replay(secure, auth)
    for _ in 0..<20 where !expired.2.contains("expired") {
      usleep(200_000)
      expired = try replay(secure, auth)
    }
    #expect(expired.0 != 0 && expired.2.contains("expired on 2020-01-02"), "\(expired.2)")
    let expiredCheck = try check(secure, auth)
    #expect(
      expiredCheck.0 == 1 && expiredCheck.2.contains("expired on 2020-01-02"),
      "\(expiredCheck.2)")
    try webConfig(cert: "server.crt")

    // On screen: a scrape of the TLS server's own /metrics with the right password is a healthy
    // feed; with the wrong one the feeds view says 401.
    let tmux = try Tmux(width: 100, height: 30)
    try tmux.type(
      "\(vigilBinary()) --scrape \(secure)/metrics --every 1s --tls-ca \(dir)/ca.crt "
        + "--basic-auth-user vigil --basic-auth-password-file \(dir)/password --no-bell")
    #expect(
      tmux.waitFor(timeout: 30) { $0.contains { $0.contains("feeds 1/1 ok") } } != nil,
      "\(tmux.screen().joined(separator: "\n"))")
    try tmux.keys("q")
    _ = tmux.waitFor(timeout: 5) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" }
    try tmux.type(
      "\(vigilBinary()) --scrape \(secure)/metrics --every 1s --tls-ca \(dir)/ca.crt "
        + "--basic-auth-user vigil --basic-auth-password-file \(dir)/wrong --no-bell")
    try tmux.keys("F")
    #expect(
      tmux.waitForText(["401"], timeout: 30) != nil,
      "\(tmux.screen().joined(separator: "\n"))")
    try tmux.keys("q")
  }
}
