import Testing

@testable import VigilCore

/// The one JSON tree: numbers read exactly (recordings) or as their text (API responses).
@Suite struct JSONValueTests {
  func read(_ text: String, numbers: JSONReader.Numbers) -> Result<JSONValue, JSONReadError> {
    Array(text.utf8).withUnsafeBytes { raw in
      var r = JSONReader(raw, numbers: numbers)
      do throws(JSONReadError) {
        let v = try r.value()
        try r.expectEnd()
        return .success(v)
      } catch {
        return .failure(error)
      }
    }
  }

  @Test func numbersReadExactlyOrAsText() throws {
    let text = #"[1795709741123456789, 1795709741.369, -0.5, 1e999]"#
    guard case .failure(let e) = read(text, numbers: .exact) else {
      Issue.record("1e999 is out of range as a Double")
      return
    }
    #expect(e.message == "number out of range")
    let exact = try read(#"[1795709741123456789, 1795709741.369, -0.5]"#, numbers: .exact).get()
    #expect(
      exact == .array([.int(1_795_709_741_123_456_789), .double(1795709741.369), .double(-0.5)]))
    let literal = try read(text, numbers: .text).get()
    let items = try #require(literal.array)
    #expect(
      items == [
        .number("1795709741123456789"), .number("1795709741.369"), .number("-0.5"),
        .number("1e999"),
      ])
    #expect(items[0].int == 1_795_709_741_123_456_789)
    #expect(items[1].double == 1795709741.369 && items[1].int == nil)
    #expect(items[2].double == -0.5)
    #expect(JSONValue.number("2.0").int == 2)
    #expect(literal.text == "[1795709741123456789,1795709741.369,-0.5,1e999]")
  }

  @Test func accessorsAndSubscript() throws {
    let v = try JSONValue.parse(#"{"a":"x","b":[true,null],"a":2}"#)
    #expect(v["a"]?.string == "x")
    #expect(v["b"]?.array == [.bool(true), .null])
    #expect(v["b"]?.array?[0].bool == true)
    #expect(v["c"] == nil)
    #expect(v.objectMembers?.map(\.0) == ["a", "b", "a"])
  }
}
