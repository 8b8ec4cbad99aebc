/// A label given as byte ranges into a parser's input (or scratch) buffer.
///
/// The bytes must be valid UTF-8 and stay alive for the duration of the ``SeriesInterner``
/// call that receives them.
public struct LabelSpan {
  public var name: UnsafeRawBufferPointer
  public var value: UnsafeRawBufferPointer
  public init(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
    self.name = name
    self.value = value
  }
}

/// Maps series keys to dense ``SeriesID``s without allocating on the hot path.
///
/// Parsers hand it the metric name and labels as byte spans; it sorts and de-duplicates the
/// labels, hashes a canonical byte form and finds the id in an open-addressing table. Strings
/// are built only the first time a series is seen. Ids are assigned in order of first
/// appearance, so the same input always yields the same ids (replay determinism).
///
/// Series are limited (``SeriesLimits``) so a feed with unbounded label values cannot grow
/// memory without bound: overall, per metric, with a share kept for the signals' metrics. Past a
/// limit `intern` returns nil (``lastRefusal`` says which; the caller rejects the line) and the
/// refusal is counted per metric. A label of one metric whose distinct values reach
/// ``SeriesLimits/foldAfter`` is folded: from then on the metric's samples are interned without
/// it, so they keep counting in one series (see `SeriesInternerFolds.swift`).
public struct SeriesInterner: Sendable {
  /// The limits in force.
  public let limits: SeriesLimits
  /// The most series this interner hands out.
  public var maxSeries: Int { limits.maxSeries }
  var keys: [SeriesKey] = []
  private var canonical: [[UInt8]] = []
  private var hashes: [UInt64] = []
  private var table: [UInt32]  // 0 = empty, otherwise id + 1
  var scratch: [UInt8] = []
  /// Per series: its metric's index in ``metrics`` (`UInt32.max`: none), and whether a fold
  /// retired it (its samples now go to the folded series).
  var seriesMetric: [UInt32] = []
  var retired: [Bool] = []
  var anyRetired = false
  /// Per metric name: series count, folds, fold detection and refusals.
  var metrics: [MetricEntry] = []
  var metricTable: [UInt32]  // 0 = empty, otherwise index + 1
  /// Refusals of metrics past the table's bound.
  var otherRefused: [RejectReason: UInt64] = [:]
  /// Label values held for fold detection, over every metric (bounded by ``maxTrackedValues``).
  var trackedValues = 0
  /// Why the last `intern` returned nil.
  public internal(set) var lastRefusal = SeriesRefusal.overall

  /// Creates an empty interner that hands out at most `maxSeries` ids (no other limit).
  public init(maxSeries: Int = 10_000) {
    self.init(limits: .global(maxSeries))
  }

  /// Creates an empty interner with `limits`.
  public init(limits: SeriesLimits) {
    self.limits = limits
    table = Array(repeating: 0, count: 64)
    metricTable = Array(repeating: 0, count: 64)
    scratch.reserveCapacity(256)
    // The signals' metrics always have an entry (their reserve, their drops).
    for name in limits.signalMetrics.sorted() {
      var bytes = Array(name.utf8)
      _ = bytes.withUnsafeMutableBytes { metricIndex(UnsafeRawBufferPointer($0)) }
    }
  }

  /// The number of series interned so far.
  public var count: Int { keys.count }

  /// The key of a previously returned id.
  public func key(_ id: SeriesID) -> SeriesKey { keys[id.index] }

  /// Every key, indexed by id.
  public var allKeys: [SeriesKey] { keys }

  /// The id of an existing key, if it was interned.
  public func lookup(_ key: SeriesKey) -> SeriesID? {
    let bytes = SeriesInterner.canonicalBytes(of: key)
    return find(bytes, hashBytes(bytes))
  }

  /// Interns a key given as Swift values (slow path: tests, config, generators).
  public mutating func intern(_ key: SeriesKey) -> SeriesID? {
    // Lay every string out in one buffer, then point spans into it.
    var storage: [UInt8] = Array(key.metric.utf8)
    var ranges: [(Range<Int>, Range<Int>)] = []
    for l in key.labels.labels {
      let n0 = storage.count
      storage.append(contentsOf: l.name.utf8)
      let v0 = storage.count
      storage.append(contentsOf: l.value.utf8)
      ranges.append((n0..<v0, v0..<storage.count))
    }
    let metricCount = key.metric.utf8.count
    return storage.withUnsafeBytes { raw in
      var spans = ranges.map {
        LabelSpan(
          name: UnsafeRawBufferPointer(rebasing: raw[$0.0]),
          value: UnsafeRawBufferPointer(rebasing: raw[$0.1]))
      }
      return spans.withUnsafeMutableBufferPointer {
        intern(metric: UnsafeRawBufferPointer(rebasing: raw[0..<metricCount]), labels: $0)
      }
    }
  }

