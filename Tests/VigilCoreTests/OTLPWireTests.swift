import Testing

@testable import VigilCore

/// The protobuf wire reader on its own: every wire type, bounds, and what it refuses.
@Suite struct OTLPWireTests {
  func reader<T>(_ bytes: [UInt8], _ body: (inout ProtoReader) throws(ProtoWireError) -> T)
    -> Result<T, ProtoWireError>
  {
    bytes.withUnsafeBytes { raw in
      var r = ProtoReader(raw)
      do throws(ProtoWireError) {
        return .success(try body(&r))
      } catch {
        return .failure(error)
      }
    }
  }

  func reason<T>(_ result: Result<T, ProtoWireError>) -> ProtoWireError.Reason? {
    if case .failure(let e) = result { return e.reason }
    return nil
  }

  @Test func varints() {
    #expect(
      reader([0x96, 0x01]) { (r: inout ProtoReader) throws(ProtoWireError) in try r.varint() }
        == .success(150))
    let max = PB.varint(.max)
    #expect(
      reader(max) { (r: inout ProtoReader) throws(ProtoWireError) in try r.varint() }
        == .success(.max))
    // Ten bytes whose last holds more than bit 63, and an eleven-byte varint.
    let tooBig: [UInt8] = Array(repeating: 0xFF, count: 9) + [0x02]
    #expect(
      reason(reader(tooBig) { (r: inout ProtoReader) throws(ProtoWireError) in try r.varint() })
        == .varintTooLong)
    let eleven: [UInt8] = Array(repeating: 0x80, count: 10) + [0x00]
    #expect(
      reason(reader(eleven) { (r: inout ProtoReader) throws(ProtoWireError) in try r.varint() })
        == .varintTooLong)
    // Cut short.
    #expect(
      reason(
        reader([0x80, 0x80]) { (r: inout ProtoReader) throws(ProtoWireError) in try r.varint() })
        == .truncated)
    #expect(
      reason(reader([]) { (r: inout ProtoReader) throws(ProtoWireError) in try r.varint() })
        == .truncated)
    // A redundant but valid 10-byte form of 1 (protobuf accepts non-minimal varints).
    let long1: [UInt8] = [0x81] + Array(repeating: 0x80, count: 8) + [0x00]
    #expect(
      reader(long1) { (r: inout ProtoReader) throws(ProtoWireError) in try r.varint() }
        == .success(1))
  }

  @Test func fixedWidthValues() {
    let bytes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
    #expect(
      reader(bytes) { (r: inout ProtoReader) throws(ProtoWireError) in try r.fixed64() }
        == .success(0x0807_0605_0403_0201))
    #expect(
      reader(bytes) { (r: inout ProtoReader) throws(ProtoWireError) in try r.fixed32() }
        == .success(0x0403_0201))
    #expect(
      reason(
        reader(Array(bytes[0..<7])) { (r: inout ProtoReader) throws(ProtoWireError) in
          try r.fixed64()
        })
        == .truncated)
    #expect(
      reason(
        reader([1, 2, 3]) { (r: inout ProtoReader) throws(ProtoWireError) in try r.fixed32() })
        == .truncated)
  }

  @Test func tagsAndWireTypes() {
    func tag(_ bytes: [UInt8]) -> Result<UInt32, ProtoWireError> {
      reader(bytes) { (r: inout ProtoReader) throws(ProtoWireError) in
        guard let (f, _) = try r.nextTag() else { return 0 }
        return f
      }
    }
    #expect(tag([0x08]) == .success(1))
    #expect(tag([]) == .success(0), "the end of a message is no tag")
    #expect(reason(tag([0x00])) == .badFieldNumber, "field 0")
    #expect(reason(tag([0x0B])) == .group, "field 1, wire type 3 (start group)")
    #expect(reason(tag([0x0C])) == .group, "field 1, wire type 4 (end group)")
    #expect(reason(tag([0x0E])) == .badWireType(6))
    #expect(reason(tag([0x0F])) == .badWireType(7))
    // The largest field number 2^29 − 1 and one past it (a tag past 32 bits).
    #expect(tag(PB.varint(UInt64(0x1FFF_FFFF) << 3)) == .success(0x1FFF_FFFF))
    #expect(reason(tag(PB.varint(UInt64(0x2000_0000) << 3))) == .badFieldNumber)
  }

  @Test func lengthDelimitedFieldsStayInBounds() {
    // A length past the end, and a huge declared length.
    #expect(
      reason(
        reader([0x05, 1, 2]) { (r: inout ProtoReader) throws(ProtoWireError) in
          try r.lengthDelimited()
        })
        == .truncated)
    let huge = PB.varint(UInt64.max) + [1, 2, 3]
    #expect(
      reason(
        reader(huge) { (r: inout ProtoReader) throws(ProtoWireError) in try r.lengthDelimited() })
        == .truncated)
    // A nested reader cannot read past its field, even when the outer bytes go on.
    let nested: [UInt8] = [0x02, 0x08, 0x96, 0x01]
    #expect(
      reason(
        reader(nested) { (r: inout ProtoReader) throws(ProtoWireError) in
          var m = try r.message()
          _ = try m.nextTag()
          return try m.varint()
        }) == .truncated)
  }

  @Test func unknownFieldsOfEveryWireTypeAreSkipped() {
    var pb = PB()
    pb.varint(100, 7)
    pb.fixed64(101, 9)
    pb.string(102, "skip me")
    pb.fixed32(103, 4)
    pb.varint(1, 42)
    let result = reader(pb.bytes) { (r: inout ProtoReader) throws(ProtoWireError) in
      var found: UInt64 = 0
      while let (f, w) = try r.nextTag() {
        if f == 1 { found = try r.varint(w, field: f) } else { try r.skip(w) }
      }
      return found
    }
    #expect(result == .success(42))
  }

  @Test func packedAndUnpackedRepeatedScalars() {
    // fixed64 packed, then two unpacked elements of the same field: all accumulate.
    var pb = PB()
    pb.packedFixed64(6, [1, 2])
    pb.fixed64(6, 3)
    pb.fixed64(6, 4)
    pb.packedVarints(2, [5, 300])
    pb.varint(2, 7)
    let result = reader(pb.bytes) { (r: inout ProtoReader) throws(ProtoWireError) in
      var fixed: [UInt64] = []
      var varints: [UInt64] = []
      while let (f, w) = try r.nextTag() {
        if f == 6 {
          try r.appendFixed64s(w, field: f, into: &fixed, limit: 10) { $0 }
        } else {
          try r.appendVarints(w, field: f, into: &varints, limit: 10)
        }
      }
      return fixed + [0] + varints
    }
    #expect(result == .success([1, 2, 3, 4, 0, 5, 300, 7]))
  }

  @Test func packedFieldsWithPartialElements() {
    func fixed(_ bytes: [UInt8]) -> ProtoWireError.Reason? {
      reason(
        reader(bytes) { (r: inout ProtoReader) throws(ProtoWireError) in
          var out: [UInt64] = []
          while let (f, w) = try r.nextTag() {
            try r.appendFixed64s(w, field: f, into: &out, limit: 100) { $0 }
          }
          return out
        })
    }
    func varints(_ bytes: [UInt8]) -> ProtoWireError.Reason? {
      reason(
        reader(bytes) { (r: inout ProtoReader) throws(ProtoWireError) in
          var out: [UInt64] = []
          while let (f, w) = try r.nextTag() {
            try r.appendVarints(w, field: f, into: &out, limit: 100)
          }
          return out
        })
    }
    // 12 bytes of fixed64: one and a half elements.
    #expect(fixed([0x32, 12] + Array(repeating: 1, count: 12)) == .partialElement)
    // A packed varint run whose last varint is cut by the run's end.
    #expect(varints([0x12, 0x02, 0x01, 0x80, 0x01]) == .partialElement)
    // Too many elements for the limit, packed and unpacked.
    #expect(
      fixed([0x32, 0xA8, 0x06] + Array(repeating: 0, count: 808))
        == .limit(
          "repeated field 6 has more than 100 elements"))
    var many = PB()
    for _ in 0..<101 { many.varint(2, 1) }
    #expect(varints(many.bytes) == .limit("repeated field 2 has more than 100 elements"))
    // A repeated fixed64 field sent as a varint is the wrong wire type.
    #expect(fixed([0x30, 0x01]) == .wrongWireType(field: 6, .varint))
  }

  @Test func stringsMustBeUTF8AndOfTheirWireType() {
    let good = reader([0x0A, 0x02, 0x68, 0x69]) { (r: inout ProtoReader) throws(ProtoWireError) in
      guard let (f, w) = try r.nextTag() else { return "" }
      return try r.string(w, field: f)
    }
    #expect(good == .success("hi"))
    let bad = reader([0x0A, 0x02, 0xC3, 0x28]) { (r: inout ProtoReader) throws(ProtoWireError) in
      guard let (f, w) = try r.nextTag() else { return "" }
      return try r.string(w, field: f)
    }
    #expect(reason(bad) == .invalidUTF8)
    let wrong = reader([0x08, 0x01]) { (r: inout ProtoReader) throws(ProtoWireError) in
      guard let (f, w) = try r.nextTag() else { return "" }
      return try r.string(w, field: f)
    }
    #expect(reason(wrong) == .wrongWireType(field: 1, .varint))
  }
}
