import ArgumentParser
import VigilApp
import VigilCore
import VigilDemo
import VigilIncident
import VigilRender

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Show the live dashboard (the default command).")

  @OptionGroup var input: DashboardInputOptions
  @OptionGroup(title: "Alert delivery") var delivery: DeliveryOptions

  @Option(
    help: ArgumentHelp(
      "Panels and grid: a built-in layout name or a layout file; r and edits reload a file.",
      discussion: "Built-in: commerce (the default), sre-compact, payments. See layouts/README.md.",
      valueName: "NAME|PATH"))
  var layout: String?

  @Flag(help: "Never ring the terminal bell when an alert starts firing.")
  var noBell = false

  @Option(help: "Window shown at start. (default: 5m)")
  var window: String?

  @Option(help: "Frames per second at most; + and - change it live. (default: 4, over SSH 2)")
  var fps: Double?

  @Flag(help: "Show the frame rate and the bytes per second sent to the terminal.")
  var debug = false

  @Flag(help: "Use the mouse: click focuses a panel, the wheel scrolls lists. (default: off)")
  var mouse = false

  @Flag(help: "Draw with ASCII only (no box drawing or block glyphs).")
  var ascii = false

  @Option(help: "Colour: auto (honours NO_COLOR), always (ignores it) or never. (default: auto)")
  var color: String?

  @Option(help: "Colour depth instead of the terminal's: 8, 16, 256 or truecolor (capped at it).")
  var colors: String?

  @Option(help: "Theme: a built-in name or a theme file; t cycles themes live. (default: dark)")
  var theme: String?

  @Flag(help: "Render plain-text frames to standard output instead of the terminal.")
  var headless = false

  @Option(help: "Headless: number of frames to print.")
  var frames: Int = 1

  @Option(help: "Headless: screen size as COLSxROWS.")
  var size: String = "80x24"

  func validate() throws { try resolved { () throws(SettingsError) in try flags.validate() } }

  func run() throws {
    let options = try buildOptions()
    let code = try runDashboard(options, deliveries: delivery.deliveries(over: options.notify))
    if code != 0 { throw ExitCode(code) }
  }

  /// Turns the config file and flags (which win) into a validated configuration
  /// (``DashboardSettings``); its warnings are printed even when it fails.
  func buildOptions() throws -> DashboardOptions {
    let flags = self.flags
    var settings = DashboardSettings()
    defer { for warning in settings.warnings { printError(warning) } }
    let overSSH = sshSession()
    return try resolved { () throws(SettingsError) in
      try settings.resolve(
        flags, files: .load(for: flags), overSSH: overSSH, demoDuration: DemoScenario.duration)
    }
  }

  /// The flags as plain values, for the resolver.
  var flags: DashboardFlags {
    var f = input.flags
    f.layout = layout
    f.noBell = noBell
    (f.window, f.fps, f.debug, f.mouse) = (window, fps, debug, mouse)
    (f.ascii, f.color, f.colors, f.theme) = (ascii, color, colors, theme)
    (f.headless, f.frames, f.size) = (headless, frames, size)
    return f
  }
}
