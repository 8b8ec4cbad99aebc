import Yams

/// Walks a YAML tree (config, rules), collecting every problem with its `file:line:column`.
struct YAMLReader {
  let file: String
  var problems: [ConfigProblem] = []

  init(file: String) { self.file = file }

  func at(_ node: Node, _ message: String) -> ConfigProblem {
    ConfigProblem(
      file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, message: message)
  }

  mutating func report(_ node: Node, _ message: String) { problems.append(at(node, message)) }

  func problem(from error: YamlError) -> ConfigProblem {
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

  mutating func scalar(_ node: Node, _ what: String) -> String? {
    guard let s = node.scalar?.string else {
      report(node, "\(what) must be a single value")
      return nil
    }
    return s
  }

  mutating func duration(_ node: Node, _ what: String, allowZero: Bool = false) -> Int64? {
    guard let s = scalar(node, what) else { return nil }
    guard let ns = Nanos.parse(s), ns > 0 || (allowZero && ns == 0) else {
      report(
        node, "\(what): \"\(printableExcerpt(s, limit: 40))\" is not a duration like 90s, 5m or 1h")
      return nil
    }
    return ns
  }

  mutating func number(_ node: Node, _ what: String) -> Double? {
    guard let s = scalar(node, what) else { return nil }
    guard let v = Double(s), v.isFinite else {
      report(node, "\(what) must be a number, not \"\(printableExcerpt(s, limit: 40))\"")
      return nil
    }
    return v
  }

  mutating func list(_ node: Node, _ what: String) -> [Node]? {
    guard let seq = node.sequence else {
      report(node, "\(what) must be a list")
      return nil
    }
    return Array(seq)
  }
}
