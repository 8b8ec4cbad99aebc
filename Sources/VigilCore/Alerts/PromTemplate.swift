/// A Prometheus alerting template (Go `text/template`) in the subset Vigil expands: text, and the
/// actions `{{ $value }}`, `{{ $labels }}`, `{{ $labels.NAME }}` (also `.Value`, `.Labels`,
/// `.Labels.NAME`), with `{{-` / `-}}` trimming. Anything else (functions, pipelines, `if`,
/// `range`, comments) is refused when the rule is loaded.
///
/// Expansion prints as Prometheus 2.42 does: the value as Go's `%v` (`5`, `0.1`, `1e+06`), a
/// missing label as the empty text (Prometheus sets `missingkey=zero`), `$labels` as Go prints
/// a map (`map[__name__:m job:api]`, keys sorted).
public struct PromTemplate: Hashable, Sendable {
  enum Part: Hashable, Sendable {
    case text(String)
    case value
    case labels
    case label(String)
  }
  let parts: [Part]

  /// Why a template was refused, and where: `offset` counts characters from the template's start.
  public struct Problem: Error, Equatable, Sendable {
    public var offset: Int
    public var message: String
  }

  /// The supported actions, for messages.
  static let supported = "{{ $value }}, {{ $labels }} and {{ $labels.NAME }}"

  /// Parses `text`; throws the first unsupported or malformed action.
  public init(parsing text: String) throws(Problem) {
    let chars = Array(text)
    var parts: [Part] = []
    var literal = ""
    var i = 0
    while i < chars.count {
      guard chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{" else {
        literal.append(chars[i])
        i += 1
        continue
      }
      let open = i
      var j = i + 2
      if j + 1 < chars.count, chars[j] == "-", chars[j + 1].isGoSpace {
        while let last = literal.last, last.isGoSpace { literal.removeLast() }
        j += 1
      }
      guard let close = PromTemplate.closing(chars, from: j) else {
        throw Problem(offset: open, message: "unclosed action (no }})")
      }
      var end = close
      var trimRight = false
      if end - 2 >= j, chars[end - 1] == "-", chars[end - 2].isGoSpace {
        trimRight = true
        end -= 1
      }
      let action = String(chars[j..<end]).trimmingGoSpace()
      if !literal.isEmpty { parts.append(.text(literal)) }
      literal = ""
      parts.append(try PromTemplate.part(action, at: open))
      i = close + 2
      if trimRight { while i < chars.count, chars[i].isGoSpace { i += 1 } }
    }
    if !literal.isEmpty { parts.append(.text(literal)) }
    self.parts = parts
  }

  /// Whether the template is plain text (nothing to expand).
  public var isConstant: Bool { parts.allSatisfy { if case .text = $0 { true } else { false } } }

  private static func closing(_ chars: [Character], from start: Int) -> Int? {
    var k = start
    var quote: Character?
    while k + 1 < chars.count {
      let c = chars[k]
      if let q = quote {
        if c == "\\" && q != "`" {
          k += 2
          continue
        }
        if c == q { quote = nil }
      } else if c == "\"" || c == "`" || c == "'" {
        quote = c
      } else if c == "}" && chars[k + 1] == "}" {
        return k
      }
      k += 1
    }
    return nil
  }

  private static func part(_ action: String, at offset: Int) throws(Problem) -> Part {
    switch action {
    case "$value", ".Value": return .value
    case "$labels", ".Labels": return .labels
    default: break
    }
    for prefix in ["$labels.", ".Labels."] where action.hasPrefix(prefix) {
      let name = action.dropFirst(prefix.count)
      if let first = name.first, first.isASCII, first.isLetter || first == "_",
        name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
      {
        return .label(String(name))
      }
    }
    let shown = printableExcerpt(action, limit: 40)
    let what: String
    if action.hasPrefix("/*") {
      what = "template comments are not supported"
    } else if action.contains("|") {
      what = "template pipelines (\(shown)) are not supported"
    } else if let word = action.split(whereSeparator: \.isGoSpace).first,
      word.first.map({ $0 != "$" && $0 != "." }) ?? true
    {
      what =
        "template \(action.isEmpty ? "action" : "function or action \"\(word)\"") is not supported"
    } else {
      what = "template action \"\(shown)\" is not supported"
    }
    throw Problem(offset: offset, message: "\(what); Vigil expands \(supported)")
  }

  /// The text for one alert: `labels` are the series' labels with `__name__` (what Prometheus's
  /// `$labels` holds), `value` its sample value.
  public func expand(labels: LabelSet, value: Double) -> String {
    var out = ""
    for part in parts {
      switch part {
      case .text(let s): out += s
      case .value: out += goFloat(value)
      case .label(let name): out += labels[name] ?? ""
      case .labels:
        out += "map["
        for (i, l) in labels.labels.enumerated() {
          if i > 0 { out += " " }
          out += l.name + ":" + l.value
        }
        out += "]"
      }
    }
    return out
  }
}

