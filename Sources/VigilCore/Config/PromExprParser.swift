/// The recursive-descent parser of ``PromExpr``'s subset, over ``PromLexer``'s tokens.
struct PromExprParser {
  typealias Problem = PromExpr.Problem

  /// A parsed (sub)expression.
  enum Node {
    case selector(SeriesSelector, offset: Int)
    case number(text: String, value: Double, offset: Int)
    case compare(PromExpr, offset: Int)

    var offset: Int {
      switch self {
      case .selector(_, let o), .number(_, _, let o), .compare(_, let o): o
      }
    }
  }

  let tokens: [PromToken]
  /// The expression's length (the position of "end of expression").
  let end: Int
  var i = 0

  init(tokens: [PromToken], end: Int) {
    self.tokens = tokens
    self.end = end
  }

  static let aggregations: Set<String> = [
    "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk",
    "count_values", "quantile",
  ]
  static let keywords: Set<String> = [
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "offset", "bool", "atan2",
  ]

  private var peek: PromToken? { i < tokens.count ? tokens[i] : nil }

  /// Where token `k` starts; the end of the expression past the last token.
  private func offset(ofToken k: Int) -> Int { k >= 0 && k < tokens.count ? tokens[k].offset : end }

  private mutating func take() -> PromToken? {
    defer { i += 1 }
    return peek
  }

  /// The whole expression: a selector compared with a number.
  mutating func expression() throws(Problem) -> PromExpr {
    let node = try comparison()
    if let extra = peek { throw unsupported(extra) }
    switch node {
    case .compare(let e, _): return e
    case .selector(_, let o):
      throw Problem(
        offset: o,
        message: "a bare selector is not supported: compare it with a number (e.g. metric > 0)")
    case .number(_, _, let o):
      throw Problem(offset: o, message: "the expression needs a selector compared with a number")
    }
  }

  private mutating func comparison() throws(Problem) -> Node {
    let lhs = try unary()
    guard let opToken = peek, opToken.kind == .compareOp, let op = AlertOp(rawValue: opToken.text)
    else { return lhs }
    i += 1
    if let next = peek, next.kind == .identifier {
      let word = next.text.lowercased()
      if word == "bool" {
        throw Problem(offset: next.offset, message: "the bool modifier is not supported")
      }
      if ["on", "ignoring", "group_left", "group_right"].contains(word) {
        throw Problem(
          offset: next.offset, message: "vector matching (\(next.text)) is not supported")
      }
    }
    let rhs = try unary()
    switch (lhs, rhs) {
    case (.selector(let s, let o), .number(let text, let v, let no)):
      return .compare(
        PromExpr(selector: s, op: op, number: text, value: v, numberOffset: no), offset: o)
    case (.number(let text, let v, let no), .selector(let s, _)):
      return .compare(
        PromExpr(selector: s, op: op.flipped, number: text, value: v, numberOffset: no),
        offset: no)
    case (.selector, .selector):
      throw Problem(
        offset: opToken.offset,
        message: "comparisons between two vectors are not supported (only with a number)")
    case (.number, .number):
      throw Problem(
        offset: opToken.offset,
        message: "comparing two numbers is not supported (there is no series to alert on)")
    case (.compare, _), (_, .compare):
      throw Problem(
        offset: opToken.offset, message: "comparing a comparison is not supported")
    }
  }

  /// A primary with optional signs (`-5`; a sign before a vector is not supported).
  private mutating func unary() throws(Problem) -> Node {
    guard let t = peek, t.kind == .otherOp, t.text == "-" || t.text == "+" else {
      return try primary()
    }
    i += 1
    let inner = try unary()
    guard case .number(let text, let v, _) = inner else {
      throw Problem(offset: t.offset, message: "unary \(t.text) on a vector is not supported")
    }
    return .number(text: t.text + text, value: t.text == "-" ? -v : v, offset: t.offset)
  }

  private mutating func primary() throws(Problem) -> Node {
    guard let t = take() else {
      throw Problem(offset: end, message: "expected a selector or a number at the end")
    }
    switch t.kind {
    case .leftParen:
      let inner = try comparison()
      guard let close = take(), close.kind == .rightParen else {
        throw Problem(offset: offset(ofToken: i - 1), message: "expected )")
      }
      return inner
    case .number:
      return .number(text: t.text, value: PromExprParser.value(t.text), offset: t.offset)
    case .leftBrace:
      i -= 1
      return try selector(metric: nil, at: t.offset)
    case .identifier:
      let word = t.text.lowercased()
      if let next = peek, next.kind == .leftParen {
        let what = PromExprParser.aggregations.contains(word) ? "aggregation" : "function"
        throw Problem(offset: t.offset, message: "the \(what) \(t.text)() is not supported")
      }
      if PromExprParser.aggregations.contains(word), let next = peek, next.kind == .identifier,
        ["by", "without"].contains(next.text.lowercased())
      {
        throw Problem(offset: t.offset, message: "the aggregation \(t.text) is not supported")
      }
      if PromExprParser.keywords.contains(word) {
        throw Problem(offset: t.offset, message: "\(t.text) is not supported here")
      }
      return try selector(metric: t.text, at: t.offset)
    default:
      throw unsupported(t)
    }
  }

