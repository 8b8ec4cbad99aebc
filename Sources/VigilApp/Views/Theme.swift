import VigilRender

/// The styles the dashboard draws with. Severity and state never rely on colour alone: every
/// coloured element also carries a glyph or a word (and bold/reverse), so monochrome works.
public struct Theme: Sendable, Equatable {
  public var titleBar = Style(foreground: .ansi(15), background: .ansi(4), attributes: [.bold])
  public var statusBar = Style(attributes: [.reverse])
  public var border = Style(foreground: .ansi(8))
  public var borderFocused = Style(foreground: .ansi(14), attributes: [.bold])
  public var panelTitle = Style(attributes: [.bold])
  public var headline = Style(attributes: [.bold])
  public var label = Style(attributes: [.dim])
  public var text = Style.plain
  public var spark = Style(foreground: .ansi(6))
  /// The alert threshold line on a chart.
  public var threshold = Style(foreground: .ansi(3), attributes: [.dim])
  /// Every built-in signal is worse when it goes up.
  public var trendUp = Style(foreground: .ansi(3), attributes: [.bold])
  public var trendDown = Style(foreground: .ansi(2))
  public var warning = Style(foreground: .ansi(3), attributes: [.bold])
  public var bad = Style(foreground: .ansi(1), attributes: [.bold])
  public var tableHeader = Style(attributes: [.underline])
  public var overlay = Style.plain
  public var frozen = Style(foreground: .ansi(0), background: .ansi(3), attributes: [.bold])
  /// Alerts: firing is white on red, pending black on yellow (always with a glyph and a word).
  public var alertFiring = Style(foreground: .ansi(15), background: .ansi(1), attributes: [.bold])
  public var alertPending = Style(foreground: .ansi(0), background: .ansi(3), attributes: [.bold])

  public init() {}
  public static let standard = Theme()
}
