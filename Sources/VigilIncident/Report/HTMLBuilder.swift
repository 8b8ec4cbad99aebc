/// Builds HTML (and inline SVG) text: elements with attributes, escaped text, and raw fragments.
///
/// Attribute values and ``text(_:)`` are escaped with ``Markup/escape(_:)``, so anything from a
/// recording can go there. ``raw(_:)`` is for trusted fragments only: the report's own prose,
/// CSS and script, never a string from a recording.
struct HTMLBuilder {
  /// Where an element's tags end a line of the output.
  enum Breaks {
    /// No line break: `<b>…</b>`.
    case none
    /// A line break after the closing tag: one element a line.
    case after
    /// Line breaks after the opening and the closing tag: a block of lines.
    case block
  }

  private(set) var html = ""

  init(reserving capacity: Int = 0) { html.reserveCapacity(capacity) }

  /// A trusted fragment, as it is.
  mutating func raw(_ s: String) { html += s }

  /// Text, escaped.
  mutating func text(_ s: String) { html += Markup.escape(s) }

  /// Text cut to `limit` characters (with `…`), escaped: for chart labels.
  mutating func text(_ s: String, limit: Int) { html += Markup.escape(s, limit: limit) }

  mutating func newline() { html += "\n" }

  /// `<name a="v">`, the body, `</name>`.
  mutating func element(
    _ name: String, _ attributes: [(String, String)] = [], breaks: Breaks = .none,
    _ body: (inout HTMLBuilder) -> Void
  ) {
    openTag(name, attributes, end: ">")
    if breaks == .block { html += "\n" }
    body(&self)
    html += "</" + name + ">"
    if breaks != .none { html += "\n" }
  }

  /// `<name a="v">text</name>`, the text escaped.
  mutating func element(
    _ name: String, _ attributes: [(String, String)] = [], breaks: Breaks = .none, text: String
  ) {
    element(name, attributes, breaks: breaks) { $0.text(text) }
  }

  /// An element without content: `<name a="v" />`.
  mutating func empty(_ name: String, _ attributes: [(String, String)], breaks: Breaks = .none) {
    openTag(name, attributes, end: " />")
    if breaks != .none { html += "\n" }
  }

  private mutating func openTag(_ name: String, _ attributes: [(String, String)], end: String) {
    html += "<" + name
    for (key, value) in attributes {
      html += " " + key + "=\""
      html += Markup.escape(value)
      html += "\""
    }
    html += end
  }
}
