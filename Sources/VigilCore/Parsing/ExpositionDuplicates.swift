// Duplicate series in one exposition: a series hash per sample and an open-addressing table of
// samples by hash.

/// The samples of one body by series hash: `table` holds sample index + 1 (0 is an empty slot),
/// probed linearly, kept at most half full.
struct SeriesHashIndex: Sendable {
  /// The hash of every sample, by sample index.
  private(set) var hashes: [UInt64] = []
  private var table: [Int32] = []

  /// Empties the index for a new body, keeping the last body's table size (a good guess).
  mutating func reset() {
    hashes.removeAll(keepingCapacity: true)
    resetTable(capacity: max(64, table.count))
  }

  /// The first sample with `hash` for which `same` holds.
  @inline(__always)
  func first(_ hash: UInt64, where same: (Int) -> Bool) -> Int? {
    let mask = table.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let entry = table[slot]
      if entry == 0 { return nil }
      let k = Int(entry - 1)
      if hashes[k] == hash && same(k) { return k }
      slot = (slot + 1) & mask
    }
  }

  /// Adds the next sample's hash.
  mutating func insert(_ hash: UInt64) {
    hashes.append(hash)
    if hashes.count * 2 > table.count {
      resetTable(capacity: table.count * 2)
      for k in hashes.indices { place(k) }
    } else {
      place(hashes.count - 1)
    }
  }

  private mutating func place(_ k: Int) {
    let mask = table.count - 1
    var slot = Int(truncatingIfNeeded: hashes[k]) & mask
    while table[slot] != 0 { slot = (slot + 1) & mask }
    table[slot] = Int32(k + 1)
  }

  private mutating func resetTable(capacity: Int) {
    if table.count == capacity {
      for k in table.indices { table[k] = 0 }
    } else {
      table = Array(repeating: 0, count: capacity)
    }
  }
}

extension ExpositionScanner {
  /// A hash of the name and the sorted labels (each a separate ``WordHasher`` part), leaving
  /// out label `skipping`. (The per-sample helpers called from `mutating` code are `mutating`
  /// themselves: calling a non-mutating method there copies the whole scanner.)
  mutating func seriesHash(_ p: UnsafeRawBufferPointer, _ s: ExpositionSample, skipping: Int32)
    -> UInt64
  {
    var h = WordHasher()
    h.add(p, Int(s.nameStart), Int(s.nameEnd))
    for j in Int(s.labelStart)..<Int(s.labelStart + s.labelCount) where j != Int(skipping) {
      let l = labels[j]
      h.add(p, Int(l.nameStart), Int(l.nameEnd))
      withValue(p, l) { v, a, b in h.add(v, a, b) }
    }
    return h.finish()
  }

  /// The sample already read with the same series as `s`, if any.
  mutating func findDuplicate(_ p: UnsafeRawBufferPointer, _ s: ExpositionSample, _ hash: UInt64)
    -> Int?
  {
    seriesIndex.first(hash) { sameSeries(p, samples[$0], s) }
  }

  func sameSeries(_ p: UnsafeRawBufferPointer, _ a: ExpositionSample, _ b: ExpositionSample)
    -> Bool
  {
    guard a.labelCount == b.labelCount,
      equalRanges(p, Int(a.nameStart), Int(a.nameEnd), Int(b.nameStart), Int(b.nameEnd))
    else { return false }
    for j in 0..<Int(a.labelCount) {
      let x = labels[Int(a.labelStart) + j]
      let y = labels[Int(b.labelStart) + j]
      guard equalRanges(p, Int(x.nameStart), Int(x.nameEnd), Int(y.nameStart), Int(y.nameEnd))
      else { return false }
      let same = withValue(p, x) { xv, xs, xe in
        withValue(p, y) { yv, ys, ye in
          compareBytes(
            UnsafeRawBufferPointer(rebasing: xv[xs..<xe]),
            UnsafeRawBufferPointer(rebasing: yv[ys..<ye])) == 0
        }
      }
      if !same { return false }
    }
    return true
  }
}

/// An open-addressing table from a hash to one sample index, kept at most half full: the
/// OpenMetrics scanner's metrics (their first sample) and states or quantiles (their latest).
struct HashSlots: Sendable {
  private var keys: [UInt64] = Array(repeating: 0, count: 64)
  /// Sample index + 1; 0 is an empty slot.
  private var values: [Int32] = Array(repeating: 0, count: 64)
  private var count = 0

