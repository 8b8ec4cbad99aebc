/// The bodies Alertmanager's world expects: its API v2 alert list and its webhook payload
/// (version 4), built from ``AlertNotification``s.
///
/// Times are clamped to the wall clock (`now`): an instance's `at` is event time, which in
/// the demo or on a feed ahead of this host's clock can lie in the future, and Alertmanager
/// keeps an alert whose `endsAt` is in the future active until then.
public enum AlertmanagerPayload {
  /// `POST /api/v2/alerts`: `[{"labels","annotations","startsAt","endsAt","generatorURL"}]`.
  /// A firing alert's `endsAt` is `now + validFor` (Prometheus sends 4 × its resend interval,
  /// so an Alertmanager that stops hearing from Vigil resolves the alert by itself); a
  /// resolved one's is when it resolved.
  public static func apiV2(
    _ batch: [AlertNotification], now: Timestamp, validFor: Int64, generatorURL: String = ""
  ) -> String {
    var s = "["
    for (i, n) in batch.enumerated() {
      if i > 0 { s += "," }
      let (starts, ends) = times(n, now: now, validFor: validFor)
      s +=
        "{\"labels\":" + jsonObject(n.sentLabels) + ",\"annotations\":"
        + jsonObject(n.annotations)
      s += ",\"startsAt\":\"\(rfc3339Shortest(starts))\",\"endsAt\":\"\(rfc3339Shortest(ends))\""
      s += ",\"generatorURL\":"
      appendJSONString(&s, generatorURL)
      s += "}"
    }
    return s + "]"
  }

  /// The webhook body for alerts of one group (Vigil groups by `alertname`): version 4,
  /// `receiver`, `status` (firing while any alert of the group fires), `alerts[]` (each with
  /// `status`, `labels`, `annotations`, `startsAt`, `endsAt` — `0001-01-01T00:00:00Z` while
  /// firing, as Alertmanager sends — `generatorURL` and `fingerprint`), `groupLabels`,
  /// `commonLabels`, `commonAnnotations`, `externalURL`, `groupKey`, `truncatedAlerts`.
  public static func webhook(
    _ group: [AlertNotification], now: Timestamp, receiver: String = "vigil",
    externalURL: String = "", generatorURL: String = ""
  ) -> String {
    let name = group.first?.rule ?? ""
    let firing = group.contains { $0.status == .firing }
    var alerts = "["
    for (i, n) in group.enumerated() {
      if i > 0 { alerts += "," }
      let (starts, ends) = times(n, now: now, validFor: 0)
      alerts += "{\"status\":\"\(n.status.rawValue)\",\"labels\":" + jsonObject(n.sentLabels)
      alerts += ",\"annotations\":" + jsonObject(n.annotations)
      alerts += ",\"startsAt\":\"\(rfc3339Shortest(starts))\",\"endsAt\":\""
      alerts += (n.status == .firing ? "0001-01-01T00:00:00Z" : rfc3339Shortest(ends)) + "\""
      alerts += ",\"generatorURL\":"
      appendJSONString(&alerts, generatorURL)
      alerts += ",\"fingerprint\":\"\(n.fingerprint)\"}"
    }
    alerts += "]"
    var groupKey = "{}:{alertname="
    appendJSONString(&groupKey, name)
    groupKey += "}"
    var s = "{\"version\":\"4\",\"groupKey\":"
    appendJSONString(&s, groupKey)
    s += ",\"truncatedAlerts\":0,\"status\":\"\(firing ? "firing" : "resolved")\",\"receiver\":"
    appendJSONString(&s, receiver)
    s += ",\"groupLabels\":" + jsonObject([("alertname", name)])
    s += ",\"commonLabels\":" + jsonObject(common(group.map(\.sentLabels)))
    s += ",\"commonAnnotations\":" + jsonObject(common(group.map(\.annotations)))
    s += ",\"externalURL\":"
    appendJSONString(&s, externalURL)
    return s + ",\"alerts\":" + alerts + "}"
  }

  /// Start and end, clamped to `now` (a firing's end is `now + validFor`).
  static func times(_ n: AlertNotification, now: Timestamp, validFor: Int64)
    -> (Timestamp, Timestamp)
  {
    let starts = min(n.startsAt, now)
    let ends =
      n.status == .firing
      ? Timestamp(nanoseconds: now.nanoseconds &+ validFor) : max(starts, min(n.at, now))
    return (starts, ends)
  }

  /// The name/value pairs every list has, in the first list's order.
  static func common(_ lists: [[(name: String, value: String)]]) -> [(name: String, value: String)]
  {
    guard let first = lists.first else { return [] }
    return first.filter { pair in
      lists.dropFirst().allSatisfy { list in list.contains { $0 == pair } }
    }
  }
}
