import VigilApp
import VigilCore

/// The first line of an incident recording: what a replay needs to rebuild the same app.
public struct RecordingHeader: Sendable, Equatable {
  public static let formatName = "vigil-incident"
  public static let currentVersion = 1

  public var version = RecordingHeader.currentVersion
  public var appVersion = vigilVersion
  /// Recording time of the first record.
  public var start: Timestamp
  public var clockMode: ClockMode
  public var windows: WindowsConfig
  public var signals: [(key: String, metric: String)]
  public var feeds: [FeedSpec]
  /// The rules file in force at the start, and where it came from (nil: the built-in rules).
  public var rulesYAML: String
  public var rulesPath: String?
  public var title: String?
  /// A black-box segment after the first: the state before `start` is not in this file.
  public var continues = false
  /// The layout file in force at the start, when not the default, and where it came from
  /// (older recordings have none: they replay with the default layout).
  public var layoutYAML: String?
  public var layoutPath: String?
  /// The text of the config file (`--config`), nil without one: replay takes its `series:`,
  /// `drop_labels:`, `pairs:` and `components:` from it, so folds, event pairs and suspects
  /// are as they were recorded.
  public var configYAML: String?
  public var configPath: String?
  /// The `config_hash` the file's header carries (nil: none, or a header built in memory).
  /// It differs from ``configHash`` when the header was edited after recording.
  public var recordedConfigHash: String?

  public init(
    start: Timestamp, clockMode: ClockMode, windows: WindowsConfig, signals: SignalNames,
    feeds: [FeedSpec], rulesYAML: String, rulesPath: String?, title: String? = nil
  ) {
    self.start = start
    self.clockMode = clockMode
    self.windows = windows
    self.signals = signals.overrides
    self.feeds = feeds
    self.rulesYAML = rulesYAML
    self.rulesPath = rulesPath
    self.title = title
  }

  public static func == (a: RecordingHeader, b: RecordingHeader) -> Bool {
    a.version == b.version && a.appVersion == b.appVersion && a.start == b.start
      && a.clockMode == b.clockMode && a.windows == b.windows
      && a.signals.elementsEqual(b.signals, by: { $0 == $1 }) && a.feeds == b.feeds
      && a.rulesYAML == b.rulesYAML && a.rulesPath == b.rulesPath && a.title == b.title
      && a.continues == b.continues && a.layoutYAML == b.layoutYAML
      && a.layoutPath == b.layoutPath && a.configYAML == b.configYAML
      && a.configPath == b.configPath
  }

  /// The signal names as the app takes them.
  public var signalNames: SignalNames {
    var names = SignalNames()
    for (key, metric) in signals { _ = names.apply(key + "=" + metric) }
    return names
  }
}

// MARK: - Encoding

extension RecordingHeader {
  public var json: JSONValue {
    var m: [(String, JSONValue)] = [
      ("format", .string(Self.formatName)), ("version", .int(Int64(version))),
      ("app", .object([("name", .string("vigil")), ("version", .string(appVersion))])),
      ("start_ns", .int(start.nanoseconds)), ("tz", .string("UTC")),
      ("clock", .string(clockMode.rawValue)),
      (
        "windows",
        .object([
          (
            "levels",
            .array(
              windows.levels.map {
                .object([("bucket_ns", .int($0.bucketNanos)), ("slots", .int(Int64($0.slots)))])
              })
          ),
          ("offered_ns", .array(windows.windows.map { .int($0) })),
          ("max_future_skew_ns", .int(windows.maxFutureSkew)),
        ])
      ),
      ("signals", .object(signals.map { ($0.key, .string($0.metric)) })),
      ("feeds", .array(feeds.map(Self.feedJSON))),
      ("rules_yaml", .string(rulesYAML)),
    ]
    if let rulesPath { m.append(("rules_path", .string(rulesPath))) }
    if let title { m.append(("title", .string(title))) }
    if continues { m.append(("continues", .bool(true))) }
    if let layoutYAML { m.append(("layout_yaml", .string(layoutYAML))) }
    if let layoutPath { m.append(("layout_path", .string(layoutPath))) }
    if let configYAML { m.append(("config_yaml", .string(configYAML))) }
    if let configPath { m.append(("config_path", .string(configPath))) }
    m.append(("config_hash", .string(configHash(m))))
    return .object(m)
  }

  /// A hash of the configuration in force (windows, signals, feeds, rules, layout and config
  /// file): two
  /// recordings with the same hash ran with the same configuration.
  public var configHash: String {
    guard case .object(let m) = json else { return "" }
    return configHash(m)
  }

