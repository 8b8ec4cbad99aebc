import ArgumentParser
import VigilCore
import VigilDemo

struct Generate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the demo incident, or a seeded fault (--incident), as a feed.",
    discussion: """
      Seeded: the same flags give the same bytes. Without --incident, the 15-minute demo \\
      incident. With --incident KIND, a model of the checkout backend (eight services plus erp \\
      and oms, the checkout stages, payments, the OMS confirmation queue, inventory sync \\
      between storefront, OMS and ERP, support tickets, a traffic curve and spikes): \\
      --baseline of fault-free feed, then the fault (ramping up over 30 s-3 min) for \\
      --duration. KIND: \(IncidentKind.allCases.map(\.rawValue).joined(separator: ", ")).
      """)

  @Option(help: "json, csv, logfmt, influx, statsd or otlp (the Collector file exporter's lines).")
  var format: String = "json"

  @Option(help: "Random seed.")
  var seed: UInt64 = 42

  @Option(help: "Where in the incident to start (e.g. 4m; with --incident, from the feed's start).")
  var from: String = "0s"

  @Option(
    help: "How much to print (e.g. 15m; default 15m, or 30m after the onset with --incident).")
  var duration: String?

  @Option(help: "Scenario start as seconds since the epoch (default 2026-11-26T10:00:00Z).")
  var startEpoch: Int64 = 1_795_687_200

  @Option(help: "Multiplies every event rate (small sample files use 0.1).")
  var rateScale: Double = 1

  @OptionGroup var incident: IncidentOptions

  func run() throws {
    guard let f = FeedFormat(rawValue: format), f != .prometheus, f != .openmetrics else {
      throw ValidationError("--format must be json, csv, logfmt, influx, statsd or otlp")
    }
    guard let fromNs = Nanos.parse(from), let durNs = Nanos.parse(duration ?? "15m"), durNs > 0
    else {
      throw ValidationError("--from and --duration take durations like 90s or 15m")
    }
    guard rateScale > 0, rateScale <= 100 else {
      throw ValidationError("--rate-scale must be in (0, 100]")
    }
    let start = Timestamp.seconds(startEpoch)
    if incident.incident != nil {
      return try incident.run(
        seed: seed, from: Int(fromNs / Nanos.second), duration: duration, rateScale: rateScale,
        start: start, format: f)
    }
    let scenario = DemoScenario(seed: seed, rateScale: rateScale)
    let first = Int(fromNs / Nanos.second)
    let seconds = Int((durNs + Nanos.second - 1) / Nanos.second)
    if let h = DemoFormatter.header(f) { print(h) }
    for s in first..<(first + seconds) {
      var chunk = ""
      for e in scenario.events(second: s) {
        chunk += DemoFormatter.line(e, start: start, format: f)
        chunk += "\n"
      }
      print(chunk, terminator: "")
    }
  }
}

/// `vigil generate --incident KIND` and its options (issue 13).
struct IncidentOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Generate a seeded fault instead of the demo: "
        + IncidentKind.allCases.map(\.rawValue).joined(separator: ", ") + "."))
  var incident: String?

  @Option(help: "Fault-free feed before the onset (default 60m).")
  var baseline: String = "60m"

  @Option(help: "The fault's severity (default: drawn by seed in the kind's range).")
  var severity: Double?

  @Option(help: "Force a traffic spike of this factor (x3-x6, e.g. x4) overlapping the onset.")
  var spike: String?

  @Option(help: "Order events: none, raw (order_placed/order_confirmed), delay, or both.")
  var orderEvents: String = "both"

  @Option(help: "Write the ground truth (one JSON object) to this file.")
  var truth: String?

  func run(
    seed: UInt64, from: Int, duration: String?, rateScale: Double, start: Timestamp,
    format: FeedFormat
  ) throws {
    guard let kind = incident.flatMap(IncidentKind.init(rawValue:)) else {
      throw ValidationError(
        "--incident must be one of "
          + IncidentKind.allCases.map(\.rawValue).joined(separator: ", "))
    }
    guard let base = Nanos.parse(baseline), base >= 0, base <= 24 * Nanos.hour,
      let dur = Nanos.parse(duration ?? "30m"), dur > 0, dur <= 24 * Nanos.hour
    else { throw ValidationError("--baseline and --duration take durations up to 24h") }
    guard let events = OrderEvents(rawValue: orderEvents) else {
      throw ValidationError("--order-events must be none, raw, delay or both")
    }
    let factor = try spike.map { text in
      let digits = text.hasPrefix("x") ? String(text.dropFirst()) : text
      guard let f = Double(digits), f >= 1, f <= 20 else {
        throw ValidationError("--spike takes a factor like x4 (1 to 20)")
      }
      return f
    }
    if let severity, !(severity > 0 && severity <= 1_000) {
      throw ValidationError("--severity must be in (0, 1000]")
    }
    let plan = IncidentPlan(
      kind: kind, seed: seed, baseline: Int(base / Nanos.second),
      duration: Int((dur + Nanos.second - 1) / Nanos.second), severity: severity, spike: factor)
    if let truth {
      if let why = writeFileAtomically(
        truth, IncidentTruth(plan: plan, start: start, rateScale: rateScale).json + "\n")
      {
        throw RunFailure(description: "vigil generate: \(truth): \(why)")
      }
    }
    var gen = IncidentGenerator(plan: plan, rateScale: rateScale, orderEvents: events)
    var writer = IncidentFormat(format: format, start: start)
    if let h = writer.header { print(h) }
    var s = min(from, plan.seconds)
    while s < plan.seconds {
      let next = min(plan.seconds, s + 60)
      print(gen.text(seconds: s..<next, writer: &writer), terminator: "")
      s = next
    }
  }
}
