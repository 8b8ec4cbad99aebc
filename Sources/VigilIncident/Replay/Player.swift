import VigilApp
import VigilCore
import VigilRender

/// The player around a ``Replayer``: speed, pause, jumps, seeks and markers (SEMANTICS §11).
///
/// Pure apart from the clock the loop passes in, so keys and their effect on the replay are
/// tested without a terminal.
public struct Player: Sendable {
  public var replayer: Replayer
  public var speed: Double = 1
  public var paused = false
  /// The `:` (go to) or `m` (marker) prompt being typed.
  public var prompt: Prompt?
  /// A short message in the player bar, until the next key the player or the dashboard acts
  /// on (a key that sets a message of its own sets the new one).
  public var notice: String?
  /// Markers added in this replay (written to the sidecar by the loop).
  public var newMarkers: [(time: Timestamp, text: String)] = []
  public static let speeds: ClosedRange<Double> = 0.25...1000

  public enum Prompt: Sendable, Equatable {
    case goto(String)
    case marker(String)
  }

  public init(replayer: Replayer) { self.replayer = replayer }

  public var time: Timestamp { replayer.time }

  /// Advances the replay by `elapsed` nanoseconds of viewer time at the current speed.
  public mutating func advance(byWall elapsed: Int64) {
    guard !paused, elapsed > 0 else { return }
    let step = Double(elapsed) * speed
    let target = replayer.time.adding(Int64(clamping: min(step, 9e17)))
    replayer.play(until: min(target, replayer.endTime))
    if replayer.time >= replayer.endTime {
      replayer.playToEnd()
      paused = true
      notice = "end of the recording"
    }
  }

  /// Evaluation ticks in force.
  var interval: Int64 { replayer.state.engine.rules.evaluationInterval }

  /// Handles a player key; false when the key is not the player's (the app gets it).
  public mutating func handle(_ key: Key) -> Bool {
    if let p = prompt { return handlePrompt(p, key) }
    let t = replayer.time
    let before = notice
    notice = nil
    switch key {
    case .character(" "):
      paused.toggle()
    case .character("."):
      paused = true
      seek(to: nextTick(after: t))
    case .character(","):
      paused = true
      seek(to: previousTick(before: t))
    case .character("+"): setSpeed(speed * 2)
    case .character("-"): setSpeed(speed / 2)
    case .character("="): setSpeed(1)
    case .character("]"): jump(replayer.transitions.map(\.time), forward: true, what: "transition")
    case .character("["): jump(replayer.transitions.map(\.time), forward: false, what: "transition")
    case .character("}"): jump(markerTimes, forward: true, what: "marker")
    case .character("{"): jump(markerTimes, forward: false, what: "marker")
    case .character("e"): jump(firingTimes, forward: true, what: "firing")
    case .character("E"): jump(firingTimes, forward: false, what: "firing")
    case .character("g"), .home: seekToStart()
    case .character("G"), .end:
      replayer.playToEnd()
      paused = true
    case .character(":"): prompt = .goto("")
    case .character("m"): prompt = .marker("")
    default:
      // Not the player's key: the dashboard's (the loop clears the message when it acts).
      notice = before
      return false
    }
    return true
  }

  private mutating func handlePrompt(_ p: Prompt, _ key: Key) -> Bool {
    var text: String
    switch p {
    case .goto(let s), .marker(let s): text = s
    }
    switch key {
    case .escape:
      prompt = nil
      return true
    case .enter:
      prompt = nil
      switch p {
      case .goto:
        if let target = parseGoto(text) {
          goto(target)
        } else {
          notice = "go to: use 16:20, 16:20:05, +5m or -30s"
        }
      case .marker:
        let note = String(text.prefix(120))
        notice = nil
        if !note.isEmpty {
          newMarkers.append((replayer.time, note))
          replayer.addMarker(at: replayer.time, note)
          notice = "marker added"
        }
      }
      return true
    case .backspace, .delete:
      if !text.isEmpty { text.removeLast() }
    case .character(let c) where !c.isNewline && text.count < 120:
      text.append(c)
    default: return true
    }
    switch p {
    case .goto: prompt = .goto(text)
    case .marker: prompt = .marker(text)
    }
    return true
  }

