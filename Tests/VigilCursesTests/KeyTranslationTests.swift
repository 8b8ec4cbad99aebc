import CNCurses
import Testing
import VigilRender

@testable import VigilCurses

@Suite struct KeyTranslationTests {
  @Test func keyCodes() {
    let table: [(Int32, Key)] = [
      (KEY_UP, .up), (KEY_DOWN, .down), (KEY_LEFT, .left), (KEY_RIGHT, .right),
      (KEY_HOME, .home), (KEY_END, .end), (KEY_PPAGE, .pageUp), (KEY_NPAGE, .pageDown),
      (KEY_ENTER, .enter), (KEY_BACKSPACE, .backspace), (KEY_DC, .delete), (KEY_BTAB, .backTab),
      (KEY_F0 + 1, .function(1)), (KEY_F0 + 12, .function(12)), (KEY_F0 + 24, .function(24)),
    ]
    for (code, key) in table {
      #expect(KeyTranslation.key(forKeyCode: code) == key, "code \(code)")
    }
    #expect(KeyTranslation.key(forKeyCode: KEY_F0) == nil)
    #expect(KeyTranslation.key(forKeyCode: KEY_MOUSE) == nil)
  }

  @Test func characters() {
    let table: [(UInt32, Key)] = [
      (9, .tab), (10, .enter), (13, .enter), (27, .escape), (127, .backspace), (8, .backspace),
      (1, .control("a")), (3, .control("c")), (12, .control("l")), (26, .control("z")),
      (0x71, .character("q")), (0x20, .character(" ")), (0x7E, .character("~")),
      (0xE9, .character("é")), (0x754C, .character("界")), (0x1F600, .character("😀")),
    ]
    for (code, key) in table {
      #expect(KeyTranslation.key(forCharacter: code) == key, "code \(code)")
    }
    for code: UInt32 in [0, 28, 31, 0x80, 0x9F, 0xD800, 0x110000] {
      #expect(KeyTranslation.key(forCharacter: code) == nil, "code \(code)")
    }
  }
}

@Suite struct MouseTranslationTests {
  @Test func pressesAndTheWheelBecomeMouseEvents() {
    #expect(KeyTranslation.mouse(kind: 1, x: 3, y: 4) == MouseEvent(.press, at: Point(x: 3, y: 4)))
    #expect(
      KeyTranslation.mouse(kind: 2, x: 0, y: 0) == MouseEvent(.wheelUp, at: Point(x: 0, y: 0)))
    #expect(
      KeyTranslation.mouse(kind: 3, x: 9, y: 1) == MouseEvent(.wheelDown, at: Point(x: 9, y: 1)))
    #expect(KeyTranslation.mouse(kind: 0, x: 3, y: 4) == nil)
    #expect(KeyTranslation.mouse(kind: 1, x: -1, y: 4) == nil)
  }
}
