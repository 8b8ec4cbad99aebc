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
  public init(width: Int, height: Int, term: String = "xterm-256color", environment: [String: String] = [:]) throws {
    socket = "vigil-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    var env = "env -i PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") HOME=/tmp TERM=\(term) LANG=C.UTF-8 SWIFT_BACKTRACE=interactive=no"
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
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["tmux", "-L", socket] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
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
  while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
    url.deleteLastPathComponent()
  }
  return url.appendingPathComponent(".build/debug/vigil").path
}

/// Runs the binary to completion with `args`; returns (exit status, stdout, stderr).
public func runVigil(_ args: [String], stdin: String? = nil, timeout: Double = 60) throws -> (Int32, String, String) {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: vigilBinary())
  p.arguments = args
  var env = ProcessInfo.processInfo.environment
  env["SWIFT_BACKTRACE"] = "interactive=no"
  p.environment = env
  let out = Pipe()
  let err = Pipe()
  p.standardOutput = out
  p.standardError = err
  let input = Pipe()
  p.standardInput = stdin == nil ? FileHandle.nullDevice : input
  try p.run()
  if let stdin {
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
  }
  let group = DispatchGroup()
  nonisolated(unsafe) var outData = Data()
  nonisolated(unsafe) var errData = Data()
  // Safe: each buffer is written by one queue job and read after group.wait().
  group.enter()
  DispatchQueue.global().async {
    outData = out.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  group.enter()
  DispatchQueue.global().async {
    errData = err.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  if group.wait(timeout: .now() + timeout) == .timedOut {
    p.terminate()
  }
  p.waitUntilExit()
  return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
