/// Parses StatsD and DogStatsD (SEMANTICS §9.4). One record is one datagram (or one line of a
/// file): it is split on `\n`, each line is parsed on its own, and a bad line is one issue while
/// the datagram's other lines still count.
///
/// Line grammar: `name:value[:value…]|type[|@rate][|#tag,k:v…][|T<unix seconds>][|…]`.
///
/// - Lines: CRLF and a trailing empty line are fine; spaces and tabs around a line are trimmed;
///   empty lines are skipped. Each line is checked for valid UTF-8 on its own.
/// - Name: everything before the first `:`. Cleaned as StatsD does: runs of ASCII whitespace
///   become `_`, `/` becomes `-`, and bytes outside `[A-Za-z0-9_.-]` are dropped. An empty name
///   is ``RejectReason/missingMetric``.
/// - Values: the text between the first `:` and the first `|`; DogStatsD packs several as
///   `1:2:3` (not for sets, whose single member is the whole text). Each value follows the
///   decimal grammar (`1e3` is fine, `0x10` is not); an empty one is
///   ``RejectReason/missingValue``.
/// - Sections after the type, in any order: `@rate` must be a number in (0, 1], otherwise the
///   line is ``RejectReason/badSampleRate`` (F14); `#tags` become labels (`k:v` splits at the
///   first `:`, a bare tag `t` becomes `t="true"`, an empty value drops the tag);
///   `T<seconds>` is a DogStatsD timestamp; anything else (`c:` container ids, unknown
///   sections) is skipped.
/// - Types and the samples they make (`r` = sample rate, `w = round(1/r)`, capped at
///   ``maxWeight``):
///   - `c` counter: the increase `v/r`, as weight `w` of `v` (exactly `v·(1/r)/w` when `1/r` is
///     not a whole number), so `sum` and the `rate` aggregate give `v/r` and `count` the events
///     that stood behind the sample (F15).
///   - `ms` timer, `h` histogram, `d` distribution: value `v` with weight `w`, so the count
///     grows by `1/r` and quantiles stay consistent with it (E17). Timer values stay in
///     milliseconds, as sent; a negative timer is ``RejectReason/negativeDuration``.
///   - `g` gauge: a leading `+` or `-` makes the value a delta on the gauge's current value (0
///     when unknown); otherwise it is set (F12, F13). Each update is a sample of the new value;
///     the sample rate is checked but not applied.
///   - `s` set: a sample of 1 when the member is new in the current ``setInterval`` (10 s,
///     StatsD's default flush) of the sample's timestamp, 0 when it was already seen there. So a
///     10 s bucket's `sum` is the distinct members in it, `count` is the updates, and `rate` is
///     distinct members per second summed over 10 s intervals (not distinct over the whole
///     window). At most ``maxSetMembers`` members are remembered at once over all sets; past that
///     every member counts as new.
/// - DogStatsD events (`_e{…}`) and service checks (`_sc|…`) are not metrics: rejected as
///   ``RejectReason/malformed`` with that explanation.
public struct StatsDParser: FeedParser {
  /// The largest weight a sample rate gives: rates below 1/maxWeight count as 1/maxWeight for
  /// timers (a counter's sum stays exact).
  public static let maxWeight: UInt32 = 1 << 20
  /// The interval in which a set counts distinct members.
  public static let setInterval: Int64 = 10 * Nanos.second
  /// Set members remembered at once over every set.
  public static let maxSetMembers = 100_000

  private enum Kind {
    case counter, timer, gauge, set, histogram, distribution
  }

  private struct TagRef {
    var nameStart: Int
    var nameEnd: Int
    /// Nil: a bare tag, valued `true`.
    var value: Range<Int>?
  }

  private struct SetWindow {
    var interval: Int64
    var members: Set<UInt64>
  }

  /// The cleaned name, then `true` (the value of bare tags).
  private var name: [UInt8] = []
  private var tags: [TagRef] = []
  private var values: [Double] = []
  private var deltas: [Bool] = []
  /// Current gauge values by series index (nil: never set).
  private var gauges: [Double?] = []
  private var sets: [UInt32: SetWindow] = [:]
  private var setMembers = 0

  public init() {
    name.reserveCapacity(256)
  }

  public mutating func parse(
    _ record: UnsafeRawBufferPointer, line: Int, arrival: Timestamp, into sink: inout ParseSink
  ) {
    var lines = ByteCursor(record, 0, record.count)
    repeat {
      let start = lines.take(until: 0x0A)
      parseLine(record, start, lines.i, line: line, arrival: arrival, into: &sink)
    } while lines.consume(0x0A)
  }

