// API stub: the parsing work replaces this file.
/// How a feed's fields become a sample: `--map ts=time,value=duration_ms,metric=const:api_latency_ms,label.service=svc`.
public struct FieldMapping: Sendable, Equatable {
  public init() {}
  /// Parses a `--map` specification.
  public static func parse(_ spec: String) throws(FieldMappingError) -> FieldMapping {
    fatalError("unimplemented")
  }
}

/// Why a `--map` specification is invalid.
public struct FieldMappingError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Builds parsers and guesses formats.
public enum Parsers {
  /// A parser for `format` with `mapping`; numeric timestamps without a declared unit use `timeUnit`
  /// (nil: guess by magnitude).
  public static func make(_ format: FeedFormat, mapping: FieldMapping, timeUnit: TimeUnit? = nil)
    -> any FeedParser
  {
    fatalError("unimplemented")
  }
  /// Guesses the format from the first bytes of a feed; nil when there is not enough to tell.
  public static func detect(_ prefix: UnsafeRawBufferPointer) -> FeedFormat? { nil }
}
