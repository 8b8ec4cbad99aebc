/// Why an input line (or part of one) was rejected. Every rejection is counted per feed and
/// reason, and the last few are kept with their line numbers for the UI.
public enum RejectReason: String, Sendable, CaseIterable, Comparable, Codable {
  /// Longer than the framer's limit (64 KiB by default); skipped without buffering it.
  case lineTooLong = "line too long"
  /// Not valid UTF-8.
  case invalidUTF8 = "invalid UTF-8"
  /// Not well-formed in the feed's format (bad JSON, unterminated quote, ...).
  case malformed = "malformed"
  /// No metric name (and no `metric=const:` mapping).
  case missingMetric = "missing metric"
  /// No value field.
  case missingValue = "missing value"
  /// The value is not a number.
  case badValue = "bad value"
  /// NaN or an infinity.
  case nonFinite = "non-finite value"
  /// A negative value for a duration metric (latency, delay).
  case negativeDuration = "negative duration"
  /// A timestamp that could not be parsed, or that has no zone.
  case badTimestamp = "bad timestamp"
  /// More than the allowed skew ahead of the clock.
  case futureTimestamp = "timestamp in the future"
  /// Older than the longest window keeps.
  case tooOld = "timestamp too old"
  /// A CSV record whose field count differs from the header's.
  case fieldCount = "wrong field count"
  /// The series cap was reached (overall, or the part not kept for the signals' metrics);
  /// the new series is not created.
  case seriesLimit = "series limit"
  /// The metric's own series limit was reached; the new series is not created.
  case metricSeriesLimit = "metric series limit"
  /// Not recognisable as any supported format (auto-detection).
  case unknownFormat = "unknown format"
  /// The same series twice in one Prometheus exposition: the first is kept (F5).
  case duplicateSeries = "duplicate series"
  /// A cumulative counter's sample older than the one before it; dropped (SEMANTICS §9.10).
  case outOfOrder = "out of order"
  /// A StatsD sample rate that is not a number in (0, 1] (`@0`, `@1.5`; SEMANTICS F14).
  case badSampleRate = "bad sample rate"
  /// The partial last line of a datagram cut short by the receive buffer.
  case truncated = "truncated datagram"

  public static func < (a: RejectReason, b: RejectReason) -> Bool { a.rawValue < b.rawValue }
}

/// One rejected line, with enough context to find it: the line number and a safe excerpt.
public struct ParseIssue: Sendable, Equatable {
  /// 1-based line (record) number within the feed; 0 when unknown.
  public var line: Int
  public var reason: RejectReason
  /// A short human explanation, e.g. `field "value" is "abc", not a number`.
  public var detail: String
  /// The start of the offending line, made printable (see ``printableExcerpt(_:limit:)``).
  public var excerpt: String

  public init(line: Int, reason: RejectReason, detail: String = "", excerpt: String = "") {
    self.line = line
    self.reason = reason
    self.detail = detail
    self.excerpt = excerpt
  }
}

/// A printable, bounded rendering of untrusted bytes for messages and the UI.
///
/// Valid UTF-8 printable text is kept; control characters, DEL, C1 controls and invalid bytes
/// become `\xNN` escapes (tab becomes `\t`), so feed text can never drive the terminal.
/// At most `limit` characters are produced; a cut is marked with `…`.
public func printableExcerpt(_ bytes: UnsafeRawBufferPointer, limit: Int = 120) -> String {
  var out = ""
  var produced = 0
  var index = 0
  while index < bytes.count {
    if produced >= limit { return out + "…" }
    let (scalar, length) = decodeScalar(bytes, at: index)
    guard let s = scalar else {
      out += hexEscape(bytes[index])
      produced += 4
      index += 1
      continue
    }
    index += length
    let v = s.value
    if v == 0x09 {
      out += "\\t"
      produced += 2
    } else if v < 0x20 || v == 0x7f || (v >= 0x80 && v < 0xa0) {
      out += hexEscape(UInt8(truncatingIfNeeded: v))
      produced += 4
    } else {
      out.unicodeScalars.append(s)
      produced += 1
    }
  }
  return out
}

/// Decodes one UTF-8 scalar at `i`; nil (length 1) for an invalid or truncated sequence.
package func decodeScalar(_ b: UnsafeRawBufferPointer, at i: Int) -> (Unicode.Scalar?, Int) {
  let b0 = b[i]
  if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
  let need: Int
  var v: UInt32
  switch b0 {
  case 0xc2...0xdf: need = 1; v = UInt32(b0 & 0x1f)
  case 0xe0...0xef: need = 2; v = UInt32(b0 & 0x0f)
  case 0xf0...0xf4: need = 3; v = UInt32(b0 & 0x07)
  default: return (nil, 1)
  }
  guard i + need < b.count else { return (nil, 1) }
  for k in 1...need {
    let c = b[i + k]
    guard c & 0xc0 == 0x80 else { return (nil, 1) }
    v = v << 6 | UInt32(c & 0x3f)
  }
  // Reject overlongs, surrogates and values past U+10FFFF.
  let minimum: UInt32 = need == 1 ? 0x80 : (need == 2 ? 0x800 : 0x10000)
  guard v >= minimum, let s = Unicode.Scalar(v) else { return (nil, 1) }
  return (s, need + 1)
}

/// The same as ``printableExcerpt(_:limit:)`` for a byte array.
public func printableExcerpt(_ bytes: [UInt8], limit: Int = 120) -> String {
  bytes.withUnsafeBytes { printableExcerpt($0, limit: limit) }
}

/// The same as ``printableExcerpt(_:limit:)`` for a string.
public func printableExcerpt(_ text: String, limit: Int = 120) -> String {
  printableExcerpt(Array(text.utf8), limit: limit)
}

private func hexEscape(_ b: UInt8) -> String {
  let digits: [Character] = Array("0123456789abcdef")
  return "\\x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 15)])
}
