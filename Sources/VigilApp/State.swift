import VigilCore
import VigilRender

/// Everything the app is configured with at start.
public struct AppConfig: Sendable {
  public var windows = WindowsConfig()
  public var signals = SignalNames()
  /// `components:` from the config file: which series belong to which component (suspects).
  public var components = ComponentsConfig()
  public var clockMode = ClockMode.auto
  public var fps: Double = 4
  /// Rejected lines kept for the rejected-lines view.
  public var keptIssues = 200
  /// Text for the title bar at a given view time (the demo says what is happening).
  public var banner: (@Sendable (Timestamp) -> String)? = nil
  /// Alert rules (`--rules FILE`); nil = the default rules for ``signals``.
  public var rules: RuleSet? = nil
  /// Where ``rules`` came from, for `r` (reload).
  public var rulesPath: String? = nil
  /// The text of the rules file (recordings keep it); nil = the built-in rules.
  public var rulesText: String? = nil
  /// Ring the terminal bell when an alert starts firing (`--no-bell` turns it off).
  public var bell = true
  /// The state is driven by `vigil replay` (the help lists the player's keys).
  public var isReplay = false
  /// Where `--record` or `--black-box` writes (a file or a directory): `REC` and its name in
  /// the title bar. Nil when not recording.
  public var recordingTo: String? = nil
  /// The themes `t` cycles through (`--theme` picks the first shown, ``UIState/themeIndex``).
  public var themes: [Theme] = [.standard]
  /// Running over SSH (`SSH_CONNECTION` was set): a lower default frame rate, said in the
  /// status bar.
  public var overSSH = false
  /// `--debug`: an indicator in the title bar with the frame rate and bytes/s sent.
  public var debug = false
  /// `--mouse`: clicks focus panels, the wheel scrolls lists.
  public var mouse = false
  /// The settings in effect, for the help overlay (name, value), in the order shown.
  public var settings: [Setting] = []
  /// The dashboard's panels and grid at start (`--layout`; see ``AppState/layout``).
  public var layout = Layout.commerce
  /// The layout file, for `r` and the reload on change; nil for a built-in layout.
  public var layoutPath: String? = nil
  /// The text of a layout that is not the default (recordings keep it).
  public var layoutText: String? = nil
  /// The config file's text and path (`--config`; recordings keep them, replay reads its
  /// series limits, pairs and components from them); nil without one.
  public var configText: String? = nil
  public var configPath: String? = nil
  /// What was wrong with the layout file at start (shown once in the title bar).
  public var layoutWarnings: [ConfigProblem] = []
  /// Series limits and folds (config `series:` and `drop_labels:`); the engine adds the
  /// signals' metrics.
  public var series = SeriesLimits()
  /// Where the Suspects view (`d`), the alert list and reports take suspects from.
  public var suspects = SuspectSource.engine
  /// The demo: the Suspects view opens by itself when an alert fires and as the incident ends.
  public var demoSuspects: DemoSuspects? = nil
  public init() {}
}

/// A feed's health as the status bar and feed view show it.
public enum FeedHealth: Sendable, Equatable {
  case starting
  case ok
  case waiting(String)
  case deleted
  case ended
  case failed(String)
  /// A command exited; it starts again at this clock time.
  case restarting(Timestamp)

  public var word: String {
    switch self {
    case .starting: "starting"
    case .ok: "ok"
    case .waiting: "waiting"
    case .deleted: "deleted"
    case .ended: "ended"
    case .failed: "failing"
    case .restarting: "restarting"
    }
  }
}

