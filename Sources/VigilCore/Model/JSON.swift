/// A JSON value: the one JSON tree, for Vigil's own files (incident recordings) and for HTTP
/// API responses (Prometheus). Read with ``JSONReader`` (strict RFC 8259, bounded nesting, never
/// traps on bad input); feed lines never build a tree (``JSONLinesParser``).
///
/// Numbers read two ways, as the reader is asked (``JSONReader/Numbers``): as exact values
/// (``int``, else ``double``: recordings), or as their literal text (``number``: API responses,
/// so a timestamp such as `1795709741.369` converts to nanoseconds exactly).
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// Integers keep all 64 bits (nanosecond times do not fit a Double exactly).
  case int(Int64)
  case double(Double)
  /// A number as its JSON text (read with ``JSONReader/Numbers/text``).
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case (.bool(let x), .bool(let y)): x == y
    case (.int(let x), .int(let y)): x == y
    case (.double(let x), .double(let y)): x == y || (x.isNaN && y.isNaN)
    case (.number(let x), .number(let y)): x == y
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
    case .double(let d) where d == d.rounded() && abs(d) < 9e18: return Int64(clamping: d)
    case .number(let text):
      if let i = Int64(text) { return i }
      return Double(text).flatMap { JSONValue.double($0).int }
    default: return nil
    }
  }

  public var double: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    case .number(let text): return Double(text)
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
      let v = try r.value()
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
    case .double(let d): out += d.isFinite ? formatJSONNumber(d) : "null"
    case .number(let text): out += text
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

  /// Appends `s` as a JSON string, escaping quotes, backslashes and every control character.
  public static func quote(_ s: String, into out: inout String) { appendJSONString(&out, s) }
}
