import VigilCore
import VigilRender

/// Drives the app's state from a recording: the same `update`, parsers, windows and alert
/// engine as live, with the recording's times as the only clock.
///
/// Every alert transition the replay produces is compared with the one recorded at that point;
/// the first differences are kept in ``mismatches``. Seeking restores the nearest checkpoint at
/// or before the target (a copy of the state taken every ``checkpointInterval`` of recording
/// time as the replay passes) and plays forward from there, so any seek costs at most one
/// interval of records once the replay has been that far.
public struct Replayer: Sendable {
  public struct Mismatch: Sendable, Equatable {
    /// Index of the record where the difference showed.
    public var record: Int
    public var expected: String?
    public var got: String?
  }

  struct Checkpoint: Sendable {
    var position: Int
    var time: Timestamp
    var state: AppState
    var produced: [AlertTransition]
  }

  public let file: IncidentFile
  public private(set) var state: AppState
  /// The next record to apply.
  public private(set) var position = 0
  /// The replay clock: the time of the last record applied, or the last seek target.
  public private(set) var time: Timestamp
  /// Transitions produced but not yet compared with a recorded one.
  private var produced: [AlertTransition] = []
  public private(set) var mismatches: [Mismatch] = []
  /// Transitions compared (equal or not).
  public private(set) var compared = 0
  private var reported = Set<Int>()
  private var checkpoints: [Checkpoint] = []
  public static let checkpointInterval = 60 * Nanos.second
  /// Off for a replay that only plays forward (`vigil report`): no state copies are kept.
  public var keepsCheckpoints = true
  /// The recorded transitions, with the time of the record that produced each (jump targets).
  public let transitions: [(time: Timestamp, transition: AlertTransition)]
  /// The recorded markers, with those added while replaying (sidecar), in time order.
  public private(set) var markers: [(time: Timestamp, text: String)]
  public let startTime: Timestamp
  public let endTime: Timestamp
  public static let mismatchLimit = 20

  /// Builds the app state the recording started with. `ui` keeps the viewer's own screen.
  public init(file: IncidentFile, ui: UIState = UIState()) {
    self.file = file
    let h = file.header
    var config = AppConfig()
    config.windows = h.windows
    config.signals = h.signalNames
    config.clockMode = h.clockMode
    config.bell = false
    config.isReplay = true
    let path = h.rulesPath ?? "recorded rules"
    if case .success(let rules) = RulesLoader.parse(h.rulesYAML, file: path) {
      config.rules = rules
    }
    config.rulesPath = h.rulesPath
    config.rulesText = h.rulesYAML
    let other = h.appVersion != vigilVersion ? " (recorded with Vigil \(h.appVersion))" : ""
    let banner = "replay" + (h.title.map { ": " + $0 } ?? "") + other
    config.banner = { _ in banner }
    var s = AppState(config: config, feeds: h.feeds, now: h.start)
    s.ui = ui
    state = s
    time = h.start
    startTime = h.start
    var trs: [(Timestamp, AlertTransition)] = []
    var marks: [(Timestamp, String)] = []
    var producer = h.start
    var last = h.start
    for r in file.records {
      switch r {
      case .alert(let tr): trs.append((producer, tr))
      case .mark(let t, let text):
        marks.append((t, text))
        last = max(last, t)
      default:
        producer = r.time
        last = max(last, r.time)
      }
    }
    transitions = trs
    markers = marks
    endTime = last
    checkpoints = [Checkpoint(position: 0, time: h.start, state: s, produced: [])]
  }

  public var atEnd: Bool { position >= file.records.count }

  /// Applies records up to and including time `t` (each with the alert records that follow
  /// it), keeping checkpoints on the way; the clock then reads `t`.
  public mutating func play(until t: Timestamp) {
    let records = file.records
    while position < records.count {
      let r = records[position]
      if case .alert = r {
        apply(r, at: position)
        position += 1
        continue
      }
      guard r.time <= t else { break }
      maybeCheckpoint(before: r.time)
      apply(r, at: position)
      position += 1
      time = max(time, r.time)
      // The transitions this record produced follow it.
      while position < records.count, case .alert = records[position] {
        apply(records[position], at: position)
        position += 1
      }
    }
    time = max(time, t)
  }

