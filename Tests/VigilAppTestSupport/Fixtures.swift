// App fixtures shared by VigilAppTests and VigilIncidentTests (kept apart from
// VigilTestSupport, which must not depend on VigilApp).
import VigilApp
import VigilCore
import VigilDemo
import VigilRender

/// The demo incident's start in every app test.
public let demoStart = Timestamp.seconds(1_795_687_200)  // 2026-11-26T10:00:00Z

/// A record batch of `lines`, numbered from `firstLine`.
public func batch(_ lines: [String], firstLine: Int = 1) -> RecordBatch {
  var b = RecordBatch()
  for (i, line) in lines.enumerated() {
    var s = line
    s.withUTF8 { b.append(UnsafeRawBufferPointer($0), line: firstLine + i) }
  }
  return b
}

/// A state with one JSON feed, wall clock at `now`.
public func freshState(now: Timestamp = demoStart, clock: ClockMode = .wall) -> AppState {
  var config = AppConfig()
  config.clockMode = clock
  return AppState(
    config: config,
    feeds: [FeedSpec(id: FeedID(0), kind: .file, target: "/var/log/app.jsonl", format: .json)],
    now: now)
}

/// Sends `lines` as one input arriving at `arrival`.
public func send(
  _ state: inout AppState, _ lines: [String], at arrival: Timestamp, firstLine: Int = 1
) {
  let input = FeedInput(
    feed: FeedID(0), arrival: arrival, seq: 1,
    payload: .records(batch(lines, firstLine: firstLine), .json))
  _ = update(&state, .tick(arrival))
  _ = update(&state, .feed(input))
}

/// A state that has ingested the first `seconds` seconds of the demo incident from `from`,
/// second by second, as a live run would (deterministic).
public func demoState(from: Int = 0, seconds: Int, size: Size = Size(width: 80, height: 24))
  -> AppState
{
  let scenario = DemoScenario(seed: 42)
  let start = demoStart
  var state = freshState(now: start.adding(Int64(from) * Nanos.second))
  state.ui.size = size
  for s in from..<(from + seconds) {
    let lines = scenario.events(second: s).map {
      DemoFormatter.line($0, start: start, format: .json)
    }
    send(&state, lines, at: start.adding(Int64(s + 1) * Nanos.second))
  }
  return state
}

/// Renders `state` at its UI size.
public func render(_ state: AppState, glyphs: GlyphSet = .unicode) -> ScreenBuffer {
  var buffer = ScreenBuffer(size: state.ui.size)
  renderApp(state, into: &buffer, glyphs: glyphs)
  return buffer
}
