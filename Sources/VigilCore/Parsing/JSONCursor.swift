/// A JSON syntax error: what was expected, and where.
struct JSONSyntaxError: Error {
  var message: StaticString
  var offset: Int
}

/// A byte cursor over one JSON text, validating as it goes (RFC 8259).
///
/// Strings are returned as refs into the record when they have no escapes; otherwise they are
/// decoded into the caller's scratch buffer. Nested values are skipped iteratively with an
/// explicit stack, so hostile nesting cannot overflow the call stack.
struct JSONCursor {
  let p: UnsafeRawBufferPointer
  let n: Int
  var i = 0
  /// A decoded escape produced a byte ≤ 0x02.
  var sawSeparatorByte = false

  init(_ p: UnsafeRawBufferPointer) {
    self.p = p
    self.n = p.count
  }

  @inline(__always)
  func fail(_ m: StaticString) -> JSONSyntaxError { JSONSyntaxError(message: m, offset: i) }

  @inline(__always)
  mutating func skipWhitespace() {
    while i < n {
      let b = p[i]
      if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
        i &+= 1
      } else {
        return
      }
    }
  }

  @inline(__always)
  var peek: UInt8 { i < n ? p[i] : 0 }

  @inline(__always)
  mutating func expect(_ c: UInt8, _ m: StaticString) throws(JSONSyntaxError) {
    guard i < n && p[i] == c else { throw fail(m) }
    i &+= 1
  }

  /// Scans a string whose opening quote is at `i`. With `decode`, an escaped string is
  /// decoded into `scratch`; without it, escapes are only validated (the ref is then raw).
  @inline(__always)
  mutating func string(decode: Bool, scratch: inout [UInt8]) throws(JSONSyntaxError) -> Ref {
    i &+= 1  // opening quote
    let start = i
    while i < n {
      let b = p[i]
      if b == UInt8(ascii: "\"") {
        let r = Ref(start, i, .record)
        i &+= 1
        return r
      }
      if b == UInt8(ascii: "\\") { break }
      if b < 0x20 { throw fail("control character in a string") }
      i &+= 1
    }
    guard i < n else { throw fail("unterminated string") }
    return try escapedString(from: start, decode: decode, scratch: &scratch)
  }

  /// The slow part of ``string(decode:scratch:)``: `i` is at the first backslash.
  mutating func escapedString(from start: Int, decode: Bool, scratch: inout [UInt8])
    throws(JSONSyntaxError) -> Ref
  {
    let out = scratch.count
    if decode { scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[start..<i])) }
    while i < n {
      let b = p[i]
      if b == UInt8(ascii: "\"") {
        i &+= 1
        return decode ? Ref(out, scratch.count, .scratch) : Ref(start, i - 1, .record)
      }
      if b < 0x20 { throw fail("control character in a string") }
      if b != UInt8(ascii: "\\") {
        if decode { scratch.append(b) }
        i &+= 1
        continue
      }
      i &+= 1
      guard i < n else { break }
      let e = p[i]
      i &+= 1
      var decoded: UInt8 = 0
      switch e {
      case UInt8(ascii: "\""): decoded = e
      case UInt8(ascii: "\\"): decoded = e
      case UInt8(ascii: "/"): decoded = e
      case UInt8(ascii: "b"): decoded = 0x08
      case UInt8(ascii: "f"): decoded = 0x0C
      case UInt8(ascii: "n"): decoded = 0x0A
      case UInt8(ascii: "r"): decoded = 0x0D
      case UInt8(ascii: "t"): decoded = 0x09
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if scalar >= 0xD800 && scalar <= 0xDBFF {
          guard i + 1 < n, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else {
            throw fail("unpaired surrogate in \\u escape")
          }
          i &+= 2
          let low = try hex4()
          guard low >= 0xDC00 && low <= 0xDFFF else {
            throw fail("unpaired surrogate in \\u escape")
          }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
          throw fail("unpaired surrogate in \\u escape")
        }
        if scalar <= 2 { sawSeparatorByte = true }
        if decode { appendUTF8(scalar, to: &scratch) }
        continue
      default:
        throw fail("invalid escape in a string")
      }
      if decode { scratch.append(decoded) }
    }
    throw fail("unterminated string")
  }

  mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    guard i + 4 <= n else { throw fail("truncated \\u escape") }
    guard let v = jsonHex4(p, at: i) else { throw fail("invalid hex digit in \\u escape") }
    i += 4
    return v
  }

  /// Scans a number token at `i`, validated against the JSON grammar.
  @inline(__always)
  mutating func number() throws(JSONSyntaxError) -> Ref {
    let start = i
    while i < n {
      let b = p[i]
      if isDigit(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
        || b | 0x20 == UInt8(ascii: "e")
      {
        i &+= 1
      } else {
        break
      }
    }
    guard scanDecimal(p, start, i, json: true) != nil else {
      i = start
      throw fail("invalid number")
    }
    return Ref(start, i, .record)
  }

  /// Scans `true`, `false` or `null` at `i`.
  mutating func literal() throws(JSONSyntaxError) -> Ref {
    let start = i
    let len: Int
    switch peek {
    case UInt8(ascii: "t"): len = i + 4 <= n && equals(p, i, i + 4, "true") ? 4 : 0
    case UInt8(ascii: "f"): len = i + 5 <= n && equals(p, i, i + 5, "false") ? 5 : 0
    case UInt8(ascii: "n"): len = i + 4 <= n && equals(p, i, i + 4, "null") ? 4 : 0
    default: len = 0
    }
    guard len > 0 else { throw fail("invalid literal") }
    i += len
    return Ref(start, i, .record)
  }

  /// Skips one complete value at `i` (after whitespace).
  mutating func skipValue(stack: inout [UInt8]) throws(JSONSyntaxError) {
    stack.removeAll(keepingCapacity: true)
    var unused: [UInt8] = []
    while true {
      // A value starts here.
      skipWhitespace()
      switch peek {
      case UInt8(ascii: "\""):
        _ = try string(decode: false, scratch: &unused)
      case UInt8(ascii: "-"), 0x30...0x39:
        _ = try number()
      case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
        _ = try literal()
      case UInt8(ascii: "{"):
        i &+= 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
          i &+= 1
        } else {
          stack.append(1)
          try memberKey(scratch: &unused)
          continue
        }
      case UInt8(ascii: "["):
        i &+= 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
          i &+= 1
        } else {
          stack.append(2)
          continue
        }
      default:
        throw fail("expected a value")
      }
      // A value ended: close containers or move to the next element.
      while let top = stack.last {
        skipWhitespace()
        let b = peek
        if b == UInt8(ascii: ",") {
          i &+= 1
          if top == 1 { try memberKey(scratch: &unused) }
          break
        } else if b == UInt8(ascii: "}") && top == 1 {
          i &+= 1
          stack.removeLast()
        } else if b == UInt8(ascii: "]") && top == 2 {
          i &+= 1
          stack.removeLast()
        } else {
          throw fail(top == 1 ? "expected , or } in an object" : "expected , or ] in an array")
        }
      }
      if stack.isEmpty { return }
    }
  }

  /// `"key" :` inside a skipped object.
  private mutating func memberKey(scratch: inout [UInt8]) throws(JSONSyntaxError) {
    skipWhitespace()
    guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
    _ = try string(decode: false, scratch: &scratch)
    skipWhitespace()
    try expect(UInt8(ascii: ":"), "expected : after a key")
  }

  /// Steps into the object whose `{` is at `i`; false when it is empty (`i` is then after its
  /// `}`), true when a member follows (`i` at its key).
  @inline(__always)
  mutating func enterObject() -> Bool {
    i &+= 1
    skipWhitespace()
    if peek == UInt8(ascii: "}") {
      i &+= 1
      return false
    }
    return true
  }

  /// A member's `"key" :`, the key decoded into `scratch`; leaves `i` at the member's value.
  @inline(__always)
  mutating func key(scratch: inout [UInt8]) throws(JSONSyntaxError) -> Ref {
    guard peek == UInt8(ascii: "\"") else { throw fail("expected a string key") }
    let key = try string(decode: true, scratch: &scratch)
    skipWhitespace()
    try expect(UInt8(ascii: ":"), "expected : after a key")
    skipWhitespace()
    return key
  }

  /// After an object's member: true at `,` (`i` at the next key), false at `}` (`i` after it).
  @inline(__always)
  mutating func nextMember() throws(JSONSyntaxError) -> Bool {
    skipWhitespace()
    let b = peek
    if b == UInt8(ascii: ",") {
      i &+= 1
      skipWhitespace()
      return true
    }
    if b == UInt8(ascii: "}") {
      i &+= 1
      return false
    }
    throw fail("expected , or } in an object")
  }
}
