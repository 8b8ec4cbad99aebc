// Small allocation-free helpers for comparing and validating bytes.

/// Whether `p[start..<end]` equals the ASCII literal `lit`.
@inline(__always)
func equals(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ lit: StaticString) -> Bool {
  let n = lit.utf8CodeUnitCount
  guard end - start == n else { return false }
  let l = lit.utf8Start
  var k = 0
  while k < n {
    if p[start + k] != l[k] { return false }
    k += 1
  }
  return true
}

/// Whether `p[start..<end]` equals the lower-case ASCII literal `lit`, ignoring ASCII case.
@inline(__always)
func equalsIgnoringCase(
  _ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ lit: StaticString
) -> Bool {
  let n = lit.utf8CodeUnitCount
  guard end - start == n else { return false }
  let l = lit.utf8Start
  var k = 0
  while k < n {
    let b = p[start + k]
    let lower = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
    if lower != l[k] { return false }
    k += 1
  }
  return true
}

/// Whether `p[start..<end]` equals `bytes`.
@inline(__always)
func equals(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ bytes: [UInt8]) -> Bool {
  guard end - start == bytes.count else { return false }
  var k = 0
  while k < bytes.count {
    if p[start + k] != bytes[k] { return false }
    k += 1
  }
  return true
}

/// Whether `p[start..<end]` ends with the ASCII literal `lit`.
@inline(__always)
func hasSuffix(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ lit: StaticString)
  -> Bool
{
  let n = lit.utf8CodeUnitCount
  guard end - start >= n else { return false }
  return equals(p, end - n, end, lit)
}

/// Whether `p[start..<end]` contains the ASCII literal `lit`.
@inline(__always)
func contains(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ lit: StaticString) -> Bool {
  let n = lit.utf8CodeUnitCount
  guard n > 0, end - start >= n else { return n == 0 }
  let first = lit.utf8Start[0]
  var i = start
  while i + n <= end {
    if p[i] == first && equals(p, i, i + n, lit) { return true }
    i += 1
  }
  return false
}

/// The offset of the first byte that is not valid UTF-8 in `p`, or nil when all of it is.
///
/// ASCII runs are skipped 8 bytes at a time; overlongs, surrogates and values past U+10FFFF
/// are invalid (as in ``printableExcerpt(_:limit:)``).
func firstInvalidUTF8(_ p: UnsafeRawBufferPointer) -> Int? {
  var i = firstNonASCII(in: p)
  let n = p.count
  while i < n {
    if p[i] < 0x80 {
      i = firstNonASCII(in: p, from: i)
      continue
    }
    let (scalar, length) = decodeScalar(p, at: i)
    if scalar == nil { return i }
    i += length
  }
  return nil
}

/// A byte range as a String (issue details; never on the hot path).
func text(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
  String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
}

/// A value quoted for an issue detail: at most 40 printable characters.
func quoted(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
  "\"" + printableExcerpt(UnsafeRawBufferPointer(rebasing: p[start..<end]), limit: 40) + "\""
}

/// Every parser's first check: a record that is not valid UTF-8 becomes one `invalidUTF8` issue.
/// - Returns: true when the record was rejected.
func rejectInvalidUTF8(_ record: UnsafeRawBufferPointer, line: Int, into sink: inout ParseSink)
  -> Bool
{
  guard let bad = firstInvalidUTF8(record) else { return false }
  sink.issues.append(
    ParseIssue(
      line: line, reason: .invalidUTF8, detail: "invalid UTF-8 at byte \(bad + 1)",
      excerpt: printableExcerpt(record)))
  return true
}

/// The four hex digits of a JSON `\uXXXX` escape at `i` (either case), or nil when there are
/// fewer than four or one is not a hex digit. Shared by every JSON reader.
@inline(__always)
func jsonHex4(_ p: UnsafeRawBufferPointer, at i: Int) -> UInt32? {
  guard i >= 0, i + 4 <= p.count else { return nil }
  var v: UInt32 = 0
  for k in 0..<4 {
    let c = p[i + k]
    let d: UInt8
    switch c {
    case 0x30...0x39: d = c - 0x30
    case 0x41...0x46: d = c - 0x41 + 10
    case 0x61...0x66: d = c - 0x61 + 10
    default: return nil
    }
    v = v << 4 | UInt32(d)
  }
  return v
}
