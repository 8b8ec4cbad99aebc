import VigilCore
import VigilRender

/// A theme read from a file, and what was wrong with it.
public struct ThemeLoad: Sendable, Equatable {
  public var theme: Theme
  /// Every problem, as `file:line:column: message`. A problem is never fatal: the key (or the
  /// whole file, for a YAML syntax error) keeps its default.
  public var warnings: [ConfigProblem]
  public init(theme: Theme, warnings: [ConfigProblem] = []) {
    self.theme = theme
    self.warnings = warnings
  }
}

/// Reads theme files (format: `themes/README.md`) and knows the built-in themes.
///
/// ```yaml
/// name: nord
/// palette: {nord0: "#2e3440", nord8: "#88c0d0"}
/// screen: {fg: "#d8dee9", bg: nord0}
/// title_bar: {fg: nord0, bg: nord8, attrs: [bold]}
/// border: "#4c566a"            # a bare colour is the foreground
/// ```
///
/// Every key has a default (the `dark` theme, ``Theme/standard``); a key in the file replaces
/// that style whole. Unknown keys, bad colours and bad attributes are warnings, and the key
/// keeps its default; a file that is not YAML keeps every default. Nothing here traps.
public enum ThemeLoader {
  /// Names of the built-in themes, in the order `t` cycles through them.
  public static var builtinNames: [String] { builtinFiles.map(\.name) }

  /// The built-in theme `name` (`themes/NAME.yaml`, embedded in the binary), or nil.
  public static func builtin(named name: String) -> ThemeLoad? {
    guard let file = builtinFiles.first(where: { $0.name == name }) else { return nil }
    return parse(file.text, file: "themes/\(name).yaml", name: name)
  }

  /// Every built-in theme, in ``builtinNames`` order.
  public static func builtins() -> [Theme] {
    builtinNames.compactMap { builtin(named: $0)?.theme }
  }

  /// A theme by built-in name or by path (anything with a `/` or ending in `.yaml`/`.yml`, or
  /// an existing file). Fails only when the file cannot be read or the name is unknown.
  public static func resolve(_ nameOrPath: String) -> Result<ThemeLoad, ConfigProblem> {
    let looksLikePath =
      nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml")
    if !looksLikePath, let theme = builtin(named: nameOrPath) { return .success(theme) }
    if let text = readTextFile(nameOrPath) {
      return .success(parse(text, file: nameOrPath, name: stem(of: nameOrPath)))
    }
    if looksLikePath {
      return .failure(ConfigProblem(file: nameOrPath, line: 0, message: "cannot read the file"))
    }
    return .failure(
      ConfigProblem(
        file: nameOrPath, line: 0,
        message:
          "no such theme; built-in: \(builtinNames.joined(separator: ", ")) (or give a file path)"
      ))
  }

  /// Parses theme text. `name` is used when the file has no `name:` key.
  public static func parse(_ text: String, file: String, name: String) -> ThemeLoad {
    var theme = Theme.standard
    theme.name = name
    let root: YAMLNode?
    switch YAMLTree.parse(text, file: file) {
    case .success(let r): root = r
    case .failure(var problem):
      if hasUnquotedHexColour(text, nearLine: problem.line) {
        problem.message += " (quote #RRGGBB colours: an unquoted # starts a YAML comment)"
      }
      problem.message += "; every key keeps its default"
      return ThemeLoad(theme: theme, warnings: [problem])
    }
    guard let root else { return ThemeLoad(theme: theme) }
    var reader = ConfigReader(file: file, nulls: .noValue)
    guard let entries = root.map else {
      reader.warn(root, "a theme is a mapping of keys (title_bar: {fg: ..., bg: ...}, ...)")
      return ThemeLoad(theme: theme, warnings: reader.warnings)
    }
    // The palette first: styles may name its colours wherever it is in the file.
    var palette: [String: Color] = [:]
    for entry in entries where entry.key.scalar == "palette" {
      reader.palette(entry.value, into: &palette)
    }
    for entry in entries {
      guard let key = entry.key.scalar else {
        reader.warn(entry.key, "keys must be plain names")
        continue
      }
      switch key {
      case "palette": break
      case "name":
        if let s = entry.value.scalar, !s.isEmpty, !entry.value.isNull {
          theme.name = safe(s)
        } else {
          reader.warn(entry.value, "name must be a single word or phrase")
        }
      case "description": break
      default:
        guard let themeKey = ThemeKey(rawValue: key) else {
          reader.warn(
            entry.key,
            "unknown key \"\(safe(key))\"; known: name, description, palette, "
              + ThemeKey.allCases.map(\.rawValue).joined(separator: ", "))
          continue
        }
        if let style = reader.style(entry.value, key: key, palette: palette) {
          theme[themeKey] = style
        }
      }
    }
    return ThemeLoad(theme: theme, warnings: reader.warnings)
  }

  /// Whether a `key: #abc` on line `line` or the one before leaves a colour unquoted (YAML
  /// reports the error where the comment's damage shows, often the next line).
  static func hasUnquotedHexColour(_ text: String, nearLine line: Int) -> Bool {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    for n in [line - 1, line] where n >= 1 && n <= lines.count {
      let bytes = Array(lines[n - 1].utf8)
      for i in bytes.indices where bytes[i] == UInt8(ascii: "#") && i >= 2 {
        var j = i - 1
        while j > 0 && bytes[j] == UInt8(ascii: " ") { j -= 1 }
        if j < i - 1 && bytes[j] == UInt8(ascii: ":") { return true }
      }
    }
    return false
  }

