/// The number of terminal columns a Unicode scalar occupies when Vigil draws it.
///
/// - 0 for combining marks, format characters and other zero-width scalars;
/// - 2 for East Asian Wide and Fullwidth scalars (CJK, Hangul, fullwidth forms, most emoji);
/// - 1 otherwise.
///
/// Scalars that ``ScreenBuffer/put(_:at:style:clip:)`` never writes raw (C0 and C1 controls,
/// DEL, line and paragraph separators, bidirectional controls; see ``isTerminalUnsafe(_:)``)
/// count 1, the width of the `?` drawn in their place.
///
/// ```swift
/// displayWidth(of: "a")        // 1
/// displayWidth(of: "界")       // 2
/// displayWidth(of: "\u{301}")  // 0 (combining acute accent)
/// ```
///
/// Complexity: O(log n) in the size of the range tables; O(1) for ASCII.
public func displayWidth(of scalar: Unicode.Scalar) -> Int {
  let v = scalar.value
  if v < 0x300 { return 1 }  // ASCII, controls (drawn as "?") and Latin-1: all one column
  if isTerminalUnsafe(scalar) { return 1 }
  if tableContains(DisplayWidthTables.zeroWidth, v) { return 0 }
  if v >= 0x1100 && tableContains(DisplayWidthTables.wide, v) { return 2 }
  return 1
}

/// The number of terminal columns `text` occupies when drawn with
/// ``ScreenBuffer/put(_:at:style:clip:)`` into an unbounded row.
///
/// Each grapheme counts as wide as its first scalar (as ncursesw measures it with `wcwidth`),
/// a grapheme that starts with a zero-width scalar counts 0 (it is not drawn), and a grapheme
/// holding a terminal-unsafe scalar counts 1 (it is drawn as `?`).
///
/// ```swift
/// displayWidth("p99 延迟")  // 8
/// ```
///
/// Complexity: O(n) in the length of `text`.
public func displayWidth(_ text: String) -> Int {
  if let n = printableASCIICount(text) { return n }
  var total = 0
  for character in text { total += sanitizedGrapheme(character).width }
  return total
}

/// True for scalars that must never reach a terminal raw, because they move the cursor, start
/// escape sequences or reorder the text around them.
///
/// These are the C0 controls U+0000–001F, DEL U+007F, the C1 controls U+0080–009F, LINE and
/// PARAGRAPH SEPARATOR U+2028/2029, and the bidirectional controls U+061C, U+200E/200F,
/// U+202A–202E and U+2066–2069. ``ScreenBuffer/put(_:at:style:clip:)`` draws a `?` instead of
/// any grapheme that contains one.
public func isTerminalUnsafe(_ scalar: Unicode.Scalar) -> Bool {
  let v = scalar.value
  switch v {
  case 0x00...0x1F, 0x7F...0x9F: return true
  case 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: return true
  default: return false
  }
}

/// The text a cell holds for `character`, and its width in columns (0, 1 or 2).
///
/// This is the one place where untrusted text becomes cell text, and backends may call it
/// again as a second line of defence:
/// - a grapheme containing a terminal-unsafe scalar (``isTerminalUnsafe(_:)``) becomes `"?"`,
///   width 1 (this includes `"\r\n"`, a single grapheme);
/// - a grapheme starting with a zero-width scalar (a stray combining mark, a zero-width space)
///   becomes `""`, width 0, and is not drawn;
/// - a grapheme of more than 16 scalars (for example "Zalgo" text) keeps only its first scalar;
/// - an emoji ZWJ sequence (`👨‍👩‍👧`, with U+200D) keeps only its first scalar: terminals draw
///   such sequences as one glyph, or as their parts side by side, so no width is right for all;
/// - the emoji presentation selector U+FE0F after a narrow base (`❤️`) is dropped: some
///   terminals widen the base to two columns, others do not, so the base is drawn as text;
/// - anything else is kept as is, with the width of its first scalar.
public func sanitizedGrapheme(_ character: Character) -> (text: String, width: Int) {
  if let ascii = character.asciiValue {
    if ascii >= 0x20 && ascii < 0x7F { return (String(character), 1) }
    return (replacementText, 1)
  }
  let scalars = character.unicodeScalars
  guard let first = scalars.first else { return ("", 0) }
  var count = 0
  var joined = false
  var presentation = false
  for scalar in scalars {
    if isTerminalUnsafe(scalar) { return (replacementText, 1) }
    if scalar.value == 0x200D { joined = true }
    if scalar.value == 0xFE0F { presentation = true }
    count += 1
  }
  let width = displayWidth(of: first)
  if width == 0 { return ("", 0) }
  if count > maximumScalarsPerGrapheme || joined { return (String(first), width) }
  if presentation && width == 1 {
    var kept = String.UnicodeScalarView()
    for scalar in scalars where scalar.value != 0xFE0F { kept.append(scalar) }
    return (String(kept), width)
  }
  return (String(character), width)
}

/// What ``sanitizedGrapheme(_:)`` draws instead of a terminal-unsafe grapheme.
let replacementText = "?"
let maximumScalarsPerGrapheme = 16

/// The length of `text` when every byte is printable ASCII (0x20–0x7E), else nil.
func printableASCIICount(_ text: String) -> Int? {
  var count = 0
  for byte in text.utf8 {
    guard byte >= 0x20 && byte < 0x7F else { return nil }
    count += 1
  }
  return count
}

/// Binary search in a flat table of inclusive `[first, last]` pairs.
private func tableContains(_ table: [UInt32], _ value: UInt32) -> Bool {
  var low = 0
  var high = table.count / 2 - 1
  if high < 0 || value < table[0] || value > table[table.count - 1] { return false }
  while low <= high {
    let mid = (low + high) / 2
    if value < table[2 * mid] {
      high = mid - 1
    } else if value > table[2 * mid + 1] {
      low = mid + 1
    } else {
      return true
    }
  }
  return false
}
