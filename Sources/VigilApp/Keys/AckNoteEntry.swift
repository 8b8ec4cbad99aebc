import VigilCore
import VigilRender

/// The ack note being typed in the alerts overlay, and whose it is.
public struct AckNoteEntry: Sendable, Equatable {
  public var key: AlertKey
  public var text: String

  /// Takes a key: `done` when the prompt closes; `action` is the note when Enter saved one.
  mutating func take(_ key: Key) -> (done: Bool, action: OperatorAction?) {
    switch key {
    case .enter:
      let note = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
      return (true, note.isEmpty ? nil : .ackNote(self.key, note))
    case .escape:
      return (true, nil)
    case .backspace, .delete:
      if !text.isEmpty { text.removeLast() }
    case .character(let c) where !c.isNewline && text.count < 120:
      text.append(c)
    default: break
    }
    return (false, nil)
  }
}

extension UIState {
  /// A key while the ack note prompt is open: `handled` is false when the prompt is not open;
  /// `action` is the note when Enter saved one, already applied to `notifier`.
  mutating func noteKey(_ key: Key, notifier: inout Notifier) -> (
    handled: Bool, action: OperatorAction?
  ) {
    guard var entry = ackNote else { return (false, nil) }
    let (done, action) = entry.take(key)
    ackNote = done ? nil : entry
    if let action { notifier.apply(action) }
    return (true, action)
  }
}
