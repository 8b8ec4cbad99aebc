import CNCurses
import VigilRender

/// Turns what `wget_wch` returns into ``Key`` values. Pure: no curses state is touched.
package enum KeyTranslation {
  /// A function-key code (`wget_wch` returned `KEY_CODE_YES`), or nil for keys Vigil ignores.
  ///
  /// `KEY_RESIZE` is not a key; the backend handles it before calling this.
  package static func key(forKeyCode code: Int32) -> Key? {
    switch code {
    case KEY_UP: return .up
    case KEY_DOWN: return .down
    case KEY_LEFT: return .left
    case KEY_RIGHT: return .right
    case KEY_HOME, KEY_FIND, KEY_A1: return .home
    case KEY_END, KEY_SELECT, KEY_C1: return .end
    case KEY_PPAGE, KEY_A3: return .pageUp
    case KEY_NPAGE, KEY_C3: return .pageDown
    case KEY_ENTER: return .enter
    case KEY_BACKSPACE: return .backspace
    case KEY_DC: return .delete
    case KEY_BTAB: return .backTab
    default:
      let f0 = vigil_key_f0()
      if code > f0 && code <= f0 + 63 { return .function(Int(code - f0)) }
      return nil
    }
  }

  /// What `vigil_get_mouse` reported (1 press, 2 wheel up, 3 wheel down) at a cell, or nil.
  package static func mouse(kind: Int32, x: Int32, y: Int32) -> MouseEvent? {
    guard x >= 0, y >= 0 else { return nil }
    let at = Point(x: Int(x), y: Int(y))
    switch kind {
    case 1: return MouseEvent(.press, at: at)
    case 2: return MouseEvent(.wheelUp, at: at)
    case 3: return MouseEvent(.wheelDown, at: at)
    default: return nil
    }
  }

  /// A character code (`wget_wch` returned `OK`), or nil for codes that are not keys.
  ///
  /// 9 is Tab, 10 and 13 are Enter (with `nonl`, Enter sends 13), 27 is Escape, 8 and 127 are
  /// Backspace (terminals differ), other codes 1–26 are Ctrl plus a lowercase letter. Other C0
  /// and C1 controls are dropped; everything else is a printable character.
  package static func key(forCharacter code: UInt32) -> Key? {
    switch code {
    case 9: return .tab
    case 10, 13: return .enter
    case 27: return .escape
    case 8, 127: return .backspace
    case 1...26:
      guard let scalar = Unicode.Scalar(UInt32(0x60) + code) else { return nil }
      return .control(Character(scalar))
    case 0..<32, 0x80..<0xA0: return nil
    default:
      guard let scalar = Unicode.Scalar(code) else { return nil }
      return .character(Character(scalar))
    }
  }
}
