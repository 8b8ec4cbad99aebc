import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender

/// `+` / `-`, the SSH default's status-bar note, and the `--debug` indicator.
@Suite struct FrameRateTests {
  @Test func plusAndMinusStepThroughTheLadderAndStopAtItsEnds() {
    var state = freshState()
    #expect(state.ui.fps == 4)
    var seen: [Double] = []
    for _ in 0..<4 {
      _ = update(&state, .key(.character("+")))
      seen.append(state.ui.fps)
    }
    #expect(seen == [8, 15, 30, 30])
    #expect(state.notice?.text.contains("30 fps (the fastest)") == true)
    seen = []
    for _ in 0..<7 {
      _ = update(&state, .key(.character("-")))
      seen.append(state.ui.fps)
    }
    #expect(seen == [15, 8, 4, 2, 1, 0.5, 0.5])
    #expect(state.notice?.text.contains("0.5 fps (the slowest)") == true)
    // "=" is + without shift.
    _ = update(&state, .key(.character("=")))
    #expect(state.ui.fps == 1)
    #expect(state.notice?.text == "frame rate: 1 fps, + faster, - slower")
  }

  @Test func aRateBetweenStepsMovesToTheNeighbouringSteps() {
    #expect(FrameRate.faster(than: 3) == 4)
    #expect(FrameRate.slower(than: 3) == 2)
    #expect(FrameRate.faster(than: 60) == 60)
    #expect(FrameRate.slower(than: 0.2) == 0.2)
  }

  @Test func theConfiguredRateIsTheStartingRate() {
    var config = AppConfig()
    config.fps = 2
    let state = AppState(config: config, feeds: [], now: demoStart)
    #expect(state.ui.fps == 2)
  }

  @Test func overSSHTheStatusBarSaysTheRateAndFollowsTheKeys() {
    var config = AppConfig()
    config.fps = FrameRate.overSSH
    config.overSSH = true
    var state = AppState(config: config, feeds: [], now: demoStart)
    state.ui.size = Size(width: 100, height: 30)
    var status = render(state).lines().last ?? ""
    #expect(status.contains("ssh: 2 fps"))
    #expect(status.contains("? help"))
    _ = update(&state, .key(.character("+")))
    status = render(state).lines().last ?? ""
    #expect(status.contains("ssh: 4 fps"))
    // At 80 columns the note stays; "? help" gives way when the row is full.
    state.ui.size = Size(width: 80, height: 24)
    status = render(state).lines().last ?? ""
    #expect(status.contains("ssh: 4 fps"))
    // Not over SSH: no note.
    var local = freshState()
    local.ui.size = Size(width: 100, height: 30)
    #expect(!(render(local).lines().last ?? "").contains("ssh"))
  }

  @Test func debugIndicatorShowsMeasuredRateAndBytes() {
    var config = AppConfig()
    config.debug = true
    var state = AppState(config: config, feeds: [], now: demoStart)
    state.ui.size = Size(width: 100, height: 30)
    #expect(render(state).lines()[0].contains("debug: 4 fps max, measuring"))
    _ = update(&state, .loopMeasured(LoopRates(framesPerSecond: 3.96, bytesPerSecond: 1460)))
    #expect(state.dirty)
    #expect(render(state).lines()[0].contains("debug: 4.0/4 fps 1.5 kB/s"))
    _ = update(&state, .loopMeasured(LoopRates(framesPerSecond: 1, bytesPerSecond: nil)))
    #expect(render(state).lines()[0].contains("debug: 1.0/4 fps bytes n/a"))
    // Without --debug there is no indicator, whatever was measured.
    state.config.debug = false
    #expect(!render(state).lines()[0].contains("debug:"))
  }

  @Test func bytesAreFormattedShort() {
    #expect(FrameRate.formatBytes(812) == "812 B/s")
    #expect(FrameRate.formatBytes(1340) == "1.3 kB/s")
    #expect(FrameRate.formatBytes(24_400) == "24 kB/s")
    #expect(FrameRate.formatBytes(1_250_000) == "1.3 MB/s")
  }

  /// The loop measures itself with `--debug` and draws the indicator (headless: no byte count).
  @Test func theLoopMeasuresItselfWithDebug() {
    var config = AppConfig()
    config.debug = true
    config.fps = 30
    let state = AppState(config: config, feeds: [], now: demoStart)
    let backend = RecordingBackend(size: Size(width: 100, height: 30))
    let inbox = MessageInbox(clock: SystemClock())
    let loop = AppLoop(
      state: state, backend: backend, clock: SystemClock(), inbox: inbox, glyphs: .unicode)
    // 30 fps for 45 frames: at least one full second passes, so one measurement lands.
    loop.maxFrames = 45
    _ = loop.run()
    let rates = loop.state.loopRates
    #expect(rates != nil)
    #expect(rates?.bytesPerSecond == nil)
    #expect((rates?.framesPerSecond ?? 0) > 0)
  }

  /// Issue 15 item 4: at the slowest frame rate (one frame per 5 s) a key is answered by a
  /// frame of its own at once, not at the next paced frame: `t` then `q` draw the theme's
  /// notice before the loop quits.
  @Test func aKeyIsDrawnAtOnceWhateverTheFrameRate() {
    var config = AppConfig()
    config.fps = 0.2
    let state = AppState(config: config, feeds: [], now: demoStart)
    let backend = RecordingBackend(
      size: Size(width: 100, height: 30), input: [.key(.character("t")), .key(.character("q"))])
    let loop = AppLoop(
      state: state, backend: backend, clock: SystemClock(),
      inbox: MessageInbox(clock: SystemClock()), glyphs: .unicode)
    var frames: [String] = []
    loop.onFrame = { frames.append($0.lines()[0]) }
    #expect(loop.run() == .quit)
    #expect(loop.stats.answerFrames == 1)
    #expect(frames.count == 2, "\(frames)")
    #expect(frames.last?.contains("theme:") == true, "\(frames)")
  }
}
