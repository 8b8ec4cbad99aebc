import Foundation
import Synchronization
import Testing
import VigilTestSupport

@testable import VigilCore

/// Alertmanager and webhook delivery: what is sent, in what order, and how failures count.
@Suite struct AlertDeliveryTests {
  static let t = DeliveryTests.t

  static func transition(
    _ rule: String, _ labels: LabelSet, to: AlertState, at t: Timestamp = t,
    from: AlertState? = nil
  ) -> AlertTransition {
    AlertTransition(
      t: t, rule: rule, labels: labels, from: from ?? (to == .firing ? .pending : .firing),
      to: to, value: 412.5)
  }

  static func notification(
    _ rule: String = "TaxSlow", labels: LabelSet = ["service": "tax", "severity": "page"],
    to: AlertState = .firing, at t: Timestamp = t
  ) throws -> AlertNotification {
    try #require(
      AlertNotification(
        transition(rule, labels, to: to, at: t), rule: nil, series: "api_latency_ms{service=tax}"))
  }

  // MARK: The queue keeps each instance's order

  @Test func aRetriedFiringHoldsBackItsResolveButNotOtherInstances() throws {
    var q = DeliveryQueue<String>(maxAttempts: 5, baseDelay: Nanos.second, seed: 7)
    _ = q.push("A firing", key: "A", now: 0)
    _ = q.push("A resolved", key: "A", now: 0)
    _ = q.push("B firing", key: "B", now: 0)
    let first = q.take(now: 0, limit: 10)
    #expect(first.map(\.job) == ["A firing", "B firing"])
    q.finished(first[0], .retry, now: 0)
    q.finished(first[1], .delivered, now: 0)
    // A's firing waits out its backoff; its resolve must not go first.
    #expect(q.take(now: 0, limit: 10).isEmpty)
    let retried = q.take(now: 2 * Nanos.second, limit: 10)
    #expect(retried.map(\.job) == ["A firing"])
    q.finished(retried[0], .delivered, now: 2 * Nanos.second)
    #expect(q.take(now: 2 * Nanos.second, limit: 10).map(\.job) == ["A resolved"])
    // Without a key nothing is held back.
    var plain = DeliveryQueue<Int>()
    _ = plain.push(1, now: 0)
    _ = plain.push(2, now: 0)
    let taken = plain.next(now: 0)
    let one = try #require(taken)
    plain.finished(one, .retry, now: 0)
    #expect(plain.next(now: 0)?.job == 2)
  }

  @Test func aRefusalIsGivenUpAtOnce() throws {
    var q = DeliveryQueue<Int>(maxAttempts: 5)
    _ = q.push(1, key: "k", now: 0)
    let taken = q.next(now: 0)
    let e = try #require(taken)
    q.finished(e, .giveUp, now: 0)
    #expect(q.failed == 1 && q.retries == 0 && q.entries.isEmpty)
  }

  // MARK: Payloads

  @Test func theAPIv2BodyIsAlertmanagersAlertList() throws {
    let now = Self.t.adding(90 * Nanos.second)
    let firing = try Self.notification()
    var resolved = try Self.notification(to: .resolved, at: Self.t.adding(60 * Nanos.second))
    resolved.startsAt = Self.t
    let body = AlertmanagerPayload.apiV2([firing, resolved], now: now, validFor: 4 * Nanos.minute)
    #expect(
      body
        == #"[{"labels":{"alertname":"TaxSlow","service":"tax","severity":"page"},"annotations":{},"#
        + #""startsAt":"2026-11-26T10:00:00Z","endsAt":"2026-11-26T10:05:30Z","generatorURL":""},"#
        + #"{"labels":{"alertname":"TaxSlow","service":"tax","severity":"page"},"annotations":{},"#
        + #""startsAt":"2026-11-26T10:00:00Z","endsAt":"2026-11-26T10:01:00Z","generatorURL":""}]"#)
    // Event time ahead of the wall clock (the demo, a skewed host) is clamped to now, so
    // Alertmanager never holds a resolved alert open until a future end.
    let ahead = try Self.notification(to: .resolved, at: now.adding(Nanos.hour))
    #expect(
      AlertmanagerPayload.apiV2([ahead], now: now, validFor: 0).contains(
        #""endsAt":"2026-11-26T10:01:30Z""#))
    #expect(try JSONSerialization.jsonObject(with: Data(body.utf8)) is [Any])
  }

  @Test func theWebhookBodyIsAlertmanagersVersion4() throws {
    let a = try Self.notification(labels: ["service": "tax", "severity": "page"])
    let b = try Self.notification(labels: ["service": "payment", "severity": "page"])
    let body = AlertmanagerPayload.webhook([a, b], now: Self.t.adding(Nanos.minute))
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    #expect(object["version"] as? String == "4")
    #expect(object["status"] as? String == "firing")
    #expect(object["receiver"] as? String == "vigil")
    #expect(object["groupKey"] as? String == #"{}:{alertname="TaxSlow"}"#)
    #expect(object["groupLabels"] as? [String: String] == ["alertname": "TaxSlow"])
    #expect(
      object["commonLabels"] as? [String: String] == ["alertname": "TaxSlow", "severity": "page"])
    #expect(object["truncatedAlerts"] as? Int == 0)
    let alerts = try #require(object["alerts"] as? [[String: Any]])
    #expect(alerts.count == 2)
    #expect(alerts[0]["endsAt"] as? String == "0001-01-01T00:00:00Z")
    #expect(alerts[0]["startsAt"] as? String == "2026-11-26T10:00:00Z")
    #expect((alerts[1]["labels"] as? [String: String])?["service"] == "payment")
    #expect(alerts[0]["fingerprint"] as? String == a.fingerprint)
    #expect(a.fingerprint != b.fingerprint)
  }

  /// Prometheus's fingerprint: FNV-1a 64 over sorted names and values, each followed by 0xFF
  /// (the value computed independently; the real Alertmanager test compares with its own).
  @Test func theFingerprintIsPrometheusLabelSetFingerprint() throws {
    #expect(try Self.notification().fingerprint == "006f4c751892d514")
  }

  // MARK: What is sent

  @Test func theDispatcherSendsLiveFiringsTheirResolvesAndResends() throws {
    var d = AlertDispatcher(resendInterval: Nanos.minute)
    let tax: LabelSet = ["service": "tax"]
    let firing = Self.transition("TaxSlow", tax, to: .firing)
    // History read from a backlog, or an acked or silenced instance: nothing.
    #expect(
      d.notification(for: firing, rule: nil, series: nil, isNews: false, isQuiet: false, now: 0)
        == nil)
    #expect(
      d.notification(for: firing, rule: nil, series: nil, isNews: true, isQuiet: true, now: 0)
        == nil)
    // A resolve whose firing was never sent: nothing either.
    let resolved = Self.transition("TaxSlow", tax, to: .resolved, at: Self.t.adding(Nanos.minute))
    #expect(
      d.notification(for: resolved, rule: nil, series: nil, isNews: true, isQuiet: false, now: 0)
        == nil)
    let first = d.notification(
      for: firing, rule: nil, series: nil, isNews: true, isQuiet: false,
      suspect: "payment p99 x2.5 (api_latency_ms{service=payment})", now: 0)
    let sent = try #require(first)
    #expect(sent.annotations.map(\.name) == ["suspect"])
    #expect(d.resends(now: 59 * Nanos.second).isEmpty)
    let again = d.resends(now: 60 * Nanos.second)
    #expect(again.count == 1 && again[0].isResend && again[0].status == .firing)
    #expect(d.resends(now: 61 * Nanos.second).isEmpty)
    // The resolve is sent whatever the operator did since, with the firing's start.
    let last = d.notification(
      for: resolved, rule: nil, series: nil, isNews: false, isQuiet: true, now: 0)
    let end = try #require(last)
    #expect(end.status == .resolved && end.startsAt == Self.t && end.at == resolved.t)
    #expect(end.annotations.map(\.name) == ["suspect"])
    #expect(d.resends(now: 10 * Nanos.minute).isEmpty)
  }

  // MARK: HTTP sinks against a receiver

  @Test func alertmanagerGetsTheAPIPathAndRetriesUntilItAccepts() throws {
    let calls = Mutex(0)
    let server = try LoopbackHTTPServer { _ in
      let n = calls.withLock { c -> Int in
        c += 1
        return c
      }
      return n == 1
        ? [
          .send(
            LoopbackHTTPServer.response(status: 503, reason: "Service Unavailable", body: "busy"))
        ]
        : [.send(LoopbackHTTPServer.response(body: ""))]
    }
    defer { server.stop() }
    let url = try HTTPURL.parse("http://127.0.0.1:\(server.port)/prefix").get()
    let worker = DeliveryWorker(
      sink: AlertmanagerSink(url: url, validFor: 4 * Nanos.minute),
      queue: DeliveryQueue(baseDelay: 10 * Nanos.millisecond))
    worker.send(try Self.notification())
    #expect(DeliveryTests.eventually { worker.stats.delivered == 1 })
    #expect(worker.stats.retries == 1 && !worker.stats.failing)
    #expect(worker.stats.lastError == "HTTP 503 Service Unavailable: busy")
    let request = try #require(server.requests.last)
    #expect(request.method == "POST" && request.path == "/prefix/api/v2/alerts")
    #expect(request.headers["content-type"] == "application/json")
    let alerts = try #require(
      try JSONSerialization.jsonObject(with: Data(request.body)) as? [[String: Any]])
    #expect((alerts.first?["labels"] as? [String: String])?["alertname"] == "TaxSlow")
  }

  @Test func aWebhookThatRefusesIsGivenUpWithItsAnswerAndGroupsGoApart() throws {
    let server = try LoopbackHTTPServer { request in
      request.bodyText.contains("Refused")
        ? [
          .send(LoopbackHTTPServer.response(status: 400, reason: "Bad Request", body: "no\nthanks"))
        ]
        : [.send(LoopbackHTTPServer.response(body: "ok"))]
    }
    defer { server.stop() }
    let url = try HTTPURL.parse("http://127.0.0.1:\(server.port)/hook").get()
    let worker = DeliveryWorker(sink: WebhookSink(url: url))
    worker.send(try Self.notification("Refused"))
    #expect(DeliveryTests.eventually { worker.stats.failed == 1 })
    #expect(worker.stats.retries == 0 && worker.stats.failing)
    #expect(worker.stats.lastError == "HTTP 400 Bad Request: nothanks")
    worker.send(try Self.notification("TaxSlow"))
    worker.send(try Self.notification("PaymentSlow"))
    #expect(DeliveryTests.eventually { worker.stats.delivered == 2 })
    #expect(!worker.stats.failing)
    let groups = server.requests.compactMap { r -> String? in
      let o = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
      return (o?["groupLabels"] as? [String: String])?["alertname"]
    }
    #expect(Set(groups) == ["Refused", "TaxSlow", "PaymentSlow"])
  }

  @Test func aDeadReceiverIsRetriedThenCountedAndNeverBlocksTheSender() throws {
    // A port nothing listens on: connection refused.
    let url = try HTTPURL.parse("http://127.0.0.1:9/").get()
    let worker = DeliveryWorker(
      sink: WebhookSink(url: url),
      queue: DeliveryQueue(maxAttempts: 2, baseDelay: 10 * Nanos.millisecond))
    let start = Date()
    for _ in 0..<3 { worker.send(try Self.notification()) }
    #expect(Date().timeIntervalSince(start) < 0.5)
    #expect(DeliveryTests.eventually { worker.stats.failed == 3 })
    #expect(worker.stats.lastError?.contains("refused") == true)
  }

  @Test func aTargetsAuthenticationAndHeadersGoWithEveryRequest() throws {
    let server = try LoopbackHTTPServer { _ in [.send(LoopbackHTTPServer.response(body: ""))] }
    defer { server.stop() }
    var http = HTTPClientConfig()
    http.basicAuthUser = "vigil"
    http.basicAuthPasswordEnv = "VIGIL_TEST_AM_PASSWORD_\(getpid())"
    http.headers = [HTTPHeader(name: "X-Scope-OrgID", value: "shop")]
    setenv(http.basicAuthPasswordEnv ?? "", "s3cret", 1)
    let url = try HTTPURL.parse("http://127.0.0.1:\(server.port)").get()
    let worker = DeliveryWorker(
      sink: AlertmanagerSink(
        url: url, validFor: Nanos.minute, client: plainHTTP(HTTPLimits(), http)))
    worker.send(try Self.notification())
    #expect(DeliveryTests.eventually { worker.stats.delivered == 1 })
    let request = try #require(server.requests.last)
    // base64("vigil:s3cret")
    #expect(request.headers["authorization"] == "Basic dmlnaWw6czNjcmV0")
    #expect(request.headers["x-scope-orgid"] == "shop")
    // A secret that cannot be had fails the request with why, and sends nothing.
    unsetenv(http.basicAuthPasswordEnv ?? "")
    let before = server.requests.count
    let failing = DeliveryWorker(
      sink: AlertmanagerSink(
        url: url, validFor: Nanos.minute, client: plainHTTP(HTTPLimits(), http)),
      queue: DeliveryQueue(maxAttempts: 1))
    failing.send(try Self.notification())
    #expect(DeliveryTests.eventually { failing.stats.failed == 1 })
    #expect(failing.stats.lastError?.contains("is not set") == true)
    #expect(server.requests.count == before)
  }

  // MARK: Config

  @Test func theNotifySectionIsReadAndCheckedWithPositions() throws {
    let text = """
      notify:
        alertmanager: [http://127.0.0.1:9093, http://am2:9093]
        webhook: http://127.0.0.1:5001/hook
        command: logger "$VIGIL_ALERT_NAME"
        command_timeout: 5s
        resend: 30s
        basic_auth: {username: vigil, password_env: AM_PASSWORD}
        headers: {X-Scope-OrgID: shop}
      """
    let config = try ConfigLoader.parse(text, file: "v.yaml").get()
    #expect(config.notify.alertmanagers == ["http://127.0.0.1:9093", "http://am2:9093"])
    #expect(config.notify.webhooks == ["http://127.0.0.1:5001/hook"])
    #expect(config.notify.command == #"logger "$VIGIL_ALERT_NAME""#)
    #expect(config.notify.commandTimeout == 5 * Nanos.second)
    #expect(config.notify.resend == 30 * Nanos.second)
    #expect(config.notify.http.basicAuthUser == "vigil")
    #expect(config.notify.http.basicAuthPasswordEnv == "AM_PASSWORD")
    #expect(config.notify.http.headers == [HTTPHeader(name: "X-Scope-OrgID", value: "shop")])
    for (bad, expected) in [
      ("notify:\n  webhook: ftp://x\n", "v.yaml:2:12: notify.webhook"),
      ("notify:\n  resend: 500ms\n", "v.yaml:2:11: notify.resend must be from 1s to 1h"),
      ("notify:\n  pager: x\n", "v.yaml:2:3: unknown notify key \"pager\""),
      ("notify: [x]\n", "v.yaml:1:9: notify must be a mapping"),
    ] {
      switch ConfigLoader.parse(bad, file: "v.yaml") {
      case .success: Issue.record("accepted: \(bad)")
      case .failure(let problems):
        #expect(problems.description.hasPrefix(expected), "\(problems)")
      }
    }
  }
}
