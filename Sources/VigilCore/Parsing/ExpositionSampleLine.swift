// Sample lines of an exposition: name, labels, value, timestamp; then the duplicate check and
// the sample's role in its family.

extension ExpositionScanner {
  /// Reads the sample line `p[start..<lineEnd]` (from `lineStart` when `start` is nil).
  mutating func sampleLine(_ p: UnsafeRawBufferPointer, from start: Int? = nil)
    throws(ScanFailure)
  {
    var c = ByteCursor(p, start ?? lineStart, lineEnd)
    let nameStart = c.takeMetricName()
    let nameEnd = c.i
    if nameEnd == nameStart {
      if c.at(UInt8(ascii: "{")) {
        throw fail(
          .malformed, "a sample needs a metric name before { (quoted names are not supported)")
      }
      throw fail(.malformed, "expected a metric name at \(quoted(p, c.i, min(c.end, c.i + 20)))")
    }
    guard samples.count < maxSamples else {
      throw fail(
        .seriesLimit,
        "more than \(maxSamples) samples in one exposition (the sample limit)")
    }
    if !openMetrics {
      var labelsAt = c
      labelsAt.skipBlanks()
      if labelsAt.at(UInt8(ascii: "{")) { c = labelsAt }
    }
    let labelStart = labels.count
    let scratchMark = scratch.count
    if c.consume(UInt8(ascii: "{")) { try labelSet(&c) }
    let labelCount = labels.count - labelStart
    try sortLabels(p, labelStart, labelCount)
    let value = try sampleValue(&c)
    if openMetrics {
      let tail = try openMetricsTail(&c)
      let sample = ExpositionSample(
        nameStart: Int32(nameStart), nameEnd: Int32(nameEnd), familyEnd: Int32(nameEnd),
        labelStart: Int32(labelStart), labelCount: Int32(labelCount), line: Int32(lineNumber),
        role: .unresolved, type: .unknown, hasTimestamp: tail.timestamp != nil, value: value,
        timestamp: tail.timestamp ?? 0, bound: 0, boundLabel: -1)
      try addOpenMetrics(p, sample, tail)
      return
    }
    let timestamp = try textTimestamp(&c)

    let sample = ExpositionSample(
      nameStart: Int32(nameStart), nameEnd: Int32(nameEnd), familyEnd: Int32(nameEnd),
      labelStart: Int32(labelStart), labelCount: Int32(labelCount), line: Int32(lineNumber),
      role: .unresolved, type: .unknown, hasTimestamp: timestamp != nil, value: value,
      timestamp: timestamp ?? 0, bound: 0, boundLabel: -1)

    // Duplicates: the first is kept (text 0.0.4, F5); OpenMetrics places it in its Metric.
    let hash = seriesHash(p, sample, skipping: -1)
    if let first = findDuplicate(p, sample, hash) {
      let detail =
        "\(text(p, nameStart, nameEnd)) with these labels is already on line \(samples[first].line)"
      Self.notes(&duplicates, lineNumber, detail + "; the first value is kept", .duplicateSeries)
      labels.removeSubrange(labelStart...)
      scratch.removeSubrange(scratchMark...)
      return
    }
    try add(p, sample, hash: hash)
  }

  /// The value after the name and labels.
  mutating func sampleValue(_ c: inout ByteCursor) throws(ScanFailure) -> Double {
    let p = c.p
    if openMetrics {
      guard c.consume(0x20) else {
        throw fail(.malformed, c.atEnd ? "missing value" : "expected one space before the value")
      }
    } else {
      guard c.at(where: isBlank) else {
        throw fail(
          .malformed,
          c.atEnd ? "missing value" : "unexpected \(quoted(p, c.i, c.i + 1)) after the name")
      }
      c.skipBlanks()
    }
    let valueStart = openMetrics ? c.take(until: 0x20) : c.take(while: { !isBlank($0) })
    guard c.i > valueStart else { throw fail(.malformed, "missing value") }
    guard let value = GoFloat.parse(p, valueStart, c.i) else {
      throw fail(
        .badValue, "value \(quoted(p, valueStart, c.i)) is not a number (Go float syntax)")
    }
    return value
  }

