// Label sets of exposition samples and exemplars: `{name="value",...}`, escapes, order, limits.

extension ExpositionScanner {
  /// Reads `name="value",...}` from just after `{`, leaving `c` after the `}`. Text 0.0.4 allows
  /// blanks around the tokens and a comma before `}`; OpenMetrics allows neither.
  mutating func labelSet(_ cursor: inout ByteCursor) throws(ScanFailure) {
    var c = cursor  // a local copy stays in registers; written back on every exit
    defer { cursor = c }
    let p = c.p
    var afterComma = false
    let first = labels.count
    while true {
      if !openMetrics { c.skipBlanks() }
      guard !c.atEnd else { throw fail(.malformed, "labels not closed with }") }
      if c.consume(UInt8(ascii: "}")) {
        if afterComma && openMetrics { throw fail(.malformed, "a comma before } (OpenMetrics)") }
        return
      }
      let ns = c.i
      if c.at(where: { isNameByte($0, first: true) && $0 != UInt8(ascii: ":") }) {
        c.advance()
        c.skip(while: { isNameByte($0, first: false) && $0 != UInt8(ascii: ":") })
      }
      let ne = c.i
      guard ne > ns else {
        throw fail(
          .malformed,
          c.current == UInt8(ascii: "\"")
            ? "quoted label names are not supported"
            : "expected a label name at \(quoted(p, c.i, min(c.end, c.i + 20)))")
      }
      if !openMetrics { c.skipBlanks() }
      guard c.consume(UInt8(ascii: "=")) else {
        throw fail(.malformed, "expected = after label \(text(p, ns, ne))")
      }
      if !openMetrics { c.skipBlanks() }
      guard c.consume(UInt8(ascii: "\"")) else {
        throw fail(.malformed, "label \(text(p, ns, ne)) needs a quoted value")
      }
      let label = try labelValue(&c, name: ns, ne)
      guard labels.count - first < ExpositionScanner.maxLabelsPerSample else {
        throw fail(
          .malformed, "more than \(ExpositionScanner.maxLabelsPerSample) labels on one sample")
      }
      guard labels.count < ExpositionScanner.maxLabels else {
        throw fail(
          .seriesLimit, "more than \(ExpositionScanner.maxLabels) labels in one exposition")
      }
      labels.append(label)
      if !openMetrics { c.skipBlanks() }
      guard !c.atEnd else { throw fail(.malformed, "labels not closed with }") }
      if c.consume(UInt8(ascii: ",")) {
        afterComma = true
      } else if c.consume(UInt8(ascii: "}")) {
        return
      } else {
        throw fail(.malformed, "expected , or } after the value of label \(text(p, ns, ne))")
      }
    }
  }

  /// The value of label `p[ns..<ne]` from just after its opening quote, leaving `c` after the
  /// closing quote. A value with escapes is unescaped into `scratch`; one without stays a
  /// range of the record.
  @inline(__always)
  mutating func labelValue(_ cursor: inout ByteCursor, name ns: Int, _ ne: Int)
    throws(ScanFailure) -> ExpositionLabel
  {
    var c = cursor  // a local copy stays in registers; written back on every exit
    defer { cursor = c }
    let p = c.p
    let vs = c.i
    var out = -1
    while true {
      guard !c.atEnd else {
        throw fail(.malformed, "label value of \(text(p, ns, ne)) is not terminated")
      }
      let b = c.current
      if b == UInt8(ascii: "\"") { break }
      if b == UInt8(ascii: "\\") {
        if out < 0 {
          out = scratch.count
          scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[vs..<c.i]))
        }
        guard c.i + 1 < c.end else {
          throw fail(.malformed, "label value of \(text(p, ns, ne)) is not terminated")
        }
        try unescape(p, c.i)
        c.advance(2)
        continue
      }
      if out >= 0 { scratch.append(b) }
      c.advance()
    }
    let label =
      out >= 0
      ? ExpositionLabel(
        nameStart: Int32(ns), nameEnd: Int32(ne), valueStart: Int32(out),
        valueEnd: Int32(scratch.count), inScratch: true)
      : ExpositionLabel(
        nameStart: Int32(ns), nameEnd: Int32(ne), valueStart: Int32(vs), valueEnd: Int32(c.i),
        inScratch: false)
    c.advance()  // closing quote
    return label
  }

  /// Appends the byte escape `p[i..<i + 2]` stands for to `scratch`.
  mutating func unescape(_ p: UnsafeRawBufferPointer, _ i: Int) throws(ScanFailure) {
    switch p[i + 1] {
    case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
    case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
    case UInt8(ascii: "n"): scratch.append(0x0A)
    default:
      // OpenMetrics: a backslash before any other character stands for itself ("Escaping":
      // `\a` is `\\a`); Prometheus's scraper also keeps an unknown escape as written.
      if openMetrics {
        scratch.append(p[i])
        scratch.append(p[i + 1])
        return
      }
      // Prometheus's scraper keeps an unknown escape as written.
      Self.notes(
        &warnings, lineNumber,
        "unknown escape \(quoted(p, i, i + 2)) in a label value, kept as written")
      scratch.append(p[i])
      scratch.append(p[i + 1])
    }
  }

  /// Sorts a sample's labels by name (insertion sort: few labels) and rejects a repeated name.
  mutating func sortLabels(_ p: UnsafeRawBufferPointer, _ start: Int, _ count: Int)
    throws(ScanFailure)
  {
    guard count > 1 else { return }
    for k in (start + 1)..<(start + count) {
      let item = labels[k]
      var j = k - 1
      while j >= start && compareNames(p, labels[j], item) > 0 {
        labels[j + 1] = labels[j]
        j -= 1
      }
      labels[j + 1] = item
    }
    for k in (start + 1)..<(start + count) where compareNames(p, labels[k - 1], labels[k]) == 0 {
      throw fail(
        .malformed,
        "label \(text(p, Int(labels[k].nameStart), Int(labels[k].nameEnd))) appears twice")
    }
  }

  func compareNames(_ p: UnsafeRawBufferPointer, _ a: ExpositionLabel, _ b: ExpositionLabel)
    -> Int
  {
    compareBytes(
      UnsafeRawBufferPointer(rebasing: p[Int(a.nameStart)..<Int(a.nameEnd)]),
      UnsafeRawBufferPointer(rebasing: p[Int(b.nameStart)..<Int(b.nameEnd)]))
  }
}

/// The number of Unicode scalars in valid UTF-8 `p[s..<e]`.
func utf8Scalars(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int {
  var n = 0
  for k in s..<e where p[k] & 0xC0 != 0x80 { n += 1 }
  return n
}
