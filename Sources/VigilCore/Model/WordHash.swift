/// Hashing and comparing bytes 8 at a time, for the interner and the exposition scanner.
///
/// Not a cryptographic hash: collisions cost a byte comparison, never a wrong answer.

/// A streaming 64-bit hash: each 8-byte word is folded in with one multiply; the tail bytes of
/// each part form a last word, together with the part's length (so parts cannot run together).
struct WordHasher {
  private var h: UInt64 = 0xcbf2_9ce4_8422_2325

  @inline(__always)
  private mutating func fold(_ w: UInt64) {
    h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
    h ^= h >> 32
  }

  /// Adds `p[start..<end]` as one part.
  @inline(__always)
  mutating func add(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
    guard let base = p.baseAddress else {
      fold(0xFF)
      return
    }
    var i = start
    while i &+ 8 <= end {
      fold(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
      i &+= 8
    }
    var tail = UInt64(truncatingIfNeeded: end &- start) << 56
    var shift: UInt64 = 0
    while i < end {
      tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
      shift &+= 8
      i &+= 1
    }
    fold(tail | 0x80)
  }

  /// The hash, with a final mix so the low bits spread for table masks.
  @inline(__always)
  func finish() -> UInt64 {
    var x = h
    x ^= x >> 33
    x = x &* 0xff51_afd7_ed55_8ccd
    x ^= x >> 33
    x = x &* 0xc4ce_b9fe_1a85_ec53
    x ^= x >> 33
    return x
  }
}

/// Whether two byte arrays are equal, comparing 8 bytes per step.
@inline(__always)
func bytesEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
  guard a.count == b.count else { return false }
  return a.withUnsafeBytes { x in
    b.withUnsafeBytes { y in
      guard let xb = x.baseAddress, let yb = y.baseAddress else { return true }
      let n = x.count
      var i = 0
      while i &+ 8 <= n {
        if xb.loadUnaligned(fromByteOffset: i, as: UInt64.self)
          != yb.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        {
          return false
        }
        i &+= 8
      }
      while i < n {
        if xb.load(fromByteOffset: i, as: UInt8.self) != yb.load(fromByteOffset: i, as: UInt8.self)
        {
          return false
        }
        i &+= 1
      }
      return true
    }
  }
}
