import Foundation

/// Drives a real terminal: a private tmux server with one pane of a fixed size.
///
/// Each instance uses its own socket (`tmux -L`), so tests never touch the user's tmux and
/// can run side by side. The pane runs a plain shell with a known prompt, so tests can check
/// that the terminal is given back clean.
public final class Tmux: @unchecked Sendable {
  // Safe: an instance is used from one test at a time.
  public let socket: String
  public let session = "vigil"
  public static let prompt = "PROMPT$ "

  /// Starts a server and a pane of `width` x `height` running bash with a fixed prompt.
  public init(
    width: Int, height: Int, term: String = "xterm-256color", lang: String = "C.UTF-8",
    environment: [String: String] = [:]
  ) throws {
    socket = "vigil-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    var env =
      "env -i PATH=\(currentEnvironment()["PATH"] ?? "/usr/bin:/bin") HOME=/tmp TERM=\(term) LANG=\(lang) SWIFT_BACKTRACE=interactive=no"
    for (k, v) in environment.sorted(by: { $0.key < $1.key }) { env += " \(k)=\(v)" }
    try run([
      "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)",
      "\(env) PS1='\(Tmux.prompt)' bash --norc --noprofile",
    ])
    try run(["set-option", "-g", "status", "off"])
    try run(["set-option", "-g", "default-terminal", term])
    try run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    _ = waitFor(timeout: 5) { $0.contains { $0.hasPrefix("PROMPT$") } }
  }

  deinit { _ = try? run(["kill-server"]) }

  /// Runs a tmux command on this server; returns its standard output.
  @discardableResult
  public func run(_ args: [String]) throws -> String {
    // The command that starts the server gets no pipes: the daemonised server would inherit
    // them and reading to end-of-file would never return.
    let starts = args.contains("new-session")
    return spawnAndWait(["tmux", "-L", socket] + args, captureOutput: !starts, timeoutSeconds: 20)
      .stdout
  }

  /// Appends a line to `path` at every bell the pane rings from now on (tmux's alert-bell hook).
  public func recordBells(to path: String) throws {
    try run(["set-hook", "-t", session, "alert-bell", "run-shell 'echo bell >> \(path)'"])
  }

  /// Types `text` and presses Enter.
  public func type(_ text: String) throws {
    try run(["send-keys", "-t", session, "-l", text])
    try run(["send-keys", "-t", session, "Enter"])
  }

  /// Sends tmux key names (`q`, `Tab`, `Enter`, `Escape`, `Space`, `C-c`).
  public func keys(_ names: String...) throws {
    try run(["send-keys", "-t", session] + names)
  }

  /// The pane's text, one string per row (trailing spaces trimmed).
  public func screen() -> [String] {
    let text = (try? run(["capture-pane", "-p", "-t", session])) ?? ""
    return text.split(separator: "\n", omittingEmptySubsequences: false).map {
      var s = String($0)
      while s.hasSuffix(" ") { s.removeLast() }
      return s
    }
  }

  /// The pane with attributes as escape sequences (`capture-pane -e`).
  public func screenWithAttributes() -> String {
    (try? run(["capture-pane", "-p", "-e", "-t", session])) ?? ""
  }

  public func resize(width: Int, height: Int) throws {
    try run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
  }

  /// Polls the screen until `predicate` holds; returns the last screen seen.
  @discardableResult
  public func waitFor(timeout: Double, _ predicate: ([String]) -> Bool) -> [String]? {
    let deadline = Date().addingTimeInterval(timeout)
    var last: [String] = []
    while Date() < deadline {
      last = screen()
      if predicate(last) { return last }
      usleep(50_000)
    }
    return predicate(last) ? last : nil
  }

  /// Waits until the screen contains every string in `needles`.
  @discardableResult
  public func waitForText(_ needles: [String], timeout: Double = 10) -> [String]? {
    waitFor(timeout: timeout) { screen in
      let all = screen.joined(separator: "\n")
      return needles.allSatisfy { all.contains($0) }
    }
  }

  /// Runs `stty -a` in the pane's shell and returns its output lines (after the app exited).
  public func sttySettings() throws -> String {
    try type("clear; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo")
    let screen = waitFor(timeout: 5) { $0.contains { $0.contains("icanon") } } ?? []
    return screen.first { $0.contains("icanon") } ?? ""
  }
}

/// Path of the built `vigil` binary (Tests/run.sh exports VIGIL_BIN; default: the debug build).
public func vigilBinary(file: String = #filePath) -> String {
  if let bin = ProcessInfo.processInfo.environment["VIGIL_BIN"], !bin.isEmpty { return bin }
  var url = URL(fileURLWithPath: file)
  while url.path != "/"
    && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
  {
    url.deleteLastPathComponent()
  }
  return url.appendingPathComponent(".build/debug/vigil").path
}

/// Runs the binary to completion with `args`; returns (exit status, stdout, stderr).
public func runVigil(_ args: [String], stdin: String? = nil, timeout: Int = 60) throws -> (
  Int32, String, String
) {
  let r = spawnAndWait([vigilBinary()] + args, stdin: stdin, timeoutSeconds: timeout)
  return (r.status, r.stdout, r.stderr)
}
