import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore
import VigilRender

/// One line must never kill the dashboard (issue 12): valid lines carrying huge, tiny and
/// boundary numbers on every metric the dashboard reads, then every screen drawn.
@Suite struct HostileValueTests {
  /// The two lines of the issue: a 30-digit latency, and 1e300 on the confirmation delay.
  @Test func theIssuesTwoLinesDrawEveryScreen() {
    var state = demoState(seconds: 30)
    let now = state.now
    let ts = CivilTime(now).rfc3339(fractionDigits: 3)
    send(
      &state,
      [
        "{\"ts\":\"\(ts)\",\"metric\":\"api_latency_ms\",\"value\":123456789012345678901234567890,"
          + "\"labels\":{\"service\":\"edge\"}}",
        "{\"ts\":\"\(ts)\",\"metric\":\"order_confirmation_delay_ms\",\"value\":1e300}",
      ], at: now)
    #expect(state.totalRejected == 0)
    var screens = 0
    renderEveryScreen(state) { buffer, what in
      screens += 1
      #expect(buffer.lines().count == buffer.size.height, "\(what)")
    }
    #expect(screens > 100)
  }
}

extension HostileValueTests {
  /// Every edge number on every metric the dashboard reads: no trap, and every cell still holds
  /// printable text (ASCII only with the ASCII glyph set).
  @Test func everyEdgeNumberOnEveryMetricDrawsEveryScreen() {
    var state = demoState(seconds: 30)
    send(&state, edgeValueLines(at: state.now), at: state.now)
    #expect(state.engine.interner.count > 0)
    renderEveryScreen(state) { buffer, what in
      for y in 0..<buffer.height {
        for x in 0..<buffer.width {
          let text = buffer[x, y].text
          let bad = text.unicodeScalars.contains {
            $0.value < 0x20 || (0x7F...0x9F).contains($0.value)
          }
          if bad { Issue.record("a control character at \(x),\(y) in \(what)") }
          if what.contains("ascii") && !text.unicodeScalars.allSatisfy(\.isASCII) {
            Issue.record("non-ASCII \(text) at \(x),\(y) in \(what)")
          }
        }
      }
    }
  }

  /// Times at the ends of what a timestamp holds, on the wall clock (a live feed): refused and
  /// counted, and the screens still draw.
  @Test(arguments: [
    "0001-01-01T00:00:00Z", "1677-09-21T00:12:44Z", "1970-01-01T00:00:00Z",
    "2262-04-11T23:47:16Z", "9999-12-31T23:59:59Z",
  ])
  func farPastAndFutureTimesDrawEveryScreen(time: String) {
    var state = freshState()
    state.ui.size = Size(width: 80, height: 24)
    var lines = edgeValueLines(at: demoStart)
    lines += dashboardMetrics.map {
      "{\"ts\":\"\(time)\",\"metric\":\"\($0)\",\"value\":1e300,\"labels\":{\"service\":\"edge\"}}"
    }
    lines += edgeValueLines(at: demoStart.adding(Nanos.second))
    send(&state, lines, at: demoStart)
    #expect(state.totalRejected >= UInt64(dashboardMetrics.count))
    var screens = 0
    renderEveryScreen(state, sizes: [Size(width: 80, height: 24)]) { _, _ in screens += 1 }
    #expect(screens > 0)
  }
}
