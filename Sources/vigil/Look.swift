import ArgumentParser
import VigilApp
import VigilCore
import VigilRender

/// What `--color`, `--colors` and `--theme` decided.
struct Look {
  var colorChoice = ColorChoice.auto
  /// `--colors`: a forced capability (still capped at the terminal's).
  var colorDepth: ColorCapability?
  /// The themes `t` cycles through, and the one shown first.
  var themes: [Theme] = [.standard]
  var themeIndex = 0
  /// Problems in the `--theme` file (each key with one kept its default).
  var themeWarnings: [ConfigProblem] = []
}

/// Parses the colour and theme flags. A theme file with problems still loads (with warnings);
/// an unknown theme name is a usage error, an unreadable file a failure.
func buildLook(color: String?, colors: String?, theme: String?) throws -> Look {
  var look = Look()
  if let color {
    guard let choice = ColorChoice(rawValue: color.lowercased()) else {
      throw ValidationError("--color must be auto, always or never")
    }
    look.colorChoice = choice
  }
  if let colors {
    guard let depth = parseColorDepth(colors) else {
      throw ValidationError("--colors must be 8, 16, 256 or truecolor (or 0 for none)")
    }
    look.colorDepth = depth
  }
  let builtins = ThemeLoader.builtins()
  look.themes = builtins.isEmpty ? [.standard] : builtins
  guard let theme else { return look }
  switch ThemeLoader.resolve(theme) {
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
    if problem.message == "cannot read the file" {
      throw RunFailure(description: "vigil: --theme: \(problem)")
    }
    throw ValidationError("--theme: \(problem)")
  }
  return look
}

/// `8`, `16`, `256`, `truecolor` (or `24bit`), `0`/`none`/`monochrome`.
func parseColorDepth(_ text: String) -> ColorCapability? {
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
func themeWarningNotice(_ warnings: [ConfigProblem]) -> String? {
  guard let first = warnings.first else { return nil }
  let more = warnings.count > 1 ? " (+\(warnings.count - 1) more: vigil check-theme)" : ""
  return "theme: " + first.description + more
}
