import VigilCore

/// Vigil's version, stamped into recordings.
public let vigilVersion = "0.1.0"

/// The first line of an incident recording: what a replay needs to rebuild the same app.
public struct IncidentHeader: Sendable, Equatable {
  public static let formatName = "vigil-incident"
  public static let currentVersion = 1

  public var version = IncidentHeader.currentVersion
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

  public static func == (a: IncidentHeader, b: IncidentHeader) -> Bool {
    a.version == b.version && a.appVersion == b.appVersion && a.start == b.start
      && a.clockMode == b.clockMode && a.windows == b.windows
      && a.signals.elementsEqual(b.signals, by: { $0 == $1 }) && a.feeds == b.feeds
      && a.rulesYAML == b.rulesYAML && a.rulesPath == b.rulesPath && a.title == b.title
      && a.continues == b.continues && a.layoutYAML == b.layoutYAML
      && a.layoutPath == b.layoutPath
  }

  /// The signal names as the app takes them.
  public var signalNames: SignalNames {
    var names = SignalNames()
    for (key, metric) in signals { _ = names.apply(key + "=" + metric) }
    return names
  }
}

/// One line of an incident recording after the header (SEMANTICS §10.2).
public enum IncidentRecord: Sendable, Equatable {
  /// Raw input from a feed, exactly as the loop received it.
  case input(FeedInput)
  /// The clock read `t` (the loop's tick message).
  case tick(Timestamp)
  /// The rules file was read again at `t`: its text, or why it could not be read.
  case rules(Timestamp, RulesText)
  /// An operator action at `t`.
  case action(Timestamp, OperatorAction)
  /// A transition the engine produced (derived: replay recomputes and compares it).
  case alert(AlertTransition)
  /// A marker: a short text at `t`.
  case mark(Timestamp, String)
  /// A clean end.
  case end(Timestamp, String)

  public enum RulesText: Sendable, Equatable {
    case yaml(String, path: String)
    case unreadable(String, path: String)

    /// The rules this text gives, or every problem with it.
    public var rules: Result<RuleSet, ConfigProblems> {
      switch self {
      case .yaml(let text, let path): RulesLoader.parse(text, file: path)
      case .unreadable(let why, let path):
        .failure(ConfigProblems([ConfigProblem(file: path, line: 0, message: why)]))
      }
    }
  }

  /// The record's time.
  public var time: Timestamp {
    switch self {
    case .input(let i): i.arrival
    case .tick(let t), .rules(let t, _), .action(let t, _), .mark(let t, _), .end(let t, _): t
    case .alert(let tr): tr.t
    }
  }
}

// MARK: - Encoding

