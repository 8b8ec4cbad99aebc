import VigilApp
import VigilCore

/// `--otlp`: the OTLP ingest rate beside the JSON lines ingest rate, in one run, through the
/// app's real path (`update` with a feed input: framing done, parse, intern, windows, rules).
/// The same points both ways: 100 series (10 services, each a resource, × 10 routes, a point
/// attribute) of a gauge, 1,000 points a request (protobuf, as an OTLP/HTTP body) or 1,000 lines
/// a batch (JSON lines). Prints data points per second for each and their ratio.
func otlpBench(points: Int) {
  let perRequest = 1_000
  let start = Timestamp.seconds(1_795_687_200)
  var requests: [[UInt8]] = []
  var lines: [String] = []
  var i = 0
  while i < points {
    let service = "s\(i / perRequest % 10)"
    var dataPoints: [UInt8] = []
    for k in 0..<min(perRequest, points - i) {
      let n = i + k
      let t = UInt64(start.nanoseconds) + UInt64(n) * 1_000_000
      let value = Double(n % 997) / 7
      let route = "/r\(n % 10)"
      // NumberDataPoint: attributes (7), time_unix_nano (3, fixed64), as_double (4, double).
      var point = field(7, keyValue("http.route", route))
      point += [0x19] + littleEndian(t)
      point += [0x21] + littleEndian(value.bitPattern)
      dataPoints += field(1, point)  // Gauge.data_points
      lines.append(
        "{\"ts\":\(t / 1_000_000),\"metric\":\"http.server.active_requests\",\"value\":\(value),"
          + "\"labels\":{\"service\":\"\(service)\",\"http.route\":\"\(route)\"}}")
    }
    // Metric: name (1), gauge (5). ScopeMetrics.metrics (2). ResourceMetrics: resource (1),
    // scope_metrics (2). Request.resource_metrics (1).
    let metric = field(1, Array("http.server.active_requests".utf8)) + field(5, dataPoints)
    let resource = field(1, keyValue("service.name", service))
    requests.append(field(1, field(1, resource) + field(2, field(2, metric))))
    i += perRequest
  }
  func run(_ batches: [RecordBatch], _ format: FeedFormat) -> (Double, AppState) {
    var state = freshState()
    let t = seconds {
      for (seq, batch) in batches.enumerated() {
        let input = FeedInput(
          feed: FeedID(0), arrival: state.now, seq: UInt64(seq), payload: .records(batch, format))
        _ = update(&state, .feed(input))
      }
    }
    return (t, state)
  }
  let otlpBatches = requests.map { r -> RecordBatch in
    var b = RecordBatch()
    r.withUnsafeBytes { b.append($0, line: 1) }
    return b
  }
  var jsonBatches: [RecordBatch] = []
  for chunk in stride(from: 0, to: lines.count, by: perRequest) {
    var b = RecordBatch()
    for (k, line) in lines[chunk..<min(chunk + perRequest, lines.count)].enumerated() {
      var s = line
      s.withUTF8 { b.append(UnsafeRawBufferPointer($0), line: chunk + k + 1) }
    }
    jsonBatches.append(b)
  }
  // Warm up both once, then measure each twice in turn; the better of two.
  _ = run(Array(otlpBatches.prefix(5)), .otlp)
  _ = run(Array(jsonBatches.prefix(5)), .json)
  var otlp = Double.infinity
  var json = Double.infinity
  var check: (AppState, AppState)?
  for _ in 0..<2 {
    let (o, so) = run(otlpBatches, .otlp)
    let (j, sj) = run(jsonBatches, .json)
    otlp = min(otlp, o)
    json = min(json, j)
    check = (so, sj)
  }
  let (so, sj) = check ?? (freshState(), freshState())
  let bytes = requests.reduce(0) { $0 + $1.count }
  print(
    "otlp ingest: \(points) points in \(requests.count) protobuf requests (\(bytes / 1024) KiB): "
      + "\(Format.fixed(Double(points) / otlp / 1e6, 2)) M points/s "
      + "(rejected \(so.totalRejected), series \(so.engine.interner.count))")
  print(
    "json lines ingest: the same \(points) points as lines: "
      + "\(Format.fixed(Double(points) / json / 1e6, 2)) M points/s "
      + "(rejected \(sj.totalRejected), series \(sj.engine.interner.count)); "
      + "OTLP is \(Format.fixed(json / otlp, 2))x the JSON lines rate")
}

private func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] {
  ProtoWriter.bytesField(number, bytes)
}

/// KeyValue { key (1), value (2): AnyValue { string_value (1) } }.
private func keyValue(_ key: String, _ value: String) -> [UInt8] {
  field(1, Array(key.utf8)) + field(2, field(1, Array(value.utf8)))
}

private func littleEndian(_ v: UInt64) -> [UInt8] {
  (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
}
