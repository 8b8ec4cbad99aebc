import Yams

/// Reads configuration files: YAML, validated, every problem with `file:line:column`.
///
/// Only `Config/` knows the YAML library (see `YAMLReader`). Unknown keys are errors (a typo must not
/// silently fall back to a default), and every problem is collected, not just the first.
public enum ConfigLoader {
  /// Parses `text` (named `file` in messages).
  public static func parse(_ text: String, file: String) -> Result<ConfigFile, ConfigProblems> {
    var reader = YAMLReader(file: file)
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      return .failure(ConfigProblems([reader.problem(from: error)]))
    } catch {
      return .failure(ConfigProblems([ConfigProblem(file: file, line: 0, message: "\(error)")]))
    }
    var config = ConfigFile()
    guard let root else { return .success(config) }  // an empty file sets nothing
    guard let top = root.mapping else {
      return .failure(
        ConfigProblems([
          reader.at(root, "the file must be a mapping of keys (signals, windows, ...)")
        ]))
    }
    for (keyNode, value) in top {
      guard let key = keyNode.string else {
        reader.report(keyNode, "keys must be plain names")
        continue
      }
      switch key {
      case "signals": reader.signals(value, into: &config.signals)
      case "windows":
        if let list = reader.list(value, "windows") {
          let lengths = list.compactMap { reader.duration($0, "windows") }
          if lengths.count == list.count { config.windows = lengths }
        }
      case "window": config.window = reader.duration(value, "window")
      case "fps":
        if let fps = reader.number(value, "fps") {
          if fps > 0 && fps <= 60 {
            config.fps = fps
          } else {
            reader.report(value, "fps must be in (0, 60]")
          }
        }
      case "clock":
        if let s = reader.scalar(value, "clock") {
          if let mode = ClockMode(rawValue: s) {
            config.clock = mode
          } else {
            reader.report(
              value, "clock must be wall, event or auto, not \"\(printableExcerpt(s, limit: 40))\"")
          }
        }
      case "feeds":
        for item in reader.list(value, "feeds") ?? [] {
          if let feed = reader.feed(item) { config.feeds.append(feed) }
        }
      case "prometheus": config.prometheus = reader.prometheusSources(value)
      case "layout":
        if let s = reader.scalar(value, "layout") {
          if s.isEmpty {
            reader.report(value, "layout needs a built-in name or a file")
          } else if !s.hasPrefix("/")
            && (s.contains("/") || s.hasSuffix(".yaml") || s.hasSuffix(".yml"))
          {
            // A relative file is beside the config file.
            let dir = file.split(separator: "/", omittingEmptySubsequences: false).dropLast()
              .joined(separator: "/")
            config.layout = dir.isEmpty ? s : dir + "/" + s
          } else {
            config.layout = s
          }
        }
      default:
        reader.report(
          keyNode,
          "unknown key \"\(printableExcerpt(key, limit: 40))\"; known: signals, windows, window, fps, clock, feeds, prometheus, layout"
        )
      }
    }
    let defaults = WindowsConfig()
    if let windows = config.windows {
      if windows.isEmpty { reader.report(root, "windows: give at least one window") }
      for (i, w) in windows.enumerated() {
        if let problem = defaults.problem(withWindow: w), let node = top["windows"]?.sequence?[i] {
          reader.report(node, "windows: " + problem)
        }
      }
    }
    if let w = config.window, let node = top["window"] {
      let offered = config.windows ?? defaults.windows
      if !offered.contains(w) {
        reader.report(
          node,
          "window \(Nanos.format(w)) is not one of windows [\(offered.map(Nanos.format).joined(separator: ", "))]"
        )
      }
    }
    return reader.problems.isEmpty ? .success(config) : .failure(ConfigProblems(reader.problems))
  }

  /// Reads and parses the file at `path`.
  public static func load(path: String) -> Result<ConfigFile, ConfigProblems> {
    guard let text = readTextFile(path) else {
      return .failure(
        ConfigProblems([ConfigProblem(file: path, line: 0, message: "cannot read the file")]))
    }
    return parse(text, file: path)
  }
}

extension YAMLReader {
  mutating func signals(_ node: Node, into names: inout SignalNames) {
    guard let map = node.mapping else {
      report(node, "signals must map signal keys to metric names")
      return
    }
    for (k, v) in map {
      guard let key = k.string, let metric = scalar(v, "signals.\(k.string ?? "?")") else {
        continue
      }
      if let problem = names.apply(key + "=" + metric) {
        report(problem.hasPrefix("unknown") ? k : v, "signals: " + problem)
      }
    }
  }

  mutating func feed(_ node: Node) -> FeedConfig? {
    guard let map = node.mapping else {
      report(node, "each feed must be a mapping with at least path")
      return nil
    }
    if map["scrape"] != nil { return scrapeFeed(node, map) }
    if map["path"] != nil && map["command"] != nil {
      report(node, "a feed has a path or a command, not both")
      return nil
    }
    var feed: FeedConfig
    if let commandNode = map["command"] {
      guard let command = scalar(commandNode, "command"), !command.isEmpty else { return nil }
      feed = FeedConfig(target: command)
      feed.isCommand = true
    } else {
      guard let pathNode = map["path"], let path = scalar(pathNode, "path"), !path.isEmpty else {
        report(
          node,
          "feed needs a path (a file, or - for standard input) or a command (or scrape: an http:// URL)"
        )
        return nil
      }
      feed = FeedConfig(target: path)
    }
    for (k, v) in map {
      switch k.string ?? "" {
      case "path", "command": break
      case "no_data_after": feed.noDataAfter = duration(v, "no_data_after")
      case "format":
        if let s = scalar(v, "format") {
          if let f = FeedFormat(rawValue: s) {
            feed.format = f
          } else {
            report(v, "format must be \(FeedFormat.choices)")
          }
        }
      case "map":
        if let s = scalar(v, "map") {
          do { feed.mapping = try FieldMapping.parse(s) } catch { report(v, "map: \(error)") }
        }
      case "time_unit":
        if let s = scalar(v, "time_unit") {
          if let u = TimeUnit(rawValue: s) {
            feed.timeUnit = u
          } else {
            report(v, "time_unit must be s, ms, us or ns")
          }
        }
      case "from_end":
        if let s = scalar(v, "from_end") {
          switch s {
          case "true", "yes": feed.fromEnd = true
          case "false", "no": feed.fromEnd = false
          default: report(v, "from_end must be true or false")
          }
        }
      default:
        report(
          k,
          "unknown feed key \"\(printableExcerpt(k.string ?? "?", limit: 40))\"; known: path, command, format, map, time_unit, from_end, no_data_after (or scrape, every, timeout)"
        )
      }
    }
    return feed
  }
}