  /// Empties the table, keeping its size.
  mutating func reset() {
    guard count > 0 else { return }
    for k in values.indices { values[k] = 0 }
    count = 0
  }

  /// The slot of the entry with `hash` for which `same` holds (with its sample index), or the
  /// empty slot where such an entry would go.
  @inline(__always)
  func find(_ hash: UInt64, where same: (Int) -> Bool) -> (slot: Int, index: Int?) {
    let mask = values.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let v = values[slot]
      if v == 0 { return (slot, nil) }
      if keys[slot] == hash && same(Int(v - 1)) { return (slot, Int(v - 1)) }
      slot = (slot + 1) & mask
    }
  }

  /// Stores `index` in `slot` (from ``find(_:where:)``, with no change in between).
  mutating func set(_ slot: Int, _ hash: UInt64, _ index: Int) {
    if values[slot] == 0 { count += 1 }
    keys[slot] = hash
    values[slot] = Int32(index + 1)
    guard count * 2 > values.count else { return }
    let oldKeys = keys
    let oldValues = values
    keys = Array(repeating: 0, count: oldValues.count * 2)
    values = Array(repeating: 0, count: oldValues.count * 2)
    let mask = values.count - 1
    for k in oldValues.indices where oldValues[k] != 0 {
      var s = Int(truncatingIfNeeded: oldKeys[k]) & mask
      while values[s] != 0 { s = (s + 1) & mask }
      keys[s] = oldKeys[k]
      values[s] = oldValues[k]
    }
  }
}

extension ExpositionScanner {
  /// A hash of an OpenMetrics sample's Metric: its family name and its labels other than the
  /// MetricPoint's own (`le`, `quantile`, a stateset's state).
  mutating func metricHash(_ p: UnsafeRawBufferPointer, _ s: ExpositionSample) -> UInt64 {
    var h = WordHasher()
    h.add(p, Int(s.nameStart), Int(s.familyEnd))
    for j in Int(s.labelStart)..<Int(s.labelStart + s.labelCount) where j != Int(s.boundLabel) {
      let l = labels[j]
      h.add(p, Int(l.nameStart), Int(l.nameEnd))
      withValue(p, l) { v, a, b in h.add(v, a, b) }
    }
    return h.finish()
  }

  /// Whether two OpenMetrics samples belong to the same Metric (see ``metricHash(_:_:)``).
  func sameMetric(_ p: UnsafeRawBufferPointer, _ a: ExpositionSample, _ b: ExpositionSample)
    -> Bool
  {
    Self.sameMetric(p, labels, scratch, a, b)
  }

  /// The same, from the label and scratch buffers (so that `mutating` code does not copy the
  /// scanner to call it).
  static func sameMetric(
    _ p: UnsafeRawBufferPointer, _ labels: [ExpositionLabel], _ scratch: [UInt8],
    _ a: ExpositionSample, _ b: ExpositionSample
  ) -> Bool {
    func withValue<R>(
      _ l: ExpositionLabel, _ body: (UnsafeRawBufferPointer, Int, Int) -> R
    ) -> R {
      if l.inScratch {
        return scratch.withUnsafeBytes { body($0, Int(l.valueStart), Int(l.valueEnd)) }
      }
      return body(p, Int(l.valueStart), Int(l.valueEnd))
    }
    guard
      equalRanges(p, Int(a.nameStart), Int(a.familyEnd), Int(b.nameStart), Int(b.familyEnd))
    else { return false }
    var i = Int(a.labelStart)
    var j = Int(b.labelStart)
    let ae = i + Int(a.labelCount)
    let be = j + Int(b.labelCount)
    while true {
      if i == Int(a.boundLabel) { i += 1 }
      if j == Int(b.boundLabel) { j += 1 }
      if i >= ae || j >= be { return i >= ae && j >= be }
      let x = labels[i]
      let y = labels[j]
      guard equalRanges(p, Int(x.nameStart), Int(x.nameEnd), Int(y.nameStart), Int(y.nameEnd))
      else { return false }
      let same = withValue(x) { xv, xs, xe in
        withValue(y) { yv, ys, ye in
          compareBytes(
            UnsafeRawBufferPointer(rebasing: xv[xs..<xe]),
            UnsafeRawBufferPointer(rebasing: yv[ys..<ye])) == 0
        }
      }
      if !same { return false }
      i += 1
      j += 1
    }
  }
}
