import VigilCore
import VigilRender

/// Counters the loop keeps about itself (shown with `--debug`, used by benchmarks and tests).
public struct LoopStats: Sendable, Equatable {
  public var frames = 0
  public var cellsWritten = 0
  public var inputsProcessed = 0
  /// Frames drawn at once to answer a key or a click (not paced by the frame rate).
  public var answerFrames = 0
  public init() {}
}

/// The loop: one thread owns the state, the backend and the frame.
///
/// Each turn: drain the inbox (with a time budget, so a flood of input never starves the
/// screen), advance the clock, draw a frame if one is due and something changed, then wait for
/// a key until the next frame is due. Generic over the backend, so tests and `--headless` use
/// ``RecordingBackend`` and `vigil` uses curses.
public final class AppLoop<Backend: TerminalBackend> {
  public private(set) var state: AppState
  public let backend: Backend
  public private(set) var stats = LoopStats()
  private let clock: any VigilClock
  private let inbox: MessageInbox
  private var frame: Frame
  private let glyphs: GlyphSet
  /// The theme in use, adapted to the terminal's colours once per theme change.
  private var drawnTheme: (index: Int, theme: Theme)?
  /// Called after each frame is drawn (headless mode prints it).
  public var onFrame: ((ScreenBuffer) -> Void)?
  /// Told everything the loop applies (the incident recorder, `--record`).
  public var observer: (any AppLoopObserver)?
  /// Asked once per turn for a message from outside the feeds (alert delivery's status).
  public var poll: (() -> Message?)?
  /// Stop after this many frames (headless mode).
  public var maxFrames: Int?
  /// Headless: hold the first frame until every feed has settled (caught up with its backlog,
  /// or waiting, ended, failing), at most this long, so files and the demo's history are on it.
  public var settleLimit: Int64 = 10 * Nanos.second
  /// Reloads the layout file when it changes (set from ``AppConfig/layoutPath``).
  public var layoutWatcher: LayoutWatcher?

  public init(
    state: AppState, backend: Backend, clock: any VigilClock, inbox: MessageInbox,
    glyphs: GlyphSet
  ) {
    self.state = state
    self.backend = backend
    self.clock = clock
    self.inbox = inbox
    self.glyphs = glyphs
    frame = Frame(size: backend.size)
    self.state.ui.size = backend.size
    layoutWatcher = state.config.layoutPath.map { LayoutWatcher(path: $0) }
  }

