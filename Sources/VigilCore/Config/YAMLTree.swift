import Yams

/// One node of a parsed YAML document, with its position: the one tree every Vigil file reader
/// walks (config, rules, net settings, layouts, themes) through ``ConfigReader``.
///
/// A node is a view of the parsed document, not a copy: reading it costs nothing until a
/// reader asks, and an alias repeated many times (`*a` in a list of `*b`s) is never expanded
/// beyond what a reader visits. Only this file knows the YAML library (Yams).
///
/// ```swift
/// switch YAMLTree.parse("title_bar: {fg: \"#ffffff\"}\n", file: "my.yaml") {
/// case .success(let root?): root.map?.first?.key.scalar  // "title_bar"
/// case .success(nil): break                              // an empty document
/// case .failure(let problem): print(problem)             // my.yaml:1:5: YAML: ...
/// }
/// ```
public struct YAMLNode {
  let node: Node

  init(_ node: Node) { self.node = node }

  /// 1-based position of the node in its file (0 when unknown).
  public var line: Int { node.mark?.line ?? 0 }
  public var column: Int { node.mark?.column ?? 0 }

  /// The text of a scalar, else nil. A null (`key:` with nothing after it, `~`, `null`) is a
  /// scalar too: its text as written (`""`, `~`, `null`); see ``isNull``.
  public var scalar: String? { node.scalar?.string }

  /// True for a plain scalar YAML reads as null: nothing after `key:` (also what an unquoted
  /// `#` leaves, since it starts a comment), `~` or `null`.
  public var isNull: Bool {
    guard let s = node.scalar, s.style == .plain else { return false }
    return node.tag == Tag(.null)
  }

  /// How a scalar is written in its file, else nil (to map a position inside its text back to
  /// the file: a Prometheus rule's `expr`).
  public var scalarStyle: YAMLScalarStyle? {
    guard let s = node.scalar else { return nil }
    switch s.style {
    case .singleQuoted: return .singleQuoted
    case .doubleQuoted: return .doubleQuoted
    case .literal: return .literal
    case .folded: return .folded
    default: return .plain
    }
  }

  /// The items of a list, else nil.
  public var list: [YAMLNode]? { node.sequence.map { $0.map(YAMLNode.init) } }

  /// The pairs of a mapping in file order, else nil.
  public var map: [YAMLEntry]? {
    node.mapping.map { $0.map { (key: YAMLNode($0.key), value: YAMLNode($0.value)) } }
  }

  /// In a mapping, the value of the first pair whose key is the scalar `key`.
  public subscript(key: String) -> YAMLNode? {
    node.mapping?.first { $0.key.scalar?.string == key }.map { YAMLNode($0.value) }
  }
}

/// How a scalar is written: `plain`, `'single'`, `"double"`, `|` literal or `>` folded.
public enum YAMLScalarStyle: Sendable, Equatable {
  case plain, singleQuoted, doubleQuoted, literal, folded
}

/// One `key: value` pair of a mapping.
public typealias YAMLEntry = (key: YAMLNode, value: YAMLNode)

/// Parsing YAML text into ``YAMLNode``s.
public enum YAMLTree {
  /// Parses YAML `text` (named `file` in problems): the root node, nil for an empty document,
  /// or the syntax error with its position. Never traps, whatever the text.
  public static func parse(_ text: String, file: String) -> Result<YAMLNode?, ConfigProblem> {
    do {
      return .success(try Yams.compose(yaml: text).map(YAMLNode.init))
    } catch let error as YamlError {
      return .failure(problem(from: error, file: file))
    } catch {
      return .failure(ConfigProblem(file: file, line: 0, message: "\(error)"))
    }
  }

  /// Reads and parses the file at `path`.
  public static func load(path: String) -> Result<YAMLNode?, ConfigProblem> {
    guard let text = readTextFile(path) else {
      return .failure(ConfigProblem(file: path, line: 0, message: "cannot read the file"))
    }
    return parse(text, file: path)
  }

  static func problem(from error: YamlError, file: String) -> ConfigProblem {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      return ConfigProblem(
        file: file, line: mark.line, column: mark.column, message: "YAML: " + problem)
    case .duplicatedKeysInMapping(let duplicates, let context):
      let keys = duplicates.map { "\"\(printableExcerpt($0, limit: 40))\"" }
      return ConfigProblem(
        file: file, line: context.mark.line, column: context.mark.column,
        message: "YAML: duplicate key \(keys.joined(separator: ", ")) in this mapping")
    default:
      return ConfigProblem(file: file, line: 0, message: "YAML: \(error)")
    }
  }
}
