import ArgumentParser
import VigilCore
import VigilNet

/// TLS and authentication for `--scrape` and `--prometheus` (the dashboard, `vigil watch`,
/// `vigil replay --prometheus`). Secrets come from files or environment variables only.
struct HTTPOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp("https: trust the CA certificates in this PEM file.", valueName: "file"))
  var tlsCa: String?

  @Flag(help: "https: do not verify the server's certificate (said in the feed's details).")
  var tlsInsecure = false

  @Option(help: ArgumentHelp("Basic auth user for --scrape and --prometheus.", valueName: "user"))
  var basicAuthUser: String?

  @Option(help: ArgumentHelp("Basic auth password: read from this file.", valueName: "file"))
  var basicAuthPasswordFile: String?

  @Option(
    help: ArgumentHelp("Basic auth password: from this environment variable.", valueName: "var"))
  var basicAuthPasswordEnv: String?

  @Option(help: ArgumentHelp("A bearer token, read from this file.", valueName: "file"))
  var bearerTokenFile: String?

  @Option(help: ArgumentHelp("A bearer token, from this environment variable.", valueName: "var"))
  var bearerTokenEnv: String?

  @Option(
    name: .customLong("http-header"),
    help: ArgumentHelp(
      "An extra request header, e.g. 'X-Scope-OrgID: tenant-1'. Repeatable.",
      valueName: "name: value"))
  var headers: [String] = []

  func validate() throws {
    _ = try config()
  }

  /// The flags as one config (nil when none is given: each server keeps its config file's).
  func config() throws -> HTTPClientConfig? {
    var c = HTTPClientConfig()
    c.caFile = tlsCa
    c.insecure = tlsInsecure
    c.basicAuthUser = basicAuthUser
    c.basicAuthPasswordFile = basicAuthPasswordFile
    c.basicAuthPasswordEnv = basicAuthPasswordEnv
    c.bearerTokenFile = bearerTokenFile
    c.bearerTokenEnv = bearerTokenEnv
    for h in headers {
      switch HTTPHeader.parse(h) {
      case .success(let header): c.headers.append(header)
      case .failure(let e): throw ValidationError("--http-header: \(e)")
      }
    }
    if let problem = c.problem { throw ValidationError(problem) }
    return c.isDefault ? nil : c
  }
}