  private func configHash(_ members: [(String, JSONValue)]) -> String {
    let keys: Set = ["windows", "signals", "feeds", "rules_yaml", "layout_yaml", "config_yaml"]
    let text = JSONValue.object(members.filter { keys.contains($0.0) }).text
    let h = Array(text.utf8).withUnsafeBytes(byteHash)
    let hex = String(h, radix: 16)
    return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
  }

  static func feedJSON(_ f: FeedSpec) -> JSONValue {
    var m: [(String, JSONValue)] = [
      ("id", .int(Int64(f.id.rawValue))), ("kind", .string(f.kind.rawValue)),
      ("target", .string(f.target)),
    ]
    if let format = f.format { m.append(("format", .string(format.rawValue))) }
    let mapping = f.mapping.description
    if !mapping.isEmpty { m.append(("map", .string(mapping))) }
    if let unit = f.timeUnit { m.append(("time_unit", .string(unit.rawValue))) }
    if f.fromEnd { m.append(("from_end", .bool(true))) }
    return .object(m)
  }
}

// MARK: - Decoding

/// Why a line of a recording could not be read.
public struct RecordingFormatError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

extension RecordingHeader {
  public init(json v: JSONValue) throws(RecordingFormatError) {
    guard v["format"]?.string == Self.formatName else {
      throw RecordingFormatError(
        "not a Vigil incident recording (no \"format\":\"vigil-incident\")")
    }
    guard let version = v["version"]?.int, let start = v["start_ns"]?.int,
      let clock = v["clock"]?.string.flatMap(ClockMode.init(rawValue:)),
      let rules = v["rules_yaml"]?.string, let feedsJSON = v["feeds"]?.array
    else { throw RecordingFormatError("the header lacks version, start_ns, clock, feeds or rules") }
    var windows = WindowsConfig()
    if let w = v["windows"] {
      let levels = (w["levels"]?.array ?? []).compactMap { l -> WindowLevel? in
        guard let b = l["bucket_ns"]?.int, let n = l["slots"]?.int, b > 0, n > 0, n <= 100_000
        else { return nil }
        return WindowLevel(bucketNanos: b, slots: Int(n))
      }
      if !levels.isEmpty { windows.levels = levels }
      let offered = (w["offered_ns"]?.array ?? []).compactMap(\.int).filter { $0 > 0 }
      if !offered.isEmpty { windows.windows = offered }
      if let skew = w["max_future_skew_ns"]?.int, skew >= 0 { windows.maxFutureSkew = skew }
    }
    var signals = SignalNames()
    for (key, metric) in v["signals"]?.objectMembers ?? [] {
      if let m = metric.string { _ = signals.apply(key + "=" + m) }
    }
    var feeds: [FeedSpec] = []
    for f in feedsJSON {
      guard let id = f["id"]?.int, let kind = f["kind"]?.string.flatMap(FeedKind.init(rawValue:)),
        let target = f["target"]?.string
      else { throw RecordingFormatError("a feed in the header lacks id, kind or target") }
      let mapping = f["map"]?.string.flatMap { try? FieldMapping.parse($0) } ?? FieldMapping()
      feeds.append(
        FeedSpec(
          id: FeedID(Int(id)), kind: kind, target: target,
          format: f["format"]?.string.flatMap(FeedFormat.init(rawValue:)), mapping: mapping,
          timeUnit: f["time_unit"]?.string.flatMap(TimeUnit.init(rawValue:)),
          fromEnd: f["from_end"]?.bool ?? false))
    }
    self.init(
      start: Timestamp(nanoseconds: start), clockMode: clock, windows: windows, signals: signals,
      feeds: feeds, rulesYAML: rules, rulesPath: v["rules_path"]?.string,
      title: v["title"]?.string)
    self.version = Int(version)
    appVersion = v["app"]?["version"]?.string ?? "unknown"
    continues = v["continues"]?.bool ?? false
    layoutYAML = v["layout_yaml"]?.string
    layoutPath = v["layout_path"]?.string
    configYAML = v["config_yaml"]?.string
    configPath = v["config_path"]?.string
    recordedConfigHash = v["config_hash"]?.string
  }
}

extension RecordingHeader {
  /// The layout a recording was made with: its own when the header carries one that still
  /// loads, else nil (the default layout).
  public var layout: Layout? {
    guard let text = layoutYAML else { return nil }
    guard case .success(let load) = LayoutLoader.parse(text, file: layoutPath ?? "recorded layout")
    else { return nil }
    return load.layout
  }
}