/// Per-feed state owned by the loop: its health and counters (its parser is the engine's).
public struct FeedState: Sendable {
  public var spec: FeedSpec
  public var format: FeedFormat?
  public var health = FeedHealth.starting
  public var lines: UInt64 = 0
  public var samples: UInt64 = 0
  public var rejected: [RejectReason: UInt64] = [:]
  public var rejectedTotal: UInt64 = 0
  public var lastArrival: Timestamp?
  public var rotations = 0
  public var truncations = 0
  /// The source has sent what was there at start (see ``FeedEvent/caughtUp``).
  public var caughtUp = false
  /// Its data is current: when its last batch came, its newest sample so far was at most
  /// ``liveLag`` older than the clock (samples without a timestamp are current). A log with history
  /// (a pipe of yesterday's lines, a file last written five minutes ago) is not live, and
  /// what its data makes fire is not news (no bell, no delivery).
  public var live = false
  /// How far behind the clock a feed's newest sample may be and the feed still count as live:
  /// two minutes (an OTLP exporter's default interval is one; a scrape or a log line is
  /// seconds behind).
  public static let liveLag = 2 * Nanos.minute
  /// How long the last successful scrape or API poll took, and its body size
  /// (``FeedEvent/fetched``).
  public var lastFetchDuration: Int64?
  public var lastFetchBytes: Int?
  /// Lines per second of clock time (the feeds view).
  public var lineRate = RateMeter()
  /// The newest event time of a sample this feed delivered (staleness, the last sample's age).
  public var lastSampleTime: Timestamp?
  /// Reconnections of a network source, or restarts of a command.
  public var reconnects = 0
  /// The source's last problem (a read error, a missing file, a command that could not start),
  /// kept after the feed recovers, with its arrival time.
  public var lastError: String?
  public var lastErrorAt: Timestamp?
  /// The last rejected record.
  public var lastRejected: ParseIssue?
  /// A command's running process, when it started, how it last ended and when.
  public var pid: Int32?
  public var startedAt: Timestamp?
  public var exitStatus: CommandExit?
  public var exitedAt: Timestamp?
  /// How long the run that ended last had run.
  public var lastRunDuration: Int64?
  /// The last lines a command wrote to standard error (escaped), oldest first.
  public var stderrTail: [String] = []
  public var stderrLines: UInt64 = 0
  public static let stderrKept = 20
  /// UDP: datagrams the kernel dropped because the socket's receive buffer was full.
  public var droppedByKernel: UInt64 = 0
  /// UDP: datagrams Vigil dropped because the feed's queue to the loop was full.
  public var droppedByVigil: UInt64 = 0
  /// Everything lost before parsing (never silently: shown in the status bar, `e` and `F`).
  /// Only sources that cannot wait (UDP) drop; files, stdin and commands wait instead.
  public var dropped: UInt64 { droppedByKernel + droppedByVigil }
  /// Values skipped on purpose, neither samples nor rejections (InfluxDB string fields).
  public var skipped: UInt64 = 0

  /// Nothing more is expected soon: caught up, or waiting, ended or failing.
  public var isSettled: Bool {
    switch health {
    case .starting, .ok, .deleted: caughtUp
    case .waiting, .ended, .failed, .restarting: true
    }
  }

  /// No sample for longer than the feed's `no_data_after` (SEMANTICS §7): its panels are
  /// drawn stale. A feed that never delivered a sample is not stale (it is starting/waiting).
  public func isStale(at now: Timestamp) -> Bool {
    guard let last = lastSampleTime else { return false }
    return now.since(last) > spec.noDataAfter
  }

  /// The state word the status bar and feeds view show: the health, or `stale`.
  public func stateWord(at now: Timestamp) -> String {
    if case .ok = health, isStale(at: now) { return "stale" }
    return health.word
  }

  /// Healthy: running (or ended cleanly) and not stale.
  public func isHealthy(at now: Timestamp) -> Bool {
    switch health {
    case .ok: !isStale(at: now)
    case .ended: true
    default: false
    }
  }

  public init(spec: FeedSpec) {
    self.spec = spec
    format = spec.format
  }
}

/// One rejected line as the rejected-lines view lists it.
public struct IssueRecord: Sendable, Equatable {
  public var feed: String
  public var issue: ParseIssue
  public var arrival: Timestamp
}

/// Overlays drawn over the dashboard.
public enum Overlay: Sendable, Equatable {
  case help
  case rejected
  /// Every series that belongs to no built-in signal (the generic panel).
  case others
  /// Every alert instance with its severity, state and value.
  case alerts
  /// Every alert episode: first breach, fired, resolved, duration, peak.
  case alertHistory
  /// Every feed: kind, target, state, rates, errors, a command's exit status and stderr.
  case feeds
  /// The suspects (`d`): the series that deviate most from their own baseline, first moved first.
  case suspects
  /// Alert delivery (`N`): each target's counts and last error, the newest notifications.
  case notifications
}

