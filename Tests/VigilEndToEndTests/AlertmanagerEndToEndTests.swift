import Foundation
import Synchronization
import Testing
import VigilTestSupport

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Alert delivery against a real Alertmanager (Debian's `prometheus-alertmanager`, which
/// Tests/run.sh installs): `vigil watch --alertmanager` on the demo puts its firing alerts into
/// Alertmanager with their labels and annotations, and resolves them; `--webhook` sends what
/// Alertmanager's own webhook sends, key for key.
@Suite(.serialized) struct AlertmanagerEndToEndTests {
  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }

  /// A GET on loopback, synchronously (nil when it fails).
  static func get(_ url: String) -> Data? {
    guard let u = URL(string: url) else { return nil }
    let result = Mutex<Data?>(nil)
    let done = DispatchSemaphore(value: 0)
    let task = URLSession.shared.dataTask(with: u) { data, response, _ in
      if (response as? HTTPURLResponse)?.statusCode == 200 { result.withLock { $0 = data } }
      done.signal()
    }
    task.resume()
    _ = done.wait(timeout: .now() + 5)
    return result.withLock { $0 }
  }

  /// Alertmanager's active alerts: `[{"labels", "annotations", "fingerprint", ...}]`.
  static func alerts(_ base: String) -> [[String: Any]] {
    guard let data = get(base + "/api/v2/alerts") else { return [] }
    return (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] ?? []
  }

  @Test func watchDeliversToARealAlertmanagerAndItsWebhookMatchesAlertmanagers() throws {
    let dir = NSTemporaryDirectory() + "vigil-am-e2e-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // One receiver for both: Alertmanager's webhook posts to /am, Vigil's to /vigil.
    let receiver = try LoopbackHTTPServer { _ in [.send(LoopbackHTTPServer.response(body: ""))] }
    defer { receiver.stop() }
    let port = freeLoopbackPort()
    let am = "http://127.0.0.1:\(port)"
    try """
    route:
      receiver: hook
      group_by: [alertname]
      group_wait: 0s
      group_interval: 1s
      repeat_interval: 1h
    receivers:
      - name: hook
        webhook_configs:
          - url: http://127.0.0.1:\(receiver.port)/am
            send_resolved: true
    """.write(toFile: dir + "/am.yml", atomically: true, encoding: .utf8)
    guard
      let server = BackgroundProcess(
        [
          "timeout", "600", "prometheus-alertmanager", "--config.file=\(dir)/am.yml",
          "--storage.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(port)",
          "--cluster.listen-address=", "--log.level=warn",
        ], logPath: dir + "/am.log")
    else { throw Failure("cannot spawn prometheus-alertmanager (Tests/run.sh installs it)") }
    defer { server.stop() }
    var ready = false
    for _ in 0..<200 where !ready {
      ready = Self.get(am + "/-/ready") != nil
      if !ready {
        guard server.isRunning else { throw Failure("alertmanager exited: \(server.logTail())") }
        usleep(50_000)
      }
    }
    try #require(ready, "alertmanager not ready: \(server.logTail())")

    // The demo at 40x: its incident's alerts fire within seconds and resolve within a minute.
    guard
      let vigil = BackgroundProcess(
        [
          vigilBinary(), "watch", "--speed", "40", "--alertmanager", am, "--webhook",
          "http://127.0.0.1:\(receiver.port)/vigil", "--alert-resend", "1h",
        ], logPath: dir + "/watch.out")
    else { throw Failure("cannot spawn vigil watch") }
    defer { vigil.stop() }

    // The first live firing: seen on Vigil's output, then in Alertmanager.
    var firing: [String: Any]?
    var firingSeen: Date?
    var inAlertmanager: [String: Any]?
    let deadline = Date().addingTimeInterval(120)
    while Date() < deadline && inAlertmanager == nil {
      if firing == nil {
        let out = (try? String(contentsOfFile: dir + "/watch.out", encoding: .utf8)) ?? ""
        for line in out.split(separator: "\n") where line.contains("\"to\":\"firing\"") {
          let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
          // Only what Vigil delivered: the webhook got it too (history is not delivered).
          if let object, let rule = object["rule"] as? String,
            receiver.requests.contains(where: { $0.path == "/vigil" && $0.bodyText.contains(rule) })
          {
            firing = object
            firingSeen = Date()
            break
          }
        }
      }
      if let firing, let rule = firing["rule"] as? String {
        // The same rule can fire for several instances: this one, by all its labels.
        var wanted = (firing["labels"] as? [String: String]) ?? [:]
        wanted["alertname"] = rule
        inAlertmanager = Self.alerts(am).first { a in
          (a["labels"] as? [String: String]) == wanted
        }
      }
      if inAlertmanager == nil { usleep(20_000) }
    }
    let alert = try #require(inAlertmanager, "no alert reached Alertmanager: \(vigil.logTail())")
    let rule = try #require(firing?["rule"] as? String)
    if let seen = firingSeen {
      print(
        "delivery: \(rule) listed by Alertmanager \(Int(Date().timeIntervalSince(seen) * 1000)) ms after Vigil's transition line was read"
      )
    }
    // Labels: alertname, then the instance's (series labels and the rule's).
    var expected = (firing?["labels"] as? [String: String]) ?? [:]
    expected["alertname"] = rule
    #expect(alert["labels"] as? [String: String] == expected)
    let annotations = alert["annotations"] as? [String: String] ?? [:]
    #expect(annotations["summary"]?.isEmpty == false, "\(annotations)")
    // The demo's baselines are warm: the top suspect is named.
    #expect(annotations["suspect"]?.isEmpty == false, "\(annotations)")
    let status = alert["status"] as? [String: Any]
    #expect(status?["state"] as? String == "active")

    // Vigil's webhook body for that alert matches the one Alertmanager sends for it: the same
    // keys, the same group key, the same labels and fingerprint.
    func bodies(_ path: String) -> [[String: Any]] {
      receiver.requests.filter { $0.path == path }.compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any]
      }.filter { (($0["groupLabels"] as? [String: String])?["alertname"]) == rule }
    }
    var fromAM: [[String: Any]] = []
    for _ in 0..<250 where fromAM.isEmpty {
      fromAM = bodies("/am")
      if fromAM.isEmpty { usleep(20_000) }
    }
    let theirs = try #require(fromAM.first, "Alertmanager sent no webhook: \(server.logTail())")
    let theirAlert = try #require((theirs["alerts"] as? [[String: Any]])?.first)
    let theirLabels = theirAlert["labels"] as? [String: String]
    func alerts(_ body: [String: Any]) -> [[String: Any]] {
      body["alerts"] as? [[String: Any]] ?? []
    }
    let ours = try #require(
      bodies("/vigil").first { b in
        alerts(b).contains { ($0["labels"] as? [String: String]) == theirLabels }
      })
    #expect(Set(ours.keys) == Set(theirs.keys))
    #expect(
      ours["version"] as? String == "4"
        && ours["groupKey"] as? String == theirs["groupKey"] as? String)
    let ourAlert = try #require(
      alerts(ours).first { ($0["labels"] as? [String: String]) == theirLabels })
    #expect(Set(ourAlert.keys) == Set(theirAlert.keys))
    // And Alertmanager's API lists the delivered instance under the fingerprint Vigil sent.
    let apiLabels = alert["labels"] as? [String: String]
    let sentForIt = bodies("/vigil").flatMap(alerts).first {
      ($0["labels"] as? [String: String]) == apiLabels
    }
    #expect(sentForIt?["fingerprint"] as? String == alert["fingerprint"] as? String)
    #expect(ourAlert["fingerprint"] as? String == theirAlert["fingerprint"] as? String)

    // Resolved: Vigil sends endsAt, and Alertmanager drops the alert from its active list (the
    // 1h resend keeps its own expiry four hours away, so only the resolve can do that).
    let fingerprint = alert["fingerprint"] as? String
    var gone = false
    let resolveDeadline = Date().addingTimeInterval(120)
    while Date() < resolveDeadline && !gone {
      gone = !Self.alerts(am).contains { $0["fingerprint"] as? String == fingerprint }
      if !gone { usleep(100_000) }
    }
    #expect(gone, "\(rule) still active in Alertmanager: \(vigil.logTail())")
    #expect(
      receiver.requests.contains {
        $0.path == "/vigil" && $0.bodyText.contains(#""status":"resolved""#)
          && $0.bodyText.contains(rule)
      })
  }
}
