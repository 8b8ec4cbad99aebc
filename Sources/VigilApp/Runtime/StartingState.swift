import VigilCore

extension AppState {
  /// The state `vigil run` starts in: the resolved window and theme, and a notice (20 s, as
  /// an error) for the theme's warnings, or the layout's, which win when both have some.
  /// `clock` is read once for the state and once per notice, as the CLI did.
  public init(
    starting o: DashboardOptions, config: AppConfig, feeds: [FeedSpec], clock: any VigilClock
  ) {
    self.init(config: config, feeds: feeds, now: clock.now())
    if let i = config.windows.windows.firstIndex(of: o.initialWindow) { ui.windowIndex = i }
    ui.themeIndex = o.look.themeIndex
    if let text = themeWarningNotice(o.look.themeWarnings) {
      notice = Notice(text: text, isError: true, until: clock.now().adding(20 * Nanos.second))
    }
    if let first = config.layoutWarnings.first {
      let more =
        config.layoutWarnings.count > 1 ? " (+\(config.layoutWarnings.count - 1) more)" : ""
      notice = Notice(
        text: "layout: " + first.description + more, isError: true,
        until: clock.now().adding(20 * Nanos.second))
    }
  }
}
