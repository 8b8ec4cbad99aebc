/// A JSON syntax error with its byte offset.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public var offset: Int
  public var description: String { "bad JSON at byte \(offset): \(message)" }
}

/// Reads JSON (RFC 8259) from bytes: whole values as ``JSONValue`` trees, or an object member
/// by member and an array element by element, so a large API response is never held as one
/// tree.
///
/// Nesting is limited (`maxDepth`), strings must be valid UTF-8 (escapes and surrogate pairs are
/// checked), numbers must follow the JSON grammar.
public struct JSONReader {
  /// How numbers read into a tree.
  public enum Numbers: Sendable {
    /// ``JSONValue/int`` when the number is an integer that fits in 64 bits, else
    /// ``JSONValue/double`` (a finite one: `1e999` is an error).
    case exact
    /// ``JSONValue/number`` with the literal text, converted by whoever reads it.
    case text
  }

  let p: UnsafeRawBufferPointer
  public private(set) var offset = 0
  public let maxDepth: Int
  public let numbers: Numbers

  public init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64, numbers: Numbers = .exact) {
    p = bytes
    self.maxDepth = maxDepth
    self.numbers = numbers
  }

  func fail(_ m: String) -> JSONReadError { JSONReadError(message: m, offset: offset) }

  mutating func skipWhitespace() {
    while offset < p.count {
      let b = p[offset]
      guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return }
      offset += 1
    }
  }

  /// The next non-blank byte (0 at the end).
  public mutating func peek() -> UInt8 {
    skipWhitespace()
    return offset < p.count ? p[offset] : 0
  }

  mutating func expect(_ c: UInt8, _ what: String) throws(JSONReadError) {
    skipWhitespace()
    guard offset < p.count, p[offset] == c else { throw fail("expected \(what)") }
    offset += 1
  }

  /// Only whitespace is left.
  public mutating func expectEnd() throws(JSONReadError) {
    skipWhitespace()
    guard offset == p.count else { throw fail("unexpected data after the value") }
  }

  /// Reads one whole value.
  public mutating func value() throws(JSONReadError) -> JSONValue {
    try value(depth: 0)
  }

  /// Reads one whole value found at nesting `depth` (counted against `maxDepth`).
  public mutating func value(depth: Int) throws(JSONReadError) -> JSONValue {
    guard depth < maxDepth else { throw fail("nested deeper than \(maxDepth)") }
    switch peek() {
    case UInt8(ascii: "{"):
      var list: [(String, JSONValue)] = []
      try members { (key: String, r: inout JSONReader) throws(JSONReadError) in
        list.append((key, try r.value(depth: depth + 1)))
      }
      return .object(list)
    case UInt8(ascii: "["):
      var items: [JSONValue] = []
      try elements { (r: inout JSONReader) throws(JSONReadError) in
        items.append(try r.value(depth: depth + 1))
      }
      return .array(items)
    case UInt8(ascii: "\""):
      return .string(try string())
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      let text = try number()
      guard numbers == .exact else { return .number(text) }
      if let i = Int64(text) { return .int(i) }
      guard let d = Double(text), d.isFinite else { throw fail("number out of range") }
      return .double(d)
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    default:
      throw fail(offset < p.count ? "expected a value" : "unexpected end of input")
    }
  }

  /// Reads an object, calling `body` with each key; `body` must consume the member's value.
  public mutating func members(
    _ body: (String, inout JSONReader) throws(JSONReadError) -> Void
  ) throws(JSONReadError) {
    try expect(UInt8(ascii: "{"), "{")
    if peek() == UInt8(ascii: "}") {
      offset += 1
      return
    }
    while true {
      guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string key") }
      let key = try string()
      try expect(UInt8(ascii: ":"), ": after a key")
      try body(key, &self)
      switch peek() {
      case UInt8(ascii: ","): offset += 1
      case UInt8(ascii: "}"):
        offset += 1
        return
      default: throw fail("expected , or } in an object")
      }
    }
  }

  /// Reads an array, calling `body` for each element; `body` must consume the element.
  public mutating func elements(
    _ body: (inout JSONReader) throws(JSONReadError) -> Void
  ) throws(JSONReadError) {
    try expect(UInt8(ascii: "["), "[")
    if peek() == UInt8(ascii: "]") {
      offset += 1
      return
    }
    while true {
      try body(&self)
      switch peek() {
      case UInt8(ascii: ","): offset += 1
      case UInt8(ascii: "]"):
        offset += 1
        return
      default: throw fail("expected , or ] in an array")
      }
    }
  }

  mutating func literal(_ word: StaticString) throws(JSONReadError) {
    let n = word.utf8CodeUnitCount
    guard offset + n <= p.count else { throw fail("invalid literal") }
    let w = UnsafeRawBufferPointer(start: word.utf8Start, count: n)
    for k in 0..<n where p[offset + k] != w[k] { throw fail("invalid literal") }
    offset += n
  }

  mutating func number() throws(JSONReadError) -> String {
    let start = offset
    while offset < p.count {
      let b = p[offset]
      guard
        isDigit(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
          || b == UInt8(ascii: "+") || b | 0x20 == UInt8(ascii: "e")
      else { break }
      offset += 1
    }
    guard scanDecimal(p, start, offset, json: true) != nil else {
      offset = start
      throw fail("invalid number")
    }
    return String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<offset]), as: UTF8.self)
  }

  /// A string at `offset` (its opening quote), decoded.
  mutating func string() throws(JSONReadError) -> String {
    offset += 1
    var out: [UInt8] = []
    while true {
      guard offset < p.count else { throw fail("unterminated string") }
      let b = p[offset]
      if b == UInt8(ascii: "\"") {
        offset += 1
        break
      }
      if b < 0x20 { throw fail("control character in a string") }
      if b != UInt8(ascii: "\\") {
        out.append(b)
        offset += 1
        continue
      }
      offset += 1
      guard offset < p.count else { throw fail("unterminated string") }
      let e = p[offset]
      offset += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if scalar >= 0xD800 && scalar <= 0xDBFF {
          guard offset + 1 < p.count, p[offset] == UInt8(ascii: "\\"),
            p[offset + 1] == UInt8(ascii: "u")
          else { throw fail("unpaired surrogate in \\u escape") }
          offset += 2
          let low = try hex4()
          guard low >= 0xDC00 && low <= 0xDFFF else {
            throw fail("unpaired surrogate in \\u escape")
          }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
          throw fail("unpaired surrogate in \\u escape")
        }
        appendUTF8(scalar, to: &out)
      default:
        throw fail("invalid escape in a string")
      }
    }
    guard let s = String(validating: out, as: UTF8.self) else {
      throw fail("invalid UTF-8 in a string")
    }
    return s
  }

  mutating func hex4() throws(JSONReadError) -> UInt32 {
    guard offset + 4 <= p.count else { throw fail("truncated \\u escape") }
    guard let v = jsonHex4(p, at: offset) else { throw fail("invalid hex digit in \\u escape") }
    offset += 4
    return v
  }
}

/// Appends `s` to `out` as a JSON string literal, quotes included: `"`, `\` and control
/// characters are escaped, everything else is copied as UTF-8.
public func appendJSONString(_ s: String, to out: inout [UInt8]) {
  out.append(UInt8(ascii: "\""))
  for b in s.utf8 {
    switch b {
    case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
    case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
    case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
    case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
    case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
    case 0..<0x20:
      let hex = Array("0123456789abcdef".utf8)
      out.append(contentsOf: Array("\\u00".utf8))
      out.append(hex[Int(b >> 4)])
      out.append(hex[Int(b & 0x0F)])
    default: out.append(b)
    }
  }
  out.append(UInt8(ascii: "\""))
}
