import ArgumentParser
import VigilCore

@main
struct Vigil: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vigil",
    abstract: "A live terminal dashboard for the operational health of an ecommerce backend.",
    discussion: """
      With no feeds, Vigil plays its built-in demo incident. Give files (followed like tail -F)
      or - for standard input; formats are detected unless --format says otherwise.
      """,
    version: vigilVersion,
    subcommands: [Run.self, Generate.self],
    defaultSubcommand: Run.self)
}

let vigilVersion = "0.1.0"