  private mutating func parseLine(
    _ record: UnsafeRawBufferPointer, _ s0: Int, _ e0: Int, line: Int, arrival: Timestamp,
    into sink: inout ParseSink
  ) {
    var s = s0
    var e = e0
    while e > s && (record[e - 1] == 0x0D || record[e - 1] == 0x20 || record[e - 1] == 0x09) {
      e -= 1
    }
    while s < e && (record[s] == 0x20 || record[s] == 0x09) { s += 1 }
    if s == e { return }
    let l = UnsafeRawBufferPointer(rebasing: record[s..<e])
    if let bad = firstInvalidUTF8(l) {
      sink.issues.append(
        FieldRejection(.invalidUTF8, "invalid UTF-8 at byte \(bad + 1)").issue(line: line, l))
      return
    }
    if let problem = parseMetric(l, arrival: arrival, into: &sink) {
      sink.issues.append(problem.issue(line: line, l))
    }
  }

  /// Parses one trimmed, valid UTF-8 line; appends its samples, or returns why it is refused.
  private mutating func parseMetric(
    _ l: UnsafeRawBufferPointer, arrival: Timestamp, into sink: inout ParseSink
  ) -> FieldRejection? {
    do throws(FieldRejection) {
      let m = l.count
      if (m >= 3 && l[0] == UInt8(ascii: "_") && l[1] == UInt8(ascii: "e") && l[2] == 0x7B)
        || (m >= 4 && equals(l, 0, 4, "_sc|"))
      {
        throw FieldRejection(
          .malformed, "a DogStatsD event or service check, not a metric (not supported)")
      }
      let colon = firstIndex(of: UInt8(ascii: ":"), in: l, from: 0, to: m)
      guard colon < m else {
        throw FieldRejection(.malformed, "no \":\" between the name and the value")
      }
      name.removeAll(keepingCapacity: true)
      Self.cleanName(l, 0, colon, into: &name)
      guard !name.isEmpty else {
        throw FieldRejection(
          .missingMetric, "the name \(quoted(l, 0, colon)) is empty once cleaned up")
      }
      let nameLength = name.count
      name.append(contentsOf: "true".utf8)

      let bar = firstIndex(of: UInt8(ascii: "|"), in: l, from: colon + 1, to: m)
      guard bar < m else { throw FieldRejection(.malformed, "no \"|type\" after the value") }
      let typeEnd = firstIndex(of: UInt8(ascii: "|"), in: l, from: bar + 1, to: m)
      let kind = try Self.kind(l, bar + 1, typeEnd)
      let (rate, timestamp) = try sections(l, from: typeEnd, arrival: arrival)
      try readValues(l, colon + 1, bar, kind: kind)
      let series = try internSeries(l, nameLength: nameLength, into: &sink)
      let point = Point(series: series, timestamp: timestamp, rate: rate)
      if kind == .set {
        let member = UnsafeRawBufferPointer(rebasing: l[(colon + 1)..<bar])
        let isNew = rememberMember(series: series, member, at: timestamp)
        sink.samples.append(Sample(series: series, timestamp: timestamp, value: isNew ? 1 : 0))
      } else {
        try appendSamples(kind, point, into: &sink)
      }
    } catch {
      return error
    }
    return nil
  }

  /// The type between `|` and the next `|` (or the end): `p[s..<e]`.
  private static func kind(_ l: UnsafeRawBufferPointer, _ s: Int, _ e: Int)
    throws(FieldRejection) -> Kind
  {
    if equals(l, s, e, "c") { return .counter }
    if equals(l, s, e, "ms") { return .timer }
    if equals(l, s, e, "g") { return .gauge }
    if equals(l, s, e, "s") { return .set }
    if equals(l, s, e, "h") { return .histogram }
    if equals(l, s, e, "d") { return .distribution }
    if e == s { throw FieldRejection(.malformed, "no type after \"|\"") }
    throw FieldRejection(.malformed, "unknown type \(quoted(l, s, e)) (c, ms, g, s, h or d)")
  }

