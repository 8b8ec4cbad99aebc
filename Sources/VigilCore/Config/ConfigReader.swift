/// A problem in a configuration file, with where it is.
public struct ConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
  public var file: String
  /// 1-based; 0 when the problem is about the file as a whole.
  public var line: Int
  public var column: Int
  public var message: String

  public init(file: String, line: Int, column: Int = 0, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  /// `file:line:column: message`, as compilers print it.
  public var description: String {
    line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
  }
}

/// Every problem found in a configuration file (never empty).
public struct ConfigProblems: Error, Sendable, Equatable, CustomStringConvertible {
  public var problems: [ConfigProblem]
  public init(_ problems: [ConfigProblem]) { self.problems = problems }
  /// One problem per line.
  public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Walks a ``YAMLTree`` of one file (config, rules, layout, theme), collecting every problem
/// with its `file:line:column`: the one set of scalar, number, duration, list and map helpers.
///
/// A section of a file is a small function over the tree in an extension of this type (see
/// `ConfigLoader.sections`); it reports what is wrong and reads on, so a file shows all its
/// problems at once. Helpers return nil (or an empty value) after reporting.
public struct ConfigReader {
  /// How a YAML null (`key:` with nothing after it, `~`, `null`) reads where a value is wanted.
  public enum Nulls: Sendable {
    /// As the empty text (config, rules and net settings).
    case emptyText
    /// As no value: "must be a single value" (layouts, themes).
    case noValue
  }

  public let file: String
  public let nulls: Nulls
  /// Errors, in the order found.
  public var problems: [ConfigProblem] = []
  /// Warnings (for files where some problems only skip a key, e.g. a layout's unknown keys).
  public var warnings: [ConfigProblem] = []

  public init(file: String, nulls: Nulls = .emptyText) {
    self.file = file
    self.nulls = nulls
  }

  /// A problem at `node`.
  public func problem(_ node: YAMLNode, _ message: String) -> ConfigProblem {
    ConfigProblem(file: file, line: node.line, column: node.column, message: message)
  }

  /// Reports an error at `node`.
  public mutating func report(_ node: YAMLNode, _ message: String) {
    problems.append(problem(node, message))
  }

  /// Reports an error about the file as a whole (no position).
  public mutating func report(_ message: String) {
    problems.append(ConfigProblem(file: file, line: 0, message: message))
  }

  /// Records a warning at `node`.
  public mutating func warn(_ node: YAMLNode, _ message: String) {
    warnings.append(problem(node, message))
  }

  /// `text` from a file, made safe and short for a message: `printableExcerpt(text, limit: 40)`.
  public static func shown(_ text: String) -> String { printableExcerpt(text, limit: 40) }

  /// The text of a key, shown in a message (`?` when the key is not a scalar).
  public static func shown(key: YAMLNode) -> String { shown(key.scalar ?? "?") }

  /// The scalar text of `node` under ``nulls``, without reporting anything.
  public func text(_ node: YAMLNode) -> String? {
    guard let s = node.scalar else { return nil }
    return nulls == .noValue && node.isNull ? nil : s
  }

  /// A single value: "WHAT must be a single value" otherwise.
  public mutating func scalar(_ node: YAMLNode, _ what: String) -> String? {
    guard let s = text(node) else {
      report(node, "\(what) must be a single value")
      return nil
    }
    return s
  }

  /// A duration such as `90s`, `5m` or `1h`, above 0 (or 0 too, with `allowZero`).
  public mutating func duration(_ node: YAMLNode, _ what: String, allowZero: Bool = false)
    -> Int64?
  {
    guard let s = scalar(node, what) else { return nil }
    guard let ns = Nanos.parse(s), ns > 0 || (allowZero && ns == 0) else {
      report(node, "\(what): \"\(Self.shown(s))\" is not a duration like 90s, 5m or 1h")
      return nil
    }
    return ns
  }

  /// A finite number.
  public mutating func number(_ node: YAMLNode, _ what: String) -> Double? {
    guard let s = scalar(node, what) else { return nil }
    guard let v = Double(s), v.isFinite else {
      report(node, "\(what) must be a number, not \"\(Self.shown(s))\"")
      return nil
    }
    return v
  }

  /// A whole number in `range`; `message` otherwise.
  public mutating func int(
    _ node: YAMLNode, _ what: String, in range: ClosedRange<Int>,
    else message: String
  ) -> Int? {
    guard let s = scalar(node, what) else { return nil }
    guard let n = Int(s), range.contains(n) else {
      report(node, message)
      return nil
    }
    return n
  }

  /// `true`/`yes` or `false`/`no`: "WHAT must be true or false" otherwise.
  public mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
    switch scalar(node, what) {
    case "true"?, "yes"?: return true
    case "false"?, "no"?: return false
    case nil: return nil
    default:
      report(node, "\(what) must be true or false")
      return nil
    }
  }

