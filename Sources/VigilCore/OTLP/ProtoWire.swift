/// The protobuf wire format, read with bounds checks (https://protobuf.dev/programming-guides/encoding/).
///
/// Enough of it for OTLP: varints (at most 10 bytes, the tenth holding only the 64th bit),
/// zigzag, fixed32/64, length-delimited fields that must fit in what is left, every wire type
/// skipped when a field is unknown, groups (wire types 3 and 4, deprecated and never in OTLP)
/// and wire types 6 and 7 refused. Repeated scalars are read packed (one length-delimited
/// field) or unpacked (one field per element), as the protobuf specification requires of a
/// parser. Every problem is a ``ProtoWireError`` value; nothing here traps on any input.

/// A protobuf wire type (the low three bits of a tag).
public enum ProtoWireType: UInt8, Sendable, Equatable {
  case varint = 0
  case fixed64 = 1
  case lengthDelimited = 2
  case startGroup = 3
  case endGroup = 4
  case fixed32 = 5
}

/// Why bytes are not a protobuf message, and where (the byte offset in the whole input).
public struct ProtoWireError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Reason: Sendable, Equatable {
    /// The input ends inside a varint, a fixed-width value or a length-delimited field.
    case truncated
    /// A varint longer than 10 bytes, or a tenth byte above 1 (more than 64 bits).
    case varintTooLong
    /// A tag with field number 0 or above 2^29 − 1.
    case badFieldNumber
    /// Wire type 6 or 7.
    case badWireType(UInt8)
    /// Wire type 3 or 4: groups are not read.
    case group
    /// A known field sent with a wire type its type cannot have.
    case wrongWireType(field: UInt32, ProtoWireType)
    /// A packed field whose length is not a whole number of elements.
    case partialElement
    /// A string field that is not valid UTF-8 (proto3 requires it).
    case invalidUTF8
    /// A value the message does not allow (described in the text).
    case invalid(String)
    /// A limit of ``OTLPLimits`` (described in the text).
    case limit(String)
  }

  public var reason: Reason
  /// Byte offset in the input where the problem was found.
  public var offset: Int

  public init(_ reason: Reason, at offset: Int) {
    self.reason = reason
    self.offset = offset
  }

  /// What is wrong, without the offset.
  public var message: String {
    let what: String
    switch reason {
    case .truncated: what = "the message ends inside a field"
    case .varintTooLong: what = "a varint longer than 64 bits"
    case .badFieldNumber: what = "a field number outside 1...536870911"
    case .badWireType(let w): what = "wire type \(w) does not exist"
    case .group: what = "a group (wire type 3 or 4); groups are not supported"
    case .wrongWireType(let field, let w):
      what = "field \(field) has wire type \(w.rawValue), which its type cannot have"
    case .partialElement: what = "a packed field ends inside an element"
    case .invalidUTF8: what = "a string field is not valid UTF-8"
    case .invalid(let text): what = text
    case .limit(let text): what = text
    }
    return what
  }

  public var description: String { "\(message) at byte \(offset)" }
}

/// Reads protobuf fields from `p[offset..<end]`. A length-delimited field is read by a
/// ``ProtoReader`` over its own range (``message()``), which cannot read past it.
public struct ProtoReader {
  public let p: UnsafeRawBufferPointer
  /// The next byte to read.
  public private(set) var offset: Int
  /// One past the last byte this reader may read.
  public let end: Int

  /// A reader over all of `p`.
  public init(_ p: UnsafeRawBufferPointer) {
    self.p = p
    offset = 0
    end = p.count
  }

  init(_ p: UnsafeRawBufferPointer, from start: Int, to end: Int) {
    self.p = p
    offset = start
    self.end = end
  }

  /// True when every byte was read.
  public var isAtEnd: Bool { offset >= end }

  func fail(_ reason: ProtoWireError.Reason) -> ProtoWireError {
    ProtoWireError(reason, at: offset)
  }

  /// The next field's number and wire type, or nil at the end. Wire types 3, 4, 6 and 7 are
  /// errors.
  public mutating func nextTag() throws(ProtoWireError) -> (field: UInt32, wire: ProtoWireType)? {
    guard offset < end else { return nil }
    let start = offset
    let tag = try varint()
    let field = tag >> 3
    guard field >= 1 && field <= 0x1FFF_FFFF else {
      throw ProtoWireError(.badFieldNumber, at: start)
    }
    let raw = UInt8(truncatingIfNeeded: tag & 7)
    guard let wire = ProtoWireType(rawValue: raw) else {
      throw ProtoWireError(.badWireType(raw), at: start)
    }
    if wire == .startGroup || wire == .endGroup { throw ProtoWireError(.group, at: start) }
    return (UInt32(truncatingIfNeeded: field), wire)
  }