/// What the user is looking at.
public struct UIState: Sendable, Equatable {
  public var windowIndex = 1
  /// The time the display was frozen at (space), or nil when live.
  public var frozenAt: Timestamp?
  /// The alert instances as they were when frozen: the badges freeze with the numbers.
  public var frozenAlerts: [AlertInstance]?
  public var focus = 0
  public var zoomed = false
  public var overlay: Overlay?
  /// The selected alert in the alerts overlay (for ack and silence); nil = the first listed.
  /// Kept by identity, so a re-sorted list never moves an ack to another alert.
  public var alertSelection: AlertKey?
  /// The feed whose details the feeds overlay shows (an index into `AppState.feeds`).
  public var feedSelection = 0
  public var size = Size(width: 80, height: 24)
  /// The theme in use, an index into ``AppConfig/themes`` (`t` moves to the next).
  public var themeIndex = 0
  /// Frames per second at most (`--fps`; `+` and `-` change it live).
  public var fps: Double = 4
  /// How far the open list overlay (rejected lines, alert history, other metrics, help) is
  /// scrolled, in rows from its top.
  public var scroll = 0
  /// The marker being typed after `m`, or nil.
  public var markerEntry: String?
  /// The ack note being typed in the alerts overlay after `A`, or nil.
  public var ackNote: AckNoteEntry?
  /// What the Suspects view ranks: now, or an alert's firing (opened from the alerts list).
  public var suspectsSubject = SuspectsSubject.now
  /// The Suspects view was opened by the demo, and closes by itself at this clock time (nil:
  /// when the incident's ending is over).
  public var suspectsAutoUntil: Timestamp?
  public var suspectsAuto = false
  /// The demo showed the incident's ending on the Suspects view (not again until the next).
  public var suspectsEndingShown = false
  /// When the demo last opened the Suspects view for a firing (once per incident).
  public var suspectsFiredAt: Timestamp?
  public init() {}
}

/// Counts lines per second of clock time for the status bar.
public struct RateMeter: Sendable, Equatable {
  private var second: Int64 = .min
  private var current: UInt64 = 0
  /// Lines counted in the last complete second.
  public private(set) var perSecond: UInt64 = 0

  public init() {}

  public mutating func add(_ n: UInt64, at t: Timestamp) {
    roll(to: t)
    current += n
  }

  /// Moves to the second of `t`. Lines counted since the last roll are spread over the seconds
  /// that passed, so a clock that jumps several seconds at once (the demo's `--speed`) still
  /// gives a rate; a second with no lines gives 0.
  public mutating func roll(to t: Timestamp) {
    let s = t.nanoseconds / Nanos.second
    if s <= second { return }
    perSecond = second == .min ? 0 : current / UInt64(s - second)
    second = s
    current = 0
  }
}

/// The whole state of the app. Only the loop owns it; `update` is the only thing that changes
/// it.
public struct AppState: Sendable {
  public var config: AppConfig
  public var feeds: [FeedState]
  /// Parsers, series, windows, alert evaluation and the clock they run on: the same engine as
  /// `vigil check` (see ``Engine``).
  public var engine: Engine
  /// Series are capped (each costs at least ~20 KB of windows): 2,000 is far more than a
  /// terminal shows, and keeps a runaway label from taking the host's memory. The same default
  /// as `vigil check` (``SeriesLimits``; config `series:`).
  public static let maxSeries = SeriesLimits.defaultMaxSeries
  public var issues: [IssueRecord] = []
  public var ui = UIState()
  public var lineRate = RateMeter()
  /// Set when data or UI changed since the last frame.
  public var dirty = true
  /// A message for the title bar (a reloaded or rejected rules file), until a clock time.
  public var notice: Notice?
  public var totalLines: UInt64 = 0
  public var totalRejected: UInt64 = 0
  /// The alert transitions and episodes the engine produced (see `Alerts.swift`).
  public var alertHistory = AlertHistory()
  /// Acks, silences and the bell's throttle.
  public var notifier = Notifier()
  /// Operator actions taken since the runtime last took them (for the recording).
  public var actions: [OperatorAction] = []
  /// Markers typed with `m` (the newest ``markLimit``), and how many there were in all.
  public private(set) var marks: [(time: Timestamp, text: String)] = []
  public private(set) var marksTotal = 0
  public static let markLimit = 500

