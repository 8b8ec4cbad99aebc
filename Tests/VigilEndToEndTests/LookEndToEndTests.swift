import Foundation
import Testing
import VigilTestSupport

/// Colours, glyphs and themes in a real terminal (tmux): every TERM, with and without
/// `NO_COLOR`, in a UTF-8 and a C locale; every theme loads; the terminal is restored.
@Suite struct LookEndToEndTests {
  static let titles = DashboardEndToEndTests.titles
  static let themes = [
    "dark", "light", "high-contrast", "solarized-dark", "gruvbox-dark", "nord", "monochrome",
  ]

  /// Whether `capture-pane -e` output sets any colour (SGR 30-38, 40-48, 90-97, 100-107).
  static func hasColour(_ captured: String) -> Bool {
    var rest = Substring(captured)
    while let start = rest.range(of: "\u{1b}[") {
      rest = rest[start.upperBound...]
      guard let end = rest.firstIndex(of: "m") else { break }
      let params = rest[..<end].split(separator: ";").compactMap { Int($0) }
      rest = rest[rest.index(after: end)...]
      if params.contains(where: {
        (30...38).contains($0) || (40...48).contains($0) || (90...97).contains($0)
          || (100...107).contains($0)
      }) {
        return true
      }
    }
    return false
  }

  /// Whether the capture uses 256-colour sequences (`38;5;N` / `48;5;N`).
  static func has256(_ captured: String) -> Bool {
    captured.contains("38;5;") || captured.contains("48;5;")
  }

