/// Dense bucket counts over the key span `offset ..< offset + bucketCount`, collapsing the lowest
/// keys once the span would exceed ``QuantileSketch/maxBucketsPerStore``.
///
/// Counts start as `UInt8` and widen to `UInt16`, then `UInt32`, the first time a count needs it
/// (most buckets of a latency sketch hold a handful of samples, so this keeps a typical slot at
/// about a byte per bucket). The width never shrinks, so a slot reused after its epoch rolls keeps
/// its storage. `UInt32` counts saturate at `UInt32.max`, which is associative, so merging stays
/// exact.
///
/// Invariant (canonical form): with `M` the largest key added and `m` the smallest,
/// `offset = max(m, M - cap + 1)`, the span ends at `M`, and the first count holds every key
/// `≤ offset`. Both ends are therefore non-zero, and the logical contents depend only on the
/// multiset of keys added, not on the order, the width or the capacity.
struct DenseStore: Sendable, Equatable {
  private var c8: [UInt8] = []
  private var c16: [UInt16] = []
  private var c32: [UInt32] = []
  /// 0: `UInt8` counts, 1: `UInt16`, 2: `UInt32`. Only ever grows.
  private(set) var width: UInt8 = 0
  /// The key of the first count.
  private(set) var offset: Int32 = 0

  static var cap: Int { QuantileSketch.maxBucketsPerStore }

  var bucketCount: Int {
    switch width {
    case 0: return c8.count
    case 1: return c16.count
    default: return c32.count
    }
  }

  /// The count of bucket `i` (key `offset + i`).
  subscript(i: Int) -> UInt64 {
    switch width {
    case 0: return UInt64(c8[i])
    case 1: return UInt64(c16[i])
    default: return UInt64(c32[i])
    }
  }

  static func == (a: DenseStore, b: DenseStore) -> Bool {
    let n = a.bucketCount
    guard n == b.bucketCount else { return false }
    if n == 0 { return true }
    guard a.offset == b.offset else { return false }
    for i in 0..<n where a[i] != b[i] { return false }
    return true
  }

  /// Heap bytes of the count arrays (capacity plus the array header).
  var heapBytes: Int {
    func bytes(_ capacity: Int, _ size: Int) -> Int { capacity == 0 ? 0 : 32 + capacity * size }
    return bytes(c8.capacity, 1) + bytes(c16.capacity, 2) + bytes(c32.capacity, 4)
  }

  /// Switches an empty store to 32-bit counts (a scratch sketch that many others merge into:
  /// no widening on the way, and the bulk add vectorises).
  mutating func useWideCounts() {
    guard bucketCount == 0, width < 2 else { return }
    c8 = []
    c16 = []
    width = 2
  }

  /// Empties the store, keeping its capacity and width.
  mutating func reset() {
    switch width {
    case 0: c8.removeAll(keepingCapacity: true)
    case 1: c16.removeAll(keepingCapacity: true)
    default: c32.removeAll(keepingCapacity: true)
    }
    offset = 0
  }

  @inline(__always)
  static func saturatingAdd(_ a: UInt32, _ b: UInt32) -> UInt32 {
    let (s, o) = a.addingReportingOverflow(b)
    return o ? .max : s
  }

  /// Adds `weight` at `key`. The common case (key inside the span, no overflow) is a bounds check
  /// and an add.
  @inline(__always)
  mutating func add(key: Int32, weight: UInt32) {
    let i = Int(key) &- Int(offset)
    switch width {
    case 0:
      if i >= 0 && i < c8.count && weight <= UInt32(UInt8.max) {
        let (s, o) = c8[i].addingReportingOverflow(UInt8(truncatingIfNeeded: weight))
        if !o {
          c8[i] = s
          return
        }
      }
    case 1:
      if i >= 0 && i < c16.count && weight <= UInt32(UInt16.max) {
        let (s, o) = c16[i].addingReportingOverflow(UInt16(truncatingIfNeeded: weight))
        if !o {
          c16[i] = s
          return
        }
      }
    default:
      if i >= 0 && i < c32.count {
        c32[i] = Self.saturatingAdd(c32[i], weight)
        return
      }
    }
    addSlow(key: Int(key), weight: UInt64(weight))
  }

