import Testing
import VigilTestSupport

@testable import VigilRender

@Suite struct ScreenBufferDrawingTests {
  let red = Style(foreground: .ansi(1))

  @Test func initLinesPadsToWidestLine() {
    let b = ScreenBuffer(lines: ["ab", "界x", ""])
    #expect(b.size == Size(width: 3, height: 3))
    #expect(b.lines() == ["ab ", "界x", "   "])
    #expect(b[1, 1].isContinuation)
  }

  @Test func putReturnsColumnsAndWritesCells() {
    var b = ScreenBuffer(size: Size(width: 8, height: 1))
    let used = b.put("ok 界!", at: Point(x: 1, y: 0), style: red)
    #expect(used == 6)
    #expect(b.lines() == [" ok 界! "])
    #expect(b[4, 0] == Cell("界", style: red))
    #expect(b[5, 0] == Cell("", style: red))
    #expect(b[0, 0] == .blank)
  }

  @Test func putClipsToBufferAndRect() {
    var b = ScreenBuffer(size: Size(width: 6, height: 2))
    #expect(b.put("abcdefgh", at: Point(x: 2, y: 0), style: .plain) == 4)
    #expect(
      b.put(
        "abcdef", at: Point(x: -2, y: 1), style: .plain, clip: Rect(x: 1, y: 1, width: 3, height: 1)
      ) == 6)
    #expect(b.lines() == ["  abcd", " def  "])
    #expect(b.put("zz", at: Point(x: 0, y: 2), style: .plain) == 0)
    #expect(b.put("zz", at: Point(x: 0, y: -1), style: .plain) == 0)
    #expect(
      b.put("zz", at: Point(x: 0, y: 0), style: .plain, clip: Rect(x: 0, y: 1, width: 6, height: 1))
        == 0)
    #expect(b.lines() == ["  abcd", " def  "])
  }

  @Test func wideCharNeverSplitAtRightClipEdge() {
    var b = ScreenBuffer(lines: ["......"])
    let used = b.put(
      "a界界", at: Point(x: 0, y: 0), style: red, clip: Rect(x: 0, y: 0, width: 4, height: 1))
    #expect(used == 4)
    #expect(b.lines() == ["a界 .."])
    #expect(b[3, 0] == Cell(" ", style: red))
    expectWellFormed(b)
  }

  @Test func wideCharNeverSplitAtBufferEdge() {
    var b = ScreenBuffer(size: Size(width: 3, height: 1))
    b.put("a界界", at: Point(x: 0, y: 0), style: .plain)
    #expect(b.lines() == ["a界"])
    b.put("ab界", at: Point(x: 0, y: 0), style: .plain)
    #expect(b.lines() == ["ab "])
    expectWellFormed(b)
  }

  @Test func wideCharNeverSplitAtLeftClipEdge() {
    var b = ScreenBuffer(lines: ["......"])
    b.put("界界b", at: Point(x: 0, y: 0), style: .plain, clip: Rect(x: 1, y: 0, width: 5, height: 1))
    #expect(b.lines() == [". 界b."])
    expectWellFormed(b)
  }

  @Test func overwritingHalfAWideCharBlanksTheOtherHalf() {
    var b = ScreenBuffer(lines: ["界界界"])
    b.put("a", at: Point(x: 1, y: 0), style: .plain)  // right half of the first
    b.put("b", at: Point(x: 4, y: 0), style: .plain)  // left half of the third
    #expect(b.lines() == [" a界b "])
    expectWellFormed(b)
    var c = ScreenBuffer(lines: ["界界"])
    c.put("語", at: Point(x: 1, y: 0), style: .plain)
    #expect(c.lines() == [" 語 "])
    expectWellFormed(c)
  }

  @Test func controlCharactersNeverReachCells() {
    var b = ScreenBuffer(size: Size(width: 20, height: 1))
    let hostile = "a\u{1B}[2J\u{7}b\r\nc\u{9B}1m\u{202E}d\u{2028}\u{0}\t"
    b.put(hostile, at: Point(x: 0, y: 0), style: .plain)
    #expect(b.lines() == ["a?[2J?b?c?1m?d???   "])
    expectWellFormed(b)
  }

  @Test func zeroWidthGraphemesAreSkippedAndCombiningMarksKept() {
    var b = ScreenBuffer(size: Size(width: 4, height: 1))
    #expect(b.put("\u{301}e\u{301}\u{200B}x", at: Point(x: 0, y: 0), style: .plain) == 2)
    #expect(b[0, 0].text == "e\u{301}")
    #expect(b[1, 0].text == "x")
  }

  @Test func fillClipsAndHandlesWideFillers() {
    var b = sentinelBuffer(5, 3)
    b.fill(Rect(x: 1, y: 1, width: 9, height: 9), with: Cell("#", style: red))
    #expect(b.lines() == ["xxxxx", "x####", "x####"])
    expectUntouchedOutside(Rect(x: 1, y: 1, width: 4, height: 2), b)
    var w = ScreenBuffer(size: Size(width: 5, height: 1))
    w.fill(w.bounds, with: Cell("界"))
    #expect(w.lines() == ["界界 "])
    w.fill(Rect(x: 1, y: 0, width: 1, height: 1), with: Cell(""))
    #expect(w.lines() == ["  界 "])
    w.fill(w.bounds, with: Cell("\u{1B}"))
    #expect(w.lines() == ["?????"])
    expectWellFormed(w)
  }

  @Test func setStyleKeepsWideCharsWhole() {
    var b = ScreenBuffer(lines: ["a界b"])
    b.setStyle(Rect(x: 1, y: 0, width: 1, height: 1)) { $0.attributes.insert(.bold) }
    #expect(b[1, 0].style.attributes == .bold)
    #expect(b[2, 0].style.attributes == .bold)
    b.setStyle(Rect(x: 2, y: 0, width: 2, height: 1), patch: StylePatch(foreground: .ansi(2)))
    #expect(b[2, 0].style == b[1, 0].style)
    #expect(b[1, 0].style.foreground == .default)
    #expect(b[3, 0].style.foreground == .ansi(2))
    expectWellFormed(b)
  }

  @Test func setStyleClipsToBuffer() {
    var b = ScreenBuffer(size: Size(width: 2, height: 2))
    b.setStyle(Rect(x: -5, y: 1, width: 100, height: 100)) { $0 = Style(attributes: .dim) }
    #expect(b[0, 0].style == .plain && b[1, 0].style == .plain)
    #expect(b[0, 1].style.attributes == .dim && b[1, 1].style.attributes == .dim)
  }

  @Test func clearResetsCells() {
    var b = ScreenBuffer(lines: ["ab"], style: red)
    b.clear()
    #expect(b == ScreenBuffer(size: Size(width: 2, height: 1)))
  }

  @Test func randomDrawingKeepsBuffersWellFormed() {
    var rng = SplitMix64(seed: 7)
    for _ in 0..<300 {
      var b = ScreenBuffer(
        size: Size(width: randomInt(&rng, 0...9), height: randomInt(&rng, 0...3)))
      for _ in 0..<6 {
        let p = Point(x: randomInt(&rng, -3...9), y: randomInt(&rng, -1...3))
        let clip = Rect(
          x: randomInt(&rng, -2...6), y: randomInt(&rng, -1...3), width: randomInt(&rng, 0...8),
          height: randomInt(&rng, 0...3))
        switch rng.next() % 3 {
        case 0: b.put(randomText(&rng, maxLength: 8), at: p, style: randomStyle(&rng), clip: clip)
        case 1: b.fill(clip, with: Cell(randomText(&rng, maxLength: 1), style: randomStyle(&rng)))
        default: b.setStyle(clip) { $0.attributes.formSymmetricDifference(.underline) }
        }
      }
      expectWellFormed(b)
    }
  }
}