extension IncidentHeader {
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
    m.append(("config_hash", .string(configHash(m))))
    return .object(m)
  }

  /// A hash of the configuration in force (windows, signals, feeds, rules and layout): two
  /// recordings with the same hash ran with the same configuration.
  public var configHash: String {
    guard case .object(let m) = json else { return "" }
    return configHash(m)
  }

  private func configHash(_ members: [(String, JSONValue)]) -> String {
    let keys: Set = ["windows", "signals", "feeds", "rules_yaml", "layout_yaml"]
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

extension IncidentRecord {
  /// The record as one line of JSON (no newline).
  public var json: JSONValue {
    switch self {
    case .input(let input):
      var m: [(String, JSONValue)] = [
        ("k", .string("in")), ("t", .int(input.arrival.nanoseconds)),
        ("seq", .int(Int64(bitPattern: input.seq))), ("feed", .int(Int64(input.feed.rawValue))),
      ]
      switch input.payload {
      case .records(let batch, let format):
        m.append(("fmt", .string(format.rawValue)))
        Self.encode(batch, into: &m)
      case .event(let event):
        m[0] = ("k", .string("ev"))
        m.append(contentsOf: Self.encode(event))
      }
      return .object(m)
    case .tick(let t):
      return .object([("k", .string("tick")), ("t", .int(t.nanoseconds))])
    case .rules(let t, let text):
      switch text {
      case .yaml(let yaml, let path):
        return .object([
          ("k", .string("cfg")), ("t", .int(t.nanoseconds)), ("path", .string(path)),
          ("yaml", .string(yaml)),
        ])
      case .unreadable(let why, let path):
        return .object([
          ("k", .string("cfg")), ("t", .int(t.nanoseconds)), ("path", .string(path)),
          ("unreadable", .string(why)),
        ])
      }
    case .action(let t, let action):
      func head(_ kind: String, _ key: AlertKey) -> [(String, JSONValue)] {
        [
          ("k", .string(kind)), ("t", .int(t.nanoseconds)), ("rule", .string(key.rule)),
          ("labels", Self.labels(key.labels)),
        ]
      }
      switch action {
      case .ack(let key): return .object(head("ack", key))
      case .ackNote(let key, let note):
        return .object(head("note", key) + [("note", .string(note))])
      case .unack(let key): return .object(head("unack", key))
      case .silence(let key, let until, let step):
        return .object(
          head("silence", key) + [("until", .int(until.nanoseconds)), ("step", .int(Int64(step)))])
      case .unsilence(let key): return .object(head("unsilence", key))
      }
    case .alert(let tr):
      var m: [(String, JSONValue)] = [
        ("k", .string("alert")), ("t", .int(tr.t.nanoseconds)), ("rule", .string(tr.rule)),
        ("labels", Self.labels(tr.labels)), ("from", .string(tr.from.rawValue)),
        ("to", .string(tr.to.rawValue)), ("value", tr.value.map { .double($0) } ?? .null),
      ]
      if let r = tr.reason { m.append(("reason", .string(r.rawValue))) }
      return .object(m)
    case .mark(let t, let text):
      return .object([("k", .string("mark")), ("t", .int(t.nanoseconds)), ("text", .string(text))])
    case .end(let t, let reason):
      return .object([
        ("k", .string("end")), ("t", .int(t.nanoseconds)), ("reason", .string(reason)),
      ])
    }
  }

  static func labels(_ l: LabelSet) -> JSONValue {
    .object(l.labels.map { ($0.name, .string($0.value)) })
  }

  /// Records as text when they are valid UTF-8 without newlines (the usual case), else bytes in
  /// base64 with their end offsets.
  static func encode(_ batch: RecordBatch, into m: inout [(String, JSONValue)]) {
    let first = batch.lines.first ?? 0
    m.append(("line", .int(Int64(first))))
    let consecutive = batch.lines.enumerated().allSatisfy { $0.element == first + $0.offset }
    if !consecutive { m.append(("lines", .array(batch.lines.map { .int(Int64($0)) }))) }
    if !batch.oversized.isEmpty {
      m.append(("oversized", .array(batch.oversized.map { .int(Int64($0)) })))
    }
    if !batch.cut.isEmpty { m.append(("cut", .array(batch.cut.map { .int(Int64($0)) }))) }
    guard batch.count > 0 else { return }
    if !batch.bytes.contains(0x0A), let text = String(validating: batch.bytes, as: UTF8.self) {
      var joined = ""
      joined.reserveCapacity(batch.bytes.count + batch.count)
      var start = text.utf8.startIndex
      for (i, end) in batch.ends.enumerated() {
        let e = text.utf8.index(text.utf8.startIndex, offsetBy: end)
        if i > 0 { joined += "\n" }
        joined += text[start..<e]
        start = e
      }
      m.append(("recs", .string(joined)))
    } else {
      m.append(("ends", .array(batch.ends.map { .int(Int64($0)) })))
      m.append(("b64", .string(Base64.encode(batch.bytes))))
    }
  }

  static func encode(_ event: FeedEvent) -> [(String, JSONValue)] {
    switch event {
    case .opened: [("ev", .string("opened"))]
    case .waiting(let why): [("ev", .string("waiting")), ("why", .string(why))]
    case .truncated: [("ev", .string("truncated"))]
    case .rotated: [("ev", .string("rotated"))]
    case .deleted: [("ev", .string("deleted"))]
    case .caughtUp: [("ev", .string("caught_up"))]
    case .endOfInput: [("ev", .string("end_of_input"))]
    case .failed(let why): [("ev", .string("failed")), ("why", .string(why))]
    case .fetched(let duration, let bytes):
      [("ev", .string("fetched")), ("ns", .int(duration)), ("bytes", .int(Int64(bytes)))]
    case .started(let pid): [("ev", .string("started")), ("pid", .int(Int64(pid)))]
    case .exited(.code(let c)): [("ev", .string("exited")), ("code", .int(Int64(c)))]
    case .exited(.signal(let s)): [("ev", .string("exited")), ("signal", .int(Int64(s)))]
    case .restarting(let delay): [("ev", .string("restarting")), ("in_ns", .int(delay))]
    case .stderr(let lines):
      [("ev", .string("stderr")), ("lines", .array(lines.map { .string($0) }))]
    case .dropped(let kernel, let vigil):
      [
        ("ev", .string("dropped")), ("kernel", .int(Int64(clamping: kernel))),
        ("vigil", .int(Int64(clamping: vigil))),
      ]
    }
  }
}

// MARK: - Decoding

/// Why a line of a recording could not be read.
public struct IncidentFormatError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

extension IncidentHeader {
  public init(json v: JSONValue) throws(IncidentFormatError) {
    guard v["format"]?.string == Self.formatName else {
      throw IncidentFormatError("not a Vigil incident recording (no \"format\":\"vigil-incident\")")
    }
    guard let version = v["version"]?.int, let start = v["start_ns"]?.int,
      let clock = v["clock"]?.string.flatMap(ClockMode.init(rawValue:)),
      let rules = v["rules_yaml"]?.string, let feedsJSON = v["feeds"]?.array
    else { throw IncidentFormatError("the header lacks version, start_ns, clock, feeds or rules") }
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
      else { throw IncidentFormatError("a feed in the header lacks id, kind or target") }
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
    recordedConfigHash = v["config_hash"]?.string
  }
}

extension IncidentRecord {
  /// Reads one record; unknown kinds are nil (a newer Vigil may add some).
  public init?(json v: JSONValue) throws(IncidentFormatError) {
    guard let kind = v["k"]?.string, let tn = v["t"]?.int else {
      throw IncidentFormatError("a record needs \"k\" and \"t\"")
    }
    let t = Timestamp(nanoseconds: tn)
    func key() throws(IncidentFormatError) -> AlertKey {
      guard let rule = v["rule"]?.string, let labels = v["labels"]?.objectMembers else {
        throw IncidentFormatError("\(kind) needs rule and labels")
      }
      return AlertKey(
        rule: rule, labels: LabelSet(labels.compactMap { k, v in v.string.map { (k, $0) } }))
    }
    switch kind {
    case "in", "ev":
      guard let seq = v["seq"]?.int, let feed = v["feed"]?.int else {
        throw IncidentFormatError("\(kind) needs seq and feed")
      }
      let payload: FeedPayload
      if kind == "in" {
        guard let format = v["fmt"]?.string.flatMap(FeedFormat.init(rawValue:)) else {
          throw IncidentFormatError("in needs a known fmt")
        }
        payload = .records(try Self.decodeBatch(v), format)
      } else {
        guard let event = Self.decodeEvent(v) else { return nil }
        payload = .event(event)
      }
      self = .input(
        FeedInput(
          feed: FeedID(Int(feed)), arrival: t, seq: UInt64(bitPattern: seq), payload: payload))
    case "tick": self = .tick(t)
    case "cfg":
      let path = v["path"]?.string ?? ""
      if let yaml = v["yaml"]?.string {
        self = .rules(t, .yaml(yaml, path: path))
      } else {
        self = .rules(t, .unreadable(v["unreadable"]?.string ?? "unreadable", path: path))
      }
    case "ack": self = .action(t, .ack(try key()))
    case "note": self = .action(t, .ackNote(try key(), v["note"]?.string ?? ""))
    case "unack": self = .action(t, .unack(try key()))
    case "silence":
      guard let until = v["until"]?.int else { throw IncidentFormatError("silence needs until") }
      self = .action(
        t,
        .silence(
          try key(), until: Timestamp(nanoseconds: until), step: Int(v["step"]?.int ?? 0)))
    case "unsilence": self = .action(t, .unsilence(try key()))
    case "alert":
      let k = try key()
      guard let from = v["from"]?.string.flatMap(AlertState.init(rawValue:)),
        let to = v["to"]?.string.flatMap(AlertState.init(rawValue:))
      else { throw IncidentFormatError("alert needs from and to states") }
      self = .alert(
        AlertTransition(
          t: t, rule: k.rule, labels: k.labels, from: from, to: to, value: v["value"]?.double,
          reason: v["reason"]?.string.flatMap { TransitionReason(rawValue: $0) }))
    case "mark": self = .mark(t, v["text"]?.string ?? "")
    case "end": self = .end(t, v["reason"]?.string ?? "")
    default: return nil
    }
  }

  static func decodeBatch(_ v: JSONValue) throws(IncidentFormatError) -> RecordBatch {
    var batch = RecordBatch()
    let first = Int(v["line"]?.int ?? 1)
    if let recs = v["recs"]?.string {
      var text = recs
      text.withUTF8 { utf8 in
        let buf = UnsafeRawBufferPointer(utf8)
        var start = 0
        var line = first
        for i in 0...buf.count where i == buf.count || buf[i] == 0x0A {
          batch.append(UnsafeRawBufferPointer(rebasing: buf[start..<i]), line: line)
          line += 1
          start = i + 1
        }
      }
    } else if let b64 = v["b64"]?.string, let ends = v["ends"]?.array {
      guard let bytes = Base64.decode(b64) else { throw IncidentFormatError("bad base64 in in") }
      var start = 0
      for (i, e) in ends.enumerated() {
        guard let end = e.int.map(Int.init), end >= start, end <= bytes.count else {
          throw IncidentFormatError("bad record ends in in")
        }
        bytes.withUnsafeBytes {
          batch.append(UnsafeRawBufferPointer(rebasing: $0[start..<end]), line: first + i)
        }
        start = end
      }
    }
    if let lines = v["lines"]?.array {
      guard lines.count == batch.count else {
        throw IncidentFormatError("lines do not match records")
      }
      batch.lines = lines.map { Int($0.int ?? 0) }
    }
    batch.oversized = (v["oversized"]?.array ?? []).map { Int($0.int ?? 0) }
    batch.cut = (v["cut"]?.array ?? []).map { Int($0.int ?? 0) }
    return batch
  }

  static func decodeEvent(_ v: JSONValue) -> FeedEvent? {
    let why = v["why"]?.string ?? ""
    switch v["ev"]?.string {
    case "opened": return .opened
    case "waiting": return .waiting(why)
    case "truncated": return .truncated
    case "rotated": return .rotated
    case "deleted": return .deleted
    case "caught_up": return .caughtUp
    case "end_of_input": return .endOfInput
    case "failed": return .failed(why)
    case "fetched":
      return .fetched(
        durationNanos: v["ns"]?.int ?? 0, bytes: Int(clamping: v["bytes"]?.int ?? 0))
    case "started": return .started(Int32(truncatingIfNeeded: v["pid"]?.int ?? 0))
    case "exited":
      if let sig = v["signal"]?.int { return .exited(.signal(Int32(truncatingIfNeeded: sig))) }
      return .exited(.code(Int32(truncatingIfNeeded: v["code"]?.int ?? 0)))
    case "restarting": return .restarting(in: v["in_ns"]?.int ?? 0)
    case "stderr": return .stderr((v["lines"]?.array ?? []).compactMap(\.string))
    case "dropped":
      return .dropped(
        kernel: UInt64(max(0, v["kernel"]?.int ?? 0)), vigil: UInt64(max(0, v["vigil"]?.int ?? 0)))
    default: return nil
    }
  }
}

/// RFC 4648 base64, for records that are not valid UTF-8.
enum Base64 {
  static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i < bytes.count {
      let b0 = UInt32(bytes[i])
      let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
      let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
      let n = b0 << 16 | b1 << 8 | b2
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
      out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
      i += 3
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func decode(_ text: String) -> [UInt8]? {
    var table = [Int8](repeating: -1, count: 256)
    for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
    let chars = Array(text.utf8)
    guard chars.count % 4 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(chars.count / 4 * 3)
    var i = 0
    while i < chars.count {
      var n: UInt32 = 0
      var pad = 0
      for k in 0..<4 {
        let c = chars[i + k]
        if c == UInt8(ascii: "=") && i + 4 == chars.count && k >= 2 {
          pad += 1
          n <<= 6
          continue
        }
        guard pad == 0 else { return nil }
        let d = table[Int(c)]
        guard d >= 0 else { return nil }
        n = n << 6 | UInt32(d)
      }
      out.append(UInt8(n >> 16 & 0xFF))
      if pad < 2 { out.append(UInt8(n >> 8 & 0xFF)) }
      if pad < 1 { out.append(UInt8(n & 0xFF)) }
      i += 4
    }
    return out
  }
}
