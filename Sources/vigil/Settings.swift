import VigilApp
import VigilCore
import VigilRender

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whether Vigil runs in an SSH session (`SSH_CONNECTION` is set and not empty).
func sshSession() -> Bool {
  guard let value = getenv("SSH_CONNECTION") else { return false }
  return value.pointee != 0
}

/// The settings the help overlay lists (what is in effect and where it came from).
func helpSettings(_ run: Run, config: AppConfig, file: ConfigFile, look: Look) -> [Setting] {
  var fpsSource = "default"
  if run.fps != nil {
    fpsSource = "--fps"
  } else if file.fps != nil {
    fpsSource = "config"
  } else if config.overSSH {
    fpsSource = "SSH_CONNECTION set"
  }
  var out = [
    Setting("fps", "\(FrameRate.format(config.fps)) at start (\(fpsSource))"),
    Setting("clock", config.clockMode.rawValue),
    Setting("windows", config.windows.windows.map(Nanos.format).joined(separator: ",")),
    Setting("rules", config.rulesPath ?? "built-in"),
    Setting("layout", config.layoutPath ?? "\(config.layout.name) (built-in)"),
    Setting("color", look.colorChoice.rawValue),
  ]
  if let depth = run.colors { out.append(Setting("colors", depth)) }
  if let path = run.config { out.append(Setting("config", path)) }
  if run.ascii { out.append(Setting("ascii", "on")) }
  out.append(Setting("bell", config.bell ? "on" : "off (--no-bell)"))
  if config.debug { out.append(Setting("debug", "on")) }
  if let record = run.record { out.append(Setting("record", record)) }
  return out
}
