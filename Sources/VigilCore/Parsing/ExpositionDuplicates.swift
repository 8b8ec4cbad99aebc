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
  /// out label `skipping`.
  func seriesHash(_ p: UnsafeRawBufferPointer, _ s: ExpositionSample, skipping: Int32) -> UInt64 {
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
  func findDuplicate(_ p: UnsafeRawBufferPointer, _ s: ExpositionSample, _ hash: UInt64)
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
