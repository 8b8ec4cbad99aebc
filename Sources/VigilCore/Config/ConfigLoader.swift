/// Reads configuration files: YAML, validated, every problem with `file:line:column`.
///
/// Only `Config/YAMLTree.swift` knows the YAML library. Unknown keys are errors (a typo must
/// not silently fall back to a default), and every problem is collected, not just the first.
/// Each top-level key is one ``ConfigSection`` in ``sections``: a new section is one small
/// function over the tree and one row there.
public enum ConfigLoader {
  /// Parses `text` (named `file` in messages).
  public static func parse(_ text: String, file: String) -> Result<ConfigFile, ConfigProblems> {
    ConfigReader.read(
      text, file: file, into: ConfigFile(), sections: sections,
      notAMapping: "the file must be a mapping of keys (signals, windows, ...)",
      plainKeys: "keys must be plain names",
      check: { reader, root, config in reader.checkWindows(of: config, root: root) })
  }

  /// Reads and parses the file at `path`.
  public static func load(path: String) -> Result<ConfigFile, ConfigProblems> {
    guard let text = readTextFile(path) else {
      return .failure(
        ConfigProblems([ConfigProblem(file: path, line: 0, message: "cannot read the file")]))
    }
    return parse(text, file: path)
  }

  /// The config file's top-level keys, in the order the unknown-key message lists them.
  static let sections: [ConfigSection<ConfigFile>] = [
    ConfigSection("signals") { r, v, c in r.signals(v, into: &c.signals) },
    ConfigSection("windows") { r, v, c in
      if let list = r.list(v, "windows") {
        let lengths = list.compactMap { r.duration($0, "windows") }
        if lengths.count == list.count { c.windows = lengths }
      }
    },
    ConfigSection("window") { r, v, c in c.window = r.duration(v, "window") },
    ConfigSection("fps") { r, v, c in
      guard let fps = r.number(v, "fps") else { return }
      if fps > 0 && fps <= 60 { c.fps = fps } else { r.report(v, "fps must be in (0, 60]") }
    },
    ConfigSection("clock") { r, v, c in
      c.clock = r.choice(v, "clock", as: ClockMode.self) {
        "clock must be wall, event or auto, not \"\(ConfigReader.shown($0))\""
      }
    },
    ConfigSection("feeds") { r, v, c in
      for item in r.list(v, "feeds") ?? [] {
        if let feed = r.feed(item) { c.feeds.append(feed) }
      }
    },
    ConfigSection("prometheus") { r, v, c in c.prometheus = r.prometheusSources(v) },
    ConfigSection("layout") { r, v, c in
      if let layout = r.layoutName(v) { c.layout = layout }
    },
    ConfigSection("series") { r, v, c in r.seriesLimits(v, into: &c.series) },
    ConfigSection("drop_labels") { r, v, c in r.dropLabels(v, into: &c.series.dropLabels) },
    ConfigSection("pairs") { r, v, c in c.series.pairs = r.pairs(v) },
    ConfigSection("components") { r, v, c in r.components(v, into: &c.components) },
    ConfigSection("notify") { r, v, c in r.notify(v, into: &c.notify) },
  ]
}

extension ConfigReader {
  mutating func signals(_ node: YAMLNode, into names: inout SignalNames) {
    guard let entries = map(node, else: "signals must map signal keys to metric names") else {
      return
    }
    for entry in entries {
      let k = entry.key
      let v = entry.value
      guard let key = k.scalar, let metric = scalar(v, "signals.\(key)") else { continue }
      if let problem = names.apply(key + "=" + metric) {
        report(problem.hasPrefix("unknown") ? k : v, "signals: " + problem)
      }
    }
  }

  /// `layout:` a built-in name, or a file; a relative file is beside the config file.
  mutating func layoutName(_ node: YAMLNode) -> String? {
    guard let s = scalar(node, "layout") else { return nil }
    if s.isEmpty {
      report(node, "layout needs a built-in name or a file")
      return nil
    }
    guard !s.hasPrefix("/") && (s.contains("/") || s.hasSuffix(".yaml") || s.hasSuffix(".yml"))
    else { return s }
    let dir = file.split(separator: "/", omittingEmptySubsequences: false).dropLast()
      .joined(separator: "/")
    return dir.isEmpty ? s : dir + "/" + s
  }

  /// The windows offered must be valid, and `window` one of them.
  mutating func checkWindows(of config: ConfigFile, root: YAMLNode) {
    let defaults = WindowsConfig()
    if let windows = config.windows {
      if windows.isEmpty { report(root, "windows: give at least one window") }
      for (i, w) in windows.enumerated() {
        if let problem = defaults.problem(withWindow: w), let node = root["windows"]?.list?[i] {
          report(node, "windows: " + problem)
        }
      }
    }
    if let w = config.window, let node = root["window"] {
      let offered = config.windows ?? defaults.windows
      if !offered.contains(w) {
        report(
          node,
          "window \(Nanos.format(w)) is not one of windows [\(offered.map(Nanos.format).joined(separator: ", "))]"
        )
      }
    }
  }

  mutating func feed(_ node: YAMLNode) -> FeedConfig? {
    guard let entries = map(node, else: "each feed must be a mapping with at least path") else {
      return nil
    }
    if node["scrape"] != nil { return scrapeFeed(node, entries) }
    if node["path"] != nil && node["command"] != nil {
      report(node, "a feed has a path or a command, not both")
      return nil
    }
    var feed: FeedConfig
    if let commandNode = node["command"] {
      guard let command = scalar(commandNode, "command"), !command.isEmpty else { return nil }
      feed = FeedConfig(target: command)
      feed.isCommand = true
    } else {
      guard let pathNode = node["path"], let path = scalar(pathNode, "path"), !path.isEmpty
      else {
        report(
          node,
          "feed needs a path (a file, or - for standard input) or a command (or scrape: an http:// URL)"
        )
        return nil
      }
      feed = FeedConfig(target: path)
    }
    for entry in entries {
      let v = entry.value
      switch entry.key.scalar ?? "" {
      case "path", "command": break
      case "no_data_after": feed.noDataAfter = duration(v, "no_data_after")
      case "format":
        feed.format = choice(v, "format") { _ in "format must be \(FeedFormat.choices)" }
      case "map":
        if let s = scalar(v, "map") {
          do { feed.mapping = try FieldMapping.parse(s) } catch { report(v, "map: \(error)") }
        }
      case "time_unit":
        feed.timeUnit = choice(v, "time_unit") { _ in "time_unit must be s, ms, us or ns" }
      case "from_end": if let b = bool(v, "from_end") { feed.fromEnd = b }
      default:
        report(
          entry.key,
          "unknown feed key \"\(Self.shown(key: entry.key))\"; known: path, command, format, map, time_unit, from_end, no_data_after (or scrape, every, timeout)"
        )
      }
    }
    return feed
  }
}