  /// Text 0.0.4: the optional timestamp in milliseconds after the value, then the line's end.
  mutating func textTimestamp(_ c: inout ByteCursor) throws(ScanFailure) -> Int64? {
    let p = c.p
    c.skipBlanks()
    if c.atEnd { return nil }
    let ts = c.take(while: { !isBlank($0) })
    guard let t = GoFloat.milliseconds(p, ts, c.i) else {
      throw fail(
        .badTimestamp,
        "timestamp \(quoted(p, ts, c.i)) is not an integer number of milliseconds")
    }
    c.skipBlanks()
    guard c.atEnd else {
      throw fail(.malformed, "unexpected text after the timestamp: \(quoted(p, c.i, c.end))")
    }
    return t
  }

  /// OpenMetrics: the optional ` timestamp` (seconds) and ` # exemplar` after the value.
  mutating func openMetricsTail(_ c: inout ByteCursor) throws(ScanFailure) -> OpenMetricsTail {
    let p = c.p
    var tail = OpenMetricsTail()
    if c.end - c.i >= 2 && p[c.i + 1] != UInt8(ascii: "#") {
      c.advance()
      let ts = c.take(until: 0x20)
      if let t = GoFloat.seconds(p, ts, c.i) {
        tail.timestamp = t
      } else if scanDecimal(p, ts, c.i, json: false) != nil {
        // A number of seconds beyond Int64 nanoseconds: valid, but not storable.
        tail.timestamp = p[ts] == UInt8(ascii: "-") ? .min : .max
        tail.timestampOutOfRange = true
      } else {
        throw fail(.badTimestamp, "timestamp \(quoted(p, ts, c.i)) is not a number of seconds")
      }
    }
    if !c.atEnd {
      guard c.at(" # ") else {
        throw fail(.malformed, "unexpected text after the value: \(quoted(p, c.i, c.end))")
      }
      c.advance(3)
      tail.exemplar = try exemplar(&c)
    }
    return tail
  }

  /// Keeps a text 0.0.4 sample that is no duplicate and gives it its role from the last
  /// `# TYPE` (or later, once the whole body is read). OpenMetrics: ``addOpenMetrics``.
  mutating func add(_ p: UnsafeRawBufferPointer, _ sample: ExpositionSample, hash: UInt64)
    throws(ScanFailure)
  {
    let nameStart = Int(sample.nameStart)
    let nameEnd = Int(sample.nameEnd)
    samples.append(sample)
    seriesIndex.insert(hash)
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

  /// Sets a sample's role; buckets and quantiles read their bound label (``readBound``).
  mutating func assign(_ p: UnsafeRawBufferPointer, _ k: Int, role: SampleRole)
    throws(ScanFailure)
  {
    samples[k].role = role
    if role == .created { sawCreated = true }
    guard role == .bucket || role == .quantile else { return }
    if try !readBound(p, k, role == .bucket ? "le" : "quantile") { samples[k].role = .gauge }
  }

  /// Reads a bucket's `le` or a quantile's `quantile` into the sample's bound. Without a usable
  /// one, OpenMetrics rejects the body; text 0.0.4 warns and returns false.
  mutating func readBound(_ p: UnsafeRawBufferPointer, _ k: Int, _ want: StaticString)
    throws(ScanFailure) -> Bool
  {
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
      let isLe = want.utf8CodeUnitCount == 2
      let detail =
        found < 0
        ? "\(isLe ? "_bucket" : "summary") sample without a \(want) label"
        : "\(want) label is not a number"
      if openMetrics {
        throw ScanFailure(
          line: Int(s.line), reason: .malformed,
          detail: detail + "; the whole exposition was rejected")
      }
      Self.notes(&warnings, Int(s.line), detail + "; taken as a plain value")
      return false
    }
    samples[k].bound = b
    samples[k].boundLabel = found
    return true
  }
}
