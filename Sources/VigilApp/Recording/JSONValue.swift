import VigilCore

/// A small JSON reader and writer for Vigil's own files (incident recordings): strict RFC 8259,
/// bounded nesting, never traps on bad input.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// Integers keep all 64 bits (nanosecond times do not fit a Double exactly).
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case (.bool(let x), .bool(let y)): x == y
    case (.int(let x), .int(let y)): x == y
    case (.double(let x), .double(let y)): x == y || (x.isNaN && y.isNaN)
    case (.string(let x), .string(let y)): x == y
    case (.array(let x), .array(let y)): x == y
    case (.object(let x), .object(let y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: false
    }
  }

  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == key }?.1
  }

  public var string: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  public var int: Int64? {
    switch self {
    case .int(let i): return i
    case .double(let d) where d == d.rounded() && abs(d) < 9e18: return Int64(d)
    default: return nil
    }
  }

  public var double: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }

  public var bool: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  public var array: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  public var objectMembers: [(String, JSONValue)]? {
    if case .object(let m) = self { return m }
    return nil
  }

  // MARK: Reading

  public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "\(message) at byte \(offset)" }
  }

  /// Parses one JSON text (surrounding whitespace allowed).
  public static func parse(_ text: String) throws(ParseError) -> JSONValue {
    var copy = text
    var result: Result<JSONValue, ParseError> = .failure(ParseError(offset: 0, message: "empty"))
    copy.withUTF8 { buf in
      do throws(ParseError) {
        result = .success(try parse(UnsafeRawBufferPointer(buf)))
      } catch {
        result = .failure(error)
      }
    }
    return try result.get()
  }

  public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> JSONValue {
    var r = Reader(bytes: bytes)
    r.skipSpace()
    let v = try r.value(depth: 0)
    r.skipSpace()
    guard r.i == bytes.count else { throw ParseError(offset: r.i, message: "trailing characters") }
    return v
  }

  private struct Reader {
    let bytes: UnsafeRawBufferPointer
    var i = 0
    static let maxDepth = 64

    func fail(_ message: String) -> ParseError { ParseError(offset: i, message: message) }

    mutating func skipSpace() {
      while i < bytes.count {
        switch bytes[i] {
        case 0x20, 0x09, 0x0A, 0x0D: i += 1
        default: return
        }
      }
    }

    mutating func literal(_ word: StaticString, _ v: JSONValue) throws(ParseError) -> JSONValue {
      let n = word.utf8CodeUnitCount
      guard i + n <= bytes.count else { throw fail("unexpected end") }
      for k in 0..<n where bytes[i + k] != word.utf8Start[k] { throw fail("invalid literal") }
      i += n
      return v
    }

    mutating func value(depth: Int) throws(ParseError) -> JSONValue {
      guard depth < Self.maxDepth else { throw fail("nested too deeply") }
      guard i < bytes.count else { throw fail("unexpected end") }
      switch bytes[i] {
      case UInt8(ascii: "{"):
        i += 1
        var members: [(String, JSONValue)] = []
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
          i += 1
          return .object(members)
        }
        while true {
          skipSpace()
          guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
            throw fail("expected a key")
          }
          let key = try string()
          skipSpace()
          guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected :") }
          i += 1
          skipSpace()
          members.append((key, try value(depth: depth + 1)))
          skipSpace()
          guard i < bytes.count else { throw fail("unexpected end") }
          if bytes[i] == UInt8(ascii: ",") {
            i += 1
            continue
          }
          guard bytes[i] == UInt8(ascii: "}") else { throw fail("expected , or }") }
          i += 1
          return .object(members)
        }
      case UInt8(ascii: "["):
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") {
          i += 1
          return .array(items)
        }
        while true {
          skipSpace()
          items.append(try value(depth: depth + 1))
          skipSpace()
          guard i < bytes.count else { throw fail("unexpected end") }
          if bytes[i] == UInt8(ascii: ",") {
            i += 1
            continue
          }
          guard bytes[i] == UInt8(ascii: "]") else { throw fail("expected , or ]") }
          i += 1
          return .array(items)
        }
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): return try literal("true", .bool(true))
      case UInt8(ascii: "f"): return try literal("false", .bool(false))
      case UInt8(ascii: "n"): return try literal("null", .null)
      default: return try number()
      }
    }

    mutating func number() throws(ParseError) -> JSONValue {
      let start = i
      if i < bytes.count && bytes[i] == UInt8(ascii: "-") { i += 1 }
      let intStart = i
      while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
      guard i > intStart else { throw fail("invalid value") }
      if i - intStart > 1 && bytes[intStart] == 0x30 { throw fail("leading zero") }
      var isInt = true
      if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
        isInt = false
        i += 1
        let f = i
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        guard i > f else { throw fail("invalid number") }
      }
      if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
        isInt = false
        i += 1
        if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
          i += 1
        }
        let e = i
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        guard i > e else { throw fail("invalid number") }
      }
      let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
      if isInt, let v = Int64(text) { return .int(v) }
      guard let d = Double(text), d.isFinite else { throw fail("number out of range") }
      return .double(d)
    }

    mutating func hex4() throws(ParseError) -> UInt32 {
      guard i + 4 <= bytes.count else { throw fail("bad \\u escape") }
      var v: UInt32 = 0
      for _ in 0..<4 {
        let c = bytes[i]
        let d: UInt32
        switch c {
        case 0x30...0x39: d = UInt32(c - 0x30)
        case 0x41...0x46: d = UInt32(c - 0x41 + 10)
        case 0x61...0x66: d = UInt32(c - 0x61 + 10)
        default: throw fail("bad \\u escape")
        }
        v = v << 4 | d
        i += 1
      }
      return v
    }

    mutating func string() throws(ParseError) -> String {
      i += 1  // the opening quote
      var out: [UInt8] = []
      var runStart = i
      while true {
        guard i < bytes.count else { throw fail("unterminated string") }
        let c = bytes[i]
        if c == UInt8(ascii: "\"") {
          out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i]))
          i += 1
          break
        }
        if c < 0x20 { throw fail("control character in string") }
        if c != UInt8(ascii: "\\") {
          i += 1
          continue
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i]))
        i += 1
        guard i < bytes.count else { throw fail("unterminated string") }
        let e = bytes[i]
        i += 1
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar) {
            guard i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
              bytes[i + 1] == UInt8(ascii: "u")
            else { throw fail("lone surrogate") }
            i += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw fail("lone surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else if (0xDC00..<0xE000).contains(scalar) {
            throw fail("lone surrogate")
          }
          guard let u = Unicode.Scalar(scalar) else { throw fail("bad \\u escape") }
          out.append(contentsOf: Array(String(Character(u)).utf8))
        default: throw fail("bad escape")
        }
        runStart = i
      }
      guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8") }
      return s
    }
  }

  // MARK: Writing

  /// Compact JSON text: members in the order given, shortest round-trip numbers.
  public var text: String {
    var out = ""
    write(to: &out)
    return out
  }

  public func write(to out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .double(let d): out += d.isFinite ? JSONValue.number(d) : "null"
    case .string(let s): JSONValue.quote(s, into: &out)
    case .array(let items):
      out += "["
      for (k, v) in items.enumerated() {
        if k > 0 { out += "," }
        v.write(to: &out)
      }
      out += "]"
    case .object(let members):
      out += "{"
      for (k, m) in members.enumerated() {
        if k > 0 { out += "," }
        JSONValue.quote(m.0, into: &out)
        out += ":"
        m.1.write(to: &out)
      }
      out += "}"
    }
  }

  /// The shortest text that reads back as `d` (integers without a fraction).
  static func number(_ d: Double) -> String { formatJSONNumber(d) }

  /// Appends `s` as a JSON string, escaping quotes, backslashes and every control character.
  public static func quote(_ s: String, into out: inout String) { appendJSONString(&out, s) }
}
