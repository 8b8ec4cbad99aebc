import VigilApp
import VigilCore

/// The report's inline SVG: a chart per signal and the alert timeline, on one time axis.
extension ReportPage {
  // MARK: Geometry

  static let width = 960.0
  static let left = 64.0
  static let right = 12.0
  var plotWidth: Double { Self.width - Self.left - Self.right }

  func num(_ v: Double) -> String { Format.fixed(v, 1) }

  func x(_ t: Timestamp) -> Double {
    let span = Double(max(1, r.span))
    let f = Double(t.since(r.start)) / span
    return Self.left + min(1, max(0, f)) * plotWidth
  }

  /// Time ticks: the smallest step from a fixed list that gives at most 8 ticks.
  func timeTicks() -> (step: Int64, ticks: [Timestamp]) {
    let steps: [Int64] = [
      1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
      172_800, 604_800,
    ].map { $0 * Nanos.second }
    let span = max(1, r.span)
    let step = steps.first { span / $0 <= 8 } ?? max(1, span / 8)
    var ticks: [Timestamp] = []
    let s = r.start.nanoseconds
    var t = (s >= 0 ? (s + step - 1) / step : s / step) * step
    while t <= r.end.nanoseconds && ticks.count < 40 {
      ticks.append(Timestamp(nanoseconds: t))
      t += step
    }
    return (step, ticks)
  }

  func tickLabel(_ t: Timestamp, step: Int64) -> String {
    let c = CivilTime(t)
    if step >= Nanos.day { return text.date(t) }
    let hm = String(c.clock.prefix(5))
    return step % Nanos.minute == 0 ? hm : c.clock
  }

  /// `<line>` from (x1, y1) to (x2, y2), with more attributes before and after the points.
  func line(
    _ h: inout HTMLBuilder, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
    class cls: String? = nil, _ body: ((inout HTMLBuilder) -> Void)? = nil
  ) {
    let points = [("x1", num(x1)), ("y1", num(y1)), ("x2", num(x2)), ("y2", num(y2))]
    let attributes = (cls.map { [("class", $0)] } ?? []) + points
    if let body { h.element("line", attributes, body) } else { h.empty("line", attributes) }
  }

  /// Vertical grid lines and time labels below a plot from `top` to `bottom`, at `x`.
  func timeAxis(
    _ h: inout HTMLBuilder, top: Double, bottom: Double, x: (Timestamp) -> Double
  ) {
    let (step, ticks) = timeTicks()
    h.element("g", [("class", "grid")], breaks: .after) { h in
      for t in ticks { line(&h, x(t), top, x(t), bottom) }
    }
    h.element("g", [("class", "axis"), ("aria-hidden", "true")], breaks: .after) { h in
      for t in ticks {
        let at = [("x", num(x(t))), ("y", num(bottom + 14)), ("text-anchor", "middle")]
        h.element("text", at, text: tickLabel(t, step: step))
      }
    }
  }

  /// The notes (markers, acks, ack notes, silences) drawn as numbered vertical lines.
  var drawnNotes: [(number: Int, note: IncidentReport.Note)] {
    Array(r.notes.enumerated().map { ($0.offset + 1, $0.element) }.prefix(Self.maxDrawnNotes))
  }
  static let maxDrawnNotes = 60

  /// Marker labels' height: a row of numbers above the plot, one more row for each number
  /// that would touch its neighbour.
  static let markerRowHeight = 12.0

  /// The row of each drawn note's number (0 just above the plot, 1 above that, ...): a number
  /// goes on the lowest row where it keeps a gap from the one before it, so numbers of close
  /// markers never run together (`2` and `3` never read `23`).
  func markerRows(x: (Timestamp) -> Double) -> [Int] {
    var ends: [Double] = []
    var rows: [Int] = []
    for (n, note) in drawnNotes {
      let w = Self.markerLabelWidth(String(n))
      let left = x(note.time) - w / 2
      if let row = ends.firstIndex(where: { $0 + 3 <= left }) {
        rows.append(row)
        ends[row] = left + w
      } else {
        rows.append(ends.count)
        ends.append(left + w)
      }
    }
    return rows
  }

  /// The width of a marker's number (11 px bold digits, generously).
  static func markerLabelWidth(_ label: String) -> Double { Double(label.count) * 7.5 + 1 }

