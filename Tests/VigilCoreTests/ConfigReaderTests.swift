import Testing

@testable import VigilCore

/// The one YAML tree and its reader: positions, nulls, and each helper's message.
@Suite struct ConfigReaderTests {
  /// The root of `text`, which must parse.
  func tree(_ text: String) throws -> YAMLNode {
    try #require(try YAMLTree.parse(text, file: "t.yaml").get())
  }

  /// The messages a reader gave, as `file:line:column: message`.
  func messages(_ r: ConfigReader) -> [String] { r.problems.map(\.description) }

  @Test func nodesCarryTheirPositions() throws {
    let root = try tree("a:\n  b: [x, {c: 5}]\n  d: ~\n")
    #expect((root.line, root.column) == (1, 1))
    let b = try #require(root["a"]?["b"])
    #expect((b.line, b.column) == (2, 6))
    let c = try #require(b.list?[1]["c"])
    #expect((c.scalar, c.line, c.column) == ("5", 2, 14))
    let keys = try #require(root["a"]?.map).map { ($0.key.scalar, $0.key.line) }
    #expect(keys.map(\.0) == ["b", "d"])
    #expect(keys.map(\.1) == [2, 3])
    #expect(root["a"]?["d"]?.isNull == true)
    #expect(root["a"]?["b"]?.isNull == false)
    #expect(root["nothing"] == nil)
    #expect(root.list == nil && root.scalar == nil)
    var r = ConfigReader(file: "t.yaml")
    r.report(c, "here")
    r.report("the whole file")
    #expect(messages(r) == ["t.yaml:2:14: here", "t.yaml: the whole file"])
  }

  @Test func syntaxErrorsAndEmptyDocuments() throws {
    guard case .success(nil) = YAMLTree.parse("# only a comment\n", file: "t.yaml") else {
      Issue.record("an empty document is nil")
      return
    }
    guard case .failure(let bad) = YAMLTree.parse("a: [1, 2\n", file: "t.yaml") else {
      Issue.record("an unclosed list must fail")
      return
    }
    #expect(bad.description.hasPrefix("t.yaml:2:1: YAML: "))
    guard case .failure(let twice) = YAMLTree.parse("a: 1\na: 2\n", file: "t.yaml") else {
      Issue.record("a duplicate key must fail")
      return
    }
    #expect(twice.message == "YAML: duplicate key \"a\" in this mapping")
    guard case .failure(let missing) = YAMLTree.load(path: "/nonexistent/t.yaml") else {
      Issue.record("a missing file must fail")
      return
    }
    #expect(missing.description == "/nonexistent/t.yaml: cannot read the file")
  }

  /// Config and rules read a null as the empty text; layouts and themes as no value.
  @Test func nullsFollowTheReadersPolicy() throws {
    let null = try #require(try tree("a:\n")["a"])
    var config = ConfigReader(file: "t.yaml")
    #expect(config.scalar(null, "a") == "")
    #expect(config.problems.isEmpty)
    var layout = ConfigReader(file: "t.yaml", nulls: .noValue)
    #expect(layout.scalar(null, "a") == nil)
    #expect(messages(layout) == ["t.yaml:1:3: a must be a single value"])
    #expect(layout.text(null) == nil)
    #expect(config.text(null) == "")
  }

