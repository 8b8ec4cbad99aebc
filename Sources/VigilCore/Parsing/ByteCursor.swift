/// A read position in `p[i..<end]`: the parsers' way to walk a line without `(p, s, e)` triples.
///
/// A plain value over a borrowed buffer: it allocates nothing, copies cheaply (copy it to look
/// ahead or to remember a position) and every member is `@inline(__always)`, so a loop written
/// with it compiles to the same index arithmetic as the hand-written one. Reading past `end` is
/// never done: `peek` and the `at…` tests check the position first; `current` and `advance`
/// are for when the caller has already checked (`!atEnd`).
///
/// Positions are plain `Int` offsets into `p`, so spans taken from a cursor feed the
/// `(p, start, end)` helpers (`equals`, `text`, `quoted`, `GoFloat.parse`) unchanged.
struct ByteCursor {
  let p: UnsafeRawBufferPointer
  /// The next byte to read.
  var i: Int
  /// One past the last byte that may be read.
  let end: Int

  @inline(__always)
  init(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
    self.p = p
    self.i = start
    self.end = end
  }

  /// Nothing is left.
  @inline(__always) var atEnd: Bool { i >= end }

  /// The next byte; only when `!atEnd`.
  @inline(__always) var current: UInt8 { p[i] }

  /// The next byte, or 0 at the end (for switches where 0 means "none of these").
  @inline(__always) var peek: UInt8 { i < end ? p[i] : 0 }

  /// Whether the next byte is `b`.
  @inline(__always) func at(_ b: UInt8) -> Bool { i < end && p[i] == b }

  /// Whether a next byte is there and passes `test`.
  @inline(__always) func at(where test: (UInt8) -> Bool) -> Bool { i < end && test(p[i]) }

  /// Whether what is left starts with the ASCII literal `lit`.
  @inline(__always) func at(_ lit: StaticString) -> Bool {
    let n = lit.utf8CodeUnitCount
    return end - i >= n && equals(p, i, i + n, lit)
  }

  @inline(__always) mutating func advance(_ n: Int = 1) { i += n }

  /// Steps over `b` when it is next; tells whether it did.
  @inline(__always) mutating func consume(_ b: UInt8) -> Bool {
    guard at(b) else { return false }
    i += 1
    return true
  }

  /// Steps over the bytes that pass `test`.
  @inline(__always) mutating func skip(while test: (UInt8) -> Bool) {
    while i < end && test(p[i]) { i += 1 }
  }

  /// Steps over spaces and tabs.
  @inline(__always) mutating func skipBlanks() { skip(while: isBlank) }

  /// Steps over the bytes that pass `test`; returns where they started.
  @inline(__always) mutating func take(while test: (UInt8) -> Bool) -> Int {
    let start = i
    skip(while: test)
    return start
  }

  /// Moves to the next `b` (or the end) with a word-at-a-time search; returns where it started.
  @inline(__always) mutating func take(until b: UInt8) -> Int {
    let start = i
    i = firstIndex(of: b, in: p, from: i, to: end)
    return start
  }
}

/// A space or a tab.
@inline(__always) func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