  /// One of a type's raw values (`clock: wall`); `message` otherwise, given the text.
  public mutating func choice<T: RawRepresentable<String>>(
    _ node: YAMLNode, _ what: String, as type: T.Type = T.self, else message: (String) -> String
  ) -> T? {
    guard let s = scalar(node, what) else { return nil }
    guard let value = T(rawValue: s) else {
      report(node, message(s))
      return nil
    }
    return value
  }

  /// A list: "WHAT must be a list" otherwise.
  public mutating func list(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
    guard let items = node.list else {
      report(node, "\(what) must be a list")
      return nil
    }
    return items
  }

  /// A mapping: `message` otherwise (each file words this one itself).
  public mutating func map(_ node: YAMLNode, else message: String) -> [YAMLEntry]? {
    guard let entries = node.map else {
      report(node, message)
      return nil
    }
    return entries
  }

  /// `{name: value, ...}` in file order: "WHAT must map names to values" otherwise.
  public mutating func stringMap(_ node: YAMLNode, _ what: String) -> [(String, String)] {
    guard let entries = map(node, else: "\(what) must map names to values") else { return [] }
    var out: [(String, String)] = []
    for entry in entries {
      guard let key = entry.key.scalar,
        let value = scalar(entry.value, "\(what).\(entry.key.scalar ?? "?")")
      else { continue }
      out.append((key, value))
    }
    return out
  }

  /// `select: {service: checkout, stage: {not: total}, psp: {match: "adyen|stripe"}}`: `=` for
  /// a value, `!=` for `{not: v}`, `=~` for `{match: re}`, `!~` for `{not_match: re}` (rules and
  /// layouts).
  public mutating func matchers(_ node: YAMLNode) -> [LabelMatcher] {
    guard
      let entries = map(node, else: "select must map label names to \(LabelMatcher.selectShapes)")
    else { return [] }
    var out: [LabelMatcher] = []
    for entry in entries {
      guard let name = entry.key.scalar else { continue }
      let v = entry.value
      let pair = v.map.flatMap { $0.count == 1 ? $0[0] : nil }
      switch LabelMatcher.select(
        name, value: text(v), op: pair?.key.scalar, arg: pair?.value.scalar)
      {
      case .success(let m): out.append(m)
      case .failure(.shape(let why)): report(v, why)
      case .failure(.regex(let why)): report(pair?.value ?? v, why)
      }
    }
    return out
  }

  /// Parses a file whose top level is a mapping of `sections` (config, rules): nothing set
  /// for an empty file, `notAMapping` for another shape, `unknown key "KEY"; known: ...` for a
  /// key no section reads (`plainKeys` instead for a key that is not a scalar, when given),
  /// then `check` over what was read. Fails with every problem found.
  public static func read<Target>(
    _ text: String, file: String, into target: Target, sections: [ConfigSection<Target>],
    notAMapping: String, plainKeys: String? = nil,
    check: (inout ConfigReader, YAMLNode, Target) -> Void = { _, _, _ in }
  ) -> Result<Target, ConfigProblems> {
    var target = target
    let root: YAMLNode?
    switch YAMLTree.parse(text, file: file) {
    case .success(let node): root = node
    case .failure(let problem): return .failure(ConfigProblems([problem]))
    }
    guard let root else { return .success(target) }
    var reader = ConfigReader(file: file)
    guard let entries = root.map else {
      return .failure(ConfigProblems([reader.problem(root, notAMapping)]))
    }
    reader.read(entries, with: sections, into: &target) { key in
      if key.scalar == nil, let plainKeys { return plainKeys }
      return "unknown key \"\(shown(key: key))\"; known: " + ConfigSection.known(sections)
    }
    check(&reader, root, target)
    return reader.problems.isEmpty ? .success(target) : .failure(ConfigProblems(reader.problems))
  }

  /// Reads a mapping's pairs with `sections`, in file order; a key no section reads is
  /// reported at the key with `unknown(key)`.
  public mutating func read<Target>(
    _ entries: [YAMLEntry], with sections: [ConfigSection<Target>], into target: inout Target,
    unknown: (YAMLNode) -> String
  ) {
    for entry in entries {
      if let key = entry.key.scalar, let section = sections.first(where: { $0.key == key }) {
        section.read(&self, entry.value, &target)
      } else {
        report(entry.key, unknown(entry.key))
      }
    }
  }
}

/// One key of a file's mapping and the small function that reads its value into `Target`.
///
/// ```swift
/// ConfigSection<ConfigFile>("fps") { r, value, config in
///   config.fps = r.number(value, "fps")
/// }
/// ```
public struct ConfigSection<Target>: Sendable {
  public typealias Read = @Sendable (inout ConfigReader, YAMLNode, inout Target) -> Void
  public let key: String
  public let read: Read

  public init(_ key: String, read: @escaping Read) {
    self.key = key
    self.read = read
  }

  /// The keys of `sections`, for an "unknown key; known: ..." message.
  public static func known(_ sections: [ConfigSection]) -> String {
    sections.map(\.key).joined(separator: ", ")
  }
}
