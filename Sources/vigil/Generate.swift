import ArgumentParser
import VigilCore
import VigilDemo

struct Generate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the demo incident as a feed (seeded: the same flags give the same bytes).")

  @Option(help: "json, csv or logfmt.")
  var format: String = "json"

  @Option(help: "Random seed.")
  var seed: UInt64 = 42

  @Option(help: "Where in the incident to start (e.g. 4m).")
  var from: String = "0s"

  @Option(help: "How much to print (e.g. 15m).")
  var duration: String = "15m"

  @Option(help: "Scenario start as seconds since the epoch (default 2026-11-26T10:00:00Z).")
  var startEpoch: Int64 = 1_795_687_200

  @Option(help: "Multiplies every event rate (small sample files use 0.1).")
  var rateScale: Double = 1

  func run() throws {
    guard let f = FeedFormat(rawValue: format), [.json, .csv, .logfmt].contains(f) else {
      throw ValidationError("--format must be json, csv or logfmt")
    }
    guard let fromNs = Nanos.parse(from), let durNs = Nanos.parse(duration), durNs > 0 else {
      throw ValidationError("--from and --duration take durations like 90s or 15m")
    }
    guard rateScale > 0, rateScale <= 100 else {
      throw ValidationError("--rate-scale must be in (0, 100]")
    }
    let scenario = DemoScenario(seed: seed, rateScale: rateScale)
    let first = Int(fromNs / Nanos.second)
    let seconds = Int((durNs + Nanos.second - 1) / Nanos.second)
    let start = Timestamp.seconds(startEpoch)
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
