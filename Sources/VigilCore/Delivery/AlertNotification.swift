/// One alert transition as delivery sends it (`--on-alert`; Alertmanager and webhooks later):
/// the alert's name, labels and annotations, its status, and when.
///
/// Only transitions to firing and to resolved are delivered; Alertmanager's vocabulary
/// (`firing`, `resolved`, `startsAt`, `endsAt`) names them.
public struct AlertNotification: Sendable, Equatable {
  public enum Status: String, Sendable { case firing, resolved }

  public var status: Status
  public var rule: String
  /// The instance's labels (series labels plus the rule's); `alertname` is added when sent.
  public var labels: LabelSet
  /// The rule's annotations, templated with the instance's labels and value, sorted by name.
  public var annotations: [(name: String, value: String)]
  public var value: Double?
  /// What the alert watches (`metric{label=value}`, or `num{…}/den{…}`), as `vigil check` says.
  public var series: String?
  /// The transition's tick.
  public var at: Timestamp
  /// When the instance started firing: `at` for a firing, the delivered firing's `at` for a
  /// resolve (set by ``AlertDispatcher``).
  public var startsAt: Timestamp
  /// True for a firing sent again to keep Alertmanager from timing it out (never to commands
  /// or webhooks).
  public var isResend = false

  public static func == (a: AlertNotification, b: AlertNotification) -> Bool {
    a.json == b.json
  }

  /// The notification of `transition` under `rule` (nil unless it is to firing or resolved).
  public init?(_ transition: AlertTransition, rule: AlertRule?, series: String?) {
    switch transition.to {
    case .firing: status = .firing
    case .resolved: status = .resolved
    default: return nil
    }
    self.rule = transition.rule
    labels = transition.labels
    value = transition.value
    self.series = series
    at = transition.t
    startsAt = transition.t
    annotations = (rule?.annotations.keys.sorted() ?? []).compactMap { key in
      rule?.annotation(key, labels: transition.labels, value: transition.value).map { (key, $0) }
    }
  }

  /// The labels as sent: `alertname` first, then the instance's (which cannot override it).
  public var sentLabels: [(name: String, value: String)] {
    [("alertname", rule)]
      + labels.labels.filter { $0.name != "alertname" }.map { ($0.name, $0.value) }
  }

  /// The instance (rule and labels) as one string: what keeps its notifications in order.
  public var instanceKey: String { rule + "\u{0}" + labels.description }

  /// Alertmanager's fingerprint of the sent labels: FNV-1a 64 over the names (sorted) and
  /// values, each followed by the byte 0xFF, as 16 hex digits (Prometheus's
  /// `LabelSet.Fingerprint`), so receivers that dedupe on it see Vigil's alerts as one.
  public var fingerprint: String {
    var h: UInt64 = 14_695_981_039_346_656_037
    func add(_ bytes: some Sequence<UInt8>) {
      for b in bytes {
        h ^= UInt64(b)
        h = h &* 1_099_511_628_211
      }
    }
    for l in sentLabels.sorted(by: { Array($0.name.utf8).lexicographicallyPrecedes($1.name.utf8) })
    {
      add(l.name.utf8)
      add([0xFF])
      add(l.value.utf8)
      add([0xFF])
    }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// One JSON object: `{"status","labels","annotations","startsAt",("endsAt",)"value","series"}`
  /// (`endsAt` on a resolve only).
  public var json: String {
    var s = "{\"status\":\"\(status.rawValue)\",\"labels\":" + jsonObject(sentLabels)
    s += ",\"annotations\":" + jsonObject(annotations)
    s += ",\"startsAt\":\"\(rfc3339Shortest(startsAt))\""
    if status == .resolved { s += ",\"endsAt\":\"\(rfc3339Shortest(at))\"" }
    s += ",\"value\":" + (value.map(formatJSONNumber) ?? "null")
    s += ",\"series\":"
    if let series { appendJSONString(&s, series) } else { s += "null" }
    return s + "}"
  }

  /// The environment a command gets: `VIGIL_ALERT_STATUS`, `_NAME`, `_VALUE`, `_SERIES`,
  /// `_AT`, `_JSON` (the object above), and `VIGIL_ALERT_LABEL_<NAME>` per label (the name upper
  /// case, anything but letters, digits and `_` as `_`). Values are passed as they are: a
  /// command reads them as data, never as part of its own text.
  public var environment: [(name: String, value: String)] {
    var env: [(String, String)] = [
      ("VIGIL_ALERT_STATUS", status.rawValue), ("VIGIL_ALERT_NAME", rule),
      ("VIGIL_ALERT_VALUE", value.map(formatJSONNumber) ?? ""),
      ("VIGIL_ALERT_SERIES", series ?? ""), ("VIGIL_ALERT_AT", rfc3339Shortest(at)),
      ("VIGIL_ALERT_JSON", json),
    ]
    for l in labels.labels {
      let name = String(
        l.name.uppercased().unicodeScalars.map {
          ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" ? Character($0) : "_"
        })
      env.append(("VIGIL_ALERT_LABEL_" + name, l.value))
    }
    return env
  }
}

/// `{"name":"value",...}` in the given order.
func jsonObject(_ pairs: [(name: String, value: String)]) -> String {
  var s = "{"
  for (i, p) in pairs.enumerated() {
    if i > 0 { s += "," }
    appendJSONString(&s, p.name)
    s += ":"
    appendJSONString(&s, p.value)
  }
  return s + "}"
}
