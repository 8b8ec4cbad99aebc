/// The metric types a `# TYPE` line can declare.
enum ExpositionType: UInt8, Sendable {
  case counter, gauge, histogram, gaugeHistogram, stateSet, info, summary, unknown

  /// `untyped` (0.0.4) and `unknown` (OpenMetrics) are the same thing.
  static func parse(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int, openMetrics: Bool)
    -> ExpositionType?
  {
    if equals(p, s, e, "counter") { return .counter }
    if equals(p, s, e, "gauge") { return .gauge }
    if equals(p, s, e, "histogram") { return .histogram }
    if equals(p, s, e, "summary") { return .summary }
    if openMetrics {
      if equals(p, s, e, "gaugehistogram") { return .gaugeHistogram }
      if equals(p, s, e, "stateset") { return .stateSet }
      if equals(p, s, e, "info") { return .info }
      if equals(p, s, e, "unknown") { return .unknown }
    } else if equals(p, s, e, "untyped") {
      return .unknown
    }
    return nil
  }

  var name: String {
    switch self {
    case .counter: "counter"
    case .gauge: "gauge"
    case .histogram: "histogram"
    case .gaugeHistogram: "gaugehistogram"
    case .stateSet: "stateset"
    case .info: "info"
    case .summary: "summary"
    case .unknown: "untyped"
    }
  }
}

/// What a sample line is to its family, which decides what Vigil makes of it.
enum SampleRole: UInt8, Sendable {
  /// A value as it is (gauge, untyped, info, stateset, gauge histogram parts).
  case gauge
  /// A cumulative value: counters, and histogram and summary `_count`/`_sum`.
  case counter
  /// OpenMetrics `_created`: a new value marks a reset of the family's counters.
  case created
  /// A histogram `_bucket` with its `le` in ``ExpositionSample/bound``.
  case bucket
  /// A summary quantile with its `quantile` in ``ExpositionSample/bound``.
  case quantile
  /// Text 0.0.4: no `# TYPE` seen yet for it; resolved once the whole body is read.
  case unresolved
}

/// A label as offsets: the name in the record, the value in the record or (when it had
/// escapes) in the scanner's scratch buffer.
struct ExpositionLabel: Sendable {
  var nameStart: Int32
  var nameEnd: Int32
  var valueStart: Int32
  var valueEnd: Int32
  var inScratch: Bool
}

/// One sample line of an exposition.
struct ExpositionSample: Sendable {
  var nameStart: Int32
  var nameEnd: Int32
  /// The family name is `record[nameStart..<familyEnd]` (the name without its suffix).
  var familyEnd: Int32
  /// Labels `labels[labelStart..<labelStart + labelCount]`, sorted by name.
  var labelStart: Int32
  var labelCount: Int32
  /// The line within the body (1-based).
  var line: Int32
  var role: SampleRole
  var type: ExpositionType
  var hasTimestamp: Bool
  var value: Double
  /// Nanoseconds, when `hasTimestamp`.
  var timestamp: Int64
  /// `le` of a bucket, `quantile` of a summary quantile.
  var bound: Double
  /// The index in `labels` of the `le` or `quantile` label; -1 when there is none.
  var boundLabel: Int32
}

/// Why an exposition is rejected as a whole.
struct ScanFailure: Error {
  var line: Int
  var reason: RejectReason
  var detail: String
}

/// A problem that rejects nothing or only one sample (warnings, duplicates).
struct ScanNote: Sendable {
  var line: Int
  var reason: RejectReason
  var detail: String
}

/// Pass 1 of ``PrometheusParser``: reads a whole body into samples and checks every rule that
/// can reject it, without touching any state outside itself, so a rejected body changes nothing.
///
/// Text 0.0.4 (SEMANTICS §9.1) follows Prometheus's scraper: blanks and tabs separate tokens,
/// `#` lines other than `HELP` and `TYPE` are comments, a `TYPE` may come late (F6, a warning),
/// a duplicate series keeps the first (F5). OpenMetrics (§9.2) follows its specification: single
/// spaces, no blank lines, `# EOF` last (F8), metadata before the samples of a family, families
/// contiguous and unique, sample names made of the family name and the suffixes its type allows
/// (F10), exemplars checked and dropped, histogram buckets in increasing `le` order with
/// non-decreasing counts and a `+Inf` bucket. Any violation rejects the whole body.
struct ExpositionScanner: Sendable {
  let openMetrics: Bool
  /// Most samples one body may hold (like Prometheus's `sample_limit`, the body fails above it).
  let maxSamples: Int
  /// Most labels on one sample, and in one body.
  static let maxLabelsPerSample = 128
  static let maxLabels = 1_000_000