  /// Runs `vigil ARGS` in the pane (with `env` settings), checks the dashboard, then quits.
  static func run(
    _ tmux: Tmux, env: String = "", args: String, colour: Bool, ascii: Bool,
    cycleFrom: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    try tmux.type("clear; \(env) \(vigilBinary()) --speed 2 \(args)")
    let screen = tmux.waitForText(titles + ["window 5m"], timeout: 20)
    #expect(screen != nil, "\(env) \(args): \(tmux.screen())", sourceLocation: sourceLocation)
    let text = (screen ?? []).joined()
    let nonASCII = text.unicodeScalars.contains { !$0.isASCII }
    #expect(nonASCII == !ascii, "\(env) \(args): ASCII \(ascii)", sourceLocation: sourceLocation)
    let captured = tmux.screenWithAttributes()
    #expect(
      hasColour(captured) == colour, "\(env) \(args): colour \(colour)",
      sourceLocation: sourceLocation)
    if let from = cycleFrom {
      // t moves through every theme in order, each one named in the title bar.
      for k in 1...themes.count {
        let name = themes[(from + k) % themes.count]
        try tmux.keys("t")
        #expect(
          tmux.waitForText(["theme: \(name) ("], timeout: 15) != nil,
          "\(env) \(args): t did not show \(name): \(tmux.screen().first ?? "")",
          sourceLocation: sourceLocation)
      }
      #expect(tmux.waitForText(titles, timeout: 15) != nil, sourceLocation: sourceLocation)
    }
    try tmux.keys("q")
    #expect(
      tmux.waitFor(timeout: 15) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil,
      "\(env) \(args): prompt not back: \(tmux.screen())", sourceLocation: sourceLocation)
  }

  @Test(arguments: ["xterm-256color", "screen-256color", "screen", "vt100", "linux"])
  func everyTerminalLocaleAndNoColor(term: String) throws {
    let tmux = try Tmux(width: 100, height: 30, term: term)
    let colour = term != "vt100"
    // Each terminal starts from a different theme, so every theme is a --theme too.
    let index =
      ["xterm-256color", "screen-256color", "screen", "vt100", "linux"].firstIndex(
        of: term) ?? 0
    let first = Self.themes[index]
    let second = Self.themes[index + 2]
    try Self.run(
      tmux, args: "--theme \(first)", colour: colour && first != "monochrome", ascii: false,
      cycleFrom: index)
    try Self.run(tmux, env: "NO_COLOR=1", args: "--theme \(second)", colour: false, ascii: false)
    try Self.run(
      tmux, env: "LANG=C", args: "--theme \(second)", colour: colour && second != "monochrome",
      ascii: true)
    try Self.run(
      tmux, env: "LANG=C NO_COLOR=1", args: "--theme \(first)", colour: false, ascii: true)
    let stty = try tmux.sttySettings()
    #expect(!stty.contains("-icanon") && !stty.contains("-echo"), "\(term): \(stty)")
  }

  @Test func colorFlagsOverrideTheTerminal() throws {
    let tmux = try Tmux(width: 100, height: 30, term: "xterm-256color")
    // A truecolor theme on a 256-colour terminal uses 256-colour indices...
    try tmux.type("clear; \(vigilBinary()) --theme nord --speed 2")
    _ = tmux.waitForText(Self.titles, timeout: 20)
    #expect(Self.has256(tmux.screenWithAttributes()))
    try tmux.keys("q")
    _ = tmux.waitFor(timeout: 15) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" }
    // ...--colors 16 only the 16 ANSI colours...
    try tmux.type("clear; \(vigilBinary()) --theme nord --colors 16 --speed 2")
    #expect(tmux.waitForText(Self.titles, timeout: 20) != nil)
    let sixteen = tmux.screenWithAttributes()
    #expect(Self.hasColour(sixteen) && !Self.has256(sixteen))
    try tmux.keys("q")
    _ = tmux.waitFor(timeout: 15) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" }
    // ...--color never none, and --color always ignores NO_COLOR.
    try Self.run(tmux, args: "--color never --theme light", colour: false, ascii: false)
    try Self.run(
      tmux, env: "NO_COLOR=1", args: "--color always --theme light", colour: true, ascii: false)
    try Self.run(tmux, args: "--ascii --theme gruvbox-dark", colour: true, ascii: true)
  }

  @Test func truecolorReachesADirectColourTerminal() throws {
    let dir = try #require(DirectColorTerminfo.directory, "tic could not build the entry")
    let tmux = try Tmux(
      width: 100, height: 30, term: DirectColorTerminfo.name, environment: ["TERMINFO": dir])
    try tmux.type("clear; \(vigilBinary()) --speed 2 --theme nord")
    #expect(tmux.waitForText(Self.titles, timeout: 20) != nil, "\(tmux.screen())")
    // nord's polar night background, #2e3440, as 24-bit colour.
    let captured = tmux.screenWithAttributes()
    #expect(captured.contains("48;2;46;52;64"), "no 24-bit colour in the capture")
    try tmux.keys("q")
    _ = tmux.waitFor(timeout: 15) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" }
    try tmux.type("clear; \(vigilBinary()) --speed 2 --theme nord --colors 256")
    #expect(tmux.waitForText(Self.titles, timeout: 20) != nil)
    // --colors 256: the nearest palette colour (grey 237, 58/58/58), still sent as RGB, the
    // only form a direct-colour entry has for it.
    let indexed = tmux.screenWithAttributes()
    #expect(indexed.contains("48;2;58;58;58") && !indexed.contains("48;2;46;52;64"))
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 15) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }

  @Test func aThemeFileWithProblemsStillRunsAndSaysWhy() throws {
    let path = NSTemporaryDirectory() + "vigil-e2e-theme-\(getpid()).yaml"
    try "name: mine\nborderr: red\ntitle_bar: {fg: \"#000000\", bg: \"#ffd700\"}\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let tmux = try Tmux(width: 120, height: 30)
    try tmux.type("clear; \(vigilBinary()) --speed 2 --theme \(path)")
    #expect(
      tmux.waitForText(Self.titles + ["theme: \(path):2:1: unknown key"], timeout: 20) != nil,
      "\(tmux.screen())")
    try tmux.keys("?")
    #expect(tmux.waitForText(["next theme (now: mine)"], timeout: 15) != nil, "\(tmux.screen())")
    try tmux.keys("Escape")
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 15) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)

    let (status, _, err) = try runVigil(["check-theme", path])
    #expect(status == 2 && err.contains("\(path):2:1: unknown key \"borderr\""), "\(err)")
    let (okStatus, okOut, _) = try runVigil(["check-theme"])
    #expect(okStatus == 0)
    for name in Self.themes { #expect(okOut.contains("\(name): ok")) }
    let (unknown, _, unknownErr) = try runVigil(["--theme", "solarized-purple", "--headless"])
    #expect(unknown == 64 && unknownErr.contains("built-in: dark, light"), "\(unknownErr)")
    let (missing, _, missingErr) = try runVigil(["--theme", "/nonexistent/t.yaml", "--headless"])
    #expect(missing == 1 && missingErr.contains("cannot read the file"), "\(missingErr)")
    let (badFlag, _, _) = try runVigil(["--colors", "12", "--headless"])
    #expect(badFlag == 64)
    let (headless, out, headlessErr) = try runVigil(["--theme", path, "--headless"])
    #expect(headless == 0 && out.contains("Payment retries"))
    #expect(headlessErr.contains("vigil: theme: \(path):2:1: unknown key"), "\(headlessErr)")
  }

  @Test func wideAndControlLabelsKeepTheBordersInPlace() throws {
    let dir = NSTemporaryDirectory() + "vigil-e2e-wide-\(getpid())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let services = [
      "決済サービス", "🛒カート", #"❤\ufe0flove"#, "🇯🇵flag", #"ok\u0007bell"#, #"\u009b31mcsi"#,
      #"a\u202ertl"#, #"e\u0301clair"#, "👨‍👩‍👧family", "ｆｕｌｌ",
    ]
    var lines = ""
    for (i, s) in services.enumerated() {
      for k in 0..<3 {
        lines +=
          #"{"metric":"api_latency_ms","value":\#(300 - 10 * i + k),"labels":{"service":"\#(s)"}}"#
          + "\n"
      }
    }
    let feed = dir + "/wide.jsonl"
    try lines.write(toFile: feed, atomically: true, encoding: .utf8)
    let tmux = try Tmux(width: 120, height: 40)
    try tmux.type("clear; \(vigilBinary()) --window 15m \(feed)")
    #expect(tmux.waitForText(["API latency by service", "決済サービス"], timeout: 20) != nil)
    func checkRows(_ what: String) {
      let screen = tmux.screen()
      // Panel rows: the first panel's body, from below its top border to its bottom border.
      let rows = screen.dropFirst(2).prefix { !$0.hasPrefix("└") }
      #expect(rows.count >= 5, "\(what): \(screen.joined(separator: "\n"))")
      for row in rows {
        #expect(row.hasSuffix("│"), "\(what): the right border moved: \(row)")
        #expect(row.hasPrefix("│"))
        #expect(
          !row.unicodeScalars.contains { $0.value < 0x20 || (0x80..<0xA0).contains($0.value) })
      }
    }
    checkRows("dashboard")
    try tmux.keys("Enter")
    #expect(tmux.waitForText(["Esc back"], timeout: 15) != nil)
    checkRows("zoom")
    try tmux.keys("q")
    #expect(tmux.waitFor(timeout: 15) { $0.last(where: { !$0.isEmpty }) == "PROMPT$" } != nil)
  }
}