  /// The room marker numbers need above a plot beyond the first row.
  func markerExtra(x: (Timestamp) -> Double) -> Double {
    Double(markerRows(x: x).max() ?? 0) * Self.markerRowHeight
  }

  func markerLines(
    _ h: inout HTMLBuilder, top: Double, bottom: Double, x: (Timestamp) -> Double
  ) {
    guard !r.notes.isEmpty else { return }
    let rows = markerRows(x: x)
    h.element("g", [("class", "markers")], breaks: .after) { h in
      for (i, (n, note)) in drawnNotes.enumerated() {
        let xx = x(note.time)
        let row = i < rows.count ? rows[i] : 0
        h.element("g") { h in
          h.element(
            "title", text: "\(n). \(text.time(note.time)) \(text.kind(note.kind)): \(note.text)")
          line(&h, xx, top - Self.markerRowHeight * Double(row), xx, bottom, class: "marker")
          let at = [
            ("class", "marker-label"), ("x", num(xx)),
            ("y", num(top - 3 - Self.markerRowHeight * Double(row))), ("text-anchor", "middle"),
          ]
          h.element("text", at, text: String(n))
        }
      }
    }
  }

  func hatchPattern(_ h: inout HTMLBuilder, _ id: String) {
    h.element("defs", breaks: .after) { h in
      let attributes = [
        ("id", id), ("class", "hatch"), ("width", "6"), ("height", "6"),
        ("patternUnits", "userSpaceOnUse"), ("patternTransform", "rotate(45)"),
      ]
      h.element("pattern", attributes) { h in
        h.empty("line", [("x1", "0"), ("y1", "0"), ("x2", "0"), ("y2", "6")])
      }
    }
  }

  /// `<svg>` of `height` labelled by its title and description, around `body`.
  func svg(
    _ h: inout HTMLBuilder, class cls: String, data: [(String, String)] = [], height: Double,
    name: String, title: String, description: String, _ body: (inout HTMLBuilder) -> Void
  ) {
    let attributes =
      [("class", cls)] + data + [
        ("viewBox", "0 0 \(num(Self.width)) \(num(height))"), ("role", "img"),
        ("aria-labelledby", "title-\(name) desc-\(name)"),
        ("xmlns", "http://www.w3.org/2000/svg"),
      ]
    h.element("svg", attributes, breaks: .block) { h in
      h.element("title", [("id", "title-\(name)")], breaks: .after, text: title)
      h.element("desc", [("id", "desc-\(name)")], breaks: .after, text: description)
      body(&h)
    }
  }

  /// A legend of swatches (their CSS classes) and what they stand for.
  func legend(_ h: inout HTMLBuilder, _ items: [(swatch: String, label: String)]) {
    h.element("div", [("class", "legend"), ("aria-hidden", "true")], breaks: .after) { h in
      for item in items {
        h.element("span") { h in
          h.element("span", [("class", "swatch " + item.swatch)]) { _ in }
          h.text(item.label)
        }
      }
    }
  }

  // MARK: Charts

  func charts(_ h: inout HTMLBuilder) {
    section(&h, "signals", "Signals") { h in
      legend(
        &h,
        [
          ("firing-band", "alert firing"), ("pending", "alert pending"),
          ("threshold", "rule threshold"),
          ("marker", "marker or note (numbered, see Markers and notes)"),
        ])
      for s in r.signals { chart(&h, s) }
    }
  }

  /// A chart's vertical scale: from `min` to `max`, drawn from `bottom` up to `top`.
  struct Scale {
    var min: Double
    var max: Double
    var top: Double
    var bottom: Double

    /// Off the scale (a value near Double's limits, where the axis could not follow) is
    /// pinned to the chart's edge, never a NaN or infinite coordinate.
    func y(_ v: Double) -> Double {
      let y = bottom - (v - min) / Swift.max(1e-12, max - min) * (bottom - top)
      guard y.isFinite else { return v < min ? bottom : top }
      return Swift.min(bottom, Swift.max(top, y))
    }
  }

