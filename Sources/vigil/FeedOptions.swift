import ArgumentParser
import VigilCore

/// The per-feed flags `run` and `check` share, and how they and a config file become feed specs.
struct FeedOptions: ParsableArguments {
  @Option(
    name: .customLong("format"),
    help: "\(FeedFormat.choices). Once for every feed, or once per feed in order. Default: detect.")
  var formats: [String] = []

  @Option(
    name: .customLong("map"),
    help: ArgumentHelp(
      "Field mapping, e.g. ts=time,value=duration_ms,metric=const:api_latency_ms,label.service=svc.",
      discussion: "Once for every feed, or once per feed in order."))
  var maps: [String] = []

  @Option(help: "Unit of numeric timestamps: s, ms, us or ns. Default: guessed by magnitude.")
  var timeUnit: String?

  /// Checks the counts of per-feed flags against the feeds given on the command line.
  func validate(feedCount: Int) throws {
    if formats.count > 1 && formats.count != max(1, feedCount) {
      throw ValidationError("give --format once, or once per feed (\(feedCount) feeds)")
    }
    if maps.count > 1 && maps.count != max(1, feedCount) {
      throw ValidationError("give --map once, or once per feed (\(feedCount) feeds)")
    }
  }

  /// The config file's feeds, then the command line's files, then its `--command`s, numbered
  /// in that order. A command takes `--format`/`--map` only when they are given once.
  func specs(
    config: [FeedConfig], targets: [String], fromEnd: Bool = false, commands: [String] = []
  ) throws -> [FeedSpec] {
    var specs: [FeedSpec] = config.enumerated().map { i, f in
      var spec = FeedSpec(
        id: FeedID(i),
        kind: f.isCommand ? .command : f.poll != nil ? .scrape : f.target == "-" ? .stdin : .file,
        target: f.target, format: f.format, mapping: f.mapping, timeUnit: f.timeUnit,
        fromEnd: f.fromEnd, poll: f.poll)
      if let d = f.noDataAfter { spec.noDataAfter = d }
      return spec
    }
    let unit = try timeUnit.map {
      guard let u = TimeUnit(rawValue: $0) else {
        throw ValidationError("--time-unit must be s, ms, us or ns")
      }
      return u
    }
    for (i, target) in targets.enumerated() {
      var format: FeedFormat?
      if !formats.isEmpty {
        let name = formats[formats.count == 1 ? 0 : i]
        guard let f = FeedFormat(rawValue: name) else {
          throw ValidationError("--format \(name): expected \(FeedFormat.choices)")
        }
        format = f
      }
      var mapping = FieldMapping()
      if !maps.isEmpty {
        do {
          mapping = try FieldMapping.parse(maps[maps.count == 1 ? 0 : i])
        } catch {
          throw ValidationError("--map: \(error)")
        }
      }
      specs.append(
        FeedSpec(
          id: FeedID(specs.count), kind: target == "-" ? .stdin : .file, target: target,
          format: format, mapping: mapping, timeUnit: unit, fromEnd: fromEnd))
    }
    for command in commands {
      guard !command.allSatisfy(\.isWhitespace) else {
        throw ValidationError("--command needs a command to run")
      }
      var spec = FeedSpec(
        id: FeedID(specs.count), kind: .command, target: command, timeUnit: unit)
      if formats.count == 1 {
        guard let f = FeedFormat(rawValue: formats[0]) else {
          throw ValidationError("--format \(formats[0]): expected json, csv or logfmt")
        }
        spec.format = f
      }
      if maps.count == 1 {
        do { spec.mapping = try FieldMapping.parse(maps[0]) } catch {
          throw ValidationError("--map: \(error)")
        }
      }
      specs.append(spec)
    }
    if specs.filter({ $0.kind == .stdin }).count > 1 {
      throw ValidationError("standard input (-) can be read by one feed only")
    }
    return specs
  }
}
