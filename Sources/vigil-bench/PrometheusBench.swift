import VigilCore

/// A realistic scrape body of exactly `series` sample lines: counters, gauges, histograms (12
/// buckets plus `_sum` and `_count`) and summaries, with HELP and TYPE lines and 3–4 labels each.
/// `scrape` moves every counter on, so successive bodies give deltas and histogram points.
/// `openMetrics` names counter families without `_total` and ends the body with `# EOF`.
func prometheusScrapeBody(series: Int, scrape: Int, openMetrics: Bool = false) -> [UInt8] {
  var out = ""
  var written = 0
  var family = 0
  let les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
  while written < series {
    let kind = family % 10
    switch kind {
    case 0...3:
      let name = "app_requests_\(family)_total"
      let declared = openMetrics ? "app_requests_\(family)" : name
      out += "# HELP \(declared) Requests handled.\n# TYPE \(declared) counter\n"
      for s in 0..<40 where written < series {
        out +=
          "\(name){method=\"\(["GET", "POST"][s % 2])\",code=\"\(200 + s % 5)\",handler=\"/api/v1/h\(s)\",instance=\"10.0.0.\(s % 7):9100\"} \(1000 * s + scrape * (s + 1))\n"
        written += 1
      }
    case 4...6:
      let name = "app_queue_depth_\(family)"
      out += "# HELP \(name) Items waiting.\n# TYPE \(name) gauge\n"
      for s in 0..<40 where written < series {
        out +=
          "\(name){queue=\"q\(s)\",instance=\"10.0.0.\(s % 7):9100\"} \(Double(s * 13 % 97) / 4)\n"
        written += 1
      }
    case 7...8:
      let name = "app_request_duration_\(family)_seconds"
      out += "# HELP \(name) Latency.\n# TYPE \(name) histogram\n"
      for s in 0..<4 where written + 14 <= series {
        let labels = "handler=\"/api/v1/h\(s)\",method=\"GET\",instance=\"10.0.0.\(s):9100\""
        var c = 0
        for (i, le) in les.enumerated() {
          c += (i + 1) * (10 + scrape)
          out += "\(name)_bucket{\(labels),le=\"\(le)\"} \(c)\n"
        }
        out += "\(name)_sum{\(labels)} \(Double(c) * 0.21)\n\(name)_count{\(labels)} \(c)\n"
        written += 14
      }
    default:
      let name = "app_gc_pause_\(family)_seconds"
      out += "# HELP \(name) GC pauses.\n# TYPE \(name) summary\n"
      for s in 0..<4 where written + 5 <= series {
        let labels = "pool=\"p\(s)\""
        for q in ["0.5", "0.9", "0.99"] {
          out += "\(name){\(labels),quantile=\"\(q)\"} \(0.001 * Double(s + 1))\n"
        }
        out +=
          "\(name)_sum{\(labels)} \(Double(scrape) * 0.3)\n\(name)_count{\(labels)} \(scrape * 100)\n"
        written += 5
      }
    }
    family += 1
    if family > 100_000 { break }  // only if `series` is not reachable
  }
  while written < series {
    out += "app_filler_\(written) 1\n"
    written += 1
  }
  if openMetrics { out += "# EOF\n" }
  return Array(out.utf8)
}

/// Parse time of a 10,000-series scrape (issue 4 target: under 20 ms), in steady state: the
/// parser has seen the previous scrape, so counters become deltas and histograms points.
/// Returns milliseconds per body for (steady state, its thread CPU time, raw lint parse),
/// medians of the runs.
func prometheusBench(
  series: Int = 10_000, runs: Int = 40, dialect: PrometheusParser.Dialect = .prometheus
) -> (steady: Double, cpu: Double, raw: Double, bytes: Int, samples: Int) {
  let bodies = (0..<(runs + 1)).map {
    prometheusScrapeBody(series: series, scrape: $0, openMetrics: dialect == .openMetrics)
  }
  var parser = PrometheusParser(dialect: dialect)
  var sink = ParseSink(interner: SeriesInterner(maxSeries: 100_000))
  let arrival = Timestamp.seconds(1_795_687_200)
  bodies[0].withUnsafeBytes { parser.parse($0, line: 1, arrival: arrival, into: &sink) }
  precondition(sink.issues.isEmpty, "bench body rejected: \(sink.issues)")
  var steady: [Double] = []
  var cpu: [Double] = []
  var samples = 0
  for k in 1...runs {
    sink.samples.removeAll(keepingCapacity: true)
    let t = arrival.adding(Int64(k) * 15 * Nanos.second)
    let t0 = monotonicNanos()
    let c0 = threadCPUNanos()
    bodies[k].withUnsafeBytes { parser.parse($0, line: 1, arrival: t, into: &sink) }
    cpu.append(Double(threadCPUNanos() - c0) / 1e6)
    steady.append(Double(monotonicNanos() - t0) / 1e6)
    samples = sink.samples.count
  }
  var rawParser = PrometheusParser(dialect: dialect, output: .raw)
  var rawSink = ParseSink(interner: SeriesInterner(maxSeries: 100_000))
  var raw: [Double] = []
  for k in 0...runs {
    rawSink.samples.removeAll(keepingCapacity: true)
    let t0 = monotonicNanos()
    bodies[k].withUnsafeBytes { rawParser.parse($0, line: 1, arrival: arrival, into: &rawSink) }
    raw.append(Double(monotonicNanos() - t0) / 1e6)
  }
  func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
  return (median(steady), median(cpu), median(raw), bodies[1].count, samples)
}
