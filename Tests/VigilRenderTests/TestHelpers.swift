import Testing
import VigilTestSupport

@testable import VigilRender

/// A style no widget uses: marks cells a widget must not touch.
let sentinelStyle = Style(foreground: .ansi(5), background: .ansi(3))
let sentinelCell = Cell("x", style: sentinelStyle)

/// A buffer full of sentinel cells.
func sentinelBuffer(_ width: Int, _ height: Int) -> ScreenBuffer {
  ScreenBuffer(size: Size(width: width, height: height), fill: sentinelCell)
}

/// Expects every cell outside `rect` to still be the sentinel.
func expectUntouchedOutside(
  _ rect: Rect, _ buffer: ScreenBuffer, sourceLocation: SourceLocation = #_sourceLocation
) {
  for y in 0..<buffer.height {
    for x in 0..<buffer.width where !rect.contains(Point(x: x, y: y)) {
      if buffer[x, y] != sentinelCell {
        Issue.record(
          "cell (\(x),\(y)) outside \(rect) was drawn: \(buffer[x, y])\n\(buffer.snapshot())",
          sourceLocation: sourceLocation)
        return
      }
    }
  }
}

/// Expects `buffer.snapshot()` to equal `expected` (given without the trailing newline).
func expectSnapshot(
  _ buffer: ScreenBuffer, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  let actual = buffer.snapshot()
  let wanted = expected.hasSuffix("\n") ? expected : expected + "\n"
  if actual != wanted {
    Issue.record(
      "snapshot differs\n--- expected\n\(wanted)--- actual\n\(actual)",
      sourceLocation: sourceLocation)
  }
}

/// Expects the buffer's invariant: every wide head is followed by a continuation cell with the
/// same style, every continuation follows a wide head, and no cell holds an unsafe scalar.
func expectWellFormed(
  _ buffer: ScreenBuffer, sourceLocation: SourceLocation = #_sourceLocation
) {
  for y in 0..<buffer.height {
    var x = 0
    while x < buffer.width {
      let cell = buffer[x, y]
      if cell.text.unicodeScalars.contains(where: isTerminalUnsafe) {
        Issue.record("unsafe text at (\(x),\(y))", sourceLocation: sourceLocation)
      }
      if cell.isContinuation {
        Issue.record("orphan continuation at (\(x),\(y))", sourceLocation: sourceLocation)
        x += 1
        continue
      }
      let w = displayWidth(cell.text)
      if w == 2 {
        if x + 1 >= buffer.width || !buffer[x + 1, y].isContinuation
          || buffer[x + 1, y].style != cell.style
        {
          Issue.record(
            "wide head without continuation at (\(x),\(y))", sourceLocation: sourceLocation)
        }
        x += 2
      } else {
        if w != 1 {
          Issue.record("cell of width \(w) at (\(x),\(y))", sourceLocation: sourceLocation)
        }
        x += 1
      }
    }
  }
}

/// Random text mixing ASCII, CJK, emoji, combining marks and control characters.
func randomText(_ rng: inout SplitMix64, maxLength: Int) -> String {
  let pool: [String] = [
    "a", "b", "Z", "0", " ", "-", "界", "語", "한", "😀", "🚀", "ｆ", "e\u{301}", "\u{301}",
    "\u{1B}", "\n", "\u{7F}", "\u{9B}", "\u{202E}", "\u{200B}", "·", "█", "─",
  ]
  let n = Int(rng.next() % UInt64(maxLength + 1))
  var s = ""
  for _ in 0..<n { s += pool[Int(rng.next() % UInt64(pool.count))] }
  return s
}

func randomStyle(_ rng: inout SplitMix64) -> Style {
  switch rng.next() % 4 {
  case 0: return .plain
  case 1: return Style(foreground: .ansi(UInt8(rng.next() % 16)))
  case 2: return Style(attributes: .bold)
  default: return Style(foreground: .rgb(1, 2, 3), background: .indexed(236), attributes: .reverse)
  }
}

func randomInt(_ rng: inout SplitMix64, _ range: ClosedRange<Int>) -> Int {
  range.lowerBound + Int(rng.next() % UInt64(range.count))
}
