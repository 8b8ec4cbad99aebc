// OpenMetrics metadata and families: `# HELP`/`# TYPE`/`# UNIT`, contiguous families, sample
// suffixes, histogram bucket order, exemplars.

extension ExpositionScanner {
  // MARK: - OpenMetrics metadata

  /// The `#` lines OpenMetrics allows before a family's samples (`# EOF` is read by `scan`).
  enum MetadataKind: String {
    case help = "HELP"
    case type = "TYPE"
    case unit = "UNIT"
  }

  /// A `# HELP`, `# TYPE` or `# UNIT` line: it opens its family or adds to the open one.
  mutating func openMetricsMetadata(_ p: UnsafeRawBufferPointer) throws(ScanFailure) {
    var c = ByteCursor(p, lineStart, lineEnd)
    let kind: MetadataKind
    if c.at("# HELP ") {
      kind = .help
    } else if c.at("# TYPE ") {
      kind = .type
    } else if c.at("# UNIT ") {
      kind = .unit
    } else {
      throw fail(
        .malformed, "unknown # line: OpenMetrics allows only # HELP, # TYPE, # UNIT and # EOF")
    }
    let what = kind.rawValue
    c.advance(7)
    let nameStart = c.takeMetricName()
    let nameEnd = c.i
    guard nameEnd > nameStart, c.atEnd || c.current == 0x20 else {
      throw fail(.malformed, "# \(what) needs a metric name")
    }
    let e = lineEnd
    let restStart = nameEnd < e ? nameEnd + 1 : e
    if let f = family, equalRanges(p, f.start, f.end, nameStart, nameEnd) {
      if f.hasSamples {
        throw fail(.malformed, "# \(what) for \(text(p, nameStart, nameEnd)) after its samples")
      }
    } else {
      try endFamily(p)
      try startFamily(p, nameStart, nameEnd)
    }
    guard var f = family else { return }
    defer { family = f }
    switch kind {
    case .help:
      if f.sawHelp { throw fail(.malformed, "second # HELP for this family") }
      f.sawHelp = true
      try checkHelpText(p, restStart, e)
    case .type:
      if f.sawType { throw fail(.malformed, "second # TYPE for this family") }
      guard let type = ExpositionType.parse(p, restStart, e, openMetrics: true) else {
        throw fail(.malformed, "unknown type \(quoted(p, restStart, e))")
      }
      f.sawType = true
      f.type = type
    case .unit:
      if f.sawUnit { throw fail(.malformed, "second # UNIT for this family") }
      f.sawUnit = true
      try checkUnit(p, unit: restStart, e, family: nameStart, nameEnd)
    }
  }

  /// HELP text allows only the escapes `\\`, `\n` and `\"`.
  func checkHelpText(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) throws(ScanFailure) {
    var i = s
    while i < e {
      if p[i] == UInt8(ascii: "\\") {
        guard i + 1 < e,
          p[i + 1] == UInt8(ascii: "\\") || p[i + 1] == UInt8(ascii: "n")
            || p[i + 1] == UInt8(ascii: "\"")
        else { throw fail(.malformed, "invalid escape in HELP text (only \\\\, \\n and \\\")") }
        i += 2
      } else {
        i += 1
      }
    }
  }

  /// A unit `p[s..<e]` is a name-like word (or nothing) that the family name ends with, after `_`.
  func checkUnit(
    _ p: UnsafeRawBufferPointer, unit s: Int, _ e: Int, family nameStart: Int, _ nameEnd: Int
  ) throws(ScanFailure) {
    var i = s
    while i < e && isNameByte(p[i], first: false) { i += 1 }
    guard i == e else { throw fail(.malformed, "a unit is a metric-name-like word") }
    guard s < e else { return }
    let unitLength = e - s
    guard nameEnd - nameStart > unitLength + 1,
      equalRanges(p, nameEnd - unitLength, nameEnd, s, e),
      p[nameEnd - unitLength - 1] == UInt8(ascii: "_")
    else {
      throw fail(
        .malformed,
        "the family name \(text(p, nameStart, nameEnd)) must end with _\(text(p, s, e))"
      )
    }
  }

  mutating func startFamily(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int)
    throws(ScanFailure)
  {
    let name = text(p, s, e)
    guard !closedFamilies.contains(name) else {
      throw fail(.malformed, "family \(name) appears twice: its lines must be contiguous")
    }
    family = Family(start: s, end: e)
  }

  mutating func endFamily(_ p: UnsafeRawBufferPointer) throws(ScanFailure) {
    try endBucketRun()
    if let f = family { closedFamilies.insert(text(p, f.start, f.end)) }
    family = nil
  }

  mutating func endBucketRun() throws(ScanFailure) {
    if let r = run, !r.sawInf {
      throw ScanFailure(
        line: r.line, reason: .malformed,
        detail: "histogram has no le=\"+Inf\" bucket; the whole exposition was rejected")
    }
    run = nil
  }

