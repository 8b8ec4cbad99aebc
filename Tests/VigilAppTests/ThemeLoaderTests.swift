import Foundation
import Testing
import VigilCore
import VigilRender

@testable import VigilApp

/// Theme files: parsing, warnings and fallbacks, and the themes Vigil ships.
@Suite struct ThemeLoaderTests {
  static let themesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")

  static func parse(_ text: String) -> ThemeLoad {
    ThemeLoader.parse(text, file: "t.yaml", name: "t")
  }

  @Test func aGoodFileSetsEveryKeyItNames() {
    let load = Self.parse(
      """
      # a comment
      name: ocean   # trailing comment
      description: blue things
      palette:
        deep: "#001f3f"
        foam: "#F0F8FF"
      screen: {fg: foam, bg: deep}
      title_bar: {fg: "#000", bg: bright-cyan, attrs: [bold, underline]}
      status_bar:
        fg: 252
        bg: default
        attrs: reverse
      border: "#335577"
      label: {attrs: "dim italic"}
      alert_firing: {fg: white, bg: red, attrs: [bold]}
      """)
    #expect(load.warnings.isEmpty, "\(load.warnings)")
    let t = load.theme
    #expect(t.name == "ocean")
    #expect(t.screen == Style(foreground: .rgb(0xf0, 0xf8, 0xff), background: .rgb(0, 0x1f, 0x3f)))
    #expect(
      t.titleBar
        == Style(foreground: .rgb(0, 0, 0), background: .ansi(14), attributes: [.bold, .underline]))
    #expect(t.statusBar == Style(foreground: .indexed(252), attributes: .reverse))
    #expect(t.border == Style(foreground: .rgb(0x33, 0x55, 0x77)))
    #expect(t.label == Style(attributes: [.dim, .italic]))
    #expect(t.alertFiring == Style(foreground: .ansi(7), background: .ansi(1), attributes: .bold))
    // Keys the file leaves out keep the defaults.
    #expect(t.spark == Theme.standard.spark && t.frozen == Theme.standard.frozen)
  }

  @Test func everyKeyCanBeSet() {
    var text = ""
    for (i, key) in ThemeKey.allCases.enumerated() {
      text += "\(key.rawValue): {fg: \(16 + i), bg: \(100 + i), attrs: [underline]}\n"
    }
    let load = Self.parse(text)
    #expect(load.warnings.isEmpty)
    for (i, key) in ThemeKey.allCases.enumerated() {
      #expect(
        load.theme[key]
          == Style(
            foreground: .indexed(UInt8(16 + i)), background: .indexed(UInt8(100 + i)),
            attributes: .underline), "\(key.rawValue)")
    }
    // Every key is distinct: setting one never changes another.
    #expect(Set(ThemeKey.allCases.map { load.theme[$0] }).count == ThemeKey.allCases.count)
  }

  @Test func unknownKeysAndFieldsWarnWithTheirPosition() {
    let load = Self.parse("title_bar: {fg: red}\nborderr: blue\nheadline: {fg: red, blink: true}\n")
    #expect(load.warnings.count == 2)
    #expect(
      load.warnings[0].description.hasPrefix("t.yaml:2:1: unknown key \"borderr\"; known: name"))
    #expect(load.warnings[0].message.contains("border_focused"))
    #expect(
      load.warnings[1].description.hasPrefix("t.yaml:3:21: headline: unknown field \"blink\""))
    // The good key applies, the key with a problem keeps its default whole.
    #expect(load.theme.titleBar == Style(foreground: .ansi(1)))
    #expect(load.theme.headline == Theme.standard.headline)
  }

  struct Bad: CustomTestStringConvertible {
    var line: String
    var message: String
    var testDescription: String { line }
  }

  static let badValues: [Bad] = [
    Bad(line: "border: {fg: \"#12345\"}", message: "border.fg: \"#12345\" is not a colour"),
    Bad(line: "border: {fg: chartreuse}", message: "border.fg: \"chartreuse\" is not a colour"),
    Bad(line: "border: {bg: 300}", message: "border.bg: \"300\" is not a colour"),
    Bad(line: "border: {attrs: [bold, blink]}", message: "unknown attribute \"blink\""),
    Bad(line: "border: {attrs: {bold: true}}", message: "border.attrs must be a list"),
    Bad(line: "border: [red]", message: "border must be {fg: COLOUR"),
    Bad(line: "border: {fg: [red]}", message: "border.fg must be a single colour"),
    Bad(line: "border:\n  fg: #ff0000", message: "border.fg is empty: quote #RRGGBB colours"),
    Bad(line: "border: mauve", message: "border: \"mauve\" is not a colour"),
    Bad(line: "border: \"\\e[31m\"", message: "is not a colour"),
  ]

  @Test(arguments: badValues)
  func badValuesFallBackToTheDefault(bad: Bad) {
    let load = Self.parse("spark: {fg: red}\n" + bad.line + "\n")
    #expect(load.warnings.count == 1, "\(load.warnings)")
    let message = load.warnings.first?.description ?? ""
    #expect(message.contains(bad.message), "\(message)")
    #expect(message.hasSuffix("border keeps its default"), "\(message)")
    #expect(message.hasPrefix("t.yaml:2:") || message.hasPrefix("t.yaml:3:"), "\(message)")
    #expect(!message.unicodeScalars.contains { $0.value < 0x20 }, "no raw control characters")
    #expect(load.theme.border == Theme.standard.border)
    #expect(load.theme.spark == Style(foreground: .ansi(1)))
  }

  @Test func brokenYAMLKeepsEveryDefault() {
    let load = Self.parse("name: x\ntitle_bar: {fg: #fff, bg: red}\nborder: red\n")
    #expect(load.warnings.count == 1)
    let w = load.warnings[0].description
    #expect(w.hasPrefix("t.yaml:3:"), "\(w)")
    #expect(w.contains("YAML:") && w.contains("quote #RRGGBB colours"), "\(w)")
    #expect(w.hasSuffix("every key keeps its default"))
    var expected = Theme.standard
    expected.name = "t"
    #expect(load.theme == expected)
    // Other shapes that are not a theme.
    for text in [
      "- a\n- b\n", "just words\n", "a: [1, 2\n", "\u{0}\u{1}\u{2}", "{{{{", "key: *nope\n",
    ] {
      let l = Self.parse(text)
      #expect(l.warnings.count == 1, "\(text.debugDescription): \(l.warnings)")
      #expect(l.theme.titleBar == Theme.standard.titleBar)
    }
    // Duplicate keys are one concise problem, not the whole file echoed back.
    let dup = Self.parse("name: a\nborder: red\nname: b\n").warnings
    #expect(dup.count == 1 && dup[0].description.contains("duplicate key \"name\""), "\(dup)")
    #expect(!dup[0].description.contains("\n"))
    // An empty file (or only comments) is the default theme, silently.
    #expect(Self.parse("").warnings.isEmpty && Self.parse("# nothing\n").warnings.isEmpty)
  }

  @Test func hostileNamesAndDeepNestingAreHarmless() {
    let load = Self.parse(
      "name: \"a\\e[2Jb\"\nscreen: " + String(repeating: "[", count: 500) + "\n")
    #expect(!load.theme.name.unicodeScalars.contains { $0.value == 0x1b })
    #expect(!load.warnings.isEmpty)
  }

  @Test func builtinThemesLoadWithoutWarningsAndSetEveryKey() throws {
    #expect(ThemeLoader.builtinNames.count >= 6)
    #expect(ThemeLoader.builtinNames.first == "dark")
    for name in [
      "dark", "light", "high-contrast", "solarized-dark", "gruvbox-dark", "nord", "monochrome",
    ] {
      let load = try #require(ThemeLoader.builtin(named: name), "\(name)")
      #expect(load.warnings.isEmpty, "\(name): \(load.warnings)")
      #expect(load.theme.name == name)
      // Every key is written out, so no theme inherits the dark defaults by accident.
      let text = try String(
        contentsOf: Self.themesDir.appendingPathComponent(name + ".yaml"), encoding: .utf8)
      for key in ThemeKey.allCases {
        #expect(text.contains("\n\(key.rawValue):"), "\(name) does not set \(key.rawValue)")
      }
    }
    // The default theme is the file dark.yaml: one source of truth.
    #expect(ThemeLoader.builtin(named: "dark")?.theme == Theme.standard)
    let mono = try #require(ThemeLoader.builtin(named: "monochrome")?.theme)
    for key in ThemeKey.allCases {
      #expect(mono[key].foreground == .default && mono[key].background == .default)
    }
  }

  @Test func embeddedThemesMatchTheFilesInThemes() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.themesDir.path)
      .filter { $0.hasSuffix(".yaml") }.sorted()
    #expect(files.map { String($0.dropLast(5)) } == ThemeLoader.builtinNames.sorted())
    for (name, text) in ThemeLoader.builtinFiles {
      let file = try String(
        contentsOf: Self.themesDir.appendingPathComponent(name + ".yaml"), encoding: .utf8)
      #expect(text + "\n" == file, "themes/\(name).yaml changed: run themes/embed.sh")
    }
  }

  @Test func themesREADMEDocumentsEveryKey() throws {
    let readme = try String(
      contentsOf: Self.themesDir.appendingPathComponent("README.md"), encoding: .utf8)
    for key in ThemeKey.allCases { #expect(readme.contains("`\(key.rawValue)`"), "\(key)") }
    for name in ThemeLoader.builtinNames { #expect(readme.contains("`\(name)`"), "\(name)") }
  }

  /// Text in the shipped colour themes is readable in truecolor: 3:1 at least for anything
  /// with words, 2:1 for decoration (borders, the gap mark).
  @Test func shippedThemesHaveReadableContrast() throws {
    for theme in ThemeLoader.builtins() where theme.screen.background != .default {
      for key in ThemeKey.allCases {
        let s = theme[key]
        let fg = s.foreground == .default ? theme.screen.foreground : s.foreground
        let bg = s.background == .default ? theme.screen.background : s.background
        let ratio = fg.contrastRatio(with: bg)
        let floor = [ThemeKey.border, .gap].contains(key) ? 2.0 : 3.0
        #expect(ratio >= floor, "\(theme.name).\(key.rawValue): \(ratio)")
      }
    }
  }

  @Test func resolveByNameOrPath() throws {
    guard case .success(let nord) = ThemeLoader.resolve("nord") else {
      Issue.record("nord is built in")
      return
    }
    #expect(nord.theme.name == "nord")
    let path = NSTemporaryDirectory() + "vigil-theme-\(getpid()).yaml"
    try "border: red\n".write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    guard case .success(let custom) = ThemeLoader.resolve(path) else {
      Issue.record("a readable file loads")
      return
    }
    #expect(custom.theme.name == "vigil-theme-\(getpid())")
    #expect(custom.theme.border == Style(foreground: .ansi(1)))
    guard case .failure(let unknown) = ThemeLoader.resolve("solarized-purple") else {
      Issue.record("an unknown name fails")
      return
    }
    #expect(unknown.message.contains("built-in: dark, light"))
    guard case .failure(let missing) = ThemeLoader.resolve("/nonexistent/x.yaml") else {
      Issue.record("a missing file fails")
      return
    }
    #expect(missing.message == "cannot read the file")
  }
}
