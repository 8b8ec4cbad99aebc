import VigilCore
import VigilRender

/// One feed as the feeds overlay lists it: a table row, then the selected feed's details.
///
/// Built only from ``FeedState``, so a new kind of source shows up by filling in its fields
/// (drops, reconnects, last error, ...) and, if it has more to say, lines in ``details``.
struct FeedRow: Equatable {
  var kind: String
  var target: String
  var state: String
  var stateSeverity: FeedSeverity
  var rate: String
  var lastSample: String
  var rejected: String
  var drops: String
  var reconnects: String
  /// Label and text pairs for the details section.
  var details: [(label: String, text: String)]
  /// Trailing lines of the source's own output (a command's stderr), oldest first.
  var output: [String]
  var outputTitle: String

  static func == (a: FeedRow, b: FeedRow) -> Bool {
    a.kind == b.kind && a.target == b.target && a.state == b.state && a.rate == b.rate
      && a.lastSample == b.lastSample && a.rejected == b.rejected && a.drops == b.drops
      && a.reconnects == b.reconnects && a.output == b.output
      && a.details.map(\.label) == b.details.map(\.label)
      && a.details.map(\.text) == b.details.map(\.text)
  }
}

/// How a feed's state is marked: glyph, word and style (never colour alone).
enum FeedSeverity: Equatable {
  case ok, warning, bad, info
}

extension FeedRow {
  init(_ feed: FeedState, now: Timestamp) {
    let spec = feed.spec
    kind = spec.kind.rawValue
    target = printableExcerpt(spec.target, limit: 400)
    state = feed.stateWord(at: now)
    switch feed.health {
    case .failed: stateSeverity = .bad
    case .ended: stateSeverity = .info
    case .ok: stateSeverity = feed.isStale(at: now) ? .warning : .ok
    default: stateSeverity = .warning
    }
    rate = Format.count(Double(feed.lineRate.perSecond))
    lastSample = feed.lastSampleTime.map { shortDuration(now.since($0)) } ?? "—"
    rejected = Format.count(Double(feed.rejectedTotal))
    drops = Format.count(Double(feed.dropped))
    reconnects = String(feed.reconnects)
    let isCommand = spec.kind == .command
    var d: [(String, String)] = []
    d.append(("target", target))
    var stateText = state
    switch feed.health {
    case .restarting(let at):
      stateText += at > now ? " in \(shortDuration(at.since(now)))" : " now"
    case .waiting(let why), .failed(let why):
      stateText += ": " + printableExcerpt(why, limit: 200)
    default: break
    }
    if feed.isStale(at: now) {
      stateText += " (no sample for over \(Nanos.format(spec.noDataAfter)))"
    }
    if let pid = feed.pid { stateText += ", pid \(pid)" }
    d.append(("state", stateText))
    var counts =
      "\(Format.count(Double(feed.lines))) lines, \(Format.count(Double(feed.samples))) samples"
    counts += ", \(Format.count(Double(feed.lineRate.perSecond))) lines/s"
    if let format = feed.format {
      counts += ", " + format.rawValue + (spec.format == nil ? " (detected)" : "")
    }
    d.append(("input", counts))
    if let last = feed.lastSampleTime {
      d.append(("last sample", "\(shortDuration(now.since(last))) ago (\(CivilTime(last).clock))"))
    }
    if feed.rejectedTotal > 0 {
      var text = feed.rejected.sorted { $0.key < $1.key }
        .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
      if let issue = feed.lastRejected {
        text += "; last: line \(issue.line) \(issue.reason.rawValue)"
        if !issue.excerpt.isEmpty { text += "  " + issue.excerpt }
      }
      d.append(("rejected", text))
    }
    if feed.dropped > 0 || feed.reconnects > 0 || isCommand {
      let word = isCommand ? "restarts" : "reconnects"
      d.append(("drops", "\(feed.dropped), \(word) \(feed.reconnects)"))
    }
    if isCommand, let status = feed.exitStatus {
      var text = status.description
      if let at = feed.exitedAt { text += " at \(CivilTime(at).clock)" }
      if let ran = feed.lastRunDuration { text += " after \(shortDuration(ran))" }
      d.append(("last exit", text))
    }
    if let poll = spec.poll {
      var text = "every \(Nanos.format(poll.every)), timeout \(Nanos.format(poll.timeout))"
      if let took = feed.lastFetchDuration {
        text += "; last took \(Nanos.format(took / Nanos.millisecond * Nanos.millisecond))"
        if let bytes = feed.lastFetchBytes { text += ", \(Format.count(Double(bytes))) bytes" }
      }
      d.append((spec.kind == .scrape ? "scrape" : "queries", text))
    }
    if let error = feed.lastError {
      var text = printableExcerpt(error, limit: 200)
      if let at = feed.lastErrorAt { text += " (\(CivilTime(at).clock))" }
      d.append(("last error", text))
    }
    details = d
    output = feed.stderrTail
    outputTitle =
      isCommand
      ? "stderr, last \(feed.stderrTail.count) of \(Format.count(Double(feed.stderrLines))) lines"
      : "output"
  }
}

