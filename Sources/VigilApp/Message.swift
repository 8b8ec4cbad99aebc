import VigilCore
import VigilRender

/// Everything that can happen to the app. `update` handles each one.
public enum Message: Sendable {
  /// Input from a feed (records or lifecycle news).
  case feed(FeedInput)
  case key(Key)
  case resize(Size)
  /// A termination signal (SIGINT, SIGTERM, SIGHUP).
  case terminate(Int32)
  /// Time passed: the clock now reads this.
  case tick(Timestamp)
  /// The rules file was read again (after `r`): the new rules, or every problem in it.
  case rulesLoaded(Result<RuleSet, ConfigProblems>)
  /// The layout file was read again (after `r`, or because it changed): the new layout, or
  /// every problem in it.
  case layoutLoaded(Result<LayoutLoad, ConfigProblems>)
  /// The loop measured itself over the last second (`--debug`).
  case loopMeasured(LoopRates)
  /// A mouse press or wheel turn (`--mouse`).
  case mouse(MouseEvent)
  /// Alert delivery changed (`--on-alert`, `--webhook`, `--alertmanager`).
  case delivery(DeliveryStatus)
  /// The loop's monotonic clock, each turn: UI notices last on it, not on the data clock.
  case wallClock(Int64)
}

/// Why the loop ended.
public enum ExitReason: Sendable, Equatable {
  case quit
  case signal(Int32)
  /// Headless mode rendered the frames it was asked for.
  case framesDone
}

/// What `update` asks the runtime to do (the impure part).
public enum Effect: Sendable, Equatable {
  case quit(ExitReason)
  case bell
  /// Read the rules file again and send back `.rulesLoaded`.
  case reloadRules(path: String)
  /// Read the layout file again and send back `.layoutLoaded`.
  case reloadLayout(path: String)
}
