import ArgumentParser
import VigilApp
import VigilCore

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

/// Runs a settings resolver (VigilCore/Settings, VigilApp/Settings) and maps its errors to the
/// command line's: a usage error exits with status 64 and the usage line, a failure with
/// status 1 and the message alone.
func resolved<T>(_ body: () throws(SettingsError) -> T) throws -> T {
  do {
    return try body()
  } catch .usage(let message) {
    throw ValidationError(message)
  } catch .failure(let message) {
    throw RunFailure(description: message)
  }
}

/// A failure that is not a usage error (a config file with problems, an unusable terminal):
/// the message is printed and Vigil exits with status 1.
struct RunFailure: Error, CustomStringConvertible {
  var description: String
}

/// Exit codes (ARCHITECTURE §7): 64 usage, 1 failure.
enum ExitCodes {
  static let usage: Int32 = 64
  static let failure: Int32 = 1
}

/// `--size COLSxROWS`.
func parseSize(_ text: String) throws -> (Int, Int) {
  let size = try resolved { () throws(SettingsError) in try parseScreenSize(text) }
  return (size.width, size.height)
}