  @Test func eachHelperSaysWhatIsWrong() throws {
    let root = try tree(
      """
      list: [1]
      word: x
      zero: 0s
      """)
    let list = try #require(root["list"])
    let word = try #require(root["word"])
    let zero = try #require(root["zero"])
    var r = ConfigReader(file: "t.yaml")
    #expect(r.scalar(list, "s") == nil)
    #expect(r.duration(word, "d") == nil)
    #expect(r.duration(zero, "d") == nil)
    #expect(r.duration(zero, "d", allowZero: true) == 0)
    #expect(r.number(word, "n") == nil)
    #expect(r.int(word, "i", in: 1...9, else: "i must be 1 to 9") == nil)
    #expect(r.bool(word, "b") == nil)
    #expect(r.choice(word, "c", as: ClockMode.self) { "c is not \($0)" } == nil)
    #expect(r.list(word, "l") == nil)
    #expect(r.map(word, else: "m must be a mapping") == nil)
    #expect(r.stringMap(word, "labels").isEmpty)
    #expect(r.matchers(word).isEmpty)
    #expect(
      messages(r) == [
        "t.yaml:1:7: s must be a single value",
        "t.yaml:2:7: d: \"x\" is not a duration like 90s, 5m or 1h",
        "t.yaml:3:7: d: \"0s\" is not a duration like 90s, 5m or 1h",
        "t.yaml:2:7: n must be a number, not \"x\"",
        "t.yaml:2:7: i must be 1 to 9",
        "t.yaml:2:7: b must be true or false",
        "t.yaml:2:7: c is not x",
        "t.yaml:2:7: l must be a list",
        "t.yaml:2:7: m must be a mapping",
        "t.yaml:2:7: labels must map names to values",
        "t.yaml:2:7: select must map label names to "
          + "a value, {not: value}, {match: regex} or {not_match: regex}",
      ])
  }

  @Test func helpersReadGoodValues() throws {
    let root = try tree(
      """
      d: 90s
      n: 2.5
      i: 7
      b: yes
      c: wall
      l: [a, b]
      labels: {team: core, tier: "1"}
      select: {service: checkout, stage: {not: total}}
      """)
    var r = ConfigReader(file: "t.yaml")
    #expect(r.duration(try #require(root["d"]), "d") == 90 * Nanos.second)
    #expect(r.number(try #require(root["n"]), "n") == 2.5)
    #expect(r.int(try #require(root["i"]), "i", in: 1...9, else: "") == 7)
    #expect(r.bool(try #require(root["b"]), "b") == true)
    #expect(r.choice(try #require(root["c"]), "c", as: ClockMode.self) { $0 } == .wall)
    #expect(r.list(try #require(root["l"]), "l")?.compactMap(\.scalar) == ["a", "b"])
    let labels = r.stringMap(try #require(root["labels"]), "labels")
    #expect(labels.map(\.0) == ["team", "tier"] && labels.map(\.1) == ["core", "1"])
    let matchers = r.matchers(try #require(root["select"]))
    #expect(
      matchers == [
        LabelMatcher("service", "checkout"), LabelMatcher("stage", "total", negated: true),
      ])
    #expect(r.problems.isEmpty)
  }

  /// A file's keys read through a table of sections; an unknown key is reported at the key.
  @Test func sectionsReadTheirKeys() throws {
    let sections: [ConfigSection<[String: Double]>] = [
      ConfigSection("a") { r, v, out in out["a"] = r.number(v, "a") },
      ConfigSection("b") { r, v, out in out["b"] = r.number(v, "b") },
    ]
    #expect(ConfigSection.known(sections) == "a, b")
    let root = try tree("b: 2\nzz: 1\na: x\n")
    var r = ConfigReader(file: "t.yaml")
    var out: [String: Double] = [:]
    r.read(try #require(root.map), with: sections, into: &out) { key in
      "unknown key \"\(ConfigReader.shown(key: key))\"; known: " + ConfigSection.known(sections)
    }
    #expect(out == ["b": 2])
    #expect(
      messages(r) == [
        "t.yaml:2:1: unknown key \"zz\"; known: a, b",
        "t.yaml:3:4: a must be a number, not \"x\"",
      ])
  }

  /// An alias repeated many times is not expanded beyond what a reader visits.
  @Test func aliasesAreNotExpanded() throws {
    var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in 1..<30 {
      text +=
        "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
        + "]\n"
    }
    let root = try tree(text)
    #expect(root["a29"]?.list?.count == 10)
    #expect(root["a29"]?.list?[3].list?[2].list?.count == 10)
  }
}
