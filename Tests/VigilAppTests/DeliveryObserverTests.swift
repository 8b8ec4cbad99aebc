import Testing
import VigilAppTestSupport
import VigilDemo
import VigilRender

@testable import VigilApp
@testable import VigilCore

/// Delivery as the loop drives it (the dashboard and `vigil watch` share the observer): the
/// demo's live firings are handed to delivery with their suspect, acked instances are not, and
/// the screen hears how delivery goes.
@Suite struct DeliveryObserverTests {
  /// A sink that takes everything (what was handed over is read from ``AlertDeliveries/recent``).
  struct Accepting: DeliverySink {
    var name: String { "test" }
    var maxBatch: Int { 64 }
    var wantsResends: Bool { false }
    func deliver(_ batch: [AlertNotification]) -> [(
      DeliveryQueue<AlertNotification>.Outcome, String?
    )] {
      batch.map { _ in (.delivered, nil) }
    }
  }

  /// The demo's first `seconds`, second by second as a live run applies them, observed by
  /// delivery; `quiet` instances are acked first.
  static func run(seconds: Int, acked quiet: [AlertKey] = []) -> (AppState, AlertDeliveries) {
    let scenario = DemoScenario(seed: 42)
    var state = freshState()
    for key in quiet { state.notifier.apply(.ack(key)) }
    let deliveries = AlertDeliveries(sinks: [Accepting()])
    let observer = DeliveryObserver(deliveries, state: state)
    for s in 0..<seconds {
      let at = demoStart.adding(Int64(s + 1) * Nanos.second)
      let lines = scenario.events(second: s).map {
        DemoFormatter.line($0, start: demoStart, format: .json)
      }
      let input = FeedInput(
        feed: FeedID(0), arrival: at, seq: UInt64(s), payload: .records(batch(lines), .json))
      _ = update(&state, .tick(at), observer: observer)
      _ = update(&state, .feed(input), observer: observer)
    }
    return (state, deliveries)
  }

  @Test func liveFiringsAreHandedToDeliveryWithTheirSuspectAndAckedOnesAreNot() throws {
    let (state, deliveries) = Self.run(seconds: 700)
    let firings = state.alertHistory.history.filter { $0.to == .firing && $0.notifies }
    #expect(firings.count >= 2)
    let sent = deliveries.recent.filter { $0.status == .firing }
    #expect(sent.map(\.rule) == firings.map(\.rule))
    #expect(sent.map(\.labels) == firings.map(\.labels))
    // The top suspect ranked at each firing rides along as an annotation (none without one:
    // this fixture has no warm baseline; the Alertmanager test sees the demo's).
    for n in sent {
      let ranking = state.engine.suspectRankings.last {
        $0.t == n.at && $0.alert == n.rule && $0.labels == n.labels
      }
      #expect(ranking != nil)
      let suspect = n.annotations.first { $0.name == "suspect" }?.value
      #expect(suspect == ranking?.suspects.first?.annotationText)
    }
    #expect(sent.allSatisfy { n in n.annotations.contains { $0.name == "summary" } })

    // Acked before it fires: not delivered; the others still are.
    let first = try #require(firings.first)
    let key = AlertKey(rule: first.rule, labels: first.labels)
    let (_, quieter) = Self.run(seconds: 700, acked: [key])
    let names = quieter.recent.map { AlertKey(rule: $0.rule, labels: $0.labels) }
    #expect(!names.contains(key))
    #expect(
      names.count == sent.count
        - firings.filter { $0.rule == key.rule && $0.labels == key.labels }.count)
  }

  @Test func theScreenHearsWhenDeliveryFailsAndTheViewSaysWhy() throws {
    var state = freshState()
    state.ui.size = Size(width: 80, height: 24)
    var stats = DeliveryWorker.Stats()
    stats.failed = 2
    stats.failing = true
    stats.lastError = "connection refused (127.0.0.1:9093)"
    let status = DeliveryStatus(
      targets: [.init(name: "alertmanager http://127.0.0.1:9093/api/v2/alerts", stats: stats)],
      recent: [.init(status: .firing, rule: "TaxSlow", labels: "{service=\"tax\"}", at: demoStart)]
    )
    _ = update(&state, .delivery(status))
    let bar = render(state).lines().last ?? ""
    #expect(bar.contains("delivery failing: alertmanager"), "\(bar)")
    _ = update(&state, .key(.character("N")))
    #expect(state.ui.overlay == .notifications)
    let screen = render(state).lines().joined(separator: "\n")
    #expect(screen.contains("Alert delivery"))
    #expect(screen.contains("sent 0, failed 2, waiting 0"))
    #expect(screen.contains("last error: connection refused (127.0.0.1:9093)"))
    #expect(screen.contains("firing   TaxSlow{service=\"tax\"}"))
  }
}