  /// Runs until quit, a termination signal, or `maxFrames`.
  public func run() -> ExitReason {
    var interval = Self.interval(fps: state.ui.fps)
    var meter = LoopMeter()
    var nextFrame = monotonicNanos() + (maxFrames == nil ? 0 : interval)
    let settleDeadline = monotonicNanos() + settleLimit
    while true {
      // 1. Feed input, within half a frame of work.
      let budgetEnd = monotonicNanos() + interval / 2
      repeat {
        let inputs = inbox.drain(maxItems: 32)
        if inputs.isEmpty { break }
        for input in inputs {
          if let reason = apply(.feed(input)) { return reason }
        }
        stats.inputsProcessed += inputs.count
      } while monotonicNanos() < budgetEnd

      // 2. Time (the wall's, for the UI, then the data clock's), and the layout file when it
      // changed.
      if let reason = apply(.wallClock(monotonicNanos())) { return reason }
      if let reason = apply(.tick(clock.now())) { return reason }
      if var watcher = layoutWatcher {
        let changed = watcher.changed(mono: monotonicNanos())
        layoutWatcher = watcher
        if changed, let reason = apply(.layoutLoaded(loadLayout(watcher.path))) { return reason }
      }

      if let message = poll?(), let reason = apply(message) { return reason }

      // 3. A frame, when due and needed (at the rate `+` / `-` set last).
      let mono = monotonicNanos()
      let wanted = Self.interval(fps: state.ui.fps)
      if wanted != interval {
        nextFrame = min(nextFrame, mono + wanted)
        interval = wanted
      }
      if state.config.debug,
        let rates = meter.sample(mono: mono, frames: stats.frames, bytes: backend.bytesWritten)
      {
        if let reason = apply(.loopMeasured(rates)) { return reason }
      }
      let settling =
        maxFrames != nil && stats.frames == 0 && mono < settleDeadline
        && (inbox.hasPending || !state.feeds.allSatisfy(\.isSettled))
      if mono >= nextFrame && !settling {
        if state.dirty || maxFrames != nil {
          draw()
          if let maxFrames, stats.frames >= maxFrames { return .framesDone }
        }
        nextFrame = max(nextFrame + interval, mono + interval / 4)
      }

      // 4. Keys and resizes until the next frame is due (at once when input is waiting). A key
      // or a click that changed the screen is drawn at once: the frame rate paces the data's
      // redraws, never the answer to the user (at 0.5 fps a key would otherwise wait 2 s).
      var timeout =
        inbox.hasPending ? 0 : Int(max(0, nextFrame - monotonicNanos()) / Nanos.millisecond)
      while let event = backend.pollInput(timeoutMilliseconds: timeout) {
        let message: Message
        var answer = false
        switch event {
        case .key(let k):
          message = .key(k)
          answer = true
        case .resize(let size):
          frame.resize(to: size)
          backend.invalidate()
          message = .resize(size)
          nextFrame = monotonicNanos()
        case .terminate(let sig): message = .terminate(sig)
        case .mouse(let event):
          message = .mouse(event)
          answer = true
        }
        if let reason = apply(message) { return reason }
        if answer && state.dirty && maxFrames == nil {
          draw()
          stats.answerFrames += 1
        }
        timeout = 0
      }
      // A backend that does not block (headless) must not make the loop spin: wait for feed
      // input for whatever is left until the next frame.
      let left = nextFrame - monotonicNanos()
      if left > Nanos.millisecond && !inbox.hasPending { inbox.waitForInput(timeout: left) }
    }
  }

  /// Nanoseconds between frames at `fps` (kept within 0.2 to 60).
  static func interval(fps: Double) -> Int64 {
    Int64(clamping: 1e9 / max(0.2, min(60, fps.isFinite ? fps : FrameRate.standard)))
  }

  /// Applies one message; returns an exit reason when an effect asks to quit.
  private func apply(_ message: Message) -> ExitReason? {
    for effect in update(&state, message, observer: observer) {
      switch effect {
      case .quit(let reason):
        observer?.finish(at: state.now, reason: reason)
        return reason
      case .bell: backend.bell()
      case .reloadRules(let path):
        // The only file read the loop does, and only on request (`r`).
        let text: RulesText =
          readTextFile(path).map { .yaml($0, path: path) }
          ?? .unreadable("cannot read the file", path: path)
        observer?.rulesRead(text, at: state.now)
        if let reason = apply(.rulesLoaded(text.rules)) { return reason }
      case .reloadLayout(let path):
        if let reason = apply(.layoutLoaded(loadLayout(path))) { return reason }
      }
    }
    return nil
  }

  /// Reads the layout file (on `r`, or when it changed); the observer hears of a layout that
  /// loads (a recording's next segment header carries it).
  private func loadLayout(_ path: String) -> Result<LayoutLoad, ConfigProblems> {
    let result = LayoutLoader.load(path: path)
    if case .success(let load) = result { observer?.layoutChanged(text: load.text, path: path) }
    return result
  }

  /// Renders the state into the frame and sends the changes.
  public func draw() {
    if frame.next.size != backend.size { frame.resize(to: backend.size) }
    if drawnTheme?.index != state.ui.themeIndex {
      drawnTheme = (state.ui.themeIndex, state.theme.adapted(to: backend.colorCapability))
    }
    renderApp(state, into: &frame.next, glyphs: glyphs, theme: drawnTheme?.theme)
    let result = frame.render(to: backend)
    stats.frames += 1
    stats.cellsWritten += result.cells
    state.dirty = false
    onFrame?(frame.current)
  }
}
