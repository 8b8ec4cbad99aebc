import VigilRender

/// The styles the dashboard draws with. Severity and state never rely on colour alone: every
/// coloured element also carries a glyph or a word (and bold/reverse), so monochrome works.
///
/// These defaults are the `dark` theme (ANSI colours on the terminal's own background, so the
/// user's palette applies); theme files (`themes/`, ``ThemeLoader``) replace any of them by
/// key (``ThemeKey``).
public struct Theme: Sendable, Equatable {
  /// The theme's name, as `--theme` and the `t` notice show it.
  public var name = "dark"
  /// Base colours of every cell: a style's `default` foreground or background takes these
  /// (a light theme paints the whole screen light). Attributes are not used.
  public var screen = Style.plain
  public var titleBar = Style(foreground: .ansi(15), background: .ansi(4), attributes: [.bold])
  public var statusBar = Style(attributes: [.reverse])
  public var border = Style(foreground: .ansi(8))
  public var borderFocused = Style(foreground: .ansi(14), attributes: [.bold])
  public var panelTitle = Style(attributes: [.bold])
  public var headline = Style(attributes: [.bold])
  public var label = Style(attributes: [.dim])
  public var text = Style.plain
  public var spark = Style(foreground: .ansi(6))
  /// The line of a braille (or ASCII) line chart.
  public var chart = Style(foreground: .ansi(6))
  /// The no-data mark on a chart.
  public var gap = Style(attributes: [.dim])
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

  /// The style of `key`.
  public subscript(key: ThemeKey) -> Style {
    get {
      switch key {
      case .screen: screen
      case .titleBar: titleBar
      case .statusBar: statusBar
      case .border: border
      case .borderFocused: borderFocused
      case .panelTitle: panelTitle
      case .headline: headline
      case .label: label
      case .text: text
      case .spark: spark
      case .chart: chart
      case .gap: gap
      case .threshold: threshold
      case .trendUp: trendUp
      case .trendDown: trendDown
      case .warning: warning
      case .bad: bad
      case .tableHeader: tableHeader
      case .overlay: overlay
      case .frozen: frozen
      case .alertFiring: alertFiring
      case .alertPending: alertPending
      }
    }
    set {
      switch key {
      case .screen: screen = newValue
      case .titleBar: titleBar = newValue
      case .statusBar: statusBar = newValue
      case .border: border = newValue
      case .borderFocused: borderFocused = newValue
      case .panelTitle: panelTitle = newValue
      case .headline: headline = newValue
      case .label: label = newValue
      case .text: text = newValue
      case .spark: spark = newValue
      case .chart: chart = newValue
      case .gap: gap = newValue
      case .threshold: threshold = newValue
      case .trendUp: trendUp = newValue
      case .trendDown: trendDown = newValue
      case .warning: warning = newValue
      case .bad: bad = newValue
      case .tableHeader: tableHeader = newValue
      case .overlay: overlay = newValue
      case .frozen: frozen = newValue
      case .alertFiring: alertFiring = newValue
      case .alertPending: alertPending = newValue
      }
    }
  }

  /// This theme as a terminal with `capability` should draw it.
  ///
  /// Colour themes are mapped down by the backend, cell by cell. Monochrome cannot map a
  /// colour, so here every colour goes and a style whose background stood out from the
  /// screen's (a title bar, a FIRING tag) gets reverse video instead; the screen colours go
  /// too, so `NO_COLOR` gives the terminal's own colours.
  public func adapted(to capability: ColorCapability) -> Theme {
    guard capability == .monochrome else { return self }
    var out = self
    for key in ThemeKey.allCases where key != .screen {
      var style = self[key]
      if style.background != .default && style.background != screen.background {
        style.attributes.insert(.reverse)
      }
      style.foreground = .default
      style.background = .default
      out[key] = style
    }
    out.screen = .plain
    return out
  }

  /// Gives every cell of `buffer` without a colour of its own the ``screen`` colours.
  func paintScreen(_ buffer: inout ScreenBuffer) {
    let fg = screen.foreground
    let bg = screen.background
    guard fg != .default || bg != .default else { return }
    buffer.setStyle(buffer.bounds) { style in
      if style.foreground == .default { style.foreground = fg }
      if style.background == .default { style.background = bg }
    }
  }
}

/// The keys of a theme file, one per ``Theme`` style, in the order files and docs list them.
public enum ThemeKey: String, CaseIterable, Sendable {
  case screen
  case titleBar = "title_bar"
  case statusBar = "status_bar"
  case border
  case borderFocused = "border_focused"
  case panelTitle = "panel_title"
  case headline
  case label
  case text
  case spark
  case chart
  case gap
  case threshold
  case trendUp = "trend_up"
  case trendDown = "trend_down"
  case warning
  case bad
  case tableHeader = "table_header"
  case overlay
  case frozen
  case alertFiring = "alert_firing"
  case alertPending = "alert_pending"

  /// What the key styles (for `themes/README.md` and `vigil check-theme`).
  public var help: String {
    switch self {
    case .screen: "base colours of every cell (the screen's background and plain text)"
    case .titleBar: "the title bar (top row)"
    case .statusBar: "the status bar (bottom row)"
    case .border: "panel borders"
    case .borderFocused: "the focused panel's border and title, the selection marker"
    case .panelTitle: "panel titles"
    case .headline: "a panel's big number; keys in help; names in lists"
    case .label: "secondary text: units, captions, axis labels, hints"
    case .text: "body text: details and table rows"
    case .spark: "sparkline bars"
    case .chart: "the line of a braille or ASCII line chart"
    case .gap: "the no-data mark on a chart"
    case .threshold: "the alert threshold line on a chart"
    case .trendUp: "rising trend (worse, for every built-in signal)"
    case .trendDown: "falling trend"
    case .warning: "warnings: pending panels, ticket severity, rejected-line headers"
    case .bad: "critical: firing panels, page severity"
    case .tableHeader: "table column titles"
    case .overlay: "the background of overlays (help, alerts, rejected lines)"
    case .frozen: "the FROZEN tag and error notices in the title bar"
    case .alertFiring: "FIRING tags and the firing count"
    case .alertPending: "PENDING tags and the pending count"
    }
  }
}
