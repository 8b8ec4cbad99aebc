extension SuspectRanking {
  /// The `vigil check --suspects` line (no newline), after a transition to firing:
  ///
  /// `{"t":"<RFC 3339>","alert":"<rule>","labels":{...},"suspects":[{"component":"payment",`
  /// `"series":"api_latency_ms{service=payment}","measure":"p99","score":12.3,"change":7.1,`
  /// `"onset":"<RFC 3339>"}, ...]}`
  ///
  /// Best first; `score` to one decimal, `change` (current / baseline median) to two
  /// decimals or `null` when the median is 0, `onset` `null` when unknown.
  public var jsonLine: String {
    var s = "{\"t\":\"" + rfc3339Shortest(t) + "\",\"alert\":"
    if let alert { appendJSONString(&s, alert) } else { s += "null" }
    s += ",\"labels\":{"
    for (i, l) in labels.labels.enumerated() {
      if i > 0 { s += "," }
      appendJSONString(&s, l.name)
      s += ":"
      appendJSONString(&s, l.value)
    }
    s += "},\"suspects\":["
    for (i, x) in suspects.enumerated() {
      if i > 0 { s += "," }
      s += "{\"component\":"
      appendJSONString(&s, x.component)
      s += ",\"series\":"
      appendJSONString(&s, x.series)
      s += ",\"measure\":"
      appendJSONString(&s, x.measure)
      s += ",\"score\":" + formatJSONNumber(Suspect.rounded(x.score, digits: 1))
      s +=
        ",\"change\":"
        + (x.change.map { formatJSONNumber(Suspect.rounded($0, digits: 2)) } ?? "null")
      s += ",\"onset\":" + (x.onset.map { "\"" + rfc3339Shortest($0) + "\"" } ?? "null")
      s += "}"
    }
    return s + "]}"
  }
}

extension Suspect {
  /// `v` rounded to `digits` decimals (non-finite values as they are: JSON writes them null).
  static func rounded(_ v: Double, digits: Int) -> Double {
    guard v.isFinite else { return v }
    let f = digits == 1 ? 10.0 : 100.0
    let r = (v * f).rounded() / f
    return r.isFinite ? r : v
  }
}
