/// The PromQL subset a Prometheus alerting rule's `expr` may use in Vigil: one instant vector
/// selector (`metric{label="v", other!="w", re=~"a|b", nre!~"c.*"}`, or
/// `{__name__="metric", ...}`) compared with a number (`>`, `>=`, `<`, `<=`, `==`, `!=`), the
/// number on either side, parentheses allowed. Everything else PromQL has (functions,
/// aggregations, arithmetic, `and`/`or`/`unless`, comparisons between two vectors, `bool`,
/// `offset`, `@`, range selectors) is refused with the position of what is not supported.
public struct PromExpr: Equatable, Sendable {
  public var selector: SeriesSelector
  public var op: AlertOp
  /// The number as written (with its sign), and its value.
  public var number: String
  public var value: Double
  /// Where the number starts (characters from the expression's start).
  public var numberOffset: Int

  /// A refusal: what is wrong and where (characters from the expression's start).
  public struct Problem: Error, Equatable, Sendable {
    public var offset: Int
    public var message: String
  }

  /// Parses `text`.
  public static func parse(_ text: String) throws(Problem) -> PromExpr {
    var p = PromExprParser(tokens: try PromLexer.tokens(text), end: text.count)
    return try p.expression()
  }
}

/// One token of a PromQL expression.
struct PromToken: Equatable {
  enum Kind: Equatable {
    case identifier, number, string, leftBrace, rightBrace, leftParen, rightParen, comma
    case leftBracket, rightBracket, at, matchOp, compareOp, otherOp
  }
  var kind: Kind
  var text: String
  var offset: Int
  /// A string's value (escapes resolved).
  var value = ""
}

/// Splits PromQL text into tokens, with their offsets; `#` comments are skipped.
enum PromLexer {
  static func tokens(_ text: String) throws(PromExpr.Problem) -> [PromToken] {
    let c = Array(text)
    var out: [PromToken] = []
    var i = 0
    func isIdentStart(_ ch: Character) -> Bool {
      ch.isASCII && (ch.isLetter || ch == "_" || ch == ":")
    }
    func isIdent(_ ch: Character) -> Bool { isIdentStart(ch) || (ch.isASCII && ch.isNumber) }
    while i < c.count {
      let ch = c[i]
      let start = i
      if ch == " " || ch == "\t" || ch == "\n" || ch == "\r" {
        i += 1
        continue
      }
      if ch == "#" {
        while i < c.count && c[i] != "\n" { i += 1 }
        continue
      }
      func emit(_ kind: PromToken.Kind, _ length: Int) {
        out.append(PromToken(kind: kind, text: String(c[start..<start + length]), offset: start))
        i = start + length
      }
      let next: Character? = i + 1 < c.count ? c[i + 1] : nil
      switch ch {
      case "{": emit(.leftBrace, 1)
      case "}": emit(.rightBrace, 1)
      case "(": emit(.leftParen, 1)
      case ")": emit(.rightParen, 1)
      case ",": emit(.comma, 1)
      case "[": emit(.leftBracket, 1)
      case "]": emit(.rightBracket, 1)
      case "@": emit(.at, 1)
      case "=":
        if next == "=" {
          emit(.compareOp, 2)
        } else if next == "~" {
          emit(.matchOp, 2)
        } else {
          emit(.matchOp, 1)
        }
      case "!":
        if next == "=" {
          emit(.compareOp, 2)  // `!=` is a matcher inside braces, a comparison outside
        } else if next == "~" {
          emit(.matchOp, 2)
        } else {
          throw PromExpr.Problem(offset: i, message: "unexpected character \"!\"")
        }
      case ">", "<": emit(.compareOp, next == "=" ? 2 : 1)
      case "+", "-", "*", "/", "%", "^": emit(.otherOp, 1)
      case "\"", "'", "`":
        let (value, end) = try string(c, from: i)
        out.append(
          PromToken(kind: .string, text: String(c[start..<end]), offset: start, value: value))
        i = end
      default:
        let (len, _) = numberLength(c, from: i)
        if len > 0 && !(isIdentStart(ch) && !isNumberWord(c, i, len)) {
          emit(.number, len)
        } else if isIdentStart(ch) {
          var j = i
          while j < c.count && isIdent(c[j]) { j += 1 }
          emit(.identifier, j - i)
        } else {
          throw PromExpr.Problem(
            offset: i, message: "unexpected character \"\(printableExcerpt(String(ch)))\"")
        }
      }
    }
    return out
  }

