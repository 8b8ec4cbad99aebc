// OpenMetrics metadata and families (OpenMetrics 1.0, "MetricFamily metadata", "Suffixes"):
// `# HELP`/`# TYPE`/`# UNIT`, contiguous families, names that cannot clash, sample suffixes,
// exemplars.

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
    guard !c.atEnd else {
      throw fail(.malformed, "# \(what) \(text(p, nameStart, nameEnd)) needs a space and a value")
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
      if f.hasUnit && (type == .info || type == .stateSet) {
        throw fail(.malformed, "a \(type.name) family has no unit")
      }
    case .unit:
      if f.sawUnit { throw fail(.malformed, "second # UNIT for this family") }
      f.sawUnit = true
      f.hasUnit = restStart < e
      try checkUnit(p, unit: restStart, e, family: nameStart, nameEnd)
      if f.hasUnit && (f.type == .info || f.type == .stateSet) {
        throw fail(.malformed, "a \(f.type.name) family has no unit")
      }
    }
  }

  /// HELP text is an escaped-string: `\\`, `\n`, `\"` and a backslash before any other
  /// character (kept as written) are fine; a backslash that ends the line escapes nothing.
  func checkHelpText(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) throws(ScanFailure) {
    var i = s
    while i < e {
      if p[i] == UInt8(ascii: "\\") {
        guard i + 1 < e else { throw fail(.malformed, "HELP text ends with a lone backslash") }
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
    guard familyTypes[name] == nil else {
      throw fail(.malformed, "family \(name) appears twice: its lines must be contiguous")
    }
    family = Family(start: s, end: e, line: lineNumber)
  }

  mutating func endFamily(_ p: UnsafeRawBufferPointer) throws(ScanFailure) {
    try finishPoint(p)
    guard let f = family else { return }
    family = nil
    let name = text(p, f.start, f.end)
    try checkClash(name, f)
    familyTypes[name] = f.type
  }

  /// "Suffixes": no sample name a family may have is another family's name.
  func checkClash(_ name: String, _ f: Family) throws(ScanFailure) {
    func clash(_ other: String, _ sample: String) -> ScanFailure {
      ScanFailure(
        line: f.line, reason: .malformed,
        detail:
          "family \(name) clashes with family \(other): both could have samples named \(sample); the whole exposition was rejected"
      )
    }
    for suffix in Self.sampleSuffixes(f.type) where familyTypes[name + suffix] != nil {
      throw clash(name + suffix, name + suffix)
    }
    let bytes = name.utf8
    for suffix in Self.allSuffixes
    where bytes.count > suffix.utf8.count
      && bytes.suffix(suffix.utf8.count).elementsEqual(suffix.utf8)
    {
      let base = String(decoding: bytes.dropLast(suffix.utf8.count), as: UTF8.self)
      if let t = familyTypes[base], Self.sampleSuffixes(t).contains(suffix) {
        throw clash(base, name)
      }
    }
  }

  static func sampleSuffixes(_ type: ExpositionType) -> [String] {
    switch type {
    case .counter: ["_total", "_created"]
    case .histogram: ["_bucket", "_count", "_sum", "_created"]
    case .summary: ["_count", "_sum", "_created"]
    case .gaugeHistogram: ["_bucket", "_gcount", "_gsum"]
    case .info: ["_info"]
    default: []
    }
  }

  static let allSuffixes = [
    "_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info",
  ]

  /// The family of an OpenMetrics sample named `p[s..<e]`, starting a new (unknown) one when it
  /// belongs to none.
  mutating func openMetricsPart(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int)
    throws(ScanFailure) -> (familyEnd: Int, part: OpenMetricsPart, type: ExpositionType)
  {
    if let f = family {
      let fl = f.end - f.start
      if e - s >= fl && equalRanges(p, f.start, f.end, s, s + fl) {
        if let part = openMetricsPart(f.type, p, s + fl, e) {
          family?.hasSamples = true
          return (s + fl, part, f.type)
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
    return (e, .value, .unknown)
  }

  func openMetricsPart(
    _ type: ExpositionType, _ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int
  ) -> OpenMetricsPart? {
    switch type {
    case .counter:
      if equals(p, s, e, "_total") { return .total }
      return equals(p, s, e, "_created") ? .created : nil
    case .histogram, .summary:
      if type == .histogram && equals(p, s, e, "_bucket") { return .bucket }
      if type == .summary && s == e { return .quantile }
      if equals(p, s, e, "_count") { return .count }
      if equals(p, s, e, "_sum") { return .sum }
      return equals(p, s, e, "_created") ? .created : nil
    case .gaugeHistogram:
      if equals(p, s, e, "_bucket") { return .bucket }
      if equals(p, s, e, "_gcount") { return .gcount }
      return equals(p, s, e, "_gsum") ? .gsum : nil
    case .info:
      return equals(p, s, e, "_info") ? .info : nil
    case .stateSet:
      return s == e ? .state : nil
    case .gauge, .unknown:
      return s == e ? .value : nil
    }
  }

  func suffixes(_ type: ExpositionType) -> String {
    switch type {
    case .counter: "_total, _created"
    case .histogram: "_bucket, _count, _sum, _created"
    case .summary: "_count, _sum, _created, or none with a quantile label"
    case .gaugeHistogram: "_bucket, _gcount, _gsum"
    case .info: "_info"
    default: "none"
    }
  }

  // MARK: - Values and exemplars

  /// An OpenMetrics exemplar `{labels} value [timestamp]` from `{`: checked, then dropped
  /// (its value is returned for the bucket check).
  mutating func exemplar(_ c: inout ByteCursor) throws(ScanFailure) -> Double {
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
    guard let value = GoFloat.parse(p, vs, c.i) else {
      throw fail(.badValue, "exemplar value \(quoted(p, vs, c.i)) is not a number")
    }
    if c.consume(0x20) {
      guard scanDecimal(p, c.i, c.end, json: false) != nil else {
        throw fail(.badTimestamp, "exemplar timestamp \(quoted(p, c.i, c.end)) is not a number")
      }
    }
    return value
  }
}
