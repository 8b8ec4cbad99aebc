import Foundation
import Testing

@testable import VigilCore

/// Alert delivery's parts: the notification, the bounded queue with backoff, and the command
/// runner (`vigil watch --on-alert`).
@Suite struct DeliveryTests {
  static let t = Timestamp.seconds(1_795_687_200)

  static func notification(labels: LabelSet = ["service": "tax", "severity": "page"]) throws
    -> AlertNotification
  {
    let rule = AlertRule(
      name: "TaxSlow", selector: SeriesSelector(metric: "api_latency_ms"),
      annotations: ["summary": "p95 {{ $value }} on {{ $labels.service }}"])
    let tr = AlertTransition(
      t: t, rule: "TaxSlow", labels: labels, from: .pending, to: .firing, value: 412.5)
    return try #require(AlertNotification(tr, rule: rule, series: "api_latency_ms{service=tax}"))
  }

  @Test func aNotificationIsAlertmanagersShapeAndOnlyForFiringAndResolved() throws {
    let n = try Self.notification()
    #expect(
      n.json
        == #"{"status":"firing","labels":{"alertname":"TaxSlow","service":"tax","severity":"page"},"#
        + #""annotations":{"summary":"p95 412.5 on tax"},"startsAt":"2026-11-26T10:00:00Z","#
        + #""value":412.5,"series":"api_latency_ms{service=tax}"}"#)
    let env = Dictionary(uniqueKeysWithValues: n.environment.map { ($0.name, $0.value) })
    #expect(env["VIGIL_ALERT_NAME"] == "TaxSlow" && env["VIGIL_ALERT_STATUS"] == "firing")
    #expect(env["VIGIL_ALERT_LABEL_SERVICE"] == "tax" && env["VIGIL_ALERT_VALUE"] == "412.5")
    #expect(env["VIGIL_ALERT_JSON"] == n.json)
    // A label name that is no shell identifier is made one.
    let odd = try Self.notification(labels: ["http.route": "/pay", "severity": "page"])
    #expect(odd.environment.contains { $0 == ("VIGIL_ALERT_LABEL_HTTP_ROUTE", "/pay") })
    var tr = AlertTransition(
      t: Self.t, rule: "A", labels: .empty, from: .firing, to: .recovering, value: nil)
    #expect(AlertNotification(tr, rule: nil, series: nil) == nil)
    tr.to = .resolved
    let resolved = try #require(AlertNotification(tr, rule: nil, series: nil))
    #expect(resolved.json.contains(#""status":"resolved""#))
    #expect(resolved.json.contains(#""endsAt":"2026-11-26T10:00:00Z""#))
    #expect(resolved.json.contains(#""startsAt":"2026-11-26T10:00:00Z""#))
  }

  @Test func theQueueIsBoundedAndBacksOffWithJitter() throws {
    var q = DeliveryQueue<Int>(
      capacity: 3, maxAttempts: 3, baseDelay: Nanos.second, maxDelay: 3 * Nanos.second)
    for i in 0..<5 { _ = q.push(i, now: 0) }
    #expect(q.entries.count == 3 && q.dropped == 2)
    let next0 = q.next(now: 0)
    let first = try #require(next0)
    #expect(first.job == 0)
    q.finished(first, ok: false, now: 0)
    // Retried after 1 s × 0.5-1.5, behind the others that are due now.
    #expect(q.next(now: 0)?.job == 1)
    let retry = try #require(q.entries.first { $0.job == 0 })
    #expect(retry.attempts == 1)
    #expect(retry.notBefore >= Nanos.second / 2 && retry.notBefore <= 3 * Nanos.second / 2)
    // The second failure waits about twice as long; the third gives up.
    _ = q.next(now: 0)
    let next2 = q.next(now: 2 * Nanos.second)
    let again = try #require(next2)
    q.finished(again, ok: false, now: 2 * Nanos.second)
    let wait = try #require(q.entries.first { $0.job == 0 }).notBefore - 2 * Nanos.second
    #expect(wait >= Nanos.second && wait <= 3 * Nanos.second)
    let next10 = q.next(now: 10 * Nanos.second)
    let last = try #require(next10)
    q.finished(last, ok: false, now: 10 * Nanos.second)
    #expect(q.failed == 1 && q.retries == 2 && q.entries.isEmpty)
  }

  /// Waits until `body` holds (at most 10 s).
  static func eventually(_ body: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
      if body() { return true }
      usleep(20_000)
    }
    return body()
  }

  @Test func aCommandGetsTheAlertAsDataNeverAsShellText() throws {
    let dir = NSTemporaryDirectory() + "vigil-delivery-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let evil = "$(touch \(dir)/pwned)`touch \(dir)/pwned2`;touch \(dir)/pwned3"
    let n = try Self.notification(labels: ["service": evil])
    let d = DeliveryWorker(
      sink: CommandSink(
        command: "printf '%s' \"$VIGIL_ALERT_LABEL_SERVICE\" > \(dir)/label; cat > \(dir)/json"))
    d.send(n)
    #expect(Self.eventually { d.stats.delivered == 1 })
    #expect(try String(contentsOfFile: dir + "/label", encoding: .utf8) == evil)
    #expect(try String(contentsOfFile: dir + "/json", encoding: .utf8) == n.json + "\n")
    for f in ["pwned", "pwned2", "pwned3"] {
      #expect(!FileManager.default.fileExists(atPath: "\(dir)/\(f)"))
    }
  }

  @Test func failuresAndTimeoutsAreRetriedThenCountedWithTheReason() throws {
    let failing = DeliveryWorker(
      sink: CommandSink(command: "exit 3"),
      queue: DeliveryQueue(maxAttempts: 2, baseDelay: 10 * Nanos.millisecond))
    failing.send(try Self.notification())
    #expect(Self.eventually { failing.stats.failed == 1 })
    #expect(failing.stats.retries == 1 && failing.stats.lastError == "exit 3")
    let slow = DeliveryWorker(
      sink: CommandSink(command: "sleep 30", timeout: 200 * Nanos.millisecond),
      queue: DeliveryQueue(maxAttempts: 1))
    let start = Date()
    slow.send(try Self.notification())
    #expect(Self.eventually { slow.stats.failed == 1 })
    #expect(Date().timeIntervalSince(start) < 5)
    #expect(slow.stats.lastError == "timed out after 200ms")
    // A command that exits without reading its input is no crash (SIGPIPE is held off).
    let deaf = DeliveryWorker(sink: CommandSink(command: "exit 0"))
    deaf.send(try Self.notification())
    #expect(Self.eventually { deaf.stats.delivered == 1 })
  }
}