  /// The `|…` sections after the type, in any order, from `start` (a `|` or the end): the sample
  /// rate and the timestamp; tags go to `tags`.
  private mutating func sections(
    _ l: UnsafeRawBufferPointer, from start: Int, arrival: Timestamp
  ) throws(FieldRejection) -> (rate: Double, timestamp: Timestamp) {
    var rate = 1.0
    var timestamp = arrival
    tags.removeAll(keepingCapacity: true)
    var c = ByteCursor(l, start, l.count)
    while c.consume(UInt8(ascii: "|")) {
      let ss = c.take(until: UInt8(ascii: "|"))
      let se = c.i
      guard se > ss else { continue }
      switch l[ss] {
      case UInt8(ascii: "@"):
        guard case .number(let r) = parseNumber(l, ss + 1, se, syntax: .decimal), r > 0, r <= 1
        else {
          throw FieldRejection(
            .badSampleRate, "sample rate \(quoted(l, ss, se)) is not a number in (0, 1]")
        }
        rate = r
      case UInt8(ascii: "#"):
        scanTags(l, ss + 1, se)
      case UInt8(ascii: "T"):
        guard let t = Self.unixSeconds(l, ss + 1, se) else {
          throw FieldRejection(
            .badTimestamp, "timestamp \(quoted(l, ss, se)) is not whole Unix seconds")
        }
        timestamp = t
      default:
        continue  // container ids and unknown sections
      }
    }
    return (rate, timestamp)
  }

  /// The values `l[s..<e]` (several packed as `1:2:3`) into `values` and `deltas`; a set's
  /// single member is only checked to be there.
  private mutating func readValues(
    _ l: UnsafeRawBufferPointer, _ s: Int, _ e: Int, kind: Kind
  ) throws(FieldRejection) {
    values.removeAll(keepingCapacity: true)
    deltas.removeAll(keepingCapacity: true)
    if kind == .set {
      if e == s { throw FieldRejection(.missingValue, "no set member") }
      return
    }
    var c = ByteCursor(l, s, e)
    repeat {
      let vs = c.take(until: UInt8(ascii: ":"))
      let ve = c.i
      guard ve > vs else {
        throw FieldRejection(
          .missingValue, ve == e && vs == s ? "no value" : "an empty packed value")
      }
      switch parseNumber(l, vs, ve, syntax: .decimal) {
      case .number(let v):
        values.append(v)
        deltas.append(l[vs] == UInt8(ascii: "+") || l[vs] == UInt8(ascii: "-"))
      case .nonFinite:
        throw FieldRejection(.nonFinite, "value \(quoted(l, vs, ve)) is not finite")
      case .outOfRange:
        throw FieldRejection(.badValue, "value \(quoted(l, vs, ve)) is out of range")
      case .invalid:
        throw FieldRejection(.badValue, "value \(quoted(l, vs, ve)) is not a number")
      }
    } while c.consume(UInt8(ascii: ":"))
    if kind == .timer, let negative = values.first(where: { $0 < 0 }) {
      throw FieldRejection(.negativeDuration, "timer value \(negative) is negative")
    }
  }

  /// The series of the cleaned name (`name[0..<nameLength]`) and `tags`.
  private func internSeries(
    _ l: UnsafeRawBufferPointer, nameLength: Int, into sink: inout ParseSink
  ) throws(FieldRejection) -> SeriesID {
    let tagCount = tags.count
    let interned: Result<SeriesID, FieldRejection> = name.withUnsafeBytes { nb in
      let metric = UnsafeRawBufferPointer(rebasing: nb[0..<nameLength])
      let trueValue = UnsafeRawBufferPointer(rebasing: nb[nameLength..<nb.count])
      return withUnsafeTemporaryAllocation(of: LabelSpan.self, capacity: tagCount) { spans in
        for k in 0..<tagCount {
          let t = tags[k]
          spans.initializeElement(
            at: k,
            to: LabelSpan(
              name: UnsafeRawBufferPointer(rebasing: l[t.nameStart..<t.nameEnd]),
              value: t.value.map { UnsafeRawBufferPointer(rebasing: l[$0]) } ?? trueValue))
        }
        return SeriesCheck.intern(metric: metric, labels: spans, into: &sink)
      }
    }
    return try interned.get()
  }

  /// Where a line's samples go: its series, timestamp and sample rate.
  private struct Point {
    var series: SeriesID
    var timestamp: Timestamp
    var rate: Double
  }

  /// The samples of `values` for a counter, timer, histogram, distribution or gauge.
  private mutating func appendSamples(_ kind: Kind, _ point: Point, into sink: inout ParseSink)
    throws(FieldRejection)
  {
    switch kind {
    case .counter:
      let weight = Self.weight(forRate: point.rate)
      let inverse = 1 / point.rate
      let exact = abs(inverse - Double(weight)) <= inverse * 1e-12
      for v in values {
        let value = exact ? v : v * inverse / Double(weight)
        sink.samples.append(
          Sample(series: point.series, timestamp: point.timestamp, value: value, weight: weight))
      }
    case .timer, .histogram, .distribution:
      let weight = Self.weight(forRate: point.rate)
      for v in values {
        sink.samples.append(
          Sample(series: point.series, timestamp: point.timestamp, value: v, weight: weight))
      }
    case .gauge:
      try applyGaugeDeltas(point.series)
      for v in values {
        sink.samples.append(Sample(series: point.series, timestamp: point.timestamp, value: v))
      }
    case .set:
      break  // handled by the caller
    }
  }