  /// The family of an OpenMetrics sample named `p[s..<e]`, starting a new (unknown) one when it
  /// belongs to none.
  mutating func openMetricsRole(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int)
    throws(ScanFailure) -> (familyEnd: Int, role: SampleRole, type: ExpositionType)
  {
    if let f = family {
      let fl = f.end - f.start
      if e - s >= fl && equalRanges(p, f.start, f.end, s, s + fl) {
        if let role = openMetricsRole(f.type, p, s + fl, e) {
          family?.hasSamples = true
          return (s + fl, role, f.type)
        }
        if e - s == fl {
          throw fail(
            .malformed,
            "a \(f.type.name) family's samples need a suffix (\(suffixes(f.type))), not the bare name \(text(p, s, e))"
          )
        }
      }
    }
    try endFamily(p)
    try startFamily(p, s, e)
    family?.hasSamples = true
    return (e, .gauge, .unknown)
  }

  func openMetricsRole(
    _ type: ExpositionType, _ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int
  ) -> SampleRole? {
    switch type {
    case .counter:
      if equals(p, s, e, "_total") { return .counter }
      return equals(p, s, e, "_created") ? .created : nil
    case .histogram, .summary:
      if type == .histogram && equals(p, s, e, "_bucket") { return .bucket }
      if type == .summary && s == e { return .quantile }
      if equals(p, s, e, "_count") || equals(p, s, e, "_sum") { return .counter }
      return equals(p, s, e, "_created") ? .created : nil
    case .gaugeHistogram:
      return equals(p, s, e, "_bucket") || equals(p, s, e, "_gcount") || equals(p, s, e, "_gsum")
        ? .gauge : nil
    case .info:
      return equals(p, s, e, "_info") ? .gauge : nil
    case .gauge, .stateSet, .unknown:
      return s == e ? .gauge : nil
    }
  }

  func suffixes(_ type: ExpositionType) -> String {
    switch type {
    case .counter: "_total, _created"
    case .histogram: "_bucket, _count, _sum, _created"
    case .gaugeHistogram: "_bucket, _gcount, _gsum"
    case .info: "_info"
    default: "none"
    }
  }

  // MARK: - Values and exemplars

  /// OpenMetrics value rules: counters and bucket counts are not NaN nor negative; buckets of one
  /// histogram point come in increasing `le` order, with non-decreasing counts, ending in `+Inf`.
  mutating func openMetricsChecks(_ p: UnsafeRawBufferPointer, _ k: Int)
    throws(ScanFailure)
  {
    let s = samples[k]
    let isCount =
      s.role == .bucket
      || (s.role == .counter
        && (s.type == .counter || hasSuffix(p, Int(s.nameStart), Int(s.nameEnd), "_count")))
    if isCount && (s.value.isNaN || s.value < 0) {
      throw fail(.badValue, "a counter or bucket count cannot be NaN or negative")
    }
    guard s.role == .bucket && s.type == .histogram else {
      try endBucketRun()
      return
    }
    let hash = seriesHash(p, s, skipping: s.boundLabel)
    if var r = run, r.hash == hash {
      guard s.bound > r.lastBound else {
        throw fail(.malformed, "buckets must be in increasing le order")
      }
      guard s.value >= r.lastCount else {
        throw fail(.badValue, "bucket counts must not decrease as le grows")
      }
      r.lastBound = s.bound
      r.lastCount = s.value
      r.sawInf = s.bound == .infinity
      run = r
    } else {
      try endBucketRun()
      run = BucketRun(
        hash: hash, lastBound: s.bound, lastCount: s.value,
        sawInf: s.bound == .infinity, line: lineNumber)
    }
  }

  /// An OpenMetrics exemplar `{labels} value [timestamp]` from `{`: checked, then dropped.
  mutating func exemplar(_ c: inout ByteCursor) throws(ScanFailure) {
    let p = c.p
    guard c.consume(UInt8(ascii: "{")) else {
      throw fail(.malformed, "an exemplar starts with {")
    }
    let mark = labels.count
    let scratchMark = scratch.count
    try labelSet(&c)
    var length = 0
    for l in labels[mark...] {
      length += utf8Scalars(p, Int(l.nameStart), Int(l.nameEnd))
      length += withValue(p, l) { utf8Scalars($0, $1, $2) }
    }
    labels.removeSubrange(mark...)
    scratch.removeSubrange(scratchMark...)
    guard length <= 128 else {
      throw fail(.malformed, "exemplar labels longer than 128 characters")
    }
    guard c.consume(0x20) else { throw fail(.malformed, "an exemplar needs a value") }
    let vs = c.take(until: 0x20)
    guard GoFloat.parse(p, vs, c.i) != nil else {
      throw fail(.badValue, "exemplar value \(quoted(p, vs, c.i)) is not a number")
    }
    if c.consume(0x20) {
      guard GoFloat.seconds(p, c.i, c.end) != nil else {
        throw fail(.badTimestamp, "exemplar timestamp \(quoted(p, c.i, c.end)) is not a number")
      }
    }
  }
}
