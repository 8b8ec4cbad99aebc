import ArgumentParser
import VigilApp
import VigilCore
import VigilCurses
import VigilIncident
import VigilRender

struct Replay: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Replay an incident recording (made with --record) with the same engine and screen.",
    discussion: """
      Every input is run again through the same parsers, windows and alert rules, and every \
      alert transition is compared with the recorded one. With --headless, the replay runs to \
      its end as fast as it can and reports the comparison (exit status 3 when any transition \
      differs). With --prometheus URL --from T1 --to T2 instead of a recording, the queries' \
      history over that range is replayed through the same engine (see the README).
      """)

  @Argument(
    help: "The recording (.incident.jsonl or .incident.jsonl.gz), or a black-box directory.")
  var file: String?

  @OptionGroup(title: "Replaying a Prometheus server's history")
  var history: PrometheusHistoryOptions

  @Option(
    help: ArgumentHelp(
      "With --prometheus: also write the loaded range as a recording (.gz: compressed); "
        + "markers then go beside it.",
      valueName: "path"))
  var save: String?

  @Flag(help: "Run to the end without a terminal; print the final screen and a summary.")
  var headless = false

  @Flag(help: "Headless: print every recomputed transition as a JSON line (as vigil check does).")
  var transitions = false

  @Option(help: "Headless: screen size as COLSxROWS.")
  var size: String = "80x24"

  @Flag(help: "Draw with ASCII only.")
  var ascii = false

  func validate() throws {
    try history.validate(recording: file)
    if save != nil && !history.isSet { throw ValidationError("--save needs --prometheus URL") }
  }

  func run() throws {
    let loaded = try loadRecording(file, history: history, command: "replay")
    if let save {
      if let problem = writeRecording(loaded, to: save) {
        throw RunFailure(description: "vigil replay: cannot write \(save): \(problem)")
      }
      printError("vigil replay: saved the range as \(save) (\(loaded.records.count) records)")
    }
    if headless {
      let code = try runHeadless(loaded)
      if code != 0 { throw ExitCode(code) }
      return
    }
    let code = try runReplayPlayer(loaded, path: file ?? save, ascii: ascii)
    if code != 0 { throw ExitCode(code) }
  }

  func runHeadless(_ loaded: RecordingFile) throws -> Int32 {
    let (cols, rows) = try parseSize(size)
    var ui = UIState()
    ui.size = Size(width: cols, height: rows)
    var replayer = Replayer(file: loaded, ui: ui)
    replayer.playToEnd()
    var screen = ScreenBuffer(size: ui.size)
    renderApp(replayer.state, into: &screen, glyphs: ascii ? .ascii : .unicode)
    if transitions {
      // As `vigil check` prints them (with the watched series).
      let rules = replayer.state.engine.rules
      for tr in replayer.state.alertHistory.history {
        print(tr.jsonLine(series: rules.watchedSeries(rule: tr.rule, labels: tr.labels)))
      }
    } else {
      for line in screen.lines() { print(line) }
    }
    let total = replayer.state.alertHistory.transitionsTotal
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

/// A recording from its file, or from a Prometheus server's history; warnings go to stderr.
func loadRecording(_ file: String?, history: PrometheusHistoryOptions, command: String) throws
  -> RecordingFile
{
  if history.isSet {
    let loaded = try history.load(command: command)
    for w in loaded.warnings { printError("vigil \(command): \(w)") }
    return loaded
  }
  guard let file else { throw ValidationError("give a recording, or --prometheus URL") }
  let loaded: RecordingFile
  do {
    loaded = try RecordingFile.load(path: file)
  } catch {
    throw RunFailure(description: "vigil \(command): \(error)")
  }
  for w in loaded.warnings { printError("vigil \(command): \(file): \(w)") }
  if let recorded = loaded.header.recordedConfigHash, recorded != loaded.header.configHash {
    printError(
      "vigil \(command): \(file): the header's configuration was changed after recording "
        + "(config_hash \(recorded), now \(loaded.header.configHash))")
  }
  return loaded
}

/// Writes a recording (header, then its records) as a file `vigil replay` reads; returns why
/// it could not, or nil.
func writeRecording(_ file: RecordingFile, to path: String) -> String? {
  let writer: RecordingWriter
  do {
    writer = try RecordingWriter(path: path)
  } catch {
    return error.message
  }
  writer.append(file.header.json)
  for r in file.records { writer.append(r.json) }
  writer.finish()
  return writer.failure
}

/// Runs the interactive player on curses; returns the exit code. Markers typed in the player
/// go to the sidecar of `path`; without a path (a Prometheus range not saved) they last as long
/// as the player.
func runReplayPlayer(_ loaded: RecordingFile, path: String?, ascii: Bool) throws -> Int32 {
  let sidecar = path.map(SidecarNotes.path(for:))
  var replayer = Replayer(file: loaded)
  for m in sidecar.map(SidecarNotes.load(path:)) ?? [] { replayer.addMarker(at: m.time, m.text) }
  // Checkpoints for seeking, built ahead of the player on a background thread.
  replayer.buildCheckpoints()
  var player = Player(replayer: replayer)
  // Open where `g` goes: a demo recording's first inputs are its catch-up history, and the
  // panels read STALE until its first live batch, seconds in.
  player.seekToStart()
  if let first = loaded.warnings.first { player.notice = first }
  let backend: CursesBackend
  do {
    backend = try CursesBackend.start(options: CursesOptions(asciiOnly: ascii ? true : nil))
  } catch {
    throw RunFailure(description: "vigil: cannot start the terminal: \(error)")
  }
  let loop = ReplayLoop(
    player: player, backend: backend, glyphs: (ascii || !backend.isUTF8) ? .ascii : .unicode)
  if let sidecar {
    loop.onMarker = { t, text in SidecarNotes.append(path: sidecar, time: t, text: text) }
  }
  let reason = loop.run()
  backend.shutdown()
  if case .signal(let sig) = reason {
    backend.finishSignal()
    return 128 + sig
  }
  return 0
}
