import ArgumentParser
import VigilApp
import VigilCore
import VigilCurses
import VigilRender

struct Replay: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Replay an incident recording (made with --record) with the same engine and screen.",
    discussion: """
      Every input is run again through the same parsers, windows and alert rules, and every \
      alert transition is compared with the recorded one. With --headless, the replay runs to \
      its end as fast as it can and reports the comparison (exit status 3 when any transition \
      differs).
      """)

  @Argument(help: "The recording (.incident.jsonl), or a black-box directory.")
  var file: String

  @Flag(help: "Run to the end without a terminal; print the final screen and a summary.")
  var headless = false

  @Flag(help: "Headless: print every recomputed transition as a JSON line (as vigil check does).")
  var transitions = false

  @Option(help: "Headless: screen size as COLSxROWS.")
  var size: String = "80x24"

  @Flag(help: "Draw with ASCII only.")
  var ascii = false

  func run() throws {
    let loaded: IncidentFile
    do {
      loaded = try IncidentFile.load(path: file)
    } catch {
      throw RunFailure(description: "vigil replay: \(error)")
    }
    for w in loaded.warnings { printError("vigil replay: \(file): \(w)") }
    if headless {
      let code = try runHeadless(loaded)
      if code != 0 { throw ExitCode(code) }
      return
    }
    let code = try runReplayPlayer(loaded, path: file, ascii: ascii)
    if code != 0 { throw ExitCode(code) }
  }

  func runHeadless(_ loaded: IncidentFile) throws -> Int32 {
    let (cols, rows) = try parseSize(size)
    var ui = UIState()
    ui.size = Size(width: cols, height: rows)
    var replayer = Replayer(file: loaded, ui: ui)
    replayer.playToEnd()
    var screen = ScreenBuffer(size: ui.size)
    renderApp(replayer.state, into: &screen, glyphs: ascii ? .ascii : .unicode)
    if transitions {
      for tr in replayer.state.alerts.history { print(tr.jsonLine) }
    } else {
      for line in screen.lines() { print(line) }
    }
    let total = replayer.state.alerts.transitionsTotal
    printError(
      "replay: \(loaded.records.count) records, \(total) transitions recomputed, "
        + "\(replayer.compared) recorded; "
        + (replayer.mismatchCount == 0
          ? "all identical" : "\(replayer.mismatchCount) differ")
        + (replayer.warmupDifferences > 0
          ? "; \(replayer.warmupDifferences) during the warm-up (not compared)" : ""))
    for m in replayer.mismatches.prefix(5) {
      printError(
        "  record \(m.record + 2): recorded \(m.expected ?? "nothing"), replay gave \(m.got ?? "nothing")"
      )
    }
    return replayer.mismatchCount == 0 ? 0 : 3
  }
}

/// Runs the interactive player on curses; returns the exit code.
func runReplayPlayer(_ loaded: IncidentFile, path: String, ascii: Bool) throws -> Int32 {
  let sidecar = SidecarNotes.path(for: path)
  var replayer = Replayer(file: loaded)
  for m in SidecarNotes.load(path: sidecar) { replayer.addMarker(at: m.time, m.text) }
  // Checkpoints for seeking, built ahead of the player on a background thread.
  replayer.buildCheckpoints()
  var player = Player(replayer: replayer)
  if let first = loaded.warnings.first { player.notice = first }
  let backend: CursesBackend
  do {
    backend = try CursesBackend.start(options: CursesOptions(asciiOnly: ascii ? true : nil))
  } catch {
    throw RunFailure(description: "vigil: cannot start the terminal: \(error)")
  }
  let loop = ReplayLoop(
    player: player, backend: backend, glyphs: (ascii || !backend.isUTF8) ? .ascii : .unicode)
  loop.onMarker = { t, text in SidecarNotes.append(path: sidecar, time: t, text: text) }
  let reason = loop.run()
  backend.shutdown()
  if case .signal(let sig) = reason {
    backend.finishSignal()
    return 128 + sig
  }
  return 0
}
