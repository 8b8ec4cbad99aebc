/// One label: a name and a value.
public struct Label: Hashable, Sendable, Comparable {
  public var name: String
  public var value: String

  public init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }

  /// Orders by UTF-8 bytes (as the interner does), not by Unicode collation, so label order is
  /// the same whatever normal form a feed used.
  public static func < (a: Label, b: Label) -> Bool {
    if !a.name.utf8.elementsEqual(b.name.utf8) {
      return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
    }
    return a.value.utf8.lexicographicallyPrecedes(b.value.utf8)
  }
}

/// A set of labels, kept sorted by name with unique names and no empty values.
///
/// An empty value means "absent" (as in Prometheus), so `init` drops it. When a name repeats,
/// the last value given wins.
public struct LabelSet: Hashable, Sendable, Comparable, CustomStringConvertible,
  ExpressibleByDictionaryLiteral
{
  /// The labels, sorted by name.
  public private(set) var labels: [Label]

  /// The empty label set.
  public static let empty = LabelSet()

  public init() { labels = [] }

  /// Creates a label set; later duplicates win, empty values are dropped.
  public init(_ pairs: [(String, String)]) {
    var out: [Label] = []
    out.reserveCapacity(pairs.count)
    for (n, v) in pairs {
      if let i = out.firstIndex(where: { $0.name.utf8.elementsEqual(n.utf8) }) { out.remove(at: i) }
      if !v.isEmpty { out.append(Label(n, v)) }
    }
    out.sort()
    labels = out
  }

  public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

  /// Creates a label set from labels already sorted by unique name (not checked in release).
  package init(sorted: [Label]) {
    assert(
      zip(sorted, sorted.dropFirst()).allSatisfy {
        $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
      })
    labels = sorted
  }

  public var isEmpty: Bool { labels.isEmpty }
  public var count: Int { labels.count }

  /// The value of label `name`, if present.
  public subscript(name: String) -> String? {
    labels.first(where: { $0.name == name })?.value
  }

  public static func < (a: LabelSet, b: LabelSet) -> Bool {
    a.labels.lexicographicallyPrecedes(b.labels)
  }

  /// Prometheus style: `{service="checkout",stage="tax"}`, or empty for no labels.
  public var description: String {
    if labels.isEmpty { return "" }
    return "{"
      + labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",")
      + "}"
  }
}

/// Escapes `\`, `"` and newline as in the Prometheus text format.
public func escapeLabelValue(_ s: String) -> String {
  var out = ""
  out.reserveCapacity(s.utf8.count)
  for ch in s.unicodeScalars {
    switch ch {
    case "\\": out += "\\\\"
    case "\"": out += "\\\""
    case "\n": out += "\\n"
    default: out.unicodeScalars.append(ch)
    }
  }
  return out
}

/// A metric name plus its labels: the identity of a series.
public struct SeriesKey: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var metric: String
  public var labels: LabelSet

  public init(_ metric: String, _ labels: LabelSet = .empty) {
    self.metric = metric
    self.labels = labels
  }

  public static func < (a: SeriesKey, b: SeriesKey) -> Bool {
    a.metric != b.metric ? a.metric < b.metric : a.labels < b.labels
  }

  public var description: String { metric + labels.description }
}

/// A dense, process-local series number handed out by ``SeriesInterner``.
public struct SeriesID: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var rawValue: UInt32
  public init(_ raw: UInt32) { rawValue = raw }
  public var index: Int { Int(rawValue) }
  public static func < (a: SeriesID, b: SeriesID) -> Bool { a.rawValue < b.rawValue }
  public var description: String { "#\(rawValue)" }
}