  /// Applies the next record (with the alert records that follow it), whatever its time.
  public mutating func playNext() {
    let records = file.records
    guard position < records.count else { return }
    let r = records[position]
    if case .alert = r {
      apply(r, at: position)
      position += 1
      return
    }
    apply(r, at: position)
    position += 1
    time = max(time, r.time)
    while position < records.count, case .alert = records[position] {
      apply(records[position], at: position)
      position += 1
    }
  }

  /// Plays to the end of the recording.
  public mutating func playToEnd() {
    play(until: Timestamp(nanoseconds: .max))
    time = endTime
    finishComparison()
  }

  /// Restores the checkpoint at or before `t` (when `t` is behind the clock) and plays to `t`.
  public mutating func seek(to t: Timestamp) {
    if t < time {
      let cp = checkpoints.last { $0.time <= t } ?? checkpoints[0]
      let ui = state.ui
      state = cp.state
      state.ui = ui
      state.dirty = true
      position = cp.position
      time = cp.time
      produced = cp.produced
    }
    play(until: t)
    state.dirty = true
  }

  private mutating func maybeCheckpoint(before t: Timestamp) {
    guard keepsCheckpoints, let last = checkpoints.last, position > last.position,
      t.since(last.time) >= Self.checkpointInterval
    else { return }
    checkpoints.append(Checkpoint(position: position, time: time, state: state, produced: produced))
  }

  private mutating func apply(_ record: IncidentRecord, at index: Int) {
    let before = state.alerts.transitionsTotal
    switch record {
    case .input(let input): _ = update(&state, .feed(input))
    case .tick(let t): _ = update(&state, .tick(t))
    case .rules(_, let text): _ = update(&state, .rulesLoaded(text.rules))
    case .action(_, let action):
      state.alerts.apply(action)
      state.dirty = true
    case .alert(let recorded):
      compare(recorded, at: index)
      return
    case .mark, .end: return
    }
    state.actions.removeAll()
    let fresh = min(state.alerts.transitionsTotal - before, state.alerts.history.count)
    produced.append(contentsOf: state.alerts.history.suffix(fresh))
  }

  private mutating func compare(_ recorded: AlertTransition, at index: Int) {
    compared += 1
    let expected = IncidentRecord.alert(recorded).json.text
    let got = produced.isEmpty ? nil : IncidentRecord.alert(produced.removeFirst()).json.text
    if got != expected { note(Mismatch(record: index, expected: expected, got: got)) }
  }

  /// Transitions the replay produced that the recording does not have.
  private mutating func finishComparison() {
    while !produced.isEmpty {
      let extra = IncidentRecord.alert(produced.removeFirst()).json.text
      note(Mismatch(record: file.records.count, expected: nil, got: extra))
    }
  }

  private mutating func note(_ m: Mismatch) {
    guard reported.insert(m.record).inserted || m.expected == nil else { return }
    if mismatches.count < Self.mismatchLimit { mismatches.append(m) }
  }

  /// Adds a marker (from the sidecar file, or typed in this replay).
  public mutating func addMarker(at t: Timestamp, _ text: String) {
    let i = markers.firstIndex { $0.time > t } ?? markers.count
    markers.insert((t, text), at: i)
  }

  /// A key from the viewer (overlays, zoom, windows): the same `update` as live, but acks,
  /// silences and rule reloads belong to the recording, so they are refused with a message.
  public mutating func viewerKey(_ key: Key) -> (quit: Bool, refused: String?) {
    if state.ui.overlay == .alerts, key == .character("A") || key == .character("s") {
      return (false, "acks and silences come from the recording")
    }
    if state.ui.overlay == nil, key == .character("r") {
      return (false, "the rules come from the recording")
    }
    let effects = update(&state, .key(key))
    state.actions.removeAll()
    return (effects.contains { if case .quit = $0 { true } else { false } }, nil)
  }

  /// The viewer's terminal changed size.
  public mutating func resize(_ size: Size) { _ = update(&state, .resize(size)) }

  /// The number of checkpoints held (for tests and `--debug`).
  public var checkpointCount: Int { checkpoints.count }
}
