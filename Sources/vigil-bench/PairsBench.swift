import Foundation
import VigilCore

// `--pairs-only`: memory per open key of an event pair. One engine with the built-in pair
// (max_open raised to hold them all) takes N `order_placed` events with 36-byte ids (UUID
// length) and no end, all within the timeout; the anonymous memory it grew by, per key.
//
//   swift build -c release --product vigil-bench && .build/release/vigil-bench --pairs-only

func pairsBench(keys n: Int = 1_000_000) {
  var limits = SeriesLimits()
  limits.pairs[0].maxOpen = n
  var engine = Engine(rules: RuleSet(), clockMode: .event, limits: limits)
  engine.useFormat(.json, feed: 0, mapping: FieldMapping(), timeUnit: nil)
  var observer = NoEngineObserver()
  let start: Int64 = 1_795_687_200_000
  // Warm up: the series, the sink's buffers, the first table growths.
  func feed(_ range: Range<Int>) {
    var batch = RecordBatch()
    for i in range {
      var line =
        "{\"ts\":\(start + Int64(i / 1000)),\"metric\":\"order_placed\",\"value\":1,"
        + "\"labels\":{\"order_id\":\"\(String(format: "%08x-0000-4000-8000-%012x", i, i))\"}}"
      line.withUTF8 { batch.append(UnsafeRawBufferPointer($0), line: i + 1) }
    }
    _ = engine.ingest(
      batch, feed: 0, arrival: Timestamp.seconds(2_000_000_000), observer: &observer)
  }
  feed(0..<1_000)
  let before = statusKiB("RssAnon")
  var done = 1_000
  while done < n {
    let next = min(n, done + 50_000)
    feed(done..<next)
    done = next
  }
  let after = statusKiB("RssAnon")
  let open = engine.pairs.counts[0].open
  let perKey = Double(after - before) * 1024 / Double(max(1, open - 1_000))
  print(
    "pairs: \(open) open keys of 36 bytes: anonymous memory +\(mb(after - before)), "
      + "\(Int(clamping: perKey.rounded())) bytes per open key")
}
