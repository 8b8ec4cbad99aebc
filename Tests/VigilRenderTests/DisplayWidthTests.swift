import Testing

@testable import VigilRender

@Suite struct DisplayWidthTests {
  @Test(
    arguments: [
      ("a", 1), ("~", 1), ("é", 1), ("\u{301}", 0), ("\u{200B}", 0), ("\u{200D}", 0),
      ("\u{FE0F}", 0), ("界", 2), ("한", 2), ("ｆ", 2), ("😀", 2), ("🚀", 2), ("🦀", 2),
      ("─", 1), ("█", 1), ("·", 1), ("\u{1160}", 0), ("\u{E0100}", 0), ("\u{20000}", 2),
      ("\u{3000}", 2), ("\u{00AD}", 1), ("\u{0600}", 1),
    ] as [(Unicode.Scalar, Int)])
  func scalarWidths(scalar: Unicode.Scalar, width: Int) {
    #expect(displayWidth(of: scalar) == width, "U+\(String(scalar.value, radix: 16))")
  }

  @Test(
    arguments: [
      "\u{0}", "\u{7}", "\u{1B}", "\t", "\n", "\r", "\u{7F}", "\u{80}", "\u{9B}", "\u{9F}",
      "\u{2028}", "\u{2029}", "\u{202A}", "\u{202E}", "\u{2066}", "\u{2069}", "\u{200F}",
    ] as [Unicode.Scalar])
  func unsafeScalarsCountOneAndAreFlagged(scalar: Unicode.Scalar) {
    #expect(isTerminalUnsafe(scalar))
    #expect(displayWidth(of: scalar) == 1)
  }

  @Test func safeScalarsAreNotFlagged() {
    for scalar in ["a", " ", "\u{A0}", "界", "\u{200D}", "\u{2027}", "\u{202F}", "\u{206A}"]
      as [Unicode.Scalar]
    {
      #expect(!isTerminalUnsafe(scalar), "U+\(String(scalar.value, radix: 16))")
    }
  }

  @Test(arguments: [
    ("", 0), ("abc", 3), ("p99 延迟", 8), ("e\u{301}", 1), ("👨‍👩‍👧", 2), ("\r\n", 1),
    ("a\u{1B}[31mb", 7), ("\u{200B}x", 1), ("한국어", 6), ("ｆｕｌｌ", 8),
  ])
  func stringWidths(text: String, width: Int) {
    #expect(displayWidth(text) == width)
  }

  @Test func tablesAreSortedDisjointPairs() {
    for table in [DisplayWidthTables.zeroWidth, DisplayWidthTables.wide] {
      #expect(table.count % 2 == 0)
      for i in stride(from: 0, to: table.count, by: 2) {
        #expect(table[i] <= table[i + 1])
        if i >= 2 { #expect(table[i - 1] < table[i]) }
      }
    }
  }

  @Test func sanitizedGraphemes() {
    #expect(sanitizedGrapheme("\u{1B}") == ("?", 1))
    #expect(sanitizedGrapheme("\r\n") == ("?", 1))
    #expect(sanitizedGrapheme("\u{202E}") == ("?", 1))
    #expect(sanitizedGrapheme("\u{301}") == ("", 0))
    #expect(sanitizedGrapheme("界") == ("界", 2))
    #expect(sanitizedGrapheme("e\u{301}") == ("e\u{301}", 1))
    let zalgo = Character("a" + String(repeating: "\u{301}", count: 40))
    #expect(sanitizedGrapheme(zalgo) == ("a", 1))
    // Emoji sequences terminals disagree on: a ZWJ family is its first person; an emoji
    // presentation selector after a narrow base is dropped (text presentation, one column).
    #expect(sanitizedGrapheme("👨‍👩‍👧") == ("👨", 2))
    #expect(sanitizedGrapheme("🏳️‍🌈") == ("🏳", 1))
    #expect(sanitizedGrapheme("❤️") == ("❤", 1))
    #expect(sanitizedGrapheme("1️⃣") == ("1\u{20E3}", 1))
    #expect(sanitizedGrapheme("🛒\u{FE0F}") == ("🛒\u{FE0F}", 2))
    #expect(sanitizedGrapheme("👍🏽") == ("👍🏽", 2))
  }
}
