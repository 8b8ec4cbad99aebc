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

  /// Parses one JSON text with the package's one JSON reader (``JSONReader``).
  public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> JSONValue {
    var r = JSONReader(bytes)
    do throws(JSONReadError) {
      let v = try r.jsonValue(depth: 0)
      try r.expectEnd()
      return v
    } catch {
      throw ParseError(offset: error.offset, message: error.message)
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

extension JSONReader {
  /// One whole value as a ``JSONValue``: integers that fit in 64 bits stay exact.
  mutating func jsonValue(depth: Int) throws(JSONReadError) -> JSONValue {
    guard depth < maxDepth else { throw fail("nested deeper than \(maxDepth)") }
    switch peek() {
    case UInt8(ascii: "{"):
      var list: [(String, JSONValue)] = []
      try members { (key: String, r: inout JSONReader) throws(JSONReadError) in
        list.append((key, try r.jsonValue(depth: depth + 1)))
      }
      return .object(list)
    case UInt8(ascii: "["):
      var items: [JSONValue] = []
      try elements { (r: inout JSONReader) throws(JSONReadError) in
        items.append(try r.jsonValue(depth: depth + 1))
      }
      return .array(items)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      let text = try number()
      if let i = Int64(text) { return .int(i) }
      guard let d = Double(text), d.isFinite else { throw fail("number out of range") }
      return .double(d)
    default:
      switch try value(depth: depth) {
      case .string(let s): return .string(s)
      case .bool(let b): return .bool(b)
      default: return .null
      }
    }
  }
}