  /// Turns a gauge's values into the values it takes: a signed value is a delta on the current
  /// one (0 when unknown), others set it.
  private mutating func applyGaugeDeltas(_ series: SeriesID) throws(FieldRejection) {
    let index = series.index
    if index >= gauges.count {
      gauges.append(contentsOf: repeatElement(nil, count: index + 1 - gauges.count))
    }
    var current = gauges[index]
    for k in values.indices {
      let next = deltas[k] ? (current ?? 0) + values[k] : values[k]
      guard next.isFinite else {
        throw FieldRejection(.nonFinite, "the gauge would leave the range of a double")
      }
      current = next
      values[k] = next
    }
    gauges[index] = current
  }

  /// Collects the tags of a `#` section (`k:v` or a bare `t`, comma-separated).
  private mutating func scanTags(_ l: UnsafeRawBufferPointer, _ s: Int, _ e: Int) {
    var c = ByteCursor(l, s, e)
    repeat {
      let ts = c.take(until: UInt8(ascii: ","))
      let te = c.i
      let colon = firstIndex(of: UInt8(ascii: ":"), in: l, from: ts, to: te)
      if colon > ts {
        tags.append(
          TagRef(nameStart: ts, nameEnd: colon, value: colon < te ? (colon + 1)..<te : nil))
      }
    } while c.consume(UInt8(ascii: ","))
  }

  /// Whether `member` is new in its set's current interval (and remembers it).
  private mutating func rememberMember(
    series: SeriesID, _ member: UnsafeRawBufferPointer, at t: Timestamp
  ) -> Bool {
    let interval =
      t.nanoseconds >= 0
      ? t.nanoseconds / Self.setInterval : (t.nanoseconds + 1) / Self.setInterval - 1
    var window =
      sets.removeValue(forKey: series.rawValue) ?? SetWindow(interval: interval, members: [])
    if window.interval != interval {
      setMembers -= window.members.count
      // A big set gives its memory back; a small one keeps it for the next interval.
      window.members.removeAll(keepingCapacity: window.members.count <= 1_024)
      window.interval = interval
    }
    defer { sets[series.rawValue] = window }
    let h = byteHash(member)
    if window.members.contains(h) { return false }
    if setMembers < Self.maxSetMembers {
      window.members.insert(h)
      setMembers += 1
    }
    return true
  }

  /// The weight a sample rate gives: `round(1/rate)`, between 1 and ``maxWeight``.
  public static func weight(forRate rate: Double) -> UInt32 {
    let inverse = (1 / rate).rounded()
    if !(inverse >= 1) { return 1 }
    if inverse >= Double(maxWeight) { return maxWeight }
    return UInt32(clamping: inverse)
  }

  /// StatsD's name cleanup: whitespace runs → `_`, `/` → `-`, other bytes outside
  /// `[A-Za-z0-9_.-]` dropped.
  static func cleanName(
    _ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int, into out: inout [UInt8]
  ) {
    var inSpace = false
    for i in s..<e {
      let b = p[i]
      switch b {
      case 0x09...0x0D, 0x20:
        if !inSpace { out.append(UInt8(ascii: "_")) }
        inSpace = true
        continue
      case UInt8(ascii: "/"): out.append(UInt8(ascii: "-"))
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
        UInt8(ascii: "-"):
        out.append(b)
      default: break
      }
      inSpace = false
    }
  }

  /// The cleaned form of a name (tests and tools).
  public static func cleanName(_ raw: String) -> String {
    var out: [UInt8] = []
    Array(raw.utf8).withUnsafeBytes { cleanName($0, 0, $0.count, into: &out) }
    return String(decoding: out, as: UTF8.self)
  }

  /// Whole Unix seconds (digits only) as a timestamp; nil when malformed or out of range.
  private static func unixSeconds(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Timestamp? {
    guard e > s, e - s <= 11 else { return nil }
    var v: Int64 = 0
    for i in s..<e {
      guard isDigit(p[i]) else { return nil }
      v = v * 10 + Int64(p[i] - 0x30)
    }
    let (ns, overflow) = v.multipliedReportingOverflow(by: Nanos.second)
    return overflow ? nil : Timestamp(nanoseconds: ns)
  }
}