  var samples: [ExpositionSample] = []
  var labels: [ExpositionLabel] = []
  /// Unescaped label values.
  var scratch: [UInt8] = []
  var warnings: [ScanNote] = []
  /// Duplicate series (text 0.0.4), each dropped.
  var duplicates: [ScanNote] = []
  /// Some sample is a `_created` (so the parser runs its reset pre-pass).
  var sawCreated = false

  // Duplicate detection: an open-addressing table of sample indices by hash.
  private var hashes: [UInt64] = []
  private var table: [Int32] = []

  // Text 0.0.4 metadata: declared types (first wins) and HELP names.
  private var declared: [String: (type: ExpositionType, line: Int)] = [:]
  private var helped: Set<String> = []
  /// The last `# TYPE` line, for resolving samples that follow it without a lookup.
  private var context: (start: Int, end: Int, type: ExpositionType)? = nil
  private var unresolved = 0

  // OpenMetrics family state.
  private struct Family {
    var start: Int
    var end: Int
    var type: ExpositionType = .unknown
    var hasSamples = false
    var sawType = false
    var sawHelp = false
    var sawUnit = false
  }
  private var family: Family? = nil
  private var closedFamilies: Set<String> = []
  // OpenMetrics histogram point being read: its label hash (without `le`), last bound and count.
  private struct BucketRun {
    /// Of the name and the labels other than `le`.
    var hash: UInt64
    var lastBound: Double
    var lastCount: Double
    var sawInf: Bool
    var line: Int
  }
  private var run: BucketRun? = nil

  // The line being read, for messages.
  private var lineNumber = 0
  private var lineStart = 0
  private var lineEnd = 0

  init(openMetrics: Bool, maxSamples: Int) {
    self.openMetrics = openMetrics
    self.maxSamples = maxSamples
  }

  // MARK: - Body

  /// Reads `p`; throws the first problem that rejects the whole body.
  mutating func scan(_ p: UnsafeRawBufferPointer) throws(ScanFailure) {
    samples.removeAll(keepingCapacity: true)
    labels.removeAll(keepingCapacity: true)
    scratch.removeAll(keepingCapacity: true)
    warnings.removeAll(keepingCapacity: true)
    duplicates.removeAll(keepingCapacity: true)
    hashes.removeAll(keepingCapacity: true)
    resetTable(capacity: max(64, table.count))  // the last body's size is a good guess
    declared.removeAll(keepingCapacity: true)
    helped.removeAll(keepingCapacity: true)
    closedFamilies.removeAll(keepingCapacity: true)
    context = nil
    family = nil
    run = nil
    unresolved = 0
    sawCreated = false
    lineNumber = 0

    let n = p.count
    var pos = 0
    var sawEOF = false
    while pos < n {
      lineNumber += 1
      let nl = firstIndex(of: 0x0A, in: p, from: pos, to: n)
      lineStart = pos
      lineEnd = nl
      pos = nl < n ? nl + 1 : n
      if sawEOF { throw fail(.malformed, "text after # EOF (it must be the last line)") }
      if nl == n && !openMetrics {
        warn(.malformed, "the last line does not end with a newline")
      }
      if openMetrics {
        if lineStart == lineEnd { throw fail(.malformed, "empty line (OpenMetrics has none)") }
        if p[lineStart] == UInt8(ascii: "#") {
          if equals(p, lineStart, lineEnd, "# EOF") {
            try endFamily(p)
            sawEOF = true
          } else {
            try openMetricsMetadata(p)
          }
        } else {
          try sampleLine(p)
        }
        continue
      }
      var s = lineStart
      while s < lineEnd && isBlank(p[s]) { s += 1 }
      if s == lineEnd { continue }
      if p[s] == UInt8(ascii: "#") {
        try textComment(p, from: s + 1)
      } else {
        try sampleLine(p, from: s)
      }
    }
    if openMetrics && !sawEOF {
      lineNumber += 1
      lineStart = n
      lineEnd = n
      throw fail(.malformed, "no # EOF line at the end: the exposition is incomplete")
    }
    if !openMetrics && unresolved > 0 { try resolveTextTypes(p) }
  }

