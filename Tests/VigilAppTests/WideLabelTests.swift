import Testing
import VigilAppTestSupport
import VigilCore
import VigilRender

@testable import VigilApp

/// Feed labels with East Asian wide characters, emoji and control characters, through the
/// real views: columns and borders stay where they belong, and nothing unsafe reaches a cell.
@Suite struct WideLabelTests {
  /// Label values as JSON string bodies (escapes decoded by the parser).
  static let services = [
    "決済サービス", "🛒カート", #"❤\ufe0flove"#, "🇯🇵flag", #"ok\u0007bell"#, #"\u009b31mcsi"#,
    #"a\u202ertl"#, #"tab\there"#, #"e\u0301clair"#, "👨‍👩‍👧family", "ｆｕｌｌ",
  ]

  /// A state with a latency series per label (slow enough to make alerts pending), a ticket
  /// reason and another metric with wide names, over two minutes.
  static func state() -> AppState {
    var state = freshState()
    for s in 0..<120 {
      var lines: [String] = []
      for (i, svc) in services.enumerated() {
        let value = i % 2 == 0 ? 4000 + s : 40 + s
        lines.append(
          #"{"metric":"api_latency_ms","value":\#(value),"labels":{"service":"\#(svc)"}}"#)
      }
      lines.append(#"{"metric":"support_tickets_total","value":1,"labels":{"reason":"注文エラー"}}"#)
      lines.append(#"{"metric":"在庫_同期","value":3,"labels":{"倉庫":"東京\u009b"}}"#)
      send(&state, lines, at: demoStart.adding(Int64(s + 1) * Nanos.second))
    }
    return state
  }

  /// Every row is exactly the buffer's width, and no cell holds a control or bidi character.
  static func expectWellFormed(_ b: ScreenBuffer, _ what: String) {
    for (y, line) in b.lines().enumerated() {
      #expect(displayWidth(line) == b.width, "\(what) row \(y): \(line)")
    }
    for cell in b.cells {
      #expect(!cell.text.unicodeScalars.contains(where: isTerminalUnsafe), "\(what): \(cell.text)")
    }
  }

  /// The box drawn over `rect` has its vertical borders in place on every inner row.
  static func expectBorders(_ b: ScreenBuffer, _ rect: Rect, _ what: String) {
    for y in (rect.y + 1)..<(rect.maxY - 1) {
      #expect(b[rect.x, y].text == "│", "\(what) left border, row \(y): \(b.lines()[y])")
      #expect(b[rect.maxX - 1, y].text == "│", "\(what) right border, row \(y): \(b.lines()[y])")
    }
  }

  @Test(arguments: [(80, 24), (120, 40), (200, 50)])
  func dashboardAndZoomKeepTheirColumns(size: (Int, Int)) {
    var state = Self.state()
    state.ui.size = Size(width: size.0, height: size.1)
    let b = render(state)
    Self.expectWellFormed(b, "dashboard \(size)")
    let body = Rect(x: 0, y: 1, width: size.0, height: size.1 - 2)
    // Tall terminals give the other metrics (there is one) the bottom quarter.
    let gridHeight = body.height >= 30 ? body.height - max(6, body.height / 4) : body.height
    let grid = layoutRects(
      .commerce, in: Rect(x: 0, y: 1, width: size.0, height: gridHeight), focus: 0)
    for case let rect? in grid.prefix(2) { Self.expectBorders(b, rect, "panel \(rect)") }
    let text = b.lines().joined(separator: "\n")
    // At 120x40 every service is listed (at 80x24 the three slowest).
    #expect(size.1 < 40 || text.contains("決済サービス"), "\(text)")
    #expect(text.contains("service") && !text.contains("\u{7}"))
    // Numbers in the latency table stay right-aligned in their column.
    let tableRows = b.lines().filter { $0.contains("s/s│") || $0.contains("/s│") }
    #expect(!tableRows.isEmpty)
    // Zoomed: the breakdown lists every series, names cut by display width.
    state.ui.zoomed = true
    let z = render(state)
    Self.expectWellFormed(z, "zoom \(size)")
    // The zoomed panel leaves rows under it for its alert's guidance (it keeps 8 at least).
    let lines = DashboardModel(state).panels[0].shownAlert.map {
      DashboardModel.guidance($0, state)
    }
    let guide = min(lines?.count ?? 0, max(0, body.height - 8))
    let zoomed = Rect(x: 0, y: 1, width: size.0, height: body.height - guide)
    Self.expectBorders(z, zoomed, "zoom")
    // ASCII: wide characters become two stand-ins, so columns still line up.
    let a = render(state, glyphs: .ascii)
    Self.expectWellFormed(a, "ascii zoom \(size)")
    #expect(a.lines().joined().unicodeScalars.allSatisfy { $0.isASCII })
    for y in 2..<(zoomed.maxY - 1) {
      #expect(a[0, y].text == "|" && a[size.0 - 1, y].text == "|")
    }
  }

  @Test(arguments: [Overlay.others, .alerts, .alertHistory, .rejected])
  func overlaysKeepTheirColumns(overlay: Overlay) {
    var state = Self.state()
    // A rejected line with wide and control characters in its excerpt.
    send(&state, [#"{"metric":"x","value":"東京\u0007"}"#], at: state.now, firstLine: 9)
    for (w, h) in [(80, 24), (132, 43)] {
      state.ui.size = Size(width: w, height: h)
      state.ui.overlay = overlay
      let b = render(state)
      Self.expectWellFormed(b, "\(overlay) \(w)x\(h)")
      let body = Rect(x: 0, y: 1, width: w, height: h - 2)
      let rect = overlayRect(in: body, width: w - 4, height: h - 4)
      Self.expectBorders(b, rect, "\(overlay)")
      if overlay == .alertHistory {
        // The episode name (rule and labels) is cut by display width: the column after it
        // starts with its separating space on every row.
        let nameWidth = max(8, rect.width - 2 - 43)
        for (y, line) in b.lines().enumerated() where line.contains("ApiLatencyP99High") {
          #expect(b[rect.x + 1 + nameWidth, y].text == " ", "\(line)")
        }
      }
    }
    let text = render(state).lines().joined(separator: "\n")
    switch overlay {
    case .others: #expect(text.contains("在庫_同期"))
    case .alerts: #expect(text.contains("service=") && text.contains("PENDING"))
    case .alertHistory: #expect(text.contains("ApiLatencyP99High service="))
    default: #expect(text.contains("app.jsonl:9"))
    }
  }
}
