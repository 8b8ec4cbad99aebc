import Testing

@testable import VigilRender

@Suite struct TextTests {
  @Test(arguments: [
    ("checkout-service", 8, "checkou…"), ("checkout", 8, "checkout"), ("checkout", 0, ""),
    ("checkout", -3, ""), ("checkout", 1, "…"), ("界界界", 5, "界界…"), ("界界界", 4, "界…"),
    ("界界界", 6, "界界界"), ("a\u{1B}bc", 3, "a\u{1B}…"), ("", 3, ""),
  ])
  func truncation(text: String, width: Int, expected: String) {
    #expect(truncate(text, toWidth: width) == expected)
    #expect(displayWidth(truncate(text, toWidth: width)) <= max(0, width))
  }

  /// Items that do not fit go whole: never a bare `tax` with its number cut off.
  @Test(arguments: [
    ("pay 3.46s  inv 198ms  tax 69ms", 40, "pay 3.46s  inv 198ms  tax 69ms"),
    ("pay 3.46s  inv 198ms  tax 69ms", 27, "pay 3.46s  inv 198ms"),
    ("pay 3.46s  inv 198ms  tax 69ms", 20, "pay 3.46s  inv 198ms"),
    ("pay 3.46s  inv 198ms  tax 69ms", 19, "pay 3.46s"),
    ("pay 3.46s  inv 198ms", 6, "pay 3…"), ("", 5, ""), ("a  b", 0, ""),
  ])
  func fittingWholeItems(text: String, width: Int, expected: String) {
    #expect(fitItems(text, toWidth: width) == expected)
  }

  @Test func customEllipsis() {
    #expect(truncate("checkout", toWidth: 5, ellipsis: "~") == "chec~")
    #expect(truncate("checkout", toWidth: 2, ellipsis: "...") == "ch")
    #expect(truncate("checkout", toWidth: 4, ellipsis: "") == "chec")
  }

  @Test func putAlignedPlacesAndTruncates() {
    var b = ScreenBuffer(lines: ["..........", "..........", ".........."])
    let row = { (y: Int) in Rect(x: 1, y: y, width: 8, height: 1) }
    #expect(b.putAligned("left", in: row(0), alignment: .left, style: .plain) == 4)
    #expect(b.putAligned("mid", in: row(1), alignment: .center, style: .plain) == 3)
    #expect(b.putAligned("right 界 aligned", in: row(2), alignment: .right, style: .plain) == 7)
    #expect(b.lines() == [".left.....", "...mid....", "..right …."])
    #expect(
      b.putAligned("x", in: Rect(x: 0, y: 0, width: 0, height: 1), alignment: .right, style: .plain)
        == 0)
  }
}