  /// A selector after its metric name (if any): `{matchers}`, then nothing PromQL would add.
  private mutating func selector(metric: String?, at offset: Int) throws(Problem) -> Node {
    var metric = metric
    var matchers: [LabelMatcher] = []
    if let open = peek, open.kind == .leftBrace {
      i += 1
      try matcherList(metric: &metric, into: &matchers)
    }
    guard let name = metric else {
      throw Problem(
        offset: offset,
        message: "a selector needs a metric name (metric{...} or {__name__=\"metric\", ...})")
    }
    if let t = peek {
      switch t.kind {
      case .leftBracket:
        throw Problem(offset: t.offset, message: "range selectors ([5m]) are not supported")
      case .at: throw Problem(offset: t.offset, message: "the @ modifier is not supported")
      case .identifier where t.text.lowercased() == "offset":
        throw Problem(offset: t.offset, message: "offset is not supported")
      default: break
      }
    }
    return .selector(SeriesSelector(metric: name, matchers: matchers), offset: offset)
  }

  private mutating func matcherList(metric: inout String?, into matchers: inout [LabelMatcher])
    throws(Problem)
  {
    while true {
      guard let t = take() else { throw Problem(offset: end, message: "expected } at the end") }
      if t.kind == .rightBrace { return }
      guard t.kind == .identifier, !t.text.contains(":") else {
        throw Problem(offset: t.offset, message: "expected a label name, found \"\(t.text)\"")
      }
      guard let op = take(), op.kind == .matchOp || (op.kind == .compareOp && op.text == "!=")
      else {
        throw Problem(offset: offset(ofToken: i - 1), message: "expected =, !=, =~ or !~")
      }
      guard let value = take(), value.kind == .string else {
        throw Problem(offset: offset(ofToken: i - 1), message: "expected a quoted label value")
      }
      if t.text == "__name__" {
        guard op.text == "=" else {
          throw Problem(
            offset: op.offset,
            message: "__name__\(op.text) is not supported (only __name__=\"metric\")")
        }
        if metric != nil {
          throw Problem(offset: t.offset, message: "the metric name is given twice")
        }
        metric = value.value
      } else {
        matchers.append(try PromExprParser.matcher(t.text, op.text, value))
      }
      guard let sep = take() else { throw Problem(offset: end, message: "expected } at the end") }
      if sep.kind == .rightBrace { return }
      guard sep.kind == .comma else {
        throw Problem(offset: sep.offset, message: "expected , or } in the selector")
      }
    }
  }

  static func matcher(_ name: String, _ op: String, _ value: PromToken) throws(Problem)
    -> LabelMatcher
  {
    switch op {
    case "=": return LabelMatcher(name, value.value)
    case "!=": return LabelMatcher(name, value.value, negated: true)
    default:
      do {
        return try LabelMatcher(name, matching: value.value, negated: op == "!~")
      } catch {
        throw Problem(
          offset: value.offset,
          message: "invalid regular expression \"\(printableExcerpt(value.value, limit: 40))\"")
      }
    }
  }

  static func value(_ text: String) -> Double {
    switch text.lowercased() {
    case "inf": return .infinity
    case "nan": return .nan
    default: break
    }
    if text.hasPrefix("0x") || text.hasPrefix("0X") {
      return UInt64(text.dropFirst(2), radix: 16).map(Double.init) ?? .infinity
    }
    return Double(text) ?? .nan
  }

  private func unsupported(_ t: PromToken) -> Problem {
    switch t.kind {
    case .otherOp:
      return Problem(offset: t.offset, message: "the operator \(t.text) is not supported")
    case .compareOp:
      return Problem(offset: t.offset, message: "only one comparison is supported")
    case .identifier:
      let word = t.text.lowercased()
      if ["and", "or", "unless"].contains(word) {
        return Problem(offset: t.offset, message: "the operator \(t.text) is not supported")
      }
      return Problem(offset: t.offset, message: "unexpected \"\(t.text)\"")
    default:
      return Problem(
        offset: t.offset, message: "unexpected \"\(printableExcerpt(t.text, limit: 20))\"")
    }
  }
}

extension AlertOp {
  /// The operator with its sides swapped: `5 < m` is `m > 5`.
  var flipped: AlertOp {
    switch self {
    case .greater: .less
    case .greaterOrEqual: .lessOrEqual
    case .less: .greater
    case .lessOrEqual: .greaterOrEqual
    case .equal, .notEqual: self
    }
  }
}
