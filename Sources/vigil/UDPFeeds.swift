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

  @Option(
    name: .customLong("otlp"),
    help: ArgumentHelp(
      "Receive OpenTelemetry metrics over OTLP/HTTP on ADDR (as for --statsd; e.g. 4318).",
      discussion: "POST /v1/metrics, protobuf or JSON, gzip or not. Repeatable.",
      valueName: "addr"))
  var otlp: [String] = []

  func validate() throws { try resolved { () throws(SettingsError) in try flags.validate() } }

  /// The flags as plain values, for the resolver.
  var flags: UDPFeedFlags { UDPFeedFlags(statsd: statsd, influxUDP: influxUDP, otlp: otlp) }
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