  func chart(_ h: inout HTMLBuilder, _ s: IncidentReport.Signal) {
    let extra = markerExtra(x: x)
    let height = 220.0 + extra
    let top = 18.0 + extra
    let bottom = height - 26
    let values = s.points.compactMap(\.value).filter(\.isFinite)
    let limits = values + s.thresholds.flatMap { [$0.value] + ($0.clear.map { [$0] } ?? []) }
    let yMax = niceCeiling((limits.max() ?? 0) * 1.08)
    let scale = Scale(
      min: min(0, niceFloor(limits.min() ?? 0)), max: yMax, top: top, bottom: bottom)
    h.element("figure", [("id", "signal-\(s.key)")], breaks: .block) { h in
      h.element("h3", breaks: .after, text: s.title)
      svg(
        &h, class: "chart", data: [("data-signal", s.key)], height: height, name: s.key,
        title: "\(s.title): \(text.headlineWords(s))", description: chartDescription(s)
      ) { h in
        let hatch = "hatch-\(s.key)"
        hatchPattern(&h, hatch)
        bands(&h, s, top: top, bottom: bottom, hatch: hatch)
        timeAxis(&h, top: top, bottom: bottom, x: x)
        valueAxis(&h, s, scale)
        h.empty(
          "rect",
          [
            ("class", "frame"), ("x", num(Self.left)), ("y", num(top)), ("width", num(plotWidth)),
            ("height", num(bottom - top)),
          ], breaks: .after)
        plot(&h, s, scale)
        thresholds(&h, s, scale)
        markerLines(&h, top: top, bottom: bottom, x: x)
      }
      h.element("figcaption", breaks: .after) { h in
        h.raw("The line: ")
        h.text(text.lineCaption(s))
        h.raw(". ")
        if !s.rules.isEmpty {
          h.raw("Rules on this signal: ")
          h.text(s.rules.joined(separator: ", "))
          h.raw(" (see Rules; a rule compares its own series and window, which may differ ")
          h.raw("from the headline's).")
        }
      }
    }
  }

  /// What the chart shows, in words (its SVG description).
  func chartDescription(_ s: IncidentReport.Signal) -> String {
    var desc =
      s.worst.map { "Worst \(s.format($0.value)) at \(text.time($0.time))." } ?? "No data."
    let th = text.thresholds(s)
    if !th.isEmpty { desc += " Threshold: \(th)." }
    let firing = s.bands.filter(\.firing)
    if !firing.isEmpty {
      desc +=
        " Alert firing "
        + firing.map { "\(text.time($0.from))–\(text.time($0.to))" }.joined(separator: ", ") + "."
    }
    return desc
  }

  /// Alert bands, under everything.
  func bands(
    _ h: inout HTMLBuilder, _ s: IncidentReport.Signal, top: Double, bottom: Double,
    hatch: String
  ) {
    h.element("g", [("class", "bands")], breaks: .after) { h in
      for b in s.bands {
        let x0 = x(b.from)
        let x1 = max(x0 + 1, x(b.to))
        let state = b.firing ? "firing" : "pending"
        let box = [
          ("x", num(x0)), ("y", num(top)), ("width", num(x1 - x0)), ("height", num(bottom - top)),
        ]
        h.element("g") { h in
          h.element(
            "title",
            text: "\(state) \(text.time(b.from))–\(text.time(b.to)): "
              + b.alerts.joined(separator: ", "))
          h.empty("rect", [("class", "band-\(state)")] + box)
          if !b.firing { h.empty("rect", box + [("fill", "url(#\(hatch))")]) }
        }
      }
    }
  }

  func valueAxis(_ h: inout HTMLBuilder, _ s: IncidentReport.Signal, _ scale: Scale) {
    let ticks = valueTicks(min: scale.min, max: scale.max)
    h.element("g", [("class", "grid")], breaks: .after) { h in
      for v in ticks { line(&h, Self.left, scale.y(v), Self.width - Self.right, scale.y(v)) }
    }
    h.element("g", [("class", "axis"), ("aria-hidden", "true")], breaks: .after) { h in
      for v in ticks {
        let at = [("x", num(Self.left - 6)), ("y", num(scale.y(v) + 4)), ("text-anchor", "end")]
        h.element("text", at, text: v == 0 ? "0" : s.format(v))
      }
    }
  }