  /// Adds a marker at `t` (recorded as a `mark` record when recording).
  public mutating func addMark(at t: Timestamp, _ text: String) {
    marks.append((t, text))
    marksTotal += 1
    if marks.count > Self.markLimit { marks.removeFirst(marks.count - Self.markLimit) }
  }
  /// The loop's measured frame rate and output (`--debug`), nil until the first second.
  public var loopRates: LoopRates?
  /// Alert delivery as last reported (`.delivery`); nil when nothing is delivered.
  public var delivery: DeliveryStatus?
  /// The loop's monotonic clock as last reported (`.wallClock`), 0 before: what notices last on.
  public var wallNanos: Int64 = 0

  /// Shows `text` in the title bar for `duration` of wall time (data time where none is known).
  public mutating func notify(_ text: String, isError: Bool, for duration: Int64) {
    notice = Notice(
      text: text, isError: isError, until: now.adding(duration),
      wallUntil: wallNanos > 0 ? wallNanos + duration : nil)
  }
  /// The layout in force: ``AppConfig/layout`` until a reload replaces it (`.layoutLoaded`).
  public var layout: Layout
  /// The on-demand suspects of the last tick the Suspects view showed.
  public var suspectsCache: SuspectsCache?

  public init(config: AppConfig, feeds: [FeedSpec], now: Timestamp) {
    self.config = config
    layout = config.layout
    engine = Engine(
      rules: config.rules ?? RuleSet.defaults(for: config.signals), windows: config.windows,
      clockMode: config.clockMode, now: now, limits: config.series.with(signals: config.signals))
    // Suspects rank by the signal names and components in force, as `vigil check` does.
    engine.configureDiagnosis(signals: config.signals, components: config.components)
    self.feeds = feeds.map(FeedState.init)
    ui.fps = config.fps
    if let i = config.windows.windows.firstIndex(of: 5 * Nanos.minute) { ui.windowIndex = i }
    ui.windowIndex = min(ui.windowIndex, max(0, config.windows.windows.count - 1))
  }

  /// The time views show: the clock's now, or the newest event time in event mode.
  public var now: Timestamp {
    get { engine.clock.now }
    set { engine.setNow(newValue) }
  }

  /// The clock mode in force (auto resolves to wall or event on the first sample).
  public var clockMode: ClockMode {
    get { engine.clock.mode }
    set { engine.setClockMode(newValue) }
  }

  /// The newest event time seen.
  public var newestEvent: Timestamp? { engine.clock.newestEvent }

  /// The oldest event time seen (where alert evaluation starts).
  public var oldestEvent: Timestamp? { engine.clock.oldestEvent }

  /// The window length in force.
  public var window: Int64 { config.windows.windows[ui.windowIndex] }

  /// The time the panels are drawn at (frozen or live).
  public var viewTime: Timestamp { ui.frozenAt ?? now }
  /// The alert instances the dashboard's badges show (frozen or live); the alerts list is live.
  public var shownAlerts: [AlertInstance] { ui.frozenAlerts ?? alertHistory.instances }

  /// The theme in use.
  public var theme: Theme {
    let themes = config.themes
    return themes.isEmpty ? .standard : themes[min(max(0, ui.themeIndex), themes.count - 1)]
  }
}

/// A short message shown in the title bar until `until` (clock time).
public struct Notice: Sendable, Equatable {
  public var text: String
  public var isError: Bool
  /// On the data clock: when it goes, where no wall time is known (replay, tests).
  public var until: Timestamp
  /// On the loop's monotonic clock: when it goes. A notice is about the UI, so it lasts its
  /// seconds of wall time whatever the data clock does (the demo at 20x, a file read at full
  /// speed).
  public var wallUntil: Int64?
  public init(text: String, isError: Bool, until: Timestamp, wallUntil: Int64? = nil) {
    self.text = text
    self.isError = isError
    self.until = until
    self.wallUntil = wallUntil
  }

  /// Whether it has had its time at data time `now` and monotonic `wall` (0: unknown).
  public func isOver(now: Timestamp, wall: Int64) -> Bool {
    if let wallUntil, wall > 0 { return wall > wallUntil }
    return until < now
  }
}
