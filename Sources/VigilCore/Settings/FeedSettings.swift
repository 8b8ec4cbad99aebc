/// The per-feed flags `run` and `check` share (`--format`, `--map`, `--time-unit`), and how they
/// and a config file become feed specs.
public struct FeedFlags: Sendable, Equatable {
  /// `--format`: once for every feed, or once per feed in order.
  public var formats: [String] = []
  /// `--map`: once for every feed, or once per feed in order.
  public var maps: [String] = []
  /// `--time-unit`.
  public var timeUnit: String?

  public init(formats: [String] = [], maps: [String] = [], timeUnit: String? = nil) {
    self.formats = formats
    self.maps = maps
    self.timeUnit = timeUnit
  }

  /// Checks the counts of per-feed flags against the feeds given on the command line.
  public func validate(feedCount: Int) throws(SettingsError) {
    if formats.count > 1 && formats.count != max(1, feedCount) {
      throw .usage("give --format once, or once per feed (\(feedCount) feeds)")
    }
    if maps.count > 1 && maps.count != max(1, feedCount) {
      throw .usage("give --map once, or once per feed (\(feedCount) feeds)")
    }
  }

  /// The config file's feeds, then the command line's files, then its `--command`s, numbered
  /// in that order. A command takes `--format`/`--map` only when they are given once.
  public func specs(
    config: [FeedConfig], targets: [String], fromEnd: Bool = false, commands: [String] = []
  ) throws(SettingsError) -> [FeedSpec] {
    var specs: [FeedSpec] = config.enumerated().map { i, f in
      var spec = FeedSpec(
        id: FeedID(i),
        kind: f.isCommand ? .command : f.poll != nil ? .scrape : f.target == "-" ? .stdin : .file,
        target: f.target, format: f.format, mapping: f.mapping, timeUnit: f.timeUnit,
        fromEnd: f.fromEnd, poll: f.poll)
      if let d = f.noDataAfter { spec.noDataAfter = d }
      return spec
    }
    let unit = try parseTimeUnitFlag(timeUnit)
    for (i, target) in targets.enumerated() {
      var format: FeedFormat?
      if !formats.isEmpty {
        let name = formats[formats.count == 1 ? 0 : i]
        guard let f = FeedFormat(rawValue: name) else {
          throw .usage("--format \(name): expected \(FeedFormat.choices)")
        }
        format = f
      }
      var mapping = FieldMapping()
      if !maps.isEmpty { mapping = try parseMapFlag(maps[maps.count == 1 ? 0 : i]) }
      specs.append(
        FeedSpec(
          id: FeedID(specs.count), kind: target == "-" ? .stdin : .file, target: target,
          format: format, mapping: mapping, timeUnit: unit, fromEnd: fromEnd))
    }
    for command in commands {
      guard !command.allSatisfy(\.isWhitespace) else {
        throw .usage("--command needs a command to run")
      }
      var spec = FeedSpec(
        id: FeedID(specs.count), kind: .command, target: command, timeUnit: unit)
      if formats.count == 1 {
        guard let f = FeedFormat(rawValue: formats[0]) else {
          throw .usage("--format \(formats[0]): expected json, csv or logfmt")
        }
        spec.format = f
      }
      if maps.count == 1 { spec.mapping = try parseMapFlag(maps[0]) }
      specs.append(spec)
    }
    if specs.filter({ $0.kind == .stdin }).count > 1 {
      throw .usage("standard input (-) can be read by one feed only")
    }
    return specs
  }
}

/// `--statsd ADDR` and `--influx-udp ADDR` (feeds that listen on a UDP socket), and `--otlp
/// ADDR` (an OTLP/HTTP receiver on a TCP port): the listeners.
public struct UDPFeedFlags: Sendable, Equatable {
  public var statsd: [String] = []
  public var influxUDP: [String] = []
  public var otlp: [String] = []

  public init(statsd: [String] = [], influxUDP: [String] = [], otlp: [String] = []) {
    self.statsd = statsd
    self.influxUDP = influxUDP
    self.otlp = otlp
  }

  /// Every address must parse.
  public func validate() throws(SettingsError) {
    for (flag, list) in [("--statsd", statsd), ("--influx-udp", influxUDP), ("--otlp", otlp)] {
      for text in list {
        if case .failure(let why) = UDPEndpoint.parse(text) { throw .usage("\(flag) \(why)") }
      }
    }
  }

  /// Specs numbered after `existing`; `timeUnit` is the Influx timestamp precision. An address
  /// other hosts can reach adds a warning.
  public func specs(after existing: [FeedSpec], timeUnit: TimeUnit?, warnings: inout [String])
    -> [FeedSpec]
  {
    var out: [FeedSpec] = []
    let all =
      statsd.map { (FeedKind.statsd, FeedFormat.statsd, $0) }
      + influxUDP.map { (FeedKind.influxUDP, FeedFormat.influx, $0) }
      + otlp.map { (FeedKind.otlp, FeedFormat.otlp, $0) }
    for (kind, format, text) in all {
      guard case .success(let endpoint) = UDPEndpoint.parse(text) else { continue }
      out.append(
        FeedSpec(
          id: FeedID(existing.count + out.count), kind: kind, target: endpoint.description,
          format: format, timeUnit: kind == .influxUDP ? timeUnit : nil))
      if !endpoint.isLoopback {
        warnings.append(
          "vigil: warning: --\(kind == .statsd ? "statsd" : kind == .otlp ? "otlp" : "influx-udp") "
            + "\(endpoint) accepts input from other hosts; anyone who can reach it can add samples")
      }
    }
    return out
  }
}
