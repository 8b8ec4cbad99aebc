// Damage computation: which cells the terminal must be sent to turn `self` into `next`.
// Models: ratatui-core Buffer::diff, ratatui-crossterm `fn draw` (cursor moves only between
// non-adjacent cells).

extension ScreenBuffer {
  /// The runs of cells a terminal showing `self` must be sent to show `next`.
  ///
  /// Runs come row by row, top to bottom, left to right, never overlap, and never span rows.
  /// `run.cells[i]` belongs at column `run.x + i`.
  ///
  /// **Wide characters.** A run never starts or ends inside a wide character: a changed
  /// continuation cell pulls its left half into the run, and a wide character at the end of a
  /// run brings its continuation cell (`""`) along. Backends write each non-continuation cell
  /// and **skip continuation cells** (the wide glyph written one column earlier already covers
  /// them; moving the cursor or writing anything there would break the glyph). After a wide
  /// cell the terminal cursor is already two columns on.
  ///
  /// **Merging.** Two changes on a row separated by at most `mergeGap` unchanged cells of the
  /// same style as the cell before the gap become one run: rewriting up to three cells costs
  /// fewer bytes than a cursor move (`ESC [ row ; col H`) and needs no attribute change. Pass 0
  /// for exact runs.
  ///
  /// **Size change.** When the sizes differ, every row of `next` is one run (a full repaint).
  ///
  /// ```swift
  /// let runs = frame.current.diff(to: frame.next)  // [] when nothing changed
  /// ```
  ///
  /// Complexity: O(width × height).
  public func diff(to next: ScreenBuffer, mergeGap: Int = 3) -> [ChangeRun] {
    if size != next.size {
      guard next.width > 0 else { return [] }
      return (0..<next.height).map { y in
        ChangeRun(x: 0, y: y, cells: Array(next.cells[y * next.width..<(y + 1) * next.width]))
      }
    }
    var runs: [ChangeRun] = []
    let w = width
    let gapLimit = max(0, mergeGap)
    cells.withUnsafeBufferPointer { old in
      next.cells.withUnsafeBufferPointer { new in
        for y in 0..<height {
          let row = y * w
          var x = 0
          while x < w {
            if old[row + x] == new[row + x] {
              x += 1
              continue
            }
            var start = x
            if start > 0 && (new[row + start].isContinuation || old[row + start].isContinuation) {
              start -= 1
            }
            while start > 0 && new[row + start].isContinuation { start -= 1 }
            var end = x + 1
            extend: while true {
              while end < w && new[row + end].isContinuation { end += 1 }
              // Look for the next change within the gap limit.
              var probe = end
              let gapStyle = new[row + end - 1].style
              while probe < w && probe - end <= gapLimit {
                if old[row + probe] != new[row + probe] {
                  end = probe + 1
                  continue extend
                }
                if new[row + probe].style != gapStyle { break }
                probe += 1
              }
              break
            }
            runs.append(ChangeRun(x: start, y: y, cells: Array(new[(row + start)..<(row + end)])))
            x = end
          }
        }
      }
    }
    return runs
  }
}
