import VigilCore

let services = ["checkout", "search", "cart", "payments", "catalog", "auth", "orders", "shipping"]
var text = ""
for i in 0..<200_000 {
  let ms = 100 + i % 900
  text +=
    "{\"ts\":\"2026-11-26T10:\(String(format2(i / 60 % 60))):\(String(format2(i % 60))).\(ms)Z\",\"metric\":\"api_latency_ms\",\"value\":\(Double(i % 5000) / 10),\"labels\":{\"service\":\"\(services[i % services.count])\"}}\n"
}
func format2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
let bytes = Array(text.utf8)
print("lines: 200000, bytes: \(bytes.count), avg \(bytes.count / 200_000) B/line")
var framer = LineFramer()
var batch = RecordBatch()
bytes.withUnsafeBytes { framer.push($0, into: &batch) }
let clock = ContinuousClock()
var best = 0.0
for round in 0..<7 {
  var parser = JSONLinesParser()
  var sink = ParseSink()
  sink.samples.reserveCapacity(batch.count)
  let t0 = clock.now
  batch.bytes.withUnsafeBytes { all in
    var s = 0
    for i in 0..<batch.count {
      let e = batch.ends[i]
      parser.parse(
        UnsafeRawBufferPointer(rebasing: all[s..<e]), line: batch.lines[i],
        arrival: Timestamp(nanoseconds: 0), into: &sink)
      s = e
    }
  }
  let dt = clock.now - t0
  let secs = Double(dt.components.seconds) + Double(dt.components.attoseconds) * 1e-18
  let rate = Double(batch.count) / secs
  best = max(best, rate)
  print(
    "round \(round): \(Int(rate)) lines/s, samples \(sink.samples.count), issues \(sink.issues.count) \(sink.issues.first.map { "\($0)" } ?? "")"
  )
}
// framing speed
let t1 = clock.now
for _ in 0..<10 {
  var f = LineFramer()
  var b = RecordBatch()
  bytes.withUnsafeBytes { f.push($0, into: &b) }
}
let dt1 = clock.now - t1
print(
  "framing: \(Double(bytes.count * 10) / (Double(dt1.components.attoseconds) * 1e-18 + Double(dt1.components.seconds)) / 1e6) MB/s"
)
print("best JSON: \(Int(best)) lines/s")