extension Character {
  /// Go template whitespace (space, tab, carriage return, newline).
  fileprivate var isGoSpace: Bool { self == " " || self == "\t" || self == "\r" || self == "\n" }
}

extension String {
  fileprivate func trimmingGoSpace() -> String {
    var s = Substring(self)
    while let f = s.first, f.isGoSpace { s = s.dropFirst() }
    while let l = s.last, l.isGoSpace { s = s.dropLast() }
    return String(s)
  }
}

/// A float as Go's `fmt` prints it with `%v` (`strconv.FormatFloat(v, 'g', -1, 64)`): the
/// shortest round-trip digits, in `%e` form (`1e+06`, `1.5e-05`, two exponent digits at least)
/// when the decimal exponent is below -4 or at least 6; `+Inf`, `-Inf`, `NaN`.
public func goFloat(_ v: Double) -> String {
  if v.isNaN { return "NaN" }
  if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
  if v == 0 { return v.sign == .minus ? "-0" : "0" }
  // Swift's description holds the shortest round-trip digits; take them apart.
  let (digits, exponent) = shortestDigits(v.magnitude)
  let sign = v < 0 ? "-" : ""
  // `exponent` is the position of the decimal point: value = 0.d1d2... × 10^exponent.
  let e = exponent - 1
  if e < -4 || e >= 6 {
    var mantissa = String(digits.first ?? "0")
    if digits.count > 1 { mantissa += "." + digits.dropFirst() }
    let expText = String(abs(e))
    return sign + mantissa + "e" + (e < 0 ? "-" : "+") + (expText.count < 2 ? "0" : "") + expText
  }
  if exponent <= 0 {
    return sign + "0." + String(repeating: "0", count: -exponent) + digits
  }
  if digits.count <= exponent {
    return sign + digits + String(repeating: "0", count: exponent - digits.count)
  }
  let cut = digits.index(digits.startIndex, offsetBy: exponent)
  return sign + digits[..<cut] + "." + digits[cut...]
}

/// The shortest round-trip decimal digits of a finite positive `v` (no leading or trailing
/// zeros) and the decimal point's position: `v = 0.DIGITS × 10^point`.
func shortestDigits(_ v: Double) -> (digits: String, point: Int) {
  let text = v.description  // e.g. "1234.5", "1e-05", "1.5e+20", "0.001"
  var mantissa = Substring(text)
  var exp = 0
  if let eIndex = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
    mantissa = text[..<eIndex]
    exp = Int(text[text.index(after: eIndex)...]) ?? 0
  }
  var intPart = mantissa
  var fracPart: Substring = ""
  if let dot = mantissa.firstIndex(of: ".") {
    intPart = mantissa[..<dot]
    fracPart = mantissa[mantissa.index(after: dot)...]
  }
  var all = String(intPart) + fracPart
  var point = intPart.count + exp
  while all.first == "0" {
    all.removeFirst()
    point -= 1
  }
  while all.last == "0" { all.removeLast() }
  return (all, point)
}

/// A Prometheus rule's labels and annotations as templates.
public struct RuleTemplates: Hashable, Sendable {
  public struct Named: Hashable, Sendable {
    public var name: String
    public var template: PromTemplate
    public init(name: String, template: PromTemplate) {
      self.name = name
      self.template = template
    }
  }
  /// Every label of the rule, in file order.
  public var labels: [Named]
  /// Every annotation of the rule, in file order.
  public var annotations: [Named]

  public init(labels: [Named] = [], annotations: [Named] = []) {
    self.labels = labels
    self.annotations = annotations
  }

  /// An alert's labels as Prometheus builds them: the series' labels, then each rule label
  /// expanded over them (a rule label wins; one that expands to "" removes the label), without
  /// `alertname` (Prometheus sets it to the rule's name, which Vigil prints as `rule`).
  func labels(_ rule: AlertRule, series: LabelSet, value: Double) -> LabelSet {
    var pairs = series.labels.map { ($0.name, $0.value) }
    if !labels.isEmpty {
      let withName = LabelSet(pairs + [("__name__", rule.selector.metric)])
      for l in labels { pairs.append((l.name, l.template.expand(labels: withName, value: value))) }
    }
    pairs.append(("alertname", ""))
    return LabelSet(pairs)
  }
}
