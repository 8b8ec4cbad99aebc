/// Where alerts are delivered: the config file's `notify:` section, and the flags that add to
/// it (`--alertmanager`, `--webhook`, `--on-alert`, `--alert-resend`).
///
/// ```yaml
/// notify:
///   alertmanager: [http://127.0.0.1:9093]   # API v2; a URL or a list
///   webhook: http://127.0.0.1:5001/hook     # Alertmanager's webhook payload; a URL or a list
///   command: notify-send "$VIGIL_ALERT_NAME" # run on firing and resolved
///   command_timeout: 10s
///   resend: 1m                              # Alertmanager: firing alerts sent again this often
///   tls: {ca_file: ca.pem}                  # https targets: as a scrape's (NetConfig.swift)
///   basic_auth: {username: vigil, password_file: am-password}
///   headers: {X-Scope-OrgID: tenant-1}
/// ```
public struct NotifyConfig: Sendable, Equatable {
  public var alertmanagers: [String] = []
  public var webhooks: [String] = []
  public var command: String?
  public var commandTimeout: Int64?
  public var resend: Int64?
  /// TLS trust, authentication and headers for the Alertmanager and webhook targets.
  public var http = HTTPClientConfig()
  public init() {}

  public var isEmpty: Bool { alertmanagers.isEmpty && webhooks.isEmpty && command == nil }
}

extension ConfigReader {
  mutating func notify(_ node: YAMLNode, into n: inout NotifyConfig) {
    guard
      let entries = map(
        node,
        else: "notify must be a mapping (alertmanager, webhook, command, command_timeout, resend)")
    else { return }
    for (k, v) in entries {
      let key = k.scalar ?? ""
      switch key {
      case "alertmanager", "webhook":
        let items = v.list ?? [v]
        let urls = items.compactMap { httpURL($0, "notify.\(key)") }
        if key == "alertmanager" { n.alertmanagers = urls } else { n.webhooks = urls }
      case "command":
        guard let s = scalar(v, "notify.command") else { continue }
        if s.allSatisfy(\.isWhitespace) {
          report(v, "notify.command needs a command")
        } else {
          n.command = s
        }
      case "command_timeout":
        guard let d = duration(v, "notify.command_timeout") else { continue }
        if d > 0 && d <= Nanos.hour {
          n.commandTimeout = d
        } else {
          report(v, "notify.command_timeout must be more than 0s and at most 1h")
        }
      case "resend":
        guard let d = duration(v, "notify.resend") else { continue }
        if d >= Nanos.second && d <= Nanos.hour {
          n.resend = d
        } else {
          report(v, "notify.resend must be from 1s to 1h")
        }
      case let key where Self.httpKeys.contains(key): httpClient(key, v, into: &n.http, node: k)
      default:
        report(
          k,
          "unknown notify key \"\(Self.shown(key: k))\"; known: alertmanager, webhook, command, command_timeout, resend, "
            + Self.httpKeys.joined(separator: ", ")
        )
      }
    }
    if let problem = n.http.problem { report(node, "notify: " + problem) }
  }
}