  // MARK: - Text 0.0.4 metadata

  private mutating func textComment(_ p: UnsafeRawBufferPointer, from start: Int)
    throws(ScanFailure)
  {
    var i = start
    while i < lineEnd && isBlank(p[i]) { i += 1 }
    let wordStart = i
    while i < lineEnd && !isBlank(p[i]) { i += 1 }
    let isHelp = equals(p, wordStart, i, "HELP")
    let isType = equals(p, wordStart, i, "TYPE")
    guard (isHelp || isType) && i < lineEnd else { return }  // an ordinary comment
    while i < lineEnd && isBlank(p[i]) { i += 1 }
    let nameStart = i
    i = scanMetricName(p, i, lineEnd)
    let nameEnd = i
    guard nameEnd > nameStart, i == lineEnd || isBlank(p[i]) else {
      throw fail(.malformed, "\(isHelp ? "HELP" : "TYPE") needs a metric name")
    }
    let name = text(p, nameStart, nameEnd)
    if isHelp {
      if helped.insert(name).inserted == false {
        warn(.malformed, "second HELP line for \(name)")
      }
      return
    }
    while i < lineEnd && isBlank(p[i]) { i += 1 }
    let typeStart = i
    while i < lineEnd && !isBlank(p[i]) { i += 1 }
    let typeEnd = i
    while i < lineEnd && isBlank(p[i]) { i += 1 }
    guard typeEnd > typeStart else { throw fail(.malformed, "TYPE \(name) has no type") }
    guard let type = ExpositionType.parse(p, typeStart, typeEnd, openMetrics: false) else {
      throw fail(
        .malformed,
        "unknown type \(quoted(p, typeStart, typeEnd)) (counter, gauge, histogram, summary or untyped)"
      )
    }
    guard i == lineEnd else {
      throw fail(.malformed, "unexpected text after the type: \(quoted(p, i, lineEnd))")
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
  private mutating func resolveTextTypes(_ p: UnsafeRawBufferPointer) throws(ScanFailure) {
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
  private func textRole(_ type: ExpositionType, _ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int)
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

  // MARK: - OpenMetrics metadata

  private mutating func openMetricsMetadata(_ p: UnsafeRawBufferPointer) throws(ScanFailure) {
    let s = lineStart
    let e = lineEnd
    var kind = 0  // 1 HELP, 2 TYPE, 3 UNIT
    if e - s >= 7 && equals(p, s, s + 7, "# HELP ") {
      kind = 1
    } else if e - s >= 7 && equals(p, s, s + 7, "# TYPE ") {
      kind = 2
    } else if e - s >= 7 && equals(p, s, s + 7, "# UNIT ") {
      kind = 3
    }
    guard kind > 0 else {
      throw fail(
        .malformed, "unknown # line: OpenMetrics allows only # HELP, # TYPE, # UNIT and # EOF")
    }
    let what = kind == 1 ? "HELP" : (kind == 2 ? "TYPE" : "UNIT")
    let nameStart = s + 7
    let nameEnd = scanMetricName(p, nameStart, e)
    guard nameEnd > nameStart, nameEnd == e || p[nameEnd] == 0x20 else {
      throw fail(.malformed, "# \(what) needs a metric name")
    }
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
    case 1:
      if f.sawHelp { throw fail(.malformed, "second # HELP for this family") }
      f.sawHelp = true
      var i = restStart
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
    case 2:
      if f.sawType { throw fail(.malformed, "second # TYPE for this family") }
      guard let type = ExpositionType.parse(p, restStart, e, openMetrics: true) else {
        throw fail(.malformed, "unknown type \(quoted(p, restStart, e))")
      }
      f.sawType = true
      f.type = type
    default:
      if f.sawUnit { throw fail(.malformed, "second # UNIT for this family") }
      f.sawUnit = true
      var i = restStart
      while i < e && isNameByte(p[i], first: false) { i += 1 }
      guard i == e else { throw fail(.malformed, "a unit is a metric-name-like word") }
      if restStart < e {
        let unitLength = e - restStart
        guard nameEnd - nameStart > unitLength + 1,
          equalRanges(p, nameEnd - unitLength, nameEnd, restStart, e),
          p[nameEnd - unitLength - 1] == UInt8(ascii: "_")
        else {
          throw fail(
            .malformed,
            "the family name \(text(p, nameStart, nameEnd)) must end with _\(text(p, restStart, e))"
          )
        }
      }
    }
  }

  private mutating func startFamily(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int)
    throws(ScanFailure)
  {
    let name = text(p, s, e)
    guard !closedFamilies.contains(name) else {
      throw fail(.malformed, "family \(name) appears twice: its lines must be contiguous")
    }
    family = Family(start: s, end: e)
  }

  private mutating func endFamily(_ p: UnsafeRawBufferPointer) throws(ScanFailure) {
    try endBucketRun()
    if let f = family { closedFamilies.insert(text(p, f.start, f.end)) }
    family = nil
  }

  private mutating func endBucketRun() throws(ScanFailure) {
    if let r = run, !r.sawInf {
      throw ScanFailure(
        line: r.line, reason: .malformed,
        detail: "histogram has no le=\"+Inf\" bucket; the whole exposition was rejected")
    }
    run = nil
  }

  /// The family of an OpenMetrics sample named `p[s..<e]`, starting a new (unknown) one when it
  /// belongs to none.
  private mutating func openMetricsRole(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int)
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

  private func openMetricsRole(
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

  private func suffixes(_ type: ExpositionType) -> String {
    switch type {
    case .counter: "_total, _created"
    case .histogram: "_bucket, _count, _sum, _created"
    case .gaugeHistogram: "_bucket, _gcount, _gsum"
    case .info: "_info"
    default: "none"
    }
  }

  // MARK: - Samples

  private mutating func sampleLine(_ p: UnsafeRawBufferPointer, from start: Int? = nil)
    throws(ScanFailure)
  {
    let e = lineEnd
    var i = start ?? lineStart
    let nameStart = i
    i = scanMetricName(p, i, e)
    let nameEnd = i
    if nameEnd == nameStart {
      if i < e && p[i] == UInt8(ascii: "{") {
        throw fail(
          .malformed, "a sample needs a metric name before { (quoted names are not supported)")
      }
      throw fail(.malformed, "expected a metric name at \(quoted(p, i, min(e, i + 20)))")
    }
    guard samples.count < maxSamples else {
      throw fail(
        .seriesLimit,
        "more than \(maxSamples) samples in one exposition (the sample limit)")
    }
    if !openMetrics {
      var j = i
      while j < e && isBlank(p[j]) { j += 1 }
      if j < e && p[j] == UInt8(ascii: "{") { i = j }
    }
    let labelStart = labels.count
    let scratchMark = scratch.count
    if i < e && p[i] == UInt8(ascii: "{") {
      i = try labelSet(p, i + 1, e)
    }
    let labelCount = labels.count - labelStart
    try sortLabels(p, labelStart, labelCount)

    // Value.
    if openMetrics {
      guard i < e && p[i] == 0x20 else {
        throw fail(.malformed, i < e ? "expected one space before the value" : "missing value")
      }
      i += 1
    } else {
      guard i < e && isBlank(p[i]) else {
        throw fail(
          .malformed, i < e ? "unexpected \(quoted(p, i, i + 1)) after the name" : "missing value")
      }
      while i < e && isBlank(p[i]) { i += 1 }
    }
    let valueStart = i
    while i < e && !(openMetrics ? p[i] == 0x20 : isBlank(p[i])) { i += 1 }
    guard i > valueStart else { throw fail(.malformed, "missing value") }
    guard let value = GoFloat.parse(p, valueStart, i) else {
      throw fail(.badValue, "value \(quoted(p, valueStart, i)) is not a number (Go float syntax)")
    }

    // Timestamp (and OpenMetrics exemplar).
    var timestamp: Int64 = 0
    var hasTimestamp = false
    if openMetrics {
      if i < e && e - i >= 2 && p[i + 1] != UInt8(ascii: "#") {
        i += 1
        let ts = i
        while i < e && p[i] != 0x20 { i += 1 }
        guard let t = GoFloat.seconds(p, ts, i) else {
          throw fail(
            .badTimestamp, "timestamp \(quoted(p, ts, i)) is not a number of seconds")
        }
        timestamp = t
        hasTimestamp = true
      }
      if i < e {
        guard e - i >= 3 && equals(p, i, i + 3, " # ") else {
          throw fail(.malformed, "unexpected text after the value: \(quoted(p, i, e))")
        }
        try exemplar(p, i + 3, e)
      }
    } else {
      while i < e && isBlank(p[i]) { i += 1 }
      if i < e {
        let ts = i
        while i < e && !isBlank(p[i]) { i += 1 }
        guard let t = GoFloat.milliseconds(p, ts, i) else {
          throw fail(
            .badTimestamp,
            "timestamp \(quoted(p, ts, i)) is not an integer number of milliseconds")
        }
        timestamp = t
        hasTimestamp = true
        while i < e && isBlank(p[i]) { i += 1 }
        guard i == e else {
          throw fail(.malformed, "unexpected text after the timestamp: \(quoted(p, i, e))")
        }
      }
    }

    var sample = ExpositionSample(
      nameStart: Int32(nameStart), nameEnd: Int32(nameEnd), familyEnd: Int32(nameEnd),
      labelStart: Int32(labelStart), labelCount: Int32(labelCount), line: Int32(lineNumber),
      role: .unresolved, type: .unknown, hasTimestamp: hasTimestamp, value: value,
      timestamp: timestamp, bound: 0, boundLabel: -1)

    // Duplicates: the first is kept (text 0.0.4, F5); OpenMetrics rejects the body.
    let hash = seriesHash(p, sample, skipping: -1)
    if let first = findDuplicate(p, sample, hash) {
      let detail =
        "\(text(p, nameStart, nameEnd)) with these labels is already on line \(samples[first].line)"
      if openMetrics {
        throw fail(.duplicateSeries, detail + "; the whole exposition was rejected")
      }
      Self.notes(&duplicates, lineNumber, detail + "; the first value is kept", .duplicateSeries)
      labels.removeSubrange(labelStart...)
      scratch.removeSubrange(scratchMark...)
      return
    }

    // Role.
    if openMetrics {
      let (familyEnd, role, type) = try openMetricsRole(p, nameStart, nameEnd)
      sample.familyEnd = Int32(familyEnd)
      sample.type = type
      samples.append(sample)
      insert(hash)
      try assign(p, samples.count - 1, role: role)
      try openMetricsChecks(p, samples.count - 1)
      return
    }
    samples.append(sample)
    insert(hash)
    if let c = context {
      let fl = c.end - c.start
      if nameEnd - nameStart >= fl && equalRanges(p, c.start, c.end, nameStart, nameStart + fl),
        let role = textRole(c.type, p, nameStart + fl, nameEnd)
      {
        samples[samples.count - 1].familyEnd = Int32(nameStart + fl)
        samples[samples.count - 1].type = c.type
        try assign(p, samples.count - 1, role: role)
        return
      }
    }
    unresolved += 1
  }

  /// Sets a sample's role; buckets and quantiles read their bound label. Without a usable bound
  /// a text 0.0.4 sample becomes a plain value (with a warning); OpenMetrics rejects the body.
  private mutating func assign(_ p: UnsafeRawBufferPointer, _ k: Int, role: SampleRole)
    throws(ScanFailure)
  {
    samples[k].role = role
    if role == .created { sawCreated = true }
    guard role == .bucket || role == .quantile else { return }
    let want: StaticString = role == .bucket ? "le" : "quantile"
    let s = samples[k]
    var found: Int32 = -1
    for j in Int(s.labelStart)..<Int(s.labelStart + s.labelCount) {
      let l = labels[j]
      if equals(p, Int(l.nameStart), Int(l.nameEnd), want) {
        found = Int32(j)
        break
      }
    }
    var bound: Double? = nil
    if found >= 0 {
      let l = labels[Int(found)]
      bound = withValue(p, l) { GoFloat.parse($0, $1, $2) }
    }
    guard let b = bound, !b.isNaN else {
      let detail =
        found < 0
        ? "\(role == .bucket ? "_bucket" : "summary") sample without a \(want) label"
        : "\(want) label is not a number"
      if openMetrics {
        throw ScanFailure(
          line: Int(s.line), reason: .malformed,
          detail: detail + "; the whole exposition was rejected")
      }
      Self.notes(&warnings, Int(s.line), detail + "; taken as a plain value")
      samples[k].role = .gauge
      return
    }
    samples[k].bound = b
    samples[k].boundLabel = found
  }

  /// OpenMetrics value rules: counters and bucket counts are not NaN nor negative; buckets of one
  /// histogram point come in increasing `le` order, with non-decreasing counts, ending in `+Inf`.
  private mutating func openMetricsChecks(_ p: UnsafeRawBufferPointer, _ k: Int)
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

  /// An OpenMetrics exemplar `{labels} value [timestamp]`: checked, then dropped.
  private mutating func exemplar(_ p: UnsafeRawBufferPointer, _ start: Int, _ e: Int)
    throws(ScanFailure)
  {
    guard start < e && p[start] == UInt8(ascii: "{") else {
      throw fail(.malformed, "an exemplar starts with {")
    }
    let mark = labels.count
    let scratchMark = scratch.count
    var i = try labelSet(p, start + 1, e)
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
    guard i < e && p[i] == 0x20 else { throw fail(.malformed, "an exemplar needs a value") }
    i += 1
    let vs = i
    while i < e && p[i] != 0x20 { i += 1 }
    guard GoFloat.parse(p, vs, i) != nil else {
      throw fail(.badValue, "exemplar value \(quoted(p, vs, i)) is not a number")
    }
    if i < e {
      i += 1
      guard GoFloat.seconds(p, i, e) != nil else {
        throw fail(.badTimestamp, "exemplar timestamp \(quoted(p, i, e)) is not a number")
      }
    }
  }

  /// Reads `name="value",...}` from just after `{`; returns the index after `}`.
  private mutating func labelSet(_ p: UnsafeRawBufferPointer, _ start: Int, _ e: Int)
    throws(ScanFailure) -> Int
  {
    var i = start
    var afterComma = false
    let first = labels.count
    while true {
      if !openMetrics { while i < e && isBlank(p[i]) { i += 1 } }
      guard i < e else { throw fail(.malformed, "labels not closed with }") }
      if p[i] == UInt8(ascii: "}") {
        if afterComma && openMetrics { throw fail(.malformed, "a comma before } (OpenMetrics)") }
        return i + 1
      }
      let ns = i
      if isNameByte(p[i], first: true) && p[i] != UInt8(ascii: ":") {
        i += 1
        while i < e && isNameByte(p[i], first: false) && p[i] != UInt8(ascii: ":") { i += 1 }
      }
      let ne = i
      guard ne > ns else {
        throw fail(
          .malformed,
          p[i] == UInt8(ascii: "\"")
            ? "quoted label names are not supported"
            : "expected a label name at \(quoted(p, i, min(e, i + 20)))")
      }
      if !openMetrics { while i < e && isBlank(p[i]) { i += 1 } }
      guard i < e && p[i] == UInt8(ascii: "=") else {
        throw fail(.malformed, "expected = after label \(text(p, ns, ne))")
      }
      i += 1
      if !openMetrics { while i < e && isBlank(p[i]) { i += 1 } }
      guard i < e && p[i] == UInt8(ascii: "\"") else {
        throw fail(.malformed, "label \(text(p, ns, ne)) needs a quoted value")
      }
      i += 1
      let vs = i
      var out = -1
      while true {
        guard i < e else {
          throw fail(.malformed, "label value of \(text(p, ns, ne)) is not terminated")
        }
        let b = p[i]
        if b == UInt8(ascii: "\"") { break }
        if b == UInt8(ascii: "\\") {
          if out < 0 {
            out = scratch.count
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[vs..<i]))
          }
          guard i + 1 < e else {
            throw fail(.malformed, "label value of \(text(p, ns, ne)) is not terminated")
          }
          switch p[i + 1] {
          case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
          case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
          case UInt8(ascii: "n"): scratch.append(0x0A)
          default:
            if openMetrics {
              throw fail(
                .malformed, "invalid escape \(quoted(p, i, i + 2)) (only \\\\, \\\" and \\n)")
            }
            // Prometheus's scraper keeps an unknown escape as written.
            Self.notes(
              &warnings, lineNumber,
              "unknown escape \(quoted(p, i, i + 2)) in a label value, kept as written")
            scratch.append(b)
            scratch.append(p[i + 1])
          }
          i += 2
          continue
        }
        if out >= 0 { scratch.append(b) }
        i += 1
      }
      let label =
        out >= 0
        ? ExpositionLabel(
          nameStart: Int32(ns), nameEnd: Int32(ne), valueStart: Int32(out),
          valueEnd: Int32(scratch.count), inScratch: true)
        : ExpositionLabel(
          nameStart: Int32(ns), nameEnd: Int32(ne), valueStart: Int32(vs), valueEnd: Int32(i),
          inScratch: false)
      guard labels.count - first < ExpositionScanner.maxLabelsPerSample else {
        throw fail(
          .malformed, "more than \(ExpositionScanner.maxLabelsPerSample) labels on one sample")
      }
      guard labels.count < ExpositionScanner.maxLabels else {
        throw fail(
          .seriesLimit, "more than \(ExpositionScanner.maxLabels) labels in one exposition")
      }
      labels.append(label)
      i += 1  // closing quote
      if !openMetrics { while i < e && isBlank(p[i]) { i += 1 } }
      guard i < e else { throw fail(.malformed, "labels not closed with }") }
      if p[i] == UInt8(ascii: ",") {
        i += 1
        afterComma = true
      } else if p[i] == UInt8(ascii: "}") {
        return i + 1
      } else {
        throw fail(.malformed, "expected , or } after the value of label \(text(p, ns, ne))")
      }
    }
  }

  /// Sorts a sample's labels by name (insertion sort: few labels) and rejects a repeated name.
  private mutating func sortLabels(_ p: UnsafeRawBufferPointer, _ start: Int, _ count: Int)
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

  private func compareNames(_ p: UnsafeRawBufferPointer, _ a: ExpositionLabel, _ b: ExpositionLabel)
    -> Int
  {
    compareBytes(
      UnsafeRawBufferPointer(rebasing: p[Int(a.nameStart)..<Int(a.nameEnd)]),
      UnsafeRawBufferPointer(rebasing: p[Int(b.nameStart)..<Int(b.nameEnd)]))
  }

  // MARK: - Duplicates

  /// A hash of the name and the sorted labels (each a separate ``WordHasher`` part), leaving
  /// out label `skipping`.
  func seriesHash(_ p: UnsafeRawBufferPointer, _ s: ExpositionSample, skipping: Int32) -> UInt64 {
    var h = WordHasher()
    h.add(p, Int(s.nameStart), Int(s.nameEnd))
    for j in Int(s.labelStart)..<Int(s.labelStart + s.labelCount) where j != Int(skipping) {
      let l = labels[j]
      h.add(p, Int(l.nameStart), Int(l.nameEnd))
      withValue(p, l) { v, a, b in h.add(v, a, b) }
    }
    return h.finish()
  }

  private func findDuplicate(_ p: UnsafeRawBufferPointer, _ s: ExpositionSample, _ hash: UInt64)
    -> Int?
  {
    let mask = table.count - 1
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let entry = table[slot]
      if entry == 0 { return nil }
      let k = Int(entry - 1)
      if hashes[k] == hash && sameSeries(p, samples[k], s) { return k }
      slot = (slot + 1) & mask
    }
  }

