import ArgumentParser
import VigilApp
import VigilCore
import VigilNet

/// Where alerts are delivered, for the dashboard and `vigil watch`: the flags, added to the
/// config file's `notify:` section (URLs add up; a flag's command or duration wins).
struct DeliveryOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Run this shell command when an alert starts firing and when it resolves.",
      discussion: """
        The alert is in VIGIL_ALERT_* environment variables and, as JSON, on its standard \
        input; never in the command's text. Exit 0 is delivered; a failure is retried with \
        backoff. History read from a backlog is not delivered; acked and silenced alerts \
        are not either.
        """,
      valueName: "CMD"))
  var onAlert: String?

  @Option(help: "How long --on-alert's command may run before it is killed. (default: 10s)")
  var onAlertTimeout: String?

  @Option(
    help: ArgumentHelp(
      "POST alerts to this URL as Alertmanager's webhook payload (version 4). Repeatable.",
      valueName: "URL"))
  var webhook: [String] = []

  @Option(
    help: ArgumentHelp(
      "Send alerts to this Alertmanager (its API v2; e.g. http://127.0.0.1:9093). Repeatable.",
      valueName: "URL"))
  var alertmanager: [String] = []

  @Option(help: "How often firing alerts are sent to Alertmanager again. (default: 1m)")
  var alertResend: String?

  func validate() throws {
    if let t = onAlertTimeout {
      guard let ns = Nanos.parse(t), ns > 0, ns <= Nanos.hour else {
        throw ValidationError(
          "--on-alert-timeout: \"\(t)\" is not a duration like 10s (at most 1h)")
      }
    }
    if let r = alertResend {
      guard let ns = Nanos.parse(r), ns >= Nanos.second, ns <= Nanos.hour else {
        throw ValidationError("--alert-resend: \"\(r)\" is not a duration from 1s to 1h")
      }
    }
    if let cmd = onAlert, cmd.allSatisfy(\.isWhitespace) {
      throw ValidationError("--on-alert needs a command")
    }
    for (flag, urls) in [("--webhook", webhook), ("--alertmanager", alertmanager)] {
      for u in urls {
        if case .failure(let e) = HTTPURL.parse(u) { throw ValidationError("\(flag): \(e)") }
      }
    }
  }

  /// The sinks of the flags over `file` (nil when there are none).
  func deliveries(over file: NotifyConfig) -> AlertDeliveries? {
    var n = file
    n.alertmanagers += alertmanager
    n.webhooks += webhook
    if let onAlert { n.command = onAlert }
    if let t = onAlertTimeout.flatMap(Nanos.parse) { n.commandTimeout = t }
    if let r = alertResend.flatMap(Nanos.parse) { n.resend = r }
    guard !n.isEmpty else { return nil }
    let resend = n.resend ?? Nanos.minute
    var sinks: [any DeliverySink] = []
    if let command = n.command {
      sinks.append(CommandSink(command: command, timeout: n.commandTimeout ?? 10 * Nanos.second))
    }
    for case .success(let url) in n.webhooks.map(HTTPURL.parse) {
      sinks.append(WebhookSink(url: url, client: tlsCapableHTTP(HTTPLimits(), n.http)))
    }
    for case .success(let url) in n.alertmanagers.map(HTTPURL.parse) {
      sinks.append(
        AlertmanagerSink(
          url: url, validFor: 4 * resend,
          client: tlsCapableHTTP(HTTPLimits(), n.http)))
    }
    return AlertDeliveries(sinks: sinks, resendInterval: resend)
  }
}