  /// The file name without folders and extension: `themes/nord.yaml` → `nord`.
  static func stem(of path: String) -> String {
    var name = Substring(path.split(separator: "/").last ?? Substring(path))
    for ext in [".yaml", ".yml"] where name.hasSuffix(ext) { name = name.dropLast(ext.count) }
    return name.isEmpty ? "custom" : safe(String(name))
  }

  /// Text from a file made safe for messages and the title bar.
  static func safe(_ text: String) -> String { printableExcerpt(text, limit: 40) }
}

/// Turning theme file nodes into styles: every problem is a warning (``ConfigReader/warn``).
extension ConfigReader {
  mutating func palette(_ node: YAMLNode, into palette: inout [String: Color]) {
    guard let entries = node.map else {
      warn(node, "palette must map names to colours (base03: \"#002b36\")")
      return
    }
    for entry in entries {
      guard let name = entry.key.scalar?.lowercased(), !name.isEmpty else {
        warn(entry.key, "palette names must be plain words")
        continue
      }
      if let c = color(entry.value, what: "palette.\(ThemeLoader.safe(name))", palette: nil) {
        palette[name] = c
      }
    }
  }

  /// A style from `{fg:, bg:, attrs:}` or a bare colour (the foreground); nil (and warnings)
  /// when anything in it is wrong, so the key keeps its default whole.
  mutating func style(_ node: YAMLNode, key: String, palette: [String: Color]) -> Style? {
    if node.scalar != nil {
      guard let c = color(node, what: key, palette: palette) else {
        warnings[warnings.count - 1].message += "; \(key) keeps its default"
        return nil
      }
      return Style(foreground: c)
    }
    guard let entries = node.map else {
      warn(
        node,
        "\(key) must be {fg: COLOUR, bg: COLOUR, attrs: [bold, ...]} or a colour; \(key) keeps its default"
      )
      return nil
    }
    var style = Style()
    var ok = true
    for entry in entries {
      switch entry.key.scalar ?? "" {
      case "fg", "foreground":
        if let c = color(entry.value, what: "\(key).fg", palette: palette) {
          style.foreground = c
        } else {
          ok = false
        }
      case "bg", "background":
        if let c = color(entry.value, what: "\(key).bg", palette: palette) {
          style.background = c
        } else {
          ok = false
        }
      case "attrs", "attributes":
        if let a = attributes(entry.value, what: "\(key).attrs") {
          style.attributes = a
        } else {
          ok = false
        }
      default:
        warn(
          entry.key,
          "\(key): unknown field \"\(ThemeLoader.safe(entry.key.scalar ?? "?"))\"; known: fg, bg, attrs"
        )
        ok = false
      }
    }
    if !ok { warnings[warnings.count - 1].message += "; \(key) keeps its default" }
    return ok ? style : nil
  }

  /// A colour; a name from `palette` too, unless it is nil (in the palette itself).
  mutating func color(_ node: YAMLNode, what: String, palette: [String: Color]?) -> Color? {
    guard let text = node.scalar else {
      warn(node, "\(what) must be a single colour")
      return nil
    }
    if node.isNull || text.isEmpty {
      warn(
        node,
        "\(what) is empty: quote #RRGGBB colours (\"#ff8700\"), an unquoted # starts a YAML comment"
      )
      return nil
    }
    if let c = palette?[text.lowercased()] { return c }
    if let c = Color(themeValue: text) { return c }
    warn(
      node,
      "\(what): \"\(ThemeLoader.safe(text))\" is not a colour; use \"#RRGGBB\", \"#RGB\", an ANSI name (red, bright-red), 0-255, default"
        + (palette?.isEmpty == false ? " or a palette name" : ""))
    return nil
  }

  mutating func attributes(_ node: YAMLNode, what: String) -> Attributes? {
    var words: [(String, YAMLNode)] = []
    if let items = node.list {
      for item in items {
        guard let s = item.scalar else {
          warn(item, "\(what) must be a list of names")
          return nil
        }
        words.append((s, item))
      }
    } else if let s = node.scalar {
      if node.isNull { return [] }
      for w in s.split(whereSeparator: { $0 == " " || $0 == "," }) {
        words.append((String(w), node))
      }
    } else {
      warn(node, "\(what) must be a list such as [bold, underline]")
      return nil
    }
    var out: Attributes = []
    for (word, at) in words {
      let w = word.lowercased()
      if w == "none" || w == "plain" { continue }
      guard let a = themeAttributeNames.first(where: { $0.0 == w })?.1 else {
        warn(
          at,
          "\(what): unknown attribute \"\(ThemeLoader.safe(word))\"; known: bold, dim, reverse, underline, italic, none"
        )
        return nil
      }
      out.insert(a)
    }
    return out
  }
}

private let themeAttributeNames: [(String, Attributes)] = [
  ("bold", .bold), ("dim", .dim), ("reverse", .reverse), ("underline", .underline),
  ("italic", .italic),
]
