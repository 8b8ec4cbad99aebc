import ArgumentParser
import VigilCore

/// `--statsd ADDR` and `--influx-udp ADDR`: feeds that listen on a UDP socket.
struct UDPFeedOptions: ParsableArguments {
  @Option(
    name: .customLong("statsd"),
    help: ArgumentHelp(
      "Listen for StatsD/DogStatsD datagrams on ADDR: PORT (127.0.0.1), HOST:PORT or [IPv6]:PORT.",
      discussion: "Repeatable. Use 0.0.0.0:PORT to accept datagrams from other hosts.",
      valueName: "addr"))
  var statsd: [String] = []

  @Option(
    name: .customLong("influx-udp"),
    help: ArgumentHelp(
      "Listen for InfluxDB line protocol datagrams on ADDR (as for --statsd). Repeatable.",
      valueName: "addr"))
  var influxUDP: [String] = []

  func validate() throws {
    for (flag, list) in [("--statsd", statsd), ("--influx-udp", influxUDP)] {
      for text in list {
        if case .failure(let why) = UDPEndpoint.parse(text) {
          throw ValidationError("\(flag) \(why)")
        }
      }
    }
  }

  /// Specs numbered after `existing`; `timeUnit` is the Influx timestamp precision.
  func specs(after existing: [FeedSpec], timeUnit: TimeUnit?) -> [FeedSpec] {
    var out: [FeedSpec] = []
    let all =
      statsd.map { (FeedKind.statsd, FeedFormat.statsd, $0) }
      + influxUDP.map { (FeedKind.influxUDP, FeedFormat.influx, $0) }
    for (kind, format, text) in all {
      guard case .success(let endpoint) = UDPEndpoint.parse(text) else { continue }
      out.append(
        FeedSpec(
          id: FeedID(existing.count + out.count), kind: kind, target: endpoint.description,
          format: format, timeUnit: kind == .influxUDP ? timeUnit : nil))
      if !endpoint.isLoopback {
        printError(
          "vigil: warning: \(kind == .statsd ? "--statsd" : "--influx-udp") \(endpoint) accepts "
            + "datagrams from other hosts; anyone who can reach it can add samples")
      }
    }
    return out
  }
}

/// Binds the socket of a UDP feed spec, or explains why it cannot.
func udpSource(_ spec: FeedSpec) throws -> UDPSource {
  do {
    return try UDPSource(spec: spec)
  } catch {
    let flag = spec.kind == .statsd ? "--statsd" : "--influx-udp"
    throw RunFailure(description: "vigil: \(flag) \(error)")
  }
}
