/// Word-at-a-time byte search (SWAR), so framing needs no libc `memchr`.
///
/// Reads 8 bytes per step with unaligned loads; about as fast as a simple `memchr` for the line
/// lengths feeds carry, and portable (VigilCore imports libc only in `Feeds/`).
@usableFromInline let swarOnes: UInt64 = 0x0101_0101_0101_0101
@usableFromInline let swarHighs: UInt64 = 0x8080_8080_8080_8080

/// The index of the first `byte` in `buffer[from..<to]`, or `to` when there is none.
@inlinable
func firstIndex(
  of byte: UInt8, in buffer: UnsafeRawBufferPointer, from: Int, to: Int
) -> Int {
  guard let base = buffer.baseAddress else { return to }
  var i = from
  let pattern = swarOnes &* UInt64(byte)
  while i &+ 8 <= to {
    let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    let x = word ^ pattern
    let found = (x &- swarOnes) & ~x & swarHighs
    if found != 0 { return i &+ (found.trailingZeroBitCount >> 3) }
    i &+= 8
  }
  while i < to {
    if base.load(fromByteOffset: i, as: UInt8.self) == byte { return i }
    i &+= 1
  }
  return to
}

/// The index of the first byte ≥ 0x80 in `buffer`, or `buffer.count` when it is all ASCII.
@inlinable
func firstNonASCII(in buffer: UnsafeRawBufferPointer, from: Int = 0) -> Int {
  guard let base = buffer.baseAddress else { return buffer.count }
  let n = buffer.count
  var i = from
  while i &+ 8 <= n {
    let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    let high = word & swarHighs
    if high != 0 { return i &+ (high.trailingZeroBitCount >> 3) }
    i &+= 8
  }
  while i < n {
    if base.load(fromByteOffset: i, as: UInt8.self) >= 0x80 { return i }
    i &+= 1
  }
  return n
}
