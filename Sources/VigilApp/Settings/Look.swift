import VigilCore
import VigilRender

/// What `--color`, `--colors` and `--theme` decided.
public struct Look: Sendable {
  public var colorChoice = ColorChoice.auto
  /// `--colors`: a forced capability (still capped at the terminal's).
  public var colorDepth: ColorCapability?
  /// The themes `t` cycles through, and the one shown first.
  public var themes: [Theme] = [.standard]
  public var themeIndex = 0
  /// Problems in the `--theme` file (each key with one kept its default).
  public var themeWarnings: [ConfigProblem] = []

  public init() {}

  /// Resolves the colour and theme flags; `loaded` is `--theme` as ``ThemeLoader`` resolved
  /// it. A theme file with problems still loads (with warnings); an unknown theme name is a
  /// usage error, an unreadable file a failure.
  public static func resolve(
    color: String?, colors: String?, theme: String?, loaded: Result<ThemeLoad, ConfigProblem>?
  ) throws(SettingsError) -> Look {
    var look = Look()
    if let color {
      guard let choice = ColorChoice(rawValue: color.lowercased()) else {
        throw .usage("--color must be auto, always or never")
      }
      look.colorChoice = choice
    }
    if let colors {
      guard let depth = parseColorDepth(colors) else {
        throw .usage("--colors must be 8, 16, 256 or truecolor (or 0 for none)")
      }
      look.colorDepth = depth
    }
    let builtins = ThemeLoader.builtins()
    look.themes = builtins.isEmpty ? [.standard] : builtins
    guard let theme, let loaded else { return look }
    switch loaded {
    case .success(let loaded):
      if let i = ThemeLoader.builtinNames.firstIndex(of: theme), i < look.themes.count,
        look.themes[i] == loaded.theme
      {
        look.themeIndex = i
      } else {
        look.themes.insert(loaded.theme, at: 0)
        look.themeIndex = 0
      }
      look.themeWarnings = loaded.warnings
    case .failure(let problem):
      if problem.message == "cannot read the file" { throw .failure("vigil: --theme: \(problem)") }
      throw .usage("--theme: \(problem)")
    }
    return look
  }
}

/// `8`, `16`, `256`, `truecolor` (or `24bit`), `0`/`none`/`monochrome`.
public func parseColorDepth(_ text: String) -> ColorCapability? {
  switch text.lowercased() {
  case "0", "none", "monochrome", "mono": .monochrome
  case "8": .ansi8
  case "16": .ansi16
  case "256": .indexed256
  case "truecolor", "24bit", "24-bit", "16m": .truecolor
  default: nil
  }
}

/// The title-bar notice for theme problems, or nil.
public func themeWarningNotice(_ warnings: [ConfigProblem]) -> String? {
  guard let first = warnings.first else { return nil }
  let more = warnings.count > 1 ? " (+\(warnings.count - 1) more: vigil check-theme)" : ""
  return "theme: " + first.description + more
}
