import ArgumentParser
import VigilApp

struct CheckLayout: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check-layout",
    abstract: "Check layout files: print every problem as file:line:column, exit 2 if any.",
    discussion: """
      With no argument, checks every built-in layout. Errors (bad values) stop the dashboard \
      from using a file; warnings (unknown keys, panels not in the grid) do not, but are \
      problems here too.
      """)

  @Argument(help: "Layout files or built-in names. None: every built-in layout.")
  var layouts: [String] = []

  func run() throws {
    if !Self.check(layouts.isEmpty ? LayoutLoader.builtinNames : layouts) { throw ExitCode(2) }
  }

  /// Checks each layout, printing what it finds; false when any has a problem.
  static func check(_ names: [String]) -> Bool {
    var failed = false
    for name in names {
      switch LayoutLoader.resolve(name) {
      case .success(let load):
        for w in load.warnings { printError(w.description) }
        failed = failed || !load.warnings.isEmpty
        let rows = load.layout.rows.count
        print(
          "\(name): \(load.warnings.isEmpty ? "ok" : "usable, with warnings") "
            + "(layout \"\(load.layout.name)\": \(load.layout.panels.count) panels in \(rows) rows)"
        )
      case .failure(let problems):
        failed = true
        printError(problems.description)
      }
    }
    return !failed
  }
}