  /// The line, broken where there is no data, and its worst point.
  func plot(_ h: inout HTMLBuilder, _ s: IncidentReport.Signal, _ scale: Scale) {
    var d = ""
    var pen = false
    for p in s.points {
      guard let v = p.value, v.isFinite else {
        pen = false
        continue
      }
      d += (pen ? "L" : "M") + num(x(p.time)) + " " + num(scale.y(v)) + " "
      pen = true
    }
    if !d.isEmpty {
      h.element("path", [("class", "line"), ("d", String(d.dropLast()))], breaks: .after) {
        $0.element("title", text: s.label)
      }
    } else {
      let at = [
        ("class", "nodata"), ("x", num(Self.left + plotWidth / 2)),
        ("y", num((scale.top + scale.bottom) / 2)), ("text-anchor", "middle"),
      ]
      h.element("text", at, breaks: .after, text: "no data in the recording")
    }
    if let worst = s.worst {
      let at = [
        ("class", "dot"), ("cx", num(x(worst.time))), ("cy", num(scale.y(worst.value))),
        ("r", "3"),
      ]
      h.element("circle", at, breaks: .after) { h in
        h.element("title", text: "worst \(s.format(worst.value)) at \(text.time(worst.time))")
      }
    }
  }

  /// Thresholds, labelled at their right end (staggered when several share a height).
  func thresholds(_ h: inout HTMLBuilder, _ s: IncidentReport.Signal, _ scale: Scale) {
    h.element("g", [("class", "thresholds")], breaks: .after) { h in
      var used: [Double] = []
      for t in s.thresholds {
        var levels = [("threshold", t.value, "\(t.rule) \(t.op.rawValue) \(s.format(t.value))")]
        if let c = t.clear { levels.append(("clear", c, "clears at \(s.format(c))")) }
        for (cls, v, label) in levels {
          let yy = scale.y(v)
          let x1 = x(t.to)
          line(&h, x(t.from), yy, x1, yy, class: cls) { $0.element("title", text: label) }
          var ly = yy - 4
          while used.contains(where: { abs($0 - ly) < 12 }) { ly -= 12 }
          used.append(ly)
          let at = [
            ("class", "\(cls)-label"), ("x", num(x1 - 4)), ("y", num(max(scale.top + 10, ly))),
            ("text-anchor", "end"),
          ]
          h.element("text", at) { $0.text(label, limit: 60) }
        }
      }
    }
  }

  /// About five round values from `min` to `max`.
  func valueTicks(min lo: Double, max hi: Double) -> [Double] {
    guard hi > lo else { return [lo] }
    let step = niceStep((hi - lo) / 4)
    var out: [Double] = []
    var v = (lo / step).rounded(.up) * step
    while v <= hi * (1 + 1e-9) && out.count < 12 {
      out.append(v)
      v += step
    }
    return out
  }

