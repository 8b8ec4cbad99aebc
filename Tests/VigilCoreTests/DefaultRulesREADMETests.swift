import Foundation
import Testing

@testable import VigilCore

/// The README's table of built-in rules is the built-in rule set: every rule once, with its
/// severity, and no rule the engine does not have (issue 15: it left out
/// PaymentErrorBudgetBurn).
@Suite struct DefaultRulesREADMETests {
  static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")

  /// The rows of the table under `| rule | severity | fires when |`: name and severity cell.
  static func table() throws -> [(name: String, severity: String)] {
    let text = try String(contentsOf: readme, encoding: .utf8)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let head = lines.firstIndex(of: "| rule | severity | fires when |") else { return [] }
    var rows: [(String, String)] = []
    for line in lines[(head + 2)...] {
      guard line.hasPrefix("| `") else { break }
      let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      let name = cells[0].split(separator: "`").first.map(String.init) ?? ""
      rows.append((name, cells[1]))
    }
    return rows
  }

  @Test func theREADMEListsEveryBuiltInRuleWithItsSeverity() throws {
    let rules = try RulesLoader.parse(DefaultRules.yaml(), file: "defaults").get().rules
    let rows = try Self.table()
    #expect(rows.map(\.name).sorted() == (rules.map(\.name) + [RuleSet.feedStaleRule]).sorted())
    for rule in rules {
      let shown = rows.first { $0.name == rule.name }?.severity ?? ""
      var severities = [rule.severity ?? ""]
      if case .burnRate(let slo) = rule.aggregate {
        severities = slo.windows.map { $0.severity ?? rule.severity ?? "" }
      }
      for s in severities { #expect(shown.contains(s), "\(rule.name): \(shown) vs \(s)") }
    }
  }
}