  private mutating func insert(_ hash: UInt64) {
    hashes.append(hash)
    if hashes.count * 2 > table.count {
      resetTable(capacity: table.count * 2)
      for k in hashes.indices { place(k) }
    } else {
      place(hashes.count - 1)
    }
  }

  private mutating func place(_ k: Int) {
    let mask = table.count - 1
    var slot = Int(truncatingIfNeeded: hashes[k]) & mask
    while table[slot] != 0 { slot = (slot + 1) & mask }
    table[slot] = Int32(k + 1)
  }

  private mutating func resetTable(capacity: Int) {
    if table.count == capacity {
      for k in table.indices { table[k] = 0 }
    } else {
      table = Array(repeating: 0, count: capacity)
    }
  }

  private func sameSeries(_ p: UnsafeRawBufferPointer, _ a: ExpositionSample, _ b: ExpositionSample)
    -> Bool
  {
    guard a.labelCount == b.labelCount,
      equalRanges(p, Int(a.nameStart), Int(a.nameEnd), Int(b.nameStart), Int(b.nameEnd))
    else { return false }
    for j in 0..<Int(a.labelCount) {
      let x = labels[Int(a.labelStart) + j]
      let y = labels[Int(b.labelStart) + j]
      guard equalRanges(p, Int(x.nameStart), Int(x.nameEnd), Int(y.nameStart), Int(y.nameEnd))
      else { return false }
      let same = withValue(p, x) { xv, xs, xe in
        withValue(p, y) { yv, ys, ye in
          compareBytes(
            UnsafeRawBufferPointer(rebasing: xv[xs..<xe]),
            UnsafeRawBufferPointer(rebasing: yv[ys..<ye])) == 0
        }
      }
      if !same { return false }
    }
    return true
  }

