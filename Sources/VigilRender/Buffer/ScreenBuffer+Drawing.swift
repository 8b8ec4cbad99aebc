// Drawing primitives. Every write goes through `writeCell`, which keeps the buffer's one
// invariant: a cell holding a double-width grapheme (a "head") is always followed by a
// continuation cell (`""`) with the same style, and a continuation cell always follows a head.

extension ScreenBuffer {
  /// A buffer whose rows are `lines`, drawn with ``put(_:at:style:clip:)`` in `style`.
  ///
  /// The width is the widest line's display width; shorter lines are padded with blanks.
  /// Meant for tests: `#expect(buffer == ScreenBuffer(lines: ["┌─┐", "└─┘"]))`.
  public init(lines: [String], style: Style = .plain) {
    let width = lines.map { displayWidth($0) }.max() ?? 0
    self.init(size: Size(width: width, height: lines.count))
    for (y, line) in lines.enumerated() {
      put(line, at: Point(x: 0, y: y), style: style)
    }
  }

  /// Draws `text` left to right from `origin`, one grapheme per cell (two for wide ones).
  ///
  /// - Clips to the buffer and to `clip`; a wide grapheme that would straddle a clip edge is
  ///   drawn as a space instead, so half a character is never written.
  /// - Overwriting one half of an existing wide character blanks its other half (even just
  ///   outside `clip`), as a terminal does.
  /// - Sanitizes: a grapheme containing a control character, DEL, a C1 control, U+2028/2029 or
  ///   a bidirectional control is drawn as `?`; zero-width graphemes are skipped. Untrusted
  ///   feed text can therefore never put an escape sequence on the terminal.
  ///   See ``sanitizedGrapheme(_:)``.
  ///
  /// ```swift
  /// var b = ScreenBuffer(size: Size(width: 6, height: 1))
  /// b.put("ok 界", at: Point(x: 0, y: 0), style: .plain)  // returns 5
  /// ```
  ///
  /// - Returns: how many columns the text advanced from `origin.x`, stopping at the clip's
  ///   right edge; `origin.x + result` is where following text would start.
  /// Complexity: O(n) in the length of `text`.
  @discardableResult
  public mutating func put(_ text: String, at origin: Point, style: Style, clip: Rect? = nil)
    -> Int
  {
    var area = bounds
    if let clip { area = area.intersection(clip) }
    guard !area.isEmpty, origin.y >= area.y, origin.y < area.maxY else { return 0 }
    var x = origin.x
    if printableASCIICount(text) != nil {
      for byte in text.utf8 {
        if x >= area.maxX { break }
        if x >= area.x {
          writeCell(x: x, y: origin.y, Cell(String(UnicodeScalar(byte)), style: style), width: 1)
        }
        x += 1
      }
      return max(0, x - origin.x)
    }
    for character in text {
      if x >= area.maxX { break }
      let (cellText, width) = sanitizedGrapheme(character)
      if width == 0 { continue }
      if x + width <= area.x {
        x += width
        continue
      }
      if x < area.x {
        // A wide grapheme straddling the left edge: only its right half would be visible.
        writeCell(x: area.x, y: origin.y, Cell(" ", style: style), width: 1)
        x += width
        continue
      }
      if x + width > area.maxX {
        // A wide grapheme straddling the right edge.
        writeCell(x: x, y: origin.y, Cell(" ", style: style), width: 1)
        x += 1
        break
      }
      writeCell(x: x, y: origin.y, Cell(cellText, style: style), width: width)
      x += width
    }
    return max(0, x - origin.x)
  }

  /// Fills `rect` (clipped to the buffer) with copies of `cell`.
  ///
  /// The cell's text is sanitized like ``put(_:at:style:clip:)``; a wide grapheme fills pairs
  /// of columns, with a space where one column is left over, and an empty or zero-width text
  /// fills with spaces.
  public mutating func fill(_ rect: Rect, with cell: Cell) {
    let area = rect.intersection(bounds)
    guard !area.isEmpty else { return }
    var (text, width) = cell.text.first.map(sanitizedGrapheme) ?? ("", 0)
    if width == 0 {
      text = " "
      width = 1
    }
    let filler = Cell(text, style: cell.style)
    let space = Cell(" ", style: cell.style)
    for y in area.y..<area.maxY {
      var x = area.x
      while x < area.maxX {
        if x + width > area.maxX {
          writeCell(x: x, y: y, space, width: 1)
          x += 1
        } else {
          writeCell(x: x, y: y, filler, width: width)
          x += width
        }
      }
    }
  }

  /// Changes the style of every cell in `rect` (clipped to the buffer) with `transform`.
  ///
  /// A wide character is restyled when its left half lies inside `rect`; its continuation
  /// cell always takes the style of its left half.
  ///
  /// ```swift
  /// buffer.setStyle(row) { $0.attributes.insert(.reverse) }
  /// ```
  public mutating func setStyle(_ rect: Rect, _ transform: (inout Style) -> Void) {
    let area = rect.intersection(bounds)
    guard !area.isEmpty else { return }
    for y in area.y..<area.maxY {
      let row = y * width
      for x in area.x..<area.maxX where !cells[row + x].isContinuation {
        transform(&cells[row + x].style)
      }
      for x in area.x...min(area.maxX, width - 1) where x > 0 && cells[row + x].isContinuation {
        cells[row + x].style = cells[row + x - 1].style
      }
    }
  }

  /// Applies `patch` to every cell in `rect`; see ``setStyle(_:_:)``.
  public mutating func setStyle(_ rect: Rect, patch: StylePatch) {
    setStyle(rect) { $0 = $0.applying(patch) }
  }

  /// Sets every cell to `cell` (default: blank), keeping the size and the storage.
  public mutating func clear(to cell: Cell = .blank) {
    for i in cells.indices { cells[i] = cell }
  }

  /// The text of each row, wide characters once and continuation cells skipped.
  ///
  /// Each string's display width is ``width`` (for buffers drawn through this API).
  public func lines() -> [String] {
    (0..<height).map { y in
      var line = ""
      for x in 0..<width { line += cells[y * width + x].text }
      return line
    }
  }

  /// Writes one already-sanitized cell of display width `width` (1 or 2) at `(x, y)`, which
  /// must lie in the buffer (as must `x + width - 1`), blanking the other half of any wide
  /// character it partly overwrites, as a terminal does.
  mutating func writeCell(x: Int, y: Int, _ cell: Cell, width cellWidth: Int) {
    let i = y * width + x
    if x > 0 && cells[i].isContinuation { cells[i - 1].text = " " }
    if x + cellWidth < width && cells[i + cellWidth].isContinuation {
      cells[i + cellWidth].text = " "
    }
    cells[i] = cell
    if cellWidth == 2 { cells[i + 1] = Cell("", style: cell.style) }
  }
}
