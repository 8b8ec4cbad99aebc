import VigilCore

/// Renders demo events as feed lines in each supported format.
public enum DemoFormatter {
  /// The label columns of the CSV layout (empty cells are absent labels).
  public static let csvLabelColumns = ["service", "stage", "reason", "pair"]

  /// The header line for `format`, if it has one.
  public static func header(_ format: FeedFormat) -> String? {
    format == .csv ? (["ts", "metric", "value"] + csvLabelColumns).joined(separator: ",") : nil
  }

  /// One event as a line (without the newline), stamped `start + offset`.
  public static func line(_ e: DemoScenario.Event, start: Timestamp, format: FeedFormat) -> String {
    let ts = CivilTime(start.adding(e.offset)).rfc3339(fractionDigits: 3)
    let value = number(e.value)
    switch format {
    case .json:
      var s = "{\"ts\":\"\(ts)\",\"metric\":\"\(e.metric)\",\"value\":\(value)"
      if !e.labels.isEmpty {
        s += ",\"labels\":{"
        s += e.labels.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",")
        s += "}"
      }
      return s + "}"
    case .csv:
      let cells = csvLabelColumns.map { col in e.labels.first(where: { $0.0 == col })?.1 ?? "" }
      return ([ts, e.metric, value] + cells).joined(separator: ",")
    case .logfmt:
      var s = "ts=\(ts) metric=\(e.metric) value=\(value)"
      for (k, v) in e.labels { s += " \(k)=\(v)" }
      return s
    case .prometheus, .openmetrics:
      // One exposition sample line with an explicit timestamp (ms in 0.0.4, seconds in
      // OpenMetrics); the demo's events are not cumulative, so a file of them is no scrape.
      var s = e.metric
      if !e.labels.isEmpty {
        s += "{" + e.labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
      }
      let ns = start.adding(e.offset).nanoseconds
      let stamp =
        format == .prometheus
        ? String(ns / Nanos.millisecond)
        : String(ns / Nanos.second) + "."
          + String(1000 + (ns % Nanos.second) / Nanos.millisecond).dropFirst()
      return s + " " + value + " " + stamp
    case .influx:
      // The field is `value`, so the series is the measurement itself.
      var s = e.metric
      for (k, v) in e.labels.sorted(by: { $0.0 < $1.0 }) { s += ",\(k)=\(v)" }
      return s + " value=\(value) \(start.adding(e.offset).nanoseconds)"
    case .statsd:
      // StatsD has no timestamps: a receiver stamps the arrival time.
      let type = isDurationMetric(e.metric) ? "ms" : (e.metric.hasSuffix("_total") ? "c" : "g")
      var s = "\(e.metric):\(value)|\(type)"
      if !e.labels.isEmpty { s += "|#" + e.labels.map { "\($0.0):\($0.1)" }.joined(separator: ",") }
      return s
    case .otlp:
      // One OTLP/JSON request with one gauge point: the event's value as it is (the demo's
      // events are not cumulative), its labels as the point's attributes.
      var s = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":"
      appendJSONString(&s, e.metric)
      s += ",\"gauge\":{\"dataPoints\":[{\"timeUnixNano\":\"\(start.adding(e.offset).nanoseconds)\""
      s += ",\"asDouble\":\(value)"
      if !e.labels.isEmpty {
        s += ",\"attributes\":["
        for (i, (k, v)) in e.labels.enumerated() {
          s += i == 0 ? "{\"key\":" : ",{\"key\":"
          appendJSONString(&s, k)
          s += ",\"value\":{\"stringValue\":"
          appendJSONString(&s, v)
          s += "}}"
        }
        s += "]"
      }
      return s + "}]}}]}]}]}"
    }
  }

  /// Shortest round-trip decimal, without a trailing `.0` for whole numbers.
  public static func number(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
    return String(v)
  }

  /// The whole text of `seconds` seconds of the scenario starting at scenario second `from`.
  public static func text(
    _ scenario: DemoScenario, from: Int = 0, seconds: Int, start: Timestamp, format: FeedFormat
  ) -> String {
    var out = ""
    if let h = header(format) { out += h + "\n" }
    for s in from..<(from + seconds) {
      for e in scenario.events(second: s) { out += line(e, start: start, format: format) + "\n" }
    }
    return out
  }
}

/// Plays the demo scenario as a JSON-lines feed, paced by the injected clock.
///
/// Scenario second 0 is at `start`. Everything before the clock's current time is sent at once
/// (so the dashboard opens with history), then each 100 ms slice is sent as soon as the clock
/// passes its end. With a ``ScaledClock`` the incident plays faster than real time while every
/// timestamp stays in incident time. The incident repeats every 15 minutes.
public struct DemoSource: FeedSource {
  public let spec: FeedSpec
  public let scenario: DemoScenario
  public let start: Timestamp
  public let clock: any VigilClock
  /// Quiet history sent before second 0 (``DemoScenario/quietPrelude`` in the dashboard).
  public let prelude: Int64

  public init(
    spec: FeedSpec, scenario: DemoScenario, start: Timestamp, clock: any VigilClock,
    prelude: Int64 = 0
  ) {
    self.spec = spec
    self.scenario = scenario
    self.start = start
    self.clock = clock
    self.prelude = max(0, prelude)
  }

  public func run(inbox: MessageInbox, stop: StopFlag) {
    _ = inbox.send(spec.id, .event(.opened))
    let slice = 100 * Nanos.millisecond
    var cursor: Int64 = -prelude  // scenario offset sent so far
    var second = Int.min
    var events: [DemoScenario.Event] = []
    var next = 0
    var line = 1
    var caughtUp = false
    while !stop.isStopped && !inbox.isClosed {
      let now = clock.now().since(start)
      if now < cursor + slice {
        sleepNanoseconds(min(20 * Nanos.millisecond, cursor + slice - now))
        continue
      }
      let upTo = now - ((now % slice) + slice) % slice
      var batch = RecordBatch()
      while cursor < upTo {
        let s = Int(floorDiv(cursor, Nanos.second))
        if s != second {
          second = s
          events = scenario.events(second: s)
          next = 0
        }
        let end = min(upTo, Int64(s + 1) * Nanos.second)
        while next < events.count && events[next].offset < end {
          var text = DemoFormatter.line(events[next], start: start, format: .json)
          text.withUTF8 { batch.append(UnsafeRawBufferPointer($0), line: line) }
          line += 1
          next += 1
        }
        cursor = end
        if batch.bytes.count > 1 << 20 {
          guard inbox.send(spec.id, .records(batch, .json)) else { return }
          batch = RecordBatch()
        }
      }
      if !batch.isEmpty { guard inbox.send(spec.id, .records(batch, .json)) else { return } }
      if !caughtUp {
        caughtUp = true
        _ = inbox.send(spec.id, .event(.caughtUp))
      }
    }
  }
}

/// `a / b` rounded down (toward −∞), for negative offsets of the quiet prelude.
private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
  let q = a / b
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