  /// Interns a series given as byte spans. Reorders and compacts `labels` in place.
  ///
  /// Labels with empty values are ignored; when a name repeats, the last one wins. A known
  /// series costs one hash and one probe, and allocates nothing; so does a sample of a metric
  /// with folded labels (a second hash, after the fold removed them from `labels`).
  /// - Returns: the series id, or nil when the series is new and a limit is reached
  ///   (``lastRefusal`` says which; the refusal is counted for the metric).
  /// - Complexity: O(L²) in the number of labels for the sort (L is small), O(bytes) otherwise.
  public mutating func intern(
    metric: UnsafeRawBufferPointer, labels: UnsafeMutableBufferPointer<LabelSpan>
  ) -> SeriesID? {
    // Stable insertion sort by name keeps the input order among equal names.
    if labels.count > 1 {
      for i in 1..<labels.count {
        let item = labels[i]
        var j = i - 1
        while j >= 0 && compareBytes(labels[j].name, item.name) > 0 {
          labels[j + 1] = labels[j]
          j -= 1
        }
        labels[j + 1] = item
      }
    }
    // Compact in place: drop empty values, keep the last of a run of equal names.
    var kept = 0
    var i = 0
    while i < labels.count {
      var last = i
      while last + 1 < labels.count && compareBytes(labels[last + 1].name, labels[i].name) == 0 {
        last += 1
      }
      if labels[last].value.count > 0 {
        labels[kept] = labels[last]
        kept += 1
      }
      i = last + 1
    }
    let unique = UnsafeMutableBufferPointer(rebasing: labels[0..<kept])
    scratch.removeAll(keepingCapacity: true)
    appendLengthPrefixed(&scratch, metric)
    for l in unique {
      appendLengthPrefixed(&scratch, l.name)
      appendLengthPrefixed(&scratch, l.value)
    }
    let hash = hashBytes(scratch)
    // Known and not retired by a fold: the hot path ends here.
    if let id = find(scratch, hash) {
      if !anyRetired || !retired[id.index] { return id }
    }
    return internNew(metric: metric, labels: unique, hash: hash)
  }

  /// Lays the canonical bytes of `metric` with `labels` out in ``scratch``; returns their hash.
  @inline(__always)
  mutating func canonicalize(
    _ metric: UnsafeRawBufferPointer, _ labels: UnsafeMutableBufferPointer<LabelSpan>
  ) -> UInt64 {
    scratch.removeAll(keepingCapacity: true)
    appendLengthPrefixed(&scratch, metric)
    for l in labels {
      appendLengthPrefixed(&scratch, l.name)
      appendLengthPrefixed(&scratch, l.value)
    }
    return hashBytes(scratch)
  }

  /// Adds the series whose canonical bytes are in ``scratch`` (hash `hash`) for metric entry
  /// `metricIndex`.
  mutating func add(
    _ metric: UnsafeRawBufferPointer, _ labels: UnsafeMutableBufferPointer<LabelSpan>,
    hash: UInt64, metricIndex: Int?
  ) -> SeriesID {
    let built = labels.map {
      Label(String(decoding: $0.name, as: UTF8.self), String(decoding: $0.value, as: UTF8.self))
    }
    let key = SeriesKey(String(decoding: metric, as: UTF8.self), LabelSet(sorted: built))
    seriesMetric.append(metricIndex.map { UInt32($0) } ?? .max)
    retired.append(false)
    if let m = metricIndex { metrics[m].series += 1 }
    return insert(key: key, bytes: scratch, hash: hash)
  }

  @inline(__always)
  func find(_ bytes: [UInt8], _ hash: UInt64) -> SeriesID? {
    let mask = table.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let entry = table[slot]
      if entry == 0 { return nil }
      let id = Int(entry - 1)
      if hashes[id] == hash && bytesEqual(canonical[id], bytes) { return SeriesID(UInt32(id)) }
      slot = (slot + 1) & mask
    }
  }

  private mutating func insert(key: SeriesKey, bytes: [UInt8], hash: UInt64) -> SeriesID {
    let id = keys.count
    keys.append(key)
    canonical.append(bytes)
    hashes.append(hash)
    if (id + 1) * 2 > table.count { grow() } else { place(id) }
    return SeriesID(UInt32(id))
  }

  private mutating func place(_ id: Int) {
    let mask = table.count - 1
    var slot = Int(truncatingIfNeeded: hashes[id]) & mask
    while table[slot] != 0 { slot = (slot + 1) & mask }
    table[slot] = UInt32(id + 1)
  }

  private mutating func grow() {
    table = Array(repeating: 0, count: table.count * 2)
    for id in 0..<keys.count { place(id) }
  }

  private static func canonicalBytes(of key: SeriesKey) -> [UInt8] {
    var bytes: [UInt8] = []
    func add(_ s: String) {
      var copy = s
      copy.withUTF8 { appendLengthPrefixed(&bytes, UnsafeRawBufferPointer($0)) }
    }
    add(key.metric)
    for l in key.labels.labels {
      add(l.name)
      add(l.value)
    }
    return bytes
  }
}

/// Appends a LEB128 length, then the bytes: an unambiguous encoding whatever the bytes hold.
@inline(__always)
func appendLengthPrefixed(_ out: inout [UInt8], _ bytes: UnsafeRawBufferPointer) {
  var n = bytes.count
  while n >= 0x80 {
    out.append(UInt8(truncatingIfNeeded: n) | 0x80)
    n >>= 7
  }
  out.append(UInt8(n))
  out.append(contentsOf: bytes)
}

/// memcmp-style ordering of two byte ranges.
@inline(__always)
func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
  let n = min(a.count, b.count)
  var i = 0
  while i < n {
    let x = a[i]
    let y = b[i]
    if x != y { return x < y ? -1 : 1 }
    i += 1
  }
  return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

/// The canonical bytes' hash (``WordHasher``: 8 bytes per step).
@inline(__always)
func hashBytes(_ bytes: [UInt8]) -> UInt64 {
  bytes.withUnsafeBytes {
    var h = WordHasher()
    h.add($0, 0, $0.count)
    return h.finish()
  }
}
