import VigilCore

/// Watches what the loop applies (the incident recorder, for `--record` and the black box).
///
/// The loop tells it each message before `update` applies it and the state after; the rules
/// and layout files the loop read; and the end. Observers see, they never change the state:
/// `update` stays the pure function, and an observer lives above VigilApp (VigilIncident).
public protocol AppLoopObserver: AnyObject {
  /// `message` is about to be applied.
  func willApply(_ message: Message)
  /// A message was applied: the state now, with the operator actions it produced in
  /// ``AppState/actions`` (cleared right after this call).
  func didApply(_ state: AppState)
  /// The rules file was read again (on `r`) at `time`: its text, or why it could not be read.
  func rulesRead(_ text: RulesText, at time: Timestamp)
  /// The layout file was read again and loads: later segments carry it.
  func layoutChanged(text: String, path: String?)
  /// The loop ended at `time`.
  func finish(at time: Timestamp, reason: ExitReason)
}

/// `update`, with `observer` (when there is one) told the message before and the state after:
/// the one way the live loop applies a message, so an observer sees exactly what happened.
/// The state's ``AppState/actions`` are cleared afterwards, observer or not.
public func update(
  _ state: inout AppState, _ message: Message, observer: (any AppLoopObserver)?
) -> [Effect] {
  observer?.willApply(message)
  let effects = update(&state, message)
  observer?.didApply(state)
  state.actions.removeAll()
  return effects
}

/// The rules file's text as the loop read it (after `r`), or why it could not be read.
public enum RulesText: Sendable, Equatable {
  case yaml(String, path: String)
  case unreadable(String, path: String)

  /// The rules this text gives, or every problem with it.
  public var rules: Result<RuleSet, ConfigProblems> {
    switch self {
    case .yaml(let text, let path): RulesLoader.parse(text, file: path)
    case .unreadable(let why, let path):
      .failure(ConfigProblems([ConfigProblem(file: path, line: 0, message: why)]))
    }
  }
}
