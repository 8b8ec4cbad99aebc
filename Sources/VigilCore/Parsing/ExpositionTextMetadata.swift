// Text 0.0.4 metadata: `# HELP` and `# TYPE` lines, and the types of samples read before them.

extension ExpositionScanner {
  // MARK: - Text 0.0.4 metadata

  /// A `#` line from just after the `#`: `HELP` and `TYPE` are metadata, anything else is a
  /// comment.
  mutating func textComment(_ p: UnsafeRawBufferPointer, from start: Int) throws(ScanFailure) {
    var c = ByteCursor(p, start, lineEnd)
    c.skipBlanks()
    let wordStart = c.take(while: { !isBlank($0) })
    let isHelp = equals(p, wordStart, c.i, "HELP")
    let isType = equals(p, wordStart, c.i, "TYPE")
    guard (isHelp || isType) && !c.atEnd else { return }  // an ordinary comment
    c.skipBlanks()
    let nameStart = c.takeMetricName()
    let nameEnd = c.i
    guard nameEnd > nameStart, c.atEnd || isBlank(c.current) else {
      throw fail(.malformed, "\(isHelp ? "HELP" : "TYPE") needs a metric name")
    }
    let name = text(p, nameStart, nameEnd)
    if isHelp {
      if helped.insert(name).inserted == false {
        warn(.malformed, "second HELP line for \(name)")
      }
      return
    }
    c.skipBlanks()
    let typeStart = c.take(while: { !isBlank($0) })
    let typeEnd = c.i
    c.skipBlanks()
    guard typeEnd > typeStart else { throw fail(.malformed, "TYPE \(name) has no type") }
    guard let type = ExpositionType.parse(p, typeStart, typeEnd, openMetrics: false) else {
      throw fail(
        .malformed,
        "unknown type \(quoted(p, typeStart, typeEnd)) (counter, gauge, histogram, summary or untyped)"
      )
    }
    guard c.atEnd else {
      throw fail(.malformed, "unexpected text after the type: \(quoted(p, c.i, lineEnd))")
    }
    if let first = declared[name] {
      warn(.malformed, "second TYPE line for \(name); the first (line \(first.line)) applies")
      context = (nameStart, nameEnd, first.type)
    } else {
      declared[name] = (type, lineNumber)
      context = (nameStart, nameEnd, type)
    }
  }

  /// Gives every sample read before its `# TYPE` line its role (F6: the type applies to the
  /// whole body, with one warning per family).
  mutating func resolveTextTypes(_ p: UnsafeRawBufferPointer) throws(ScanFailure) {
    var warned = Set<String>()
    // The last name resolved; its family is the name minus `suffix` bytes.
    var cache: (start: Int, end: Int, suffix: Int, role: SampleRole, type: ExpositionType)? = nil
    for k in samples.indices where samples[k].role == .unresolved {
      let s = samples[k]
      let ns = Int(s.nameStart)
      let ne = Int(s.nameEnd)
      if let c = cache, equalRanges(p, c.start, c.end, ns, ne) {
        samples[k].familyEnd = Int32(ne - c.suffix)
        samples[k].type = c.type
        try assign(p, k, role: c.role)
        continue
      }
      var result: (familyEnd: Int, role: SampleRole, type: ExpositionType) = (ne, .gauge, .unknown)
      if !declared.isEmpty {
        let suffixes: [StaticString] = ["", "_bucket", "_count", "_sum", "_total"]
        for suffix in suffixes {
          let sl = suffix.utf8CodeUnitCount
          guard ne - ns > sl else { continue }
          let fe = ne - sl
          if sl > 0 && !hasSuffix(p, ns, ne, suffix) { continue }
          guard let d = declared[text(p, ns, fe)],
            let role = textRole(d.type, p, fe, ne)
          else { continue }
          result = (fe, role, d.type)
          if d.line > Int(s.line) && warned.insert(text(p, ns, fe)).inserted {
            Self.notes(
              &warnings, d.line,
              "TYPE for \(text(p, ns, fe)) comes after its samples (line \(s.line)); applied to them"
            )
          }
          break
        }
      }
      cache = (ns, ne, ne - result.familyEnd, result.role, result.type)
      samples[k].familyEnd = Int32(result.familyEnd)
      samples[k].type = result.type
      try assign(p, k, role: result.role)
    }
  }

  /// The role of a sample named `family + p[s..<e]` in a text 0.0.4 family of `type`.
  func textRole(_ type: ExpositionType, _ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int)
    -> SampleRole?
  {
    switch type {
    case .counter:
      // `# TYPE foo counter` with `foo_total` samples (as OpenMetrics names them) is taken as
      // the counter it obviously is.
      return s == e || equals(p, s, e, "_total") ? .counter : nil
    case .histogram:
      if equals(p, s, e, "_bucket") { return .bucket }
      return equals(p, s, e, "_count") || equals(p, s, e, "_sum") ? .counter : nil
    case .summary:
      if s == e { return .quantile }
      return equals(p, s, e, "_count") || equals(p, s, e, "_sum") ? .counter : nil
    default:
      return s == e ? .gauge : nil
    }
  }
}