  @inline(never)
  private mutating func addSlow(key: Int, weight: UInt64) {
    while true {
      let done: Bool
      switch width {
      case 0: done = Self.place(&c8, &offset, key, weight)
      case 1: done = Self.place(&c16, &offset, key, weight)
      default: done = Self.place(&c32, &offset, key, weight)
      }
      if done { return }
      widen()
    }
  }

  private mutating func widen() {
    switch width {
    case 0:
      c16 = Self.convert(c8)
      c8 = []
      width = 1
    case 1:
      c32 = Self.convert(c16)
      c16 = []
      width = 2
    default:
      preconditionFailure("UInt32 counts saturate")
    }
  }

  private static func convert<S: FixedWidthInteger & UnsignedInteger, D: FixedWidthInteger>(
    _ a: [S]
  ) -> [D] {
    var out: [D] = []
    out.reserveCapacity(a.capacity)  // the same number of buckets as before
    for x in a { out.append(D(x)) }
    return out
  }

  /// Grows capacity to `n` buckets plus a quarter, never past the cap, so memory follows the
  /// populated span instead of Array's doubling.
  private static func ensureCapacity<T>(_ a: inout [T], _ n: Int) {
    if a.capacity < n {
      a.reserveCapacity(Swift.min(cap, Swift.max(n, a.capacity + a.capacity / 4)))
    }
  }

  /// Adds `w` at key `k`, extending the span or collapsing its lowest keys as the canonical form
  /// requires. Returns false, changing nothing, when a resulting count would not fit `T` (the
  /// caller widens and retries); `UInt32` saturates instead.
  private static func place<T: FixedWidthInteger & UnsignedInteger>(
    _ a: inout [T], _ offset: inout Int32, _ k: Int, _ w: UInt64
  ) -> Bool {
    let saturates = T.bitWidth >= 32
    func fits(_ v: UInt64) -> Bool { saturates || v <= UInt64(T.max) }
    func narrow(_ v: UInt64) -> T { v > UInt64(T.max) ? T.max : T(v) }
    if a.isEmpty {
      guard fits(w) else { return false }
      ensureCapacity(&a, 1)
      offset = Int32(k)
      a.append(narrow(w))
      return true
    }
    let lo = Int(offset)
    let hi = lo + a.count - 1
    if k >= lo && k <= hi {
      let v = UInt64(a[k - lo]) + w
      guard fits(v) else { return false }
      a[k - lo] = narrow(v)
      return true
    }
    if k < lo {
      // Extend down as far as the cap allows; keys below that fold into the first bucket.
      let newLo = Swift.max(k, hi - cap + 1)
      let v = (newLo == lo ? UInt64(a[0]) : 0) + w
      guard fits(v) else { return false }
      let grow = lo - newLo
      if grow > 0 {
        ensureCapacity(&a, a.count + grow)
        a.insert(contentsOf: repeatElement(T.zero, count: grow), at: 0)
        offset = Int32(newLo)
      }
      a[0] = narrow(v)
      return true
    }
    // k > hi
    let newLo = Swift.max(lo, k - cap + 1)
    if newLo == lo {
      guard fits(w) else { return false }
      ensureCapacity(&a, k - lo + 1)
      a.append(contentsOf: repeatElement(T.zero, count: k - hi - 1))
      a.append(narrow(w))
      return true
    }
    // Collapse every key ≤ newLo into newLo.
    let upTo = Swift.min(newLo - lo, a.count - 1)
    var folded: UInt64 = 0
    for i in 0...upTo { folded += UInt64(a[i]) }
    guard fits(folded) && fits(w) else { return false }
    if newLo > hi {
      a.removeAll(keepingCapacity: true)
      ensureCapacity(&a, cap)
      a.append(narrow(folded))
      a.append(contentsOf: repeatElement(T.zero, count: k - newLo - 1))
    } else {
      a.removeFirst(upTo)
      a[0] = narrow(folded)
      ensureCapacity(&a, cap)
      a.append(contentsOf: repeatElement(T.zero, count: k - hi - 1))
    }
    a.append(narrow(w))
    offset = Int32(newLo)
    return true
  }

