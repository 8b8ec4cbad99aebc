import Yams

/// A YAML document as plain values with positions, for readers outside `Config/` (themes),
/// so only this folder knows the YAML library.
///
/// ```swift
/// switch ConfigTree.parse("title_bar: {fg: \"#ffffff\"}\n", file: "my.yaml") {
/// case .success(let root?): root.map?.first?.key.scalar  // "title_bar"
/// case .success(nil): break                              // an empty document
/// case .failure(let problem): print(problem)             // my.yaml:1:5: YAML: ...
/// }
/// ```
public struct ConfigNode: Sendable, Equatable {
  public enum Value: Sendable, Equatable {
    case scalar(String)
    case list([ConfigNode])
    /// Key/value pairs in file order (duplicates kept).
    case map([ConfigEntry])
  }

  public var value: Value
  /// 1-based position of the node in its file (0 when unknown).
  public var line: Int
  public var column: Int
  /// True for a plain scalar YAML reads as null: nothing after `key:` (also what an unquoted
  /// `#` leaves, since it starts a comment), `~` or `null`.
  public var isNull: Bool

  public init(_ value: Value, line: Int = 0, column: Int = 0, isNull: Bool = false) {
    self.value = value
    self.line = line
    self.column = column
    self.isNull = isNull
  }

  /// The text of a scalar, else nil.
  public var scalar: String? {
    if case .scalar(let s) = value { return s }
    return nil
  }

  /// The pairs of a mapping, else nil.
  public var map: [ConfigEntry]? {
    if case .map(let m) = value { return m }
    return nil
  }

  /// The items of a list, else nil.
  public var list: [ConfigNode]? {
    if case .list(let l) = value { return l }
    return nil
  }

  /// A problem at this node.
  public func problem(_ message: String, file: String) -> ConfigProblem {
    ConfigProblem(file: file, line: line, column: column, message: message)
  }
}

/// One `key: value` pair of a mapping.
public struct ConfigEntry: Sendable, Equatable {
  public var key: ConfigNode
  public var value: ConfigNode
  public init(key: ConfigNode, value: ConfigNode) {
    self.key = key
    self.value = value
  }
}

public enum ConfigTree {
  /// Parses YAML `text` (named `file` in problems): the root node, nil for an empty document,
  /// or the syntax error with its position. Never traps, whatever the text.
  public static func parse(_ text: String, file: String) -> Result<ConfigNode?, ConfigProblem> {
    let reader = YAMLReader(file: file)
    do {
      guard let root = try Yams.compose(yaml: text) else { return .success(nil) }
      return .success(convert(root, depth: 0))
    } catch let error as YamlError {
      return .failure(reader.problem(from: error))
    } catch {
      return .failure(ConfigProblem(file: file, line: 0, message: "\(error)"))
    }
  }

  /// Reads and parses the file at `path`.
  public static func load(path: String) -> Result<ConfigNode?, ConfigProblem> {
    guard let text = readTextFile(path) else {
      return .failure(ConfigProblem(file: path, line: 0, message: "cannot read the file"))
    }
    return parse(text, file: path)
  }

  /// Nesting deeper than this is cut (a hostile file cannot exhaust the stack).
  static let maximumDepth = 64

  private static func convert(_ node: Node, depth: Int) -> ConfigNode {
    let line = node.mark?.line ?? 0
    let column = node.mark?.column ?? 0
    guard depth < maximumDepth else { return ConfigNode(.scalar(""), line: line, column: column) }
    switch node {
    case .scalar(let s):
      let isNull = s.style == .plain && node.tag == Tag(.null)
      return ConfigNode(.scalar(s.string), line: line, column: column, isNull: isNull)
    case .mapping(let m):
      let pairs = m.map {
        ConfigEntry(
          key: convert($0.key, depth: depth + 1), value: convert($0.value, depth: depth + 1))
      }
      return ConfigNode(.map(pairs), line: line, column: column)
    case .sequence(let s):
      return ConfigNode(.list(s.map { convert($0, depth: depth + 1) }), line: line, column: column)
    case .alias:
      return ConfigNode(.scalar(""), line: line, column: column, isNull: true)
    }
  }
}