  /// A base-128 varint of at most 10 bytes (64 bits).
  @inline(__always)
  public mutating func varint() throws(ProtoWireError) -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    let start = offset
    while true {
      guard offset < end else { throw ProtoWireError(.truncated, at: start) }
      let b = p[offset]
      offset += 1
      if shift == 63 {
        // The tenth byte holds bit 63 only; anything more is past 64 bits.
        guard b <= 1 else { throw ProtoWireError(.varintTooLong, at: start) }
        return result | UInt64(b) << 63
      }
      result |= UInt64(b & 0x7F) << shift
      if b < 0x80 { return result }
      shift += 7
    }
  }

  /// Eight little-endian bytes.
  public mutating func fixed64() throws(ProtoWireError) -> UInt64 {
    guard end - offset >= 8 else { throw fail(.truncated) }
    var v: UInt64 = 0
    for k in 0..<8 { v |= UInt64(p[offset + k]) << (8 * UInt64(k)) }
    offset += 8
    return v
  }

  /// Four little-endian bytes.
  public mutating func fixed32() throws(ProtoWireError) -> UInt32 {
    guard end - offset >= 4 else { throw fail(.truncated) }
    var v: UInt32 = 0
    for k in 0..<4 { v |= UInt32(p[offset + k]) << (8 * UInt32(k)) }
    offset += 4
    return v
  }

  /// The range of a length-delimited field's payload, which must fit in what is left.
  public mutating func lengthDelimited() throws(ProtoWireError) -> Range<Int> {
    let start = offset
    let n = try varint()
    guard n <= UInt64(end - offset) else { throw ProtoWireError(.truncated, at: start) }
    let range = offset..<(offset + Int(n))
    offset = range.upperBound
    return range
  }

  /// A reader over the payload of a length-delimited field.
  public mutating func message() throws(ProtoWireError) -> ProtoReader {
    let r = try lengthDelimited()
    return ProtoReader(p, from: r.lowerBound, to: r.upperBound)
  }

  /// Skips a field's value of wire type `wire` (an unknown field).
  public mutating func skip(_ wire: ProtoWireType) throws(ProtoWireError) {
    switch wire {
    case .varint: _ = try varint()
    case .fixed64: _ = try fixed64()
    case .fixed32: _ = try fixed32()
    case .lengthDelimited: _ = try lengthDelimited()
    case .startGroup, .endGroup: throw fail(.group)
    }
  }

  // MARK: - Typed values (the wire type is checked first)

  func expect(_ wire: ProtoWireType, _ want: ProtoWireType, _ field: UInt32)
    throws(ProtoWireError)
  {
    guard wire == want else { throw fail(.wrongWireType(field: field, wire)) }
  }

  /// A `string` field: valid UTF-8.
  public mutating func string(_ wire: ProtoWireType, field: UInt32) throws(ProtoWireError)
    -> String
  {
    try expect(wire, .lengthDelimited, field)
    let r = try lengthDelimited()
    guard
      let s = String(validating: UnsafeRawBufferPointer(rebasing: p[r]), as: UTF8.self)
    else { throw ProtoWireError(.invalidUTF8, at: r.lowerBound) }
    return s
  }

  /// A `bytes` field.
  public mutating func bytes(_ wire: ProtoWireType, field: UInt32) throws(ProtoWireError)
    -> [UInt8]
  {
    try expect(wire, .lengthDelimited, field)
    return Array(p[try lengthDelimited()])
  }

  /// A `uint64`, `int64` (as bits) or `bool`/enum source: one varint.
  public mutating func varint(_ wire: ProtoWireType, field: UInt32) throws(ProtoWireError)
    -> UInt64
  {
    try expect(wire, .varint, field)
    return try varint()
  }

  /// A `sint32`: zigzag over the low 32 bits of the varint.
  public mutating func sint32(_ wire: ProtoWireType, field: UInt32) throws(ProtoWireError)
    -> Int32
  {
    zigzag32(UInt32(truncatingIfNeeded: try varint(wire, field: field)))
  }

  /// A `fixed64` or `sfixed64` (as bits).
  public mutating func fixed64(_ wire: ProtoWireType, field: UInt32) throws(ProtoWireError)
    -> UInt64
  {
    try expect(wire, .fixed64, field)
    return try fixed64()
  }

  /// A `double`.
  public mutating func double(_ wire: ProtoWireType, field: UInt32) throws(ProtoWireError)
    -> Double
  {
    Double(bitPattern: try fixed64(wire, field: field))
  }

  // MARK: - Repeated scalars, packed or not

  /// Appends a repeated `fixed64` (or `double`, by `transform`) field's elements: packed (one
  /// length-delimited run of 8-byte values) or one unpacked element. At most `limit` elements
  /// end up in `out`.
  public mutating func appendFixed64s<T>(
    _ wire: ProtoWireType, field: UInt32, into out: inout [T], limit: Int,
    _ transform: (UInt64) -> T
  ) throws(ProtoWireError) {
    switch wire {
    case .fixed64:
      guard out.count < limit else { throw fail(.limit(limitText(field, limit))) }
      out.append(transform(try fixed64()))
    case .lengthDelimited:
      let r = try lengthDelimited()
      guard r.count % 8 == 0 else { throw ProtoWireError(.partialElement, at: r.lowerBound) }
      guard r.count / 8 <= limit - out.count else {
        throw ProtoWireError(.limit(limitText(field, limit)), at: r.lowerBound)
      }
      var sub = ProtoReader(p, from: r.lowerBound, to: r.upperBound)
      out.reserveCapacity(out.count + r.count / 8)
      while !sub.isAtEnd { out.append(transform(try sub.fixed64())) }
    default:
      throw fail(.wrongWireType(field: field, wire))
    }
  }

  /// Appends a repeated varint (`uint64`) field's elements, packed or unpacked, at most `limit`
  /// in `out`. A packed run must end on a whole varint.
  public mutating func appendVarints(
    _ wire: ProtoWireType, field: UInt32, into out: inout [UInt64], limit: Int
  ) throws(ProtoWireError) {
    switch wire {
    case .varint:
      guard out.count < limit else { throw fail(.limit(limitText(field, limit))) }
      out.append(try varint())
    case .lengthDelimited:
      let r = try lengthDelimited()
      var sub = ProtoReader(p, from: r.lowerBound, to: r.upperBound)
      while !sub.isAtEnd {
        guard out.count < limit else {
          throw ProtoWireError(.limit(limitText(field, limit)), at: sub.offset)
        }
        let at = sub.offset
        do throws(ProtoWireError) {
          out.append(try sub.varint())
        } catch {
          // A varint cut by the end of the run is a partial element of the packed field.
          throw ProtoWireError(error.reason == .truncated ? .partialElement : error.reason, at: at)
        }
      }
    default:
      throw fail(.wrongWireType(field: field, wire))
    }
  }

  private func limitText(_ field: UInt32, _ limit: Int) -> String {
    "repeated field \(field) has more than \(limit) elements"
  }
}