  /// The sum of the counts of keys in `lo ..< hi` (clamped to the span), saturating.
  func sum(keys lo: Int, _ hi: Int) -> UInt64 {
    let first = Int(offset)
    guard hi > first, bucketCount > 0 else { return 0 }
    let from = lo <= first ? 0 : lo - first
    let to = hi >= first + bucketCount ? bucketCount : hi - first
    guard from < to else { return 0 }
    func add<T: FixedWidthInteger & UnsignedInteger>(_ a: [T]) -> UInt64 {
      a.withUnsafeBufferPointer { p in
        var total: UInt64 = 0
        for i in from..<to { total &+= UInt64(p[i]) }
        return total
      }
    }
    switch width {
    case 0: return add(c8)
    case 1: return add(c16)
    default: return add(c32)
    }
  }

  /// Adds every count of `other`. The result equals the store built from both sets of keys.
  mutating func merge(_ other: DenseStore) {
    let n = other.bucketCount
    guard n > 0 else { return }
    let oLo = Int(other.offset)
    // Add the extremes first so the span is final; the rest then lands inside it.
    add(key: Int32(oLo + n - 1), weight: UInt32(truncatingIfNeeded: other[n - 1]))
    if n == 1 { return }
    add(key: Int32(oLo), weight: UInt32(truncatingIfNeeded: other[0]))
    var j = 1
    while j < n - 1 {
      switch other.width {
      case 0: j = addBulk(other.c8, oLo, from: j, to: n - 1)
      case 1: j = addBulk(other.c16, oLo, from: j, to: n - 1)
      default: j = addBulk(other.c32, oLo, from: j, to: n - 1)
      }
      if j < n - 1 { widen() }
    }
  }

  private mutating func addBulk<S: FixedWidthInteger & UnsignedInteger>(
    _ src: [S], _ srcLo: Int, from: Int, to: Int
  ) -> Int {
    let lo = Int(offset)
    switch width {
    case 0: return Self.addBulk(src, srcLo, from, to, &c8, lo)
    case 1: return Self.addBulk(src, srcLo, from, to, &c16, lo)
    default: return Self.addBulk(src, srcLo, from, to, &c32, lo)
    }
  }

  /// Adds `src[from..<to]` into `dst`, whose span already covers those keys (keys below it fold
  /// into its first bucket). Returns the index it stopped at: `to`, or the first count that
  /// would overflow a narrow `D`.
  private static func addBulk<S: FixedWidthInteger & UnsignedInteger, D: FixedWidthInteger>(
    _ src: [S], _ srcLo: Int, _ from: Int, _ to: Int, _ dst: inout [D], _ lo: Int
  ) -> Int {
    let saturates = D.bitWidth >= 32
    let base = srcLo - lo
    if saturates && base >= 0 {
      // The common case: the source span lies inside ours; a branch-free saturating add.
      precondition(from >= 0 && to <= src.count && base + to <= dst.count)
      src.withUnsafeBufferPointer { s in
        dst.withUnsafeMutableBufferPointer { d in
          for j in from..<to {
            let (v, o) = d[base + j].addingReportingOverflow(D(truncatingIfNeeded: s[j]))
            d[base + j] = o ? D.max : v
          }
        }
      }
      return to
    }
    return src.withUnsafeBufferPointer { s in
      dst.withUnsafeMutableBufferPointer { d in
        for j in from..<to {
          let c = UInt64(s[j])
          if c == 0 { continue }
          let i = Swift.max(srcLo + j - lo, 0)
          precondition(i < d.count)
          let v = UInt64(d[i]) + c
          if v > UInt64(D.max) {
            if !saturates { return j }
            d[i] = D.max
          } else {
            d[i] = D(truncatingIfNeeded: v)
          }
        }
        return to
      }
    }
  }
}
