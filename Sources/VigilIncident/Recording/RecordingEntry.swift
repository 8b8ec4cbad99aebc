import VigilApp
import VigilCore

/// One line of an incident recording after the header (SEMANTICS §10.2).
public enum RecordingEntry: Sendable, Equatable {
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
  /// Alert delivery was handed a notification at `t` (`firing` or `resolved`, `resend` not
  /// noted) for these targets. Replay and reports pass over it: they never deliver.
  case delivered(Timestamp, AlertKey, status: String, targets: [String])

  /// The note of `n` handed to `targets`.
  public static func delivery(_ n: AlertNotification, targets: [String]) -> RecordingEntry {
    .delivered(
      n.at, AlertKey(rule: n.rule, labels: n.labels), status: n.status.rawValue, targets: targets)
  }

  /// The rules text the loop read (the type lives in VigilApp: the loop reads the file).
  public typealias RulesText = VigilApp.RulesText

  /// The entry's time.
  public var time: Timestamp {
    switch self {
    case .input(let i): i.arrival
    case .tick(let t), .rules(let t, _), .action(let t, _), .mark(let t, _), .end(let t, _),
      .delivered(let t, _, _, _):
      t
    case .alert(let tr): tr.t
    }
  }
}

// MARK: - Encoding

extension RecordingEntry {
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
    case .delivered(let t, let key, let status, let targets):
      return .object([
        ("k", .string("delivery")), ("t", .int(t.nanoseconds)), ("rule", .string(key.rule)),
        ("labels", Self.labels(key.labels)), ("status", .string(status)),
        ("targets", .array(targets.map { .string($0) })),
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

extension RecordingEntry {
  /// Reads one record; unknown kinds are nil (a newer Vigil may add some).
  public init?(json v: JSONValue) throws(RecordingFormatError) {
    guard let kind = v["k"]?.string, let tn = v["t"]?.int else {
      throw RecordingFormatError("a record needs \"k\" and \"t\"")
    }
    let t = Timestamp(nanoseconds: tn)
    func key() throws(RecordingFormatError) -> AlertKey {
      guard let rule = v["rule"]?.string, let labels = v["labels"]?.objectMembers else {
        throw RecordingFormatError("\(kind) needs rule and labels")
      }
      return AlertKey(
        rule: rule, labels: LabelSet(labels.compactMap { k, v in v.string.map { (k, $0) } }))
    }
    switch kind {
    case "in", "ev":
      guard let seq = v["seq"]?.int, let feed = v["feed"]?.int else {
        throw RecordingFormatError("\(kind) needs seq and feed")
      }
      let payload: FeedPayload
      if kind == "in" {
        guard let format = v["fmt"]?.string.flatMap(FeedFormat.init(rawValue:)) else {
          throw RecordingFormatError("in needs a known fmt")
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
      guard let until = v["until"]?.int else { throw RecordingFormatError("silence needs until") }
      self = .action(
        t,
        .silence(
          try key(), until: Timestamp(nanoseconds: until), step: Int(v["step"]?.int ?? 0)))
    case "unsilence": self = .action(t, .unsilence(try key()))
    case "alert":
      let k = try key()
      guard let from = v["from"]?.string.flatMap(AlertState.init(rawValue:)),
        let to = v["to"]?.string.flatMap(AlertState.init(rawValue:))
      else { throw RecordingFormatError("alert needs from and to states") }
      self = .alert(
        AlertTransition(
          t: t, rule: k.rule, labels: k.labels, from: from, to: to, value: v["value"]?.double,
          reason: v["reason"]?.string.flatMap { TransitionReason(rawValue: $0) }))
    case "mark": self = .mark(t, v["text"]?.string ?? "")
    case "end": self = .end(t, v["reason"]?.string ?? "")
    case "delivery":
      self = .delivered(
        t, try key(), status: v["status"]?.string ?? "",
        targets: (v["targets"]?.array ?? []).compactMap(\.string))
    default: return nil
    }
  }

  static func decodeBatch(_ v: JSONValue) throws(RecordingFormatError) -> RecordBatch {
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
      guard let bytes = Base64.decode(b64) else { throw RecordingFormatError("bad base64 in in") }
      var start = 0
      for (i, e) in ends.enumerated() {
        guard let end = e.int.map(Int.init), end >= start, end <= bytes.count else {
          throw RecordingFormatError("bad record ends in in")
        }
        bytes.withUnsafeBytes {
          batch.append(UnsafeRawBufferPointer(rebasing: $0[start..<end]), line: first + i)
        }
        start = end
      }
    }
    if let lines = v["lines"]?.array {
      guard lines.count == batch.count else {
        throw RecordingFormatError("lines do not match records")
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