/// ZigZag decoding of a `sint32` (`0, -1, 1, -2, …` from `0, 1, 2, 3, …`).
@inline(__always)
public func zigzag32(_ n: UInt32) -> Int32 {
  Int32(bitPattern: (n >> 1) ^ (0 &- (n & 1)))
}

/// ZigZag decoding of a `sint64`.
@inline(__always)
public func zigzag64(_ n: UInt64) -> Int64 {
  Int64(bitPattern: (n >> 1) ^ (0 &- (n & 1)))
}

/// The few protobuf encodings Vigil writes: the OTLP receiver's answers and the bench's
/// requests (the tests keep an encoder of their own, so the decoder is not checked by itself).
public enum ProtoWriter {
  /// A base-128 varint.
  public static func varint(_ v: UInt64) -> [UInt8] {
    var v = v
    var out: [UInt8] = []
    while v >= 0x80 {
      out.append(UInt8(v & 0x7F) | 0x80)
      v >>= 7
    }
    out.append(UInt8(v))
    return out
  }

  /// Field `number` as a varint (wire type 0).
  public static func varintField(_ number: Int, _ v: UInt64) -> [UInt8] {
    varint(UInt64(number << 3)) + varint(v)
  }

  /// Field `number` as length-delimited bytes (wire type 2): strings, messages, packed lists.
  public static func bytesField(_ number: Int, _ bytes: [UInt8]) -> [UInt8] {
    varint(UInt64(number << 3 | 2)) + varint(UInt64(bytes.count)) + bytes
  }
}
