import ArgumentParser
import CVigilSignals
import VigilApp
import VigilCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@main
struct Vigil: ParsableCommand {
  static func main() {
    // Before any thread starts: a parent may have handed us a blocked signal mask.
    _ = vigil_signals_unblock_inherited()
    do {
      var command = try parseAsRoot(nil)
      try command.run()
    } catch let failure as RunFailure {
      printError(failure.description)
      exit(withError: ExitCode.failure)
    } catch {
      exit(withError: error)
    }
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
    subcommands: [
      Run.self, Watch.self, Check.self, CheckConfig.self, CheckTheme.self, CheckLayout.self,
      Replay.self,
      Report.self,
      LintFeed.self, Generate.self,
    ],
    defaultSubcommand: Run.self)
}

/// Writes a line to standard error.
func printError(_ text: String) {
  var stderr = StandardError()
  print(text, to: &stderr)
}

struct StandardError: TextOutputStream {
  mutating func write(_ string: String) {
    var s = string
    s.withUTF8 { writeStandardError($0) }
  }
}

/// One `write(2)` of the bytes to standard error (the C library's `write`, named outside
/// ``StandardError`` whose own `write` would hide it).
private func writeStandardError(_ bytes: UnsafeBufferPointer<UInt8>) {
  _ = write(2, bytes.baseAddress, bytes.count)
}

struct CheckConfig: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check-config",
    abstract: "Validate a config or rules file: print every problem as file:line:column, exit 2.",
    discussion:
      "A file with a top-level rules: key is checked as a rules file (groups: as a Prometheus "
      + "alerting rules file), one with grid: as a layout.")

  @Argument(help: "The YAML config or rules file.")
  var file: String

  func run() throws {
    guard let text = readTextFile(file) else {
      printError("\(file): cannot read the file")
      throw ExitCode(2)
    }
    let isRules =
      text.split(separator: "\n").contains { $0.hasPrefix("rules:") }
      || PromRulesLoader.looksLikePrometheus(text)
    let isLayout = text.split(separator: "\n").contains { $0.hasPrefix("grid:") }
    let problems: ConfigProblems?
    if isLayout {
      // A layout file (a top-level grid: key): what `vigil check-layout` says.
      if !CheckLayout.check([file]) { throw ExitCode(2) }
      return
    }
    if isRules {
      switch RulesLoader.parse(text, file: file) {
      case .success(let set):
        print("\(file): ok (\(set.rules.count) rules)")
        problems = nil
      case .failure(let p): problems = p
      }
    } else {
      switch ConfigLoader.parse(text, file: file) {
      case .success(let config):
        print("\(file): ok (\(config.feeds.count) feeds)")
        problems = nil
      case .failure(let p): problems = p
      }
    }
    if let problems {
      printError(problems.description)
      throw ExitCode(2)
    }
  }
}
