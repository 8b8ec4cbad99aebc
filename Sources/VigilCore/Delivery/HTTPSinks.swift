/// `--alertmanager URL`: alerts posted to Alertmanager's API v2 (`POST /api/v2/alerts`), sent
/// again while they fire (``AlertDispatcher`` schedules the resends), resolved with `endsAt`.
public struct AlertmanagerSink: DeliverySink {
  public let url: HTTPURL
  public let client: any HTTPTransport
  /// How long a sent firing alert stays valid in Alertmanager without a resend.
  public let validFor: Int64
  public let headers: [(String, String)]
  public var name: String { "alertmanager \(url)" }
  /// Prometheus's notifier sends at most 64 alerts per request; so does Vigil.
  public var maxBatch: Int { 64 }
  public var wantsResends: Bool { true }

  /// `url` is Alertmanager's base URL (`http://host:9093`, or with a path prefix); the API
  /// path is added.
  public init(
    url: HTTPURL, validFor: Int64, client: any HTTPTransport = HTTPClient(),
    headers: [(String, String)] = []
  ) {
    self.url = url.path.hasSuffix("/api/v2/alerts") ? url : url.appendingPath("/api/v2/alerts")
    self.validFor = validFor
    self.client = client
    self.headers = headers
  }

  public func deliver(_ batch: [AlertNotification]) -> [(
    DeliveryQueue<AlertNotification>.Outcome, String?
  )] {
    let body = AlertmanagerPayload.apiV2(batch, now: SystemClock().now(), validFor: validFor)
    let result = postOutcome(client, url, Array(body.utf8), headers: headers)
    return Array(repeating: result, count: batch.count)
  }
}

/// `--webhook URL`: Alertmanager's webhook payload (version 4), one request per alert group
/// (the alerts of one rule in a batch), so receivers written for Alertmanager work unchanged.
public struct WebhookSink: DeliverySink {
  public let url: HTTPURL
  public let client: any HTTPTransport
  public let headers: [(String, String)]
  public var name: String { "webhook \(url)" }
  public var maxBatch: Int { 64 }
  public var wantsResends: Bool { false }

  public init(
    url: HTTPURL, client: any HTTPTransport = HTTPClient(), headers: [(String, String)] = []
  ) {
    self.url = url
    self.client = client
    self.headers = headers
  }

  public func deliver(_ batch: [AlertNotification]) -> [(
    DeliveryQueue<AlertNotification>.Outcome, String?
  )] {
    var outcomes = Array(
      repeating: (DeliveryQueue<AlertNotification>.Outcome.delivered, String?.none),
      count: batch.count)
    var groups: [String: [Int]] = [:]
    var order: [String] = []
    for (i, n) in batch.enumerated() {
      if groups[n.rule] == nil { order.append(n.rule) }
      groups[n.rule, default: []].append(i)
    }
    let now = SystemClock().now()
    for rule in order {
      let members = groups[rule] ?? []
      let body = AlertmanagerPayload.webhook(members.map { batch[$0] }, now: now)
      let result = postOutcome(client, url, Array(body.utf8), headers: headers)
      for i in members { outcomes[i] = result }
    }
    return outcomes
  }
}

/// POSTs JSON and judges the answer: 2xx is delivered; a network error, a timeout, 408, 429 or
/// a 5xx is retried; any other status is given up (the receiver refuses what was sent, and
/// sending it again would not change that), with the status and the start of the body.
func postOutcome(
  _ client: any HTTPTransport, _ url: HTTPURL, _ body: [UInt8], headers: [(String, String)]
) -> (DeliveryQueue<AlertNotification>.Outcome, String?) {
  switch client.post(url, body: body, headers: headers) {
  case .failure(let e): return (.retry, e.description)
  case .success(let r):
    if (200..<300).contains(r.status) { return (.delivered, nil) }
    var text = r.statusText
    let said = String(decoding: r.body.prefix(200), as: UTF8.self)
      .filter { !$0.isNewline }.trimmingBlanks()
    if !said.isEmpty { text += ": " + said }
    let retry = r.status == 408 || r.status == 429 || r.status >= 500
    return (retry ? .retry : .giveUp, text)
  }
}
