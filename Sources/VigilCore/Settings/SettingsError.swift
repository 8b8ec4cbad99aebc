/// Why command-line flags and a config file do not make usable settings.
///
/// The settings resolvers (``FeedFlags``, ``CheckFlags``, ``LintFeedFlags``, ``HistoryFlags``,
/// and the dashboard's in VigilApp) take plain flag values and the files read before them, and
/// return resolved settings or one of these; the command line maps `usage` to exit status 64
/// (with the usage line) and `failure` to exit status 1 (the message alone).
public enum SettingsError: Error, Equatable, CustomStringConvertible {
  /// A flag's value, or a combination of flags, that cannot be used.
  case usage(String)
  /// A file that cannot be read or has problems (`file:line:column` messages).
  case failure(String)

  public var description: String {
    switch self {
    case .usage(let message), .failure(let message): message
    }
  }
}

/// The config file named by `--config` (nil: none, an empty configuration), through
/// ``ConfigLoader``: read before the resolvers run, which report a failure in its place.
public func loadConfigFile(_ path: String?) -> Result<ConfigFile, ConfigProblems> {
  guard let path else { return .success(ConfigFile()) }
  return ConfigLoader.load(path: path)
}

extension Result where Success == ConfigFile, Failure == ConfigProblems {
  /// The loaded file, or its problems as a failure.
  public func loadedFile() throws(SettingsError) -> ConfigFile {
    switch self {
    case .success(let file): return file
    case .failure(let problems): throw .failure(problems.description)
    }
  }
}

/// A duration flag's value in nanoseconds: positive (or zero when allowed), else a usage error
/// `FLAG: "TEXT" is not a duration like 5s or 1m`.
func parseDurationFlag(_ text: String, _ flag: String, allowZero: Bool = false)
  throws(SettingsError) -> Int64
{
  guard let ns = Nanos.parse(text), ns > 0 || (allowZero && ns == 0) else {
    throw .usage("\(flag): \"\(text)\" is not a duration like 5s or 1m")
  }
  return ns
}

/// `--time-unit`: s, ms, us or ns.
func parseTimeUnitFlag(_ text: String?) throws(SettingsError) -> TimeUnit? {
  guard let text else { return nil }
  guard let unit = TimeUnit(rawValue: text) else {
    throw .usage("--time-unit must be s, ms, us or ns")
  }
  return unit
}

/// `--map`: a field mapping.
func parseMapFlag(_ text: String) throws(SettingsError) -> FieldMapping {
  do {
    return try FieldMapping.parse(text)
  } catch {
    throw .usage("--map: \(error)")
  }
}
