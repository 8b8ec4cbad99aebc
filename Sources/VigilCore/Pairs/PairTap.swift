/// The parse-time half of event pairs: in the ``ParseSink``, where every parser hands over a
/// metric and its labels, the events of a pair have their key label taken off before they are
/// interned, and are noted (with the key's bytes) for the ``Engine``, which pairs them once the
/// record's samples are made (``Engine/takePairEvents()``).
///
/// A sample of any other metric costs a length comparison per watched metric: no allocation,
/// no lookup. The key never reaches the interner, so it never makes a series, never counts
/// toward a limit and is never folded.
public struct PairTap: Sendable {
  /// One event a pair watches: its metric's bytes, matchers, and key label.
  struct Watch: Sendable {
    var metric: [UInt8]
    var matchers: [LabelMatcher]
    var key: [UInt8]
    var pair: Int32
    var isEnd: Bool
  }

  /// One pair event seen in the current record.
  struct Event: Sendable {
    var pair: Int32
    var isEnd: Bool
    /// The series the event's sample belongs to (its metric without the key).
    var series: SeriesID
    /// The index its sample will have in ``ParseSink/samples``.
    var sample: Int32
    /// Its key in ``keyBytes``; `count` ``missingKey`` or ``oversizedKey`` for a bad key.
    var keyStart: Int32
    var keyCount: Int32
  }

  static let missingKey: Int32 = -1
  static let oversizedKey: Int32 = -2
  /// Events held for a sink nobody drains (`lint-feed`, the fuzzer): further ones are dropped.
  static let maxEvents = 65_536

  var watches: [Watch] = []
  /// Each watch's metric length: the only thing a sample of another metric is compared with
  /// (plain integers, so the check retains nothing).
  var metricLengths: [Int] = []
  var events: [Event] = []
  var keyBytes: [UInt8] = []

  public init() {}

  /// Watches the events of `pairs` (pair numbers are their indices).
  public init(pairs: [PairSpec]) {
    for (i, p) in pairs.enumerated() {
      for (selector, isEnd) in [(p.start, false), (p.end, true)] {
        watches.append(
          Watch(
            metric: Array(selector.metric.utf8), matchers: selector.matchers,
            key: Array(p.key.utf8), pair: Int32(i), isEnd: isEnd))
      }
    }
    metricLengths = watches.map(\.metric.count)
    events.reserveCapacity(64)
    keyBytes.reserveCapacity(4096)
  }

  /// Whether any pair is watched.
  @inline(__always) var isActive: Bool { !watches.isEmpty }

  /// Empties the events of the record just handled.
  mutating func clear() {
    events.removeAll(keepingCapacity: true)
    keyBytes.removeAll(keepingCapacity: true)
  }

  /// The key bytes of `event` (valid until ``clear()``).
  func key(_ e: Event) -> ArraySlice<UInt8> {
    e.keyCount > 0 ? keyBytes[Int(e.keyStart)..<Int(e.keyStart + e.keyCount)] : []
  }

  /// The watch `metric` with `labels` is an event of, if any.
  func watch(_ metric: UnsafeRawBufferPointer, _ labels: UnsafeMutableBufferPointer<LabelSpan>)
    -> Int?
  {
    var i = 0
    while i < metricLengths.count {
      defer { i += 1 }
      guard metricLengths[i] == metric.count else { continue }
      let w = watches[i]
      guard w.metric.withUnsafeBytes({ compareBytes($0, metric) == 0 }) else { continue }
      if w.matchers.isEmpty || Self.matches(w, labels) { return i }
    }
    return nil
  }

  /// Whether the labels (without the key) satisfy the watch's matchers (allocates: pair
  /// events with matchers only).
  private static func matches(_ w: Watch, _ labels: UnsafeMutableBufferPointer<LabelSpan>)
    -> Bool
  {
    var pairs: [(String, String)] = []
    for l in labels where !w.key.withUnsafeBytes({ compareBytes($0, l.name) == 0 }) {
      pairs.append(
        (String(decoding: l.name, as: UTF8.self), String(decoding: l.value, as: UTF8.self)))
    }
    let set = LabelSet(pairs)
    return w.matchers.allSatisfy { $0.matches(set) }
  }

  /// Takes watch `w`'s key label out of `labels` (every label of that name; the last one's
  /// value is the key, as the interner keeps the last), noting its bytes. Returns the labels
  /// left and where the key went (`keyCount` < 0: missing, empty or too long).
  mutating func takeKey(_ w: Int, _ labels: UnsafeMutableBufferPointer<LabelSpan>)
    -> (UnsafeMutableBufferPointer<LabelSpan>, start: Int32, count: Int32)
  {
    var value: UnsafeRawBufferPointer?
    var kept = 0
    let key = watches[w].key
    for i in 0..<labels.count {
      let l = labels[i]
      if key.withUnsafeBytes({ compareBytes($0, l.name) == 0 }) {
        value = l.value
      } else {
        labels[kept] = l
        kept += 1
      }
    }
    let rest = UnsafeMutableBufferPointer(rebasing: labels[0..<kept])
    guard let value, value.count > 0 else { return (rest, 0, Self.missingKey) }
    guard value.count <= PairSpec.maxKeyBytes else { return (rest, 0, Self.oversizedKey) }
    let start = Int32(keyBytes.count)
    keyBytes.append(contentsOf: value)
    return (rest, start, Int32(value.count))
  }
}

extension ParseSink {
  /// Interns `metric` with `labels` (reordered in place) for a parser; a pair's event has its
  /// key taken off first and is noted for the engine. Nil when a limit refuses a new series
  /// (``SeriesInterner/lastRefusal`` says which).
  @inline(__always)
  public mutating func intern(
    metric: UnsafeRawBufferPointer, labels: UnsafeMutableBufferPointer<LabelSpan>
  ) -> SeriesID? {
    guard pairs.isActive, let w = pairs.watch(metric, labels) else {
      return interner.intern(metric: metric, labels: labels)
    }
    let (rest, start, count) = pairs.takeKey(w, labels)
    guard let id = interner.intern(metric: metric, labels: rest) else {
      if count > 0 { pairs.keyBytes.removeLast(Int(count)) }
      return nil
    }
    if pairs.events.count < PairTap.maxEvents {
      let watch = pairs.watches[w]
      pairs.events.append(
        PairTap.Event(
          pair: watch.pair, isEnd: watch.isEnd, series: id, sample: Int32(samples.count),
          keyStart: start, keyCount: count))
    } else if count > 0 {
      pairs.keyBytes.removeLast(Int(count))
    }
    return id
  }
}
