/// Pass 1 of ``PrometheusParser``: reads a whole body into samples and checks every rule that
/// can reject it, without touching any state outside itself, so a rejected body changes nothing.
///
/// Text 0.0.4 (SEMANTICS §9.1) follows Prometheus's scraper: blanks and tabs separate tokens,
/// `#` lines other than `HELP` and `TYPE` are comments, a `TYPE` may come late (F6, a warning),
/// a duplicate series keeps the first (F5). OpenMetrics (§9.2) follows its specification: single
/// spaces, no blank lines, `# EOF` last (F8), metadata before the samples of a family, families
/// contiguous and unique, sample names made of the family name and the suffixes its type allows
/// (F10), exemplars checked and dropped, each Metric's MetricPoints together and in time order,
/// each type's value and MetricPoint rules (ExpositionOpenMetricsPoints). Any violation rejects
/// the whole body.
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
  /// Samples dropped one by one: duplicate series (text 0.0.4), timestamps beyond what Vigil
  /// stores (OpenMetrics).
  var duplicates: [ScanNote] = []
  /// Some sample is a `_created` (so the parser runs its reset pre-pass).
  var sawCreated = false

  /// Duplicate detection: the samples' series hashes.
  var seriesIndex = SeriesHashIndex()

  // Text 0.0.4 metadata: declared types (first wins) and HELP names.
  var declared: [String: (type: ExpositionType, line: Int)] = [:]
  var helped: Set<String> = []
  /// The last `# TYPE` line, for resolving samples that follow it without a lookup.
  var context: (start: Int, end: Int, type: ExpositionType)? = nil
  var unresolved = 0

  // OpenMetrics family state.
  struct Family {
    var start: Int
    var end: Int
    /// Its first line.
    var line: Int
    var type: ExpositionType = .unknown
    var hasSamples = false
    var sawType = false
    var sawHelp = false
    var sawUnit = false
    var hasUnit = false
  }
  var family: Family? = nil
  /// The families read so far, with their types (for "Suffixes" clashes).
  var familyTypes: [String: ExpositionType] = [:]
  /// The Metric and MetricPoint being read; every Metric's first sample by its hash; the latest
  /// sample of every quantile and state series.
  var point = OpenMetricsPoint()
  var metricIndex = HashSlots()
  var stateIndex = HashSlots()

  // The line being read, for messages.
  var lineNumber = 0
  var lineStart = 0
  var lineEnd = 0

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
    seriesIndex.reset()
    declared.removeAll(keepingCapacity: true)
    helped.removeAll(keepingCapacity: true)
    familyTypes.removeAll(keepingCapacity: true)
    context = nil
    family = nil
    point = OpenMetricsPoint()
    metricIndex.reset()
    stateIndex.reset()
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

  func fail(_ reason: RejectReason, _ detail: String) -> ScanFailure {
    ScanFailure(
      line: lineNumber, reason: reason, detail: detail + "; the whole exposition was rejected")
  }

  mutating func warn(_ reason: RejectReason, _ detail: String) {
    warnings.append(ScanNote(line: lineNumber, reason: reason, detail: detail))
  }

  static func notes(
    _ list: inout [ScanNote], _ line: Int, _ detail: String,
    _ reason: RejectReason = .malformed
  ) {
    list.append(ScanNote(line: line, reason: reason, detail: detail))
  }
}

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

extension ByteCursor {
  /// Steps over a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`); returns where it started.
  @inline(__always) mutating func takeMetricName() -> Int {
    let start = i
    i = scanMetricName(p, i, end)
    return start
  }
}