/// The feeds overlay (`F`): a table of every feed, then the selected one's details and the
/// tail of its stderr.
func renderFeeds(
  _ state: AppState, in area: Rect, into buffer: inout ScreenBuffer, glyphs: GlyphSet, theme: Theme
) {
  let rect = overlayRect(in: area, width: area.width - 4, height: area.height - 2)
  buffer.fill(rect, with: Cell(" ", style: theme.overlay))
  let rows = state.feeds.map { FeedRow($0, now: state.now) }
  let healthy = state.feeds.filter { $0.isHealthy(at: state.now) }.count
  let inner = drawBox(
    into: &buffer, rect, title: "Feeds (\(healthy)/\(rows.count) ok)",
    rightTitle: "j k select  Esc close", focused: true, glyphs: glyphs, theme: theme)
  guard !inner.isEmpty else { return }
  if rows.isEmpty {
    buffer.put("No feeds.", at: Point(x: inner.x, y: inner.y), style: theme.label, clip: inner)
    return
  }
  let selected = max(0, min(state.ui.feedSelection, rows.count - 1))
  // The table takes at most a third of the rows when there are many feeds.
  let tableHeight = min(rows.count + 1, max(2, inner.height / 3))
  drawFeedTable(
    rows, selected: selected,
    in: Rect(x: inner.x, y: inner.y, width: inner.width, height: tableHeight), into: &buffer,
    glyphs: glyphs, theme: theme)
  // Series limits are the engine's, not a feed's: they follow whichever feed is selected.
  var row = rows[selected]
  row.details += SeriesNotes.details(state.engine.interner)
  row.details += state.engine.pairs.detailLines.map { ("pair", $0) }
  drawFeedDetails(
    row, in: inner, from: inner.y + tableHeight + 1, into: &buffer, glyphs: glyphs,
    theme: theme)
}

/// The feeds table: one row a feed, the selected one marked when there are several.
private func drawFeedTable(
  _ rows: [FeedRow], selected: Int, in rect: Rect, into buffer: inout ScreenBuffer,
  glyphs: GlyphSet, theme: Theme
) {
  let columns = [
    TableColumn("kind", width: .fixed(7)),
    TableColumn("target", width: .fill(1)),
    TableColumn("state", width: .fixed(12)),
    TableColumn("lines/s", width: .fixed(7), alignment: .right),
    TableColumn("last", width: .fixed(6), alignment: .right),
    TableColumn("rejected", width: .fixed(8), alignment: .right),
    TableColumn("drops", width: .fixed(5), alignment: .right),
    TableColumn("restarts", width: .fixed(8), alignment: .right),
  ]
  let cells = rows.map { row -> [TableCell] in
    let (mark, style) = feedMark(row.stateSeverity, glyphs: glyphs, theme: theme)
    return [
      TableCell(row.kind), TableCell(row.target), TableCell(mark + " " + row.state, style: style),
      TableCell(row.rate), TableCell(row.lastSample),
      TableCell(row.rejected, style: row.rejected == "0" ? nil : theme.warning),
      TableCell(row.drops, style: row.drops == "0" ? nil : theme.warning),
      TableCell(row.reconnects),
    ]
  }
  Table(
    columns: columns, rows: cells, headerStyle: theme.tableHeader, rowStyle: theme.text,
    selectedRow: rows.count > 1 ? selected : nil
  ).draw(in: rect, on: &buffer, glyphs: glyphs)
}

/// The selected feed's details from row `top` of `inner` (label, then text wrapped under the
/// text column), then the newest lines of its output that fit.
private func drawFeedDetails(
  _ row: FeedRow, in inner: Rect, from top: Int, into buffer: inout ScreenBuffer,
  glyphs: GlyphSet, theme: Theme
) {
  var y = top
  let labelWidth = (row.details.map { displayWidth($0.label) }.max() ?? 0) + 2
  let textWidth = max(10, inner.width - labelWidth)
  for (label, text) in row.details where y < inner.maxY {
    buffer.put(label, at: Point(x: inner.x, y: y), style: theme.headline, clip: inner)
    // The target may wrap to two rows; everything else stays on one (clipped with an ellipsis).
    var lines = [text]
    if label == "target" {
      let all = cutLines(text, width: textWidth)
      lines = Array(all.prefix(2))
      // More than two rows' worth: one character too many makes the second row end in "…".
      if all.count > 2 { lines[1] += " " }
    }
    for (i, line) in lines.enumerated() where y < inner.maxY {
      let clip = Rect(x: inner.x + labelWidth, y: y, width: textWidth, height: 1)
      buffer.putAligned(
        line, in: clip, alignment: .left,
        style: label == "last error" ? theme.warning : theme.text, ellipsis: glyphs.ellipsis)
      if i + 1 < lines.count { y += 1 }
    }
    y += 1
  }
  guard !row.output.isEmpty, y + 1 < inner.maxY else { return }
  y += 1
  buffer.put(row.outputTitle, at: Point(x: inner.x, y: y), style: theme.headline, clip: inner)
  y += 1
  // The newest lines that fit, oldest of them first.
  let fits = inner.maxY - y
  for line in row.output.suffix(fits) {
    let clip = Rect(x: inner.x + 2, y: y, width: inner.width - 2, height: 1)
    buffer.putAligned(
      line, in: clip, alignment: .left, style: theme.label, ellipsis: glyphs.ellipsis)
    y += 1
  }
}

/// Glyph and style of a feed state.
private func feedMark(_ severity: FeedSeverity, glyphs: GlyphSet, theme: Theme) -> (String, Style) {
  switch severity {
  case .ok: (glyphs.statusOK, theme.text)
  case .warning: (glyphs.statusWarning, theme.warning)
  case .bad: (glyphs.statusCritical, theme.bad)
  case .info: (glyphs.statusInfo, theme.label)
  }
}

/// `text` cut into pieces of at most `width` columns (no word wrapping: commands and paths
/// have no good break points).
private func cutLines(_ text: String, width: Int) -> [String] {
  var lines: [String] = []
  var current = ""
  var used = 0
  for ch in text {
    let w = displayWidth(String(ch))
    if used + w > width && !current.isEmpty {
      lines.append(current)
      current = ""
      used = 0
    }
    current.append(ch)
    used += w
  }
  if !current.isEmpty || lines.isEmpty { lines.append(current) }
  return lines
}
