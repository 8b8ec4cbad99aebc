import Testing
import VigilAppTestSupport
import VigilCore
import VigilIncident

/// Recordings of scrape and Prometheus API feeds.
@Suite struct NetFeedRecordingTests {
  let t0 = demoStart

  /// A recording keeps the fetch events and a whole scrape body (newlines and all).
  @Test func recordingsKeepFetchEventsAndScrapeBodies() throws {
    var body = RecordBatch()
    Array("# TYPE a counter\na_total 1\n".utf8).withUnsafeBytes { body.append($0, line: 1) }
    let inputs = [
      FeedInput(
        feed: FeedID(0), arrival: t0, seq: 4,
        payload: .event(.fetched(durationNanos: 1_234_567, bytes: 27))),
      FeedInput(feed: FeedID(0), arrival: t0, seq: 5, payload: .records(body, .prometheus)),
    ]
    for input in inputs {
      let record = RecordingEntry.input(input)
      #expect(try RecordingEntry(json: record.json) == record)
    }
  }
}