  public mutating func seek(to t: Timestamp) {
    let clamped = max(replayer.startTime, min(t, replayer.endTime))
    replayer.seek(to: clamped)
  }

  /// Goes to the start as the dashboard first showed data (``Replayer/seekToStart()``).
  public mutating func seekToStart() { replayer.seekToStart() }

  /// `:`: a time inside the recording is gone to; one before its start goes to the start and
  /// one after its end to the end, saying so with the recording's range (D50).
  mutating func goto(_ target: Timestamp) {
    if target < replayer.startTime {
      seekToStart()
      notice = "before the recording (\(rangeText))"
    } else if target > replayer.endTime {
      seek(to: replayer.endTime)
      notice = "after the recording (\(rangeText))"
    } else {
      seek(to: target)
    }
  }

  /// The recording's first and last times, as the player's clock shows them.
  var rangeText: String {
    CivilTime(replayer.startTime).clock + "–" + CivilTime(replayer.endTime).clock
  }

  private mutating func setSpeed(_ s: Double) {
    speed = max(Self.speeds.lowerBound, min(Self.speeds.upperBound, s))
    notice = "speed \(Format.value(speed))x"
  }

  private var markerTimes: [Timestamp] { replayer.markers.map(\.time) }

  private var firingTimes: [Timestamp] {
    replayer.transitions.filter { $0.transition.to == .firing }.map(\.time)
  }

  private mutating func jump(_ times: [Timestamp], forward: Bool, what: String) {
    let t = replayer.time
    let target = forward ? times.first { $0 > t } : times.last { $0 < t }
    guard let target else {
      notice = forward ? "no later \(what)" : "no earlier \(what)"
      return
    }
    paused = true
    // Backward jumps land just before the target's record plays, forward jumps just after.
    seek(to: target)
    // A marker says what it marks.
    if what == "marker", let m = replayer.markers.first(where: { $0.time == target }) {
      notice = "marker: " + m.text
    }
  }

  func nextTick(after t: Timestamp) -> Timestamp {
    let i = max(1, interval)
    let q = t.nanoseconds / i
    return Timestamp(nanoseconds: (q + 1) * i)
  }

  func previousTick(before t: Timestamp) -> Timestamp {
    let i = max(1, interval)
    let q = t.nanoseconds / i
    let k = t.nanoseconds % i == 0 ? q - 1 : q
    return Timestamp(nanoseconds: k * i)
  }

  /// `16:20`, `16:20:05` (UTC, the recording's day) or `+5m`/`-30s` from the replay clock.
  func parseGoto(_ text: String) -> Timestamp? {
    let s = text.trimmingSpaces
    if let sign = s.first, sign == "+" || sign == "-" {
      guard let d = Nanos.parse(String(s.dropFirst())) else { return nil }
      return replayer.time.adding(sign == "+" ? d : -d)
    }
    let parts = s.split(separator: ":").compactMap { Int($0) }
    guard (2...3).contains(parts.count), parts.count == s.split(separator: ":").count else {
      return nil
    }
    let h = parts[0]
    let m = parts[1]
    let sec = parts.count == 3 ? parts[2] : 0
    guard (0..<24).contains(h), (0..<60).contains(m), (0..<60).contains(sec) else { return nil }
    return clockTime(hour: h, minute: m, second: sec)
  }

  /// A time of day on the recording's days: the first one inside the recording, else the one
  /// nearest to it (so `23:00` before a recording that starts at 23:30 is before its start,
  /// not a day later past its end).
  func clockTime(hour: Int, minute: Int, second: Int) -> Timestamp? {
    let start = replayer.startTime
    let end = replayer.endTime
    var day = CivilTime(start)
    day.hour = hour
    day.minute = minute
    day.second = second
    day.nanosecond = 0
    guard let first = day.timestamp else { return nil }
    let days = max(0, end.since(start)) / Nanos.day + 1
    let candidates = (-1...days).map { first.adding($0 * Nanos.day) }
    if let inside = candidates.first(where: { $0 >= start && $0 <= end }) { return inside }
    func distance(_ t: Timestamp) -> Int64 { t < start ? start.since(t) : t.since(end) }
    return candidates.min { distance($0) < distance($1) }
  }
}

