import Foundation
import VigilCore

// `--pairs-only`: memory per open key of an event pair. One engine with the built-in pair
// (max_open raised to hold them all) takes N `order_placed` events with 36-byte ids (UUID
// length) and no end, all within the timeout; the anonymous memory it grew by, per key. The
// batches are built before the first measure, so only the engine's growth counts; the same run
// with another metric (`PAIRS_METRIC=order_seen`, no pair: its id label folds) is the control.
//
//   swift build -c release --product vigil-bench && .build/release/vigil-bench --pairs-only

/// A 36-byte id, distinct per `i`.
func uuidLike(_ i: Int) -> String {
  let digits = String(i)
  return "a1b2c3d4-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - digits.count))
    + digits
}

func pairsBench(keys n: Int = 1_000_000) {
  let metric = ProcessInfo.processInfo.environment["PAIRS_METRIC"] ?? "order_placed"
  var limits = SeriesLimits()
  limits.pairs[0].maxOpen = n
  var engine = Engine(rules: RuleSet(), clockMode: .event, limits: limits)
  engine.useFormat(.json, feed: 0, mapping: FieldMapping(), timeUnit: nil)
  var observer = NoEngineObserver()
  let start: Int64 = 1_795_687_200_000
  func batch(_ range: Range<Int>) -> RecordBatch {
    var batch = RecordBatch()
    for i in range {
      var line =
        "{\"ts\":\(start + Int64(i / 1000)),\"metric\":\"\(metric)\",\"value\":1,"
        + "\"labels\":{\"order_id\":\"\(uuidLike(i))\"}}"
      line.withUTF8 { batch.append(UnsafeRawBufferPointer($0), line: i + 1) }
    }
    return batch
  }
  let arrival = Timestamp.seconds(2_000_000_000)
  // Warm up: the series, the sink's buffers.
  _ = engine.ingest(batch(0..<1_000), feed: 0, arrival: arrival, observer: &observer)
  let batches = stride(from: 1_000, to: n, by: 50_000).map { batch($0..<min(n, $0 + 50_000)) }
  let before = statusKiB("RssAnon")
  for b in batches { _ = engine.ingest(b, feed: 0, arrival: arrival, observer: &observer) }
  let after = statusKiB("RssAnon")
  let open = engine.pairs.counts.first?.open ?? 0
  let perKey = Double(after - before) * 1024 / Double(max(1, n - 1_000))
  print(
    "pairs (\(metric)): \(open) open keys of 36 bytes: anonymous memory +\(mb(after - before)), "
      + "\(Int(clamping: perKey.rounded())) bytes per event")
}
