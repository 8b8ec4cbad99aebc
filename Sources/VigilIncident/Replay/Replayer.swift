import Synchronization
import VigilApp
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

  /// Checkpoints of one recording, shared by every replayer of it (a background pass builds
  /// them ahead of the player; see ``buildCheckpoints()``).
  final class CheckpointIndex: Sendable {
    private let list: Mutex<[Checkpoint]>
    init(_ first: Checkpoint) { list = Mutex([first]) }
    /// The last checkpoint at or before `t`.
    func last(atOrBefore t: Timestamp) -> Checkpoint {
      list.withLock { l in l.last { $0.time <= t } ?? l[0] }
    }
    /// Adds a checkpoint when it is past the last one by at least `interval`.
    func offer(position: Int, time: Timestamp, interval: Int64, _ make: () -> Checkpoint) {
      list.withLock { l in
        guard let last = l.last, position > last.position, time.since(last.time) >= interval
        else { return }
        l.append(make())
      }
    }
    /// Whether a checkpoint is wanted here (cheap check before building one).
    func wants(position: Int, time: Timestamp, interval: Int64) -> Bool {
      list.withLock { l in
        guard let last = l.last else { return true }
        return position > last.position && time.since(last.time) >= interval
      }
    }
    var count: Int { list.withLock { $0.count } }
    private let complete = Mutex(false)
    private let building = Mutex(false)
    func markComplete() { complete.withLock { $0 = true } }
    func markBuilding() { building.withLock { $0 = true } }
    var isComplete: Bool { complete.withLock { $0 } }
    var isBuilding: Bool { building.withLock { $0 } && !isComplete }
    var lastTime: Timestamp { list.withLock { $0.last?.time ?? Timestamp(nanoseconds: .min) } }
  }

  public let file: RecordingFile
  public private(set) var state: AppState
  /// The next record to apply.
  public private(set) var position = 0
  /// The replay clock: the time of the last record applied, or the last seek target.
  public private(set) var time: Timestamp
  /// Transitions produced but not yet compared with a recorded one.
  var produced: [AlertTransition] = []
  /// The first differences (at most ``mismatchLimit``); ``mismatchCount`` counts them all.
  public private(set) var mismatches: [Mismatch] = []
  public private(set) var mismatchCount = 0
  /// Differences during a continued recording's warm-up (not counted as mismatches).
  public private(set) var warmupDifferences = 0
  /// Transitions from here on are compared; earlier ones depend on state the file lacks (a
  /// black-box segment that continues an earlier one): the windows' horizon plus the longest
  /// `for` and `keep_firing_for` of the rules.
  public let comparableFrom: Timestamp
  /// Transitions compared (equal or not).
  public private(set) var compared = 0
  private var reported = Set<Int>()
  private let checkpoints: CheckpointIndex
  /// Recording time between checkpoints: a minute, or longer for recordings over
  /// ``maxCheckpoints`` minutes so the checkpoints' memory stays bounded (a 4-hour black box
  /// gets one every 2 minutes: seeks play at most that much).
  public let checkpointInterval: Int64
  public static let minimumCheckpointInterval = 60 * Nanos.second
  public static let maxCheckpoints: Int64 = 120

  /// The checkpoint interval for a recording spanning `span`.
  public static func checkpointInterval(span: Int64) -> Int64 {
    max(minimumCheckpointInterval, (max(0, span) + maxCheckpoints - 1) / maxCheckpoints)
  }
  /// Off for a replay that only plays forward (`vigil report`): no state copies are kept.
  public var keepsCheckpoints = true
  /// The recorded transitions, with the time of the record that produced each (jump targets).
  public let transitions: [(time: Timestamp, transition: AlertTransition)]
  /// The recorded markers, with those added while replaying (sidecar), in time order.
  public private(set) var markers: [(time: Timestamp, text: String)]
  public let startTime: Timestamp
  public let endTime: Timestamp
  /// Where the recording's data starts: the time its first input is in (``startTime`` without
  /// one). Before it the dashboard had nothing to show; `g` goes here (D50).
  public let dataStart: Timestamp
  /// The records due before their own time (see ``due(at:)``); few, so kept sparse.
  private let earlyDue: [Int: Timestamp]
  public static let mismatchLimit = 20

  /// Builds the app state the recording started with. `ui` keeps the viewer's own screen.
  /// `suspects` is where the Suspects view ranks (the replayed engine; tests inject one).
  public init(file: RecordingFile, ui: UIState = UIState(), suspects: SuspectSource = .engine) {
    self.file = file
    let h = file.header
    var config = AppConfig()
    config.windows = h.windows
    config.signals = h.signalNames
    config.clockMode = h.clockMode
    config.bell = false
    config.isReplay = true
    config.suspects = suspects
    let path = h.rulesPath ?? "recorded rules"
    if case .success(let rules) = RulesLoader.parse(h.rulesYAML, file: path) {
      config.rules = rules
    }
    config.rulesPath = h.rulesPath
    config.rulesText = h.rulesYAML
    // The recorded config file's series limits, pairs and components (without one, or from a
    // recording made before they were kept: the defaults).
    if let text = h.configYAML,
      case .success(let file) = ConfigLoader.parse(text, file: h.configPath ?? "recorded config")
    {
      config.series = file.series
      config.components = file.components
      (config.configText, config.configPath) = (text, h.configPath)
    }
    if let layout = h.layout {
      config.layout = layout
      config.layoutText = h.layoutYAML
      config.layoutPath = h.layoutPath
    }
    let other = h.appVersion != vigilVersion ? " (recorded with Vigil \(h.appVersion))" : ""
    let banner = "replay" + (h.title.map { ": " + $0 } ?? "") + other
    config.banner = { _ in banner }
    var s = AppState(config: config, feeds: h.feeds, now: h.start)
    s.ui = ui
    state = s
    time = h.start
    startTime = h.start
    let rules = s.engine.rules.rules
    let longest = rules.map { $0.forDuration + $0.keepFiringFor }.max() ?? 0
    let horizon = h.windows.levels.map(\.horizon).max() ?? 0
    comparableFrom = h.continues ? h.start.adding(horizon + longest) : h.start
    var trs: [(Timestamp, AlertTransition)] = []
    var marks: [(Timestamp, String)] = []
    var producer = h.start
    var last = h.start
    let records = file.records
    // Only the alert and mark records are decoded here (the index has every record's time).
    for i in records.indices {
      switch records.kind(at: i) {
      case .alert:
        if case .alert(let tr) = records[i] { trs.append((producer, tr)) }
      case .mark:
        if case .mark(let t, let text) = records[i] {
          marks.append((t, text))
          last = max(last, t)
        }
      default:
        producer = records.time(at: i)
        last = max(last, producer)
      }
    }
    transitions = trs
    markers = marks
    endTime = last
    let early = Self.earlyDue(records)
    earlyDue = early
    var firstData = h.start
    for i in records.indices where records.kind(at: i) == .input {
      guard case .input(let input) = records[i], case .records = input.payload else { continue }
      firstData = early[i] ?? records.time(at: i)
      break
    }
    dataStart = max(h.start, min(firstData, last))
    checkpointInterval = Self.checkpointInterval(span: last.since(h.start))
    checkpoints = CheckpointIndex(Checkpoint(position: 0, time: h.start, state: s, produced: []))
  }

  public var atEnd: Bool { position >= file.records.count }

  /// When record `i` is applied: its time, or earlier when a later input or tick has an
  /// earlier time. A loop that lags stamps a tick before inputs that arrived (and were
  /// stamped) earlier, and the file keeps the order they were applied in; so when the clock
  /// reads T, every input stamped at or before T is in, and the panels show the data the
  /// recording has at T (D50). Other kinds keep their own time (an action's is the state's
  /// clock, event time on event-time feeds).
  func due(at i: Int) -> Timestamp { earlyDue[i] ?? file.records.time(at: i) }

  /// The inputs and ticks due before their own time: those with a later input or tick of an
  /// earlier time (a pass from the end, keeping the least time seen).
  static func earlyDue(_ records: RecordingEntries) -> [Int: Timestamp] {
    var early: [Int: Timestamp] = [:]
    var least = Timestamp(nanoseconds: .max)
    for i in records.indices.reversed() {
      let kind = records.kind(at: i)
      guard kind == .input || kind == .tick else { continue }
      let t = records.time(at: i)
      if least < t { early[i] = least } else { least = t }
    }
    return early
  }

  /// Applies records up to and including time `t` (each with the alert records that follow
  /// it), keeping checkpoints on the way; the clock then reads `t`.
  public mutating func play(until t: Timestamp) {
    let records = file.records
    while position < records.count {
      if records.kind(at: position) == .alert {
        // Only at the very start: a transition with no record before it.
        apply(records[position], at: position)
        position += 1
        finishGroup(at: position - 1)
        continue
      }
      let rt = due(at: position)
      guard rt <= t else { break }
      maybeCheckpoint(before: rt)
      let index = position
      apply(records[position], at: position)
      position += 1
      time = max(time, rt)
      // The transitions this record produced follow it: compared as a group.
      while position < records.count, records.kind(at: position) == .alert {
        apply(records[position], at: position)
        position += 1
      }
      finishGroup(at: index)
    }
    time = max(time, t)
  }

  /// Transitions a record produced that the recording does not have after it.
  private mutating func finishGroup(at index: Int) {
    while !produced.isEmpty {
      let extra = produced.removeFirst()
      note(
        Mismatch(record: index, expected: nil, got: RecordingEntry.alert(extra).json.text),
        at: extra.t)
    }
  }

  /// Applies the next record (with the alert records that follow it), whatever its time.
  public mutating func playNext() {
    let records = file.records
    guard position < records.count else { return }
    let index = position
    let kind = records.kind(at: position)
    apply(records[position], at: position)
    position += 1
    if kind == .alert {
      finishGroup(at: index)
      return
    }
    time = max(time, due(at: index))
    while position < records.count, records.kind(at: position) == .alert {
      apply(records[position], at: position)
      position += 1
    }
    finishGroup(at: index)
  }

  /// Plays to the end of the recording.
  public mutating func playToEnd() {
    play(until: Timestamp(nanoseconds: .max))
    time = endTime
  }

  /// Goes to the start as the dashboard first showed it (D50): to ``dataStart``, then on, record
  /// by record and for at most a ``checkpointInterval``, until a feed has a sample in the
  /// window shown, when the first inputs brought only older history (the demo's catch-up). When
  /// none comes in that time, ``dataStart``.
  public mutating func seekToStart() {
    seek(to: dataStart)
    let limit = dataStart.adding(checkpointInterval)
    var probe = self
    while !probe.showsData, !probe.atEnd, probe.due(at: probe.position) <= limit {
      probe.playNext()
    }
    if probe.showsData { self = probe }
    state.dirty = true
  }

  /// Whether a feed has a sample in the window the dashboard shows.
  var showsData: Bool {
    let from = state.now.adding(-state.window)
    return state.feeds.contains { ($0.lastSampleTime ?? Timestamp(nanoseconds: .min)) >= from }
  }

  /// Restores the checkpoint at or before `t` (when `t` is behind the clock, or a checkpoint
  /// lies between the clock and `t`) and plays to `t`.
  public mutating func seek(to t: Timestamp) {
    // A background pass is ahead of anything this replayer could do alone: wait for it to
    // pass the target rather than play the same records twice.
    while checkpoints.isBuilding && checkpoints.lastTime < t.adding(-checkpointInterval) {
      sleepNanoseconds(Nanos.millisecond)
    }
    let cp = checkpoints.last(atOrBefore: t)
    if t < time || cp.position > position {
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
    let interval = checkpointInterval
    guard keepsCheckpoints, checkpoints.wants(position: position, time: t, interval: interval)
    else { return }
    let cp = Checkpoint(position: position, time: time, state: state, produced: produced)
    checkpoints.offer(position: position, time: t, interval: interval) { cp }
  }

  /// Plays a copy of this replayer to the end on a background thread, so checkpoints exist
  /// ahead of the player and a seek anywhere costs one checkpoint plus at most a minute of
  /// records. Returns at once.
  public func buildCheckpoints() {
    let start = Replayer(sharing: self)
    checkpoints.markBuilding()
    spawnThread {
      var r = start
      r.play(until: Timestamp(nanoseconds: .max))
      start.checkpoints.markComplete()
    }
  }

  /// True once the background pass has reached the end (every checkpoint exists).
  public var checkpointsComplete: Bool { checkpoints.isComplete }

  /// A replayer at this one's start that shares its checkpoints.
  private init(sharing other: Replayer) {
    self = other
    let first = checkpoints.last(atOrBefore: startTime)
    state = first.state
    position = first.position
    time = first.time
    produced = first.produced
  }

  mutating func apply(_ record: RecordingEntry, at index: Int) {
    let before = state.alertHistory.transitionsTotal
    switch record {
    case .input(let input): _ = update(&state, .feed(input))
    case .tick(let t): _ = update(&state, .tick(t))
    case .rules(_, let text): _ = update(&state, .rulesLoaded(text.rules))
    case .action(_, let action):
      state.notifier.apply(action)
      state.dirty = true
    case .alert(let recorded):
      compare(recorded, at: index)
      return
    case .mark, .end, .delivered: return
    }
    state.actions.removeAll()
    let fresh = min(state.alertHistory.transitionsTotal - before, state.alertHistory.history.count)
    produced.append(contentsOf: state.alertHistory.history.suffix(fresh))
  }

  private mutating func compare(_ recorded: AlertTransition, at index: Int) {
    compared += 1
    let expected = RecordingEntry.alert(recorded).json.text
    let got = produced.isEmpty ? nil : RecordingEntry.alert(produced.removeFirst()).json.text
    if got != expected {
      note(Mismatch(record: index, expected: expected, got: got), at: recorded.t)
    }
  }

  /// Counts a difference: before ``comparableFrom`` (a black-box segment's warm-up, whose
  /// earlier state is not in the file) as a warm-up difference, after it as a mismatch.
  private mutating func note(_ m: Mismatch, at t: Timestamp) {
    if t < comparableFrom {
      warmupDifferences += 1
      return
    }
    guard reported.insert(m.record).inserted || m.expected == nil else { return }
    mismatchCount += 1
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
