import CNCurses
import Testing
import VigilRender

@testable import VigilCurses

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Every test that touches ncurses, the locale or signal dispositions: process-global state,
/// so they run one at a time (ARCHITECTURE §12). Nested suites live in the other files.
@Suite(.serialized) struct CursesSuite {}

/// Raises `sig` on this thread with it unblocked. Test bodies run on pool threads that block
/// asynchronous signals, so a plain `raise` would leave the signal pending on the thread.
func raiseUnblocked(_ sig: Int32) {
  var set = sigset_t()
  var old = sigset_t()
  sigemptyset(&set)
  sigaddset(&set, sig)
  pthread_sigmask(SIG_UNBLOCK, &set, &old)
  _ = raise(sig)
  pthread_sigmask(SIG_SETMASK, &old, nil)
}

/// A cell as ncurses stores it in `stdscr`.
struct StoredCell: Equatable, CustomStringConvertible {
  var text: String
  var attributes: attr_t
  var pair: Int32
  var description: String { "\"\(text)\" attrs=\(attributes) pair=\(pair)" }
}

enum Headless {
  /// Wide characters need a UTF-8 `LC_CTYPE`; the tests run with no `LANG` set.
  static func useUTF8Locale() {
    _ = setlocale(LC_ALL, "C.UTF-8")
  }

  /// Reads the cell at column `x`, row `y` of `stdscr` (`vigil_read_cell`).
  static func read(x: Int, y: Int) -> StoredCell? {
    var buf = [wchar_t](repeating: 0, count: 8)
    var attrs: attr_t = 0
    var pair: Int32 = 0
    let rc = vigil_read_cell(vigil_stdscr(), Int32(y), Int32(x), &buf, 8, &attrs, &pair)
    guard rc == OK else { return nil }
    var scalars = String.UnicodeScalarView()
    for w in buf.prefix(while: { $0 != 0 }) {
      if let s = Unicode.Scalar(UInt32(bitPattern: w)) { scalars.append(s) }
    }
    return StoredCell(
      text: String(scalars), attributes: attrs & vigil_a_attributes(), pair: pair)
  }

  /// The (foreground, background) colour numbers of a pair.
  static func colors(ofPair pair: Int32) -> (Int32, Int32) {
    var f: Int32 = 0
    var b: Int32 = 0
    _ = vigil_pair_content(pair, &f, &b)
    return (f, b)
  }

  /// Every row of `buffer` as one run.
  static func rows(_ buffer: ScreenBuffer) -> [ChangeRun] {
    (0..<buffer.height).map { y in
      ChangeRun(x: 0, y: y, cells: (0..<buffer.width).map { buffer[$0, y] })
    }
  }

  /// The curses attributes a style asks for (independent of the backend's own mapping).
  static func attributes(_ a: Attributes) -> attr_t {
    var r: attr_t = 0
    if a.contains(.bold) { r |= vigil_a_bold() }
    if a.contains(.dim) { r |= vigil_a_dim() }
    if a.contains(.reverse) { r |= vigil_a_reverse() }
    if a.contains(.underline) { r |= vigil_a_underline() }
    if a.contains(.italic) { r |= vigil_a_italic() }
    return r
  }
}

extension ScreenBuffer {
  /// Writes `text` from column `x` of row `y`, one grapheme per cell; wide ones (CJK here) take
  /// two cells, the second a continuation.
  mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain) {
    var col = x
    for ch in text {
      self[col, y] = Cell(String(ch), style: style)
      col += 1
      if let v = ch.unicodeScalars.first?.value,
        (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v)
          || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v)
          || (0xFF00...0xFF60).contains(v)
      {
        self[col, y] = Cell("", style: style)
        col += 1
      }
    }
  }
}