  // MARK: - Helpers

  /// Calls `body` with the buffer holding label `l`'s value and its range in it.
  func withValue<R>(
    _ p: UnsafeRawBufferPointer, _ l: ExpositionLabel,
    _ body: (UnsafeRawBufferPointer, Int, Int) -> R
  ) -> R {
    if l.inScratch {
      return scratch.withUnsafeBytes { body($0, Int(l.valueStart), Int(l.valueEnd)) }
    }
    return body(p, Int(l.valueStart), Int(l.valueEnd))
  }

  private func fail(_ reason: RejectReason, _ detail: String) -> ScanFailure {
    ScanFailure(
      line: lineNumber, reason: reason, detail: detail + "; the whole exposition was rejected")
  }

  private mutating func warn(_ reason: RejectReason, _ detail: String) {
    warnings.append(ScanNote(line: lineNumber, reason: reason, detail: detail))
  }

  private static func notes(
    _ list: inout [ScanNote], _ line: Int, _ detail: String,
    _ reason: RejectReason = .malformed
  ) {
    list.append(ScanNote(line: line, reason: reason, detail: detail))
  }
}

@inline(__always) private func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

/// `[a-zA-Z_:]` first, `[a-zA-Z0-9_:]` after.
@inline(__always) func isNameByte(_ b: UInt8, first: Bool) -> Bool {
  switch b {
  case 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "_"), UInt8(ascii: ":"): true
  case 0x30...0x39: !first
  default: false
  }
}

/// The end of a metric name starting at `i` (== `i` when there is none).
@inline(__always)
func scanMetricName(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int {
  var i = start
  guard i < end, isNameByte(p[i], first: true) else { return i }
  i += 1
  while i < end && isNameByte(p[i], first: false) { i += 1 }
  return i
}

@inline(__always)
func equalRanges(_ p: UnsafeRawBufferPointer, _ a: Int, _ ae: Int, _ b: Int, _ be: Int) -> Bool {
  guard ae - a == be - b else { return false }
  var k = 0
  while k < ae - a {
    if p[a + k] != p[b + k] { return false }
    k += 1
  }
  return true
}

/// The number of Unicode scalars in valid UTF-8 `p[s..<e]`.
private func utf8Scalars(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int {
  var n = 0
  for k in s..<e where p[k] & 0xC0 != 0x80 { n += 1 }
  return n
}
