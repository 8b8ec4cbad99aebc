/// Bytes in, record batches out: format detection (when the feed has none) plus the right
/// framer. Shared by every byte-stream source (files, stdin, the demo, later commands).
public struct RecordPump: Sendable {
  public private(set) var format: FeedFormat?
  private var framer: (any RecordFramer)?
  private var prefix: [UInt8] = []
  private let maxRecordBytes: Int
  /// How much to look at before giving up on detection and assuming JSON lines.
  /// How much of a feed is read to detect its format before JSON lines are assumed.
  public static let detectLimit = 4096

  /// The format of a feed that starts with `prefix` (``Parsers/detect(_:)``): JSON lines once
  /// `detectLimit` bytes (or the whole input, `final`) tell nothing else; nil: read more.
  public static func detect(_ prefix: [UInt8], final: Bool) -> FeedFormat? {
    let detected = prefix.withUnsafeBytes { Parsers.detect($0) }
    return detected ?? (final || prefix.count >= detectLimit ? .json : nil)
  }

  public init(format: FeedFormat?, maxRecordBytes: Int = 65_536) {
    self.format = format
    self.maxRecordBytes = maxRecordBytes
    if let format { framer = RecordPump.makeFramer(format, maxRecordBytes) }
  }

  private static func makeFramer(_ f: FeedFormat, _ limit: Int) -> any RecordFramer {
    switch f {
    case .csv: CSVRecordFramer(maxRecordBytes: limit)
    case .prometheus, .openmetrics:
      ExpositionFramer(maxRecordBytes: max(limit, PrometheusParser.maxBodyBytes))
    // The Collector's file exporter writes a whole request on one line.
    case .otlp: LineFramer(maxRecordBytes: max(limit, OTLPLimits.maxRequestBytes))
    default: LineFramer(maxRecordBytes: limit)
    }
  }

  /// Frames `chunk`; complete records are appended to `batch`.
  public mutating func push(_ chunk: UnsafeRawBufferPointer, into batch: inout RecordBatch) {
    if framer != nil {
      framer?.push(chunk, into: &batch)
      return
    }
    prefix.append(contentsOf: chunk)
    guard let f = Self.detect(prefix, final: false) else { return }
    format = f
    var fr = RecordPump.makeFramer(f, maxRecordBytes)
    prefix.withUnsafeBytes { fr.push($0, into: &batch) }
    prefix = []
    framer = fr
  }

  /// End of input: flushes a final unterminated record (detecting the format if needed).
  public mutating func finish(into batch: inout RecordBatch) {
    if framer == nil && !prefix.isEmpty {
      let f = Self.detect(prefix, final: true) ?? .json
      format = f
      var fr = RecordPump.makeFramer(f, maxRecordBytes)
      prefix.withUnsafeBytes { fr.push($0, into: &batch) }
      prefix = []
      framer = fr
    }
    framer?.finish(into: &batch)
  }

  /// Forgets any partial record and restarts line numbering (truncation, a new file).
  public mutating func reset() {
    framer?.reset(line: 1)
    prefix = []
  }
}
