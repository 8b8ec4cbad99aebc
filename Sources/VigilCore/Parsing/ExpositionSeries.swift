/// Interns the series of exposition samples: a name with the sample's labels, whose values are
/// in the body or in the scanner's scratch buffer.
struct ExpositionSeries {
  /// The body.
  let p: UnsafeRawBufferPointer
  let scratch: UnsafeRawBufferPointer
  let labels: [ExpositionLabel]
  /// The body's first line less one (for issues).
  let base: Int
  private var spans: [LabelSpan] = []

  init(
    p: UnsafeRawBufferPointer, scratch: UnsafeRawBufferPointer, labels: [ExpositionLabel],
    base: Int
  ) {
    self.p = p
    self.scratch = scratch
    self.labels = labels
    self.base = base
    spans.reserveCapacity(16)
  }

  /// The sample's full name.
  @inline(__always)
  func name(_ s: ExpositionSample) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: p[Int(s.nameStart)..<Int(s.nameEnd)])
  }

  /// Interns `name` with the sample's labels, leaving out label `skip` (or giving it the value
  /// `replace`). Nil (and an issue) past the series cap.
  mutating func intern(
    _ name: UnsafeRawBufferPointer, _ s: ExpositionSample, skip: Int32 = -1,
    replace: UnsafeRawBufferPointer? = nil, into sink: inout ParseSink
  ) -> SeriesID? {
    spans.removeAll(keepingCapacity: true)
    for j in Int(s.labelStart)..<Int(s.labelStart + s.labelCount) {
      let l = labels[j]
      let lname = UnsafeRawBufferPointer(rebasing: p[Int(l.nameStart)..<Int(l.nameEnd)])
      if j == Int(skip) {
        if let replace { spans.append(LabelSpan(name: lname, value: replace)) }
        continue
      }
      let buffer = l.inScratch ? scratch : p
      let value = UnsafeRawBufferPointer(rebasing: buffer[Int(l.valueStart)..<Int(l.valueEnd)])
      spans.append(LabelSpan(name: lname, value: value))
    }
    let id = spans.withUnsafeMutableBufferPointer {
      sink.intern(metric: name, labels: $0)
    }
    if id == nil {
      sink.issues.append(
        ParseIssue(
          line: base + Int(s.line), reason: sink.interner.lastRefusal.reason,
          detail: sink.interner.refusalDetail(name),
          excerpt: lineExcerpt(p, from: Int(s.nameStart))))
    }
    return id
  }
}

extension ExpositionSample {
  /// The sample's own time, or `arrival` without one.
  @inline(__always)
  func time(_ arrival: Timestamp) -> Timestamp {
    hasTimestamp ? Timestamp(nanoseconds: timestamp) : arrival
  }
}
