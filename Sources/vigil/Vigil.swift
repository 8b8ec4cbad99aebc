import ArgumentParser
import CVigilSignals
import VigilCore

@main
struct Vigil: ParsableCommand {
  static func main() {
    // Before any thread starts: a parent may have handed us a blocked signal mask.
    _ = vigil_signals_unblock_inherited()
    Vigil.main(nil)
  }

  static let configuration = CommandConfiguration(
    commandName: "vigil",
    abstract: "A live terminal dashboard for the operational health of an ecommerce backend.",
    discussion: """
      With no feeds, Vigil plays its built-in demo incident. Give files (followed like \
      tail -F) or - for standard input; formats are detected unless --format says otherwise. \
      See 'vigil help run' for every flag.
      """,
    version: vigilVersion,
    subcommands: [Run.self, Generate.self],
    defaultSubcommand: Run.self)
}

let vigilVersion = "0.1.0"
