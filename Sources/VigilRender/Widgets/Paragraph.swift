/// A run of text in one style.
public struct TextSpan: Hashable, Sendable {
  public var text: String
  public var style: Style

  public init(_ text: String, style: Style = .plain) {
    self.text = text
    self.style = style
  }
}

/// One line of styled text: spans drawn one after another.
public struct TextLine: Hashable, Sendable, ExpressibleByStringLiteral {
  public var spans: [TextSpan]

  public init(spans: [TextSpan]) { self.spans = spans }

  public init(_ text: String, style: Style = .plain) {
    self.init(spans: [TextSpan(text, style: style)])
  }

  public init(stringLiteral value: String) { self.init(value) }

  /// The line's display width.
  public var width: Int { spans.reduce(0) { $0 + displayWidth($1.text) } }
}

/// What a ``Paragraph`` does with a line wider than its area.
public enum TextOverflow: Hashable, Sendable {
  /// Break between words onto further rows; a word wider than a row is broken anywhere.
  case wrap
  /// Cut the line, ending it with the glyph set's ellipsis.
  case truncate
}

/// Styled lines of text, wrapped or truncated, aligned left, centre or right.
///
/// ```swift
/// Paragraph(lines: [TextLine("FeedStale", style: bold), "checkout: no data for 2m"],
///           alignment: .left, overflow: .wrap)
///   .draw(in: area, on: &buffer, glyphs: glyphs)
/// ```
///
/// Wrapping keeps runs of spaces inside a row, drops them where a row breaks, and keeps a
/// line's leading indentation on its first row. Rows beyond the area are not drawn;
/// ``scroll`` skips that many rows from the top.
public struct Paragraph: Hashable, Sendable {
  public var lines: [TextLine]
  public var alignment: Alignment
  public var overflow: TextOverflow
  /// Rows (after wrapping) skipped at the top.
  public var scroll: Int

  public init(
    lines: [TextLine], alignment: Alignment = .left, overflow: TextOverflow = .wrap,
    scroll: Int = 0
  ) {
    self.lines = lines
    self.alignment = alignment
    self.overflow = overflow
    self.scroll = scroll
  }

  /// Text split into lines at line breaks (`\n`, `\r\n`, `\r` and the other Unicode
  /// newlines), all in `style`.
  public init(
    _ text: String, style: Style = .plain, alignment: Alignment = .left,
    overflow: TextOverflow = .wrap
  ) {
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
      .map { TextLine(String($0), style: style) }
    self.init(lines: lines, alignment: alignment, overflow: overflow)
  }

  /// The number of rows the paragraph needs at `width` (before ``scroll``).
  public func height(forWidth width: Int, glyphs: GlyphSet = .unicode) -> Int {
    rows(width: width, ellipsis: glyphs.ellipsis).count
  }

  /// Draws the paragraph into `rect` (clipped to the buffer). Only the cells it draws text
  /// into are written.
  public func draw(in rect: Rect, on buffer: inout ScreenBuffer, glyphs: GlyphSet) {
    let visible = rect.intersection(buffer.bounds)
    guard !visible.isEmpty else { return }
    var y = rect.y
    for row in rows(width: rect.width, ellipsis: glyphs.ellipsis).dropFirst(Swift.max(0, scroll)) {
      if y >= visible.maxY { break }
      defer { y += 1 }
      guard y >= visible.y else { continue }
      let rowWidth = row.reduce(0) { $0 + $1.width }
      var x: Int
      switch alignment {
      case .left: x = rect.x
      case .center: x = rect.x + Swift.max(0, rect.width - rowWidth) / 2
      case .right: x = rect.x + Swift.max(0, rect.width - rowWidth)
      }
      for g in row {
        if x >= visible.maxX { break }
        buffer.put(g.text, at: Point(x: x, y: y), style: g.style, clip: rect)
        x += g.width
      }
    }
  }