  /// `Inf`/`NaN` (any case) as a whole word.
  static func isNumberWord(_ c: [Character], _ i: Int, _ len: Int) -> Bool {
    let word = String(c[i..<i + len]).lowercased()
    return word == "inf" || word == "nan"
  }

  /// The length of a number literal at `i` (decimal with optional exponent, hex, Inf, NaN), 0
  /// when there is none; and whether it is hexadecimal.
  static func numberLength(_ c: [Character], from i: Int) -> (Int, Bool) {
    func word(_ w: String) -> Bool {
      guard i + w.count <= c.count, String(c[i..<i + w.count]).lowercased() == w else {
        return false
      }
      let after = i + w.count
      return after == c.count || !(c[after].isASCII && (c[after].isLetter || c[after].isNumber))
    }
    if word("inf") { return (3, false) }
    if word("nan") { return (3, false) }
    var j = i
    if j + 1 < c.count, c[j] == "0", c[j + 1] == "x" || c[j + 1] == "X" {
      j += 2
      while j < c.count && c[j].isHexDigit && c[j].isASCII { j += 1 }
      return j > i + 2 ? (j - i, true) : (0, false)
    }
    var digits = 0
    while j < c.count && c[j].isASCII && c[j].isNumber { j += 1; digits += 1 }
    if j < c.count && c[j] == "." {
      j += 1
      while j < c.count && c[j].isASCII && c[j].isNumber { j += 1; digits += 1 }
    }
    guard digits > 0 else { return (0, false) }
    if j < c.count, c[j] == "e" || c[j] == "E" {
      var k = j + 1
      if k < c.count, c[k] == "+" || c[k] == "-" { k += 1 }
      let expStart = k
      while k < c.count && c[k].isASCII && c[k].isNumber { k += 1 }
      if k > expStart { j = k }
    }
    return (j - i, false)
  }

  /// A quoted string from `i`: its value and the offset after its closing quote.
  static func string(_ c: [Character], from i: Int) throws(PromExpr.Problem) -> (String, Int) {
    let quote = c[i]
    var j = i + 1
    var value = ""
    while j < c.count {
      let ch = c[j]
      if ch == quote { return (value, j + 1) }
      if ch == "\n" && quote != "`" { break }
      if ch == "\\" && quote != "`" {
        guard j + 1 < c.count else { break }
        let e = c[j + 1]
        j += 2
        switch e {
        case "a": value.append("\u{07}")
        case "b": value.append("\u{08}")
        case "f": value.append("\u{0C}")
        case "n": value.append("\n")
        case "r": value.append("\r")
        case "t": value.append("\t")
        case "v": value.append("\u{0B}")
        case "\\", "\"", "'": value.append(e)
        case "x", "u", "U":
          let n = e == "x" ? 2 : (e == "u" ? 4 : 8)
          guard j + n <= c.count, let code = UInt32(String(c[j..<j + n]), radix: 16),
            let scalar = Unicode.Scalar(code)
          else {
            throw PromExpr.Problem(offset: j - 2, message: "invalid escape \\\(e) in string")
          }
          value.unicodeScalars.append(scalar)
          j += n
        default:
          throw PromExpr.Problem(
            offset: j - 2, message: "unsupported escape \\\(printableExcerpt(String(e))) in string")
        }
        continue
      }
      value.append(ch)
      j += 1
    }
    throw PromExpr.Problem(offset: i, message: "unterminated string")
  }
}
