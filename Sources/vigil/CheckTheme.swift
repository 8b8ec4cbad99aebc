import ArgumentParser
import VigilApp
import VigilCore

struct CheckTheme: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check-theme",
    abstract: "Check theme files: print every problem as file:line:column, exit 2 if any.",
    discussion: """
      With no argument, checks every built-in theme and lists their names. A problem never \
      stops the dashboard (the key keeps its default); this shows them all at once.
      """)

  @Argument(help: "Theme files or built-in names. None: every built-in theme.")
  var themes: [String] = []

  func run() throws {
    var failed = false
    for name in themes.isEmpty ? ThemeLoader.builtinNames : themes {
      switch ThemeLoader.resolve(name) {
      case .success(let loaded):
        if loaded.warnings.isEmpty {
          print("\(name): ok (theme \"\(loaded.theme.name)\")")
        } else {
          failed = true
          for w in loaded.warnings { printError(w.description) }
        }
      case .failure(let problem):
        failed = true
        printError(problem.description)
      }
    }
    if failed { throw ExitCode(2) }
  }
}