extension String {
  fileprivate var trimmingSpaces: String {
    String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
  }
}

// MARK: - View

/// Draws the dashboard of the replayed state with the player bar in place of the status bar:
/// state, speed, the replay time, a timeline with alert transitions and markers, and the keys.
public func renderPlayer(
  _ player: Player, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme = .standard
) {
  renderApp(player.replayer.state, into: &buffer, glyphs: glyphs, theme: theme)
  let size = buffer.size
  guard size.width >= minimumSize.width, size.height >= minimumSize.height else { return }
  let row = Rect(x: 0, y: size.height - 1, width: size.width, height: 1)
  buffer.fill(row, with: Cell(" ", style: theme.statusBar))
  var left: String
  if let p = player.prompt {
    switch p {
    case .goto(let s): left = " go to (16:20, +5m): " + printableExcerpt(s, limit: 40) + "_"
    case .marker(let s): left = " marker: " + printableExcerpt(s, limit: 60) + "_"
    }
    buffer.put(left, at: Point(x: 0, y: row.y), style: theme.statusBar.adding(.bold), clip: row)
    return
  }
  let r = player.replayer
  let state = player.paused ? (glyphs.isUnicode ? "❚❚" : "||") : (glyphs.isUnicode ? "▶" : ">")
  let clock = CivilTime(r.time).clock
  left = " \(state) \(Format.value(player.speed))x \(clock) "
  // A message may take the timeline's place.
  let room = max(20, size.width - left.count - 4)
  let right =
    player.notice.map { " \(printableExcerpt($0, limit: room)) " }
    ?? " ]/[ alerts  : go to  ? keys "
  buffer.put(left, at: Point(x: 0, y: row.y), style: theme.statusBar.adding(.bold), clip: row)
  let barX = left.count
  let barWidth = size.width - barX - right.count
  if barWidth >= 10 {
    let cells = timeline(r, width: barWidth, glyphs: glyphs)
    for (i, c) in cells.enumerated() {
      let style: Style
      switch c.kind {
      case .firing: style = theme.alertFiring
      case .resolved: style = theme.statusBar.adding(.bold)
      case .marker: style = theme.warning.adding(.reverse)
      case .now: style = theme.statusBar.adding(.bold).adding(.underline)
      case .plain: style = theme.statusBar
      }
      buffer.put(c.glyph, at: Point(x: barX + i, y: row.y), style: style, clip: row)
    }
  }
  buffer.put(
    right, at: Point(x: max(barX, size.width - right.count), y: row.y), style: theme.statusBar,
    clip: row)
  if !glyphs.isUnicode { asciify(&buffer) }
}

struct TimelineCell: Equatable {
  enum Kind: Equatable { case plain, firing, resolved, marker, now }
  var glyph: String
  var kind: Kind
}

/// One cell per slice of the recording: where the clock is, and the transitions and markers in
/// each slice (firing wins over a marker, a marker over a resolution).
func timeline(_ r: Replayer, width: Int, glyphs: GlyphSet) -> [TimelineCell] {
  let span = max(1, r.endTime.since(r.startTime))
  func cell(_ t: Timestamp) -> Int {
    let f = Double(max(0, t.since(r.startTime))) / Double(span)
    return min(width - 1, max(0, Int(clamping: f * Double(width))))
  }
  var cells = Array(
    repeating: TimelineCell(glyph: glyphs.isUnicode ? "─" : "-", kind: .plain), count: width)
  for (t, tr) in r.transitions where tr.to == .resolved || tr.to == .inactive {
    cells[cell(t)] = TimelineCell(glyph: glyphs.isUnicode ? "╵" : ".", kind: .resolved)
  }
  for (t, _) in r.markers { cells[cell(t)] = TimelineCell(glyph: "M", kind: .marker) }
  for (t, tr) in r.transitions where tr.to == .firing {
    cells[cell(t)] = TimelineCell(glyph: "!", kind: .firing)
  }
  let now = cell(r.time)
  cells[now] = TimelineCell(glyph: glyphs.isUnicode ? "●" : "O", kind: .now)
  return cells
}