  func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    var mag = 1.0
    while mag * 10 <= raw { mag *= 10 }
    while mag > raw { mag /= 10 }
    for m in [1.0, 2, 2.5, 5, 10] where m * mag >= raw { return m * mag }
    return 10 * mag
  }

  func niceCeiling(_ v: Double) -> Double {
    guard v > 0, v.isFinite else { return 1 }
    let step = niceStep(v / 4)
    return (v / step).rounded(.up) * step
  }

  func niceFloor(_ v: Double) -> Double {
    guard v < 0, v.isFinite else { return 0 }
    return -niceCeiling(-v)
  }

  // MARK: Timeline

  func timeline(_ h: inout HTMLBuilder) {
    let empty = r.lanes.isEmpty ? "No alert left the inactive state during the recording." : nil
    section(&h, "timeline", "Alert timeline", empty: empty) { h in
      legend(
        &h,
        [
          ("pending", "pending"), ("firing", "firing"), ("recovering", "recovering"),
          ("marker", "marker or note"),
        ])
      let labelWidth = Self.laneLabelWidth
      // The lanes' labels sit left of the plot: a wider left margin than the charts.
      let scale = (Self.width - labelWidth - Self.right) / plotWidth
      func lx(_ t: Timestamp) -> Double { labelWidth + (x(t) - Self.left) * scale }
      let top = 18.0 + markerExtra(x: lx)
      let labels = r.lanes.map(laneLabelLines)
      let heights = labels.map { Self.laneHeight(lines: $0.count) }
      let bottom = top + heights.reduce(0, +)
      svg(
        &h, class: "timeline", height: bottom + 26, name: "timeline",
        title: "Alert timeline: \(r.lanes.count) alert instances",
        description: "One row per rule and labels; pending stretches are hatched, firing ones "
          + "solid, recovering ones outlined. The episodes table lists the same times."
      ) { h in
        hatchPattern(&h, "hatch-timeline")
        timeAxis(&h, top: top, bottom: bottom, x: lx)
        var y = top
        for (i, lane) in r.lanes.enumerated() {
          self.lane(&h, lane, label: labels[i], top: y, x: lx)
          y += heights[i]
        }
        markerLines(&h, top: top, bottom: bottom, x: lx)
      }
    }
  }

  /// The timeline's label column, and the characters a label line holds (12 px text).
  static let laneLabelWidth = 300.0
  static let laneLabelChars = 38
  static let laneLineHeight = 14.0

  /// A lane's height: 24 px, more when its label takes several lines.
  static func laneHeight(lines: Int) -> Double { max(24, 10 + laneLineHeight * Double(lines)) }

  /// A lane's label, its severity and instance, in lines of at most ``laneLabelChars`` shown
  /// characters: broken at spaces, and a longer word where it must be. Nothing is cut.
  func laneLabelLines(_ lane: IncidentReport.Lane) -> [String] {
    let label = text.severity(lane.severity) + " " + text.instance(lane.rule, lane.labels)
    let limit = Self.laneLabelChars
    // Shown width: a control or bidi character shows as `\x1B` or `\u{202E}`.
    func width(_ s: Substring) -> Int {
      s.unicodeScalars.reduce(0) { $0 + (Markup.visibleEscape($1)?.count ?? 1) }
    }
    var lines: [String] = []
    var current = ""
    var currentWidth = 0
    for word in label.split(separator: " ", omittingEmptySubsequences: false) {
      var rest = word
      let w = width(rest)
      if !current.isEmpty || currentWidth > 0 {
        if currentWidth + 1 + w <= limit {
          current += " " + rest
          currentWidth += 1 + w
          continue
        }
        lines.append(current)
        current = ""
        currentWidth = 0
      }
      // A word longer than a line: as many full lines of it as it takes.
      while width(rest) > limit {
        var piece = Substring("")
        var pw = 0
        for c in rest {
          let cw = width(Substring(String(c)))
          if pw + cw > limit && !piece.isEmpty { break }
          piece.append(c)
          pw += cw
        }
        lines.append(String(piece))
        rest = rest.dropFirst(piece.count)
      }
      current = String(rest)
      currentWidth = width(rest)
    }
    if !current.isEmpty || lines.isEmpty { lines.append(current) }
    return lines
  }

  /// One alert instance's row of the timeline, from `top`, its label in `label`'s lines.
  func lane(
    _ h: inout HTMLBuilder, _ lane: IncidentReport.Lane, label: [String], top y0: Double,
    x lx: (Timestamp) -> Double
  ) {
    let name = text.instance(lane.rule, lane.labels)
    let sev = text.severity(lane.severity)
    h.element("g", [("class", "lane")], breaks: .after) { h in
      h.element("title", text: name + " (" + sev + ")")
      for (i, l) in label.enumerated() {
        let y = y0 + 16 + Self.laneLineHeight * Double(i)
        h.element("text", [("class", "lane-label"), ("x", "4"), ("y", num(y))], text: l)
      }
      for seg in lane.segments {
        let x0 = lx(seg.from)
        let x1 = max(x0 + 1.5, lx(seg.to))
        var at = [
          ("class", "seg-" + seg.state.rawValue), ("x", num(x0)), ("y", num(y0 + 5)),
          ("width", num(x1 - x0)), ("height", "14"),
        ]
        if seg.state == .pending { at.append(("fill", "url(#hatch-timeline)")) }
        let until = seg.open ? "the end (still \(seg.state.rawValue))" : text.time(seg.to)
        let span = text.duration(seg.to.since(seg.from))
        h.element("rect", at) { h in
          h.element(
            "title", text: "\(seg.state.rawValue) \(text.time(seg.from)) – \(until) (\(span))")
        }
      }
    }
  }
}
