/// Interning with the cross-format checks, for parsers that make several samples per record
/// (StatsD, InfluxDB line protocol) and so do not go through ``RecordAssembler``.
///
/// The same rules as ``RecordAssembler/finish(_:line:arrival:into:)`` in the same order:
/// separator bytes (≤ 0x02) in a name or label are ``RejectReason/malformed``; non-ASCII label
/// names must sort the same by bytes and by `String` (normalization form C); a new series past
/// a limit of the interner is ``RejectReason/seriesLimit`` (or ``RejectReason/metricSeriesLimit``).
enum SeriesCheck {
  /// The id of `metric` with `labels` (reordered in place), or the reason it was refused.
  static func intern(
    metric: UnsafeRawBufferPointer, labels: UnsafeMutableBufferPointer<LabelSpan>,
    into sink: inout ParseSink
  ) -> Result<SeriesID, FieldRejection> {
    if hasSeparatorByte(metric) {
      return .failure(FieldRejection(.malformed, "the metric name contains a control character"))
    }
    for l in labels where hasSeparatorByte(l.name) || hasSeparatorByte(l.value) {
      return .failure(
        FieldRejection(
          .malformed, "label \(quoted(l.name, 0, l.name.count)) has a control character"))
    }
    if labels.count > 1 && labels.contains(where: { hasNonASCII($0.name) }) {
      var names = labels.map { text($0.name, 0, $0.name.count) }
      names.sort { compareUTF8($0, $1) < 0 }
      for (a, b) in zip(names, names.dropFirst()) where compareUTF8(a, b) != 0 && !(a < b) {
        return .failure(
          FieldRejection(
            .malformed,
            "label names \"\(printableExcerpt(a))\" and \"\(printableExcerpt(b))\" are not in "
              + "Unicode normalization form C"))
      }
    }
    guard let id = sink.intern(metric: metric, labels: labels) else {
      return .failure(
        FieldRejection(sink.interner.lastRefusal.reason, sink.interner.refusalDetail(metric)))
    }
    return .success(id)
  }
}

/// Why a record (or one line of a datagram) was refused: a reason and a detail.
struct FieldRejection: Error {
  var reason: RejectReason
  var detail: String
  init(_ reason: RejectReason, _ detail: String) {
    self.reason = reason
    self.detail = detail
  }

  /// The issue for `line`, with a printable excerpt of `bytes`.
  func issue(line: Int, _ bytes: UnsafeRawBufferPointer) -> ParseIssue {
    ParseIssue(line: line, reason: reason, detail: detail, excerpt: printableExcerpt(bytes))
  }
}

/// FNV-1a with a final mix (set members, duplicate field keys, recordings' config hash).
public func byteHash(_ b: UnsafeRawBufferPointer) -> UInt64 {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325
  for x in b {
    h ^= UInt64(x)
    h = h &* 0x0000_0100_0000_01b3
  }
  h ^= h >> 33
  h = h &* 0xff51_afd7_ed55_8ccd
  h ^= h >> 33
  return h
}