  /// The visual rows at `width`: each line wrapped or truncated.
  func rows(width: Int, ellipsis: String) -> [[StyledGrapheme]] {
    guard width > 0 else { return [] }
    var result: [[StyledGrapheme]] = []
    for line in lines {
      let graphemes = StyledGrapheme.split(line)
      switch overflow {
      case .truncate: result.append(StyledGrapheme.truncate(graphemes, width, ellipsis))
      case .wrap: result.append(contentsOf: StyledGrapheme.wrap(graphemes, width))
      }
    }
    return result
  }
}

/// The other name for ``Paragraph``.
public typealias TextBlock = Paragraph

/// One sanitized grapheme with its width and style: the unit of wrapping.
struct StyledGrapheme: Hashable, Sendable {
  var text: String
  var width: Int
  var style: Style

  var isSpace: Bool { text == " " }

  static func split(_ line: TextLine) -> [StyledGrapheme] {
    var out: [StyledGrapheme] = []
    for span in line.spans {
      for character in span.text {
        let (text, width) = sanitizedGrapheme(character)
        if width > 0 { out.append(StyledGrapheme(text: text, width: width, style: span.style)) }
      }
    }
    return out
  }

  static func truncate(_ line: [StyledGrapheme], _ width: Int, _ ellipsis: String)
    -> [StyledGrapheme]
  {
    if line.reduce(0, { $0 + $1.width }) <= width { return line }
    let ellipsisWidth = displayWidth(ellipsis)
    let room = ellipsisWidth <= width ? width - ellipsisWidth : width
    var out: [StyledGrapheme] = []
    var used = 0
    for g in line {
      if used + g.width > room { break }
      out.append(g)
      used += g.width
    }
    if ellipsisWidth <= width {
      let style = out.last?.style ?? line.first?.style ?? .plain
      out.append(StyledGrapheme(text: ellipsis, width: ellipsisWidth, style: style))
    }
    return out
  }

  /// Greedy word wrap (at least one row, even for an empty line).
  static func wrap(_ line: [StyledGrapheme], _ width: Int) -> [[StyledGrapheme]] {
    var rows: [[StyledGrapheme]] = []
    var row: [StyledGrapheme] = []
    var rowWidth = 0
    var spaces: [StyledGrapheme] = []
    func commit() {
      rows.append(row)
      row = []
      rowWidth = 0
    }
    func append(_ gs: [StyledGrapheme]) {
      row.append(contentsOf: gs)
      rowWidth += gs.reduce(0) { $0 + $1.width }
    }
    var i = 0
    while i < line.count {
      if line[i].isSpace {
        var j = i
        while j < line.count && line[j].isSpace { j += 1 }
        spaces = Array(line[i..<j])
        if rows.isEmpty && row.isEmpty {
          // Leading indentation of the line's first row.
          append(Array(spaces.prefix(width)))
          spaces = []
        }
        i = j
        continue
      }
      var j = i
      while j < line.count && !line[j].isSpace { j += 1 }
      let word = Array(line[i..<j])
      let wordWidth = word.reduce(0) { $0 + $1.width }
      i = j
      if row.isEmpty { spaces = [] }
      if rowWidth + spaces.count + wordWidth <= width {
        append(spaces + word)
      } else if wordWidth <= width {
        if row.contains(where: { !$0.isSpace }) {
          commit()
        } else {
          (row, rowWidth) = ([], 0)  // indentation that leaves no room for the word
        }
        append(word)
      } else {
        // A word wider than a row: continue on this row if there is room, then break it.
        if !row.isEmpty && rowWidth + spaces.count < width {
          append(spaces)
        } else if !row.isEmpty {
          commit()
        }
        for g in word {
          if rowWidth + g.width > width && !row.isEmpty { commit() }
          append([g])
        }
      }
      spaces = []
    }
    if !row.isEmpty || rows.isEmpty { commit() }
    return rows
  }
}
